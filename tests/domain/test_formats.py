"""Formats as data: the shipped ones are valid, and bad ones are refused with every reason."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.errors import InvalidFormat
from bot.domain.formats import Speaker, VoteRule, parse_format
from bot.formats import builtin_formats


def test_the_shipped_formats_are_valid() -> None:
    formats = builtin_formats()
    assert set(formats) == {"oxford", "lincoln-douglas", "quick"}
    oxford = formats["oxford"]
    assert oxford.vote_rule is VoteRule.OXFORD
    assert Speaker.AUDIENCE in {p.speaker for p in oxford.phases}
    quick = formats["quick"]
    assert (quick.min_per_side, quick.max_per_side, quick.max_debaters) == (1, 1, 2)
    assert [p.speaker for p in quick.phases] == [Speaker.FOR, Speaker.AGAINST] * 3


def _valid() -> dict[str, Any]:
    return {
        "name": "Tiny",
        "description": "A test format.",
        "vote": "majority",
        "debaters_per_side": {"min": 1, "max": 2},
        "phase": [{"name": "Opening", "speaker": "for", "seconds": 60, "warnings": [10, 30]}],
    }


def test_a_minimal_format_parses_with_warnings_latest_first() -> None:
    fmt = parse_format("tiny", _valid())
    assert fmt.max_debaters == 4
    assert fmt.phases[0].warnings == (30, 10)
    assert fmt.total_seconds == 60


def test_every_problem_is_reported_at_once() -> None:
    data = _valid()
    data["vote"] = "coin-toss"
    data["debaters_per_side"] = {"min": 3, "max": 2}
    data["phase"] = [{"name": "", "speaker": "judge", "seconds": 0, "warnings": [5]}]
    with pytest.raises(InvalidFormat) as caught:
        parse_format("bad", data)
    problems = "\n".join(caught.value.problems)
    assert "'vote' must be one of" in problems
    assert "'debaters_per_side.max' must not be below 'min'" in problems
    assert "phase 1: 'speaker'" in problems
    assert "phase 1: 'seconds'" in problems
    assert "'name' must be a non-empty string" in problems


def test_a_format_without_phases_is_refused() -> None:
    data = _valid()
    del data["phase"]
    with pytest.raises(InvalidFormat, match="at least one"):
        parse_format("empty", data)


def test_booleans_are_not_numbers() -> None:
    data = _valid()
    data["phase"][0]["seconds"] = True
    with pytest.raises(InvalidFormat, match="seconds"):
        parse_format("bool", data)
