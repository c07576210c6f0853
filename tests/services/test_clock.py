"""Starting debates and moving their clocks on a real database (SQLite, and PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from bot.db import repository as repo
from bot.db.database import Database
from bot.db.models import ClockRow, DebateRow, DebaterRow, SpeechRow
from bot.db.writer import BatchWriter
from bot.domain.clock import Cause, ClockEvent, ClockState, Finished, PhaseStarted, StaleClock
from bot.domain.debate import Actor, DebateState, Preference
from bot.domain.errors import IllegalTransition, NotModerator
from bot.domain.ratings import ALL_TIME_SEASON, Rating, Record
from bot.domain.sides import NotEnoughDebaters, Side
from bot.domain.turns import NotStarted, NotYourTurn
from bot.formats import builtin_formats
from bot.services.clock import ClockService
from bot.services.debates import DebateService
from bot.services.formats import FormatCatalog
from bot.services.guilds import GuildService
from bot.services.votes import VoteService
from tests.conftest import FakeClock

GUILD, CHANNEL, CREATOR, MOD_ROLE = 1_000, 2_000, 3_000, 9_000
FOR_1, FOR_2, AGAINST_1, AGAINST_2 = 11, 12, 21, 22


class Club:
    """The services of one bot over one database."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        writer = BatchWriter(database)
        formats = FormatCatalog(database, builtin_formats(), clock)
        self.debates = DebateService(database, writer, formats, clock)
        self.votes = VoteService(database, writer, formats, clock)
        self.clocks = ClockService(database, writer, formats, clock, self.votes)
        self.guilds = GuildService(database)
        self.database = database

    async def lobby(self, fmt: str, signups: dict[int, Preference]) -> int:
        snapshot = await self.debates.create(
            guild_id=GUILD,
            channel_id=CHANNEL,
            creator_id=CREATOR,
            motion="This House would ban homework",
            format_key=fmt,
        )
        for user, preference in signups.items():
            await self.debates.join(
                guild_id=GUILD, debate_id=snapshot.debate.id, user_id=user, preference=preference
            )
        return snapshot.debate.id

    async def count(self, model: type[object]) -> int:
        async with self.database.read() as session:
            return (await session.exec(select(func.count()).select_from(model))).one()


@pytest.fixture
def club(database: Database, clock: FakeClock) -> Club:
    return Club(database, clock)


PAIR = {FOR_1: Preference.FOR, AGAINST_1: Preference.AGAINST}


async def test_start_draws_sides_stores_them_and_runs_the_first_phase(
    club: Club, clock: FakeClock
) -> None:
    debate_id = await club.lobby("quick", PAIR)
    started = await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    here = started.change.floor
    assert here.debate.state is DebateState.RUNNING
    assert here.clock.state is ClockState.RUNNING
    assert here.clock.deadline == clock.now + timedelta(seconds=90)
    assert started.change.happenings == (PhaseStarted(0, Cause.START),)
    assert (here.lineup.for_team, here.lineup.against_team) == ((FOR_1,), (AGAINST_1,))
    assert here.speakers() == (FOR_1,)
    assert await club.count(DebaterRow) == 2
    stored = await club.clocks.floor_of(guild_id=GUILD, debate_id=debate_id)
    assert stored.record.seed == started.sides.seed
    assert club.clocks.dispatcher.pending == 1


async def test_start_refusals_change_nothing(club: Club) -> None:
    debate_id = await club.lobby("quick", {FOR_1: Preference.FOR})
    with pytest.raises(NotModerator):
        await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(FOR_1))
    with pytest.raises(NotEnoughDebaters):
        await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    assert await club.count(ClockRow) == 0
    assert await club.count(DebaterRow) == 0
    snapshot = await club.debates.snapshot(guild_id=GUILD, debate_id=debate_id)
    assert snapshot.debate.state is DebateState.LOBBY
    with pytest.raises(NotStarted):
        await club.clocks.floor_of(guild_id=GUILD, debate_id=debate_id)


async def test_the_servers_moderator_role_may_start(club: Club) -> None:
    debate_id = await club.lobby("quick", PAIR)
    member = Actor(77, role_ids=frozenset({MOD_ROLE}))
    with pytest.raises(NotModerator):
        await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=member)
    await club.guilds.set_moderator_role(GUILD, MOD_ROLE)
    started = await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=member)
    with pytest.raises(IllegalTransition):
        await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=member)
    assert started.change.floor.debate.state is DebateState.RUNNING


