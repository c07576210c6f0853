"""A server's settings: its moderator role, how speaking turns are kept, who votes, and
its defaults (debate channel, format, time zone, language)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import repository as repo
from bot.db.database import Database
from bot.domain.debate import Actor, Debate, may_moderate
from bot.domain.errors import NotModerator
from bot.domain.guilds import GuildSettings, TurnMode, check_may_configure, checked_language
from bot.domain.schedule import parse_timezone


async def require_moderator(
    session: AsyncSession, debate: Debate, actor: Actor, action: str
) -> GuildSettings:
    """The server's settings, once ``actor`` is found a moderator of ``debate`` (its creator,
    Manage Server, or the server's moderator role); ``NotModerator`` otherwise."""
    settings = await repo.guild_settings(session, guild_id=debate.guild_id)
    if not may_moderate(debate, actor, settings.moderator_role_id):
        raise NotModerator(f"only a moderator may {action}")
    return settings


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
        return await self._change(guild_id, moderator_role_id=role_id)

    async def set_turns(self, guild_id: int, mode: TurnMode) -> GuildSettings:
        """Choose what happens to a message posted out of turn."""
        return await self._change(guild_id, turns=mode)

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
        given = {
            "debaters_may_vote": debaters_may_vote,
            "voter_min_days": voter_min_days,
            "voters_in_voice": voters_in_voice,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if not isinstance(voter_role_id, Unset):
            changes["voter_role_id"] = voter_role_id
        return await self._change(guild_id, **changes)

    async def for_moderator(self, guild_id: int, actor: Actor) -> GuildSettings:
        """The server's settings, to one of its moderators (``SettingsRefused`` otherwise)."""
        async with self._db.read() as session:
            settings = await repo.guild_settings(session, guild_id=guild_id)
        check_may_configure(settings, actor, frozenset())
        return settings

    async def configure(
        self,
        guild_id: int,
        actor: Actor,
        *,
        moderator_role_id: int | Unset | None = UNSET,
        debate_channel_id: int | Unset | None = UNSET,
        default_format: str | Unset | None = UNSET,
        timezone: str | None = None,
        language: str | None = None,
        turns: TurnMode | None = None,
        debaters_may_vote: bool | None = None,
        voters_in_voice: bool | None = None,
        voter_min_days: int | None = None,
    ) -> GuildSettings:
        """Change settings as ``actor`` (a moderator; only Manage Server for the moderator
        role); arguments left out keep their value. The format key is not checked here:
        the caller resolves it against the server's formats."""
        changes: dict[str, Any] = {}
        for name, value in (
            ("moderator_role_id", moderator_role_id),
            ("debate_channel_id", debate_channel_id),
            ("default_format", default_format),
        ):
            if not isinstance(value, Unset):
                changes[name] = value
        if timezone is not None:
            changes["timezone"] = parse_timezone(timezone)
        if language is not None:
            changes["language"] = checked_language(language)
        given = {
            "turns": turns,
            "debaters_may_vote": debaters_may_vote,
            "voters_in_voice": voters_in_voice,
            "voter_min_days": voter_min_days,
        }
        changes.update({k: v for k, v in given.items() if v is not None})
        async with self._db.write() as session:
            current = await repo.guild_settings(session, guild_id=guild_id)
            check_may_configure(current, actor, frozenset(changes))
            changed = replace(current, **changes)
            if changed != current:
                await repo.save_guild_settings(session, settings=changed)
        return changed

    async def _change(self, guild_id: int, **changes: Any) -> GuildSettings:
        """Load the server's settings, change some, store them: one transaction."""
        async with self._db.write() as session:
            current = await repo.guild_settings(session, guild_id=guild_id)
            changed = replace(current, **changes)
            await repo.save_guild_settings(session, settings=changed)
        return changed
