"""Debate formats: the built-in ones and each server's own, added as TOML.

A server's formats are read from the database once and kept parsed in memory (a cache of
rows that rarely change, refreshed whenever this process stores one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import repository as repo
from bot.db.database import Database
from bot.domain.errors import UnknownFormat
from bot.domain.formats import DebateFormat, check_format_key, parse_format_source

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class SavedFormat:
    """A server's format as stored, and whether it replaced an earlier one."""

    format: DebateFormat
    created: bool


class FormatCatalog:
    """Every format a server's debates can use."""

    def __init__(self, db: Database, builtin: Mapping[str, DebateFormat], clock: Clock) -> None:
        self._db = db
        self._builtin = dict(builtin)
        self._clock = clock
        self._custom: dict[int, dict[str, DebateFormat]] = {}

    @property
    def builtin(self) -> Mapping[str, DebateFormat]:
        """The formats that ship with Agora, by key."""
        return self._builtin

    async def _of(self, session: AsyncSession, guild_id: int) -> dict[str, DebateFormat]:
        known = self._custom.get(guild_id)
        if known is None:
            sources = await repo.custom_format_sources(session, guild_id=guild_id)
            known = {key: parse_format_source(key, text) for key, text in sources.items()}
            self._custom[guild_id] = known
        return known

    async def resolve(self, session: AsyncSession, guild_id: int, key: str) -> DebateFormat:
        """The format with that key in this server, or ``UnknownFormat``."""
        wanted = key.strip().lower()
        found = self._builtin.get(wanted)
        if found is not None:
            return found
        custom = await self._of(session, guild_id)
        if wanted in custom:
            return custom[wanted]
        raise UnknownFormat(key, (*self._builtin, *custom))

    async def get(self, guild_id: int, key: str) -> DebateFormat:
        """``resolve`` in a transaction of its own."""
        async with self._db.read() as session:
            return await self.resolve(session, guild_id, key)

    async def available(self, guild_id: int) -> list[DebateFormat]:
        """Every format of the server: built-in first, then its own by key."""
        async with self._db.read() as session:
            custom = await self._of(session, guild_id)
        return [*self._builtin.values(), *(custom[key] for key in sorted(custom))]

    async def save(self, *, guild_id: int, key: str, source: str, user_id: int) -> SavedFormat:
        """Check and store a server's format; ``InvalidFormat`` lists what is wrong, by line."""
        normal = check_format_key(key, tuple(self._builtin))
        fmt = parse_format_source(normal, source)
        async with self._db.write() as session:
            created = await repo.save_custom_format(
                session,
                guild_id=guild_id,
                key=normal,
                source=source,
                user_id=user_id,
                now=self._clock(),
            )
            custom = await self._of(session, guild_id)
        custom[normal] = fmt
        return SavedFormat(fmt, created)
