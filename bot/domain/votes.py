"""Audience votes: when members may vote, who may, and who won.

Theory of operation
-------------------
A debate has up to two vote phases, ``PRE`` (before the speeches) and ``POST`` (after).
Each phase has its own state, and ``TRANSITIONS`` is the whole of its lifecycle:

    NOT_OPENED --open--> OPEN --close--> CLOSED

A move that is not in the table raises ``IllegalVoteMove`` and changes nothing; a closed
phase stays closed. While a phase is open a member casts a ballot with ``cast``; casting
again replaces it, so the last ballot counts. The caller keeps the earlier ballots if it
wants a history of changes. Before a ballot is cast, ``eligibility`` applies the server's
``VotingRules`` and returns the first refusal, or ``None``.

``decide`` turns the tallies into a ``Verdict`` by the format's ``VoteRule``:

- oxford (Intelligence Squared): the side whose share of the vote gains more percentage
  points from the pre vote to the post vote wins. Shares are compared exactly (as
  fractions), so equal gains are a tie whatever the rounding of the shown numbers.
- majority: more For than Against votes in the post vote wins.
- judges: each judge's ballot goes to the side given more points (a judge's tie goes to
  neither); more judges wins.

``paired_swing`` and ``flows`` look only at members who voted in both phases, which shows
who changed their mind, not just how the totals moved. Nothing here reads the time;
callers pass ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from bot.domain.errors import DomainError, IllegalTransition
from bot.domain.formats import VoteRule
from bot.domain.sides import Side


class VotePhase(StrEnum):
    """When the audience votes: before or after the speeches."""

    PRE = "pre"
    POST = "post"


class Choice(StrEnum):
    """What a member votes."""

    FOR = "for"
    AGAINST = "against"
    UNDECIDED = "undecided"

    @property
    def label(self) -> str:
        """The choice as members read it: "For", "Against" or "Undecided"."""
        return self.value.capitalize()


class VoteState(StrEnum):
    """Whether a vote phase takes ballots."""

    CLOSED_NOT_OPENED = "not opened"
    OPEN = "open"
    CLOSED = "closed"


class VoteEvent(StrEnum):
    """What a moderator (or the debate's clock) does to a vote phase."""

    OPEN = "open"
    CLOSE = "close"


TRANSITIONS: dict[tuple[VoteState, VoteEvent], VoteState] = {
    (VoteState.CLOSED_NOT_OPENED, VoteEvent.OPEN): VoteState.OPEN,
    (VoteState.OPEN, VoteEvent.CLOSE): VoteState.CLOSED,
}
"""Legal moves of a vote phase and the state they lead to."""

_SIDE_OF: dict[Choice, Side] = {Choice.FOR: Side.FOR, Choice.AGAINST: Side.AGAINST}
_CHOICE_OF: dict[Side, Choice] = {side: choice for choice, side in _SIDE_OF.items()}


class IllegalVoteMove(IllegalTransition):
    """The vote phase cannot make that move from its current state."""

    def __init__(self, state: VoteState, event: VoteEvent) -> None:
        super().__init__(state.value, event.value)
        self.vote_state = state
        self.vote_event = event

    def explain(self) -> str:
        """The sentence a member sees."""
        if self.vote_state is VoteState.CLOSED:
            return "This vote has already closed, and a closed vote can't be reopened."
        if self.vote_state is VoteState.OPEN:
            return "This vote is already open."
        return "This vote hasn't opened yet, so it can't be closed."


class VoteClosed(DomainError):
    """A ballot came while the vote phase was not open."""

    def __init__(self, state: VoteState) -> None:
        super().__init__(f"vote is {state.value}")
        self.state = state

    def explain(self) -> str:
        """The sentence a member sees."""
        if self.state is VoteState.CLOSED:
            return "Voting has closed, so your vote wasn't counted."
        return "Voting has not opened yet; you can vote once the moderator opens it."


class VoteRefused(DomainError):
    """The member may not vote in this debate; ``explain`` says why."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return "You can't vote in this debate."


class DebatersCannotVote(VoteRefused):
    """The member debates in this debate and the server does not let debaters vote."""

    def __init__(self) -> None:
        super().__init__("debaters may not vote")

    def explain(self) -> str:
        """The sentence a member sees."""
        return "Debaters can't vote in their own debate."


class MissingVoterRole(VoteRefused):
    """The member lacks the role the server requires of voters."""

    def __init__(self, role_id: int) -> None:
        super().__init__(f"role {role_id} required")
        self.role_id = role_id

    def explain(self) -> str:
        """The sentence a member sees."""
        return f"Voting in this server needs the <@&{self.role_id}> role."


class TooNewToVote(VoteRefused):
    """The member joined the server too recently."""

    def __init__(self, min_days: int, days: int) -> None:
        super().__init__(f"member for {days} days, {min_days} required")
        self.min_days = min_days
        self.days = days

    def explain(self) -> str:
        """The sentence a member sees."""
        joined = "today" if self.days == 0 else f"{_count(self.days, 'day')} ago"
        return (
            f"Members can vote after {_count(self.min_days, 'day')} in the server; "
            f"you joined {joined}."
        )


class NotInVoiceChannel(VoteRefused):
    """The member is not in the debate's voice channel."""

    def __init__(self, channel_id: int) -> None:
        super().__init__(f"not in voice channel {channel_id}")
        self.channel_id = channel_id

    def explain(self) -> str:
        """The sentence a member sees."""
        return f"Join the debate's voice channel <#{self.channel_id}> to vote."


Refusal = VoteRefused
"""Why a member may not vote."""


def _count(n: int, noun: str) -> str:
    """ "1 day", "3 days"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def advance(state: VoteState, event: VoteEvent) -> VoteState:
    """The state after ``event``, or ``IllegalVoteMove``."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalVoteMove(state, event) from None


@dataclass(frozen=True, slots=True)
class Ballot:
    """A member's vote in one phase."""

    user_id: int
    choice: Choice
    cast_at: datetime


def cast(
    current: Ballot | None, user_id: int, choice: Choice, now: datetime, state: VoteState
) -> Ballot:
    """The member's ballot after voting ``choice``; ``current`` back unchanged if it is the same."""
    if state is not VoteState.OPEN:
        raise VoteClosed(state)
    if current is not None and current.user_id != user_id:
        raise ValueError(f"ballot of user {current.user_id} given for user {user_id}")
    if current is not None and current.choice is choice:
        return current
    return Ballot(user_id, choice, now)


@dataclass(frozen=True, slots=True)
class Voter:
    """What the rules need to know about a member who wants to vote."""

    user_id: int
    is_debater: bool
    role_ids: frozenset[int]
    joined_at: datetime
    in_voice_channel_id: int | None = None


@dataclass(frozen=True, slots=True)
class VotingRules:
    """A server's rules on who may vote; the defaults let every non-debater vote."""

    debaters_may_vote: bool = False
    required_role_id: int | None = None
    min_days_in_server: int = 0
    voice_channel_id: int | None = None


def eligibility(voter: Voter, rules: VotingRules, now: datetime) -> Refusal | None:
    """The first rule that refuses the voter, or ``None`` if they may vote."""
    if voter.is_debater and not rules.debaters_may_vote:
        return DebatersCannotVote()
    if rules.required_role_id is not None and rules.required_role_id not in voter.role_ids:
        return MissingVoterRole(rules.required_role_id)
    if rules.min_days_in_server > 0:
        days = max((now - voter.joined_at).days, 0)
        if days < rules.min_days_in_server:
            return TooNewToVote(rules.min_days_in_server, days)
    if rules.voice_channel_id is not None and voter.in_voice_channel_id != rules.voice_channel_id:
        return NotInVoiceChannel(rules.voice_channel_id)
    return None


@dataclass(frozen=True, slots=True)
class Tally:
    """The votes of one phase."""

    for_: int = 0
    against: int = 0
    undecided: int = 0

    def __post_init__(self) -> None:
        if min(self.for_, self.against, self.undecided) < 0:
            raise ValueError(f"negative count in {self}")

    @classmethod
    def of(cls, choices: Iterable[Choice]) -> Tally:
        """The tally of some ballots' choices."""
        counts = dict.fromkeys(Choice, 0)
        for choice in choices:
            counts[choice] += 1
        return cls(counts[Choice.FOR], counts[Choice.AGAINST], counts[Choice.UNDECIDED])

    @property
    def total(self) -> int:
        """Votes cast."""
        return self.for_ + self.against + self.undecided

    def count(self, choice: Choice) -> int:
        """Votes for ``choice``."""
        if choice is Choice.FOR:
            return self.for_
        if choice is Choice.AGAINST:
            return self.against
        return self.undecided

    def fraction(self, choice: Choice) -> Fraction:
        """Exact share of ``choice`` between 0 and 1; 0 when nobody voted."""
        return Fraction(self.count(choice), self.total) if self.total else Fraction(0)

    def share(self, choice: Choice) -> float:
        """Share of ``choice`` in percentage points; 0 when nobody voted."""
        return float(self.fraction(choice) * 100)


class NotAJudge(DomainError):
    """Only a judge named for the debate may cast a ballot."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return (
            "Only the judges a moderator named for this debate (with `/debate judge`) can "
            "cast a ballot."
        )


class JudgingClosed(DomainError):
    """Ballots are cast between the end of the speeches and the result."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return (
            "Judges cast their ballots after the speeches, until the vote after the debate closes."
        )


