"""Ratings, seasons and leaderboards: the rules.

Theory of operation
-------------------
A member's skill in a server is a Bayesian belief, ``Rating(mu, sigma)``, updated by the
openskill library's Plackett-Luce model, which rates teams: every debater of the winning
side is ranked above every debater of the losing side, and a tie ranks them equal. Members
are compared by the conservative ``ordinal`` (``mu - 3 sigma``): a newcomer starts at 0 and
climbs as the evidence grows.

``play`` applies one finished debate (a ``Game``) to the records of its debaters. Three
adjustments surround the model:

- Idle time. Before a debate, a member's ``sigma`` grows with the days since their last
  one (``inflate``): after ``IDLE_GRACE_DAYS`` its variance gains ``IDLE_VARIANCE_PER_DAY``
  a day, up to the prior's. A pure function of two dates.
- Margin. The model only knows who won; ``margin_weight`` scales the change of ``mu`` by how
  decisive the verdict was, from ``MIN_WEIGHT`` (a win by a hair) to ``MAX_WEIGHT`` (a lead
  of ``LANDSLIDE`` of the vote or more). The change of ``sigma`` is the model's own.
- No contest. A debate where the verdict measured nothing (nobody voted before or after an
  Oxford debate, nobody chose a side in a majority vote, no judge scored) changes nothing,
  like a debate a moderator marked unrated; ``game`` returns ``None`` for it.

Every result is replayed in the same order (decision time, then debate id) by the
incremental path and by a rebuild, and ``play`` is deterministic, so both give the same
floats.

A server's ratings are kept twice: all time, and per season (``Season``). A season starts
everyone from the prior; a debate counts toward the season running when it was decided.

Leaderboards rank one ``Metric`` within a server and a season. Equal values share a rank:
a member's rank is one plus the number of members with a strictly better value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from openskill.models import PlackettLuce, PlackettLuceRating

from bot.domain.debate import Actor
from bot.domain.errors import DomainError
from bot.domain.formats import VoteRule
from bot.domain.sides import Side

MODEL = PlackettLuce()
"""The rating model, with openskill's defaults: prior mu 25, sigma 25/3."""

PRIOR_MU: float = MODEL.mu
PRIOR_SIGMA: float = MODEL.sigma
Z = 3.0
"""Standard deviations subtracted from ``mu`` for the conservative ordinal."""

IDLE_GRACE_DAYS = 14.0
"""Days off before a member's uncertainty starts to grow."""
IDLE_VARIANCE_PER_DAY = 0.04
"""Variance added per idle day beyond the grace period (sigma grows by about 1.2 in a
year off for a member with sigma 2)."""

MIN_WEIGHT, MAX_WEIGHT = 0.5, 1.5
LANDSLIDE = 0.2
"""A lead of this share of the vote (20 percentage points, a fifth of the votes or of the
judges) or more gives ``MAX_WEIGHT``."""

MIN_GAMES = 5
"""Debates a member needs before they appear on the win-rate board."""

PAGE_SIZE = 10
ALL_TIME = "all-time"
"""The name that asks for the all-time board; no season may take it."""
SEASON_NAME_MAX = 60


# -- errors -------------------------------------------------------------------------------


class SeasonAlreadyRunning(DomainError):
    """A season is running; it has to end before another starts."""

    def __init__(self, name: str) -> None:
        super().__init__(f"season {name!r} is running")
        self.name = name

    def explain(self) -> str:
        """The sentence a member sees."""
        return f"The season “{self.name}” is still running: end it before starting another."


class NoSeasonRunning(DomainError):
    """There is no running season to end."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return "No season is running in this server."


class UnknownSeason(DomainError):
    """No season of this server has that name."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown season {name!r}")
        self.name = name
        self.known = known

    def explain(self) -> str:
        """The sentence a member sees."""
        known = ", ".join(self.known) if self.known else "none yet"
        return f"This server has no season called “{self.name}” (seasons: {known})."


