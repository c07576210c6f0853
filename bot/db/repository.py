"""The only place where rows become domain objects and back.

Keyword-only functions that take the session; the calling service owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ArticleRow, DebateRow, MotionDraftRow, SignupRow
from bot.db.writer import Batch
from bot.domain.debate import Debate, DebateState, Preference, Signup
from bot.domain.drafts import Draft, DraftState, StoredArticle
from bot.domain.thesis import Article, Candidate


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _debate_from(values: Mapping[str, Any]) -> Debate:
    closed_at = values["closed_at"]
    return Debate(
        id=values["id"],
        guild_id=values["guild_id"],
        channel_id=values["channel_id"],
        creator_id=values["creator_id"],
        motion=values["motion"],
        format_key=values["format_key"],
        state=DebateState(values["state"]),
        created_at=_utc(values["created_at"]),
        lobby_message_id=values["lobby_message_id"],
        closed_at=_utc(closed_at) if closed_at else None,
        article_id=values["article_id"],
    )


def _debate(row: DebateRow) -> Debate:
    return _debate_from(row.model_dump())


async def add_debate(
    session: AsyncSession,
    *,
    guild_id: int,
    channel_id: int,
    creator_id: int,
    motion: str,
    format_key: str,
    now: datetime,
    article_id: int | None = None,
) -> Debate:
    """Store a new debate in its lobby."""
    row = DebateRow(
        article_id=article_id,
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


_SIGNUP_COLUMNS: tuple[Any, ...] = (
    col(SignupRow.user_id).label("signup_user_id"),
    col(SignupRow.preference).label("signup_preference"),
    col(SignupRow.joined_at).label("signup_joined_at"),
)


async def debate_with_signups(
    session: AsyncSession, *, guild_id: int, debate_id: int, for_update: bool = False
) -> tuple[Debate, tuple[Signup, ...]] | None:
    """A debate of this server and its sign-ups (earliest first), in one query.

    This is on the hot path of every click, hence one round trip and no ORM objects;
    ``for_update`` locks the debate's row until the commit.
    """
    query = (
        core_select(cast(Any, DebateRow).__table__, *_SIGNUP_COLUMNS)
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
    debate = _debate_from(rows[0]._mapping)
    signups = tuple(
        Signup(r.signup_user_id, Preference(r.signup_preference), _utc(r.signup_joined_at))
        for r in rows
        if r.signup_user_id is not None
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


def _stored_article(row: ArticleRow) -> StoredArticle:
    assert row.id is not None
    article = Article(
        title=row.title,
        subtitle=row.subtitle,
        author=row.author,
        site=row.site,
        date=row.published,
        text=row.text,
        url=row.url or "",
    )
    return StoredArticle(row.id, article, row.filename, row.content_hash)


async def add_article(
    session: AsyncSession,
    *,
    guild_id: int,
    article: Article,
    filename: str | None,
    content_hash: str,
    now: datetime,
) -> StoredArticle:
    """Store an article's extracted text and where it came from."""
    row = ArticleRow(
        guild_id=guild_id,
        url=article.url or None,
        filename=filename,
        title=article.title[:500],
        subtitle=article.subtitle[:1000],
        author=article.author[:300],
        site=article.site[:300],
        published=article.date[:40],
        content_hash=content_hash,
        text=article.text,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return _stored_article(row)


async def get_article(session: AsyncSession, *, article_id: int) -> StoredArticle | None:
    """An article by id."""
    row = await session.get(ArticleRow, article_id)
    return _stored_article(row) if row else None


def _draft(row: MotionDraftRow) -> Draft:
    assert row.id is not None
    return Draft(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        moderator_id=row.moderator_id,
        article_id=row.article_id,
        format_key=row.format_key,
        candidates=tuple(
            Candidate(c["motion"], c["sentence"], float(c["score"])) for c in row.candidates
        ),
        chosen=row.chosen,
        state=DraftState(row.state),
        debate_id=row.debate_id,
    )


async def add_draft(
    session: AsyncSession,
    *,
    guild_id: int,
    channel_id: int,
    moderator_id: int,
    article_id: int,
    format_key: str,
    candidates: tuple[Candidate, ...],
    now: datetime,
) -> Draft:
    """Store candidate motions for the moderator to choose from."""
    row = MotionDraftRow(
        guild_id=guild_id,
        channel_id=channel_id,
        moderator_id=moderator_id,
        article_id=article_id,
        format_key=format_key,
        candidates=[
            {"motion": c.motion, "sentence": c.sentence, "score": c.score} for c in candidates
        ],
        chosen=0,
        state=DraftState.OPEN.value,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return _draft(row)


async def get_draft(
    session: AsyncSession, *, guild_id: int, draft_id: int, for_update: bool = False
) -> Draft | None:
    """A draft of this server by id; ``for_update`` locks it until the commit."""
    query = select(MotionDraftRow).where(
        MotionDraftRow.id == draft_id, MotionDraftRow.guild_id == guild_id
    )
    if for_update:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    return _draft(row) if row else None


async def save_draft(session: AsyncSession, *, draft: Draft) -> None:
    """Write back what may change in a draft: the choice, its state, its debate."""
    await session.exec(
        update(MotionDraftRow)
        .where(col(MotionDraftRow.id) == draft.id)
        .values(chosen=draft.chosen, state=draft.state.value, debate_id=draft.debate_id)
    )
