"""Side assignment when a debate starts.

Theory of operation
-------------------
``assign_sides`` is a pure function of the debaters (in sign-up order), the format's limits
and a seed. The seed comes back in ``Sides`` so that a draw can be audited and replayed. The
rules, most important first; a later rule never overrides an earlier one:

1. Places. Fewer than ``2 * min_per_side`` debaters raises ``NotEnoughDebaters``. Beyond
   ``2 * max_per_side`` the earliest sign-ups play and the rest are reserves.
2. Sizes. The two sides differ by at most one member, always.
3. Preferences. A member's *wish* is their preferred side, or the other one under devil's
   advocate (the format's option, or the member's own). With ``n`` players every wish is
   honoured when no side is wished by more than ``ceil(n / 2)``. A side wished by more gets
   ``ceil(n / 2)`` of them and the rest move. Who moves is decided by rotation: first those
   with the longest run on that side in their last debates, last those whose run is on the
   other side; the seed orders the rest.
4. Ratings. Members with no preference (``EITHER``) fill the places left, in the split that
   makes the two sides' rating totals closest (with an odd number of players, the side that
   gets the extra member is part of the split). The search is exact up to ``EXACT_SPLITS``
   splits, which covers every format (8 a side is C(16, 8) = 12,870 splits); beyond that a
   greedy fill improved by swaps.
5. Rotation. Among splits that balance equally well, the one that puts the fewest ``EITHER``
   members back on the side of their current run, a longer run counting more.
6. The seed breaks whatever ties are left.

Input order matters only to rule 1. Every other choice is keyed by user id, so the same
players with the same seed get the same sides in whatever order they are given. Each
assignment carries a short reason for the announcement ("preferred For", "rotated: For three
times in a row").
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.debate import Preference, Signup
from bot.domain.errors import DomainError

DEFAULT_RATING = 1500.0
"""The prior rating of a member who has none yet; only differences between ratings matter."""

EXACT_SPLITS = 20_000
"""Splits of the ``EITHER`` members searched exhaustively; larger lobbies use a greedy fill."""

RESERVE_REASON = "reserve: the lobby was full"

_COUNTS = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


class Side(StrEnum):
    """A side of the motion."""

    FOR = "for"
    AGAINST = "against"

    @property
    def label(self) -> str:
        """The side as members read it: "For" or "Against"."""
        return "For" if self is Side.FOR else "Against"

    @property
    def other(self) -> Side:
        """The opposing side."""
        return Side.AGAINST if self is Side.FOR else Side.FOR


def preferred_side(preference: Preference) -> Side | None:
    """The side a preference asks for; ``None`` for either side."""
    if preference is Preference.FOR:
        return Side.FOR
    if preference is Preference.AGAINST:
        return Side.AGAINST
    return None


class NotEnoughDebaters(DomainError):
    """Too few members signed up for the format's minimum per side."""

    def __init__(self, have: int, min_per_side: int) -> None:
        super().__init__(f"{have} debaters, the format needs {2 * min_per_side}")
        self.have = have
        self.min_per_side = min_per_side

    @property
    def missing(self) -> int:
        """How many more members must sign up."""
        return 2 * self.min_per_side - self.have

    def explain(self) -> str:
        """The one sentence a member sees."""
        more = "1 more member" if self.missing == 1 else f"{self.missing} more members"
        return (
            f"This format needs at least {self.min_per_side} debaters a side "
            f"({2 * self.min_per_side} in all): {more} must join before the debate can start."
        )


@dataclass(frozen=True, slots=True)
class Debater:
    """A member about to debate, with what side assignment weighs."""

    user_id: int
    preference: Preference
    rating: float = DEFAULT_RATING
    recent_sides: tuple[Side, ...] = ()
    """Sides in the member's last debates, most recent first."""
    devil_advocate: bool = False
    """The member asked for the side opposite to their preference."""

    @classmethod
    def from_signup(
        cls,
        signup: Signup,
        *,
        rating: float = DEFAULT_RATING,
        recent_sides: Sequence[Side] = (),
    ) -> Debater:
        """The debater a lobby sign-up becomes."""
        return cls(signup.user_id, signup.preference, rating, tuple(recent_sides))

    @property
    def run(self) -> tuple[Side | None, int]:
        """The side of the member's last debate and how many debates in a row they had it."""
        if not self.recent_sides:
            return None, 0
        last = self.recent_sides[0]
        length = next(
            (i for i, side in enumerate(self.recent_sides) if side != last),
            len(self.recent_sides),
        )
        return last, length

    def run_on(self, side: Side) -> int:
        """Length of the member's run on ``side``; negative when the run is on the other side."""
        last, length = self.run
        return length if last == side else -length


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one member debates, and why."""

    user_id: int
    side: Side | None
    """``None`` for a reserve."""
    reason: str


@dataclass(frozen=True, slots=True)
class Sides:
    """The sides of a debate, with the seed that drew them."""

    seed: int
    assignments: tuple[Assignment, ...]
    """In sign-up order."""
    rating_gap: float
    """Difference between the sides' rating totals."""

    def team(self, side: Side) -> tuple[int, ...]:
        """User ids on ``side``, in sign-up order."""
        return tuple(a.user_id for a in self.assignments if a.side is side)

    @property
    def reserves(self) -> tuple[int, ...]:
        """User ids who do not play this time, in sign-up order."""
        return tuple(a.user_id for a in self.assignments if a.side is None)

    def assignment_of(self, user_id: int) -> Assignment:
        """The member's assignment; ``KeyError`` if they were not given one."""
        for a in self.assignments:
            if a.user_id == user_id:
                return a
        raise KeyError(user_id)