@dataclass(frozen=True, slots=True)
class JudgeBallot:
    """One judge's points for each side."""

    judge_id: int
    for_points: float
    against_points: float

    @property
    def winner(self) -> Side | None:
        """The side given more points; ``None`` for a tie."""
        if self.for_points > self.against_points:
            return Side.FOR
        if self.against_points > self.for_points:
            return Side.AGAINST
        return None


@dataclass(frozen=True, slots=True)
class Verdict:
    """Who won, by which rule, and the sentence that says so.

    ``margin`` is in the rule's unit: percentage points (oxford), votes (majority) or
    judges (judges); 0 for a tie or when there is no winner.
    """

    winner: Side | None
    rule: VoteRule
    reason: str
    margin: float


def decide(rule: VoteRule, pre: Tally, post: Tally, judges: Sequence[JudgeBallot] = ()) -> Verdict:
    """The verdict of the debate by ``rule``."""
    if rule is VoteRule.OXFORD:
        return _oxford(pre, post)
    if rule is VoteRule.MAJORITY:
        return _majority(post)
    return _judges(judges)


def _points(x: float) -> str:
    """A signed gain in percentage points, e.g. "+12.5 points", "-3 points"."""
    text = f"{x:+.1f}".removesuffix(".0")
    if text in ("+0", "-0"):
        text = "0"
    return f"{text} {'point' if abs(x) == 1 else 'points'}"