class InvalidSeasonName(DomainError):
    """A season name is empty, too long, reserved or taken."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"season name {name!r}: {why}")
        self.name = name
        self.why = why

    def explain(self) -> str:
        """The sentence a member sees."""
        return f"That season name can't be used: {self.why}."


class RatedLocked(DomainError):
    """Whether a debate is rated is decided before it starts."""

    def __init__(self, debate_id: int, state: str) -> None:
        super().__init__(f"debate {debate_id} is {state}")
        self.debate_id = debate_id
        self.state = state

    def explain(self) -> str:
        """The sentence a member sees."""
        return "A debate can be marked rated or unrated only in its lobby, before it starts."


# -- ratings ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rating:
    """A belief about a member's skill: mean and standard deviation."""

    mu: float = PRIOR_MU
    sigma: float = PRIOR_SIGMA

    @property
    def ordinal(self) -> float:
        """The conservative estimate members are ranked by: ``mu - 3 sigma``."""
        return self.mu - Z * self.sigma


class Outcome(StrEnum):
    """How a debate went for one side."""

    WIN = "win"
    LOSS = "loss"
    TIE = "tie"


@dataclass(frozen=True, slots=True)
class Record:
    """A member's standing in one server and season (or all time)."""

    user_id: int
    rating: Rating = field(default_factory=Rating)
    games: int = 0
    wins: int = 0
    losses: int = 0
    ties: int = 0
    swing_sum: float = 0.0
    """Sum of the percentage points their side gained, over the debates that measured it."""
    swing_games: int = 0
    votes: int = 0
    """Audience votes cast in rated debates (before and after each count)."""
    last_played: datetime | None = None

    @property
    def ordinal(self) -> float | None:
        """The rating's ordinal; ``None`` for a member who has only voted."""
        return self.rating.ordinal if self.games else None

    @property
    def win_rate(self) -> float | None:
        """Wins per debate; ``None`` before ``MIN_GAMES`` debates."""
        return self.wins / self.games if self.games >= MIN_GAMES else None

    @property
    def persuasion(self) -> float | None:
        """Mean percentage points gained by their side; ``None`` if never measured."""
        return self.swing_sum / self.swing_games if self.swing_games else None

    @property
    def participation(self) -> int:
        """Debates debated plus votes cast."""
        return self.games + self.votes


@dataclass(frozen=True, slots=True)
class Game:
    """A rated, contested debate as the ratings see it."""

    debate_id: int
    guild_id: int
    decided_at: datetime
    winner: Side | None
    weight: float
    teams: Mapping[Side, tuple[int, ...]]
    gains: Mapping[Side, float | None]
    """Percentage points each side gained from the vote before to the vote after."""
    votes: Mapping[int, int]
    """Votes each audience member cast in the debate."""

    def outcome(self, side: Side) -> Outcome:
        """How the debate went for ``side``."""
        if self.winner is None:
            return Outcome.TIE
        return Outcome.WIN if self.winner is side else Outcome.LOSS


@dataclass(frozen=True, slots=True)
class Change:
    """What one debate did to one debater's rating."""

    user_id: int
    side: Side
    outcome: Outcome
    before: Rating
    after: Rating
    gain: float | None


def side_gain(pre: Sequence[int], post: Sequence[int], side: Side) -> float | None:
    """Percentage points ``side`` gained from the tally before to the tally after; ``None``
    when either vote had no voters. Tallies are ``[for, against, undecided]``."""
    if sum(pre) == 0 or sum(post) == 0:
        return None
    index = 0 if side is Side.FOR else 1
    # Exact: one correctly rounded division of integers (what float(Fraction) would give).
    before, after = sum(pre), sum(post)
    return (post[index] * before - pre[index] * after) * 100 / (before * after)


def decisiveness(
    rule: VoteRule, margin: float, pre: Sequence[int], post: Sequence[int], judges: int
) -> float | None:
    """The winner's lead as a share (0 to 1) of what could be won; ``None`` when the
    verdict measured nothing (no contest). Tallies are ``[for, against, undecided]``."""
    if rule is VoteRule.OXFORD:
        return None if sum(pre) == 0 or sum(post) == 0 else min(margin / 100, 1.0)
    if rule is VoteRule.MAJORITY:
        sided = post[0] + post[1]
        return None if sided == 0 else min(margin / sided, 1.0)
    return None if judges == 0 else min(margin / judges, 1.0)


def margin_weight(share: float) -> float:
    """How much of the model's change of ``mu`` a verdict carries, by its lead."""
    return MIN_WEIGHT + (MAX_WEIGHT - MIN_WEIGHT) * min(max(share, 0.0) / LANDSLIDE, 1.0)


