"""A server's settings on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import pytest

from bot.db.database import Database
from bot.domain.guilds import GuildSettings, TurnMode
from bot.services.guilds import GuildService

GUILD, OTHER_GUILD, ROLE = 1_000, 1_001, 4_000


@pytest.fixture
def guilds(database: Database) -> GuildService:
    return GuildService(database)


async def test_a_new_server_has_the_defaults(guilds: GuildService) -> None:
    settings = await guilds.get(GUILD)
    assert settings == GuildSettings(GUILD, moderator_role_id=None, turns=TurnMode.STRICT)


async def test_the_moderator_role_is_set_then_cleared(guilds: GuildService) -> None:
    changed = await guilds.set_moderator_role(GUILD, ROLE)
    assert changed.moderator_role_id == ROLE
    assert await guilds.get(GUILD) == GuildSettings(GUILD, ROLE, TurnMode.STRICT)
    assert (await guilds.get(OTHER_GUILD)).moderator_role_id is None

    cleared = await guilds.set_moderator_role(GUILD, None)
    assert cleared.moderator_role_id is None
    assert (await guilds.get(GUILD)).moderator_role_id is None


async def test_turns_change_and_keep_the_role(guilds: GuildService) -> None:
    await guilds.set_moderator_role(GUILD, ROLE)
    soft = await guilds.set_turns(GUILD, TurnMode.SOFT)
    assert soft == GuildSettings(GUILD, ROLE, TurnMode.SOFT)
    assert await guilds.get(GUILD) == soft

    strict = await guilds.set_turns(GUILD, TurnMode.STRICT)
    assert (await guilds.get(GUILD)).turns is TurnMode.STRICT
    assert strict.moderator_role_id == ROLE


async def test_turns_alone_on_a_new_server(guilds: GuildService) -> None:
    await guilds.set_turns(GUILD, TurnMode.SOFT)
    assert await guilds.get(GUILD) == GuildSettings(GUILD, None, TurnMode.SOFT)
