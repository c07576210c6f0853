"""The only place where rows become domain objects and back.

Keyword-only functions that take the session; the calling service owns the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import DebateRow, SignupRow
from bot.domain.debate import Debate, DebateState, Lobby, Preference, Signup


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _debate(row: DebateRow) -> Debate:
    assert row.id is not None
    return Debate(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        creator_id=row.creator_id,
        motion=row.motion,
        format_key=row.format_key,
        state=DebateState(row.state),
        created_at=_utc(row.created_at),
        lobby_message_id=row.lobby_message_id,
        closed_at=_utc(row.closed_at) if row.closed_at else None,
    )


async def add_debate(
    session: AsyncSession,
    *,
    guild_id: int,
    channel_id: int,
    creator_id: int,
    motion: str,
    format_key: str,
    now: datetime,
) -> Debate:
    """Store a new debate in its lobby."""
    row = DebateRow(
        guild_id=guild_id,
        channel_id=channel_id,
        creator_id=creator_id,
        motion=motion,
        format_key=format_key,
        state=DebateState.LOBBY.value,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return _debate(row)


async def get_debate(
    session: AsyncSession, *, guild_id: int, debate_id: int, for_update: bool = False
) -> Debate | None:
    """A debate of this server by id; ``for_update`` locks its row until the commit."""
    query = select(DebateRow).where(DebateRow.id == debate_id, DebateRow.guild_id == guild_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    return _debate(row) if row else None


async def active_debate_in(session: AsyncSession, *, channel_id: int) -> Debate | None:
    """The channel's debate that is open or running, if any."""
    query = select(DebateRow).where(
        DebateRow.channel_id == channel_id, col(DebateRow.closed_at).is_(None)
    )
    row = (await session.exec(query)).first()
    return _debate(row) if row else None


async def save_debate(session: AsyncSession, *, debate: Debate) -> None:
    """Write back what may change in a debate: its state, closing time and lobby message."""
    await session.exec(
        update(DebateRow)
        .where(col(DebateRow.id) == debate.id)
        .values(
            state=debate.state.value,
            closed_at=debate.closed_at,
            lobby_message_id=debate.lobby_message_id,
        )
    )


async def load_lobby(session: AsyncSession, *, debate: Debate, max_debaters: int) -> Lobby:
    """The debate's sign-ups, earliest first."""
    rows = await session.exec(
        select(SignupRow)
        .where(SignupRow.debate_id == debate.id)
        .order_by(col(SignupRow.joined_at), col(SignupRow.id))
    )
    signups = tuple(
        Signup(row.user_id, Preference(row.preference), _utc(row.joined_at)) for row in rows
    )
    return Lobby(debate.id, debate.state, max_debaters, signups)


async def save_signup(session: AsyncSession, *, debate_id: int, signup: Signup) -> None:
    """Insert a member's sign-up or change its preference."""
    changed = await session.exec(
        update(SignupRow)
        .where(col(SignupRow.debate_id) == debate_id, col(SignupRow.user_id) == signup.user_id)
        .values(preference=signup.preference.value)
    )
    if changed.rowcount == 0:
        session.add(
            SignupRow(
                debate_id=debate_id,
                user_id=signup.user_id,
                preference=signup.preference.value,
                joined_at=signup.joined_at,
            )
        )
        await session.flush()


async def delete_signup(session: AsyncSession, *, debate_id: int, user_id: int) -> None:
    """Remove a member's sign-up."""
    await session.exec(
        delete(SignupRow).where(
            col(SignupRow.debate_id) == debate_id, col(SignupRow.user_id) == user_id
        )
    )
