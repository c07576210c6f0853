"""Migrations build exactly the tables the models describe, on every back end."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.db.database import Database, alembic_config
from bot.db.models import metadata


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _downgrade_to_base(connection: Connection, url: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


async def test_upgraded_schema_matches_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_downgrade_then_upgrade_again_and_sqlite_pragmas(database: Database) -> None:
    url = database.url.render_as_string(hide_password=False)
    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade_to_base, url)
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert set(tables) <= {"alembic_version"}
    await database.upgrade()
    await database.upgrade()  # a second run is a no-op
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert {"debate", "signup", "alembic_version"} <= set(tables)
        if database.is_sqlite:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
            sync = (await connection.execute(text("PRAGMA synchronous"))).scalar()
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
            assert (mode, keys, sync, busy) == ("wal", 1, 1, 5000)
