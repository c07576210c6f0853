"""The only place where rows become domain objects and back.

Keyword-only functions that take the session; the calling service owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, Literal, cast

from sqlalchemy import Integer, bindparam, case, delete, func, insert, literal, true, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    ArticleRow,
    ClockRow,
    DebateRow,
    DebaterRow,
    FormatRow,
    GuildSettingsRow,
    JudgeRow,
    MotionDraftRow,
    MotionRow,
    MotionVoteRow,
    NightEventRow,
    NightRow,
    PollRow,
    RatingBoardRow,
    RatingChangeRow,
    RatingRow,
    ResultRow,
    ScheduleRow,
    SeasonRow,
    SignupRow,
    SpeechRow,
    VoteChangeRow,
    VoteRow,
)
from bot.db.writer import Batch
from bot.domain.clock import Clock, ClockState
from bot.domain.debate import Debate, DebateState, Preference, Signup
from bot.domain.drafts import Draft, DraftState, StoredArticle
from bot.domain.formats import VoteRule
from bot.domain.guilds import GuildSettings, TurnMode
from bot.domain.motions import Motion, MotionState
from bot.domain.ratings import (
    ALL_TIME_SEASON,
    BestWin,
    BoardLine,
    Change,
    Game,
    HistoryEntry,
    Metric,
    Outcome,
    Rating,
    RatingPoint,
    Record,
    Season,
    Standing,
    game,
    with_votes,
)
from bot.domain.schedule import Schedule
from bot.domain.shards import ALL_SHARDS, Shards
from bot.domain.sides import Assignment, Side, Sides
from bot.domain.thesis import Article, Candidate
from bot.domain.turns import Lineup, Speech
from bot.domain.votes import Ballot, Choice, JudgeBallot, Verdict, VotePhase, VoteState


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


async def debate_by_id(session: AsyncSession, *, debate_id: int) -> Debate | None:
    """A debate by id, whatever its server (for the dispatcher, which has only the id)."""
    row = await session.get(DebateRow, debate_id)
    return _debate(row) if row else None


async def latest_debate_in(session: AsyncSession, *, channel_id: int) -> Debate | None:
    """The channel's most recent debate, open or not."""
    query = (
        select(DebateRow)
        .where(DebateRow.channel_id == channel_id)
        .order_by(col(DebateRow.id).desc())
        .limit(1)
    )
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


# ---------------------------------------------------------------------------------------------
# Started debates: sides, clock, transcript


@dataclass(frozen=True, slots=True)
class ClockRecord:
    """A started debate's clock with where it is shown and the seed of its side draw."""

    debate_id: int
    clock: Clock
    seed: int
    started_at: datetime
    thread_id: int | None = None
    companion_id: int | None = None
    stage_id: int | None = None
    phase_message_id: int | None = None
    shown_version: int = -1


def _clock_record(row: ClockRow) -> ClockRecord:
    clock = Clock(
        phase_index=row.phase_index,
        state=ClockState(row.state),
        deadline=_utc(row.deadline) if row.deadline else None,
        remaining=timedelta(milliseconds=row.remaining_ms)
        if row.remaining_ms is not None
        else None,
        warnings_sent=tuple(row.warnings_sent),
        extended_seconds=row.extended_seconds,
        version=row.version,
    )
    return ClockRecord(
        debate_id=row.debate_id,
        clock=clock,
        seed=row.seed,
        started_at=_utc(row.started_at),
        thread_id=row.thread_id,
        companion_id=row.companion_id,
        stage_id=row.stage_id,
        phase_message_id=row.phase_message_id,
        shown_version=row.shown_version,
    )


def _clock_values(clock: Clock) -> dict[str, Any]:
    remaining = clock.remaining
    return {
        "phase_index": clock.phase_index,
        "state": clock.state.value,
        "deadline": clock.deadline,
        "remaining_ms": round(remaining.total_seconds() * 1000) if remaining is not None else None,
        "warnings_sent": list(clock.warnings_sent),
        "extended_seconds": clock.extended_seconds,
        "version": clock.version,
    }


async def add_clock(
    session: AsyncSession,
    *,
    debate_id: int,
    clock: Clock,
    seed: int,
    now: datetime,
    stage_id: int | None = None,
) -> ClockRecord:
    """Store a debate's first clock."""
    row = ClockRow(
        debate_id=debate_id,
        seed=seed,
        started_at=now,
        stage_id=stage_id,
        shown_version=-1,
        **_clock_values(clock),
    )
    session.add(row)
    await session.flush()
    return _clock_record(row)


