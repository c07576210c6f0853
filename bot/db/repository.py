"""The only place where rows become domain objects and back.

Keyword-only functions that take the session; the calling service owns the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import DebateRow, SignupRow
from bot.db.writer import Batch
from bot.domain.debate import Debate, DebateState, Preference, Signup


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


async def get_debate(session: AsyncSession, *, guild_id: int, debate_id: int) -> Debate | None:
    """A debate of this server by id."""
    query = select(DebateRow).where(DebateRow.id == debate_id, DebateRow.guild_id == guild_id)
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


_DEBATE_AND_SIGNUP_COLUMNS = tuple(
    col(column)
    for column in (
        DebateRow.id,
        DebateRow.guild_id,
        DebateRow.channel_id,
        DebateRow.creator_id,
        DebateRow.motion,
        DebateRow.format_key,
        DebateRow.state,
        DebateRow.created_at,
        DebateRow.lobby_message_id,
        DebateRow.closed_at,
        SignupRow.user_id,
        SignupRow.preference,
        SignupRow.joined_at,
    )
)


async def debate_with_signups(
    session: AsyncSession, *, guild_id: int, debate_id: int, for_update: bool = False
) -> tuple[Debate, tuple[Signup, ...]] | None:
    """A debate of this server and its sign-ups (earliest first), in one query.

    This is on the hot path of every click, hence one round trip and no ORM objects;
    ``for_update`` locks the debate's row until the commit.
    """
    query = (
        core_select(*_DEBATE_AND_SIGNUP_COLUMNS)
        .select_from(DebateRow)
        .outerjoin(SignupRow, col(SignupRow.debate_id) == col(DebateRow.id))
        .where(col(DebateRow.id) == debate_id, col(DebateRow.guild_id) == guild_id)
        .order_by(col(SignupRow.joined_at), col(SignupRow.id))
    )
    if for_update:
        query = query.with_for_update(of=DebateRow)
    # sqlmodel types ``exec`` for at most four columns; the statement itself is plain Core.
    rows = (await session.exec(cast(Any, query))).all()
    if not rows:
        return None
    first = rows[0]
    debate = Debate(
        id=first[0],
        guild_id=first[1],
        channel_id=first[2],
        creator_id=first[3],
        motion=first[4],
        format_key=first[5],
        state=DebateState(first[6]),
        created_at=_utc(first[7]),
        lobby_message_id=first[8],
        closed_at=_utc(first[9]) if first[9] else None,
    )
    signups = tuple(
        Signup(row[10], Preference(row[11]), _utc(row[12])) for row in rows if row[10] is not None
    )
    return debate, signups


async def signups_of(session: AsyncSession, *, debate_id: int) -> tuple[Signup, ...]:
    """The debate's sign-ups, earliest first."""
    rows = await session.exec(
        select(SignupRow.user_id, SignupRow.preference, SignupRow.joined_at)
        .where(SignupRow.debate_id == debate_id)
        .order_by(col(SignupRow.joined_at), col(SignupRow.id))
    )
    return tuple(Signup(user, Preference(pref), _utc(when)) for user, pref, when in rows)


def _upsert_signup(dialect: Any) -> Any:
    statement = dialect.insert(SignupRow)
    return statement.on_conflict_do_update(
        index_elements=["debate_id", "user_id"],
        set_={"preference": statement.excluded.preference},
    )


# Built once: building ``excluded`` per call costs more than running the statement.
_UPSERT_SIGNUP = {"postgresql": _upsert_signup(postgresql), "sqlite": _upsert_signup(sqlite)}


def save_signup(batch: Batch, *, debate_id: int, signup: Signup) -> None:
    """Insert a member's sign-up or change its preference, when the batch commits."""
    batch.later(
        _UPSERT_SIGNUP[batch.session.get_bind().dialect.name],
        {
            "debate_id": debate_id,
            "user_id": signup.user_id,
            "preference": signup.preference.value,
            "joined_at": signup.joined_at,
        },
    )


_DELETE_SIGNUP = delete(SignupRow).where(
    col(SignupRow.debate_id) == bindparam("debate_id"),
    col(SignupRow.user_id) == bindparam("user_id"),
)


def delete_signup(batch: Batch, *, debate_id: int, user_id: int) -> None:
    """Remove a member's sign-up, when the batch commits."""
    batch.later(_DELETE_SIGNUP, {"debate_id": debate_id, "user_id": user_id})
