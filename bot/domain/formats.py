"""Debate formats as data: the speaking order, the times, and the vote rule.

A format is written as a TOML table (see ``bot/formats/*.toml``) and checked here, so a
built-in format and a server's custom one obey the same rules.

Theory of operation: ``_check`` walks the parsed table and records every problem with the
path of the value it is about, such as ``("phase", 1, "seconds")``. ``parse_format`` (a
table already parsed) reports the problems as they are; ``parse_format_source`` (the TOML
text a server admin pasted) also scans the text for where each path is written, so every
problem names the line to fix.

The rules of a phase's ``kind`` (absent, it follows from the speaker):

- ``speech``: one side speaks alone, so the speaker is ``for`` or ``against``; only a
  speech may have ``protected`` time, which must be less than half of the phase.
- ``cross-examination``: ``both`` sides question each other, or ``for``/``against``
  names the side that asks while the other answers.
- ``questions``: the ``audience`` asks.
- ``prep``: one side (``for`` or ``against``) prepares; nobody holds the floor.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.errors import InvalidFormat

MAX_DEBATERS_PER_SIDE = 8
MAX_PHASE_SECONDS = 60 * 60
MAX_PHASES = 40
MAX_TOTAL_SECONDS = 4 * 60 * 60
MAX_SOURCE_CHARS = 20_000
KEY_LENGTH = (2, 40)

_TOP_KEYS = ("name", "description", "vote", "debaters_per_side", "devils_advocate", "phase")
_SIDE_KEYS = ("min", "max")
_PHASE_KEYS = ("name", "speaker", "kind", "seconds", "protected", "warnings")
_KEY_PATTERN = re.compile(r"[a-z][a-z0-9-]*")


class Speaker(StrEnum):
    """Who holds the floor in a phase."""

    FOR = "for"
    AGAINST = "against"
    AUDIENCE = "audience"
    BOTH = "both"


class PhaseKind(StrEnum):
    """What happens in a phase; the module docstring gives the rules."""

    SPEECH = "speech"
    CROSS_EXAMINATION = "cross-examination"
    QUESTIONS = "questions"
    PREP = "prep"


class VoteRule(StrEnum):
    """How the winner is decided."""

    OXFORD = "oxford"
    MAJORITY = "majority"
    JUDGES = "judges"


_SIDES = (Speaker.FOR, Speaker.AGAINST)
_SPEAKERS_OF: dict[PhaseKind, tuple[Speaker, ...]] = {
    PhaseKind.SPEECH: _SIDES,
    PhaseKind.CROSS_EXAMINATION: (Speaker.BOTH, *_SIDES),
    PhaseKind.QUESTIONS: (Speaker.AUDIENCE,),
    PhaseKind.PREP: _SIDES,
}
_DEFAULT_KIND = {
    Speaker.FOR: PhaseKind.SPEECH,
    Speaker.AGAINST: PhaseKind.SPEECH,
    Speaker.AUDIENCE: PhaseKind.QUESTIONS,
    Speaker.BOTH: PhaseKind.CROSS_EXAMINATION,
}
_SIDE_NAME = {Speaker.FOR: "For", Speaker.AGAINST: "Against"}


def default_kind(speaker: Speaker) -> PhaseKind:
    """The kind of a phase that does not name one."""
    return _DEFAULT_KIND[speaker]


def duration(seconds: int) -> str:
    """A length as a member says it: "45 s", "90 s", "6 min", "2 min 30 s"."""
    minutes, rest = divmod(seconds, 60)
    if rest == 0 and minutes:
        return f"{minutes} min"
    if seconds < 120:
        return f"{seconds} s"
    return f"{minutes} min {rest} s"


@dataclass(frozen=True, slots=True)
class Phase:
    """One step of the speaking order."""

    name: str
    speaker: Speaker
    seconds: int
    warnings: tuple[int, ...] = ()
    kind: PhaseKind = PhaseKind.SPEECH
    protected: int = 0

    def describe(self) -> str:
        """One line a member reads, e.g. "6 min · For speaks · protected first and last minute"."""
        parts = [duration(self.seconds), self._who()]
        if self.protected:
            span = "minute" if self.protected == 60 else duration(self.protected)
            parts.append(f"protected first and last {span}")
        return " · ".join(parts)

    def _who(self) -> str:
        side = _SIDE_NAME.get(self.speaker, "")
        other = _SIDE_NAME.get(Speaker.AGAINST if self.speaker is Speaker.FOR else Speaker.FOR)
        if self.kind is PhaseKind.PREP:
            return f"{side} prepares" if side else "prep time"
        if self.kind is PhaseKind.QUESTIONS:
            return "the audience asks questions"
        if self.kind is PhaseKind.CROSS_EXAMINATION:
            return f"{side} asks, {other} answers" if side else "cross-examination"
        if side:
            return f"{side} speaks"
        return "the audience speaks" if self.speaker is Speaker.AUDIENCE else "both sides speak"


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
    devils_advocate: bool = False

    @property
    def max_debaters(self) -> int:
        """Sign-ups a lobby takes at most."""
        return 2 * self.max_per_side

    @property
    def total_seconds(self) -> int:
        """Speaking time of the whole debate."""
        return sum(p.seconds for p in self.phases)


Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class _Problem:
    """What is wrong, and the path of the value it is about (phase indexes from 0)."""

    at: Path
    text: str


def _shown(key: object) -> str:
    text = str(key)
    return text if len(text) <= 40 else text[:39] + "…"


def _unknown_keys(
    raw: Mapping[Any, Any], allowed: Sequence[str], at: Path, where: str, out: list[_Problem]
) -> None:
    for key in raw:
        if key in allowed:
            continue
        text = f"unknown key '{_shown(key)}'{where}"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        if close:
            text += f"; did you mean '{close[0]}'?"
        else:
            text += "; the keys are " + ", ".join(allowed)
        out.append(_Problem((*at, str(key)), text))


def _text(data: Mapping[str, Any], field: str, out: list[_Problem], limit: int) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        out.append(_Problem((field,), f"'{field}' must be a non-empty string"))
        return ""
    if len(value) > limit:
        out.append(_Problem((field,), f"'{field}' must be at most {limit} characters"))
    return value.strip()


def _int(value: Any, at: Path, where: str, low: int, high: int, out: list[_Problem]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        out.append(_Problem(at, f"{where} must be a whole number from {low} to {high}"))
        return low
    return value


def _phase(index: int, raw: Any, out: list[_Problem]) -> Phase | None:
    where = f"phase {index + 1}"
    at: Path = ("phase", index)
    if not isinstance(raw, Mapping):
        out.append(_Problem(at, f"{where} must be a table"))
        return None
    _unknown_keys(raw, _PHASE_KEYS, at, f" in {where}", out)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        out.append(_Problem((*at, "name"), f"{where}: 'name' must be a non-empty string"))
        name = ""
    elif len(name) > 80:
        out.append(_Problem((*at, "name"), f"{where}: 'name' must be at most 80 characters"))
    try:
        speaker = Speaker(str(raw.get("speaker")))
    except ValueError:
        choices = ", ".join(s.value for s in Speaker)
        out.append(_Problem((*at, "speaker"), f"{where}: 'speaker' must be one of {choices}"))
        speaker = None
    kind = default_kind(speaker or Speaker.FOR)
    if "kind" in raw:
        try:
            kind = PhaseKind(str(raw["kind"]))
        except ValueError:
            choices = ", ".join(k.value for k in PhaseKind)
            out.append(_Problem((*at, "kind"), f"{where}: 'kind' must be one of {choices}"))
        else:
            if speaker is not None and speaker not in _SPEAKERS_OF[kind]:
                needed = " or ".join(f"'{s.value}'" for s in _SPEAKERS_OF[kind])
                text = f"{where}: kind '{kind.value}' needs speaker {needed}"
                out.append(_Problem((*at, "kind"), text))
    seconds = _int(
        raw.get("seconds"), (*at, "seconds"), f"{where}: 'seconds'", 1, MAX_PHASE_SECONDS, out
    )
    protected = 0
    if "protected" in raw:
        protected = _int(
            raw["protected"],
            (*at, "protected"),
            f"{where}: 'protected'",
            0,
            MAX_PHASE_SECONDS,
            out,
        )
        if protected and kind is not PhaseKind.SPEECH:
            text = f"{where}: only a speech can have 'protected' time, not {kind.value}"
            out.append(_Problem((*at, "protected"), text))
        elif 2 * protected >= seconds:
            text = f"{where}: 'protected' must be less than half of 'seconds' ({seconds})"
            out.append(_Problem((*at, "protected"), text))
    warnings_raw = raw.get("warnings", [])
    warnings: set[int] = set()
    if not isinstance(warnings_raw, list):
        text = f"{where}: 'warnings' must be a list of seconds before the end"
        out.append(_Problem((*at, "warnings"), text))
    else:
        high = max(seconds - 1, 1)
        for w in warnings_raw:
            warnings.add(_int(w, (*at, "warnings"), f"{where}: each warning", 1, high, out))
    return Phase(
        name.strip(),
        speaker or Speaker.BOTH,
        seconds,
        tuple(sorted(warnings, reverse=True)),
        kind,
        protected,
    )


def _check(key: str, data: Mapping[str, Any]) -> tuple[DebateFormat | None, list[_Problem]]:
    """The format a table describes, or ``None`` and every problem found."""
    out: list[_Problem] = []
    _unknown_keys(data, _TOP_KEYS, (), "", out)
    name = _text(data, "name", out, 50)
    description = _text(data, "description", out, 200)
    sides = data.get("debaters_per_side", {})
    if not isinstance(sides, Mapping):
        text = "'debaters_per_side' must be a table with 'min' and 'max'"
        out.append(_Problem(("debaters_per_side",), text))
        sides = {}
    _unknown_keys(sides, _SIDE_KEYS, ("debaters_per_side",), " in 'debaters_per_side'", out)
    low = _int(
        sides.get("min"),
        ("debaters_per_side", "min"),
        "'debaters_per_side.min'",
        1,
        MAX_DEBATERS_PER_SIDE,
        out,
    )
    high = _int(
        sides.get("max"),
        ("debaters_per_side", "max"),
        "'debaters_per_side.max'",
        1,
        MAX_DEBATERS_PER_SIDE,
        out,
    )
    if high < low:
        text = "'debaters_per_side.max' must not be below 'min'"
        out.append(_Problem(("debaters_per_side", "max"), text))
    try:
        vote_rule = VoteRule(str(data.get("vote")))
    except ValueError:
        text = "'vote' must be one of " + ", ".join(v.value for v in VoteRule)
        out.append(_Problem(("vote",), text))
        vote_rule = VoteRule.OXFORD
    devils_advocate = data.get("devils_advocate", False)
    if not isinstance(devils_advocate, bool):
        out.append(_Problem(("devils_advocate",), "'devils_advocate' must be true or false"))
        devils_advocate = False
    raw_phases = data.get("phase")
    phases: list[Phase] = []
    if not isinstance(raw_phases, list) or not raw_phases:
        out.append(_Problem(("phase",), "a format needs at least one [[phase]]"))
    else:
        if len(raw_phases) > MAX_PHASES:
            text = f"a format has at most {MAX_PHASES} phases; this one has {len(raw_phases)}"
            out.append(_Problem(("phase", MAX_PHASES), text))
        total = 0
        for index, raw in enumerate(raw_phases[:MAX_PHASES]):
            phase = _phase(index, raw, out)
            if phase is None:
                continue
            phases.append(phase)
            if total <= MAX_TOTAL_SECONDS < total + phase.seconds:
                text = (
                    f"phase {index + 1}: the debate passes {MAX_TOTAL_SECONDS // 3600} hours "
                    "here; a whole debate may last at most that long"
                )
                out.append(_Problem(("phase", index, "seconds"), text))
            total += phase.seconds
    if out:
        return None, out
    fmt = DebateFormat(key, name, description, low, high, vote_rule, tuple(phases), devils_advocate)
    return fmt, out


def parse_format(key: str, data: Mapping[str, Any]) -> DebateFormat:
    """Check a format table and build it; ``InvalidFormat`` lists every problem at once."""
    fmt, problems = _check(key, data)
    if fmt is None:
        raise InvalidFormat(key, tuple(p.text for p in problems))
    return fmt


_HEADER = re.compile(r"\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(
    r"""\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_KEY_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")


