"""Agora answers each member in their Discord language, and its commands are translated."""

from __future__ import annotations

from bot.domain.debate import Actor
from bot.i18n import t
from bot.sandbox import LocalDiscord, Message
from tests.e2e.conftest import World
from tests.e2e.test_lobby import open_debate, press
from tests.e2e.test_rounds import MOTION, phase_shows, thread_messages
from tests.e2e.test_rounds import press as press_clock
from tests.e2e.test_votes import vote
from tests.support.harness import BotRunner, eventually


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


async def test_a_german_server_runs_its_debate_in_german(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    assert runner.bot is not None
    await runner.bot.services.guilds.configure(
        world.guild.id, Actor(world.admin.user_id, manages_server=True), language="de"
    )
    hans = local.add_member(world.guild, "hans", locale="de")
    greta = local.add_member(world.guild, "greta", locale="de")
    ada = local.add_member(world.guild, "ada", locale="en-US")
    opened = await local.slash(
        world.alice, world.channel, "debate new", options={"motion": MOTION, "format": "oxford"}
    )
    lobby = await opened.reply()
    for member, label in ((hans, "Pro beitreten"), (world.carol, "Contra beitreten")):
        joined = await local.click(
            member, local.message(lobby.id), lobby.button(label)["custom_id"]
        )
        assert (await joined.reply()).ephemeral
    started = await local.click(
        world.alice, local.message(lobby.id), lobby.button("Starten")["custom_id"]
    )
    (said,) = await started.followups(1)
    assert said.content.startswith("Debatte #")
    thread_id = int(said.content.rsplit("<#", 1)[1].split(">", 1)[0])

    # The thread is the server's: the sides, the phase message, its buttons and the poll.
    sides = thread_messages(local, thread_id)[0].embeds[0]
    assert sides["title"].endswith("hat begonnen")
    assert "wollte Pro" in sides["fields"][0]["value"]
    first = await phase_shows(local, thread_id, "· Opening: For** · ")
    assert "Pro spricht" in first.content
    assert "hat das Wort." in first.content
    assert "Als Nächstes: " in first.content
    assert {b["label"] for b in first.buttons()} >= {"Abgeben", "Pause", "Überspringen"}
    before = await eventually(lambda: german_poll(local, thread_id, "vor"))
    assert "Bisher 0 Stimmen." in before.content
    assert [b["label"] for b in before.buttons()][:3] == ["Pro", "Contra", "Unentschieden"]

    # Each member is answered in their own language, refusals too.
    assert await vote(local, greta, before, "Contra") == t(
        "vote.counted_pre", "de", choice="Contra"
    )
    assert "is counted" in await vote(local, ada, before, "Contra")
    assert await vote(local, hans, before, "Pro") == (
        "Debattierende können in ihrer eigenen Debatte nicht abstimmen."
    )

    await press_clock(local, world.alice, first, "Überspringen")
    await eventually(
        lambda: (
            "Die Abstimmung vor der Debatte ist geschlossen: 2 Stimmen."
            in local.message(before.id).content
        )
    )
    current = await phase_shows(local, thread_id, "· Opening: Against** · ")
    await press_clock(local, world.alice, current, "Beenden")
    after = await eventually(lambda: german_poll(local, thread_id, "nach"))
    assert "Die Reden sind vorbei." in after.content
    for member in (greta, ada):
        await vote(local, member, after, "Pro")

    runner.advance(121)
    result = await eventually(
        lambda: next((m for m in thread_messages(local, thread_id) if m.attachments), None)
    )
    embed = result.embeds[0]
    assert embed["title"].endswith(": Pro gewinnt")
    assert (
        "Pro gewinnt, weil es mehr Stimmen dazugewonnen hat: Pro 0 % → 100 %"
        in (embed["description"])
    )
    assert [f["name"] for f in embed["fields"][:2]] == ["Vorher", "Nachher"]
    assert embed["footer"]["text"].endswith("Regel: Oxford")


def german_poll(local: LocalDiscord, thread_id: int, when: str) -> Message | None:
    """The German poll message "vor" or "nach" the debate, once it is posted."""
    wanted = f"Stimm {when} der Debatte ab"
    return next((m for m in thread_messages(local, thread_id) if wanted in m.content), None)