async def get_clock(
    session: AsyncSession, *, debate_id: int, for_update: bool = False
) -> ClockRecord | None:
    """A started debate's clock; ``for_update`` locks its row until the commit."""
    query = select(ClockRow).where(ClockRow.debate_id == debate_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    return _clock_record(row) if row else None


async def clocks_with_debates(
    session: AsyncSession, *, debate_ids: Sequence[int]
) -> dict[int, tuple[ClockRecord, Debate]]:
    """Started debates' clocks, their rows locked until the commit (in id order, so two
    transactions never wait on each other), each with its debate: one query."""
    query = (
        select(ClockRow, DebateRow)
        .join(DebateRow, col(DebateRow.id) == col(ClockRow.debate_id))
        .where(col(ClockRow.debate_id).in_(debate_ids))
        .order_by(col(ClockRow.debate_id))
        .with_for_update(of=ClockRow)
    )
    return {
        clock.debate_id: (_clock_record(clock), _debate(debate))
        for clock, debate in await session.exec(query)
    }


async def clock_in_thread(session: AsyncSession, *, thread_id: int) -> ClockRecord | None:
    """The clock of the debate that runs in a thread."""
    row = (await session.exec(select(ClockRow).where(ClockRow.thread_id == thread_id))).first()
    return _clock_record(row) if row else None


async def save_clock(session: AsyncSession, *, debate_id: int, clock: Clock) -> None:
    """Write back a debate's clock."""
    await session.exec(
        update(ClockRow).where(col(ClockRow.debate_id) == debate_id).values(**_clock_values(clock))
    )


async def save_display(
    session: AsyncSession,
    *,
    debate_id: int,
    thread_id: int | None = None,
    companion_id: int | None = None,
    phase_message_id: int | None = None,
    shown_version: int | None = None,
) -> None:
    """Remember where a debate is shown; arguments left None are kept."""
    values = {
        "thread_id": thread_id,
        "companion_id": companion_id,
        "phase_message_id": phase_message_id,
        "shown_version": shown_version,
    }
    changes = {key: value for key, value in values.items() if value is not None}
    if changes:
        await session.exec(
            update(ClockRow).where(col(ClockRow.debate_id) == debate_id).values(**changes)
        )


def served_by(guild_id: Any, shards: Shards) -> Any:
    """SQL for "this row's server is one these shards serve" (``Shards.owns``)."""
    if shards.every:
        return true()
    # PostgreSQL shifts a bigint by an integer only (not by a bigint).
    shifted = col(guild_id).op(">>", precedence=6)(literal(22, Integer))
    shard = shifted.op("%", precedence=6)(shards.count)
    return shard.self_group().in_(sorted(shards.ids))


async def live_clocks(
    session: AsyncSession, *, shards: Shards = ALL_SHARDS
) -> list[tuple[int, str, ClockRecord]]:
    """Every running or paused clock of the servers these shards serve, with its debate's
    guild and format: what a restart resumes."""
    rows = await session.exec(
        select(ClockRow, DebateRow.guild_id, DebateRow.format_key)
        .join(DebateRow, col(DebateRow.id) == col(ClockRow.debate_id))
        .where(
            col(ClockRow.state) != ClockState.FINISHED.value,
            served_by(DebateRow.guild_id, shards),
        )
    )
    return [(guild_id, key, _clock_record(row)) for row, guild_id, key in rows]


async def save_debaters(
    session: AsyncSession, *, guild_id: int, debate_id: int, sides: Sides, now: datetime
) -> None:
    """Store the side draw: each member's side (None for a reserve), order and reason."""
    order = {user: i for side in Side for i, user in enumerate(sides.team(side))}
    session.add_all(
        DebaterRow(
            debate_id=debate_id,
            guild_id=guild_id,
            user_id=a.user_id,
            side=a.side.value if a.side else None,
            speaker_order=order.get(a.user_id, -1),
            reason=a.reason[:200],
            started_at=now,
        )
        for a in sides.assignments
    )
    await session.flush()


async def lineup_of(session: AsyncSession, *, debate_id: int) -> Lineup:
    """Each side's debaters in speaking order."""
    rows = await session.exec(
        select(DebaterRow.user_id, DebaterRow.side)
        .where(DebaterRow.debate_id == debate_id, col(DebaterRow.side).is_not(None))
        .order_by(col(DebaterRow.speaker_order))
    )
    teams: dict[str, list[int]] = {Side.FOR.value: [], Side.AGAINST.value: []}
    for user, side in rows:
        teams[side or ""].append(user)
    return Lineup(tuple(teams[Side.FOR.value]), tuple(teams[Side.AGAINST.value]))


async def debaters_of(session: AsyncSession, *, debate_id: int) -> tuple[Assignment, ...]:
    """The side draw as stored: every assignment with its reason, in sign-up order."""
    rows = await session.exec(
        select(DebaterRow.user_id, DebaterRow.side, DebaterRow.reason)
        .where(DebaterRow.debate_id == debate_id)
        .order_by(col(DebaterRow.id))
    )
    return tuple(Assignment(u, Side(s) if s else None, r) for u, s, r in rows)


async def recent_sides(
    session: AsyncSession, *, guild_id: int, user_ids: Sequence[int], limit: int = 5
) -> dict[int, tuple[Side, ...]]:
    """Each member's sides in their last ``limit`` debates of the server, most recent first."""
    if not user_ids:
        return {}
    rows = await session.exec(
        select(DebaterRow.user_id, DebaterRow.side)
        .where(
            DebaterRow.guild_id == guild_id,
            col(DebaterRow.user_id).in_(list(user_ids)),
            col(DebaterRow.side).is_not(None),
        )
        .order_by(col(DebaterRow.started_at).desc(), col(DebaterRow.id).desc())
    )
    found: dict[int, list[Side]] = {}
    for user, side in rows:
        sides = found.setdefault(user, [])
        if len(sides) < limit and side:
            sides.append(Side(side))
    return {user: tuple(sides) for user, sides in found.items()}


def add_speech(
    batch: Batch,
    *,
    debate_id: int,
    message_id: int,
    author_id: int,
    side: Side | None,
    phase_index: int,
    posted_at: datetime,
    text: str,
) -> None:
    """Store a message of the debate's transcript, when the batch commits."""
    batch.later(
        _INSERT_SPEECH,
        {
            "debate_id": debate_id,
            "message_id": message_id,
            "author_id": author_id,
            "side": side.value if side else None,
            "phase_index": phase_index,
            "posted_at": posted_at,
            "text": text,
            "edits": [],
        },
    )


_INSERT_SPEECH = insert(SpeechRow)


async def edit_speech(session: AsyncSession, *, message_id: int, text: str, at: datetime) -> bool:
    """Record a new text for a transcript message, keeping the old one; False if unknown."""
    row = (await session.exec(select(SpeechRow).where(SpeechRow.message_id == message_id))).first()
    if row is None:
        return False
    if row.text == text:
        return True
    edits = [*row.edits, {"at": at.isoformat(), "text": row.text}]
    await session.exec(
        update(SpeechRow).where(col(SpeechRow.id) == row.id).values(text=text, edits=edits)
    )
    return True


async def transcript_of(session: AsyncSession, *, debate_id: int) -> list[Speech]:
    """The debate's transcript in posting order."""
    rows = await session.exec(
        select(SpeechRow)
        .where(SpeechRow.debate_id == debate_id)
        .order_by(col(SpeechRow.posted_at), col(SpeechRow.id))
    )
    return [
        Speech(
            message_id=row.message_id,
            author_id=row.author_id,
            side=Side(row.side) if row.side else None,
            phase_index=row.phase_index,
            posted_at=_utc(row.posted_at),
            text=row.text,
            edits=tuple((e["at"], e["text"]) for e in row.edits),
        )
        for row in rows
    ]


# ---------------------------------------------------------------------------------------------
# Server settings and custom formats


async def guild_settings(session: AsyncSession, *, guild_id: int) -> GuildSettings:
    """The server's settings, or the defaults."""
    row = await session.get(GuildSettingsRow, guild_id)
    if row is None:
        return GuildSettings(guild_id)
    return GuildSettings(
        guild_id,
        row.moderator_role_id,
        TurnMode(row.turns),
        debaters_may_vote=row.debaters_may_vote,
        voter_role_id=row.voter_role_id,
        voter_min_days=row.voter_min_days,
        voters_in_voice=row.voters_in_voice,
        debate_channel_id=row.debate_channel_id,
        default_format=row.default_format,
        timezone=row.timezone,
        language=row.language,
    )


async def save_guild_settings(session: AsyncSession, *, settings: GuildSettings) -> None:
    """Store the server's settings."""
    row = await session.get(GuildSettingsRow, settings.guild_id, with_for_update=True)
    if row is None:
        row = GuildSettingsRow(guild_id=settings.guild_id, turns=settings.turns.value)
    row.moderator_role_id = settings.moderator_role_id
    row.turns = settings.turns.value
    row.debaters_may_vote = settings.debaters_may_vote
    row.voter_role_id = settings.voter_role_id
    row.voter_min_days = settings.voter_min_days
    row.voters_in_voice = settings.voters_in_voice
    row.debate_channel_id = settings.debate_channel_id
    row.default_format = settings.default_format
    row.timezone = settings.timezone
    row.language = settings.language
    session.add(row)
    await session.flush()


async def custom_format_sources(session: AsyncSession, *, guild_id: int) -> dict[str, str]:
    """The server's own formats as their TOML sources, by key."""
    rows = await session.exec(
        select(FormatRow.key, FormatRow.source)
        .where(FormatRow.guild_id == guild_id)
        .order_by(col(FormatRow.key))
    )
    return dict(rows.all())


async def save_custom_format(
    session: AsyncSession, *, guild_id: int, key: str, source: str, user_id: int, now: datetime
) -> bool:
    """Store a server's format, replacing one with the same key; True if it was new."""
    query = select(FormatRow).where(FormatRow.guild_id == guild_id, FormatRow.key == key)
    row = (await session.exec(query.with_for_update())).first()
    created = row is None
    if row is None:
        row = FormatRow(
            guild_id=guild_id, key=key, source=source, created_by=user_id, created_at=now
        )
    row.source, row.created_by, row.created_at = source, user_id, now
    session.add(row)
    await session.flush()
    return created


# ---------------------------------------------------------------------------------------------
# Audience votes


@dataclass(frozen=True, slots=True)
class PollRecord:
    """One of a debate's two votes as stored."""

    debate_id: int
    phase: VotePhase
    state: VoteState
    opened_at: datetime | None = None
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    message_id: int | None = None


def _poll(row: PollRow) -> PollRecord:
    return PollRecord(
        debate_id=row.debate_id,
        phase=VotePhase(row.phase),
        state=VoteState(row.state),
        opened_at=_utc(row.opened_at) if row.opened_at else None,
        closes_at=_utc(row.closes_at) if row.closes_at else None,
        closed_at=_utc(row.closed_at) if row.closed_at else None,
        message_id=row.message_id,
    )


async def get_poll(
    session: AsyncSession, *, debate_id: int, phase: VotePhase, for_update: bool = False
) -> PollRecord | None:
    """One of the debate's votes; ``for_update`` locks it until the commit."""
    query = select(PollRow).where(PollRow.debate_id == debate_id, PollRow.phase == phase.value)
    if for_update:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    return _poll(row) if row else None


async def save_poll(session: AsyncSession, *, poll: PollRecord) -> None:
    """Insert or update one of the debate's votes."""
    row = await session.get(PollRow, (poll.debate_id, poll.phase.value))
    if row is None:
        row = PollRow(debate_id=poll.debate_id, phase=poll.phase.value, state=poll.state.value)
    row.state = poll.state.value
    row.opened_at, row.closes_at, row.closed_at = poll.opened_at, poll.closes_at, poll.closed_at
    row.message_id = poll.message_id
    session.add(row)
    await session.flush()


async def polls_to_close(session: AsyncSession, *, shards: Shards = ALL_SHARDS) -> list[PollRecord]:
    """Open votes the clock closes, in the servers these shards serve: what a restart
    schedules again."""
    rows = await session.exec(
        select(PollRow)
        .join(DebateRow, col(DebateRow.id) == col(PollRow.debate_id))
        .where(
            PollRow.state == VoteState.OPEN.value,
            col(PollRow.closes_at).is_not(None),
            served_by(DebateRow.guild_id, shards),
        )
    )
    return [_poll(row) for row in rows]


def _upsert_vote(dialect: Any) -> Any:
    statement = dialect.insert(VoteRow)
    return statement.on_conflict_do_update(
        index_elements=["debate_id", "phase", "user_id"],
        set_={"choice": statement.excluded.choice, "cast_at": statement.excluded.cast_at},
    )


_UPSERT_VOTE = {"postgresql": _upsert_vote(postgresql), "sqlite": _upsert_vote(sqlite)}
_INSERT_VOTE_CHANGE = insert(VoteChangeRow)


def save_vote(batch: Batch, *, debate_id: int, phase: VotePhase, ballot: Ballot) -> None:
    """Store a member's vote (replacing their earlier one) and keep the change, at commit."""
    values = {
        "debate_id": debate_id,
        "phase": phase.value,
        "user_id": ballot.user_id,
        "choice": ballot.choice.value,
        "cast_at": ballot.cast_at,
    }
    batch.later(_UPSERT_VOTE[batch.session.get_bind().dialect.name], values)
    batch.later(_INSERT_VOTE_CHANGE, values)


async def votes_of(session: AsyncSession, *, debate_id: int, phase: VotePhase) -> dict[int, Choice]:
    """Each member's current vote in one phase."""
    rows = await session.exec(
        select(VoteRow.user_id, VoteRow.choice).where(
            VoteRow.debate_id == debate_id, VoteRow.phase == phase.value
        )
    )
    return {user: Choice(choice) for user, choice in rows}


async def voter_count(session: AsyncSession, *, debate_id: int, phase: VotePhase) -> int:
    """How many members have voted in one phase."""
    query = (
        select(func.count())
        .select_from(VoteRow)
        .where(VoteRow.debate_id == debate_id, VoteRow.phase == phase.value)
    )
    count: int = (await session.exec(query)).one()
    return count


async def save_result(
    session: AsyncSession,
    *,
    debate_id: int,
    verdict: Verdict,
    tallies: dict[str, Any],
    now: datetime,
) -> None:
    """Store a debate's verdict and the tallies behind it."""
    session.add(
        ResultRow(
            debate_id=debate_id,
            rule=verdict.rule.value,
            winner=verdict.winner.value if verdict.winner else None,
            margin=verdict.margin,
            reason=verdict.reason,
            tallies=tallies,
            decided_at=now,
        )
    )
    await session.flush()


async def save_result_message(session: AsyncSession, *, debate_id: int, message_id: int) -> None:
    """Remember the message that shows a debate's verdict."""
    await session.exec(
        update(ResultRow).where(col(ResultRow.debate_id) == debate_id).values(message_id=message_id)
    )


async def unshown_results(session: AsyncSession, *, shards: Shards = ALL_SHARDS) -> list[Debate]:
    """The debates, of the servers these shards serve, whose stored verdict was never shown
    (the bot stopped between storing and posting it)."""
    rows = await session.exec(
        select(DebateRow)
        .join(ResultRow, col(ResultRow.debate_id) == col(DebateRow.id))
        .where(col(ResultRow.message_id).is_(None), served_by(DebateRow.guild_id, shards))
        .order_by(col(DebateRow.id))
    )
    return [_debate(row) for row in rows]


async def name_judge(session: AsyncSession, *, debate_id: int, user_id: int) -> bool:
    """Name a member judge of a debate; False if they already were."""
    query = select(JudgeRow).where(JudgeRow.debate_id == debate_id, JudgeRow.user_id == user_id)
    if (await session.exec(query)).first() is not None:
        return False
    session.add(JudgeRow(debate_id=debate_id, user_id=user_id))
    await session.flush()
    return True


async def score_ballot(
    session: AsyncSession, *, debate_id: int, ballot: JudgeBallot, now: datetime
) -> bool:
    """Store a named judge's ballot (replacing an earlier one); False if not a judge."""
    query = select(JudgeRow).where(
        JudgeRow.debate_id == debate_id, JudgeRow.user_id == ballot.judge_id
    )
    row = (await session.exec(query.with_for_update())).first()
    if row is None:
        return False
    row.for_points, row.against_points = round(ballot.for_points), round(ballot.against_points)
    row.scored_at = now
    session.add(row)
    await session.flush()
    return True


async def judges_of(
    session: AsyncSession, *, debate_id: int
) -> tuple[list[int], list[JudgeBallot]]:
    """The debate's named judges, and the ballots those who scored have cast."""
    rows = (await session.exec(select(JudgeRow).where(JudgeRow.debate_id == debate_id))).all()
    named = [row.user_id for row in rows]
    ballots = [
        JudgeBallot(row.user_id, row.for_points, row.against_points)
        for row in rows
        if row.for_points is not None and row.against_points is not None
    ]
    return named, ballots


# ---------------------------------------------------------------------------------------------
# Ratings, seasons and leaderboards


def _season(row: SeasonRow) -> Season:
    assert row.id is not None
    return Season(
        id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        started_at=_utc(row.started_at),
        ended_at=_utc(row.ended_at) if row.ended_at else None,
    )


async def seasons_of(session: AsyncSession, *, guild_id: int) -> list[Season]:
    """The server's seasons, oldest first."""
    rows = await session.exec(
        select(SeasonRow)
        .where(SeasonRow.guild_id == guild_id)
        .order_by(col(SeasonRow.started_at), col(SeasonRow.id))
    )
    return [_season(row) for row in rows]


async def running_season(
    session: AsyncSession, *, guild_id: int, for_update: bool = False
) -> Season | None:
    """The server's running season, if any; ``for_update`` locks it until the commit."""
    query = select(SeasonRow).where(
        SeasonRow.guild_id == guild_id, col(SeasonRow.ended_at).is_(None)
    )
    if for_update:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    return _season(row) if row else None


async def add_season(
    session: AsyncSession, *, guild_id: int, name: str, user_id: int, now: datetime
) -> Season:
    """Store a season that starts now."""
    row = SeasonRow(guild_id=guild_id, name=name, started_by=user_id, started_at=now)
    session.add(row)
    await session.flush()
    return _season(row)


async def end_season(session: AsyncSession, *, season_id: int, now: datetime) -> None:
    """Store the end of a season."""
    await session.exec(update(SeasonRow).where(col(SeasonRow.id) == season_id).values(ended_at=now))


async def debate_rated(session: AsyncSession, *, debate_id: int) -> bool | None:
    """Whether a debate is rated; ``None`` for an unknown debate."""
    query = select(DebateRow.rated).where(DebateRow.id == debate_id)
    return (await session.exec(query)).first()


async def set_debate_rated(session: AsyncSession, *, debate_id: int, rated: bool) -> None:
    """Mark a debate rated or unrated."""
    await session.exec(update(DebateRow).where(col(DebateRow.id) == debate_id).values(rated=rated))


def _game(
    values: Mapping[str, Any],
    judges: int,
    teams: Mapping[Side, tuple[int, ...]],
    votes: Mapping[int, int],
) -> Game | None:
    """The game of a stored result: one construction for the incremental path and rebuilds."""
    return game(
        debate_id=values["debate_id"],
        guild_id=values["guild_id"],
        decided_at=_utc(values["decided_at"]),
        rule=VoteRule(values["rule"]),
        winner=Side(values["winner"]) if values["winner"] else None,
        margin=values["margin"],
        tallies=values["tallies"],
        judges=judges,
        teams=teams,
        votes=votes,
    )


_RESULT_COLUMNS: tuple[Any, ...] = (
    col(ResultRow.debate_id),
    col(DebateRow.guild_id),
    col(ResultRow.rule),
    col(ResultRow.winner),
    col(ResultRow.margin),
    col(ResultRow.tallies),
    col(ResultRow.decided_at),
)


def _results_query() -> Any:
    return (
        core_select(*_RESULT_COLUMNS)
        .select_from(ResultRow)
        .join(DebateRow, col(DebateRow.id) == col(ResultRow.debate_id))
        .where(col(DebateRow.rated).is_(True))
    )


async def game_of(session: AsyncSession, *, debate_id: int) -> Game | None:
    """The game a debate's stored result makes; ``None`` if unrated, undecided or no
    contest."""
    query = _results_query().where(col(ResultRow.debate_id) == debate_id)
    result = (await session.exec(cast(Any, query))).first()
    if result is None:
        return None
    judges = await session.exec(
        select(func.count())
        .select_from(JudgeRow)
        .where(JudgeRow.debate_id == debate_id, col(JudgeRow.for_points).is_not(None))
    )
    lineup = await lineup_of(session, debate_id=debate_id)
    votes = await session.exec(
        select(VoteRow.user_id, func.count())
        .where(VoteRow.debate_id == debate_id)
        .group_by(col(VoteRow.user_id))
    )
    teams = {Side.FOR: lineup.for_team, Side.AGAINST: lineup.against_team}
    return _game(result._mapping, judges.one(), teams, dict(votes.all()))


async def games_of(session: AsyncSession, *, guild_id: int | None) -> list[Game]:
    """Every rated, contested game of a server (of every server for None), in the order
    ratings replay them: by decision time, then debate id."""

    def of_guild(query: Any) -> Any:
        return query if guild_id is None else query.where(col(DebateRow.guild_id) == guild_id)

    results = (
        await session.exec(
            cast(
                Any,
                of_guild(_results_query()).order_by(
                    col(ResultRow.decided_at), col(ResultRow.debate_id)
                ),
            )
        )
    ).all()
    rated = of_guild(
        core_select(col(DebateRow.id)).where(col(DebateRow.rated).is_(True))
    ).scalar_subquery()
    seats = await session.exec(
        select(DebaterRow.debate_id, DebaterRow.user_id, DebaterRow.side)
        .where(col(DebaterRow.side).is_not(None), col(DebaterRow.debate_id).in_(rated))
        .order_by(col(DebaterRow.debate_id), col(DebaterRow.speaker_order))
    )
    teams: dict[int, dict[Side, list[int]]] = {}
    for debate_id, user_id, side in seats:
        teams.setdefault(debate_id, {Side.FOR: [], Side.AGAINST: []})[Side(side or "")].append(
            user_id
        )
    judged = await session.exec(
        select(JudgeRow.debate_id, func.count())
        .where(col(JudgeRow.for_points).is_not(None), col(JudgeRow.debate_id).in_(rated))
        .group_by(col(JudgeRow.debate_id))
    )
    judges = dict(judged.all())
    cast_votes = await session.exec(
        select(VoteRow.debate_id, VoteRow.user_id, func.count())
        .where(col(VoteRow.debate_id).in_(rated))
        .group_by(col(VoteRow.debate_id), col(VoteRow.user_id))
    )
    votes: dict[int, dict[int, int]] = {}
    for debate_id, user_id, count in cast_votes:
        votes.setdefault(debate_id, {})[user_id] = count
    games = []
    for row in results:
        debate_id = row.debate_id
        seated = teams.get(debate_id, {})
        made = _game(
            row._mapping,
            judges.get(debate_id, 0),
            {side: tuple(seated.get(side, ())) for side in Side},
            votes.get(debate_id, {}),
        )
        if made is not None:
            games.append(made)
    return games


def _record(row: RatingRow) -> Record:
    return Record(
        user_id=row.user_id,
        rating=Rating(row.mu, row.sigma),
        games=row.games,
        wins=row.wins or 0,
        losses=row.losses,
        ties=row.ties,
        swing_sum=row.swing_sum,
        swing_games=row.swing_games,
        votes=row.votes,
        last_played=_utc(row.last_played) if row.last_played else None,
    )


_RATING_KEYS = (
    "guild_id",
    "season",
    "user_id",
    "mu",
    "sigma",
    "ordinal",
    "games",
    "wins",
    "losses",
    "ties",
    "win_rate",
    "swing_sum",
    "swing_games",
    "persuasion",
    "votes",
    "participation",
    "last_played",
)


def rating_row(guild_id: int, season: int, record: Record) -> tuple[Any, ...]:
    """The row that stores a record (``season`` 0: all time), in ``_RATING_KEYS`` order."""
    games = record.games
    return (
        guild_id,
        season,
        record.user_id,
        record.rating.mu,
        record.rating.sigma,
        record.ordinal,
        games,
        record.wins if games else None,
        record.losses,
        record.ties,
        record.win_rate,
        record.swing_sum,
        record.swing_games,
        record.persuasion,
        record.votes,
        record.participation,
        record.last_played,
    )


def rating_values(guild_id: int, season: int, record: Record) -> dict[str, Any]:
    """The row that stores a record, by column."""
    return dict(zip(_RATING_KEYS, rating_row(guild_id, season, record), strict=True))


_CHANGE_KEYS = (
    "guild_id",
    "season",
    "debate_id",
    "user_id",
    "side",
    "outcome",
    "mu_before",
    "sigma_before",
    "mu",
    "sigma",
    "gain",
    "decided_at",
)


def change_row(
    guild_id: int, season: int, debate_id: int, decided_at: datetime, change: Change
) -> tuple[Any, ...]:
    """The row that stores what a debate did to a debater (``season`` 0: all time), in
    ``_CHANGE_KEYS`` order."""
    return (
        guild_id,
        season,
        debate_id,
        change.user_id,
        change.side.value,
        change.outcome.value,
        change.before.mu,
        change.before.sigma,
        change.after.mu,
        change.after.sigma,
        change.gain,
        decided_at,
    )


def change_values(
    guild_id: int, season: int, debate_id: int, decided_at: datetime, change: Change
) -> dict[str, Any]:
    """The row that stores what a debate did to a debater, by column."""
    return dict(
        zip(_CHANGE_KEYS, change_row(guild_id, season, debate_id, decided_at, change), strict=True)
    )


async def records_of(
    session: AsyncSession,
    *,
    guild_id: int,
    season: int,
    user_ids: Sequence[int],
    for_update: bool = False,
) -> dict[int, Record]:
    """The stored records of some members on one board; ``for_update`` locks them."""
    query = select(RatingRow).where(
        RatingRow.guild_id == guild_id,
        RatingRow.season == season,
        col(RatingRow.user_id).in_(list(user_ids)),
    )
    if for_update:
        query = query.with_for_update()
    return {row.user_id: _record(row) for row in await session.exec(query)}


def _upsert_rating(dialect: Any) -> Any:
    statement = dialect.insert(RatingRow)
    keys = ("guild_id", "season", "user_id")
    names = [c.name for c in cast(Any, RatingRow).__table__.columns if c.name not in keys]
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in names}
    )