def game(
    *,
    debate_id: int,
    guild_id: int,
    decided_at: datetime,
    rule: VoteRule,
    winner: Side | None,
    margin: float,
    tallies: Mapping[str, object],
    judges: int,
    teams: Mapping[Side, tuple[int, ...]],
    votes: Mapping[int, int],
) -> Game | None:
    """The game a stored result makes; ``None`` for no contest or a side without debaters."""
    pre = _tally(tallies.get("pre"))
    post = _tally(tallies.get("post"))
    share = decisiveness(rule, margin, pre, post, judges)
    if share is None or not all(teams.get(side) for side in Side):
        return None
    return Game(
        debate_id=debate_id,
        guild_id=guild_id,
        decided_at=decided_at,
        winner=winner,
        weight=1.0 if winner is None else margin_weight(share),
        teams={side: tuple(teams[side]) for side in Side},
        gains={side: side_gain(pre, post, side) for side in Side},
        votes=dict(votes),
    )


def _tally(value: object) -> tuple[int, int, int]:
    if isinstance(value, Sequence) and len(value) == 3:
        return int(value[0]), int(value[1]), int(value[2])
    return 0, 0, 0


def inflate(rating: Rating, last_played: datetime | None, now: datetime) -> Rating:
    """The rating with its uncertainty grown for the days idle since ``last_played``."""
    if last_played is None:
        return rating
    idle = (now - last_played).total_seconds() / 86_400 - IDLE_GRACE_DAYS
    if idle <= 0 or rating.sigma >= PRIOR_SIGMA:
        return rating
    sigma = math.sqrt(rating.sigma**2 + idle * IDLE_VARIANCE_PER_DAY)
    return Rating(rating.mu, min(sigma, PRIOR_SIGMA))


_SEATS: list[PlackettLuceRating] = []
"""Model ratings reused from debate to debate (``rate_two_teams`` sets every field it reads
before each use), so that replaying 100,000 debates makes no model objects."""


def rate_two_teams(
    ratings: Sequence[Rating], split: int, ranks: Sequence[float]
) -> list[tuple[float, float]]:
    """The model's ``(mu, sigma)`` after a debate of ``ratings[:split]`` against
    ``ratings[split:]`` ranked ``ranks`` (lower wins, equal ties): exactly what
    ``MODEL.rate`` returns, without its copies.

    ``PlackettLuce.rate`` validates its arguments, deep-copies every rating (each copy
    drawing a fresh UUID), adds ``tau`` to each ``sigma``, orders the teams by rank and calls
    ``_compute``. Those copies were a third of a full rebuild's time, so this does the same
    steps on ratings it owns; a property test holds it equal to ``MODEL.rate``.
    """
    while len(_SEATS) < len(ratings):
        _SEATS.append(MODEL.create_rating([PRIOR_MU, PRIOR_SIGMA]))
    tau_squared = MODEL.tau * MODEL.tau
    seats = _SEATS[: len(ratings)]
    for seat, rating in zip(seats, ratings, strict=True):
        seat.mu = rating.mu
        seat.sigma = math.sqrt(rating.sigma * rating.sigma + tau_squared)
    teams = [seats[:split], seats[split:]]
    if ranks[1] < ranks[0]:  # rate() orders the teams by rank (a stable sort) first
        teams.reverse()
    MODEL._compute(teams=teams, ranks=sorted(ranks))
    return [(seat.mu, seat.sigma) for seat in seats]


def play(records: Mapping[int, Record], played: Game) -> tuple[list[Record], list[Change]]:
    """The debaters' records after ``played`` (``records`` may lack newcomers), and what
    changed for each, For first, in speaking order."""
    at = played.decided_at
    seated = [
        (side, user, records.get(user) or Record(user))
        for side in (Side.FOR, Side.AGAINST)
        for user in played.teams[side]
    ]
    before = [inflate(record.rating, record.last_played, at) for _, _, record in seated]
    split = len(played.teams[Side.FOR])
    ranks = [0.0, 0.0]
    if played.winner is not None:
        ranks = [0.0, 1.0] if played.winner is Side.FOR else [1.0, 0.0]
    updated: list[Record] = []
    changes: list[Change] = []
    for (side, user, record), old, (mu, sigma) in zip(
        seated, before, rate_two_teams(before, split, ranks), strict=True
    ):
        outcome = played.outcome(side)
        gain = played.gains[side]
        after = Rating(old.mu + played.weight * (mu - old.mu), sigma)
        updated.append(
            Record(
                user_id=user,
                rating=after,
                games=record.games + 1,
                wins=record.wins + (outcome is Outcome.WIN),
                losses=record.losses + (outcome is Outcome.LOSS),
                ties=record.ties + (outcome is Outcome.TIE),
                swing_sum=record.swing_sum + (gain or 0.0),
                swing_games=record.swing_games + (gain is not None),
                votes=record.votes,
                last_played=at,
            )
        )
        changes.append(Change(user, side, outcome, old, after, gain))
    return updated, changes


