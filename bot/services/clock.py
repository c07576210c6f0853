"""Use cases of a running debate: start it, move its clock, keep its transcript.

Theory of operation
-------------------
Every debate's clock is a row; ``Dispatcher`` is the one task that serves them all. It
keeps a heap of (due time, debate, version) and sleeps until the earliest; when entries fall
due it hands their debates to ``ClockService.tick``, which moves each clock in the shared
group-commit transaction of ``BatchWriter`` and only then reports the changes to whoever
announces them (the cog). A member's move (Yield, Pause, ...) goes through the same writer
with the clock row locked, against the version the member's buttons showed, so two presses
at once make one transition. After any change the debate's next due time is scheduled
again; a heap entry whose version is no longer the debate's is ignored when it comes up.

On start-up ``recover`` schedules every running clock from the database: a deadline that
passed while the bot was down falls due at once and is announced with how late it came;
paused clocks stay paused with their remaining time.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import repository as repo
from bot.db.database import Database
from bot.db.repository import ClockRecord, PollRecord
from bot.db.writer import Batch, BatchWriter
from bot.domain import clock as timing
from bot.domain import debate as rules
from bot.domain.clock import Clock, ClockEvent, Finished, Happening
from bot.domain.debate import Actor, Debate, DebateEvent
from bot.domain.errors import DebateNotFound, DomainError, NotModerator
from bot.domain.formats import DebateFormat
from bot.domain.guilds import GuildSettings
from bot.domain.ratings import ALL_TIME_SEASON, PRIOR_MU
from bot.domain.shards import ALL_SHARDS, Shards
from bot.domain.sides import Debater, Sides, assign_sides
from bot.domain.turns import Lineup, NotStarted, NotYourTurn, Speech, floor, may_post
from bot.domain.votes import VotePhase
from bot.services.dispatch import Dispatcher
from bot.services.formats import FormatCatalog
from bot.services.guilds import require_moderator
from bot.services.votes import POST_VOTE_SECONDS, VoteService, close_poll_in, open_poll

log = logging.getLogger("agora.clock")

Now = Callable[[], datetime]

TICK_READ_CHUNK = 500
"""Due clocks read per query (well under every back end's limit on bound parameters)."""


@dataclass(frozen=True, slots=True)
class Floor:
    """A started debate as the clock and its thread see it."""

    debate: Debate
    format: DebateFormat
    record: ClockRecord
    lineup: Lineup
    settings: GuildSettings

    @property
    def clock(self) -> Clock:
        """The debate's clock."""
        return self.record.clock

    def speakers(self) -> tuple[int, ...]:
        """Who holds the floor now."""
        if self.clock.state is timing.ClockState.FINISHED:
            return ()
        return floor(self.format, self.clock.phase_index, self.lineup)

    def moderates(self, actor: Actor) -> bool:
        """Whether the member moderates this debate."""
        return rules.may_moderate(self.debate, actor, self.settings.moderator_role_id)


@dataclass(frozen=True, slots=True)
class Change:
    """A committed change of a clock, and what to announce."""

    floor: Floor
    happenings: tuple[Happening, ...]
    pre_vote_closed: bool = False
    post_vote: PollRecord | None = None
    """The post-debate vote, when this change opened it."""
    previous_phase: int = 0
    """The phase the clock was in before the change."""


@dataclass(frozen=True, slots=True)
class Started:
    """A debate that has just started: its first phase, and how sides were drawn."""

    change: Change
    sides: Sides


Announce = Callable[[Change], Coroutine[Any, Any, None]]


class ClockService:
    """Starting debates, moving their clocks, and their transcripts."""

    def __init__(
        self,
        db: Database,
        writer: BatchWriter,
        formats: FormatCatalog,
        now: Now,
        votes: VoteService,
        *,
        shards: Shards = ALL_SHARDS,
    ) -> None:
        self._db = db
        self._shards = shards
        self._votes = votes
        self._writer = writer
        self._formats = formats
        self._now = now
        self.dispatcher = Dispatcher(now)
        self._threads: set[int] = set()
        # A started debate's lineup never changes: read once per process.
        self._lineups: dict[int, Lineup] = {}
        self._lateness: list[float] | None = None

    # -- starting ---------------------------------------------------------------------------

    async def start(
        self,
        *,
        guild_id: int,
        debate_id: int,
        actor: Actor,
        devils_advocate: bool = False,
        stage_id: int | None = None,
    ) -> Started:
        """Draw sides, start the debate and its clock, in one transaction."""
        now = self._now()
        async with self._db.write() as session:
            found = await repo.debate_with_signups(
                session, guild_id=guild_id, debate_id=debate_id, for_update=True
            )
            if found is None:
                raise DebateNotFound(debate_id)
            debate, signups = found
            settings = await require_moderator(session, debate, actor, "start")
            fmt = await self._formats.resolve(session, guild_id, debate.format_key)
            started = rules.apply(debate, DebateEvent.START, now)
            members = [s.user_id for s in signups]
            history = await repo.recent_sides(session, guild_id=guild_id, user_ids=members)
            records = await repo.records_of(
                session, guild_id=guild_id, season=ALL_TIME_SEASON, user_ids=members
            )
            debaters = [
                Debater.from_signup(
                    s,
                    # Skill on openskill's scale; a member with no rated debate has the prior.
                    rating=records[s.user_id].rating.mu if s.user_id in records else PRIOR_MU,
                    recent_sides=history.get(s.user_id, ()),
                )
                for s in signups
            ]
            sides = assign_sides(
                debaters,
                min_per_side=fmt.min_per_side,
                max_per_side=fmt.max_per_side,
                seed=secrets.randbits(32),
                devils_advocate=devils_advocate or fmt.devils_advocate,
            )
            clock, happenings = timing.start(fmt, now)
            await repo.save_debate(session, debate=started)
            await repo.save_debaters(
                session, guild_id=guild_id, debate_id=debate_id, sides=sides, now=now
            )
            record = await repo.add_clock(
                session,
                debate_id=debate_id,
                clock=clock,
                seed=sides.seed,
                now=now,
                stage_id=stage_id,
            )
            await open_poll(session, debate_id, VotePhase.PRE, now, None)
        change = Change(Floor(started, fmt, record, Lineup.of(sides), settings), tuple(happenings))
        self._schedule(change.floor)
        return Started(change, sides)

    # -- the clock --------------------------------------------------------------------------

    async def move(
        self,
        *,
        guild_id: int,
        debate_id: int,
        event: ClockEvent,
        version: int,
        actor: Actor,
        extra_seconds: int = 0,
    ) -> Change:
        """A member's move on the clock, against the version their buttons showed."""

        async def unit(batch: Batch) -> Change:
            now = self._now()
            here = await self._floor(batch.session, guild_id, debate_id, lock=True)
            if event is ClockEvent.YIELD:
                if not (actor.user_id in here.speakers() or here.moderates(actor)):
                    raise NotYourTurn(f"{actor.user_id} does not hold the floor")
            elif not here.moderates(actor):
                raise NotModerator(f"only a moderator may {event.value}")
            clock, happenings = timing.apply(
                here.clock,
                here.format,
                event,
                now,
                expected_version=version,
                extra_seconds=extra_seconds,
            )
            return await self._save(batch, here, clock, happenings, now)

        change = await self._writer.run(unit)
        self._committed(change)
        return change

    async def tick(self, due: list[tuple[int, datetime]]) -> list[Change]:
        """Move every clock that fell due: all in one unit of the shared transaction (one read
        for them all), or, if that fails, each in a unit of its own so that one bad clock
        cannot hold up the others."""
        ids = [debate_id for debate_id, _ in due]
        moved: dict[int, Change | BaseException]
        try:
            moved = await self._writer.run(lambda batch: self._move_due(batch, ids))
        except Exception:
            log.exception("Moving %d due clocks together failed: moving each alone", len(ids))
            alone = await asyncio.gather(
                *(self._writer.run(self._mover(debate_id)) for debate_id in ids),
                return_exceptions=True,
            )
            moved = {}
            for debate_id, outcome in zip(ids, alone, strict=True):
                moved.update(
                    {debate_id: outcome} if isinstance(outcome, BaseException) else outcome
                )
        changes: list[Change] = []
        for debate_id, when in due:
            result = moved.get(debate_id)
            if isinstance(result, BaseException):
                log.error("Clock of debate %d could not move", debate_id, exc_info=result)
                continue
            if self._lateness is not None:
                self._lateness.append((self._now() - when).total_seconds())
            if result is not None:
                changes.append(result)
                self._committed(result)
        return changes

    def _mover(
        self, debate_id: int
    ) -> Callable[[Batch], Awaitable[dict[int, Change | BaseException]]]:
        return lambda batch: self._move_due(batch, [debate_id])

    async def _move_due(
        self, batch: Batch, debate_ids: list[int]
    ) -> dict[int, Change | BaseException]:
        """Move the clocks that are due; a clock refused by a rule is reported, not raised,
        so that the clocks moved before it in this unit still count."""
        now = self._now()
        session = batch.session
        settings: dict[int, GuildSettings] = {}
        moved: dict[int, Change | BaseException] = {}
        for low in range(0, len(debate_ids), TICK_READ_CHUNK):
            chunk = debate_ids[low : low + TICK_READ_CHUNK]
            found = await repo.clocks_with_debates(session, debate_ids=chunk)
            for debate_id in chunk:
                if debate_id not in found:
                    continue
                record, debate = found[debate_id]
                try:
                    fmt = await self._formats.resolve(session, debate.guild_id, debate.format_key)
                except DomainError as refused:
                    moved[debate_id] = refused
                    continue
                clock, happenings = timing.on_due(record.clock, fmt, now)
                if not happenings:
                    continue
                if debate.guild_id not in settings:
                    settings[debate.guild_id] = await repo.guild_settings(
                        session, guild_id=debate.guild_id
                    )
                here = await self._complete(session, debate, fmt, record, settings[debate.guild_id])
                moved[debate_id] = await self._save(batch, here, clock, happenings, now)
        return moved

    async def run(self, announce: Announce) -> None:
        """Serve every clock until cancelled, announcing each change."""

        announcing: dict[int, asyncio.Task[None]] = {}

        async def in_turn(change: Change, before: asyncio.Task[None] | None) -> None:
            if before is not None:
                await asyncio.wait([before])
            try:
                await announce(change)
            finally:
                debate_id = change.floor.debate.id
                if announcing.get(debate_id) is asyncio.current_task():
                    del announcing[debate_id]

        async def fire(due: list[tuple[int, datetime]]) -> None:
            for change in await self.tick(due):
                # One debate's announcements go out in order; different debates' in parallel.
                debate_id = change.floor.debate.id
                before = announcing.get(debate_id)
                announcing[debate_id] = asyncio.create_task(in_turn(change, before))

        try:
            await self.dispatcher.run(fire)
        finally:
            # Stopping: let the announcements under way finish (the state is already stored).
            await asyncio.gather(*announcing.values(), return_exceptions=True)

    def record_lateness(self) -> list[float]:
        """Start keeping how late each due clock was moved, in seconds (for benchmarks)."""
        self._lateness = []
        return self._lateness

    async def recover(self) -> list[Floor]:
        """Schedule every running clock from the database; the floors whose phase message
        lags behind their clock (a crash between a change and its announcement)."""
        lagging: list[Floor] = []
        async with self._db.read() as session:
            for guild_id, key, record in await repo.live_clocks(session, shards=self._shards):
                debate = await self._debate(session, record.debate_id)
                fmt = await self._formats.resolve(session, guild_id, key)
                here = await self._complete(session, debate, fmt, record)
                if record.thread_id is not None:
                    self._threads.add(record.thread_id)
                self._schedule(here)
                if record.shown_version < record.clock.version:
                    lagging.append(here)
        return lagging

    async def shown(
        self,
        *,
        debate_id: int,
        version: int,
        phase_message_id: int | None = None,
        thread_id: int | None = None,
        companion_id: int | None = None,
    ) -> None:
        """Remember which message shows which version of the clock, and the threads."""
        if thread_id is not None:
            self._threads.add(thread_id)

        async def unit(batch: Batch) -> None:
            await repo.save_display(
                batch.session,
                debate_id=debate_id,
                thread_id=thread_id,
                companion_id=companion_id,
                phase_message_id=phase_message_id,
                shown_version=version,
            )

        await self._writer.run(unit)

    async def floor_of(self, *, guild_id: int, debate_id: int) -> Floor:
        """The started debate as it is now, or ``NotStarted``."""
        async with self._db.read() as session:
            return await self._floor(session, guild_id, debate_id)

    # -- the thread and its transcript -------------------------------------------------------

    def is_debate_thread(self, channel_id: int) -> bool:
        """Whether a channel is some started debate's thread (a cheap filter for messages)."""
        return channel_id in self._threads

    async def floor_in_thread(self, thread_id: int) -> Floor | None:
        """The debate that runs in a thread, if any."""
        async with self._db.read() as session:
            record = await repo.clock_in_thread(session, thread_id=thread_id)
            if record is None:
                return None
            debate = await self._debate(session, record.debate_id)
            fmt = await self._formats.resolve(session, debate.guild_id, debate.format_key)
            return await self._complete(session, debate, fmt, record)

    async def speak(
        self, *, thread_id: int, message_id: int, actor: Actor, text: str, posted_at: datetime
    ) -> Floor | None:
        """Keep a message in the transcript; ``NotYourTurn`` (nothing stored) if its author
        may not post now, None if the thread is no debate's."""
        here = await self.floor_in_thread(thread_id)
        if here is None:
            return None
        allowed = may_post(
            here.format, here.clock, here.lineup, actor.user_id, moderator=here.moderates(actor)
        )
        if not allowed:
            raise NotYourTurn(f"{actor.user_id} may not post now")

        async def unit(batch: Batch) -> None:
            repo.add_speech(
                batch,
                debate_id=here.debate.id,
                message_id=message_id,
                author_id=actor.user_id,
                side=here.lineup.side_of(actor.user_id),
                phase_index=here.clock.phase_index,
                posted_at=posted_at,
                text=text,
            )

        await self._writer.run(unit)
        return here

    async def edited(self, *, message_id: int, text: str) -> bool:
        """Record an edit of a transcript message; False if the message is not in one."""
        async with self._db.write() as session:
            return await repo.edit_speech(session, message_id=message_id, text=text, at=self._now())

    async def transcript(self, *, debate_id: int) -> list[Speech]:
        """The debate's stored transcript."""
        async with self._db.read() as session:
            return await repo.transcript_of(session, debate_id=debate_id)

    # -- helpers ----------------------------------------------------------------------------

    def _committed(self, change: Change) -> None:
        self._schedule(change.floor)
        if change.post_vote is not None:
            self._votes.schedule(change.post_vote)

    def _schedule(self, here: Floor) -> None:
        due = timing.next_due(here.clock, here.format)
        self.dispatcher.schedule(here.debate.id, due, here.clock.version)

    async def _debate(self, session: AsyncSession, debate_id: int) -> Debate:
        debate = await repo.debate_by_id(session, debate_id=debate_id)
        if debate is None:
            raise DebateNotFound(debate_id)
        return debate

    async def _complete(
        self,
        session: AsyncSession,
        debate: Debate,
        fmt: DebateFormat,
        record: ClockRecord,
        settings: GuildSettings | None = None,
    ) -> Floor:
        lineup = self._lineups.get(debate.id)
        if lineup is None:
            lineup = await repo.lineup_of(session, debate_id=debate.id)
            self._lineups[debate.id] = lineup
        if settings is None:
            settings = await repo.guild_settings(session, guild_id=debate.guild_id)
        return Floor(debate, fmt, record, lineup, settings)

    async def _floor(
        self, session: AsyncSession, guild_id: int, debate_id: int, *, lock: bool = False
    ) -> Floor:
        debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
        if debate is None:
            raise DebateNotFound(debate_id)
        record = await repo.get_clock(session, debate_id=debate_id, for_update=lock)
        if record is None:
            raise NotStarted(f"debate {debate_id} has no clock")
        fmt = await self._formats.resolve(session, guild_id, debate.format_key)
        return await self._complete(session, debate, fmt, record)

    async def _save(
        self,
        batch: Batch,
        here: Floor,
        clock: Clock,
        happenings: list[Happening],
        now: datetime,
    ) -> Change:
        session = batch.session
        await repo.save_clock(session, debate_id=here.debate.id, clock=clock)
        debate = here.debate
        finished = any(isinstance(h, Finished) for h in happenings)
        pre_closed = False
        if here.clock.phase_index == 0 and (clock.phase_index > 0 or finished):
            pre_closed = await close_poll_in(batch, debate.id, VotePhase.PRE, now)
        post_vote = None
        if finished and debate.state.is_active:
            debate = rules.apply(debate, DebateEvent.FINISH, now)
            await repo.save_debate(session, debate=debate)
            closes = now + timedelta(seconds=POST_VOTE_SECONDS)
            post_vote = await open_poll(session, debate.id, VotePhase.POST, now, closes, batch)
        after = replace(here, debate=debate, record=replace(here.record, clock=clock))
        return Change(after, tuple(happenings), pre_closed, post_vote, here.clock.phase_index)