def _add_votes(dialect: Any) -> Any:
    statement = dialect.insert(RatingRow)
    table = cast(Any, RatingRow).__table__
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "season", "user_id"],
        set_={
            "votes": table.c.votes + statement.excluded.votes,
            "participation": table.c.participation + statement.excluded.votes,
        },
    )


_UPSERT_RATING = {"postgresql": _upsert_rating(postgresql), "sqlite": _upsert_rating(sqlite)}
_ADD_VOTES = {"postgresql": _add_votes(postgresql), "sqlite": _add_votes(sqlite)}


async def save_records(
    session: AsyncSession, *, guild_id: int, season: int, records: Sequence[Record]
) -> None:
    """Insert or replace members' records on one board."""
    if records:
        statement = _UPSERT_RATING[session.get_bind().dialect.name]
        values = [rating_values(guild_id, season, record) for record in records]
        await (await session.connection()).execute(statement, values)


async def add_votes(
    session: AsyncSession, *, guild_id: int, season: int, votes: Mapping[int, int]
) -> None:
    """Count members' votes on one board (a member new to it starts from the prior)."""
    if votes:
        statement = _ADD_VOTES[session.get_bind().dialect.name]
        values = [
            rating_values(guild_id, season, with_votes(Record(user), count))
            for user, count in sorted(votes.items())
        ]
        await (await session.connection()).execute(statement, values)


