"""The per-member click limit: a token bucket that is told the time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.throttle import CLICKS_PER_WINDOW, WINDOW_SECONDS, ClickLimiter

ALICE, BOB = 1, 2


def test_a_burst_up_to_the_capacity_passes_and_the_next_click_is_refused() -> None:
    limiter = ClickLimiter(capacity=8, window=5.0)
    assert [limiter.allow(ALICE, 100.0) for _ in range(10)] == [True] * 8 + [False] * 2


def test_members_have_their_own_buckets() -> None:
    limiter = ClickLimiter(capacity=2, window=5.0)
    assert [limiter.allow(ALICE, 0.0) for _ in range(3)] == [True, True, False]
    assert [limiter.allow(BOB, 0.0) for _ in range(2)] == [True, True]


def test_the_bucket_refills_over_the_window() -> None:
    limiter = ClickLimiter(capacity=8, window=5.0)
    for _ in range(8):
        assert limiter.allow(ALICE, 0.0)
    assert not limiter.allow(ALICE, 0.5)  # 0.8 of a token back: not yet
    assert limiter.allow(ALICE, 0.625)  # one token back after 5/8 s
    assert not limiter.allow(ALICE, 0.625)
    assert [limiter.allow(ALICE, 10.0) for _ in range(9)] == [True] * 8 + [False]


def test_refused_clicks_take_nothing() -> None:
    limiter = ClickLimiter(capacity=1, window=1.0)
    assert limiter.allow(ALICE, 0.0)
    for moment in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        assert not limiter.allow(ALICE, moment)
    assert limiter.allow(ALICE, 1.0)  # spamming did not push the next click further away


def test_a_clock_that_steps_back_neither_refills_nor_drains() -> None:
    limiter = ClickLimiter(capacity=2, window=2.0)
    assert limiter.allow(ALICE, 10.0)
    assert limiter.allow(ALICE, 5.0)
    assert not limiter.allow(ALICE, 5.0)
    assert limiter.allow(ALICE, 11.0)  # one second after the latest time seen


def test_normal_play_is_never_refused() -> None:
    """A member clicking once a second (votes, joins, page turns) is never throttled."""
    limiter = ClickLimiter()
    assert all(limiter.allow(ALICE, float(second)) for second in range(600))


def test_full_buckets_are_forgotten_once_too_many_are_kept() -> None:
    limiter = ClickLimiter(capacity=2, window=1.0, max_members=3)
    for member in (1, 2, 3):
        assert limiter.allow(member, 0.0)
    assert limiter.tracked() == 3
    assert limiter.allow(4, 5.0)  # 1, 2 and 3 are full again by now: forgotten
    assert limiter.tracked() == 1
    assert [limiter.allow(1, 5.0) for _ in range(3)] == [True, True, False]  # as if new


def test_a_member_still_limited_is_not_forgotten() -> None:
    limiter = ClickLimiter(capacity=1, window=100.0, max_members=1)
    assert limiter.allow(ALICE, 0.0)
    assert limiter.allow(BOB, 1.0)  # Alice's bucket is not full: she is kept
    assert not limiter.allow(ALICE, 1.0)


def test_the_defaults_are_eight_clicks_in_five_seconds() -> None:
    assert (CLICKS_PER_WINDOW, WINDOW_SECONDS) == (8, 5.0)


@pytest.mark.parametrize(("capacity", "window"), [(0, 5.0), (8, 0.0), (8, -1.0)])
def test_a_limiter_that_could_never_pass_a_click_is_refused(capacity: int, window: float) -> None:
    with pytest.raises(ValueError, match="capacity"):
        ClickLimiter(capacity=capacity, window=window)


@settings(max_examples=200, derandomize=True, database=None)
@given(
    capacity=st.integers(1, 20),
    window=st.floats(0.5, 60.0),
    gaps=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=80),
)
def test_no_window_ever_lets_through_more_than_the_bucket_allows(
    capacity: int, window: float, gaps: list[float]
) -> None:
    """In any span of ``t`` seconds at most ``capacity + t * rate`` clicks pass."""
    limiter = ClickLimiter(capacity=capacity, window=window)
    now, passed = 0.0, []
    for gap in gaps:
        now += gap
        if limiter.allow(ALICE, now):
            passed.append(now)
    rate = capacity / window
    for i, start in enumerate(passed):
        for j in range(i, len(passed)):
            span = passed[j] - start
            assert j - i + 1 <= capacity + span * rate + 1e-9
