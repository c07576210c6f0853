"""Group commit: many small units of work share one transaction.

The hot paths (a burst of clicks on a lobby, later a burst of votes) are many tiny writes.
A transaction per click costs several driver round trips, and under load every round trip
waits a full turn of the busy event loop. Here a single writer task takes every unit that
is waiting and runs them one after another in one transaction: a unit reads what it needs
(``Batch.cache`` keeps what earlier units of the batch loaded and changed), checks the
rule, and queues its writes with ``Batch.later``. The queued writes run just before the
single commit, each statement as one ``executemany`` (writes to one table keep their
order; see ``_rounds``); only then is
each caller told its result, so a caller that hears "done" is durable.

At shutdown ``close`` refuses new units and waits for the batch under way and every unit
already waiting to commit, so the database is closed only after the last batch.

Contract for a unit: it may raise ``DomainError`` only before it queues a write or changes
the cache, so a refused unit leaves nothing behind. Any other error rolls the batch back
and its units are retried one by one, so only the culprit fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.sql import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.database import Database
from bot.domain.errors import DomainError

T = TypeVar("T")


@dataclass(eq=False)
class Batch:
    """What a unit of work is given: the shared session, a cache, and a write queue."""

    session: AsyncSession
    cache: dict[Any, Any] = field(default_factory=dict)
    _writes: list[tuple[Executable, dict[str, Any]]] = field(default_factory=list)

    def later(self, statement: Executable, params: dict[str, Any]) -> None:
        """Queue a write; queued writes run in order just before the commit."""
        self._writes.append((statement, params))

    async def flush(self) -> None:
        """Run the queued writes: each statement's writes as one ``executemany`` per round."""
        connection = await self.session.connection()
        for round_ in _rounds(self._writes):
            for statement, params in round_:
                await connection.execute(statement, params)
        self._writes.clear()


def _table(statement: Executable) -> object:
    """The table a DML statement writes (the statement itself for anything else)."""
    return getattr(statement, "table", statement)


def _rounds(
    writes: list[tuple[Executable, dict[str, Any]]],
) -> list[list[tuple[Executable, list[dict[str, Any]]]]]:
    """Group queued writes so that each statement runs once per round, keeping every order
    that matters.

    A round holds at most one statement per table, so writes to one table keep their order
    (a sign-up, its withdrawal and a new sign-up are three rounds); writes to different
    tables in a round do not depend on each other's order (a vote and its history row), and
    the statements run in the order they first appeared, parents before children.
    """
    rounds: list[list[tuple[Executable, list[dict[str, Any]]]]] = []
    current: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}
    tables: dict[int, int] = {}  # id(table) -> id(the statement writing it this round)
    for statement, params in writes:
        table = id(_table(statement))
        if tables.get(table, id(statement)) != id(statement):
            rounds.append(list(current.values()))
            current, tables = {}, {}
        tables[table] = id(statement)
        current.setdefault(id(statement), (statement, []))[1].append(params)
    if current:
        rounds.append(list(current.values()))
    return rounds


Unit = Callable[[Batch], Awaitable[Any]]


class WriterClosed(RuntimeError):
    """A unit came after ``BatchWriter.close``: the bot is shutting down."""


class BatchWriter:
    """Runs units of work in shared transactions, one writer at a time."""

    def __init__(self, db: Database, *, max_batch: int = 2048) -> None:
        self._db = db
        self._max_batch = max_batch
        self._waiting: list[tuple[Unit, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def run(self, unit: Callable[[Batch], Awaitable[T]]) -> T:
        """Run ``unit`` in the next shared transaction; returns once that has committed."""
        if self._closed:
            raise WriterClosed("the writer is closed: the bot is shutting down")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((unit, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="batch-writer")
        return await future

    async def close(self) -> None:
        """Take no more units and wait until every unit already taken has committed."""
        self._closed = True
        while self._task is not None and not self._task.done():
            # ``wait`` rather than ``await``: a failure of the task is its units' to report.
            await asyncio.wait([self._task])

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            await self._commit(batch)

    async def _commit(self, units: list[tuple[Unit, asyncio.Future[Any]]]) -> None:
        outcomes: list[tuple[asyncio.Future[Any], BaseException | None, Any]] = []
        try:
            async with self._db.write() as session:
                batch = Batch(session)
                for unit, future in units:
                    try:
                        outcomes.append((future, None, await unit(batch)))
                    except DomainError as refused:
                        outcomes.append((future, refused, None))
                await batch.flush()
        except Exception as error:
            if len(units) == 1:
                outcomes = [(units[0][1], error, None)]
            else:
                for item in units:
                    await self._commit([item])
                return
        for future, refusal, result in outcomes:
            if future.done():
                continue
            if refusal is not None:
                future.set_exception(refusal)
            else:
                future.set_result(result)
