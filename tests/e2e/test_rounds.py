"""A debate from Start to the last speech, end to end: sides, the clock, the thread, restarts.

The bot runs on a test clock: ``runner.advance`` moves time on and wakes the dispatcher, so
a whole debate plays in a second.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlmodel import select

from bot.db.models import ClockRow, DebateRow, DebaterRow, SpeechRow
from bot.sandbox import LocalDiscord, Member, Message
from tests.e2e.conftest import World
from tests.support.harness import BotRunner, eventually

MOTION = "This House would ban homework"


async def lobby_with(
    local: LocalDiscord, world: World, fmt: str, sides: dict[str, list[Member]]
) -> Message:
    """Alice opens a debate in ``fmt``; the members join with their preferences."""
    handle = await local.slash(
        world.alice, world.channel, "debate new", options={"motion": MOTION, "format": fmt}
    )
    lobby = await handle.reply()
    labels = {"for": "Join For", "against": "Join Against", "either": "Join either side"}
    for preference, members in sides.items():
        for member in members:
            click = await local.click(
                member, local.message(lobby.id), lobby.button(labels[preference])["custom_id"]
            )
            assert (await click.reply()).ephemeral
    return lobby


async def start(local: LocalDiscord, who: Member, lobby: Message) -> tuple[int, Message]:
    """Press Start; returns the debate's thread id and the announcement of the start."""
    handle = await local.click(who, local.message(lobby.id), lobby.button("Start")["custom_id"])
    (said,) = await handle.followups(1)
    match = re.search(r"<#(\d+)>", said.content)
    assert match, said.content
    return int(match[1]), said


def thread_messages(local: LocalDiscord, thread_id: int) -> list[Message]:
    return [m for m in local.messages(thread_id) if not m.ephemeral]


def phase_message(local: LocalDiscord, thread_id: int) -> Message:
    """The current phase message: the last message with clock buttons."""
    with_buttons = [
        m
        for m in thread_messages(local, thread_id)
        if any(b["custom_id"].startswith("agora:clock:") for b in m.buttons())
    ]
    assert with_buttons, [m.content for m in thread_messages(local, thread_id)]
    return with_buttons[-1]


async def press(local: LocalDiscord, member: Member, message: Message, label: str) -> Any:
    handle = await local.click(
        member, local.message(message.id), message.button(label)["custom_id"]
    )
    return await handle.response()


async def phase_shows(local: LocalDiscord, thread_id: int, text: str) -> Message:
    """The current phase message once it contains ``text``."""
    return await eventually(
        lambda: next((m for m in [phase_message(local, thread_id)] if text in m.content), None)
    )


def heading(name: str) -> str:
    """How a phase message names its phase."""
    return f"· {name}**"


