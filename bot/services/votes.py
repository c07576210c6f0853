"""Use cases of the audience vote: cast, close, and the verdict.

Theory of operation
-------------------
A debate has two polls, before and after. The clock opens and closes them (the pre-debate
vote opens at Start and closes when the first speech ends; the post-debate vote opens when
the speeches are over and closes ``POST_VOTE_SECONDS`` later), and a moderator may close
either sooner. Votes are the hot path: each click is one unit of the shared group-commit
``BatchWriter``, so thousands of clicks share a few transactions. A unit reads nothing per
vote: what it needs (the poll's state, the debaters, the server's rules) is loaded once per
batch into ``Batch.cache``, and a unit that changes a poll's state (a close) updates that
cache, so a vote after a close in the same batch is refused like any other. A member is
told their vote counted only once its transaction has committed.

Closing the post-debate vote decides the verdict by the format's rule, in the same
transaction, and stores it with the tallies for ratings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import repository as repo
from bot.db.database import Database
from bot.db.repository import PollRecord
from bot.db.writer import Batch, BatchWriter
from bot.domain import votes as rules
from bot.domain.debate import Actor, Debate
from bot.domain.errors import DebateNotFound
from bot.domain.formats import DebateFormat
from bot.domain.shards import ALL_SHARDS, Shards
from bot.domain.sides import Side
from bot.domain.votes import (
    Ballot,
    Choice,
    JudgeBallot,
    JudgingClosed,
    NotAJudge,
    Swing,
    Tally,
    Verdict,
    VoteClosed,
    VoteEvent,
    VotePhase,
    Voter,
    VoteState,
    VotingRules,
)
from bot.services.dispatch import Dispatcher
from bot.services.formats import FormatCatalog
from bot.services.guilds import require_moderator
from bot.services.ratings import record_result

log = logging.getLogger("agora.votes")

POST_VOTE_SECONDS = 120
"""How long the post-debate vote stays open unless a moderator closes it sooner."""

Now = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class _Context:
    """What every vote of a batch on one poll needs, loaded once."""

    poll: PollRecord | None
    debaters: frozenset[int]
    rules: VotingRules


@dataclass(frozen=True, slots=True)
class Outcome:
    """A debate's result: both tallies, the verdict and who moved."""

    debate: Debate
    format: DebateFormat
    pre: Tally
    post: Tally
    verdict: Verdict
    swing: Swing
    flows: dict[tuple[Choice, Choice], int]
    thread_id: int | None


@dataclass(frozen=True, slots=True)
class Closed:
    """A poll that has just closed, and the outcome when it was the last one."""

    poll: PollRecord
    voters: int
    outcome: Outcome | None
    thread_id: int | None


def _key(debate_id: int, phase: VotePhase) -> int:
    return debate_id * 2 + (0 if phase is VotePhase.PRE else 1)


def _cache_key(debate_id: int, phase: VotePhase) -> tuple[str, int, str]:
    return ("poll", debate_id, phase.value)


async def open_poll(
    session: AsyncSession,
    debate_id: int,
    phase: VotePhase,
    now: datetime,
    closes_at: datetime | None,
    batch: Batch | None = None,
) -> PollRecord:
    """Open one of the debate's polls (used by the clock, in its transaction)."""
    current = await repo.get_poll(session, debate_id=debate_id, phase=phase, for_update=True)
    state = rules.advance(current.state if current else VoteState.CLOSED_NOT_OPENED, VoteEvent.OPEN)
    poll = PollRecord(debate_id, phase, state, opened_at=now, closes_at=closes_at)
    await _store(session, batch, poll)
    return poll


async def close_poll_in(batch: Batch, debate_id: int, phase: VotePhase, now: datetime) -> bool:
    """Close a poll if it is open (used by the clock, in its transaction); whether it was."""
    poll = await repo.get_poll(batch.session, debate_id=debate_id, phase=phase, for_update=True)
    if poll is None or poll.state is not VoteState.OPEN:
        return False
    await _shut(batch, poll, VoteState.CLOSED, now)
    return True


async def _store(session: AsyncSession, batch: Batch | None, poll: PollRecord) -> None:
    """Save a poll's new state, and let the later votes of the batch see it."""
    await repo.save_poll(session, poll=poll)
    key = _cache_key(poll.debate_id, poll.phase)
    if batch is not None and key in batch.cache:
        batch.cache[key] = replace(batch.cache[key], poll=poll)


async def _shut(batch: Batch, poll: PollRecord, state: VoteState, now: datetime) -> PollRecord:
    """Close a poll in the batch's transaction; the votes queued before the close count."""
    await batch.flush()
    closed = replace(poll, state=state, closed_at=now)
    await _store(batch.session, batch, closed)
    return closed


