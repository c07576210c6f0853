"""Every table of Agora, in one module.

Discord ids are 64-bit snowflakes, hence ``BigInteger``. Times are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.expression import false, true
from sqlmodel import Field, SQLModel

metadata = SQLModel.metadata
metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _snowflake(*, index: bool = False, nullable: bool = False) -> Column[int]:
    return Column(BigInteger, index=index, nullable=nullable)


def _utc(*, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


class DebateRow(SQLModel, table=True):
    """A debate; at most one active (not closed) debate per channel."""

    __tablename__ = "debate"
    __table_args__ = (
        Index(
            "uq_debate_active_channel",
            "channel_id",
            unique=True,
            sqlite_where=Column("closed_at").is_(None),
            postgresql_where=Column("closed_at").is_(None),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=_snowflake(index=True))
    channel_id: int = Field(sa_column=_snowflake())
    creator_id: int = Field(sa_column=_snowflake())
    motion: str = Field(sa_column=Column(String(300), nullable=False))
    format_key: str = Field(sa_column=Column(String(40), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    lobby_message_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    article_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("article.id"), nullable=True)
    )
    created_at: datetime = Field(sa_column=_utc())
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    rated: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=true())
    )
    """False when a moderator marked the debate unrated before it started."""


class SignupRow(SQLModel, table=True):
    """A member's sign-up for a debate: one per member per debate."""

    __tablename__ = "signup"
    __table_args__ = (UniqueConstraint("debate_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: int = Field(sa_column=_snowflake())
    preference: str = Field(sa_column=Column(String(8), nullable=False))
    joined_at: datetime = Field(sa_column=_utc())


class ArticleRow(SQLModel, table=True):
    """An article a moderator brought: where it came from and its own extracted text."""

    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=_snowflake(index=True))
    url: str | None = Field(default=None, sa_column=Column(String(2048), nullable=True))
    filename: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    title: str = Field(sa_column=Column(String(500), nullable=False))
    subtitle: str = Field(sa_column=Column(String(1000), nullable=False))
    author: str = Field(sa_column=Column(String(300), nullable=False))
    site: str = Field(sa_column=Column(String(300), nullable=False))
    published: str = Field(sa_column=Column(String(40), nullable=False))
    content_hash: str = Field(sa_column=Column(String(64), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_utc())


class MotionDraftRow(SQLModel, table=True):
    """Candidate motions proposed from an article, waiting for the moderator's choice."""

    __tablename__ = "motion_draft"

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=_snowflake(index=True))
    channel_id: int = Field(sa_column=_snowflake())
    moderator_id: int = Field(sa_column=_snowflake())
    article_id: int = Field(sa_column=Column(ForeignKey("article.id"), nullable=False))
    format_key: str = Field(sa_column=Column(String(40), nullable=False))
    candidates: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    chosen: int = Field(sa_column=Column(Integer, nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    debate_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("debate.id"), nullable=True)
    )
    created_at: datetime = Field(sa_column=_utc())


class DebaterRow(SQLModel, table=True):
    """A member's place in a started debate: side, speaking order and why they got that side."""

    __tablename__ = "debater"
    __table_args__ = (
        UniqueConstraint("debate_id", "user_id"),
        Index("ix_debater_guild_id_user_id", "guild_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    guild_id: int = Field(sa_column=_snowflake())
    user_id: int = Field(sa_column=_snowflake())
    side: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    """None for a reserve."""
    speaker_order: int = Field(sa_column=Column(Integer, nullable=False))
    reason: str = Field(sa_column=Column(String(200), nullable=False))
    started_at: datetime = Field(sa_column=_utc())


class ClockRow(SQLModel, table=True):
    """A started debate's clock and where it is shown; the dispatcher's whole state."""

    __tablename__ = "clock"
    __table_args__ = (Index("ix_clock_state", "state"),)

    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), primary_key=True)
    )
    phase_index: int = Field(sa_column=Column(Integer, nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    deadline: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    remaining_ms: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    warnings_sent: list[int] = Field(sa_column=Column(JSON, nullable=False))
    extended_seconds: int = Field(sa_column=Column(Integer, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    """The side draw's seed, kept so the draw can be audited and replayed."""
    thread_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    companion_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    stage_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    phase_message_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    shown_version: int = Field(sa_column=Column(Integer, nullable=False))
    """The clock version the phase message shows; behind ``version`` after a crash."""
    started_at: datetime = Field(sa_column=_utc())


class SpeechRow(SQLModel, table=True):
    """A message posted in a debate's thread during a phase: the transcript."""

    __tablename__ = "speech"
    __table_args__ = (UniqueConstraint("message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    message_id: int = Field(sa_column=_snowflake())
    author_id: int = Field(sa_column=_snowflake())
    side: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    phase_index: int = Field(sa_column=Column(Integer, nullable=False))
    posted_at: datetime = Field(sa_column=_utc())
    text: str = Field(sa_column=Column(Text, nullable=False))
    edits: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    """Earlier versions of the text, oldest first: ``{"at": iso time, "text": ...}``."""


class GuildSettingsRow(SQLModel, table=True):
    """A server's choices: its moderator role, how speaking turns are kept, who votes,
    and its defaults (debate channel, format, time zone, language)."""

    __tablename__ = "guild_settings"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    moderator_role_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    turns: str = Field(sa_column=Column(String(8), nullable=False))
    debaters_may_vote: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    voter_role_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    voter_min_days: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    voters_in_voice: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    debate_channel_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    default_format: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    timezone: str = Field(
        default="UTC", sa_column=Column(String(64), nullable=False, server_default="UTC")
    )
    language: str = Field(
        default="en", sa_column=Column(String(8), nullable=False, server_default="en")
    )


class FormatRow(SQLModel, table=True):
    """A server's own debate format, kept as the TOML a moderator gave."""

    __tablename__ = "custom_format"
    __table_args__ = (UniqueConstraint("guild_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=_snowflake())
    key: str = Field(sa_column=Column(String(40), nullable=False))
    source: str = Field(sa_column=Column(Text, nullable=False))
    created_by: int = Field(sa_column=_snowflake())
    created_at: datetime = Field(sa_column=_utc())


class PollRow(SQLModel, table=True):
    """One of a debate's two audience votes (before and after) and whether it is open."""

    __tablename__ = "poll"

    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), primary_key=True)
    )
    phase: str = Field(sa_column=Column(String(4), primary_key=True))
    state: str = Field(sa_column=Column(String(20), nullable=False))
    opened_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    closes_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """When the clock closes it (None: a moderator or the debate's clock closes it)."""
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    message_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))


class VoteRow(SQLModel, table=True):
    """A member's current vote in one phase: one per member per phase."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("debate_id", "phase", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), nullable=False)
    )
    phase: str = Field(sa_column=Column(String(4), nullable=False))
    user_id: int = Field(sa_column=_snowflake())
    choice: str = Field(sa_column=Column(String(10), nullable=False))
    cast_at: datetime = Field(sa_column=_utc())


class VoteChangeRow(SQLModel, table=True):
    """Every vote ever cast, changes included, with its time."""

    __tablename__ = "vote_change"

    id: int | None = Field(default=None, primary_key=True)
    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    phase: str = Field(sa_column=Column(String(4), nullable=False))
    user_id: int = Field(sa_column=_snowflake())
    choice: str = Field(sa_column=Column(String(10), nullable=False))
    cast_at: datetime = Field(sa_column=_utc())


class ResultRow(SQLModel, table=True):
    """A debate's verdict with the tallies behind it: what ratings are computed from."""

    __tablename__ = "result"

    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), primary_key=True)
    )
    rule: str = Field(sa_column=Column(String(10), nullable=False))
    winner: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    margin: float = Field(sa_column=Column(Float, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    tallies: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """``{"pre": [for, against, undecided], "post": [...], "swing": {...}}``."""
    decided_at: datetime = Field(sa_column=_utc())
    message_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    """The thread message showing the verdict, once posted (0: posted before this was kept);
    ``None`` after a crash between storing the result and showing it."""


class JudgeRow(SQLModel, table=True):
    """A judge named for a debate, and their ballot once cast."""

    __tablename__ = "judge"
    __table_args__ = (UniqueConstraint("debate_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = Field(sa_column=_snowflake())
    for_points: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    against_points: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    scored_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class SeasonRow(SQLModel, table=True):
    """A server's season: ratings of their own between its start and its end."""

    __tablename__ = "season"
    __table_args__ = (
        UniqueConstraint("guild_id", "name"),
        Index(
            "uq_season_running_guild",
            "guild_id",
            unique=True,
            sqlite_where=Column("ended_at").is_(None),
            postgresql_where=Column("ended_at").is_(None),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=_snowflake())
    name: str = Field(sa_column=Column(String(60), nullable=False))
    started_by: int = Field(sa_column=_snowflake())
    started_at: datetime = Field(sa_column=_utc())
    ended_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


BOARD_COLUMNS = ("ordinal", "wins", "win_rate", "persuasion", "participation")
"""The rating columns a leaderboard orders by; each has an index within (guild, season)."""


class RatingRow(SQLModel, table=True):
    """A member's record in a server, all time (season 0) or in one season.

    The board columns are NULL for a member not on that board (``ordinal`` and ``wins``
    before a first debate, ``win_rate`` before enough debates, ``persuasion`` before a
    measured swing), so a board is an index range and a rank is a count over it.
    """

    __tablename__ = "rating"
    __table_args__ = tuple(
        Index(f"ix_rating_board_{name}", "guild_id", "season", name, "user_id")
        for name in BOARD_COLUMNS
    )

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    season: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    mu: float = Field(sa_column=Column(Float, nullable=False))
    sigma: float = Field(sa_column=Column(Float, nullable=False))
    ordinal: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    games: int = Field(sa_column=Column(Integer, nullable=False))
    wins: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    losses: int = Field(sa_column=Column(Integer, nullable=False))
    ties: int = Field(sa_column=Column(Integer, nullable=False))
    win_rate: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    swing_sum: float = Field(sa_column=Column(Float, nullable=False))
    swing_games: int = Field(sa_column=Column(Integer, nullable=False))
    persuasion: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    votes: int = Field(sa_column=Column(Integer, nullable=False))
    participation: int = Field(sa_column=Column(Integer, nullable=False))
    last_played: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class RatingBoardRow(SQLModel, table=True):
    """How many members a board ranks, kept with every change so a page needs no count
    over the whole board."""

    __tablename__ = "rating_board"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    season: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    metric: str = Field(sa_column=Column(String(16), primary_key=True))
    members: int = Field(sa_column=Column(Integer, nullable=False))


class RatingChangeRow(SQLModel, table=True):
    """What one rated debate did to one debater, all time (season 0) or in its season."""

    __tablename__ = "rating_change"
    __table_args__ = (
        Index(
            "ix_rating_change_guild_id_season_user_id",
            "guild_id",
            "season",
            "user_id",
            "decided_at",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=_snowflake())
    season: int = Field(sa_column=Column(Integer, nullable=False))
    debate_id: int = Field(
        sa_column=Column(ForeignKey("debate.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: int = Field(sa_column=_snowflake())
    side: str = Field(sa_column=Column(String(8), nullable=False))
    outcome: str = Field(sa_column=Column(String(4), nullable=False))
    mu_before: float = Field(sa_column=Column(Float, nullable=False))
    sigma_before: float = Field(sa_column=Column(Float, nullable=False))
    mu: float = Field(sa_column=Column(Float, nullable=False))
    sigma: float = Field(sa_column=Column(Float, nullable=False))
    gain: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    decided_at: datetime = Field(sa_column=_utc())


class ScheduleRow(SQLModel, table=True):
    """A server's recurring debate night, and the Discord event showing its next night.

    Wall times and dates are the members' own (``local_time`` "20:00", ``anchor`` and
    ``skipped`` ISO dates in ``tz_name``); instants are UTC.
    """

    __tablename__ = "schedule"

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=_snowflake(index=True))
    name: str = Field(sa_column=Column(String(50), nullable=False))
    weekday: int = Field(sa_column=Column(Integer, nullable=False))
    local_time: str = Field(sa_column=Column(String(5), nullable=False))
    tz_name: str = Field(sa_column=Column(String(64), nullable=False))
    anchor: str = Field(sa_column=Column(String(10), nullable=False))
    every_weeks: int = Field(sa_column=Column(Integer, nullable=False))
    reminders: list[int] = Field(sa_column=Column(JSON, nullable=False))
    """Seconds before the start, furthest first."""
    quorum: int = Field(sa_column=Column(Integer, nullable=False))
    postpone_minutes: int = Field(sa_column=Column(Integer, nullable=False))
    format_key: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    channel_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    voice_channel_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    skipped: list[str] = Field(sa_column=Column(JSON, nullable=False))
    cancelled: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    created_by: int = Field(sa_column=_snowflake())
    created_at: datetime = Field(sa_column=_utc())
    watermark: datetime = Field(sa_column=_utc())
    """Events due at or before this instant are never sent: set at creation and each edit."""
    event_id: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    """The Discord scheduled event that shows the current or next night."""
    event_start: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """The start of the night that ``event_id`` shows."""


class NightRow(SQLModel, table=True):
    """One night of a schedule: its lobby, the bank's motion it used, and how it went."""

    __tablename__ = "night"
    __table_args__ = (UniqueConstraint("schedule_id", "night_date"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(
        sa_column=Column(ForeignKey("schedule.id", ondelete="CASCADE"), nullable=False)
    )
    night_date: str = Field(sa_column=Column(String(10), nullable=False))
    """The scheduled local date (what a skip names), ISO."""
    start: datetime = Field(sa_column=_utc())
    state: str = Field(sa_column=Column(String(12), nullable=False))
    debate_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("debate.id", ondelete="SET NULL"), nullable=True),
    )
    motion_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    """The bank's motion the lobby opened with (marked debated if the night goes ahead)."""


class NightEventRow(SQLModel, table=True):
    """A reminder, start or quorum check that was handled: its idempotency key is claimed
    in the transaction that decides to send it, so nothing is ever sent twice."""

    __tablename__ = "night_event"

    key: str = Field(sa_column=Column(String(120), primary_key=True))
    schedule_id: int = Field(
        sa_column=Column(ForeignKey("schedule.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    fire_at: datetime = Field(sa_column=_utc())
    handled_at: datetime = Field(sa_column=_utc())
    outcome: str = Field(sa_column=Column(String(10), nullable=False))
    """``send``, ``send_late`` or ``skip``."""
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class MotionRow(SQLModel, table=True):
    """A motion in a server's bank: who submitted it, where it is, when it was last debated."""

    __tablename__ = "motion"
    __table_args__ = (Index("ix_motion_guild_id_state", "guild_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=_snowflake())
    author_id: int = Field(sa_column=_snowflake())
    text: str = Field(sa_column=Column(String(300), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    submitted_at: datetime = Field(sa_column=_utc())
    debated_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    times_debated: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    source_url: str | None = Field(default=None, sa_column=Column(String(2048), nullable=True))
    article_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("article.id"), nullable=True)
    )
    """The article the motion was picked from, if any."""
    reviewed_by: int | None = Field(default=None, sa_column=_snowflake(nullable=True))
    """The moderator who last approved or rejected it."""
    reviewed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    reason: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    """Why a moderator rejected it, when they said."""


class MotionVoteRow(SQLModel, table=True):
    """A member's upvote of a motion since it was last debated: one per member per motion."""

    __tablename__ = "motion_vote"
    __table_args__ = (UniqueConstraint("motion_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    motion_id: int = Field(
        sa_column=Column(ForeignKey("motion.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = Field(sa_column=_snowflake())
    voted_at: datetime = Field(sa_column=_utc())