def _pct(x: float) -> str:
    return f"{x:.0f}%"


def _oxford(pre: Tally, post: Tally) -> Verdict:
    if pre.total == 0 or post.total == 0:
        missing = (
            "before or after"
            if pre.total == post.total == 0
            else ("before" if pre.total == 0 else "after")
        )
        return Verdict(
            None,
            VoteRule.OXFORD,
            f"No winner: nobody voted {missing} the debate, so no side's gain can be measured.",
            0.0,
        )
    gain = {c: post.fraction(c) - pre.fraction(c) for c in (Choice.FOR, Choice.AGAINST)}
    moves = ", ".join(
        f"{c.label} {_pct(pre.share(c))} → {_pct(post.share(c))} ({_points(float(gain[c] * 100))})"
        for c in (Choice.FOR, Choice.AGAINST)
    )
    if gain[Choice.FOR] == gain[Choice.AGAINST]:
        return Verdict(
            None,
            VoteRule.OXFORD,
            f"It's a tie, as both sides moved by the same amount: {moves}.",
            0.0,
        )
    winner = Choice.FOR if gain[Choice.FOR] > gain[Choice.AGAINST] else Choice.AGAINST
    margin = float(abs(gain[Choice.FOR] - gain[Choice.AGAINST]) * 100)
    return Verdict(
        _SIDE_OF[winner],
        VoteRule.OXFORD,
        f"{winner.label} wins by gaining more of the vote: {moves}.",
        margin,
    )