def _parts(dotted: str) -> list[str]:
    return [part.strip("\"'") for part in _KEY_PART.findall(dotted)]


def _locations(source: str) -> dict[Path, int]:
    """Where each table and key is written: path to line number (from 1).

    A line scan, not a parser: it runs only on text ``tomllib`` has already accepted, skips
    comment lines and the inside of multi-line strings, and numbers ``[[phase]]`` tables in
    order, so ``("phase", 1, "seconds")`` is the ``seconds`` line of the second one.
    """
    found: dict[Path, int] = {}
    counts: dict[Path, int] = {}
    table: Path = ()
    in_string = False
    for number, line in enumerate(source.splitlines(), start=1):
        if in_string or line.lstrip().startswith("#"):
            in_string ^= (line.count('"""') + line.count("'''")) % 2 == 1
            continue
        header = _HEADER.match(line)
        if header:
            parts = _parts(header.group(2))
            if header.group(1) == "[[":
                index = counts[tuple(parts)] = counts.get(tuple(parts), -1) + 1
                table = (*parts, index)
            elif parts and (parts[0],) in counts:
                table = (parts[0], counts[(parts[0],)], *parts[1:])
            else:
                table = tuple(parts)
            found.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            parts = _parts(assign.group(1))
            for end in range(1, len(parts) + 1):
                found.setdefault((*table, *parts[:end]), number)
        in_string ^= (line.count('"""') + line.count("'''")) % 2 == 1
    return found


