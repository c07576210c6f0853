"""Side assignment: sizes, preferences, rotation, rating balance, devil's advocate, reserves."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain import sides as sides_module
from bot.domain.debate import Preference, Signup
from bot.domain.errors import DomainError
from bot.domain.sides import (
    DEFAULT_RATING,
    RESERVE_REASON,
    Assignment,
    Debater,
    NotEnoughDebaters,
    Side,
    Sides,
    assign_sides,
    preferred_side,
)

F, A = Side.FOR, Side.AGAINST

ratings = st.floats(min_value=0, max_value=3000, allow_nan=False, allow_infinity=False)
histories = st.lists(st.sampled_from(list(Side)), max_size=4).map(tuple)


@st.composite
def lobbies(
    draw: st.DrawFn, min_size: int = 2, max_size: int = 12, default_ratings: bool = False
) -> list[Debater]:
    ids = draw(st.lists(st.integers(1, 10**9), min_size=min_size, max_size=max_size, unique=True))
    return [
        Debater(
            uid,
            draw(st.sampled_from(list(Preference))),
            DEFAULT_RATING if default_ratings else draw(ratings),
            draw(histories),
        )
        for uid in ids
    ]


def assign(
    debaters: Sequence[Debater],
    seed: int = 0,
    *,
    min_per_side: int = 1,
    max_per_side: int = 8,
    devils_advocate: bool = False,
) -> Sides:
    return assign_sides(
        debaters,
        min_per_side=min_per_side,
        max_per_side=max_per_side,
        seed=seed,
        devils_advocate=devils_advocate,
    )


def wishes(debaters: Sequence[Debater], side: Side, flip: bool = False) -> int:
    return sum(
        1 for d in debaters if preferred_side(d.preference) is (side.other if flip else side)
    )


def feasible(debaters: Sequence[Debater], flip: bool = False) -> bool:
    cap = (len(debaters) + 1) // 2
    return all(wishes(debaters, side, flip) <= cap for side in Side)


def gap(debaters: Sequence[Debater], on_for: set[int]) -> float:
    s_for = math.fsum(d.rating for d in debaters if d.user_id in on_for)
    s_against = math.fsum(d.rating for d in debaters if d.user_id not in on_for)
    return abs(s_for - s_against)


def mapping(result: Sides) -> dict[int, tuple[Side | None, str]]:
    return {a.user_id: (a.side, a.reason) for a in result.assignments}


# --- Sizes and places ------------------------------------------------------------------------


@given(lobbies(max_size=16), st.integers())
def test_sides_differ_by_at_most_one_and_everyone_plays_once(
    debaters: list[Debater], seed: int
) -> None:
    result = assign(debaters, seed)
    assert [a.user_id for a in result.assignments] == [d.user_id for d in debaters]
    assert result.reserves == ()
    assert abs(len(result.team(F)) - len(result.team(A))) <= 1
    assert len(result.team(F)) + len(result.team(A)) == len(debaters)
    assert result.seed == seed


@given(lobbies(min_size=0, max_size=7), st.integers(1, 4))
def test_too_few_debaters_is_a_typed_error_saying_how_many_more(
    debaters: list[Debater], min_per_side: int
) -> None:
    assume(len(debaters) < 2 * min_per_side)
    with pytest.raises(NotEnoughDebaters) as caught:
        assign(debaters, min_per_side=min_per_side)
    error = caught.value
    assert isinstance(error, DomainError)
    assert error.missing == 2 * min_per_side - len(debaters)
    assert f"{error.missing} more member" in error.explain()


def test_not_enough_debaters_explains_itself_in_one_sentence() -> None:
    only = [Debater(1, Preference.FOR), Debater(2, Preference.AGAINST), Debater(3, Preference.FOR)]
    with pytest.raises(NotEnoughDebaters) as caught:
        assign(only, min_per_side=2, max_per_side=3)
    assert caught.value.explain() == (
        "This format needs at least 2 debaters a side (4 in all): "
        "1 more member must join before the debate can start."
    )


@given(lobbies(min_size=5, max_size=14), st.integers(1, 3), st.integers())
def test_beyond_twice_the_maximum_the_earliest_play_and_the_rest_are_reserves(
    debaters: list[Debater], max_per_side: int, seed: int
) -> None:
    assume(len(debaters) > 2 * max_per_side)
    result = assign(debaters, seed, max_per_side=max_per_side)
    places = 2 * max_per_side
    assert set(result.team(F)) | set(result.team(A)) == {d.user_id for d in debaters[:places]}
    assert result.reserves == tuple(d.user_id for d in debaters[places:])
    assert all(result.assignment_of(uid).reason == RESERVE_REASON for uid in result.reserves)
    assert len(result.team(F)) == len(result.team(A)) == max_per_side


def test_bad_limits_and_duplicate_members_are_programming_errors() -> None:
    two = [Debater(1, Preference.FOR), Debater(2, Preference.AGAINST)]
    with pytest.raises(ValueError, match="limits"):
        assign(two, min_per_side=3, max_per_side=2)
    with pytest.raises(ValueError, match="limits"):
        assign(two, min_per_side=0)
    with pytest.raises(ValueError, match="twice"):
        assign([*two, Debater(1, Preference.EITHER)])


# --- Preferences and rotation ----------------------------------------------------------------


@given(lobbies(max_size=16), st.integers())
def test_every_feasible_set_of_preferences_is_honoured(debaters: list[Debater], seed: int) -> None:
    assume(feasible(debaters))
    result = assign(debaters, seed)
    for d in debaters:
        wish = preferred_side(d.preference)
        if wish is not None:
            expected = Assignment(d.user_id, wish, f"preferred {wish.label}")
            assert result.assignment_of(d.user_id) == expected


@st.composite
def over_subscribed(draw: st.DrawFn) -> tuple[Side, list[Debater]]:
    """A lobby where more than half the players want one side."""
    full = draw(st.sampled_from(list(Side)))
    debaters = draw(lobbies(min_size=3, max_size=16))
    wanting = draw(st.integers((len(debaters) + 1) // 2 + 1, len(debaters)))
    chosen = set(draw(st.permutations(range(len(debaters))))[:wanting])
    preference = Preference(full.value)
    rest = [p for p in Preference if p is not preference]
    return full, [
        replace(d, preference=preference if i in chosen else draw(st.sampled_from(rest)))
        for i, d in enumerate(debaters)
    ]


@given(over_subscribed(), st.integers())
def test_an_over_subscribed_side_keeps_the_most_and_moves_the_longest_runs(
    case: tuple[Side, list[Debater]], seed: int
) -> None:
    full, debaters = case
    cap = (len(debaters) + 1) // 2
    result = assign(debaters, seed)
    wanted = [d for d in debaters if preferred_side(d.preference) is full]
    kept = [d for d in wanted if result.assignment_of(d.user_id).side is full]
    moved = [d for d in wanted if result.assignment_of(d.user_id).side is full.other]
    assert len(kept) == cap == len(result.team(full))
    assert min(d.run_on(full) for d in moved) >= max(d.run_on(full) for d in kept)
    for d in moved:
        reason = result.assignment_of(d.user_id).reason
        if d.run_on(full) > 0:
            assert reason.startswith(f"rotated: {full.label} ")
        else:
            assert reason == f"moved: {full.label} was full"


def test_a_member_for_three_times_running_is_rotated_when_for_is_full() -> None:
    debaters = [
        Debater(1, Preference.FOR, recent_sides=(F, F, A)),
        Debater(2, Preference.FOR, recent_sides=(F, F, F, A)),
        Debater(3, Preference.FOR, recent_sides=(A, F)),
        Debater(4, Preference.FOR),
        Debater(5, Preference.AGAINST),
        Debater(6, Preference.FOR, recent_sides=(F,)),
    ]
    result = assign(debaters, seed=123)
    assert set(result.team(A)) == {5, 2, 1}
    assert result.assignment_of(2).reason == "rotated: For three times in a row"
    assert result.assignment_of(1).reason == "rotated: For twice in a row"
    assert result.assignment_of(3).reason == "preferred For"
    assert result.assignment_of(5).reason == "preferred Against"


@given(st.integers())
def test_with_no_history_the_seed_picks_who_moves(seed: int) -> None:
    debaters = [Debater(i, Preference.AGAINST) for i in range(1, 6)]
    result = assign(debaters, seed)
    assert len(result.team(A)) == 3
    for uid in result.team(F):
        assert result.assignment_of(uid).reason == "moved: Against was full"


def test_the_seed_breaks_ties_and_nothing_else() -> None:
    debaters = [Debater(i, Preference.EITHER) for i in range(1, 7)]
    draws = {assign(debaters, seed).team(F) for seed in range(40)}
    assert len(draws) > 1
    for seed in range(40):
        result = assign(debaters, seed)
        assert {a.reason for a in result.assignments} == {"either side: drawn by lot"}


def test_rotation_breaks_rating_ties_among_members_who_take_either_side() -> None:
    debaters = [
        Debater(1, Preference.EITHER, recent_sides=(F, F)),
        Debater(2, Preference.EITHER, recent_sides=(A,)),
        Debater(3, Preference.EITHER, recent_sides=(F, F, F)),
        Debater(4, Preference.EITHER, recent_sides=(A, A, F)),
    ]
    for seed in range(20):
        result = assign(debaters, seed)
        assert result.team(F) == (2, 4)
        assert result.assignment_of(1).reason == "rotated: For twice in a row"
        assert result.assignment_of(4).reason == "rotated: Against twice in a row"
        assert result.assignment_of(2).reason == "rotated: Against last time"


@given(lobbies(min_size=2, max_size=10, default_ratings=True), st.integers())
def test_with_equal_ratings_the_split_puts_fewest_back_on_their_run(
    debaters: list[Debater], seed: int
) -> None:
    assume(feasible(debaters))
    result = assign(debaters, seed)

    def cost(on_for: set[int]) -> int:
        return sum(
            max(d.run_on(F if d.user_id in on_for else A), 0)
            for d in debaters
            if d.preference is Preference.EITHER
        )

    best = min(cost(set(split)) for split in valid_splits(debaters))
    assert cost(set(result.team(F))) == best


# --- Ratings ---------------------------------------------------------------------------------


def valid_splits(debaters: Sequence[Debater], flip: bool = False) -> list[tuple[int, ...]]:
    """Every For team that keeps sizes within one and honours every (feasible) preference."""
    n = len(debaters)
    found = []
    for size in {n // 2, (n + 1) // 2}:
        for team in itertools.combinations(debaters, size):
            on_for = {d.user_id for d in team}
            honoured = all(
                (d.user_id in on_for) is (wish is (A if flip else F))
                for d in debaters
                if (wish := preferred_side(d.preference)) is not None
            )
            if honoured:
                found.append(tuple(sorted(on_for)))
    return found


@settings(max_examples=150)
@given(lobbies(min_size=2, max_size=10), st.integers())
def test_the_rating_gap_is_the_smallest_any_valid_split_allows(
    debaters: list[Debater], seed: int
) -> None:
    assume(feasible(debaters))
    result = assign(debaters, seed)
    brute = min(gap(debaters, set(split)) for split in valid_splits(debaters))
    assert result.rating_gap == pytest.approx(brute, abs=1e-6)
    assert result.rating_gap == pytest.approx(gap(debaters, set(result.team(F))), abs=1e-9)


def test_either_members_balance_the_ratings_and_say_so() -> None:
    debaters = [
        Debater(1, Preference.FOR, 2000.0),
        Debater(2, Preference.AGAINST, 1000.0),
        Debater(3, Preference.EITHER, 1900.0),
        Debater(4, Preference.EITHER, 1100.0),
    ]
    result = assign(debaters)
    assert result.team(F) == (1, 4)
    assert result.team(A) == (2, 3)
    assert result.rating_gap == 200.0
    assert result.assignment_of(3).reason == "either side: balances ratings"
    assert result.assignment_of(1).reason == "preferred For"


def test_either_members_with_no_choice_are_told_where_there_was_room() -> None:
    debaters = [
        Debater(1, Preference.FOR),
        Debater(2, Preference.FOR),
        Debater(3, Preference.EITHER, 900.0),
        Debater(4, Preference.EITHER, 2100.0),
    ]
    result = assign(debaters)
    assert result.team(A) == (3, 4)
    assert result.assignment_of(4).reason == "either side: Against had room"


@settings(max_examples=40)
@given(lobbies(min_size=8, max_size=16), st.integers())
def test_the_greedy_fill_for_huge_lobbies_keeps_the_hard_rules(
    debaters: list[Debater], seed: int
) -> None:
    assume(feasible(debaters))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sides_module, "EXACT_SPLITS", 1)
        result = assign(debaters, seed)
        shuffled = assign(list(reversed(debaters)), seed)
    assert mapping(result) == mapping(shuffled)
    assert tuple(sorted(result.team(F))) in valid_splits(debaters)


def test_the_greedy_fill_balances_a_simple_lobby() -> None:
    debaters = [Debater(i, Preference.EITHER, r) for i, r in enumerate((1000, 1900, 2000, 1100))]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sides_module, "EXACT_SPLITS", 1)
        result = assign(debaters)
    assert result.rating_gap == 0.0
    assert set(result.team(F)) in ({0, 2}, {1, 3})


# --- Devil's advocate ------------------------------------------------------------------------


@given(lobbies(max_size=12), st.integers())
def test_devils_advocate_puts_members_on_the_side_they_disagree_with(
    debaters: list[Debater], seed: int
) -> None:
    assume(feasible(debaters))
    result = assign(debaters, seed, devils_advocate=True)
    for d in debaters:
        wish = preferred_side(d.preference)
        if wish is not None:
            assignment = result.assignment_of(d.user_id)
            assert assignment.side is wish.other
            assert assignment.reason == f"devil's advocate: preferred {wish.label}"
    brute = min(gap(debaters, set(split)) for split in valid_splits(debaters, flip=True))
    assert result.rating_gap == pytest.approx(brute, abs=1e-6)


def test_a_member_may_play_devils_advocate_alone() -> None:
    debaters = [
        Debater(1, Preference.FOR, devil_advocate=True),
        Debater(2, Preference.FOR),
    ]
    result = assign(debaters)
    assert result.assignment_of(1).side is A
    assert result.assignment_of(1).reason == "devil's advocate: preferred For"
    assert result.assignment_of(2).reason == "preferred For"


# --- Determinism -----------------------------------------------------------------------------


@given(lobbies(max_size=12), st.integers())
def test_same_debaters_and_seed_give_the_same_sides(debaters: list[Debater], seed: int) -> None:
    assert assign(debaters, seed) == assign(list(debaters), seed)


@given(lobbies(max_size=12).flatmap(lambda ds: st.tuples(st.just(ds), st.permutations(ds))))
def test_the_order_of_the_players_does_not_matter(
    pair: tuple[list[Debater], list[Debater]],
) -> None:
    debaters, shuffled = pair
    assert mapping(assign(debaters, 7)) == mapping(assign(shuffled, 7))


@given(
    lobbies(min_size=7, max_size=12).flatmap(
        lambda ds: st.tuples(st.just(ds), st.permutations(ds[:6]), st.permutations(ds[6:]))
    )
)
def test_among_players_and_among_reserves_order_does_not_matter(
    parts: tuple[list[Debater], list[Debater], list[Debater]],
) -> None:
    debaters, players, reserves = parts
    original = assign(debaters, 3, max_per_side=3)
    assert mapping(original) == mapping(assign([*players, *reserves], 3, max_per_side=3))


# --- Values ----------------------------------------------------------------------------------


def test_a_debater_reads_its_run_from_the_most_recent_side() -> None:
    assert Debater(1, Preference.FOR).run == (None, 0)
    assert Debater(1, Preference.FOR, recent_sides=(A, A, F, A)).run == (A, 2)
    assert Debater(1, Preference.FOR, recent_sides=(F, F, F)).run_on(F) == 3
    assert Debater(1, Preference.FOR, recent_sides=(F, F, F)).run_on(A) == -3


def test_a_signup_becomes_a_debater() -> None:
    signup = Signup(5, Preference.AGAINST, datetime(2026, 11, 24, tzinfo=UTC))
    debater = Debater.from_signup(signup, rating=1234.0, recent_sides=[A])
    assert debater == Debater(5, Preference.AGAINST, 1234.0, (A,))


def test_sides_read_as_members_expect() -> None:
    assert (F.label, A.label) == ("For", "Against")
    assert (F.other, A.other) == (A, F)
    assert preferred_side(Preference.EITHER) is None
    with pytest.raises(KeyError):
        assign([Debater(1, Preference.FOR), Debater(2, Preference.FOR)]).assignment_of(3)
