"""The only place where rows become domain objects and back.

Keyword-only functions that take the session; the calling service owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
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
    PollRow,
    ResultRow,
    SignupRow,
    SpeechRow,
    VoteChangeRow,
    VoteRow,
)
from bot.db.writer import Batch
from bot.domain.clock import Clock, ClockState
from bot.domain.debate import Debate, DebateState, Preference, Signup
from bot.domain.drafts import Draft, DraftState, StoredArticle
from bot.domain.guilds import GuildSettings, TurnMode
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


async def clock_with_debate(
    session: AsyncSession, *, debate_id: int
) -> tuple[ClockRecord, Debate] | None:
    """A started debate's clock, its row locked until the commit, with the debate: one query."""
    query = (
        select(ClockRow, DebateRow)
        .join(DebateRow, col(DebateRow.id) == col(ClockRow.debate_id))
        .where(col(ClockRow.debate_id) == debate_id)
        .with_for_update(of=ClockRow)
    )
    row = (await session.exec(query)).first()
    if row is None:
        return None
    clock, debate = row
    return _clock_record(clock), _debate(debate)


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


async def live_clocks(session: AsyncSession) -> list[tuple[int, str, ClockRecord]]:
    """Every running or paused clock with its debate's guild and format: what a restart resumes."""
    rows = await session.exec(
        select(ClockRow, DebateRow.guild_id, DebateRow.format_key)
        .join(DebateRow, col(DebateRow.id) == col(ClockRow.debate_id))
        .where(col(ClockRow.state) != ClockState.FINISHED.value)
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


async def polls_to_close(session: AsyncSession) -> list[PollRecord]:
    """Open votes the clock closes: what a restart schedules again."""
    rows = await session.exec(
        select(PollRow).where(
            PollRow.state == VoteState.OPEN.value, col(PollRow.closes_at).is_not(None)
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