_INSERT_RATING_CHANGE = insert(RatingChangeRow)


async def add_changes(session: AsyncSession, *, values: Sequence[dict[str, Any]]) -> None:
    """Store rows made by ``change_values``."""
    if values:
        await (await session.connection()).execute(_INSERT_RATING_CHANGE, list(values))


REBUILD_CACHE_KIB = 262_144
"""SQLite page cache while a rebuild writes (256 MiB): rows land all over six indexes,
and with the default 2 MiB cache writing a rebuild's 478,000 ratings took 17 s, not 7.5."""


async def replace_ratings(
    session: AsyncSession,
    *,
    guild_id: int | None,
    ratings: Sequence[tuple[Any, ...]],
    changes: Sequence[tuple[Any, ...]],
) -> None:
    """Replace every rating and rating change of a server (of every server for None) with
    rows made by ``rating_row`` and ``change_row``."""
    clear_ratings = delete(RatingRow)
    clear_changes = delete(RatingChangeRow)
    if guild_id is not None:
        clear_ratings = clear_ratings.where(col(RatingRow.guild_id) == guild_id)
        clear_changes = clear_changes.where(col(RatingChangeRow.guild_id) == guild_id)
    connection = await session.connection()
    sqlite_cache = None
    if connection.dialect.name == "sqlite":
        sqlite_cache = (await connection.exec_driver_sql("PRAGMA cache_size")).scalar()
        await connection.exec_driver_sql(f"PRAGMA cache_size=-{REBUILD_CACHE_KIB}")
    # Rebuilding every server: the secondary indexes are built again after the rows are in
    # (one sort each) rather than kept up row by row.
    indexes = [
        index
        for model in (RatingRow, RatingChangeRow)
        for index in cast(Any, model).__table__.indexes
        if guild_id is None
    ]
    try:
        await connection.execute(clear_changes)
        await connection.execute(clear_ratings)
        for index in indexes:
            await connection.run_sync(index.drop)
        # In key order: the primary key's index then grows at its end.
        await _bulk_insert(connection, RatingRow, _RATING_KEYS, sorted(ratings, key=_by_key))
        await _bulk_insert(connection, RatingChangeRow, _CHANGE_KEYS, changes)
        for index in indexes:
            await connection.run_sync(index.create)
        await recount_boards(session, guild_id=guild_id)
    finally:
        if sqlite_cache is not None:
            await connection.exec_driver_sql(f"PRAGMA cache_size={int(sqlite_cache)}")


def _by_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return row[:3]


