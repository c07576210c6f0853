"""The charts are PNGs of the agreed size, whatever they are given."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime, timedelta

import pytest

from bot.charts import (
    HEIGHT_PX,
    HISTORY_HEIGHT_PX,
    HISTORY_WIDTH_PX,
    WIDTH_PX,
    rating_history_chart,
    results_chart,
)
from bot.domain.formats import VoteRule
from bot.domain.votes import Choice, Tally, decide, flows

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 300_000

F, A, U = Choice.FOR, Choice.AGAINST, Choice.UNDECIDED
PRE = {1: F, 2: F, 3: A, 4: U, 5: U, 6: A, 7: F, **dict.fromkeys(range(10, 40), U)}
POST = {1: A, 2: F, 3: F, 4: F, 5: A, 6: U, 8: F, **{i: F if i % 3 else A for i in range(10, 40)}}


def size_of(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a PNG must start with."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def check(png: bytes) -> None:
    assert size_of(png) == (WIDTH_PX, HEIGHT_PX) == (1200, 675)
    assert 1_000 < len(png) < MAX_BYTES
    assert png.endswith(b"IEND\xaeB`\x82")


def test_chart_of_a_debate() -> None:
    pre, post = Tally.of(PRE.values()), Tally.of(POST.values())
    verdict = decide(VoteRule.OXFORD, pre, post)
    check(
        results_chart("This house would ban homework", pre, post, flows(PRE, POST), verdict.reason)
    )


def test_chart_with_empty_tallies() -> None:
    verdict = decide(VoteRule.OXFORD, Tally(), Tally())
    check(results_chart("This house would ban homework", Tally(), Tally(), {}, verdict.reason))


def test_chart_with_zero_flows() -> None:
    pre, post = Tally(3, 2, 1), Tally(4, 2, 0)
    nobody = flows({1: F}, {2: A})
    assert sum(nobody.values()) == 0
    check(results_chart("Motion", pre, post, nobody, "For wins 4 votes to 2."))


@pytest.mark.parametrize(
    "motion",
    ["", "   ", "x" * 2_000, "This house regrets the rise of émojis 🎉 and ünïcode — really"],
)
def test_chart_with_awkward_motions(motion: str) -> None:
    check(results_chart(motion, Tally(1, 0, 0), Tally(0, 1, 0), {(F, A): 1}, "x " * 500))


def test_one_sided_vote() -> None:
    check(results_chart("Motion", Tally(5, 0, 0), Tally(5, 0, 0), {(F, F): 5}, "A tie."))


# -- a member's rating over time ----------------------------------------------------------------

DAY0 = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)


def history(
    count: int, *, step: timedelta = timedelta(days=7)
) -> list[tuple[datetime, float, float]]:
    """``count`` weekly ratings drifting up while the uncertainty narrows."""
    return [(DAY0 + step * i, 25.0 + 0.8 * i, max(8.3 * 0.9**i, 2.0)) for i in range(count)]


def check_history(png: bytes) -> None:
    assert size_of(png) == (HISTORY_WIDTH_PX, HISTORY_HEIGHT_PX) == (800, 400)
    assert 1_000 < len(png) < 150_000
    assert png.endswith(b"IEND\xaeB`\x82")


@pytest.mark.parametrize("count", [0, 1, 2, 30, 400])
def test_rating_history_of_any_length(count: int) -> None:
    check_history(rating_history_chart(history(count), title="Rating of bob"))


@pytest.mark.parametrize(
    "step", [timedelta(0), timedelta(minutes=20), timedelta(days=1), timedelta(days=200)]
)
def test_rating_history_over_any_span(step: timedelta) -> None:
    check_history(rating_history_chart(history(6, step=step), title="Rating"))


def test_rating_history_takes_points_in_any_order_and_drops_non_numbers() -> None:
    points = [
        *reversed(history(5)),
        (DAY0.replace(tzinfo=None), 20.0, -3.0),  # a naive time is UTC; a negative sigma counts
        (DAY0, math.nan, 1.0),
        (DAY0, 1.0, math.inf),
    ]
    check_history(rating_history_chart(points, title="x" * 500 + " 🎉"))
    only_bad = [(DAY0, math.nan, 1.0)]
    assert rating_history_chart(only_bad, title="") == rating_history_chart([], title="")
