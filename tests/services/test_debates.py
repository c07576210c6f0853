"""Lobby use cases on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.db.database import Database
from bot.db.models import DebateRow, SignupRow
from bot.db.writer import BatchWriter
from bot.domain.debate import Actor, DebateState, JoinOutcome, Preference
from bot.domain.errors import (
    AlreadyJoined,
    DebateAlreadyActive,
    DebateClosed,
    DebateNotFound,
    EmptyMotion,
    LobbyFull,
    MotionTooLong,
    NoDebateHere,
    NotJoined,
    NotModerator,
    UnknownFormat,
)
from bot.formats import builtin_formats
from bot.services.debates import DebateService
from bot.services.formats import FormatCatalog
from bot.services.guilds import GuildService
from tests.conftest import FakeClock

GUILD, CHANNEL, CREATOR = 1_000, 2_000, 3_000


@pytest.fixture
def service(database: Database, clock: FakeClock) -> DebateService:
    return DebateService(
        database, BatchWriter(database), FormatCatalog(database, builtin_formats(), clock), clock
    )


async def count(database: Database, model: type[DebateRow] | type[SignupRow]) -> int:
    async with database.read() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def new_debate(service: DebateService, fmt: str = "oxford", channel: int = CHANNEL) -> int:
    snapshot = await service.create(
        guild_id=GUILD,
        channel_id=channel,
        creator_id=CREATOR,
        motion="This House would ban homework",
        format_key=fmt,
    )
    return snapshot.debate.id


async def test_create_stores_the_debate_in_its_lobby(
    service: DebateService, database: Database, clock: FakeClock
) -> None:
    snapshot = await service.create(
        guild_id=GUILD,
        channel_id=CHANNEL,
        creator_id=CREATOR,
        motion="  This House   would ban homework ",
        format_key="Quick",
    )
    assert snapshot.debate.motion == "This House would ban homework"
    assert snapshot.format.key == "quick"
    stored = await service.in_channel(channel_id=CHANNEL)
    assert stored.debate == snapshot.debate
    assert stored.debate.state is DebateState.LOBBY
    assert stored.debate.created_at == clock.now


@pytest.mark.parametrize(
    ("motion", "fmt", "error"),
    [
        ("   ", "oxford", EmptyMotion),
        ("x" * 301, "oxford", MotionTooLong),
        ("This House would ban homework", "british-parliamentary", UnknownFormat),
    ],
)
async def test_bad_input_stores_nothing(
    service: DebateService,
    database: Database,
    motion: str,
    fmt: str,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await service.create(
            guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, motion=motion, format_key=fmt
        )
    assert await count(database, DebateRow) == 0


async def test_one_active_debate_per_channel(service: DebateService, database: Database) -> None:
    first = await new_debate(service)
    with pytest.raises(DebateAlreadyActive) as caught:
        await new_debate(service)
    assert caught.value.debate_id == first
    await new_debate(service, channel=CHANNEL + 1)
    await service.cancel(channel_id=CHANNEL, actor=Actor(CREATOR))
    await new_debate(service)
    assert await count(database, DebateRow) == 3


async def test_concurrent_creates_in_one_channel_make_one_debate(
    service: DebateService, database: Database
) -> None:
    results = await asyncio.gather(
        *(new_debate(service) for _ in range(10)), return_exceptions=True
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert all(isinstance(r, int | DebateAlreadyActive) for r in results)
    assert await count(database, DebateRow) == 1


async def test_join_switch_leave(service: DebateService) -> None:
    debate_id = await new_debate(service)
    _, joined = await service.join(
        guild_id=GUILD, debate_id=debate_id, user_id=11, preference=Preference.FOR
    )
    assert joined.outcome is JoinOutcome.JOINED
    _, switched = await service.join(
        guild_id=GUILD, debate_id=debate_id, user_id=11, preference=Preference.AGAINST
    )
    assert switched.outcome is JoinOutcome.SWITCHED
    with pytest.raises(AlreadyJoined):
        await service.join(
            guild_id=GUILD, debate_id=debate_id, user_id=11, preference=Preference.AGAINST
        )
    snapshot = await service.snapshot(guild_id=GUILD, debate_id=debate_id)
    assert [(s.user_id, s.preference) for s in snapshot.lobby.signups] == [(11, Preference.AGAINST)]
    _, removed = await service.leave(guild_id=GUILD, debate_id=debate_id, user_id=11)
    assert removed.preference is Preference.AGAINST
    with pytest.raises(NotJoined):
        await service.leave(guild_id=GUILD, debate_id=debate_id, user_id=11)
    assert (await service.snapshot(guild_id=GUILD, debate_id=debate_id)).lobby.signups == ()


async def test_a_debate_of_another_server_is_not_found(service: DebateService) -> None:
    debate_id = await new_debate(service)
    with pytest.raises(DebateNotFound):
        await service.join(
            guild_id=GUILD + 1, debate_id=debate_id, user_id=11, preference=Preference.FOR
        )


async def test_a_cancelled_debate_takes_no_sign_ups(
    service: DebateService, database: Database
) -> None:
    debate_id = await new_debate(service)
    await service.join(guild_id=GUILD, debate_id=debate_id, user_id=11, preference=Preference.FOR)
    with pytest.raises(NotModerator):
        await service.cancel(channel_id=CHANNEL, actor=Actor(11))
    cancelled = await service.cancel(channel_id=CHANNEL, actor=Actor(99, manages_server=True))
    assert cancelled.debate.state is DebateState.CANCELLED
    with pytest.raises(DebateClosed):
        await service.join(
            guild_id=GUILD, debate_id=debate_id, user_id=12, preference=Preference.FOR
        )
    with pytest.raises(DebateClosed):
        await service.leave(guild_id=GUILD, debate_id=debate_id, user_id=11)
    with pytest.raises(NoDebateHere):
        await service.in_channel(channel_id=CHANNEL)
    assert await count(database, SignupRow) == 1


async def test_a_member_with_the_servers_moderator_role_may_cancel(
    service: DebateService, database: Database
) -> None:
    await new_debate(service)
    await GuildService(database).set_moderator_role(GUILD, 77)
    with pytest.raises(NotModerator):
        await service.cancel(channel_id=CHANNEL, actor=Actor(11, role_ids=frozenset({78})))
    cancelled = await service.cancel(channel_id=CHANNEL, actor=Actor(11, role_ids=frozenset({77})))
    assert cancelled.debate.state is DebateState.CANCELLED


async def test_concurrent_joins_never_overfill_the_lobby(
    service: DebateService, database: Database
) -> None:
    debate_id = await new_debate(service, fmt="oxford")  # six places

    async def join(user: int) -> JoinOutcome | Exception:
        try:
            _, result = await service.join(
                guild_id=GUILD, debate_id=debate_id, user_id=user, preference=Preference.EITHER
            )
        except (LobbyFull, AlreadyJoined) as error:
            return error
        return result.outcome

    results = await asyncio.gather(*(join(100 + n) for n in range(30)))
    assert results.count(JoinOutcome.JOINED) == 6
    assert sum(isinstance(r, LobbyFull) for r in results) == 24
    assert await count(database, SignupRow) == 6


async def test_one_member_clicking_many_times_at_once_joins_once(
    service: DebateService, database: Database
) -> None:
    debate_id = await new_debate(service)
    results = await asyncio.gather(
        *(
            service.join(guild_id=GUILD, debate_id=debate_id, user_id=7, preference=Preference.FOR)
            for _ in range(25)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, tuple | AlreadyJoined) for r in results)
    assert await count(database, SignupRow) == 1