def _majority(post: Tally) -> Verdict:
    if post.for_ + post.against == 0:
        nobody = "nobody voted" if post.total == 0 else "nobody voted For or Against"
        return Verdict(None, VoteRule.MAJORITY, f"No winner: {nobody} after the debate.", 0.0)
    if post.for_ == post.against:
        return Verdict(
            None, VoteRule.MAJORITY, f"It's a tie: {_count(post.for_, 'vote')} each.", 0.0
        )
    winner = Side.FOR if post.for_ > post.against else Side.AGAINST
    high, low = max(post.for_, post.against), min(post.for_, post.against)
    return Verdict(
        winner,
        VoteRule.MAJORITY,
        f"{winner.label} wins {_count(high, 'vote')} to {low}.",
        float(high - low),
    )


def _judges(ballots: Sequence[JudgeBallot]) -> Verdict:
    latest = {b.judge_id: b for b in ballots}  # a judge who scored twice: the last counts
    if not latest:
        return Verdict(None, VoteRule.JUDGES, "No winner: no judge has scored the debate.", 0.0)
    wins = dict.fromkeys(Side, 0)
    split = 0
    for ballot in latest.values():
        if ballot.winner is None:
            split += 1
        else:
            wins[ballot.winner] += 1
    drawn = f" ({_count(split, 'judge')} scored a tie)" if split else ""
    if wins[Side.FOR] == wins[Side.AGAINST]:
        each = f"{_count(wins[Side.FOR], 'judge')} each"
        return Verdict(None, VoteRule.JUDGES, f"It's a tie: {each}{drawn}.", 0.0)
    winner = Side.FOR if wins[Side.FOR] > wins[Side.AGAINST] else Side.AGAINST
    high, low = wins[winner], wins[winner.other]
    return Verdict(
        winner,
        VoteRule.JUDGES,
        f"{winner.label} wins {_count(high, 'judge')} to {low}{drawn}.",
        float(high - low),
    )


@dataclass(frozen=True, slots=True)
class Swing:
    """How the members who voted in both phases moved."""

    for_to_against: int = 0
    against_to_for: int = 0
    undecided_to_for: int = 0
    undecided_to_against: int = 0
    for_to_undecided: int = 0
    against_to_undecided: int = 0
    stayed: int = 0

    @property
    def voters(self) -> int:
        """Members who voted in both phases."""
        return (
            self.for_to_against
            + self.against_to_for
            + self.undecided_to_for
            + self.undecided_to_against
            + self.for_to_undecided
            + self.against_to_undecided
            + self.stayed
        )

    def toward(self, side: Side) -> int:
        """Net members won by ``side``: those who moved to it minus those who left it."""
        to_for = self.against_to_for + self.undecided_to_for
        from_for = self.for_to_against + self.for_to_undecided
        to_against = self.for_to_against + self.undecided_to_against
        from_against = self.against_to_for + self.against_to_undecided
        return to_for - from_for if side is Side.FOR else to_against - from_against


def flows(
    pre: Mapping[int, Choice], post: Mapping[int, Choice]
) -> dict[tuple[Choice, Choice], int]:
    """Members per (pre choice, post choice) among those who voted in both; all nine pairs."""
    counts = {(a, b): 0 for a in Choice for b in Choice}
    for user_id, before in pre.items():
        after = post.get(user_id)
        if after is not None:
            counts[(before, after)] += 1
    return counts


def paired_swing(pre: Mapping[int, Choice], post: Mapping[int, Choice]) -> Swing:
    """The moves of the members who voted in both phases."""
    f = flows(pre, post)
    return Swing(
        for_to_against=f[(Choice.FOR, Choice.AGAINST)],
        against_to_for=f[(Choice.AGAINST, Choice.FOR)],
        undecided_to_for=f[(Choice.UNDECIDED, Choice.FOR)],
        undecided_to_against=f[(Choice.UNDECIDED, Choice.AGAINST)],
        for_to_undecided=f[(Choice.FOR, Choice.UNDECIDED)],
        against_to_undecided=f[(Choice.AGAINST, Choice.UNDECIDED)],
        stayed=sum(f[(c, c)] for c in Choice),
    )


def side_of(choice: Choice) -> Side | None:
    """The side a choice supports; ``None`` for undecided."""
    return _SIDE_OF.get(choice)


def choice_of(side: Side) -> Choice:
    """The choice that supports ``side``."""
    return _CHOICE_OF[side]