def with_votes(record: Record, votes: int) -> Record:
    """The record after its member cast ``votes`` more votes."""
    return replace(record, votes=record.votes + votes)


# -- seasons ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Season:
    """A stretch of a server's debates with ratings of their own."""

    id: int
    guild_id: int
    name: str
    started_at: datetime
    ended_at: datetime | None = None

    @property
    def running(self) -> bool:
        """True until the season ends."""
        return self.ended_at is None

    def covers(self, moment: datetime) -> bool:
        """Whether a debate decided at ``moment`` counts toward this season."""
        return self.started_at <= moment and (self.ended_at is None or moment < self.ended_at)


def season_at(seasons: Sequence[Season], moment: datetime) -> Season | None:
    """The season a debate decided at ``moment`` counts toward, if any."""
    return next((s for s in seasons if s.covers(moment)), None)


ALL_TIME_SEASON = 0
"""The board number of all time; a season's board is numbered by the season's id."""


def boards_of(played: Game, seasons: Sequence[Season]) -> list[int]:
    """The boards a game counts on: all time, and the season it was decided in."""
    season = season_at(seasons, played.decided_at)
    return [ALL_TIME_SEASON] if season is None else [ALL_TIME_SEASON, season.id]


@dataclass(frozen=True, slots=True)
class Replayed:
    """One server's boards rebuilt from its games: each board's records, and every change
    as ``(board, debate id, decided at, change)`` in the order the games were played."""

    boards: dict[int, dict[int, Record]]
    changes: list[tuple[int, int, datetime, Change]]


def replay(games: Sequence[Game], seasons: Sequence[Season]) -> Replayed:
    """Play one server's games in the order given, from the prior, on every board they
    count on: what ``play`` did to them one by one, as a rebuild needs it."""
    boards: dict[int, dict[int, Record]] = {}
    changes: list[tuple[int, int, datetime, Change]] = []
    for played in games:
        for board in boards_of(played, seasons):
            records = boards.setdefault(board, {})
            updated, changed = play(records, played)
            for record in updated:
                records[record.user_id] = record
            for user, count in played.votes.items():
                records[user] = with_votes(records.get(user) or Record(user), count)
            changes.extend((board, played.debate_id, played.decided_at, c) for c in changed)
    return Replayed(boards, changes)


_SPACE = re.compile(r"\s+")


def clean_season_name(name: str, taken: Sequence[str] = ()) -> str:
    """A season name as stored: white space folded, unique in the server (ignoring case)."""
    cleaned = _SPACE.sub(" ", name).strip()
    if not cleaned:
        raise InvalidSeasonName(name, "it is empty")
    if len(cleaned) > SEASON_NAME_MAX:
        raise InvalidSeasonName(name, f"it is longer than {SEASON_NAME_MAX} characters")
    if cleaned.casefold() == ALL_TIME:
        raise InvalidSeasonName(name, f"“{ALL_TIME}” names the board of every season")
    if cleaned.casefold() in {t.casefold() for t in taken}:
        raise InvalidSeasonName(name, "another season of this server has it")
    return cleaned


def may_manage_seasons(actor: Actor, moderator_role_id: int | None) -> bool:
    """Who starts and ends seasons: members who manage the server or hold its moderator
    role."""
    return actor.manages_server or (
        moderator_role_id is not None and moderator_role_id in actor.role_ids
    )


# -- leaderboards -------------------------------------------------------------------------


class Metric(StrEnum):
    """What a leaderboard ranks."""

    RATING = "rating"
    WINS = "wins"
    WIN_RATE = "win-rate"
    PERSUASION = "persuasion"
    PARTICIPATION = "participation"

    @property
    def description(self) -> str:
        """What the board ranks, in a sentence."""
        return _DESCRIPTIONS[self]

    def show(self, value: float) -> str:
        """A value of this metric as members read it."""
        if self is Metric.RATING:
            return f"{value:.1f}"
        if self is Metric.WIN_RATE:
            return f"{value * 100:.0f}%"
        if self is Metric.PERSUASION:
            return f"{value:+.1f} points"
        return f"{value:.0f}"


