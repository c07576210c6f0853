"""`/debate export`, end to end: a quick debate with speeches and votes, then its record as a
file in both formats, read back from the bytes the local Discord received."""

from __future__ import annotations

import json

from bot.db.models import DebateRow, SpeechRow
from bot.domain.export import from_json, quote
from bot.domain.sides import Side
from bot.domain.votes import Tally, VotePhase
from bot.sandbox import LocalDiscord, Member, Message
from tests.e2e.conftest import World
from tests.e2e.test_rounds import (
    MOTION,
    heading,
    lobby_with,
    phase_shows,
    press,
    rows,
    start,
    thread_messages,
)
from tests.e2e.test_votes import poll_message, vote
from tests.support.harness import BotRunner, eventually

BOB_SAYS = "Homework eats family time."
BOB_EDITED = "Homework eats *family* time."
CAROL_SAYS = "# Not a heading\n- and not a list: [a link](https://example.com) | <b>"


async def export(
    local: LocalDiscord, member: Member, where: int, options: dict[str, object]
) -> tuple[Message, bytes | None]:
    """Run `/debate export` as ``member`` in channel ``where``: the answer and its file."""
    handle = await local.slash(member, local.channel(where), "debate export", options=options)
    answer = await handle.reply()
    assert answer.ephemeral
    if not answer.attachments:
        return answer, None
    (attachment,) = answer.attachments
    return answer, local.world.files[int(attachment["id"])].data


async def test_a_quick_debate_exports_as_markdown_and_json(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    audience = [local.add_member(world.guild, f"voter{i}") for i in range(4)]
    lobby = await lobby_with(local, world, "quick", {"for": [world.bob], "against": [world.carol]})
    thread_id, _ = await start(local, world.alice, lobby)
    debate_id = (await runner.one(DebateRow)).id
    before = await eventually(lambda: poll_message(local, thread_id, "before the debate"))
    for member, label in zip(audience, ["For", "Against", "Against", "Undecided"], strict=True):
        assert "is counted" in await vote(local, member, before, label)

    thread = local.channel(thread_id)
    first = await phase_shows(local, thread_id, heading("Round 1: For"))
    said = local.say(world.bob, thread, BOB_SAYS)
    await rows(runner, SpeechRow, 1)
    local.edit_said(said, BOB_EDITED)
    await press(local, world.alice, first, "Skip")
    second = await phase_shows(local, thread_id, heading("Round 1: Against"))
    local.say(world.carol, thread, CAROL_SAYS)
    await rows(runner, SpeechRow, 2)

    # While it runs: any member may export it (here from the thread, by default this
    # debate); it says it is in progress, and shows how many voted but not how.
    answer, data = await export(local, world.dave, thread_id, {"format": "json"})
    assert "still under way" in answer.content
    assert answer.attachments[0]["filename"] == f"debate-{debate_id}.json"
    assert data is not None
    running = from_json(data.decode())
    assert running.in_progress
    assert [(p.phase, p.voters, p.tally) for p in running.votes.polls] == [(VotePhase.PRE, 4, None)]

    await press(local, world.alice, second, "End")
    after = await eventually(lambda: poll_message(local, thread_id, "after the debate"))
    for member, label in zip(audience, ["For", "For", "Against", "For"], strict=True):
        assert "is counted" in await vote(local, member, after, label)
    runner.advance(121)
    await eventually(lambda: any(m.attachments for m in thread_messages(local, thread_id)))

    # Over: the JSON holds the facts, and no voter anywhere.
    answer, data = await export(
        local, world.erin, world.channel.id, {"debate": debate_id, "format": "json"}
    )
    assert data is not None
    exported_json = data.decode()
    record = from_json(exported_json)
    assert record.debate_id == debate_id
    assert record.motion == MOTION
    assert (record.format_key, record.guild_id) == ("quick", world.guild.id)
    assert [(s.user_id, s.side) for s in record.seats] == [
        (world.bob.user_id, Side.FOR),
        (world.carol.user_id, Side.AGAINST),
    ]
    assert [(s.author_id, s.phase_index, s.text) for s in record.transcript] == [
        (world.bob.user_id, 0, BOB_EDITED),
        (world.carol.user_id, 1, CAROL_SAYS),
    ]
    assert [e.text for e in record.transcript[0].edits] == [BOB_SAYS]
    assert [p.tally for p in record.votes.polls] == [Tally(1, 2, 1), Tally(3, 1, 0)]
    assert record.votes.swing is not None
    assert record.votes.swing.voters == 4
    assert record.decision is not None
    assert record.decision.winner is Side.FOR
    assert json.loads(exported_json)["in_progress"] is False

    # Markdown, the default, from the debate's channel without a number: its latest debate.
    answer, data = await export(local, world.bob, world.channel.id, {})
    assert f"The record of debate #{debate_id}" in answer.content
    assert answer.attachments[0]["filename"] == f"debate-{debate_id}.md"
    assert data is not None
    markdown = data.decode()
    assert markdown.startswith(f"# Debate #{debate_id}\n")
    for text in (BOB_EDITED, BOB_SAYS, CAROL_SAYS):
        assert quote(text) in markdown
    assert "For wins" in markdown
    # Names: the member asking by display name; members the bot has not cached by id.
    assert "**bob** (For)" in markdown
    assert f"**user {world.carol.user_id}** (Against)" in markdown

    for member in audience:  # no voter, by id, in either file
        assert str(member.user_id) not in exported_json
        assert str(member.user_id) not in markdown


async def test_export_refusals_say_what_to_do(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    answer, data = await export(local, world.bob, world.channel.id, {"debate": 9999})
    assert data is None
    assert "There is no debate #9999 in this server" in answer.content

    answer, data = await export(local, world.bob, world.channel.id, {})
    assert data is None
    assert "This channel has no debate to export" in answer.content

    await lobby_with(local, world, "quick", {"for": [world.bob]})
    answer, data = await export(local, world.bob, world.channel.id, {"format": "json"})
    assert data is None
    assert "has not started yet, so it has nothing to export" in answer.content
