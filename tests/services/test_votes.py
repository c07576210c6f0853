"""Casting and closing votes on a real database (SQLite, and PostgreSQL).

Every cast is a unit of the shared group-commit writer, so these tests fire hundreds of
casts at once and check what the database holds afterwards, not just what was returned.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from itertools import cycle, islice
from typing import Any

import pytest
from sqlmodel import col, select

from bot.db.database import Database
from bot.db.models import ResultRow, VoteChangeRow, VoteRow
from bot.domain.clock import ClockEvent
from bot.domain.debate import Actor, Preference
from bot.domain.errors import NotModerator
from bot.domain.formats import VoteRule
from bot.domain.sides import Side
from bot.domain.votes import (
    Ballot,
    Choice,
    DebatersCannotVote,
    MissingVoterRole,
    NotInVoiceChannel,
    TooNewToVote,
    VoteClosed,
    VotePhase,
    Voter,
    VoteState,
)
from bot.services.clock import Started
from bot.services.votes import Closed
from tests.conftest import FakeClock
from tests.services.test_clock import AGAINST_1, CREATOR, FOR_1, GUILD, Club

PAIR = {FOR_1: Preference.FOR, AGAINST_1: Preference.AGAINST}
AUDIENCE = 100_000
"""The first audience member's id; member n is ``AUDIENCE + n``."""
VOTER_ROLE, STAGE, OTHER_VOICE = 8_000, 7_000, 7_001


@pytest.fixture
def club(database: Database, clock: FakeClock) -> Club:
    return Club(database, clock)


def member(
    clock: FakeClock,
    user_id: int,
    *,
    roles: frozenset[int] = frozenset(),
    days: int = 365,
    voice: int | None = None,
) -> Voter:
    """An audience member who joined the server ``days`` ago."""
    return Voter(user_id, False, roles, clock.now - timedelta(days=days), voice)


async def started(club: Club, fmt: str = "quick", *, stage_id: int | None = None) -> Started:
    debate_id = await club.lobby(fmt, PAIR)
    return await club.clocks.start(
        guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR), stage_id=stage_id
    )


def debate_of(start: Started) -> int:
    return start.change.floor.debate.id


async def cast(
    club: Club,
    debate_id: int,
    voter: Voter,
    choice: Choice = Choice.FOR,
    phase: VotePhase = VotePhase.PRE,
) -> Ballot:
    return await club.votes.cast(
        guild_id=GUILD, debate_id=debate_id, phase=phase, voter=voter, choice=choice
    )


async def rows(club: Club, model: type[Any]) -> list[Any]:
    """Every row of ``model``'s table, in insertion order."""
    async with club.database.read() as session:
        return list((await session.exec(select(model).order_by(col(model.id)))).all())