async def test_a_quick_debate_from_start_to_finish(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    lobby = await lobby_with(local, world, "quick", {"for": [world.bob], "against": [world.carol]})

    refused = await local.click(
        world.dave, local.message(lobby.id), lobby.button("Start")["custom_id"]
    )
    answer = await refused.reply()
    assert answer.ephemeral
    assert "Only" in answer.content

    thread_id, said = await start(local, world.alice, lobby)
    assert "has started" in said.content

    announcement = thread_messages(local, thread_id)[0]
    fields = {f["name"]: f["value"] for f in announcement.embeds[0]["fields"]}
    assert f"<@{world.bob.user_id}> · preferred For" in fields["🟦 For"]
    assert f"<@{world.carol.user_id}> · preferred Against" in fields["🟥 Against"]
    assert "seed" in announcement.embeds[0]["footer"]["text"]
    clock = await runner.one(ClockRow)
    assert str(clock.seed) in announcement.embeds[0]["footer"]["text"]
    assert await runner.count(DebaterRow) == 2

    first = await phase_shows(local, thread_id, heading("Round 1: For"))
    assert f"<@{world.bob.user_id}> (For) has the floor" in first.content
    assert re.search(r"<t:\d+:R>", first.content)

    # The floor: the speaker's message stays and is kept; the other side's is removed.
    kept = local.say(world.bob, local.channel(thread_id), "Homework eats family time.")
    removed = local.say(world.carol, local.channel(thread_id), "Objection!")
    await eventually(lambda: removed.id not in {m.id for m in local.messages(thread_id)})
    await eventually(lambda: local.message(kept.id) is not None)
    speech = await stored_speech(runner)
    assert (speech.message_id, speech.author_id, speech.side, speech.phase_index) == (
        kept.id,
        world.bob.user_id,
        "for",
        0,
    )

    # A warning at the format's 30 s mark, then the deadline moves the clock on by itself.
    runner.advance(61)
    await eventually(
        lambda: any("30 s left" in m.content for m in thread_messages(local, thread_id))
    )
    runner.advance(30)
    second = await phase_shows(local, thread_id, heading("Round 1: Against"))
    assert f"<@{world.carol.user_id}> (Against) has the floor" in second.content
    await eventually(lambda: local.message(first.id).buttons() == [])
    # The vote before the debate closed with the first speech.
    await eventually(
        lambda: any(
            "Voting before the debate has closed" in m.content
            for m in thread_messages(local, thread_id)
        )
    )

    # The speaker yields: exactly two REST calls for the phase change (the lobby's last
    # refresh after the start may still be on its way, in the parent channel: not counted).
    await eventually(lambda: local.message(lobby.id).buttons() == [])
    before = len(local.exchanges)
    await press(local, world.carol, second, "Yield")
    third = await phase_shows(local, thread_id, heading("Round 2: For"))
    await eventually(lambda: local.message(second.id).buttons() == [])
    calls = [
        e
        for e in local.exchanges[before:]
        if e.method != "GET" and (f"/channels/{thread_id}/" in e.path or "/interactions/" in e.path)
    ]
    assert len(calls) == 2, [(e.method, e.path) for e in calls]

    # Only the speaker may yield; only a moderator may pause.
    handle = await local.click(
        world.carol, local.message(third.id), third.button("Yield")["custom_id"]
    )
    assert "floor" in (await handle.reply()).content
    handle = await local.click(
        world.bob, local.message(third.id), third.button("Pause")["custom_id"]
    )
    assert "Only" in (await handle.reply()).content

    # Pause keeps the remaining time however long it lasts; resume and extend.
    await press(local, world.admin, third, "Pause")
    paused = await phase_shows(local, thread_id, "Paused with 1 min 30 s left")
    runner.advance(3600)
    await press(local, world.admin, paused, "Resume")
    resumed = await phase_shows(local, thread_id, "Ends <t:")
    # A double click on +1 min: both presses carry the same version, so one extends.
    extend = resumed.button("+1 min")["custom_id"]
    clicks = await asyncio.gather(
        local.click(world.admin, local.message(resumed.id), extend),
        local.click(world.admin, local.message(resumed.id), extend),
    )
    answers = [await click.response() for click in clicks]
    refusals = [a for a in answers if a["type"] == 4]
    assert len(refusals) == 1, answers
    assert "changed the clock a moment ago" in refusals[0]["data"]["content"]
    await phase_shows(local, thread_id, heading("Round 2: For"))
    row = await runner.one(ClockRow)
    assert (row.extended_seconds, row.state) == (60, "running")

    # A restart in the middle of a speech; the deadline passes while the bot is down.
    await runner.stop()
    runner.advance(600)
    await runner.start()
    late = await phase_shows(local, thread_id, heading("Round 2: Against"))
    assert "late" in late.content

    # Skip to the end.
    current = late
    for name in ("Round 3: For", "Round 3: Against"):
        await press(local, world.alice, current, "Skip")
        current = await phase_shows(local, thread_id, heading(name))
    await press(local, world.alice, current, "Skip")
    await eventually(
        lambda: any("speeches are over" in m.content for m in thread_messages(local, thread_id))
    )
    debate = await runner.one(DebateRow)
    assert debate.state == "finished"
    assert (await runner.one(ClockRow)).state == "finished"


async def stored_speech(runner: BotRunner) -> Any:
    """The one transcript row, once it is stored."""
    for _ in range(250):
        if await runner.count(SpeechRow) == 1:
            return await runner.one(SpeechRow)
        await asyncio.sleep(0.02)
    raise AssertionError("the speech was not stored")


async def test_an_oxford_debate_on_a_stage_in_soft_mode(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    stage = local.add_channel(world.guild, "main-stage", type=13)
    frank = local.add_member(world.guild, "frank")
    settings = await local.slash(
        world.admin, world.channel, "settings turns", options={"mode": "soft"}
    )
    assert (await settings.reply()).ephemeral

    lobby = await lobby_with(
        local, world, "oxford", {"for": [world.bob], "against": [], "either": []}
    )
    # Too few debaters: /debate start says how many more must join, and nothing starts.
    early = await local.slash(world.alice, world.channel, "debate start")
    refusal = await early.reply()
    assert refusal.ephemeral
    assert "1 more member must join" in refusal.content
    assert await runner.count(ClockRow) == 0

    for member, label in (
        (world.carol, "Join For"),
        (world.dave, "Join Against"),
        (world.erin, "Join Against"),
    ):
        click = await local.click(member, local.message(lobby.id), lobby.button(label)["custom_id"])
        await click.reply()
    for member in (world.bob, world.carol, world.dave, world.erin, frank):
        local.join_voice(member, stage)

    handle = await local.slash(world.alice, world.channel, "debate start", options={"stage": stage})
    (said,) = await handle.followups(1)
    match = re.search(r"<#(\d+)>", said.content)
    assert match, said.content
    thread_id = int(match[1])
    thread = local.channel(thread_id)
    await eventually(lambda: local.message(lobby.id).buttons() == [])

    opening = await phase_shows(local, thread_id, heading("Opening: For"))
    assert f"<@{world.bob.user_id}> (For) has the floor" in opening.content
    assert "protected first and last minute" in opening.content
    await eventually(lambda: local.voice_state(world.guild.id, world.bob.user_id).suppress is False)  # type: ignore[union-attr]

    # Soft mode: a message out of turn stays, marked; the speaker's words and edits are kept.
    words = local.say(world.bob, thread, "Homework crowds out play.")
    heckle = local.say(world.dave, thread, "Nonsense!")
    await eventually(lambda: "🔇" in local.message(heckle.id).reactions)
    await eventually(lambda: local.message(words.id) is not None)
    local.edit_said(words, "Homework crowds out play and sleep.")

    await press(local, world.alice, opening, "Skip")
    against = await phase_shows(local, thread_id, heading("Opening: Against"))
    assert f"<@{world.dave.user_id}> (Against) has the floor" in against.content
    await eventually(
        lambda: local.voice_state(world.guild.id, world.dave.user_id).suppress is False
    )  # type: ignore[union-attr]
    await eventually(lambda: local.voice_state(world.guild.id, world.bob.user_id).suppress is True)  # type: ignore[union-attr]

    current = against
    for name in ("Rebuttal: For", "Rebuttal: Against", "Audience questions"):
        await press(local, world.alice, current, "Skip")
        current = await phase_shows(local, thread_id, heading(name))
    assert f"<@{world.carol.user_id}> (For)" not in current.content
    assert "open to the audience" in current.content
    question = local.say(frank, thread, "What about weekends?")

    await press(local, world.admin, current, "End")
    await eventually(
        lambda: any("speeches are over" in m.content for m in thread_messages(local, thread_id))
    )
    assert (await runner.one(DebateRow)).state == "finished"

    speeches = {row.message_id: row for row in await rows(runner, SpeechRow, 2)}
    assert set(speeches) == {words.id, question.id}
    kept = speeches[words.id]
    assert (kept.author_id, kept.side, kept.phase_index) == (world.bob.user_id, "for", 0)
    assert kept.text == "Homework crowds out play and sleep."
    assert [e["text"] for e in kept.edits] == ["Homework crowds out play."]
    asked = speeches[question.id]
    assert (asked.author_id, asked.side, asked.phase_index) == (frank.user_id, None, 4)


async def rows(runner: BotRunner, model: Any, count: int) -> list[Any]:
    """Every row of ``model``, once there are ``count`` of them."""
    assert runner.db is not None
    for _ in range(250):
        if await runner.count(model) == count:
            async with runner.db.read() as session:
                return list((await session.exec(select(model))).all())
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} rows of {model.__name__}")
