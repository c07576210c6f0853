"""A server's own formats on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.db.database import Database
from bot.db.models import FormatRow
from bot.domain.errors import InvalidFormat, UnknownFormat
from bot.formats import builtin_formats
from bot.services.formats import FormatCatalog
from tests.conftest import FakeClock
from tests.support.formats import HOUSE_RULES

GUILD, OTHER_GUILD, ADMIN = 1_000, 1_001, 3_000


BROKEN = """\
name = "Broken"
description = "Two mistakes, each on its own line."
vote = "majority"
debaters_per_side = { min = 1, max = 1 }

[[phase]]
name = "Opening"
speaker = "moderator"
seconds = 60

[[phase]]
name = "Closing"
speaker = "against"
seconds = -5
"""


@pytest.fixture
def catalog(database: Database, clock: FakeClock) -> FormatCatalog:
    return FormatCatalog(database, builtin_formats(), clock)


async def stored(database: Database) -> int:
    async with database.read() as session:
        return (await session.exec(select(func.count()).select_from(FormatRow))).one()


async def test_a_saved_format_resolves_and_is_listed(
    catalog: FormatCatalog, database: Database, clock: FakeClock
) -> None:
    saved = await catalog.save(
        guild_id=GUILD, key=" House-Rules ", source=HOUSE_RULES, user_id=ADMIN
    )
    assert saved.created
    assert saved.format.key == "house-rules"
    assert saved.format.name == "House rules"
    assert [p.seconds for p in saved.format.phases] == [120, 120, 180]
    assert saved.format.total_seconds == 420

    assert await catalog.get(GUILD, "house-rules") == saved.format
    keys = [f.key for f in await catalog.available(GUILD)]
    assert keys == ["lincoln-douglas", "oxford", "quick", "house-rules"]

    # Another process (a fresh catalog) reads it back from the database.
    fresh = FormatCatalog(database, builtin_formats(), clock)
    assert await fresh.get(GUILD, "HOUSE-RULES") == saved.format
    async with database.read() as session:
        row = (await session.exec(select(FormatRow))).one()
    assert (row.guild_id, row.key, row.source, row.created_by) == (
        GUILD,
        "house-rules",
        HOUSE_RULES,
        ADMIN,
    )
    # SQLite hands datetimes back without their zone; they are stored in UTC.
    assert row.created_at.replace(tzinfo=UTC) == clock.now


async def test_formats_belong_to_their_server(catalog: FormatCatalog) -> None:
    await catalog.save(guild_id=GUILD, key="house-rules", source=HOUSE_RULES, user_id=ADMIN)
    assert [f.key for f in await catalog.available(OTHER_GUILD)] == [
        "lincoln-douglas",
        "oxford",
        "quick",
    ]
    with pytest.raises(UnknownFormat) as raised:
        await catalog.get(OTHER_GUILD, "house-rules")
    assert "house-rules" not in raised.value.known


async def test_invalid_toml_is_refused_line_by_line_and_stores_nothing(
    catalog: FormatCatalog, database: Database
) -> None:
    with pytest.raises(InvalidFormat) as raised:
        await catalog.save(guild_id=GUILD, key="broken", source=BROKEN, user_id=ADMIN)
    problems = raised.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("line 8: ")
    assert "speaker" in problems[0]
    assert problems[1].startswith("line 14: ")
    assert "seconds" in problems[1]
    assert "The format 'broken' has 2 problems" in raised.value.explain()

    with pytest.raises(InvalidFormat) as syntax:
        await catalog.save(guild_id=GUILD, key="broken", source='name = "x\n', user_id=ADMIN)
    assert syntax.value.problems[0].startswith("line 1: ")

    assert await stored(database) == 0
    assert [f.key for f in await catalog.available(GUILD)] == ["lincoln-douglas", "oxford", "quick"]


@pytest.mark.parametrize(("key", "words"), [("Oxford", "built-in"), ("no spaces", "letters")])
async def test_keys_that_clash_or_are_malformed_are_refused(
    catalog: FormatCatalog, database: Database, key: str, words: str
) -> None:
    with pytest.raises(InvalidFormat) as raised:
        await catalog.save(guild_id=GUILD, key=key, source=HOUSE_RULES, user_id=ADMIN)
    assert words in raised.value.problems[0]
    assert await stored(database) == 0
    assert (await catalog.get(GUILD, "oxford")).name == "Oxford"


async def test_saving_a_key_again_replaces_the_format(
    catalog: FormatCatalog, database: Database, clock: FakeClock
) -> None:
    await catalog.save(guild_id=GUILD, key="house-rules", source=HOUSE_RULES, user_id=ADMIN)
    clock.advance(60)
    shorter = HOUSE_RULES.replace("seconds = 180", "seconds = 60")
    replaced = await catalog.save(guild_id=GUILD, key="house-rules", source=shorter, user_id=7)
    assert not replaced.created
    assert replaced.format.total_seconds == 300
    assert (await catalog.get(GUILD, "house-rules")).total_seconds == 300
    assert await stored(database) == 1
    fresh = FormatCatalog(database, builtin_formats(), clock)
    assert (await fresh.get(GUILD, "house-rules")).total_seconds == 300