async def test_rotation_uses_the_sides_of_earlier_debates(club: Club) -> None:
    either = {FOR_1: Preference.EITHER, AGAINST_1: Preference.EITHER}
    sides: list[Side | None] = []
    for _ in range(3):
        debate_id = await club.lobby("quick", either)
        started = await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
        sides.append(started.sides.assignment_of(FOR_1).side)
        await club.clocks.move(
            guild_id=GUILD,
            debate_id=debate_id,
            event=ClockEvent.END,
            version=started.change.floor.clock.version,
            actor=Actor(CREATOR),
        )
    assert sides[1] != sides[0]
    assert sides[2] != sides[1]


async def test_sides_balance_the_members_ratings(club: Club) -> None:
    strong = [
        Record(FOR_1, Rating(40.0, 2.0), games=12),
        Record(FOR_2, Rating(38.0, 2.0), games=12),
    ]
    async with club.database.write() as session:
        await repo.save_records(session, guild_id=GUILD, season=ALL_TIME_SEASON, records=strong)
    anyone = dict.fromkeys((FOR_1, FOR_2, AGAINST_1, AGAINST_2), Preference.EITHER)
    debate_id = await club.lobby("oxford", anyone)
    started = await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    sides = started.sides
    # The two rated members (well above the prior of the two newcomers) are split.
    assert {sides.assignment_of(FOR_1).side, sides.assignment_of(FOR_2).side} == set(Side)
    assert sides.rating_gap == pytest.approx(2.0)


async def test_two_moderators_pressing_at_once_make_one_transition(club: Club) -> None:
    debate_id = await club.lobby("quick", PAIR)
    started = await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    version = started.change.floor.clock.version
    results = await asyncio.gather(
        *(
            club.clocks.move(
                guild_id=GUILD,
                debate_id=debate_id,
                event=ClockEvent.SKIP,
                version=version,
                actor=Actor(CREATOR, manages_server=True),
            )
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, StaleClock) for r in results if isinstance(r, BaseException))
    here = await club.clocks.floor_of(guild_id=GUILD, debate_id=debate_id)
    assert (here.clock.phase_index, here.clock.version) == (1, version + 1)


async def test_only_the_speaker_yields_and_only_moderators_pause(club: Club) -> None:
    debate_id = await club.lobby("quick", PAIR)
    started = await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    version = started.change.floor.clock.version
    with pytest.raises(NotYourTurn):
        await club.clocks.move(
            guild_id=GUILD,
            debate_id=debate_id,
            event=ClockEvent.YIELD,
            version=version,
            actor=Actor(AGAINST_1),
        )
    with pytest.raises(NotModerator):
        await club.clocks.move(
            guild_id=GUILD,
            debate_id=debate_id,
            event=ClockEvent.PAUSE,
            version=version,
            actor=Actor(FOR_1),
        )
    change = await club.clocks.move(
        guild_id=GUILD,
        debate_id=debate_id,
        event=ClockEvent.YIELD,
        version=version,
        actor=Actor(FOR_1),
    )
    assert change.floor.speakers() == (AGAINST_1,)


async def test_the_dispatcher_tick_moves_due_clocks_and_ignores_stale_entries(
    club: Club, clock: FakeClock
) -> None:
    debate_id = await club.lobby("quick", PAIR)
    await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    lateness = club.clocks.record_lateness()
    clock.advance(60)  # the 30 s warning of a 90 s phase
    changes = await club.clocks.tick([(debate_id, clock.now)])
    assert [type(h).__name__ for c in changes for h in c.happenings] == ["TimeWarning"]
    clock.advance(31)
    (change,) = await club.clocks.tick([(debate_id, clock.now - timedelta(seconds=1))])
    assert change.floor.clock.phase_index == 1
    assert lateness == [0.0, 1.0]
    # Every phase to the end: the debate finishes and frees its channel.
    for _ in range(5):
        clock.advance(90)
        (change,) = await club.clocks.tick([(debate_id, clock.now)])
    assert any(isinstance(h, Finished) for h in change.happenings)
    assert change.floor.debate.state is DebateState.FINISHED
    assert club.clocks.dispatcher.pending == 0


