"""Fixtures shared by every test: a real database on each back end that is available."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import EXTENSIONS, Agora, Services
from bot.db.database import Database
from bot.sandbox.apispec import SpecValidator
from bot.settings import Settings
from bot.ui.i18n import CatalogueTranslator
from tests.support.harness import ErrorLogs

POSTGRES_URL = os.environ.get("AGORA_TEST_POSTGRES_URL")
NO_POSTGRES = "AGORA_TEST_POSTGRES_URL is not set (.ci/run sets it to the local PostgreSQL)"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=pytest.mark.skipif(POSTGRES_URL is None, reason=NO_POSTGRES),
    ),
]


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def open_database(backend: str, tmp_path: Path) -> tuple[Database, str | None]:
    """A migrated, empty database; for PostgreSQL, in a schema of its own."""
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}")
        await db.upgrade()
        return db, None
    assert POSTGRES_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(POSTGRES_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    await admin.dispose()
    db = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    await db.upgrade()
    return db, schema


async def close_database(db: Database, schema: str | None) -> None:
    """Dispose of the engine and drop the test's schema."""
    await db.dispose()
    if schema is not None and POSTGRES_URL is not None:
        admin = Database(POSTGRES_URL)
        async with admin.engine.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    db, schema = await open_database(request.param, tmp_path)
    try:
        yield db
    finally:
        await close_database(db, schema)


SHARED = Path(__file__).resolve().parents[2] / "shared"
SPEC_PATH = SHARED / "discord-api-spec" / "openapi.json"


@pytest.fixture(scope="session")
def spec() -> SpecValidator | None:
    """Discord's OpenAPI description (``../shared``), loaded once; None where it is absent."""
    if not SPEC_PATH.is_file():
        logging.getLogger("tests").warning("REST exchanges are not checked: no %s", SPEC_PATH)
        return None
    return SpecValidator.from_file(SPEC_PATH)


@pytest.fixture
def error_logs() -> Iterator[ErrorLogs]:
    """Fails the test if anything logged an ERROR that the test did not take."""
    handler = ErrorLogs()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    assert [f"{r.name}: {r.getMessage()}" for r in handler.records] == []


@pytest.fixture
async def loaded_bot(tmp_path: Path) -> AsyncIterator[Agora]:
    """The bot with every extension loaded and its translator set, never connected."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    await db.upgrade()  # the debate cog resumes running debates from the database as it loads
    async with Agora(Settings(discord_token="x"), Services.build(db)) as bot:
        for extension in EXTENSIONS:
            await bot.load_extension(extension)
        await bot.tree.set_translator(CatalogueTranslator())
        yield bot
    await db.dispose()
