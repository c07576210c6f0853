"""Debate formats as data: the speaking order, the times, and the vote rule.

A format is written as a TOML table (see ``bot/formats/*.toml``) and checked here, so a
built-in format and a server's custom one obey the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.errors import InvalidFormat

MAX_DEBATERS_PER_SIDE = 8
MAX_PHASE_SECONDS = 60 * 60


class Speaker(StrEnum):
    """Who holds the floor in a phase."""

    FOR = "for"
    AGAINST = "against"
    AUDIENCE = "audience"
    BOTH = "both"


class VoteRule(StrEnum):
    """How the winner is decided."""

    OXFORD = "oxford"
    MAJORITY = "majority"
    JUDGES = "judges"


@dataclass(frozen=True, slots=True)
class Phase:
    """One step of the speaking order."""

    name: str
    speaker: Speaker
    seconds: int
    warnings: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DebateFormat:
    """A checked debate format."""

    key: str
    name: str
    description: str
    min_per_side: int
    max_per_side: int
    vote_rule: VoteRule
    phases: tuple[Phase, ...]

    @property
    def max_debaters(self) -> int:
        """Sign-ups a lobby takes at most."""
        return 2 * self.max_per_side

    @property
    def total_seconds(self) -> int:
        """Speaking time of the whole debate."""
        return sum(p.seconds for p in self.phases)


def _text(data: Mapping[str, Any], field: str, problems: list[str], limit: int) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"'{field}' must be a non-empty string")
        return ""
    if len(value) > limit:
        problems.append(f"'{field}' must be at most {limit} characters")
    return value.strip()


def _int(value: Any, where: str, low: int, high: int, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{where} must be a whole number from {low} to {high}")
        return low
    return value


def _phase(index: int, raw: Any, problems: list[str]) -> Phase | None:
    where = f"phase {index + 1}"
    if not isinstance(raw, Mapping):
        problems.append(f"{where} must be a table")
        return None
    name = _text(raw, "name", problems, 80)
    speaker_raw = raw.get("speaker")
    try:
        speaker = Speaker(str(speaker_raw))
    except ValueError:
        choices = ", ".join(s.value for s in Speaker)
        problems.append(f"{where}: 'speaker' must be one of {choices}")
        speaker = Speaker.BOTH
    seconds = _int(raw.get("seconds"), f"{where}: 'seconds'", 1, MAX_PHASE_SECONDS, problems)
    warnings_raw = raw.get("warnings", [])
    warnings: list[int] = []
    if not isinstance(warnings_raw, list):
        problems.append(f"{where}: 'warnings' must be a list of seconds before the end")
    else:
        for w in warnings_raw:
            warnings.append(_int(w, f"{where}: each warning", 1, max(seconds - 1, 1), problems))
    return Phase(name, speaker, seconds, tuple(sorted(set(warnings), reverse=True)))


def parse_format(key: str, data: Mapping[str, Any]) -> DebateFormat:
    """Check a format table and build it; ``InvalidFormat`` lists every problem at once."""
    problems: list[str] = []
    name = _text(data, "name", problems, 50)
    description = _text(data, "description", problems, 200)
    sides = data.get("debaters_per_side", {})
    if not isinstance(sides, Mapping):
        problems.append("'debaters_per_side' must be a table with 'min' and 'max'")
        sides = {}
    low = _int(sides.get("min"), "'debaters_per_side.min'", 1, MAX_DEBATERS_PER_SIDE, problems)
    high = _int(sides.get("max"), "'debaters_per_side.max'", 1, MAX_DEBATERS_PER_SIDE, problems)
    if high < low:
        problems.append("'debaters_per_side.max' must not be below 'min'")
    try:
        vote_rule = VoteRule(str(data.get("vote")))
    except ValueError:
        problems.append("'vote' must be one of " + ", ".join(v.value for v in VoteRule))
        vote_rule = VoteRule.OXFORD
    raw_phases = data.get("phase")
    phases: list[Phase] = []
    if not isinstance(raw_phases, list) or not raw_phases:
        problems.append("a format needs at least one [[phase]]")
    else:
        for index, raw in enumerate(raw_phases):
            phase = _phase(index, raw, problems)
            if phase is not None:
                phases.append(phase)
    if problems:
        raise InvalidFormat(key, tuple(problems))
    return DebateFormat(key, name, description, low, high, vote_rule, tuple(phases))
