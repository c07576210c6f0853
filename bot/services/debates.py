"""Use cases of a debate's lobby: create, join, leave, look, cancel.

Each is one transaction: load, apply one domain rule, save, return what happened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import repository as repo
from bot.db.database import Database
from bot.db.writer import Batch, BatchWriter
from bot.domain import debate as rules
from bot.domain import drafts
from bot.domain.debate import Actor, Debate, DebateEvent, JoinResult, Lobby, Preference, Signup
from bot.domain.errors import (
    DebateAlreadyActive,
    DebateNotFound,
    DraftNotFound,
    NoDebateHere,
)
from bot.domain.formats import DebateFormat
from bot.services.formats import FormatCatalog
from bot.services.guilds import require_moderator

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class LobbySnapshot:
    """A debate with its sign-ups and format, as one transaction saw them."""

    debate: Debate
    lobby: Lobby
    format: DebateFormat


class DebateService:
    """The lobby's use cases over one database."""

    def __init__(
        self,
        db: Database,
        writer: BatchWriter,
        formats: FormatCatalog,
        clock: Clock,
    ) -> None:
        self._db = db
        self._writer = writer
        self.formats = formats
        self._clock = clock

    async def create(
        self, *, guild_id: int, channel_id: int, creator_id: int, motion: str, format_key: str
    ) -> LobbySnapshot:
        """Open a debate's lobby in a channel that has no active debate."""
        text = rules.clean_motion(motion)
        fmt = await self.formats.get(guild_id, format_key)

        async def store(session: AsyncSession) -> Debate:
            return await repo.add_debate(
                session,
                guild_id=guild_id,
                channel_id=channel_id,
                creator_id=creator_id,
                motion=text,
                format_key=fmt.key,
                now=self._clock(),
            )

        return await self._open(channel_id, fmt, store)

    async def open_from_draft(
        self, *, guild_id: int, draft_id: int, user_id: int, motion: str | None = None
    ) -> LobbySnapshot:
        """Open a debate on a draft's chosen motion (or the moderator's edit of it)."""

        async def store(session: AsyncSession) -> Debate:
            draft = await repo.get_draft(
                session, guild_id=guild_id, draft_id=draft_id, for_update=True
            )
            if draft is None:
                raise DraftNotFound(draft_id)
            used, text = drafts.use(draft, user_id, motion)
            debate = await repo.add_debate(
                session,
                guild_id=guild_id,
                channel_id=draft.channel_id,
                creator_id=user_id,
                motion=text,
                format_key=draft.format_key,
                now=self._clock(),
                article_id=draft.article_id,
            )
            await repo.save_draft(session, draft=replace(used, debate_id=debate.id))
            return debate

        async with self._db.read() as session:
            draft = await repo.get_draft(session, guild_id=guild_id, draft_id=draft_id)
        if draft is None:
            raise DraftNotFound(draft_id)
        drafts.require_open(draft, user_id)  # the answer a used draft deserves, before any other
        fmt = await self.formats.get(guild_id, draft.format_key)
        return await self._open(draft.channel_id, fmt, store)

    async def _open(
        self,
        channel_id: int,
        fmt: DebateFormat,
        store: Callable[[AsyncSession], Awaitable[Debate]],
    ) -> LobbySnapshot:
        """Store a new debate in a channel that must have no active one."""
        try:
            async with self._db.write() as session:
                existing = await repo.active_debate_in(session, channel_id=channel_id)
                if existing is not None:
                    raise DebateAlreadyActive(existing.id)
                debate = await store(session)
        except IntegrityError:
            # Another process opened one in the same instant; the partial unique index held.
            async with self._db.read() as session:
                existing = await repo.active_debate_in(session, channel_id=channel_id)
            raise DebateAlreadyActive(existing.id if existing else 0) from None
        return LobbySnapshot(debate, Lobby(debate.id, debate.state, fmt.max_debaters), fmt)

    async def attach_lobby_message(self, *, guild_id: int, debate_id: int, message_id: int) -> None:
        """Remember which message shows the lobby, so it can be kept up to date."""
        async with self._db.write() as session:
            debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
            if debate is None:
                raise DebateNotFound(debate_id)
            await repo.save_debate(session, debate=replace(debate, lobby_message_id=message_id))

    async def join(
        self, *, guild_id: int, debate_id: int, user_id: int, preference: Preference
    ) -> tuple[LobbySnapshot, JoinResult]:
        """Sign a member up for a debate, or switch their preference (a hot path: batched)."""

        async def unit(batch: Batch) -> tuple[LobbySnapshot, JoinResult]:
            snapshot = await self._locked(batch, guild_id, debate_id)
            result = rules.join(snapshot.lobby, user_id, preference, self._clock())
            signup = result.lobby.signup_of(user_id)
            assert signup is not None
            repo.save_signup(batch, debate_id=debate_id, signup=signup)
            return _remember(batch, replace(snapshot, lobby=result.lobby)), result

        return await self._writer.run(unit)

    async def leave(
        self, *, guild_id: int, debate_id: int, user_id: int
    ) -> tuple[LobbySnapshot, Signup]:
        """Withdraw a member's sign-up (a hot path: batched)."""

        async def unit(batch: Batch) -> tuple[LobbySnapshot, Signup]:
            snapshot = await self._locked(batch, guild_id, debate_id)
            lobby, removed = rules.leave(snapshot.lobby, user_id)
            repo.delete_signup(batch, debate_id=debate_id, user_id=user_id)
            return _remember(batch, replace(snapshot, lobby=lobby)), removed

        return await self._writer.run(unit)

    async def snapshot(self, *, guild_id: int, debate_id: int) -> LobbySnapshot:
        """The debate and its lobby as they are now."""
        async with self._db.read() as session:
            return await self._snapshot(session, guild_id, debate_id)

    async def in_channel(self, *, channel_id: int) -> LobbySnapshot:
        """The channel's active debate, or ``NoDebateHere``."""
        async with self._db.read() as session:
            debate = await repo.active_debate_in(session, channel_id=channel_id)
            if debate is None:
                raise NoDebateHere("no active debate in this channel")
            return await self._with_lobby(session, debate)

    async def around(self, *, channel_id: int) -> Debate:
        """The debate a command is about: the one whose thread this is, or the channel's latest."""
        async with self._db.read() as session:
            record = await repo.clock_in_thread(session, thread_id=channel_id)
            if record is not None:
                debate = await repo.debate_by_id(session, debate_id=record.debate_id)
            else:
                debate = await repo.latest_debate_in(session, channel_id=channel_id)
        if debate is None:
            raise NoDebateHere("no debate in this channel")
        return debate

    async def cancel(self, *, channel_id: int, actor: Actor) -> LobbySnapshot:
        """Close the channel's active debate; only its moderators may."""
        async with self._db.write() as session:
            debate = await repo.active_debate_in(session, channel_id=channel_id)
            if debate is None:
                raise NoDebateHere("no active debate in this channel")
            await require_moderator(session, debate, actor, "cancel")
            closed = rules.apply(debate, DebateEvent.CANCEL, self._clock())
            await repo.save_debate(session, debate=closed)
            return await self._with_lobby(session, closed)

    async def _locked(self, batch: Batch, guild_id: int, debate_id: int) -> LobbySnapshot:
        """The debate as this batch has it, its row locked until the batch commits.

        The lock makes this transaction the only writer of the debate's lobby, so what an
        earlier unit of the batch saw and changed is still true and is not read again.
        """
        cached: LobbySnapshot | None = batch.cache.get(("lobby", debate_id))
        if cached is not None and cached.debate.guild_id == guild_id:
            return cached
        return _remember(batch, await self._snapshot(batch.session, guild_id, debate_id, lock=True))

    async def _snapshot(
        self, session: AsyncSession, guild_id: int, debate_id: int, *, lock: bool = False
    ) -> LobbySnapshot:
        found = await repo.debate_with_signups(
            session, guild_id=guild_id, debate_id=debate_id, for_update=lock
        )
        if found is None:
            raise DebateNotFound(debate_id)
        debate, signups = found
        fmt = await self.formats.resolve(session, guild_id, debate.format_key)
        return LobbySnapshot(debate, Lobby(debate.id, debate.state, fmt.max_debaters, signups), fmt)

    async def _with_lobby(self, session: AsyncSession, debate: Debate) -> LobbySnapshot:
        fmt = await self.formats.resolve(session, debate.guild_id, debate.format_key)
        signups = await repo.signups_of(session, debate_id=debate.id)
        return LobbySnapshot(debate, Lobby(debate.id, debate.state, fmt.max_debaters, signups), fmt)


def _remember(batch: Batch, snapshot: LobbySnapshot) -> LobbySnapshot:
    batch.cache[("lobby", snapshot.debate.id)] = snapshot
    return snapshot