def utc(moment: datetime) -> datetime:
    """A stored time as UTC: SQLite gives it back without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def voters(club: Club) -> dict[int, str]:
    return {row.user_id: row.choice for row in await rows(club, VoteRow)}


async def move(club: Club, start: Started, event: ClockEvent) -> None:
    here = await club.clocks.floor_of(guild_id=GUILD, debate_id=debate_of(start))
    await club.clocks.move(
        guild_id=GUILD,
        debate_id=debate_of(start),
        event=event,
        version=here.clock.version,
        actor=Actor(CREATOR),
    )


# -- many at once -----------------------------------------------------------------------------


async def test_a_thousand_casts_by_one_member_keep_one_vote_and_every_change(
    club: Club, clock: FakeClock
) -> None:
    debate_id = debate_of(await started(club))
    voter = member(clock, AUDIENCE)
    choices = list(islice(cycle(Choice), 1_000))
    ballots = await asyncio.gather(*(cast(club, debate_id, voter, c) for c in choices))

    assert [b.choice for b in ballots] == choices
    (vote,) = await rows(club, VoteRow)
    changes = await rows(club, VoteChangeRow)
    assert len(changes) == 1_000
    assert vote.choice in {c.value for c in choices}
    # Units run in the order they were submitted, one batch after another: the last
    # one run is the last submitted, its change is the last row, and its choice stands.
    assert vote.choice == changes[-1].choice == choices[-1].value
    assert [c.choice for c in changes] == [c.value for c in choices]
    assert {c.user_id for c in changes} == {AUDIENCE}


async def test_a_thousand_members_voting_at_once_make_a_thousand_votes(
    club: Club, clock: FakeClock
) -> None:
    debate_id = debate_of(await started(club))
    plan = {AUDIENCE + n: c for n, c in enumerate(islice(cycle(Choice), 1_000))}
    ballots = await asyncio.gather(
        *(cast(club, debate_id, member(clock, user), c) for user, c in plan.items())
    )

    assert {b.user_id: b.choice for b in ballots} == plan
    assert await voters(club) == {user: c.value for user, c in plan.items()}
    assert len(await rows(club, VoteChangeRow)) == 1_000
    poll, count = await club.votes.poll(debate_id=debate_id, phase=VotePhase.PRE)
    assert poll is not None
    assert poll.state is VoteState.OPEN
    assert count == 1_000


# -- one member ---------------------------------------------------------------------------------


async def test_a_member_changes_their_vote(club: Club, clock: FakeClock) -> None:
    debate_id = debate_of(await started(club))
    voter = member(clock, AUDIENCE)
    await cast(club, debate_id, voter, Choice.FOR)
    clock.advance(5)
    changed = await cast(club, debate_id, voter, Choice.AGAINST)

    assert changed == Ballot(AUDIENCE, Choice.AGAINST, clock.now)
    assert await voters(club) == {AUDIENCE: "against"}
    assert [(c.choice, utc(c.cast_at)) for c in await rows(club, VoteChangeRow)] == [
        ("for", clock.now - timedelta(seconds=5)),
        ("against", clock.now),
    ]


async def test_no_vote_before_the_poll_opens_or_after_it_closes(
    club: Club, clock: FakeClock
) -> None:
    lobby = await club.lobby("quick", PAIR)
    with pytest.raises(VoteClosed) as not_yet:
        await cast(club, lobby, member(clock, AUDIENCE))
    assert not_yet.value.state is VoteState.CLOSED_NOT_OPENED
    assert not_yet.value.explain() == (
        "Voting has not opened yet; you can vote once the moderator opens it."
    )

    start = await club.clocks.start(guild_id=GUILD, debate_id=lobby, actor=Actor(CREATOR))
    with pytest.raises(VoteClosed):  # the vote after opens only when the speeches are over
        await cast(club, debate_of(start), member(clock, AUDIENCE), phase=VotePhase.POST)
    await cast(club, debate_of(start), member(clock, AUDIENCE))
    await move(club, start, ClockEvent.SKIP)  # the first speech ends: the vote before closes

    with pytest.raises(VoteClosed) as closed:
        await cast(club, debate_of(start), member(clock, AUDIENCE + 1))
    assert closed.value.state is VoteState.CLOSED
    assert closed.value.explain() == "Voting has closed, so your vote wasn't counted."
    assert await voters(club) == {AUDIENCE: "for"}
    assert len(await rows(club, VoteChangeRow)) == 1


# -- who may vote -------------------------------------------------------------------------------


async def test_a_debater_may_vote_only_where_the_server_allows_it(
    club: Club, clock: FakeClock
) -> None:
    debate_id = debate_of(await started(club))
    with pytest.raises(DebatersCannotVote) as refused:
        await cast(club, debate_id, member(clock, FOR_1))
    assert refused.value.explain() == "Debaters can't vote in their own debate."
    assert await voters(club) == {}

    await club.guilds.set_voting(GUILD, debaters_may_vote=True)
    await cast(club, debate_id, member(clock, FOR_1), Choice.AGAINST)
    assert await voters(club) == {FOR_1: "against"}


async def test_the_voter_role_is_required_when_the_server_sets_one(
    club: Club, clock: FakeClock
) -> None:
    await club.guilds.set_voting(GUILD, voter_role_id=VOTER_ROLE)
    debate_id = debate_of(await started(club))
    with pytest.raises(MissingVoterRole) as refused:
        await cast(club, debate_id, member(clock, AUDIENCE, roles=frozenset({1, 2})))
    assert refused.value.explain() == f"Voting in this server needs the <@&{VOTER_ROLE}> role."

    await cast(club, debate_id, member(clock, AUDIENCE + 1, roles=frozenset({1, VOTER_ROLE})))
    assert await voters(club) == {AUDIENCE + 1: "for"}


async def test_members_newer_than_the_minimum_days_are_refused(
    club: Club, clock: FakeClock
) -> None:
    await club.guilds.set_voting(GUILD, voter_min_days=7)
    debate_id = debate_of(await started(club))
    with pytest.raises(TooNewToVote) as refused:
        await cast(club, debate_id, member(clock, AUDIENCE, days=2))
    assert refused.value.explain() == (
        "Members can vote after 7 days in the server; you joined 2 days ago."
    )
    with pytest.raises(TooNewToVote) as today:
        await cast(club, debate_id, member(clock, AUDIENCE, days=0))
    assert today.value.explain().endswith("you joined today.")

    await cast(club, debate_id, member(clock, AUDIENCE + 1, days=7))
    assert await voters(club) == {AUDIENCE + 1: "for"}


async def test_voters_must_be_in_the_debates_stage_when_the_server_says_so(
    club: Club, clock: FakeClock
) -> None:
    await club.guilds.set_voting(GUILD, voters_in_voice=True)
    debate_id = debate_of(await started(club, stage_id=STAGE))
    for away in (None, OTHER_VOICE):
        with pytest.raises(NotInVoiceChannel) as refused:
            await cast(club, debate_id, member(clock, AUDIENCE, voice=away))
        assert refused.value.explain() == f"Join the debate's voice channel <#{STAGE}> to vote."

    await cast(club, debate_id, member(clock, AUDIENCE + 1, voice=STAGE))
    assert await voters(club) == {AUDIENCE + 1: "for"}


# -- closing ---------------------------------------------------------------------------------


async def test_only_a_moderator_closes_a_vote(club: Club, clock: FakeClock) -> None:
    debate_id = debate_of(await started(club))
    with pytest.raises(NotModerator):
        await club.votes.close(
            guild_id=GUILD, debate_id=debate_id, phase=VotePhase.PRE, actor=Actor(AUDIENCE)
        )
    poll, _ = await club.votes.poll(debate_id=debate_id, phase=VotePhase.PRE)
    assert poll is not None
    assert poll.state is VoteState.OPEN
    await cast(club, debate_id, member(clock, AUDIENCE))
    assert await voters(club) == {AUDIENCE: "for"}


async def test_closing_the_vote_after_stores_the_oxford_verdict_and_the_swing(
    club: Club, clock: FakeClock
) -> None:
    start = await started(club, "oxford")
    debate_id = debate_of(start)
    f, a, u = Choice.FOR, Choice.AGAINST, Choice.UNDECIDED
    before = [f, f, a, a, a, a, u, u, u, u]
    after = [f, f, f, f, a, a, f, f, a, u, f]  # the eleventh member votes only after
    await asyncio.gather(
        *(cast(club, debate_id, member(clock, AUDIENCE + n), c) for n, c in enumerate(before))
    )
    await move(club, start, ClockEvent.END)  # the speeches are over: the vote after opens
    await asyncio.gather(
        *(
            cast(club, debate_id, member(clock, AUDIENCE + n), c, VotePhase.POST)
            for n, c in enumerate(after)
        )
    )

    closed = await club.votes.close(
        guild_id=GUILD, debate_id=debate_id, phase=VotePhase.POST, actor=Actor(CREATOR)
    )

    assert closed.poll.state is VoteState.CLOSED
    assert closed.voters == 11
    assert closed.outcome is not None
    verdict = closed.outcome.verdict
    # For goes from 20% to 64% (+44 points), Against from 40% to 27%.
    assert (verdict.rule, verdict.winner) == (VoteRule.OXFORD, Side.FOR)
    assert verdict.reason.startswith("For wins by gaining more of the vote: For 20% → 64%")
    result = (await rows_by_debate(club))[debate_id]
    assert (result.rule, result.winner) == ("oxford", "for")
    assert result.margin == pytest.approx(verdict.margin)
    assert utc(result.decided_at) == clock.now
    assert result.tallies == {
        "pre": [2, 4, 4],
        "post": [7, 3, 1],
        "swing": {"toward_for": 4, "toward_against": -1, "paired_voters": 10},
    }
    swing = closed.outcome.swing
    assert (swing.against_to_for, swing.undecided_to_for, swing.undecided_to_against) == (2, 2, 1)
    assert swing.stayed == 5
    with pytest.raises(VoteClosed):
        await cast(club, debate_id, member(clock, AUDIENCE + 99), phase=VotePhase.POST)


async def rows_by_debate(club: Club) -> dict[int, ResultRow]:
    async with club.database.read() as session:
        return {row.debate_id: row for row in (await session.exec(select(ResultRow))).all()}


async def test_votes_racing_a_close_are_either_stored_or_refused(
    club: Club, clock: FakeClock
) -> None:
    debate_id = debate_of(await started(club))

    async def late(user_id: int) -> Ballot:
        await asyncio.sleep(0.001 * (user_id % 10))  # arrive over several batches
        return await cast(club, debate_id, member(clock, user_id))

    async def close() -> Closed:
        await asyncio.sleep(0.0045)
        return await club.votes.close(
            guild_id=GUILD, debate_id=debate_id, phase=VotePhase.PRE, actor=Actor(CREATOR)
        )

    casts = [late(AUDIENCE + n) for n in range(600)]
    outcomes = await asyncio.gather(*casts[:300], close(), *casts[300:], return_exceptions=True)
    closed = outcomes.pop(300)

    stored = await voters(club)
    counted = {r.user_id for r in outcomes if isinstance(r, Ballot)}
    refused = [AUDIENCE + n for n, r in enumerate(outcomes) if isinstance(r, VoteClosed)]
    assert len(counted) + len(refused) == 600, [r for r in outcomes if not isinstance(r, Ballot)]
    assert set(stored) == counted  # nothing acknowledged is lost, nothing refused is stored
    assert not set(refused) & set(stored)
    assert counted, "the close landed in the middle of the burst"
    assert refused, "the close landed in the middle of the burst"
    assert isinstance(closed, Closed), closed
    assert closed.voters == len(counted)
    changes = await rows(club, VoteChangeRow)
    assert {c.user_id for c in changes} == counted
    assert len(changes) == len(counted)
