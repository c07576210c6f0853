"""Debate nights on a real database (SQLite, and PostgreSQL): commands, firing, restarts.

The clock is a test clock starting Tuesday 24 Nov 2026 19:00 UTC; the schedule is Thursdays
at 20:00 Europe/London (GMT in November), so the first night starts Thu 26 Nov 20:00 UTC,
with reminders on Wed 20:00 (24h) and Thu 19:00 (1h) and the quorum check at 20:10.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.db.database import Database
from bot.db.models import NightEventRow
from bot.db.repository import NightState
from bot.db.writer import BatchWriter
from bot.domain.debate import Actor, DebateState, Preference
from bot.domain.errors import UnknownFormat
from bot.domain.motions import MotionState
from bot.domain.schedule import (
    EventKind,
    InvalidReminders,
    LateAction,
    QuorumVerdict,
    UnknownTimezone,
)
from bot.formats import builtin_formats
from bot.services.articles import ArticleService
from bot.services.debates import DebateService
from bot.services.formats import FormatCatalog
from bot.services.guilds import GuildService
from bot.services.motions import MotionService
from bot.services.schedules import (
    Firing,
    NoTextChannel,
    NotNightModerator,
    ScheduleNotFound,
    ScheduleService,
)
from tests.conftest import FakeClock

GUILD, CHANNEL, MOD_ROLE = 1_000, 2_000, 9_000
ADMIN = Actor(1, manages_server=True)
MOD = Actor(2, role_ids=frozenset({MOD_ROLE}))
MEMBER = Actor(3)
MOTION = "This House would ban homework"

WED_REMINDER = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
THU_REMINDER = datetime(2026, 11, 26, 19, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
QUORUM = START + timedelta(minutes=10)


class Nights:
    """The services of one bot process over one database."""

    def __init__(self, database: Database, clock: FakeClock, *, bank: bool = True) -> None:
        writer = BatchWriter(database)
        formats = FormatCatalog(database, builtin_formats(), clock)
        self.debates = DebateService(database, writer, formats, clock)
        articles = ArticleService(database, clock)
        self.motions = MotionService(database, writer, articles, clock)
        self.schedules = ScheduleService(
            database, self.debates, clock, motions=self.motions if bank else None
        )
        self.guilds = GuildService(database)
        self.database = database
        self.clock = clock

    async def schedule(self, **options: Any) -> int:
        settings: dict[str, Any] = {
            "guild_id": GUILD,
            "actor": ADMIN,
            "name": "Thursday debates",
            "weekday": "Thursday",
            "time": "20:00",
            "timezone": "Europe/London",
            "channel_id": CHANNEL,
            "quorum": 2,
        }
        changed = await self.schedules.create(**(settings | options))
        return changed.record.schedule.id

    async def bank_motion(self, text: str = MOTION) -> int:
        submitted = await self.motions.submit(guild_id=GUILD, author_id=50, text=text)
        await self.motions.approve(guild_id=GUILD, motion_id=submitted.motion.id, actor=ADMIN)
        return submitted.motion.id

    async def at(self, moment: datetime, schedule_id: int) -> list[Firing]:
        """Move the clock to ``moment`` and let the schedule fire what is due."""
        self.clock.now = moment
        return await self.schedules.fire([(schedule_id, moment)])

    async def handled(self) -> int:
        async with self.database.read() as session:
            return (await session.exec(select(func.count()).select_from(NightEventRow))).one()


@pytest.fixture
def nights(database: Database, clock: FakeClock) -> Nights:
    return Nights(database, clock)


def kinds(firings: list[Firing]) -> list[tuple[EventKind, LateAction]]:
    return [(f.event.kind, f.decision.action) for f in firings]


async def test_only_moderators_schedule_and_bad_input_says_how_to_fix_it(nights: Nights) -> None:
    with pytest.raises(NotNightModerator) as refused:
        await nights.schedule(actor=MEMBER)
    assert "Manage Server" in refused.value.explain()
    await nights.guilds.set_moderator_role(GUILD, MOD_ROLE)
    assert await nights.schedule(actor=MOD, name="Mods' night")

    with pytest.raises(UnknownTimezone) as zone:
        await nights.schedule(timezone="Europe/Londn")
    assert "Europe/London" in zone.value.explain()
    with pytest.raises(InvalidReminders):
        await nights.schedule(reminders="soon")
    with pytest.raises(UnknownFormat):
        await nights.schedule(format_key="chess")
    with pytest.raises(NoTextChannel):
        await nights.schedule(channel_id=None)
    with pytest.raises(ScheduleNotFound) as missing:
        await nights.schedules.skip(guild_id=GUILD, actor=ADMIN, given="Friday fights")
    assert "/schedule list" in missing.value.explain()
    assert [r.schedule.name for r in await nights.schedules.all(guild_id=GUILD)] == ["Mods' night"]


async def test_a_night_reminds_opens_its_lobby_and_checks_the_quorum(nights: Nights) -> None:
    motion_id = await nights.bank_motion()
    schedule_id = await nights.schedule(quorum=2)

    assert await nights.at(WED_REMINDER - timedelta(minutes=1), schedule_id) == []
    (first,) = await nights.at(WED_REMINDER, schedule_id)
    assert (first.event.kind, first.event.offset, first.sent) == (EventKind.REMINDER, 86400, True)
    # The first reminder opens the lobby early with the bank's top motion: it carries its buttons.
    assert first.lobby is not None
    assert first.lobby.debate.motion == MOTION
    assert first.lobby.debate.state is DebateState.LOBBY
    debate_id = first.lobby.debate.id
    assert await nights.at(WED_REMINDER, schedule_id) == []  # claimed: never twice

    (second,) = await nights.at(THU_REMINDER, schedule_id)
    assert second.lobby is not None
    assert second.lobby.debate.id == debate_id
    for user, side in ((11, Preference.FOR), (12, Preference.AGAINST)):
        await nights.debates.join(
            guild_id=GUILD, debate_id=debate_id, user_id=user, preference=side
        )

    (start,) = await nights.at(START, schedule_id)
    assert start.event.kind is EventKind.START
    assert start.lobby is not None
    assert start.lobby.debate.id == debate_id
    night = await nights.schedules.night_of(schedule_id=schedule_id, night_date=START.date())
    assert night is not None
    assert night.state is NightState.OPEN

    (check,) = await nights.at(QUORUM, schedule_id)
    assert (check.verdict, check.joined) == (QuorumVerdict.MET, 2)
    night = await nights.schedules.night_of(schedule_id=schedule_id, night_date=START.date())
    assert night is not None
    assert (night.state, night.motion_id) == (NightState.MET, motion_id)
    motion = await nights.motions.get(guild_id=GUILD, motion_id=motion_id)
    assert motion.state is MotionState.DEBATED
    assert await nights.handled() == 4

    # The next due moment is next Wednesday's reminder.
    plan = await nights.schedules.event_plan(schedule_id=schedule_id)
    assert plan is not None
    assert plan.night is not None
    assert plan.night.start == START + timedelta(days=7)


async def test_short_of_the_quorum_the_night_is_postponed_once_then_cancelled(
    nights: Nights,
) -> None:
    await nights.bank_motion()
    schedule_id = await nights.schedule(quorum=3, postpone_minutes=15, reminders="none")
    (start,) = await nights.at(START, schedule_id)
    assert start.lobby is not None
    debate_id = start.lobby.debate.id
    await nights.debates.join(
        guild_id=GUILD, debate_id=debate_id, user_id=11, preference=Preference.FOR
    )

    (check,) = await nights.at(QUORUM, schedule_id)
    assert (check.verdict, check.joined) == (QuorumVerdict.POSTPONE, 1)
    assert nights.schedules.dispatcher.pending == 1
    (again,) = await nights.at(QUORUM + timedelta(minutes=15), schedule_id)
    assert again.event.key.endswith(":postponed")
    assert (again.verdict, again.joined) == (QuorumVerdict.CANCEL, 1)
    assert again.lobby is not None
    assert again.lobby.debate.state is DebateState.CANCELLED
    night = await nights.schedules.night_of(schedule_id=schedule_id, night_date=START.date())
    assert night is not None
    assert night.state is NightState.CANCELLED


async def test_an_empty_bank_asks_a_moderator_and_the_quorum_counts_their_lobby(
    nights: Nights,
) -> None:
    schedule_id = await nights.schedule(reminders="1h")
    (reminder,) = await nights.at(THU_REMINDER, schedule_id)
    assert reminder.lobby is None
    (start,) = await nights.at(START, schedule_id)
    assert start.lobby is None
    nights.clock.now = START + timedelta(minutes=2)
    snapshot = await nights.debates.create(
        guild_id=GUILD, channel_id=CHANNEL, creator_id=1, motion=MOTION, format_key="quick"
    )
    for user, side in ((11, Preference.FOR), (12, Preference.AGAINST)):
        await nights.debates.join(
            guild_id=GUILD, debate_id=snapshot.debate.id, user_id=user, preference=side
        )
    (check,) = await nights.at(QUORUM, schedule_id)
    assert (check.verdict, check.joined) == (QuorumVerdict.MET, 2)


async def test_a_restart_sends_nothing_twice_and_late_events_carry_a_note(
    database: Database, clock: FakeClock
) -> None:
    before = Nights(database, clock)
    schedule_id = await before.schedule(reminders="24h,1h,10m")
    await before.at(WED_REMINDER, schedule_id)

    # Down from before the 1h reminder until 5 minutes after the 10 min one.
    clock.now = START - timedelta(minutes=5)
    after = Nights(database, clock)
    records = await after.schedules.recover()
    assert [r.schedule.id for r in records] == [schedule_id]
    firings = await after.schedules.fire([(schedule_id, clock.now)])
    assert kinds(firings) == [
        (EventKind.REMINDER, LateAction.SKIP),  # 1h: 55 min late, beyond the grace
        (EventKind.REMINDER, LateAction.SEND_LATE),  # 10m: 5 min late
    ]
    assert firings[1].decision.note == "(Sent 5 min late: the bot was offline.)"
    assert await after.handled() == 3

    # Another restart at the same moment: everything was claimed, nothing fires again.
    again = Nights(database, clock)
    await again.schedules.recover()
    assert await again.schedules.fire([(schedule_id, clock.now)]) == []
    assert again.schedules.dispatcher.pending == 1


async def test_skip_calls_off_the_next_night_and_closes_its_early_lobby(nights: Nights) -> None:
    await nights.bank_motion()
    schedule_id = await nights.schedule()
    (reminder,) = await nights.at(WED_REMINDER, schedule_id)
    assert reminder.lobby is not None

    skipped = await nights.schedules.skip(guild_id=GUILD, actor=ADMIN, given="thursday debates")
    assert skipped.night is not None
    assert skipped.night.start == START
    assert skipped.night_closed_lobby is not None
    assert skipped.night_closed_lobby.debate.state is DebateState.CANCELLED
    assert await nights.at(START, schedule_id) == []
    assert await nights.at(QUORUM, schedule_id) == []
    plan = await nights.schedules.event_plan(schedule_id=schedule_id)
    assert plan is not None
    assert plan.night is not None
    assert plan.night.start == START + timedelta(days=7)

    cancelled = await nights.schedules.cancel(guild_id=GUILD, actor=ADMIN, given=str(schedule_id))
    assert cancelled.record.schedule.cancelled
    plan = await nights.schedules.event_plan(schedule_id=schedule_id)
    assert plan is not None
    assert plan.night is None
    assert nights.schedules.dispatcher.pending == 0


async def test_an_edit_moves_the_night_and_never_replays_what_it_passed(nights: Nights) -> None:
    schedule_id = await nights.schedule(reminders="24h")
    nights.clock.now = WED_REMINDER + timedelta(hours=2)
    # Moving the start to 18:00 puts the 24h reminder in the past: it is not sent late.
    changed = await nights.schedules.edit(
        guild_id=GUILD, actor=ADMIN, given=str(schedule_id), local_time="18:00"
    )
    assert changed.night is not None
    assert changed.night.start == START - timedelta(hours=2)
    assert await nights.schedules.fire([(schedule_id, nights.clock.now)]) == []
    (start,) = await nights.at(START - timedelta(hours=2), schedule_id)
    assert start.event.kind is EventKind.START
