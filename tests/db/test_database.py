"""The engine's sessions on SQLite: reads in a snapshot, and hot reads without one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.conftest import close_database, open_database


async def test_a_read_sees_one_snapshot_unless_asked_not_to(tmp_path: Path) -> None:
    db, schema = await open_database("sqlite", tmp_path)
    try:
        async with db.write() as session:
            await session.exec(text("CREATE TABLE counter (n INTEGER)"))
            await session.exec(text("INSERT INTO counter VALUES (1)"))
        seen: dict[bool, list[int]] = {}
        for snapshot in (True, False):
            async with db.read(snapshot=snapshot) as session:
                first = (await session.exec(text("SELECT n FROM counter"))).one()[0]
                async with db.write() as writer:
                    await writer.exec(text("UPDATE counter SET n = n + 1"))
                second = (await session.exec(text("SELECT n FROM counter"))).one()[0]
            seen[snapshot] = [first, second]
        assert seen == {True: [1, 1], False: [2, 3]}
    finally:
        await close_database(db, schema)
