"""Use cases of debate nights: the /schedule commands, and firing each night's events.

Theory of operation
-------------------
A schedule is a row; ``bot/domain/schedule.py`` says when its nights are and what fires for
each (reminders, the start, the quorum check). ``Dispatcher`` keeps one entry per schedule:
the next moment something of it is due. When schedules fall due, ``fire`` handles all of
them in one transaction: for each it lists the events due since the last look (at most
``LOOKBACK`` back, never at or before the schedule's watermark, which creation and every
edit move to "now"), drops those whose idempotency key is already claimed, decides for the
rest (send; send late with a note; skip and log, past the grace window), claims each key
with that outcome and applies the quorum verdict, all before anything is said. Only after
the commit does the cog post anything: a crash in between loses a message, it never
repeats one. A restart (``recover``) therefore only has to look at the last ``LOOKBACK``.

A night's lobby is an ordinary debate. The first reminder that is sent opens it early with
the top motion of the bank, so the reminder carries its Join buttons and the members marked
Interested sign up from there; at the start the lobby is posted as open (or, with an empty
bank, a moderator is asked to open one with /debate new). The quorum check counts its
sign-ups: met (the motion is marked debated), postponed once, or cancelled (the lobby
closes).

The Discord scheduled event is not game state: ``event_plan`` says which night it should
show (the running night until its verdict, then the next one) and the cog makes Discord
match, recording the event's id afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import repository as repo
from bot.db.database import Database
from bot.db.repository import HandledEvent, NightRecord, NightState, ScheduleRecord
from bot.domain import debate as debate_rules
from bot.domain import schedule as rules
from bot.domain.debate import Actor, Debate, DebateEvent, DebateState
from bot.domain.errors import DebateAlreadyActive, DomainError, NotServerModerator
from bot.domain.schedule import (
    DEFAULT_GRACE,
    MIN_QUORUM,
    QUORUM_WAIT,
    DueEvent,
    EventKind,
    LateAction,
    LateDecision,
    Night,
    QuorumVerdict,
    Schedule,
)
from bot.domain.shards import ALL_SHARDS, Shards
from bot.formats import DEFAULT_FORMAT
from bot.services.debates import DebateService, LobbySnapshot
from bot.services.dispatch import Dispatcher
from bot.services.motions import MotionService

log = logging.getLogger("agora.nights")

Now = Callable[[], datetime]

LOOKBACK = timedelta(days=7)
"""How far back a look for missed events goes: older ones are gone without a trace."""

RETRY = timedelta(seconds=30)
"""When schedules whose firing failed (the database was unreachable) are looked at again."""


# ---------------------------------------------------------------------------------------------
# Errors


class NotNightModerator(NotServerModerator):
    """Only moderators may change a server's debate nights."""


class ScheduleNotFound(DomainError):
    """No schedule of this server has that name or number."""

    def __init__(self, given: str) -> None:
        super().__init__(f"no schedule {given!r}")
        self.given = given

    def explain(self) -> str:
        """The sentence a member sees."""
        return (
            f"There is no debate night called '{self.given[:60]}' in this server. "
            "See them with /schedule list."
        )


class NoTextChannel(DomainError):
    """A schedule needs a text channel for its reminders and lobby."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return (
            "Debate nights post their reminders and lobby in a text channel: run the command "
            "in one, or give the `channel` option."
        )


# ---------------------------------------------------------------------------------------------
# What happened


@dataclass(frozen=True, slots=True)
class Firing:
    """One event of a night, decided and claimed: what the cog says about it."""

    record: ScheduleRecord
    event: DueEvent
    decision: LateDecision
    lobby: LobbySnapshot | None = None
    """The night's lobby, for reminders (its buttons) and the start (it opens)."""
    verdict: QuorumVerdict | None = None
    joined: int = 0

    @property
    def schedule(self) -> Schedule:
        """The schedule the event belongs to."""
        return self.record.schedule

    @property
    def sent(self) -> bool:
        """Whether members hear of it (skipped events are only logged)."""
        return self.decision.action is not LateAction.SKIP


@dataclass(frozen=True, slots=True)
class EventPlan:
    """Which night the schedule's Discord event should show (None: no event at all)."""

    record: ScheduleRecord
    night: Night | None
    shown_night_over: bool
    """Whether the night the current event shows has had its verdict (leave that event be)."""


