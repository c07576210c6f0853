"""Exporting a debate's record on a real database (SQLite, and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.database import Database
from bot.domain.clock import ClockEvent, ClockState
from bot.domain.debate import Actor, DebateState
from bot.domain.export import (
    ExportNotFound,
    NotExportable,
    from_json,
    quote,
    to_json,
    to_markdown,
)
from bot.domain.formats import VoteRule
from bot.domain.sides import Side
from bot.domain.votes import Choice, Swing, Tally, VotePhase, Voter, VoteState
from bot.formats import builtin_formats
from bot.services.exports import ExportService
from bot.services.formats import FormatCatalog
from tests.conftest import FakeClock
from tests.services.test_clock import AGAINST_1, CHANNEL, CREATOR, FOR_1, GUILD, PAIR, Club

AUDIENCE = 987_654_321_000
"""The first audience member's id: long enough that finding it in a file is no accident."""
JUDGE = 555_000_111
THREAD = 5


@pytest.fixture
def club(database: Database, clock: FakeClock) -> Club:
    return Club(database, clock)


@pytest.fixture
def exports(database: Database, clock: FakeClock) -> ExportService:
    return ExportService(database, FormatCatalog(database, builtin_formats(), clock), clock)


async def vote(
    club: Club, clock: FakeClock, debate_id: int, n: int, choice: Choice, phase: VotePhase
) -> None:
    voter = Voter(AUDIENCE + n, False, frozenset(), clock.now - timedelta(days=30))
    await club.votes.cast(
        guild_id=GUILD, debate_id=debate_id, phase=phase, voter=voter, choice=choice
    )


async def move(club: Club, debate_id: int, event: ClockEvent) -> None:
    here = await club.clocks.floor_of(guild_id=GUILD, debate_id=debate_id)
    await club.clocks.move(
        guild_id=GUILD,
        debate_id=debate_id,
        event=event,
        version=here.clock.version,
        actor=Actor(CREATOR),
    )


async def test_a_debate_exports_while_running_and_after_its_result(
    club: Club, clock: FakeClock, exports: ExportService
) -> None:
    debate_id = await club.lobby("oxford", PAIR)
    started = await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    await club.clocks.shown(
        debate_id=debate_id, version=started.change.floor.clock.version, thread_id=THREAD
    )
    await club.votes.name_judge(
        guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR), judge_id=JUDGE
    )
    f, a, u = Choice.FOR, Choice.AGAINST, Choice.UNDECIDED
    for n, choice in enumerate([f, a, a, u, u]):
        await vote(club, clock, debate_id, n, choice, VotePhase.PRE)
    clock.advance(10)
    await club.clocks.speak(
        thread_id=THREAD,
        message_id=700,
        actor=Actor(FOR_1),
        text="Homework is bad.",
        posted_at=clock.now,
    )
    clock.advance(5)
    await club.clocks.edited(message_id=700, text="Homework is *harmful*.")

    running = await exports.export(guild_id=GUILD, debate_id=debate_id)
    assert running.in_progress
    assert running.state is DebateState.RUNNING
    assert running.timings.clock_state is ClockState.RUNNING
    assert running.timings.phase_index == 0
    assert running.timings.ended_at is None
    assert running.decision is None
    (pre,) = running.votes.polls
    assert (pre.phase, pre.state, pre.voters, pre.tally) == (VotePhase.PRE, VoteState.OPEN, 5, None)
    assert running.votes.swing is None
    (speech,) = running.transcript
    assert (speech.author_id, speech.side, speech.phase_index) == (FOR_1, Side.FOR, 0)
    assert speech.text == "Homework is *harmful*."
    assert [(e.replaced_at, e.text) for e in speech.edits] == [(clock.now, "Homework is bad.")]
    assert from_json(to_json(running)) == running

    await move(club, debate_id, ClockEvent.END)  # the speeches are over: the vote after opens
    for n, choice in enumerate([f, f, a, f, u, f]):  # member 5 votes only after
        await vote(club, clock, debate_id, n, choice, VotePhase.POST)
    await club.votes.score(
        guild_id=GUILD, debate_id=debate_id, judge_id=JUDGE, for_points=70, against_points=65
    )
    clock.advance(60)
    await club.votes.close(
        guild_id=GUILD, debate_id=debate_id, phase=VotePhase.POST, actor=Actor(CREATOR)
    )

    done = await exports.export(guild_id=GUILD, debate_id=debate_id)
    assert not done.in_progress
    assert done.state is DebateState.FINISHED
    assert (done.format_key, done.vote_rule) == ("oxford", VoteRule.OXFORD)
    assert done.timings.clock_state is ClockState.FINISHED
    assert len(done.timings.phases) == len(builtin_formats()["oxford"].phases)
    assert [(s.user_id, s.side, s.order) for s in done.seats] == [
        (FOR_1, Side.FOR, 0),
        (AGAINST_1, Side.AGAINST, 0),
    ]
    assert done.seed == started.sides.seed
    assert [(p.phase, p.voters, p.tally) for p in done.votes.polls] == [
        (VotePhase.PRE, 5, Tally(1, 2, 2)),
        (VotePhase.POST, 6, Tally(4, 1, 1)),
    ]
    assert done.votes.swing == Swing(against_to_for=1, undecided_to_for=1, stayed=3)
    assert done.votes.swing.voters == 5
    assert [(j.judge_id, j.for_points, j.against_points) for j in done.votes.judges] == [
        (JUDGE, 70, 65)
    ]
    assert done.decision is not None
    assert (done.decision.rule, done.decision.winner) == (VoteRule.OXFORD, Side.FOR)
    assert done.decision.decided_at == clock.now

    text, markdown = to_json(done), to_markdown(done, {FOR_1: "Fiona"})
    assert from_json(text) == done
    assert quote("Homework is *harmful*.") in markdown
    assert quote("Homework is bad.") in markdown
    for n in range(6):  # no voter, by id, in either file
        assert str(AUDIENCE + n) not in text
        assert str(AUDIENCE + n) not in markdown


async def test_refusals_name_the_problem(
    club: Club, clock: FakeClock, exports: ExportService
) -> None:
    debate_id = await club.lobby("quick", PAIR)
    with pytest.raises(NotExportable) as lobby:
        await exports.export(guild_id=GUILD, debate_id=debate_id)
    assert lobby.value.state is DebateState.LOBBY
    with pytest.raises(ExportNotFound):
        await exports.export(guild_id=GUILD + 1, debate_id=debate_id)  # another server's
    with pytest.raises(ExportNotFound):
        await exports.export(guild_id=GUILD, debate_id=debate_id + 1000)

    await club.debates.cancel(channel_id=CHANNEL, actor=Actor(CREATOR))
    with pytest.raises(NotExportable) as cancelled:
        await exports.export(guild_id=GUILD, debate_id=debate_id)
    assert cancelled.value.state is DebateState.CANCELLED


async def test_a_debate_cancelled_while_running_exports_without_a_verdict(
    club: Club, exports: ExportService
) -> None:
    debate_id = await club.lobby("quick", PAIR)
    await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    await club.debates.cancel(channel_id=CHANNEL, actor=Actor(CREATOR))

    export = await exports.export(guild_id=GUILD, debate_id=debate_id)
    assert export.state is DebateState.CANCELLED
    assert not export.in_progress
    assert export.decision is None
    assert export.timings.ended_at is not None
    assert "None: the debate was cancelled." in to_markdown(export, {})