async def _bulk_insert(
    connection: Any, model: Any, keys: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert many rows as tuples, at the driver's pace: the statement is compiled once by
    SQLAlchemy for this database and each value goes through its column type's own bind
    processor, but no parameter dict is built per row (which was most of a rebuild's time)."""
    if not rows:
        return
    dialect = connection.dialect
    table = model.__table__
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    if list(compiled.positiontup or ()) != list(keys):
        raise ValueError(f"{table.name}: columns {keys} are not in the table's order")
    processors = [
        (i, process)
        for i, name in enumerate(keys)
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    for start in range(0, len(rows), _CHUNK):
        chunk: list[Any] = list(rows[start : start + _CHUNK])
        if processors:
            for n, row in enumerate(chunk):
                values = list(row)
                for i, process in processors:
                    if values[i] is not None:
                        values[i] = process(values[i])
                chunk[n] = tuple(values)
        await connection.exec_driver_sql(compiled.string, chunk)


_CHUNK = 50_000

_BOARD: dict[Metric, Any] = {
    Metric.RATING: col(RatingRow.ordinal),
    Metric.WINS: col(RatingRow.wins),
    Metric.WIN_RATE: col(RatingRow.win_rate),
    Metric.PERSUASION: col(RatingRow.persuasion),
    Metric.PARTICIPATION: col(RatingRow.participation),
}
"""The column each board orders by; NULL keeps a member off that board."""


async def board_lines(
    session: AsyncSession, *, guild_id: int, season: int, metric: Metric
) -> list[BoardLine]:
    """Every member on a board (``season`` 0: all time), best first, equal values by user
    id descending (the order of the board's pages); only the rating table is read."""
    value = _BOARD[metric]
    query = (
        core_select(
            col(RatingRow.user_id),
            value,
            col(RatingRow.games),
            col(RatingRow.wins),
            col(RatingRow.losses),
            col(RatingRow.ties),
            col(RatingRow.mu),
            col(RatingRow.sigma),
        )
        .where(
            col(RatingRow.guild_id) == guild_id,
            col(RatingRow.season) == season,
            value.is_not(None),
        )
        .order_by(value.desc(), col(RatingRow.user_id).desc())
    )
    rows = await session.exec(cast(Any, query))
    return [
        BoardLine(user, float(shown), games, wins or 0, losses, ties, mu, sigma)
        for user, shown, games, wins, losses, ties, mu, sigma in rows
    ]


async def board_total(session: AsyncSession, *, guild_id: int, season: int, metric: Metric) -> int:
    """How many members a board ranks."""
    query = select(RatingBoardRow.members).where(
        RatingBoardRow.guild_id == guild_id,
        RatingBoardRow.season == season,
        RatingBoardRow.metric == metric.value,
    )
    return (await session.exec(query)).first() or 0


def _move_board(dialect: Any) -> Any:
    statement = dialect.insert(RatingBoardRow)
    table = cast(Any, RatingBoardRow).__table__
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "season", "metric"],
        set_={"members": table.c.members + statement.excluded.members},
    )


_MOVE_BOARD = {"postgresql": _move_board(postgresql), "sqlite": _move_board(sqlite)}


async def move_boards(
    session: AsyncSession, *, guild_id: int, season: int, moves: Mapping[Metric, int]
) -> None:
    """Add members to (or take them from) the sizes of a season's boards."""
    values = [
        {"guild_id": guild_id, "season": season, "metric": metric.value, "members": count}
        for metric, count in moves.items()
        if count
    ]
    if values:
        statement = _MOVE_BOARD[session.get_bind().dialect.name]
        await (await session.connection()).execute(statement, values)


async def recount_boards(session: AsyncSession, *, guild_id: int | None) -> None:
    """Count every board of a server (of every server for None) from its ratings."""
    clear = delete(RatingBoardRow)
    if guild_id is not None:
        clear = clear.where(col(RatingBoardRow.guild_id) == guild_id)
    connection = await session.connection()
    await connection.execute(clear)
    table = cast(Any, RatingRow).__table__
    for metric, column in _BOARD.items():
        counted = core_select(
            table.c.guild_id,
            table.c.season,
            literal(metric.value),
            func.count(table.c[column.key]),
        ).group_by(table.c.guild_id, table.c.season)
        if guild_id is not None:
            counted = counted.where(table.c.guild_id == guild_id)
        await connection.execute(
            insert(RatingBoardRow).from_select(["guild_id", "season", "metric", "members"], counted)
        )


async def known_users(
    session: AsyncSession, *, guild_id: int, season: int, user_ids: Sequence[int]
) -> set[int]:
    """Those of ``user_ids`` who have a record on a board."""
    found: set[int] = set()
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), 10_000):
        rows = await session.exec(
            select(RatingRow.user_id).where(
                RatingRow.guild_id == guild_id,
                RatingRow.season == season,
                col(RatingRow.user_id).in_(ids[start : start + 10_000]),
            )
        )
        found.update(rows.all())
    return found


@cache
def _place_query(metric: Metric) -> Any:
    """The statement of ``board_place``, built once per board (``guild``, ``season``,
    ``user``)."""
    table = cast(Any, RatingRow).__table__
    other = table.alias("better")
    column = _BOARD[metric].key
    guild_id: Any = bindparam("guild")
    season: Any = bindparam("season")
    better = (
        core_select(func.count())
        .select_from(other)
        .where(
            other.c.guild_id == guild_id,
            other.c.season == season,
            other.c[column] > table.c[column],
        )
        .scalar_subquery()
    )
    return core_select(table.c[column], table.c.games, better).where(
        table.c.guild_id == guild_id, table.c.season == season, table.c.user_id == bindparam("user")
    )


async def board_place(
    session: AsyncSession, *, guild_id: int, season: int, metric: Metric, user_id: int
) -> Standing | None:
    """A member's standing on a board (one query); ``None`` when they are not on it."""
    params = {"guild": guild_id, "season": season, "user": user_id}
    row = (await session.exec(cast(Any, _place_query(metric)), params=params)).first()
    if row is None or row[0] is None:
        return None
    return Standing(row[2] + 1, user_id, float(row[0]), row[1])


@dataclass(frozen=True, slots=True)
class BoardSlice:
    """A slice of a board with what ranks it: the board's size, how many members are
    strictly better than the slice's first entry, and the caller's standing."""

    entries: list[tuple[int, float, int]]
    """``(user, value, games)``, best first; equal values by user id, descending (the
    index's own order)."""
    total: int
    better_than_first: int
    caller: Standing | None
    season: Season | None
    """The season whose board this is; ``None`` for all time."""


