"""The async engine and its sessions.

SQLite is one file served by one process: its connections get WAL, a busy timeout,
foreign keys and ``synchronous=NORMAL``, and this process lets one write transaction run at
a time (an asyncio lock) so that writers queue in memory instead of spinning in SQLite's
busy handler. PostgreSQL needs none of that: row locks order concurrent writers there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get(WRITER):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif options.get(SNAPSHOT, True):
        connection.exec_driver_sql("BEGIN")


SNAPSHOT = "agora_snapshot"
"""Execution option: False lets each statement of a SQLite read see the latest commit."""
WRITER = "agora_writer"
"""Execution option: the transaction takes SQLite's write lock as it begins (BEGIN
IMMEDIATE), waiting up to ``busy_timeout`` for another process that holds it. A plain BEGIN
would read first and then fail at once ("database is locked") on its first write, because
SQLite cannot wait for a lock a reading transaction upgrades."""


class Database:
    """One engine, its session factory, and the schema migrations."""

    def __init__(
        self, url: str, *, echo: bool = False, connect_args: dict[str, Any] | None = None
    ) -> None:
        self.url = make_url(url)
        self.connect_args = connect_args or {}
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo, "connect_args": self.connect_args}
        if not self.is_sqlite:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_connect)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[AsyncSession]:
        """A session for reading; nothing it does is committed. ``snapshot=False`` is for
        hot reads of one statement: on SQLite it skips the BEGIN (a round trip to the
        driver's thread), so each statement sees the latest commit on its own."""
        async with self.sessions() as session:
            if not snapshot:
                await session.connection(execution_options={SNAPSHOT: False})
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed when the block ends without an error."""
        async with self._write_lock or nullcontext(), self.sessions() as session, session.begin():
            if self.is_sqlite:
                await session.connection(execution_options={WRITER: True})
            yield session

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade, self.url.render_as_string(hide_password=False))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the migrations that ship in the ``migrations`` package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, url: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