class VoteService:
    """Casting votes, closing polls, deciding verdicts."""

    def __init__(
        self,
        db: Database,
        writer: BatchWriter,
        formats: FormatCatalog,
        now: Now,
        *,
        shards: Shards = ALL_SHARDS,
    ) -> None:
        self._db = db
        self._shards = shards
        self._writer = writer
        self._formats = formats
        self._now = now
        self.dispatcher = Dispatcher(now)
        # Who debates a started debate, its server and its stage never change: kept once read.
        self._seats: dict[int, tuple[int, frozenset[int], int | None]] = {}

    # -- the hot path -----------------------------------------------------------------------

    async def cast(
        self, *, guild_id: int, debate_id: int, phase: VotePhase, voter: Voter, choice: Choice
    ) -> Ballot:
        """Record a member's vote; returns once it is durable."""

        async def unit(batch: Batch) -> Ballot:
            context = await self._context(batch, guild_id, debate_id, phase)
            now = self._now()
            state = context.poll.state if context.poll else VoteState.CLOSED_NOT_OPENED
            if state is not VoteState.OPEN:
                raise VoteClosed(state)
            member = replace(voter, is_debater=voter.user_id in context.debaters)
            refusal = rules.eligibility(member, context.rules, now)
            if refusal is not None:
                raise refusal
            ballot = Ballot(voter.user_id, choice, now)
            repo.save_vote(batch, debate_id=debate_id, phase=phase, ballot=ballot)
            return ballot

        return await self._writer.run(unit)

    async def _context(
        self, batch: Batch, guild_id: int, debate_id: int, phase: VotePhase
    ) -> _Context:
        key = _cache_key(debate_id, phase)
        context: _Context | None = batch.cache.get(key)
        if context is not None:
            return context
        session = batch.session
        poll = await repo.get_poll(session, debate_id=debate_id, phase=phase)
        seats = self._seats.get(debate_id)
        if seats is None:
            debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
            if debate is None:
                raise DebateNotFound(debate_id)
            lineup = await repo.lineup_of(session, debate_id=debate_id)
            record = await repo.get_clock(session, debate_id=debate_id)
            seats = (
                debate.guild_id,
                frozenset((*lineup.for_team, *lineup.against_team)),
                record.stage_id if record else None,
            )
            if poll is not None:  # a poll exists once the debate started: the seats are final
                self._seats[debate_id] = seats
        if seats[0] != guild_id:
            raise DebateNotFound(debate_id)
        settings = await repo.guild_settings(session, guild_id=guild_id)
        context = _Context(poll, seats[1], settings.voting_rules(seats[2]))
        batch.cache[key] = context
        return context

    # -- closing ------------------------------------------------------------------------------

    async def close(
        self, *, guild_id: int, debate_id: int, phase: VotePhase, actor: Actor | None
    ) -> Closed:
        """Close a poll: by a moderator (``actor``) or by the clock (None)."""

        async def unit(batch: Batch) -> Closed:
            session = batch.session
            debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
            if debate is None:
                raise DebateNotFound(debate_id)
            if actor is not None:
                await require_moderator(session, debate, actor, "close the vote")
            poll = await repo.get_poll(session, debate_id=debate_id, phase=phase, for_update=True)
            state = rules.advance(
                poll.state if poll else VoteState.CLOSED_NOT_OPENED, VoteEvent.CLOSE
            )
            assert poll is not None
            closed = await _shut(batch, poll, state, self._now())
            voters = await repo.voter_count(session, debate_id=debate_id, phase=phase)
            outcome = None
            if phase is VotePhase.POST:
                outcome = await self._decide(session, debate)
            record = await repo.get_clock(session, debate_id=debate_id)
            return Closed(closed, voters, outcome, record.thread_id if record else None)

        closed = await self._writer.run(unit)
        self.dispatcher.schedule(_key(debate_id, phase), None, 0)
        return closed

    async def _decide(self, session: AsyncSession, debate: Debate) -> Outcome:
        outcome, tallies = await self._outcome(session, debate)
        await repo.save_result(
            session, debate_id=debate.id, verdict=outcome.verdict, tallies=tallies, now=self._now()
        )
        await record_result(session, debate_id=debate.id)  # ratings move with the result
        return outcome

    async def _outcome(
        self, session: AsyncSession, debate: Debate
    ) -> tuple[Outcome, dict[str, Any]]:
        """The result the debate's closed votes (and ballots) give, and its tallies."""
        fmt = await self._formats.resolve(session, debate.guild_id, debate.format_key)
        pre_votes = await repo.votes_of(session, debate_id=debate.id, phase=VotePhase.PRE)
        post_votes = await repo.votes_of(session, debate_id=debate.id, phase=VotePhase.POST)
        pre, post = Tally.of(pre_votes.values()), Tally.of(post_votes.values())
        _, ballots = await repo.judges_of(session, debate_id=debate.id)
        verdict = rules.decide(fmt.vote_rule, pre, post, ballots)
        swing = rules.paired_swing(pre_votes, post_votes)
        flows = rules.flows(pre_votes, post_votes)
        tallies = {
            "pre": [pre.for_, pre.against, pre.undecided],
            "post": [post.for_, post.against, post.undecided],
            "swing": {
                "toward_for": swing.toward(Side.FOR),
                "toward_against": swing.toward(Side.AGAINST),
                "paired_voters": swing.voters,
            },
        }
        record = await repo.get_clock(session, debate_id=debate.id)
        thread = record.thread_id if record else None
        return Outcome(debate, fmt, pre, post, verdict, swing, flows, thread), tallies

    async def result_shown(self, *, debate_id: int, message_id: int) -> None:
        """Remember the message that shows a debate's verdict."""

        async def unit(batch: Batch) -> None:
            await repo.save_result_message(
                batch.session, debate_id=debate_id, message_id=message_id
            )

        await self._writer.run(unit)

    async def unshown_results(self) -> list[Outcome]:
        """The results stored but never shown (the bot stopped in between), to show now."""
        async with self._db.read() as session:
            return [
                (await self._outcome(session, debate))[0]
                for debate in await repo.unshown_results(session, shards=self._shards)
            ]

    # -- judges -------------------------------------------------------------------------------

    async def name_judge(
        self, *, guild_id: int, debate_id: int, actor: Actor, judge_id: int
    ) -> bool:
        """Name a member judge of a debate (moderators); False if they already were."""
        async with self._db.write() as session:
            debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
            if debate is None:
                raise DebateNotFound(debate_id)
            await require_moderator(session, debate, actor, "name judges")
            return await repo.name_judge(session, debate_id=debate_id, user_id=judge_id)

    async def score(
        self, *, guild_id: int, debate_id: int, judge_id: int, for_points: int, against_points: int
    ) -> JudgeBallot:
        """A named judge's ballot, between the end of the speeches and the result."""
        async with self._db.write() as session:
            debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
            if debate is None:
                raise DebateNotFound(debate_id)
            poll = await repo.get_poll(session, debate_id=debate_id, phase=VotePhase.POST)
            if poll is None or poll.state is not VoteState.OPEN:
                raise JudgingClosed(f"debate {debate_id} takes no ballots now")
            ballot = JudgeBallot(judge_id, for_points, against_points)
            if not await repo.score_ballot(
                session, debate_id=debate_id, ballot=ballot, now=self._now()
            ):
                raise NotAJudge(f"{judge_id} is not a judge of debate {debate_id}")
            return ballot

    # -- the clock's side ----------------------------------------------------------------------

    def schedule(self, poll: PollRecord) -> None:
        """Close ``poll`` at its time, if the clock closes it."""
        due = poll.closes_at if poll.state is VoteState.OPEN else None
        self.dispatcher.schedule(_key(poll.debate_id, poll.phase), due, 0)

    async def recover(self) -> None:
        """Schedule every open poll the clock closes (after a restart)."""
        async with self._db.read() as session:
            for poll in await repo.polls_to_close(session, shards=self._shards):
                self.schedule(poll)

    async def run(self, announce: Callable[[Closed], Coroutine[Any, Any, None]]) -> None:
        """Close polls when their time comes, until cancelled; announce each close."""
        tasks: set[asyncio.Task[None]] = set()

        async def fire(due: list[tuple[int, datetime]]) -> None:
            for key, _ in due:
                debate_id, phase = key // 2, VotePhase.PRE if key % 2 == 0 else VotePhase.POST
                async with self._db.read() as session:
                    debate = await repo.debate_by_id(session, debate_id=debate_id)
                if debate is None:
                    continue
                try:
                    closed = await self.close(
                        guild_id=debate.guild_id, debate_id=debate_id, phase=phase, actor=None
                    )
                except rules.IllegalVoteMove:
                    continue  # a moderator closed it first
                task = asyncio.create_task(announce(closed))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

        try:
            await self.dispatcher.run(fire)
        finally:
            # Stopping: let the announcements under way finish (the state is already stored).
            await asyncio.gather(*tasks, return_exceptions=True)

    async def poll(self, *, debate_id: int, phase: VotePhase) -> tuple[PollRecord | None, int]:
        """A poll and how many have voted in it."""
        async with self._db.read() as session:
            poll = await repo.get_poll(session, debate_id=debate_id, phase=phase)
            return poll, await repo.voter_count(session, debate_id=debate_id, phase=phase)

    async def shown(self, *, debate_id: int, phase: VotePhase, message_id: int) -> None:
        """Remember which message carries a poll's buttons."""
        async with self._db.write() as session:
            poll = await repo.get_poll(session, debate_id=debate_id, phase=phase, for_update=True)
            if poll is not None:
                await repo.save_poll(session, poll=replace(poll, message_id=message_id))