async def test_clocks_due_together_move_together_and_a_broken_one_holds_up_none(
    club: Club, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    ids = []
    for n in range(3):
        snapshot = await club.debates.create(
            guild_id=GUILD,
            channel_id=CHANNEL + 1 + n,
            creator_id=CREATOR,
            motion=f"This House would ring bell {n}",
            format_key="quick",
        )
        ids.append(snapshot.debate.id)
        for user, preference in PAIR.items():
            await club.debates.join(
                guild_id=GUILD, debate_id=ids[-1], user_id=user, preference=preference
            )
        await club.clocks.start(guild_id=GUILD, debate_id=ids[-1], actor=Actor(CREATOR))
    lateness = club.clocks.record_lateness()
    clock.advance(91)
    changes = await club.clocks.tick([(i, clock.now) for i in ids])
    assert sorted(c.floor.debate.id for c in changes) == ids
    assert all(c.floor.clock.phase_index == 1 for c in changes)
    assert lateness == [0.0, 0.0, 0.0]

    # A clock row no rule can read makes the shared unit fail: the others still move.
    async with club.database.write() as session:
        await session.exec(
            update(ClockRow).where(col(ClockRow.debate_id) == ids[1]).values(state="bogus")
        )
    clock.advance(90)
    with caplog.at_level(logging.ERROR, logger="agora.clock"):
        changes = await club.clocks.tick([(i, clock.now) for i in ids])
    assert sorted(c.floor.debate.id for c in changes) == [ids[0], ids[2]]
    assert all(c.floor.clock.phase_index == 2 for c in changes)
    assert f"Clock of debate {ids[1]} could not move" in caplog.text
    async with club.database.read() as session:
        stuck = (await session.exec(select(ClockRow).where(ClockRow.debate_id == ids[1]))).one()
    assert (stuck.phase_index, stuck.state) == (1, "bogus")


async def test_recover_resumes_running_clocks_and_finds_unshown_changes(
    database: Database, clock: FakeClock
) -> None:
    first = Club(database, clock)
    debate_id = await first.lobby("quick", PAIR)
    started = await first.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    await first.clocks.shown(
        debate_id=debate_id, version=started.change.floor.clock.version, thread_id=5
    )
    # The bot dies here; a new one starts on the same database.
    again = Club(database, clock)
    assert await again.clocks.recover() == []
    assert again.clocks.dispatcher.pending == 1
    assert again.clocks.is_debate_thread(5)
    clock.advance(600)
    (change,) = await again.clocks.tick([(debate_id, clock.now)])
    started_late = change.happenings[0]
    assert isinstance(started_late, PhaseStarted)
    assert started_late.late_by == timedelta(seconds=510)
    # A change committed but never shown (a crash before the announcement) is found.
    third = Club(database, clock)
    (lagging,) = await third.clocks.recover()
    assert lagging.clock.phase_index == 1


async def test_the_transcript_keeps_the_floor_holders_words_and_their_edits(
    club: Club, clock: FakeClock
) -> None:
    debate_id = await club.lobby("quick", PAIR)
    started = await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    await club.clocks.shown(
        debate_id=debate_id, version=started.change.floor.clock.version, thread_id=5
    )
    await club.clocks.speak(
        thread_id=5,
        message_id=100,
        actor=Actor(FOR_1),
        text="Homework is bad.",
        posted_at=clock.now,
    )
    with pytest.raises(NotYourTurn):
        await club.clocks.speak(
            thread_id=5, message_id=101, actor=Actor(AGAINST_1), text="No!", posted_at=clock.now
        )
    assert (
        await club.clocks.speak(
            thread_id=6, message_id=102, actor=Actor(FOR_1), text="elsewhere", posted_at=clock.now
        )
        is None
    )
    clock.advance(5)
    assert await club.clocks.edited(message_id=100, text="Homework is harmful.")
    assert not await club.clocks.edited(message_id=101, text="ignored")
    (speech,) = await club.clocks.transcript(debate_id=debate_id)
    assert (speech.author_id, speech.side, speech.phase_index, speech.text) == (
        FOR_1,
        Side.FOR,
        0,
        "Homework is harmful.",
    )
    assert [text for _, text in speech.edits] == ["Homework is bad."]
    assert await club.count(SpeechRow) == 1
    assert await club.count(DebateRow) == 1


async def test_a_paused_clock_stays_paused_across_a_restart_with_its_time(
    database: Database, clock: FakeClock
) -> None:
    first = Club(database, clock)
    debate_id = await first.lobby("quick", PAIR)
    started = await first.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    clock.advance(20)
    paused = await first.clocks.move(
        guild_id=GUILD,
        debate_id=debate_id,
        event=ClockEvent.PAUSE,
        version=started.change.floor.clock.version,
        actor=Actor(CREATOR),
    )
    assert first.clocks.dispatcher.pending == 0
    clock.advance(86_400)
    again = Club(database, clock)
    await again.clocks.recover()
    assert again.clocks.dispatcher.pending == 0
    here = await again.clocks.floor_of(guild_id=GUILD, debate_id=debate_id)
    assert here.clock.state is ClockState.PAUSED
    assert here.clock.remaining == timedelta(seconds=70)
    resumed = await again.clocks.move(
        guild_id=GUILD,
        debate_id=debate_id,
        event=ClockEvent.RESUME,
        version=paused.floor.clock.version,
        actor=Actor(CREATOR),
    )
    assert resumed.floor.clock.deadline == clock.now + timedelta(seconds=70)
    assert again.clocks.dispatcher.pending == 1
