"""Who holds the floor in each phase, and whose messages may stay in the thread."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import clock as timing
from bot.domain.clock import ClockEvent
from bot.domain.sides import Side
from bot.domain.turns import Lineup, floor, may_post
from bot.formats import builtin_formats

T0 = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
OXFORD = builtin_formats()["oxford"]
LD = builtin_formats()["lincoln-douglas"]
TEAMS = Lineup(for_team=(1, 2, 3), against_team=(4, 5))


def test_each_side_speaks_in_turn_round_robin() -> None:
    speakers = {p.name: floor(OXFORD, i, TEAMS) for i, p in enumerate(OXFORD.phases)}
    assert speakers == {
        "Opening: For": (1,),
        "Opening: Against": (4,),
        "Rebuttal: For": (2,),
        "Rebuttal: Against": (5,),
        "Audience questions": (),
        "Closing: Against": (4,),
        "Closing: For": (3,),
    }


def test_cross_examination_gives_both_the_floor_and_prep_gives_nobody() -> None:
    one_each = Lineup((1,), (2,))
    by_name = {p.name: floor(LD, i, one_each) for i, p in enumerate(LD.phases)}
    assert by_name["Affirmative constructive"] == (1,)
    assert all(v == (1, 2) for k, v in by_name.items() if k.startswith("Cross-examination"))
    assert all(v == () for k, v in by_name.items() if k.startswith("Prep"))


@pytest.mark.parametrize(
    ("phase", "user", "moderator", "allowed"),
    [
        (0, 1, False, True),  # the speaker
        (0, 4, False, False),  # the other side
        (0, 99, False, False),  # the audience
        (0, 99, True, True),  # a moderator
        (4, 99, False, True),  # audience questions: open to all
    ],
)
def test_who_may_post(phase: int, user: int, moderator: bool, allowed: bool) -> None:
    clock, _ = timing.start(OXFORD, T0)
    for _ in range(phase):
        clock, _ = timing.apply(clock, OXFORD, ClockEvent.SKIP, T0)
    assert may_post(OXFORD, clock, TEAMS, user, moderator=moderator) is allowed


def test_anyone_may_post_once_the_speeches_are_over() -> None:
    clock, _ = timing.start(OXFORD, T0)
    clock, _ = timing.apply(clock, OXFORD, ClockEvent.END, T0)
    assert may_post(OXFORD, clock, TEAMS, 99, moderator=False)


def test_the_lineup_knows_each_members_side() -> None:
    assert (TEAMS.side_of(2), TEAMS.side_of(5), TEAMS.side_of(99)) == (Side.FOR, Side.AGAINST, None)