@cache
def _board_query(metric: Metric, running_season: bool, with_caller: bool) -> Any:
    """The statement of ``board_slice``, built once per shape: building it is what took
    most of a page's time. Parameters: ``guild``, ``season`` (unless the running season is
    asked for), ``caller`` (with a caller), ``offset`` and ``limit``."""
    table = cast(Any, RatingRow).__table__
    seasons = cast(Any, SeasonRow).__table__
    value = table.c[_BOARD[metric].key]
    guild_id: Any = bindparam("guild")

    def running(column: Any) -> Any:
        return (
            core_select(column)
            .where(seasons.c.guild_id == guild_id, seasons.c.ended_at.is_(None))
            .scalar_subquery()
        )

    number: Any = (
        func.coalesce(running(seasons.c.id), ALL_TIME_SEASON)
        if running_season
        else bindparam("season")
    )
    board = (table.c.guild_id == guild_id) & (table.c.season == number)
    on_board = board & value.is_not(None)
    sizes = cast(Any, RatingBoardRow).__table__
    total = core_select(sizes.c.members).where(
        (sizes.c.guild_id == guild_id)
        & (sizes.c.season == number)
        & (sizes.c.metric == metric.value)
    )
    first = (
        core_select(value)
        .where(on_board)
        .order_by(value.desc(), table.c.user_id.desc())
        .offset(bindparam("offset"))
        .limit(1)
        .scalar_subquery()
    )
    columns = [
        total.scalar_subquery().label("total"),
        core_select(func.count()).where(board & (value > first)).scalar_subquery().label("ahead"),
    ]
    if with_caller:
        mine = board & (table.c.user_id == bindparam("caller"))
        caller_value = core_select(value).where(mine).scalar_subquery()
        columns += [
            caller_value.label("caller_value"),
            core_select(table.c.games).where(mine).scalar_subquery().label("caller_games"),
            core_select(func.count())
            .where(board & (value > caller_value))
            .scalar_subquery()
            .label("caller_ahead"),
        ]
    if running_season:
        columns += [
            running(seasons.c.id).label("season_id"),
            running(seasons.c.name).label("season_name"),
            running(seasons.c.started_at).label("season_started_at"),
        ]
    return (
        core_select(table.c.user_id, value.label("value"), table.c.games, *columns)
        .where(on_board)
        .order_by(value.desc(), table.c.user_id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


async def board_slice(
    session: AsyncSession,
    *,
    guild_id: int,
    season: Season | Literal["running"] | None,
    metric: Metric,
    offset: int,
    limit: int,
    caller_id: int | None,
) -> BoardSlice:
    """A slice of a board, its size, the first entry's standing and the caller's, in one
    statement; ``"running"`` asks for the running season's board (all time when none runs).

    Each count is an index range, the size is kept in ``rating_board``, and SQLite and
    PostgreSQL run each uncorrelated subquery once.
    """
    params: dict[str, Any] = {"guild": guild_id, "offset": offset, "limit": limit}
    if season != "running":
        params["season"] = season.id if season is not None else ALL_TIME_SEASON
    if caller_id is not None:
        params["caller"] = caller_id
    query = _board_query(metric, season == "running", caller_id is not None)
    rows = (await session.exec(cast(Any, query), params=params)).all()
    if not rows:  # an empty board, or past its end: the same answers, one at a time
        shown = await running_season(session, guild_id=guild_id) if season == "running" else season
        number = shown.id if shown is not None else ALL_TIME_SEASON
        size = await board_total(session, guild_id=guild_id, season=number, metric=metric)
        caller = None
        if caller_id is not None and size:
            caller = await board_place(
                session, guild_id=guild_id, season=number, metric=metric, user_id=caller_id
            )
        return BoardSlice([], size, 0, caller, shown)
    head = rows[0]._mapping
    caller = None
    if caller_id is not None and head["caller_value"] is not None:
        caller = Standing(
            head["caller_ahead"] + 1, caller_id, float(head["caller_value"]), head["caller_games"]
        )
    if season != "running":
        shown = season
    elif head["season_id"] is None:
        shown = None
    else:
        shown = Season(
            head["season_id"], guild_id, head["season_name"], _utc(head["season_started_at"])
        )
    return BoardSlice(
        [(row.user_id, float(row.value), row.games) for row in rows],
        head["total"] or 0,
        head["ahead"],
        caller,
        shown,
    )


async def record_of(
    session: AsyncSession, *, guild_id: int, season: int, user_id: int
) -> Record | None:
    """A member's record on one board."""
    row = await session.get(RatingRow, (guild_id, season, user_id))
    return _record(row) if row else None


async def sides_played(
    session: AsyncSession, *, guild_id: int, season: int, user_id: int
) -> dict[Side, int]:
    """Rated debates a member played on each side, on one board."""
    rows = await session.exec(
        select(RatingChangeRow.side, func.count())
        .where(
            RatingChangeRow.guild_id == guild_id,
            RatingChangeRow.season == season,
            RatingChangeRow.user_id == user_id,
        )
        .group_by(col(RatingChangeRow.side))
    )
    counts = dict.fromkeys(Side, 0)
    for side, count in rows:
        counts[Side(side)] = count
    return counts


async def best_wins(
    session: AsyncSession, *, guild_id: int, season: int, user_id: int, limit: int
) -> list[BestWin]:
    """A member's rated wins with the biggest margins, on one board."""
    query = (
        core_select(
            col(RatingChangeRow.debate_id),
            col(DebateRow.motion),
            col(RatingChangeRow.side),
            col(ResultRow.rule),
            col(ResultRow.margin),
            col(ResultRow.decided_at),
        )
        .select_from(RatingChangeRow)
        .join(ResultRow, col(ResultRow.debate_id) == col(RatingChangeRow.debate_id))
        .join(DebateRow, col(DebateRow.id) == col(RatingChangeRow.debate_id))
        .where(
            col(RatingChangeRow.guild_id) == guild_id,
            col(RatingChangeRow.season) == season,
            col(RatingChangeRow.user_id) == user_id,
            col(RatingChangeRow.outcome) == Outcome.WIN.value,
        )
        .order_by(col(ResultRow.margin).desc(), col(ResultRow.decided_at).desc())
        .limit(limit)
    )
    rows = await session.exec(cast(Any, query))
    return [
        BestWin(debate_id, motion, Side(side), VoteRule(rule), margin, _utc(at))
        for debate_id, motion, side, rule, margin, at in rows
    ]


async def rating_points(
    session: AsyncSession, *, guild_id: int, season: int, user_id: int, limit: int
) -> list[RatingPoint]:
    """A member's rating after each of their last ``limit`` rated debates, oldest first."""
    rows = await session.exec(
        select(
            RatingChangeRow.debate_id,
            RatingChangeRow.decided_at,
            RatingChangeRow.mu,
            RatingChangeRow.sigma,
        )
        .where(
            RatingChangeRow.guild_id == guild_id,
            RatingChangeRow.season == season,
            RatingChangeRow.user_id == user_id,
        )
        .order_by(col(RatingChangeRow.decided_at).desc(), col(RatingChangeRow.debate_id).desc())
        .limit(limit)
    )
    points = [RatingPoint(debate_id, _utc(at), mu, sigma) for debate_id, at, mu, sigma in rows]
    return points[::-1]


async def history_of(
    session: AsyncSession, *, guild_id: int, user_id: int, limit: int, offset: int = 0
) -> list[HistoryEntry]:
    """A member's decided debates in a server, newest first, rated or not."""
    change = aliased(RatingChangeRow)
    query = (
        core_select(
            col(DebaterRow.debate_id),
            col(DebateRow.motion),
            col(DebaterRow.side),
            col(ResultRow.winner),
            col(ResultRow.reason),
            col(ResultRow.decided_at),
            col(DebateRow.rated),
            col(change.mu_before),
            col(change.sigma_before),
            col(change.mu),
            col(change.sigma),
        )
        .select_from(DebaterRow)
        .join(DebateRow, col(DebateRow.id) == col(DebaterRow.debate_id))
        .join(ResultRow, col(ResultRow.debate_id) == col(DebaterRow.debate_id))
        .outerjoin(
            change,
            (col(change.debate_id) == col(DebaterRow.debate_id))
            & (col(change.user_id) == col(DebaterRow.user_id))
            & (col(change.season) == ALL_TIME_SEASON),
        )
        .where(
            col(DebaterRow.guild_id) == guild_id,
            col(DebaterRow.user_id) == user_id,
            col(DebaterRow.side).is_not(None),
        )
        .order_by(col(ResultRow.decided_at).desc(), col(DebaterRow.debate_id).desc())
        .offset(offset)
        .limit(limit)
    )
    entries = []
    for row in await session.exec(cast(Any, query)):
        side = Side(row.side)
        if row.winner is None:
            outcome = Outcome.TIE
        else:
            outcome = Outcome.WIN if row.winner == side.value else Outcome.LOSS
        moved = None
        if row.mu is not None:
            moved = (
                Rating(row.mu, row.sigma).ordinal - Rating(row.mu_before, row.sigma_before).ordinal
            )
        entries.append(
            HistoryEntry(
                debate_id=row.debate_id,
                motion=row.motion,
                side=side,
                outcome=outcome,
                reason=row.reason,
                decided_at=_utc(row.decided_at),
                rated=row.rated,
                change=moved,
            )
        )
    return entries


# ---------------------------------------------------------------------------------------------
# Debate nights: schedules, their nights, and the events already handled


class NightState(StrEnum):
    """How a night of a schedule stands."""

    PREPARED = "prepared"  # its lobby exists (opened early by a reminder), the start is ahead
    OPEN = "open"  # the start came: the lobby is open, the quorum check is ahead
    POSTPONED = "postponed"  # short of the quorum once: checked again later
    MET = "met"  # the quorum was met: the night goes ahead
    CANCELLED = "cancelled"  # called off for want of debaters, or skipped

    @property
    def is_over(self) -> bool:
        """Whether the night's verdict is in."""
        return self in (NightState.MET, NightState.CANCELLED)


@dataclass(frozen=True, slots=True)
class ScheduleRecord:
    """A stored schedule: its rules, what the dispatcher ignores, and its Discord event."""

    schedule: Schedule
    created_by: int
    watermark: datetime
    event_id: int | None = None
    event_start: datetime | None = None


@dataclass(frozen=True, slots=True)
class NightRecord:
    """A stored night of a schedule."""

    schedule_id: int
    date: date
    start: datetime
    state: NightState
    debate_id: int | None = None
    motion_id: int | None = None


@dataclass(frozen=True, slots=True)
class HandledEvent:
    """A claimed idempotency key and what was decided for it."""

    key: str
    schedule_id: int
    kind: str
    fire_at: datetime
    outcome: str
    note: str | None = None


def _schedule_record(row: Any) -> ScheduleRecord:
    """A schedule from its ORM row or a plain result row (the dispatcher's faster path)."""
    hours, minutes = (int(part) for part in row.local_time.split(":"))
    schedule = Schedule(
        id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        weekday=row.weekday,
        local_time=time(hours, minutes),
        tz_name=row.tz_name,
        anchor=date.fromisoformat(row.anchor),
        every_weeks=row.every_weeks,
        reminders=tuple(row.reminders),
        quorum=row.quorum,
        postpone_minutes=row.postpone_minutes,
        format_key=row.format_key,
        channel_id=row.channel_id,
        voice_channel_id=row.voice_channel_id,
        skipped=frozenset(date.fromisoformat(d) for d in row.skipped),
        cancelled=row.cancelled,
    )
    return ScheduleRecord(
        schedule=schedule,
        created_by=row.created_by,
        watermark=_utc(row.watermark),
        event_id=row.event_id,
        event_start=_utc(row.event_start) if row.event_start else None,
    )


def _schedule_values(schedule: Schedule) -> dict[str, Any]:
    return {
        "guild_id": schedule.guild_id,
        "name": schedule.name,
        "weekday": schedule.weekday,
        "local_time": f"{schedule.local_time:%H:%M}",
        "tz_name": schedule.tz_name,
        "anchor": schedule.anchor.isoformat(),
        "every_weeks": schedule.every_weeks,
        "reminders": list(schedule.reminders),
        "quorum": schedule.quorum,
        "postpone_minutes": schedule.postpone_minutes,
        "format_key": schedule.format_key,
        "channel_id": schedule.channel_id,
        "voice_channel_id": schedule.voice_channel_id,
        "skipped": sorted(d.isoformat() for d in schedule.skipped),
        "cancelled": schedule.cancelled,
    }


async def add_schedule(
    session: AsyncSession, *, schedule: Schedule, created_by: int, now: datetime
) -> ScheduleRecord:
    """Store a new schedule (its ``id`` is ignored); events up to ``now`` never fire."""
    row = ScheduleRow(
        **_schedule_values(schedule), created_by=created_by, created_at=now, watermark=now
    )
    session.add(row)
    await session.flush()
    return _schedule_record(row)


def _schedule_query(for_update: bool) -> Any:
    # Plain rows, not ORM objects: the dispatcher loads hundreds at once.
    query = core_select(cast(Any, ScheduleRow).__table__)
    return query.with_for_update() if for_update else query


async def get_schedule(
    session: AsyncSession, *, guild_id: int, schedule_id: int, for_update: bool = False
) -> ScheduleRecord | None:
    """A schedule of this server by id; ``for_update`` locks it until the commit."""
    query = _schedule_query(for_update).where(
        col(ScheduleRow.id) == schedule_id, col(ScheduleRow.guild_id) == guild_id
    )
    row = (await session.exec(query)).first()
    return _schedule_record(row) if row else None


async def schedules_by_ids(
    session: AsyncSession, *, schedule_ids: Sequence[int], for_update: bool = False
) -> list[ScheduleRecord]:
    """The schedules with these ids, whatever their server (for the dispatcher)."""
    found: list[ScheduleRecord] = []
    for start in range(0, len(schedule_ids), _CHUNK):
        chunk = list(schedule_ids[start : start + _CHUNK])
        query = _schedule_query(for_update).where(col(ScheduleRow.id).in_(chunk))
        found += [_schedule_record(row) for row in await session.exec(query)]
    return found


async def schedules_of(session: AsyncSession, *, guild_id: int) -> list[ScheduleRecord]:
    """Every schedule of a server, cancelled ones too, oldest first."""
    query = (
        select(ScheduleRow).where(ScheduleRow.guild_id == guild_id).order_by(col(ScheduleRow.id))
    )
    return [_schedule_record(row) for row in await session.exec(query)]


async def live_schedules(
    session: AsyncSession, *, shards: Shards = ALL_SHARDS
) -> list[ScheduleRecord]:
    """Schedules of the servers these shards serve that still have nights, or still show a
    Discord event: what a restart serves."""
    query = select(ScheduleRow).where(
        (col(ScheduleRow.cancelled).is_(False)) | (col(ScheduleRow.event_id).is_not(None)),
        served_by(ScheduleRow.guild_id, shards),
    )
    return [_schedule_record(row) for row in await session.exec(query)]


async def save_schedule(
    session: AsyncSession, *, schedule: Schedule, watermark: datetime | None = None
) -> None:
    """Write back a schedule's rules (and move its watermark, after an edit)."""
    values = _schedule_values(schedule)
    if watermark is not None:
        values["watermark"] = watermark
    await session.exec(
        update(ScheduleRow).where(col(ScheduleRow.id) == schedule.id).values(**values)
    )


async def save_schedule_event(
    session: AsyncSession, *, schedule_id: int, event_id: int | None, event_start: datetime | None
) -> None:
    """Remember which Discord event shows which night of the schedule."""
    await session.exec(
        update(ScheduleRow)
        .where(col(ScheduleRow.id) == schedule_id)
        .values(event_id=event_id, event_start=event_start)
    )


_CHUNK = 500
"""Ids or keys per ``IN (...)``: well under every back end's limit on bound parameters."""


async def claimed_keys(session: AsyncSession, *, keys: Sequence[str]) -> set[str]:
    """Which of these idempotency keys were already claimed."""
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = list(keys[start : start + _CHUNK])
        query = select(NightEventRow.key).where(col(NightEventRow.key).in_(chunk))
        found.update(await session.exec(query))
    return found


async def claim_events(
    session: AsyncSession, *, events: Sequence[HandledEvent], now: datetime
) -> None:
    """Claim idempotency keys with their outcome; a key claimed twice fails the transaction."""
    if not events:
        return
    await session.exec(
        insert(NightEventRow),
        params=[
            {
                "key": e.key,
                "schedule_id": e.schedule_id,
                "kind": e.kind,
                "fire_at": e.fire_at,
                "handled_at": now,
                "outcome": e.outcome,
                "note": e.note,
            }
            for e in events
        ],
    )


async def keys_handled_since(session: AsyncSession, *, since: datetime) -> set[str]:
    """Every key of an event due after ``since`` that was handled (for a restart)."""
    query = select(NightEventRow.key).where(col(NightEventRow.fire_at) > since)
    return set(await session.exec(query))


def _night(row: NightRow) -> NightRecord:
    return NightRecord(
        schedule_id=row.schedule_id,
        date=date.fromisoformat(row.night_date),
        start=_utc(row.start),
        state=NightState(row.state),
        debate_id=row.debate_id,
        motion_id=row.motion_id,
    )


async def get_night(
    session: AsyncSession, *, schedule_id: int, night_date: date, for_update: bool = False
) -> NightRecord | None:
    """A night of a schedule by its scheduled local date."""
    query = select(NightRow).where(
        NightRow.schedule_id == schedule_id, NightRow.night_date == night_date.isoformat()
    )
    if for_update:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    return _night(row) if row else None


async def save_night(session: AsyncSession, *, night: NightRecord) -> None:
    """Insert or update a night of a schedule."""
    query = select(NightRow).where(
        NightRow.schedule_id == night.schedule_id, NightRow.night_date == night.date.isoformat()
    )
    row = (await session.exec(query)).first()
    if row is None:
        row = NightRow(
            schedule_id=night.schedule_id,
            night_date=night.date.isoformat(),
            start=night.start,
            state=night.state.value,
        )
    row.start, row.state = night.start, night.state.value
    row.debate_id, row.motion_id = night.debate_id, night.motion_id
    session.add(row)
    await session.flush()


async def nights_in(session: AsyncSession, *, states: Sequence[NightState]) -> list[NightRecord]:
    """Every night in one of these states (a restart looks for postponed nights)."""
    query = select(NightRow).where(col(NightRow.state).in_([s.value for s in states]))
    return [_night(row) for row in await session.exec(query)]


async def nights_of(
    session: AsyncSession, *, schedule_ids: Sequence[int], since: date
) -> dict[tuple[int, date], NightRecord]:
    """The stored nights of these schedules on or after local date ``since``, by
    (schedule, date): what the dispatcher reads once per batch."""
    found: dict[tuple[int, date], NightRecord] = {}
    for start in range(0, len(schedule_ids), _CHUNK):
        chunk = list(schedule_ids[start : start + _CHUNK])
        query = select(NightRow).where(
            col(NightRow.schedule_id).in_(chunk), col(NightRow.night_date) >= since.isoformat()
        )
        for row in await session.exec(query):
            night = _night(row)
            found[(night.schedule_id, night.date)] = night
    return found


def _upsert_night(dialect: Any) -> Any:
    statement = dialect.insert(NightRow)
    return statement.on_conflict_do_update(
        index_elements=["schedule_id", "night_date"],
        set_={
            "start": statement.excluded.start,
            "state": statement.excluded.state,
            "debate_id": statement.excluded.debate_id,
            "motion_id": statement.excluded.motion_id,
        },
    )


_UPSERT_NIGHT = {"postgresql": _upsert_night(postgresql), "sqlite": _upsert_night(sqlite)}


async def save_nights(session: AsyncSession, *, nights: Sequence[NightRecord]) -> None:
    """Insert or update many nights in one statement."""
    if not nights:
        return
    connection = await session.connection()
    await connection.execute(
        _UPSERT_NIGHT[connection.dialect.name],
        [
            {
                "schedule_id": n.schedule_id,
                "night_date": n.date.isoformat(),
                "start": n.start,
                "state": n.state.value,
                "debate_id": n.debate_id,
                "motion_id": n.motion_id,
            }
            for n in nights
        ],
    )


async def lobbies_for_quorum(
    session: AsyncSession, *, debate_ids: Sequence[int], channel_ids: Sequence[int]
) -> tuple[dict[int, Debate], dict[int, Debate], dict[int, int]]:
    """For a batch of quorum checks: debates by id, the active debate of each channel, and
    the number of sign-ups of each of those debates."""
    by_id: dict[int, Debate] = {}
    by_channel: dict[int, Debate] = {}
    if debate_ids:
        query = select(DebateRow).where(col(DebateRow.id).in_(list(debate_ids)))
        by_id = {d.id: d for d in map(_debate, await session.exec(query))}
    if channel_ids:
        query = select(DebateRow).where(
            col(DebateRow.channel_id).in_(list(channel_ids)), col(DebateRow.closed_at).is_(None)
        )
        by_channel = {d.channel_id: d for d in map(_debate, await session.exec(query))}
    ids = list({*by_id, *(d.id for d in by_channel.values())})
    counts: dict[int, int] = {}
    if ids:
        rows = await session.exec(
            select(SignupRow.debate_id, func.count())
            .where(col(SignupRow.debate_id).in_(ids))
            .group_by(col(SignupRow.debate_id))
        )
        counts = dict(rows.all())
    return by_id, by_channel, counts


# ---------------------------------------------------------------------------------------------
# The motion bank


def _motion(row: Mapping[str, Any], voters: frozenset[int] = frozenset()) -> Motion:
    debated_at = row["debated_at"]
    return Motion(
        id=row["id"],
        guild_id=row["guild_id"],
        author_id=row["author_id"],
        text=row["text"],
        submitted_at=_utc(row["submitted_at"]),
        state=MotionState(row["state"]),
        voters=voters,
        debated_at=_utc(debated_at) if debated_at else None,
        times_debated=row["times_debated"],
        source_url=row["source_url"],
    )


async def add_motion(session: AsyncSession, *, motion: Motion, article_id: int | None) -> Motion:
    """Store a new motion (its ``id`` is ignored) and return it with the id it was given."""
    row = MotionRow(
        guild_id=motion.guild_id,
        author_id=motion.author_id,
        text=motion.text,
        state=motion.state.value,
        submitted_at=motion.submitted_at,
        times_debated=motion.times_debated,
        source_url=motion.source_url,
        article_id=article_id,
    )
    session.add(row)
    await session.flush()
    return _motion(row.model_dump())


async def motion_voters(
    session: AsyncSession, *, motion_ids: Sequence[int]
) -> dict[int, frozenset[int]]:
    """Who upvoted each of these motions since it was last debated."""
    if not motion_ids:
        return {}
    rows = await session.exec(
        select(MotionVoteRow.motion_id, MotionVoteRow.user_id).where(
            col(MotionVoteRow.motion_id).in_(list(motion_ids))
        )
    )
    voters: dict[int, set[int]] = {}
    for motion_id, user_id in rows:
        voters.setdefault(motion_id, set()).add(user_id)
    return {motion_id: frozenset(users) for motion_id, users in voters.items()}


async def get_motion(
    session: AsyncSession, *, motion_id: int, guild_id: int | None = None, for_update: bool = False
) -> Motion | None:
    """A motion with its upvoters (of this server, when ``guild_id`` is given);
    ``for_update`` locks its row until the commit."""
    query = select(MotionRow).where(MotionRow.id == motion_id)
    if guild_id is not None:
        query = query.where(MotionRow.guild_id == guild_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    if row is None:
        return None
    voters = await motion_voters(session, motion_ids=[motion_id])
    return _motion(row.model_dump(), voters.get(motion_id, frozenset()))


async def motion_texts(session: AsyncSession, *, guild_id: int) -> list[tuple[int, str]]:
    """``(id, text)`` of every motion of a server that is not rejected, oldest first."""
    rows = await session.exec(
        select(MotionRow.id, MotionRow.text)
        .where(MotionRow.guild_id == guild_id, MotionRow.state != MotionState.REJECTED.value)
        .order_by(col(MotionRow.id))
    )
    return [(motion_id, text) for motion_id, text in rows if motion_id is not None]


async def save_motion(
    session: AsyncSession,
    *,
    motion: Motion,
    reviewed_by: int | None = None,
    reviewed_at: datetime | None = None,
    reason: str | None = None,
) -> None:
    """Write back what may change in a motion: its state and debate record, and with
    ``reviewed_by`` the moderator's decision (``reason`` replaces the stored one)."""
    values: dict[str, Any] = {
        "state": motion.state.value,
        "debated_at": motion.debated_at,
        "times_debated": motion.times_debated,
    }
    if reviewed_by is not None:
        values.update(reviewed_by=reviewed_by, reviewed_at=reviewed_at, reason=reason)
    await session.exec(update(MotionRow).where(col(MotionRow.id) == motion.id).values(**values))


async def clear_motion_votes(session: AsyncSession, *, motion_id: int) -> None:
    """Remove every upvote of a motion (it has just been debated)."""
    await session.exec(delete(MotionVoteRow).where(col(MotionVoteRow.motion_id) == motion_id))


_INSERT_MOTION_VOTE = insert(MotionVoteRow)
_DELETE_MOTION_VOTE = delete(MotionVoteRow).where(
    col(MotionVoteRow.motion_id) == bindparam("motion_id"),
    col(MotionVoteRow.user_id) == bindparam("user_id"),
)


def add_motion_vote(batch: Batch, *, motion_id: int, user_id: int, now: datetime) -> None:
    """Store a member's upvote, when the batch commits (the unique pair refuses a second)."""
    batch.later(_INSERT_MOTION_VOTE, {"motion_id": motion_id, "user_id": user_id, "voted_at": now})


def delete_motion_vote(batch: Batch, *, motion_id: int, user_id: int) -> None:
    """Remove a member's upvote, when the batch commits."""
    batch.later(_DELETE_MOTION_VOTE, {"motion_id": motion_id, "user_id": user_id})


def _bank_order(rested_before: datetime) -> tuple[Any, Any, tuple[Any, ...]]:
    """The vote count, whether a motion is available, and the bank's order.

    Available motions (approved, or debated at or before ``rested_before``) come first, in
    the order of ``bot.domain.motions.rank``; then pending ones, then resting ones, each by
    the same keys.
    """
    counts = (
        core_select(col(MotionVoteRow.motion_id).label("motion_id"), func.count().label("votes"))
        .group_by(col(MotionVoteRow.motion_id))
        .subquery()
    )
    votes = func.coalesce(counts.c.votes, 0)
    state, debated_at = col(MotionRow.state), col(MotionRow.debated_at)
    available = (state == MotionState.APPROVED.value) | (
        (state == MotionState.DEBATED.value) & (debated_at <= rested_before)
    )
    bucket = case((available, 0), (state == MotionState.PENDING.value, 1), else_=2)
    order = (bucket, votes.desc(), col(MotionRow.submitted_at), col(MotionRow.id))
    return counts, available, order


async def bank_size(session: AsyncSession, *, guild_id: int) -> int:
    """How many motions of a server are not rejected."""
    query = (
        select(func.count())
        .select_from(MotionRow)
        .where(MotionRow.guild_id == guild_id, MotionRow.state != MotionState.REJECTED.value)
    )
    total: int = (await session.exec(query)).one()
    return total


async def bank_page(
    session: AsyncSession,
    *,
    guild_id: int,
    rested_before: datetime,
    offset: int,
    limit: int,
    available_only: bool = False,
) -> list[Motion]:
    """A slice of a server's bank (rejected motions left out) in the bank's order, each with
    its upvoters; ``available_only`` keeps the motions a debate night may open with."""
    counts, available, order = _bank_order(rested_before)
    query = (
        core_select(cast(Any, MotionRow).__table__)
        .outerjoin(counts, counts.c.motion_id == col(MotionRow.id))
        .where(
            col(MotionRow.guild_id) == guild_id,
            col(MotionRow.state) != MotionState.REJECTED.value,
        )
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    if available_only:
        query = query.where(available)
    rows = [row._mapping for row in await session.exec(cast(Any, query))]
    voters = await motion_voters(session, motion_ids=[row["id"] for row in rows])
    return [_motion(row, voters.get(row["id"], frozenset())) for row in rows]
