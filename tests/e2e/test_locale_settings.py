"""``/help``, ``/config`` and ``/leaderboard show`` answer each member in their Discord
language: German for a member whose Discord speaks German, English for one in en-US."""

from __future__ import annotations

from bot.i18n import t
from bot.sandbox import LocalDiscord, Member, Message
from tests.e2e.conftest import MANAGE_GUILD, World
from tests.support.harness import BotRunner


async def ask(local: LocalDiscord, world: World, who: Member, command: str) -> Message:
    handle = await local.slash(who, world.channel, command)
    return await handle.reply()


def titles(message: Message) -> list[str]:
    return [f["name"] for f in message.embeds[0]["fields"]]


async def test_help_config_and_leaderboard_speak_the_members_language(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    managers = local.add_role(world.guild, "Managers", permissions=MANAGE_GUILD)
    hans = local.add_member(world.guild, "hans", roles=[managers], locale="de")
    ada = local.add_member(world.guild, "ada", roles=[managers], locale="en-US")

    # /help: headings, tips and each command's description as Discord shows it.
    german = await ask(local, world, hans, "help")
    english = await ask(local, world, ada, "help")
    assert german.embeds[0]["title"] == "Agora: Debatten auf deinem Server"
    assert english.embeds[0]["title"] == "Agora: debates in your server"
    german_help = "\n".join(f["value"] for f in german.embeds[0]["fields"])
    english_help = "\n".join(f["value"] for f in english.embeds[0]["fields"])
    assert "`/debate new` · Eine Debatte zu einem Thema eröffnen, oder aus einem Artikel." in (
        german_help
    )
    assert "`/debate new` · Open a debate on a motion, or from an article." in english_help
    assert "z. B. `/debate new motion: Dieses Haus würde Hausaufgaben abschaffen`" in german_help
    assert "e.g. `/debate new motion: This House would ban homework`" in english_help
    assert any(title.endswith("Eine Debatte führen") for title in titles(german))
    assert any(title.endswith("Run a debate") for title in titles(english))

    # /config: the view, its fields, menus and page buttons.
    german = await ask(local, world, hans, "config")
    english = await ask(local, world, ada, "config")
    assert german.ephemeral
    assert english.ephemeral
    assert german.embeds[0]["title"].endswith("Agoras Einstellungen für diesen Server")
    assert english.embeds[0]["title"].endswith("Agora settings for this server")
    assert {"Debattenkanal", "Standardformat", "Zeitzone", "Sprache"} <= set(titles(german))
    assert {"Debate channel", "Default format", "Time zone", "Language"} <= set(titles(english))
    assert german.button("Abstimmung, Redefolge & Sprache")["custom_id"].endswith(":page:rules")
    assert english.button("Votes, turns & language")["custom_id"].endswith(":page:rules")

    # /leaderboard show: the board, where the member stands, and the page buttons.
    german = await ask(local, world, hans, "leaderboard show")
    english = await ask(local, world, ada, "leaderboard show")
    assert german.embeds[0]["title"] == "Wertung · Alle Zeiten"
    assert english.embeds[0]["title"] == "Rating · All time"
    assert t("ratings.board.empty", "de") in german.embeds[0]["description"]
    assert t("ratings.board.empty", "en") in english.embeds[0]["description"]
    assert german.embeds[0]["footer"]["text"] == (
        "Seite 1 von 1 · Du (hans) bist noch nicht platziert: Bestreite eine gewertete Debatte."
    )
    assert english.embeds[0]["footer"]["text"] == (
        "Page 1 of 1 · You (ada) are not ranked yet: play a rated debate."
    )
    assert german.button("Weiter ▶")["disabled"]
    assert english.button("Next ▶")["disabled"]