_DESCRIPTIONS = {
    Metric.RATING: "Rating: the skill estimate minus three times its uncertainty.",
    Metric.WINS: "Debates won.",
    Metric.WIN_RATE: f"Share of debates won, among members with {MIN_GAMES} debates or more.",
    Metric.PERSUASION: "Mean percentage points a member's side gained from the vote before "
    "to the vote after.",
    Metric.PARTICIPATION: "Debates debated plus votes cast.",
}


def board_value(record: Record, metric: Metric) -> float | None:
    """A record's value on a board; ``None`` when it is not on that board."""
    if metric is Metric.RATING:
        return record.ordinal
    if metric is Metric.WINS:
        return float(record.wins) if record.games else None
    if metric is Metric.WIN_RATE:
        return record.win_rate
    if metric is Metric.PERSUASION:
        return record.persuasion
    return float(record.participation) if record.participation else None


def board_moves(
    before: Mapping[int, Record], after: Sequence[Record], new_voters: int = 0
) -> dict[Metric, int]:
    """Members each board gains when the records ``before`` become those ``after`` and
    ``new_voters`` members without a record vote for the first time."""
    moves = dict.fromkeys(Metric, 0)
    for record in after:
        old = before.get(record.user_id)
        for metric in Metric:
            moves[metric] += (board_value(record, metric) is not None) - (
                old is not None and board_value(old, metric) is not None
            )
    moves[Metric.PARTICIPATION] += new_voters
    return moves


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's place on a board."""

    rank: int
    user_id: int
    value: float
    games: int


@dataclass(frozen=True, slots=True)
class BoardLine:
    """A member on a board, for export: the board's value and their record as debater
    (never how they voted)."""

    user_id: int
    value: float
    games: int
    wins: int
    losses: int
    ties: int
    mu: float
    sigma: float


@dataclass(frozen=True, slots=True)
class LeaderboardPage:
    """One page of a board, and the caller's own place (``None`` when not on the board)."""

    metric: Metric
    season: Season | None
    """``None`` for the all-time board."""
    rows: list[Standing]
    total: int
    page: int
    pages: int
    caller: Standing | None
    min_games: int = MIN_GAMES


def clamp_page(page: int, total: int) -> tuple[int, int]:
    """The page actually shown (1 to the last) and the number of pages (at least 1)."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return min(max(page, 1), pages), pages


def rank_page(
    entries: Sequence[tuple[int, float, int]], offset: int, first_rank: int
) -> list[Standing]:
    """Standings of a page of ``(user, value, games)`` sorted best first, which starts at
    position ``offset`` of the board; ``first_rank`` is the rank of its first entry."""
    standings: list[Standing] = []
    for i, (user, value, games) in enumerate(entries):
        if i == 0:
            rank = first_rank
        elif value == entries[i - 1][1]:
            rank = standings[-1].rank
        else:
            rank = offset + i + 1
        standings.append(Standing(rank, user, value, games))
    return standings


# -- a member -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RatingPoint:
    """A member's rating just after one debate: a point of their chart."""

    debate_id: int
    decided_at: datetime
    mu: float
    sigma: float

    @property
    def ordinal(self) -> float:
        """The conservative rating at that point."""
        return self.mu - Z * self.sigma


@dataclass(frozen=True, slots=True)
class BestWin:
    """A debate a member won, with the verdict's margin in its rule's unit."""

    debate_id: int
    motion: str
    side: Side
    rule: VoteRule
    margin: float
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class MemberStats:
    """A member's record in one server and season (``season`` None: all time)."""

    user_id: int
    season: Season | None
    record: Record
    rating_now: Rating
    """The rating with the uncertainty their idle time adds up to now."""
    rank: int | None
    """Their rank on the rating board; ``None`` if they have not debated."""
    sides: Mapping[Side, int]
    best_wins: list[BestWin]
    history: list[RatingPoint]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One finished debate of a member: motion, side and verdict."""

    debate_id: int
    motion: str
    side: Side
    outcome: Outcome
    reason: str
    decided_at: datetime
    rated: bool
    change: float | None
    """How their all-time rating (ordinal) moved; ``None`` if the debate changed nothing."""
