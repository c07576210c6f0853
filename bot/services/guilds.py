"""A server's settings: its moderator role and how speaking turns are kept."""

from __future__ import annotations

from dataclasses import replace

from bot.db import repository as repo
from bot.db.database import Database
from bot.domain.guilds import GuildSettings, TurnMode


class Unset:
    """The type of ``UNSET``: an argument left out, where None means "clear it"."""


UNSET = Unset()


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

    async def set_voting(
        self,
        guild_id: int,
        *,
        debaters_may_vote: bool | None = None,
        voter_role_id: int | Unset | None = UNSET,
        voter_min_days: int | None = None,
        voters_in_voice: bool | None = None,
    ) -> GuildSettings:
        """Change who may vote; arguments left out keep their value."""
        async with self._db.write() as session:
            current = await repo.guild_settings(session, guild_id=guild_id)
            changed = replace(
                current,
                debaters_may_vote=(
                    current.debaters_may_vote if debaters_may_vote is None else debaters_may_vote
                ),
                voter_role_id=(
                    current.voter_role_id if isinstance(voter_role_id, Unset) else voter_role_id
                ),
                voter_min_days=current.voter_min_days if voter_min_days is None else voter_min_days,
                voters_in_voice=(
                    current.voters_in_voice if voters_in_voice is None else voters_in_voice
                ),
            )
            await repo.save_guild_settings(session, settings=changed)
        return changed