def _line_of(at: Path, found: Mapping[Path, int]) -> int:
    """The line of the value at ``at``, or of the nearest table around it; else line 1."""
    for end in range(len(at), 0, -1):
        if at[:end] in found:
            return found[at[:end]]
    return 1


def _syntax_problem(error: tomllib.TOMLDecodeError, source: str) -> str:
    message = str(error)
    located = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if located:
        line, column = int(located.group(1)), int(located.group(2))
        message = message[: located.start()] + f" (column {column})"
    else:
        line = max(source.count("\n") + (0 if source.endswith("\n") else 1), 1)
        message = re.sub(r"\s*\(at end of document\)$", " at the end of the text", message)
    return f"line {line}: {message[:1].lower()}{message[1:]}"


def parse_format_source(key: str, source: str) -> DebateFormat:
    """Parse and check a format written in TOML; each problem in ``InvalidFormat`` has a line."""
    if len(source) > MAX_SOURCE_CHARS:
        line = source.count("\n", 0, MAX_SOURCE_CHARS) + 1
        text = (
            f"line {line}: a format may be at most {MAX_SOURCE_CHARS:,} characters long; "
            f"this one has {len(source):,}"
        )
        raise InvalidFormat(key, (text,))
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise InvalidFormat(key, (_syntax_problem(error, source),)) from None
    fmt, problems = _check(key, data)
    if fmt is not None:
        return fmt
    found = _locations(source)
    lines = [(_line_of(p.at, found), p.text) for p in problems]
    lines.sort(key=lambda pair: pair[0])
    raise InvalidFormat(key, tuple(f"line {n}: {text}" for n, text in lines))


def check_format_key(key: str, reserved: Collection[str]) -> str:
    """The normalised key for a server's own format; ``InvalidFormat`` says why it can't be."""
    normal = key.strip().lower()
    low, high = KEY_LENGTH
    if not low <= len(normal) <= high:
        problem = (
            f"a format's key must be {low} to {high} characters long; this one has {len(normal)}"
        )
    elif not _KEY_PATTERN.fullmatch(normal):
        problem = (
            "a format's key may use only the letters a to z, digits and hyphens, "
            "and must start with a letter, like 'house-rules'"
        )
    elif normal in {r.strip().lower() for r in reserved}:
        problem = f"'{normal}' is a built-in format; choose another key for yours"
    else:
        return normal
    raise InvalidFormat(_shown(normal), (problem,))