def _times(length: int) -> str:
    if length == 1:
        return "last time"
    if length == 2:
        return "twice in a row"
    return f"{_COUNTS.get(length, str(length))} times in a row"


def _rotated(side: Side, length: int) -> str:
    return f"rotated: {side.label} {_times(length)}"


def _wish(debater: Debater, devils_advocate: bool) -> Side | None:
    side = preferred_side(debater.preference)
    if side is not None and (devils_advocate or debater.devil_advocate):
        return side.other
    return side


@dataclass(frozen=True, slots=True)
class _Split:
    """Which ``EITHER`` members (by index) go For, scored lexicographically."""

    to_for: frozenset[int]
    gap: float
    rotation: int
    lot: int

    @property
    def key(self) -> tuple[float, int, int]:
        return (self.gap, self.rotation, self.lot)


class _Balancer:
    """Scores splits of the ``EITHER`` members given the players already placed."""

    def __init__(
        self,
        either: Sequence[Debater],
        fixed_for: Sequence[float],
        total: float,
        lot: dict[int, int],
    ) -> None:
        self.ratings = [d.rating for d in either]
        self.fixed_for = list(fixed_for)
        self.total = total
        self.lots = [lot[d.user_id] for d in either]
        # Rotation cost of a split: EITHER members put back on the side of their run, a
        # longer run counting more. ``base`` is everyone Against, ``delta`` moving one For.
        cost_for = [max(d.run_on(Side.FOR), 0) for d in either]
        cost_against = [max(d.run_on(Side.AGAINST), 0) for d in either]
        self.base = sum(cost_against)
        self.delta = [f - a for f, a in zip(cost_for, cost_against, strict=True)]

    def score(self, to_for: Iterable[int]) -> _Split:
        chosen = frozenset(to_for)
        # fsum is correctly rounded, so the gap does not depend on the order of the members.
        s_for = math.fsum([*self.fixed_for, *(self.ratings[i] for i in chosen)])
        return _Split(
            to_for=chosen,
            gap=abs(2 * s_for - self.total),
            rotation=self.base + sum(self.delta[i] for i in chosen),
            lot=sum(self.lots[i] for i in chosen),
        )

    def exact(self, k: int) -> tuple[_Split, bool]:
        """The best split with ``k`` members For, and whether the gap varied between splits."""
        best: _Split | None = None
        gaps: set[float] = set()
        for combo in itertools.combinations(range(len(self.ratings)), k):
            split = self.score(combo)
            gaps.add(split.gap)
            if best is None or split.key < best.key:
                best = split
        assert best is not None  # combinations() yields at least once for 0 <= k <= m
        return best, len(gaps) > 1

    def greedy(self, k: int) -> tuple[_Split, bool]:
        """A good split with ``k`` members For: heaviest first to the lighter side, then swaps."""
        m = len(self.ratings)
        order = sorted(range(m), key=lambda i: (-self.ratings[i], self.lots[i]))
        to_for: set[int] = set()
        s_for = math.fsum(self.fixed_for)
        s_against = self.total - s_for - math.fsum(self.ratings)
        room_for, room_against = k, m - k
        for i in order:
            if room_for and (not room_against or s_for <= s_against):
                to_for.add(i)
                s_for += self.ratings[i]
                room_for -= 1
            else:
                s_against += self.ratings[i]
                room_against -= 1
        best = self.score(to_for)
        for _ in range(m):
            swaps = (
                self.score((best.to_for - {i}) | {j})
                for i in sorted(best.to_for)
                for j in range(m)
                if j not in best.to_for
            )
            candidate = min(swaps, key=lambda s: s.key, default=best)
            if candidate.key >= best.key:
                break
            best = candidate
        return best, len(set(self.ratings)) > 1


