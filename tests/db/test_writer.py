"""The group-commit writer: batched, ordered, durable before it answers, failures isolated."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, event, func, insert, text
from sqlmodel import select

from bot.db.database import Database
from bot.db.models import DebateRow, SignupRow, VoteChangeRow, VoteRow
from bot.db.writer import Batch, BatchWriter, WriterClosed, _rounds
from bot.domain.debate import Preference
from bot.domain.errors import DomainError
from bot.formats import builtin_formats
from bot.services.debates import DebateService
from bot.services.formats import FormatCatalog
from tests.conftest import FakeClock


async def signup_rows(database: Database) -> list[tuple[int, str]]:
    async with database.read() as session:
        rows = await session.exec(select(SignupRow.user_id, SignupRow.preference))
        return sorted(rows.all())


@pytest.fixture
def writer(database: Database) -> BatchWriter:
    return BatchWriter(database)


@pytest.fixture
def service(database: Database, writer: BatchWriter, clock: FakeClock) -> DebateService:
    return DebateService(database, writer, FormatCatalog(database, builtin_formats(), clock), clock)


async def open_debate(service: DebateService, channel: int = 2) -> int:
    snapshot = await service.create(
        guild_id=1, channel_id=channel, creator_id=3, motion="A motion", format_key="oxford"
    )
    return snapshot.debate.id


async def test_many_units_share_few_transactions_and_keep_their_order(
    database: Database, service: DebateService
) -> None:
    debate_id = await open_debate(service)
    commits = 0

    def count_commit(*_: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(database.engine.sync_engine, "commit", count_commit)
    # One member joins, leaves and joins again within the same burst: order must hold.
    calls = [
        service.join(guild_id=1, debate_id=debate_id, user_id=7, preference=Preference.FOR),
        service.leave(guild_id=1, debate_id=debate_id, user_id=7),
        service.join(guild_id=1, debate_id=debate_id, user_id=7, preference=Preference.AGAINST),
        *(
            service.join(guild_id=1, debate_id=debate_id, user_id=u, preference=Preference.FOR)
            for u in (8, 9)
        ),
    ]
    await asyncio.gather(*calls)
    assert commits < len(calls)
    assert await signup_rows(database) == [(7, "against"), (8, "for"), (9, "for")]


async def test_a_refused_unit_does_not_spoil_its_batch(writer: BatchWriter) -> None:

    async def refuse(batch: Batch) -> None:
        raise DomainError("no")

    async def count_debates(batch: Batch) -> int:
        return (await batch.session.exec(select(func.count()).select_from(DebateRow))).one()

    results = await asyncio.gather(
        writer.run(refuse), writer.run(count_debates), return_exceptions=True
    )
    assert isinstance(results[0], DomainError)
    assert results[1] == 0


async def test_a_broken_unit_fails_alone_and_the_rest_commit(
    database: Database, writer: BatchWriter, service: DebateService
) -> None:
    debate_id = await open_debate(service)

    async def broken(batch: Batch) -> None:
        batch.later(text("INSERT INTO no_such_table VALUES (:x)"), {"x": 1})

    results = await asyncio.gather(
        service.join(guild_id=1, debate_id=debate_id, user_id=7, preference=Preference.FOR),
        writer.run(broken),
        service.join(guild_id=1, debate_id=debate_id, user_id=8, preference=Preference.FOR),
        return_exceptions=True,
    )
    assert not isinstance(results[0], BaseException)
    assert isinstance(results[1], Exception)
    assert not isinstance(results[1], DomainError)
    assert not isinstance(results[2], BaseException)
    assert await signup_rows(database) == [(7, "for"), (8, "for")]


@pytest.mark.parametrize("size", [1, 300])
async def test_an_answer_means_the_write_is_committed(
    database: Database, clock: FakeClock, size: int
) -> None:
    writer = BatchWriter(database, max_batch=64)
    service = DebateService(
        database, writer, FormatCatalog(database, builtin_formats(), clock), clock
    )
    ids = [await open_debate(service, channel) for channel in range(size // 6 + 1)]
    await asyncio.gather(
        *(
            service.join(guild_id=1, debate_id=ids[u // 6], user_id=u, preference=Preference.FOR)
            for u in range(size)
        )
    )
    # A second engine sees every acknowledged write.
    other = Database(
        database.url.render_as_string(hide_password=False), connect_args=database.connect_args
    )
    try:
        async with other.read() as session:
            seen = (await session.exec(select(func.count()).select_from(SignupRow))).one()
    finally:
        await other.dispose()
    assert seen == size


async def test_close_waits_for_the_last_batch_and_then_refuses_units(
    database: Database, service: DebateService, writer: BatchWriter
) -> None:
    debate_id = await open_debate(service)
    slow = asyncio.Event()

    async def held(batch: Batch) -> None:
        await slow.wait()  # a batch still running when the bot is told to stop

    first = asyncio.create_task(writer.run(held))
    await asyncio.sleep(0)
    joins = [
        asyncio.create_task(
            service.join(guild_id=1, debate_id=debate_id, user_id=u, preference=Preference.FOR)
        )
        for u in range(10, 13)
    ]
    await asyncio.sleep(0)
    closing = asyncio.create_task(writer.close())
    await asyncio.sleep(0.05)
    assert not closing.done(), "close returned while a batch was still running"
    slow.set()
    await closing
    # Everything taken before the close has committed by the time close returns.
    assert all(task.done() for task in [first, *joins])
    await asyncio.gather(first, *joins)
    assert [u for u, _ in await signup_rows(database)] == [10, 11, 12]
    with pytest.raises(WriterClosed):
        await service.join(guild_id=1, debate_id=debate_id, user_id=99, preference=Preference.FOR)
    assert len(await signup_rows(database)) == 3


def test_writes_to_different_tables_share_rounds_and_one_table_keeps_its_order() -> None:
    vote, change = insert(VoteRow), insert(VoteChangeRow)
    join, leave = insert(SignupRow), delete(SignupRow)
    rounds = _rounds([(vote, {"v": 1}), (change, {"c": 1}), (vote, {"v": 2}), (change, {"c": 2})])
    assert rounds == [[(vote, [{"v": 1}, {"v": 2}]), (change, [{"c": 1}, {"c": 2}])]]
    rounds = _rounds([(join, {"u": 1}), (leave, {"u": 1}), (join, {"u": 1}), (vote, {"v": 1})])
    assert rounds == [
        [(join, [{"u": 1}])],
        [(leave, [{"u": 1}])],
        [(join, [{"u": 1}]), (vote, [{"v": 1}])],
    ]