@dataclass(frozen=True, slots=True)
class Changed:
    """A schedule after a command, with the night the command was about."""

    record: ScheduleRecord
    night: Night | None = None
    night_closed_lobby: LobbySnapshot | None = None
    """A lobby opened early for a night that was just called off, now closed."""


Announce = Callable[[list[Firing]], Coroutine[Any, Any, None]]

_AFTER = {
    QuorumVerdict.MET: NightState.MET,
    QuorumVerdict.POSTPONE: NightState.POSTPONED,
    QuorumVerdict.CANCEL: NightState.CANCELLED,
}
"""Where a night stands after each verdict of its quorum check."""


def may_schedule(actor: Actor, moderator_role_id: int | None) -> bool:
    """Moderators of a server's nights: Manage Server, or the server's moderator role."""
    return actor.manages_server or (
        moderator_role_id is not None and moderator_role_id in actor.role_ids
    )


class ScheduleService:
    """Debate nights: their schedules, and the dispatcher that fires their events."""

    def __init__(
        self,
        db: Database,
        debates: DebateService,
        now: Now,
        *,
        motions: MotionService | None = None,
        grace: timedelta = DEFAULT_GRACE,
        shards: Shards = ALL_SHARDS,
    ) -> None:
        self._db = db
        self._shards = shards
        self._debates = debates
        self._now = now
        self.motions = motions
        self.grace = grace
        self.dispatcher = Dispatcher(now)
        self._postponed: dict[int, Night] = {}
        # Per schedule, the moment up to which this process handled every event: a look
        # starts there instead of ``LOOKBACK`` back (a restart starts from the database).
        self._looked: dict[int, datetime] = {}
        # Each schedule's next events, worked out when it was last scheduled (off the clock),
        # with the schedule they were worked out for: the dispatcher's decision then needs no
        # recurrence, which was a quarter of the time from due to claimed.
        self._ahead: dict[int, tuple[Schedule, rules.Upcoming]] = {}
        self._lateness: list[float] | None = None

    # -- commands -----------------------------------------------------------------------------

    async def create(
        self,
        *,
        guild_id: int,
        actor: Actor,
        name: str,
        weekday: str,
        time: str,
        timezone: str,
        channel_id: int | None,
        every_weeks: int = 1,
        format_key: str | None = None,
        voice_channel_id: int | None = None,
        reminders: str | None = None,
        quorum: int = MIN_QUORUM,
        postpone_minutes: int = 0,
    ) -> Changed:
        """A new schedule whose first night is the first such weekday and time from now."""
        await self._require_moderator(guild_id, actor)
        if channel_id is None:
            raise NoTextChannel()
        now = self._now()
        schedule = rules.new_schedule(
            id=0,
            guild_id=guild_id,
            name=name,
            weekday=rules.parse_weekday(weekday),
            local_time=rules.parse_time(time),
            tz_name=timezone,
            now=now,
            every_weeks=every_weeks,
            reminders=(
                rules.DEFAULT_REMINDERS if reminders is None else rules.parse_reminders(reminders)
            ),
            quorum=quorum,
            postpone_minutes=postpone_minutes,
            format_key=await self._format(guild_id, format_key),
            channel_id=channel_id,
            voice_channel_id=voice_channel_id,
        )
        async with self._db.write() as session:
            record = await repo.add_schedule(
                session, schedule=schedule, created_by=actor.user_id, now=now
            )
        self._reschedule(record.schedule, now)
        return Changed(record, rules.next_night(record.schedule, now))

    async def all(self, *, guild_id: int) -> list[ScheduleRecord]:
        """Every schedule of the server, cancelled ones last."""
        async with self._db.read() as session:
            records = await repo.schedules_of(session, guild_id=guild_id)
        return sorted(records, key=lambda r: r.schedule.cancelled)

    async def find(self, *, guild_id: int, given: str) -> ScheduleRecord:
        """The server's schedule named (or numbered) ``given``; active ones win a name clash."""
        records = await self.all(guild_id=guild_id)
        wanted = given.strip().lstrip("#")
        for record in records:
            if wanted.isdigit() and record.schedule.id == int(wanted):
                return record
        folded = " ".join(wanted.split()).casefold()
        for record in records:
            if record.schedule.name.casefold() == folded:
                return record
        raise ScheduleNotFound(given)

    async def edit(self, *, guild_id: int, actor: Actor, given: str, **changes: Any) -> Changed:
        """Change a schedule's settings; options left out (None) keep their value."""
        await self._require_moderator(guild_id, actor)
        now = self._now()
        if changes.get("weekday") is not None:
            changes["weekday"] = rules.parse_weekday(changes["weekday"])
        if changes.get("local_time") is not None:
            changes["local_time"] = rules.parse_time(changes["local_time"])
        if changes.get("reminders") is not None:
            changes["reminders"] = rules.parse_reminders(changes["reminders"])
        if changes.get("format_key") is not None:
            changes["format_key"] = await self._format(guild_id, changes["format_key"])
        found = await self.find(guild_id=guild_id, given=given)
        async with self._db.write() as session:
            record = await self._locked(session, guild_id, found.schedule.id)
            edited = rules.edit(record.schedule, now, **changes)
            await repo.save_schedule(session, schedule=edited, watermark=now)
        record = replace(record, schedule=edited, watermark=now)
        self._reschedule(edited, now)
        return Changed(record, rules.next_night(edited, now))

    async def skip(self, *, guild_id: int, actor: Actor, given: str) -> Changed:
        """Call off the schedule's next night only; a lobby opened early for it closes."""
        await self._require_moderator(guild_id, actor)
        now = self._now()
        found = await self.find(guild_id=guild_id, given=given)
        async with self._db.write() as session:
            record = await self._locked(session, guild_id, found.schedule.id)
            skipped, night = rules.skip_next(record.schedule, now)
            await repo.save_schedule(session, schedule=skipped)
            closed = await self._call_off(session, skipped, night, now)
        self._reschedule(skipped, now)
        return Changed(replace(record, schedule=skipped), night, await self._lobby_of(closed))

    async def cancel(self, *, guild_id: int, actor: Actor, given: str) -> Changed:
        """End a schedule: no more nights; a lobby opened early for the next one closes."""
        await self._require_moderator(guild_id, actor)
        now = self._now()
        found = await self.find(guild_id=guild_id, given=given)
        async with self._db.write() as session:
            record = await self._locked(session, guild_id, found.schedule.id)
            night = rules.next_night(record.schedule, now)
            cancelled = rules.cancel(record.schedule)
            await repo.save_schedule(session, schedule=cancelled)
            closed = await self._call_off(session, cancelled, night, now) if night else None
        self._reschedule(cancelled, now)
        return Changed(replace(record, schedule=cancelled), night, await self._lobby_of(closed))

    async def _require_moderator(self, guild_id: int, actor: Actor) -> None:
        async with self._db.read() as session:
            settings = await repo.guild_settings(session, guild_id=guild_id)
        if not may_schedule(actor, settings.moderator_role_id):
            raise NotNightModerator("change debate nights")

    async def _format(self, guild_id: int, key: str | None) -> str | None:
        if key is None:
            return None
        return (await self._debates.formats.get(guild_id, key)).key

    async def _locked(
        self, session: AsyncSession, guild_id: int, schedule_id: int
    ) -> ScheduleRecord:
        record = await repo.get_schedule(
            session, guild_id=guild_id, schedule_id=schedule_id, for_update=True
        )
        if record is None:
            raise ScheduleNotFound(str(schedule_id))
        return record

    async def _call_off(
        self, session: AsyncSession, schedule: Schedule, night: Night, now: datetime
    ) -> int | None:
        """Mark a night called off; close its lobby if one was opened early. The lobby's id."""
        stored = await repo.get_night(
            session, schedule_id=schedule.id, night_date=night.date, for_update=True
        )
        if stored is None:
            return None
        await repo.save_night(session, night=replace(stored, state=NightState.CANCELLED))
        return await self._close_lobby(session, schedule.guild_id, stored.debate_id, now)

    async def _close_lobby(
        self, session: AsyncSession, guild_id: int, debate_id: int | None, now: datetime
    ) -> int | None:
        if debate_id is None:
            return None
        debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
        if debate is None or debate.state is not DebateState.LOBBY:
            return None
        await repo.save_debate(session, debate=debate_rules.apply(debate, DebateEvent.CANCEL, now))
        return debate_id

    async def _lobby_of(self, debate_id: int | None) -> LobbySnapshot | None:
        if debate_id is None:
            return None
        async with self._db.read() as session:
            debate = await repo.debate_by_id(session, debate_id=debate_id)
        if debate is None:
            return None
        return await self._debates.snapshot(guild_id=debate.guild_id, debate_id=debate_id)

    # -- the dispatcher -----------------------------------------------------------------------

    def _next_due(self, schedule: Schedule, now: datetime) -> datetime | None:
        ahead = rules.upcoming(schedule, now)
        self._ahead[schedule.id] = (schedule, ahead)
        due = ahead.fire_at
        postponed = self._postponed.get(schedule.id)
        if postponed is not None:
            check = rules.postponed_check(schedule, postponed).fire_at
            if due is None or check < due:
                due = check
        return due

    def _reschedule(self, schedule: Schedule, now: datetime) -> None:
        self.dispatcher.schedule(schedule.id, self._next_due(schedule, now), 0)

    def _due(self, record: ScheduleRecord, now: datetime) -> list[DueEvent]:
        """The schedule's events due by ``now`` that a look may still have to handle."""
        schedule = record.schedule
        since = max(record.watermark, self._looked.get(schedule.id, now - LOOKBACK))
        events: list[DueEvent] | None = None
        known = self._ahead.get(schedule.id)
        if known is not None and known[0] == schedule and known[1].after == since:
            events = known[1].due_by(now)  # worked out when it was scheduled
        if events is None:
            events = rules.events_between(schedule, since, now)
        postponed = self._postponed.get(schedule.id)
        if postponed is not None:
            check = rules.postponed_check(schedule, postponed)
            if since < check.fire_at <= now:
                events.append(check)
        return events

    async def recover(self) -> list[ScheduleRecord]:
        """Serve every schedule from the database (after a restart); returns them all, so
        the cog can bring their Discord events in step."""
        now = self._now()
        async with self._db.read() as session:
            records = await repo.live_schedules(session, shards=self._shards)
            handled = await repo.keys_handled_since(session, since=now - LOOKBACK)
            postponed = await repo.nights_in(session, states=[NightState.POSTPONED])
        by_id = {r.schedule.id: r for r in records}
        for night in postponed:
            record = by_id.get(night.schedule_id)
            if record is not None:
                self._postponed[night.schedule_id] = rules.night_on(record.schedule, night.date)
        for record in records:
            missed = any(e.key not in handled for e in self._due(record, now))
            if not missed:
                self._looked[record.schedule.id] = now
            due = now if missed else self._next_due(record.schedule, now)
            self.dispatcher.schedule(record.schedule.id, due, 0)
        return records

    async def fire(self, due: list[tuple[int, datetime]]) -> list[Firing]:
        """Decide and claim every event of these schedules due by now, in one transaction;
        then open the lobbies the decisions call for. What to say, in order."""
        now = self._now()
        ids = [schedule_id for schedule_id, _ in due]
        async with self._db.write() as session:
            records = await repo.schedules_by_ids(session, schedule_ids=ids, for_update=True)
            plans = [(record, self._due(record, now)) for record in records]
            keys = [event.key for _, events in plans for event in events]
            claimed = await repo.claimed_keys(session, keys=keys)
            firings = [
                Firing(record, event, rules.event_decision(event, now, self.grace))
                for record, events in plans
                for event in events
                if event.key not in claimed
            ]
            firings = await self._settle(session, firings, now)
            await repo.claim_events(
                session,
                events=[
                    HandledEvent(
                        f.event.key,
                        f.schedule.id,
                        f.event.kind.value,
                        f.event.fire_at,
                        f.decision.action.value,
                        f.decision.note,
                    )
                    for f in firings
                ],
                now=now,
            )
        if self._lateness is not None:
            after = self._now()
            self._lateness += [(after - when).total_seconds() for _, when in due]
        for record in records:
            self._looked[record.schedule.id] = now
            self._reschedule(record.schedule, now)
        for firing in firings:
            if not firing.sent:
                log.warning(
                    "Debate night %d (%s): %s %s",
                    firing.schedule.id,
                    firing.event.key,
                    firing.event.kind.value,
                    firing.decision.note,
                )
        return await self._with_lobbies(firings, now)

    async def run(self, announce: Announce) -> None:
        """Fire events as they fall due, until cancelled; announce each batch in order."""
        tasks: set[asyncio.Task[None]] = set()

        async def fire(due: list[tuple[int, datetime]]) -> None:
            try:
                firings = await self.fire(due)
            except Exception:
                # Nothing was claimed (the transaction rolled back): look again shortly.
                log.exception("Could not fire %d debate night schedules", len(due))
                retry = self._now() + RETRY
                for schedule_id, _ in due:
                    self.dispatcher.schedule(schedule_id, retry, 0)
                return
            if firings:
                task = asyncio.create_task(announce(firings))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

        try:
            await self.dispatcher.run(fire)
        finally:
            # Stopping: let the announcements under way finish (the decisions are stored).
            await asyncio.gather(*tasks, return_exceptions=True)

    def record_lateness(self) -> list[float]:
        """Start keeping how late each due schedule was decided, in seconds (benchmarks)."""
        self._lateness = []
        return self._lateness

    # -- a night's lobby and quorum -----------------------------------------------------------

    async def _settle(
        self, session: AsyncSession, firings: list[Firing], now: datetime
    ) -> list[Firing]:
        """In the claiming transaction: the start opens its night; the quorum check counts,
        decides and applies its verdict. A few statements per batch, not per event."""
        acting = [
            f for f in firings if f.sent and f.event.kind in (EventKind.START, EventKind.QUORUM)
        ]
        if not acting:
            return firings
        since = min(f.event.night.date for f in acting)
        stored = await repo.nights_of(
            session, schedule_ids=sorted({f.schedule.id for f in acting}), since=since
        )
        checks = [f for f in acting if f.event.kind is EventKind.QUORUM]
        debates, in_channel, counts = await repo.lobbies_for_quorum(
            session,
            debate_ids=[
                n.debate_id
                for f in checks
                if (n := stored.get((f.schedule.id, f.event.night.date))) and n.debate_id
            ],
            channel_ids=[f.schedule.channel_id for f in checks if f.schedule.channel_id],
        )
        settled: dict[int, Firing] = {}
        for firing in acting:
            schedule, night = firing.schedule, firing.event.night
            key = (schedule.id, night.date)
            base = stored.get(key) or NightRecord(
                schedule.id, night.date, night.start, NightState.OPEN
            )
            if firing.event.kind is EventKind.START:
                stored[key] = replace(base, start=night.start, state=NightState.OPEN)
                continue
            debate = debates.get(base.debate_id) if base.debate_id is not None else None
            if debate is None and schedule.channel_id is not None:
                # No lobby from the bank: a moderator may have opened one after the start.
                here = in_channel.get(schedule.channel_id)
                debate = here if here is not None and here.created_at >= night.start else None
            joined = counts.get(debate.id, 0) if debate is not None else 0
            verdict = self._verdict(debate, joined, schedule, base.state is NightState.POSTPONED)
            stored[key] = replace(
                base, state=_AFTER[verdict], debate_id=debate.id if debate else None
            )
            if verdict is QuorumVerdict.CANCEL and debate is not None:
                await self._close_lobby(session, schedule.guild_id, debate.id, now)
            if verdict is QuorumVerdict.MET and base.motion_id is not None and self.motions:
                try:
                    await self.motions.mark_debated(session, base.motion_id, now)
                except DomainError as refused:  # rejected or debated meanwhile: no matter
                    log.info("Night %d: motion not marked: %s", schedule.id, refused)
            if verdict is QuorumVerdict.POSTPONE:
                self._postponed[schedule.id] = night
            else:
                self._postponed.pop(schedule.id, None)
            settled[id(firing)] = replace(firing, verdict=verdict, joined=joined)
        await repo.save_nights(
            session,
            nights=[stored[(f.schedule.id, f.event.night.date)] for f in acting],
        )
        return [settled.get(id(f), f) for f in firings]

    @staticmethod
    def _verdict(
        debate: Debate | None, joined: int, schedule: Schedule, postponed: bool
    ) -> QuorumVerdict:
        state = debate.state if debate is not None else DebateState.CANCELLED
        if state in (DebateState.RUNNING, DebateState.FINISHED):
            return QuorumVerdict.MET  # a moderator started it already
        if state is DebateState.CANCELLED:
            return QuorumVerdict.CANCEL  # no lobby at all, or a moderator cancelled it
        return rules.quorum_verdict(joined, schedule, postponed=postponed)

    async def _with_lobbies(self, firings: list[Firing], now: datetime) -> list[Firing]:
        """Each firing with its night's lobby: reminders and the start open it from the bank
        if it is not open yet; a quorum check shows it as the verdict left it."""
        wanted = [f for f in firings if f.sent]
        if not wanted:
            return firings
        async with self._db.read() as session:
            stored = await repo.nights_of(
                session,
                schedule_ids=sorted({f.schedule.id for f in wanted}),
                since=min(f.event.night.date for f in wanted),
            )
        result: list[Firing] = []
        for firing in firings:
            night = stored.get((firing.schedule.id, firing.event.night.date))
            debate_id = night.debate_id if night is not None else None
            if firing.sent and debate_id is None and firing.event.kind is not EventKind.QUORUM:
                debate_id = await self._open_lobby(firing, now)
                if debate_id is not None:
                    stored = {**stored}  # later firings of the night see the new lobby
                    base = night or NightRecord(
                        firing.schedule.id,
                        firing.event.night.date,
                        firing.event.night.start,
                        NightState.PREPARED,
                    )
                    stored[(firing.schedule.id, firing.event.night.date)] = replace(
                        base, debate_id=debate_id
                    )
            if firing.sent and debate_id is not None:
                firing = replace(firing, lobby=await self._lobby_of(debate_id))
            result.append(firing)
        return result

    async def _open_lobby(self, firing: Firing, now: datetime) -> int | None:
        """Open the night's lobby with the bank's top motion; None if the bank is empty or
        the channel already has a debate."""
        schedule, night = firing.schedule, firing.event.night
        if self.motions is None or schedule.channel_id is None:
            return None
        motion = await self.motions.top(guild_id=schedule.guild_id, now=now)
        if motion is None:
            return None
        try:
            snapshot = await self._debates.create(
                guild_id=schedule.guild_id,
                channel_id=schedule.channel_id,
                creator_id=firing.record.created_by,
                motion=motion.text,
                format_key=schedule.format_key or DEFAULT_FORMAT,
            )
        except DebateAlreadyActive as busy:
            log.info("Night %d: channel busy with debate %d", schedule.id, busy.debate_id)
            return None
        async with self._db.write() as session:
            stored = await repo.get_night(
                session, schedule_id=schedule.id, night_date=night.date, for_update=True
            )
            state = (
                NightState.PREPARED if firing.event.kind is EventKind.REMINDER else NightState.OPEN
            )
            base = stored or NightRecord(schedule.id, night.date, night.start, state)
            await repo.save_night(
                session, night=replace(base, debate_id=snapshot.debate.id, motion_id=motion.id)
            )
        return snapshot.debate.id

    async def lobby_shown(self, *, guild_id: int, debate_id: int, message_id: int) -> None:
        """Remember the message that shows a night's open lobby."""
        await self._debates.attach_lobby_message(
            guild_id=guild_id, debate_id=debate_id, message_id=message_id
        )

    # -- the Discord event --------------------------------------------------------------------

    async def event_plan(self, *, schedule_id: int) -> EventPlan | None:
        """Which night the schedule's Discord event should show now."""
        now = self._now()
        async with self._db.read() as session:
            found = await repo.schedules_by_ids(session, schedule_ids=[schedule_id])
            if not found:
                return None
            record = found[0]
            schedule = record.schedule
            shown_over = False
            if record.event_start is not None and record.event_start <= now:
                shown = await self._stored_night_at(session, schedule, record.event_start)
                shown_over = (
                    shown is None
                    or shown.state.is_over
                    or (record.event_start < now - self._longest_wait(schedule))
                )
            if schedule.cancelled:
                return EventPlan(record, None, shown_over)
            wait = self._longest_wait(schedule)
            night = rules.next_night(schedule, now - wait)
            if night is not None and night.start <= now:
                stored = await repo.get_night(
                    session, schedule_id=schedule.id, night_date=night.date
                )
                if stored is not None and stored.state.is_over:
                    night = rules.next_night(schedule, night.start)
        return EventPlan(record, night, shown_over)

    @staticmethod
    def _longest_wait(schedule: Schedule) -> timedelta:
        return QUORUM_WAIT + timedelta(minutes=schedule.postpone_minutes)

    @staticmethod
    async def _stored_night_at(
        session: AsyncSession, schedule: Schedule, start: datetime
    ) -> NightRecord | None:
        local = start.astimezone(schedule.zone).date()
        for day in (local, local - timedelta(days=1)):
            stored = await repo.get_night(session, schedule_id=schedule.id, night_date=day)
            if stored is not None:
                return stored
        return None

    async def event_shown(
        self, *, schedule_id: int, event_id: int | None, night_start: datetime | None
    ) -> None:
        """Remember which Discord event shows which night (after Discord made it)."""
        async with self._db.write() as session:
            await repo.save_schedule_event(
                session, schedule_id=schedule_id, event_id=event_id, event_start=night_start
            )

    async def night_of(self, *, schedule_id: int, night_date: date) -> NightRecord | None:
        """A stored night of a schedule."""
        async with self._db.read() as session:
            return await repo.get_night(session, schedule_id=schedule_id, night_date=night_date)