def assign_sides(
    debaters: Sequence[Debater],
    *,
    min_per_side: int,
    max_per_side: int,
    seed: int,
    devils_advocate: bool = False,
) -> Sides:
    """Assign the debaters (in sign-up order) to sides by the rules in the module docstring."""
    if not 1 <= min_per_side <= max_per_side:
        raise ValueError(f"bad limits: min {min_per_side}, max {max_per_side} per side")
    ids = [d.user_id for d in debaters]
    if len(set(ids)) != len(ids):
        raise ValueError("a member is listed twice")
    if len(debaters) < 2 * min_per_side:
        raise NotEnoughDebaters(len(debaters), min_per_side)

    players = sorted(debaters[: 2 * max_per_side], key=lambda d: d.user_id)
    rng = random.Random(seed)
    lot = {d.user_id: rng.getrandbits(64) for d in players}
    n = len(players)
    larger = (n + 1) // 2
    placed: dict[int, tuple[Side, str]] = {}

    wishers: dict[Side, list[Debater]] = {Side.FOR: [], Side.AGAINST: []}
    either: list[Debater] = []
    for d in players:
        wish = _wish(d, devils_advocate)
        (either if wish is None else wishers[wish]).append(d)

    for side, group in wishers.items():
        # Shortest runs on the side first: those past its places, the longest runs, move.
        ranked = sorted(group, key=lambda d: (d.run_on(side), lot[d.user_id]))
        for d in ranked[:larger]:
            if d.preference.value == side.value:
                placed[d.user_id] = (side, f"preferred {side.label}")
            else:
                placed[d.user_id] = (side, f"devil's advocate: preferred {side.other.label}")
        for d in ranked[larger:]:
            run = d.run_on(side)
            if run > 0:
                reason = _rotated(side, run)
            elif d.preference.value == side.value:
                reason = f"moved: {side.label} was full"
            else:
                reason = f"devil's advocate: {side.label} was full"
            placed[d.user_id] = (side.other, reason)

    for d, side, reason in _split_either(either, players, placed, lot):
        placed[d.user_id] = (side, reason)

    assignments = []
    for d in debaters:
        side_reason = placed.get(d.user_id)
        if side_reason is None:
            assignments.append(Assignment(d.user_id, None, RESERVE_REASON))
        else:
            assignments.append(Assignment(d.user_id, *side_reason))
    totals = {
        side: math.fsum(d.rating for d in players if placed[d.user_id][0] is side) for side in Side
    }
    return Sides(
        seed=seed,
        assignments=tuple(assignments),
        rating_gap=abs(totals[Side.FOR] - totals[Side.AGAINST]),
    )


def _split_either(
    either: Sequence[Debater],
    players: Sequence[Debater],
    placed: dict[int, tuple[Side, str]],
    lot: dict[int, int],
) -> list[tuple[Debater, Side, str]]:
    """Sides and reasons for the ``EITHER`` members (rules 4 to 6)."""
    if not either:
        return []
    n, m = len(players), len(either)
    fixed = [d for d in players if d.user_id in placed]
    fixed_for = [d.rating for d in fixed if placed[d.user_id][0] is Side.FOR]
    balancer = _Balancer(either, fixed_for, math.fsum(d.rating for d in players), lot)

    best: _Split | None = None
    varied = False
    best_gaps: set[float] = set()
    splits = 0
    for size_for in sorted({n // 2, (n + 1) // 2}):
        k = size_for - len(fixed_for)
        if not 0 <= k <= m:
            continue
        count = math.comb(m, k)
        splits += count
        split, gaps_varied = balancer.exact(k) if count <= EXACT_SPLITS else balancer.greedy(k)
        varied = varied or gaps_varied
        best_gaps.add(split.gap)
        if best is None or split.key < best.key:
            best = split
    assert best is not None  # rule 3 leaves room for every EITHER member on some size
    varied = varied or len(best_gaps) > 1

    result = []
    for i, d in enumerate(either):
        side = Side.FOR if i in best.to_for else Side.AGAINST
        last, length = d.run
        if splits == 1:
            reason = f"either side: {side.label} had room"
        elif varied:
            reason = "either side: balances ratings"
        elif last is side.other:
            reason = _rotated(side.other, length)
        else:
            reason = "either side: drawn by lot"
        result.append((d, side, reason))
    return result
