"""Agora answers each member in their Discord language, and its commands are translated."""

from __future__ import annotations

from bot.domain.debate import Actor
from bot.i18n import t
from bot.sandbox import LocalDiscord
from tests.e2e.conftest import World
from tests.e2e.test_lobby import open_debate, press
from tests.support.harness import BotRunner


async def test_members_are_answered_in_their_own_language(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    hans = local.add_member(world.guild, "hans", locale="de")
    ada = local.add_member(world.guild, "ada", locale="en-US")
    lobby = await open_debate(local, world)
    debate_id = int(lobby.embeds[0]["title"].split("#", 1)[1].split(" ", 1)[0])

    german = await press(local, hans, lobby, "Join For")
    english = await press(local, ada, lobby, "Join Against")

    assert german == (
        f"Du bist Debatte #{debate_id} beigetreten: **Pro**. Die Seiten werden beim Start "
        "verteilt; drück **Verlassen**, wenn du es dir anders überlegst."
    )
    assert english == (
        f"You joined debate #{debate_id}: **Against**. Sides are assigned when the debate "
        "starts; press **Leave** if you change your mind."
    )


async def test_a_refusal_comes_in_the_members_language(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    hans = local.add_member(world.guild, "hans", locale="de")
    ada = local.add_member(world.guild, "ada", locale="en-GB")
    lobby = await open_debate(local, world)

    assert await press(local, hans, lobby, "Leave") == t("error.not_joined", "de")
    assert await press(local, ada, lobby, "Leave") == t("error.not_joined", "en")
    assert t("error.not_joined", "de") != t("error.not_joined", "en")
    assert t("error.not_joined", "de").startswith("Du bist für diese Debatte nicht angemeldet")


async def test_a_language_agora_does_not_speak_falls_back_to_english(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    pierre = local.add_member(world.guild, "pierre", locale="fr")
    handle = await local.slash(pierre, world.channel, "debate status")
    answer = await handle.reply()
    assert answer.ephemeral
    assert answer.content == (
        "There is no open debate in this channel. Start one with `/debate new`."
    )


async def test_a_language_agora_does_not_speak_falls_back_to_the_servers(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    assert runner.bot is not None
    await runner.bot.services.guilds.configure(
        world.guild.id, Actor(world.admin.user_id, manages_server=True), language="de"
    )
    pierre = local.add_member(world.guild, "pierre", locale="fr")
    ada = local.add_member(world.guild, "ada", locale="en-US")

    french = await (await local.slash(pierre, world.channel, "debate status")).reply()
    english = await (await local.slash(ada, world.channel, "debate status")).reply()

    assert (
        french.content == "In diesem Kanal ist keine Debatte offen. Eröffne eine mit `/debate new`."
    )
    assert english.content == t("error.no_debate_here", "en")


async def test_a_servers_language_is_the_language_of_its_lobbies(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    assert runner.bot is not None
    await runner.bot.services.guilds.configure(
        world.guild.id, Actor(world.admin.user_id, manages_server=True), language="de"
    )
    lobby = await open_debate(local, world)
    assert " · Lobby offen" in lobby.embeds[0]["title"]
    assert [f["name"].split(" ", 1)[1] for f in lobby.embeds[0]["fields"]] == [
        "Pro (0)",
        "Contra (0)",
        "Beide Seiten (0)",
    ]
    assert lobby.button("Pro beitreten")["custom_id"].startswith("agora:join:")


async def test_the_synced_commands_carry_german_names_and_descriptions(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    commands = {c["name"]: c for c in local.commands(world.guild.id)}
    debate = commands["debate"]
    assert debate["name_localizations"]["de"] == "debatte"
    assert debate["description_localizations"]["de"].startswith("Eine Debatte eröffnen")
    new = next(o for o in debate["options"] if o["name"] == "new")
    assert new["name_localizations"]["de"] == "neu"
    motion = next(o for o in new["options"] if o["name"] == "motion")
    assert motion["name_localizations"]["de"] == "thema"
    assert motion["description_localizations"]["de"].startswith("Die Streitfrage")
