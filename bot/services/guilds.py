"""A server's settings: its moderator role and how speaking turns are kept."""

from __future__ import annotations

from dataclasses import replace

from bot.db import repository as repo
from bot.db.database import Database
from bot.domain.guilds import GuildSettings, TurnMode


class GuildService:
    """Reading and changing a server's settings."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings (the defaults until changed)."""
        async with self._db.read() as session:
            return await repo.guild_settings(session, guild_id=guild_id)

    async def set_moderator_role(self, guild_id: int, role_id: int | None) -> GuildSettings:
        """Make members with ``role_id`` moderators of every debate (None: no such role)."""
        async with self._db.write() as session:
            current = await repo.guild_settings(session, guild_id=guild_id)
            changed = replace(current, moderator_role_id=role_id)
            await repo.save_guild_settings(session, settings=changed)
        return changed

    async def set_turns(self, guild_id: int, mode: TurnMode) -> GuildSettings:
        """Choose what happens to a message posted out of turn."""
        async with self._db.write() as session:
            current = await repo.guild_settings(session, guild_id=guild_id)
            changed = replace(current, turns=mode)
            await repo.save_guild_settings(session, settings=changed)
        return changed
