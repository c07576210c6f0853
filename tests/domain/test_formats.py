"""Formats as data: the shipped ones are valid, and bad ones are refused with every reason."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest

from bot.domain.errors import InvalidFormat
from bot.domain.formats import (
    DebateFormat,
    Phase,
    PhaseKind,
    Speaker,
    VoteRule,
    check_format_key,
    duration,
    parse_format,
    parse_format_source,
)
from bot.formats import builtin_formats

BUILTIN = ("lincoln-douglas", "oxford", "quick")


def _source(key: str) -> str:
    return (resources.files("bot.formats") / f"{key}.toml").read_text(encoding="utf-8")


def _problems(source: str, key: str = "mine") -> tuple[str, ...]:
    with pytest.raises(InvalidFormat) as caught:
        parse_format_source(key, source)
    return caught.value.problems


TINY = """\
name = "Tiny"
description = "A test format."
vote = "majority"
debaters_per_side = { min = 1, max = 2 }

[[phase]]
name = "Opening"
speaker = "for"
seconds = 60

[[phase]]
name = "Reply"
speaker = "against"
seconds = 60
"""


def test_the_shipped_formats_are_valid() -> None:
    formats = builtin_formats()
    assert set(formats) == set(BUILTIN)
    oxford = formats["oxford"]
    assert oxford.vote_rule is VoteRule.OXFORD
    assert Speaker.AUDIENCE in {p.speaker for p in oxford.phases}
    quick = formats["quick"]
    assert (quick.min_per_side, quick.max_per_side, quick.max_debaters) == (1, 1, 2)
    assert [p.speaker for p in quick.phases] == [Speaker.FOR, Speaker.AGAINST] * 3
    assert all(p.kind is PhaseKind.SPEECH for p in quick.phases)


@pytest.mark.parametrize("key", BUILTIN)
def test_every_shipped_file_parses_from_its_text_like_a_server_format(key: str) -> None:
    fmt = parse_format_source(key, _source(key))
    assert fmt == builtin_formats()[key]
    assert not fmt.devils_advocate
    assert fmt.total_seconds <= 4 * 3600


def test_oxford_protects_the_first_and_last_minute_of_its_main_speeches() -> None:
    oxford = builtin_formats()["oxford"]
    assert [p.protected for p in oxford.phases] == [60, 60, 60, 60, 0, 30, 30]
    questions = oxford.phases[4]
    assert questions.kind is PhaseKind.QUESTIONS
    assert oxford.phases[0].describe() == "6 min · For speaks · protected first and last minute"
    assert oxford.phases[5].describe() == "3 min · Against speaks · protected first and last 30 s"
    assert questions.describe() == "10 min · the audience asks questions"


def test_lincoln_douglas_has_cross_examinations_and_prep_per_side() -> None:
    ld = builtin_formats()["lincoln-douglas"]
    assert ld.vote_rule is VoteRule.JUDGES
    assert [(p.kind.value, p.speaker.value, p.seconds // 60) for p in ld.phases] == [
        ("speech", "for", 6),
        ("cross-examination", "both", 3),
        ("prep", "against", 2),
        ("speech", "against", 7),
        ("cross-examination", "both", 3),
        ("prep", "for", 2),
        ("speech", "for", 4),
        ("prep", "against", 2),
        ("speech", "against", 6),
        ("prep", "for", 2),
        ("speech", "for", 3),
    ]
    assert ld.phases[2].describe() == "2 min · Against prepares"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(45, "45 s"), (90, "90 s"), (60, "1 min"), (360, "6 min"), (150, "2 min 30 s")],
)
def test_durations_read_naturally(seconds: int, said: str) -> None:
    assert duration(seconds) == said


def test_describe_names_who_asks_in_a_one_sided_cross_examination() -> None:
    phase = Phase("CX", Speaker.AGAINST, 180, (), PhaseKind.CROSS_EXAMINATION)
    assert phase.describe() == "3 min · Against asks, For answers"


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
    assert (fmt.phases[0].kind, fmt.phases[0].protected, fmt.devils_advocate) == (
        PhaseKind.SPEECH,
        0,
        False,
    )


def test_devils_advocate_is_read_and_must_be_a_boolean() -> None:
    data = _valid()
    data["devils_advocate"] = True
    assert parse_format("tiny", data).devils_advocate
    data["devils_advocate"] = "yes"
    with pytest.raises(InvalidFormat) as caught:
        parse_format("tiny", data)
    assert caught.value.problems == ("'devils_advocate' must be true or false",)


@pytest.mark.parametrize(
    ("speaker", "kind"),
    [
        ("for", PhaseKind.SPEECH),
        ("against", PhaseKind.SPEECH),
        ("audience", PhaseKind.QUESTIONS),
        ("both", PhaseKind.CROSS_EXAMINATION),
    ],
)
def test_the_kind_follows_from_the_speaker_when_left_out(speaker: str, kind: PhaseKind) -> None:
    data = _valid()
    data["phase"] = [{"name": "P", "speaker": speaker, "seconds": 60}]
    assert parse_format("tiny", data).phases[0].kind is kind


@pytest.mark.parametrize(
    ("speaker", "kind", "problem"),
    [
        ("audience", "prep", "phase 1: kind 'prep' needs speaker 'for' or 'against'"),
        ("both", "speech", "phase 1: kind 'speech' needs speaker 'for' or 'against'"),
        ("for", "questions", "phase 1: kind 'questions' needs speaker 'audience'"),
        (
            "audience",
            "cross-examination",
            "phase 1: kind 'cross-examination' needs speaker 'both' or 'for' or 'against'",
        ),
        (
            "for",
            "debate",
            "phase 1: 'kind' must be one of speech, cross-examination, questions, prep",
        ),
    ],
)
def test_a_kind_that_does_not_fit_the_speaker_is_refused(
    speaker: str, kind: str, problem: str
) -> None:
    data = _valid()
    data["phase"] = [{"name": "P", "speaker": speaker, "kind": kind, "seconds": 60}]
    with pytest.raises(InvalidFormat) as caught:
        parse_format("tiny", data)
    assert caught.value.problems == (problem,)


@pytest.mark.parametrize(
    ("speaker", "kind"),
    [("for", "prep"), ("against", "cross-examination"), ("both", "cross-examination")],
)
def test_the_kinds_accept_their_speakers(speaker: str, kind: str) -> None:
    data = _valid()
    data["phase"] = [{"name": "P", "speaker": speaker, "kind": kind, "seconds": 60}]
    assert parse_format("tiny", data).phases[0].kind.value == kind


@pytest.mark.parametrize(
    ("phase", "problem"),
    [
        (
            {"speaker": "for", "seconds": 120, "protected": 60},
            "phase 1: 'protected' must be less than half of 'seconds' (120)",
        ),
        (
            {"speaker": "audience", "seconds": 120, "protected": 10},
            "phase 1: only a speech can have 'protected' time, not questions",
        ),
        (
            {"speaker": "for", "seconds": 120, "protected": -1},
            "phase 1: 'protected' must be a whole number from 0 to 3600",
        ),
    ],
)
def test_protected_time_rules(phase: dict[str, Any], problem: str) -> None:
    data = _valid()
    data["phase"] = [{"name": "P", **phase}]
    with pytest.raises(InvalidFormat) as caught:
        parse_format("tiny", data)
    assert caught.value.problems == (problem,)


def test_protected_time_just_under_half_is_fine() -> None:
    data = _valid()
    data["phase"] = [{"name": "P", "speaker": "for", "seconds": 121, "protected": 60}]
    assert parse_format("tiny", data).phases[0].protected == 60


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
    assert "phase 1: 'name' must be a non-empty string" in problems


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


def test_the_tiny_source_parses() -> None:
    fmt = parse_format_source("tiny", TINY)
    assert isinstance(fmt, DebateFormat)
    assert [p.name for p in fmt.phases] == ["Opening", "Reply"]


def test_a_syntax_error_names_the_decoders_line() -> None:
    source = TINY.replace(
        'seconds = 60\n\n[[phase]]\nname = "Reply"', "seconds = 60 s\n\n[[phase]]"
    )
    assert _problems(source) == (
        "line 9: expected newline or end of document after a statement (column 14)",
    )


def test_a_bad_value_in_phase_two_names_its_line() -> None:
    source = TINY.replace(
        'name = "Reply"\nspeaker = "against"\nseconds = 60',
        ('name = "Reply"\nspeaker = "against"\nseconds = 0'),
    )
    assert _problems(source) == (
        "line 14: phase 2: 'seconds' must be a whole number from 1 to 3600",
    )


def test_a_missing_field_points_at_its_table_or_line_one() -> None:
    source = TINY.replace('speaker = "against"\n', "").replace(
        'description = "A test format."\n', ""
    )
    assert _problems(source) == (
        "line 1: 'description' must be a non-empty string",
        "line 10: phase 2: 'speaker' must be one of for, against, audience, both",
    )


def test_an_inline_table_problem_points_at_its_line() -> None:
    source = TINY.replace("{ min = 1, max = 2 }", "{ min = 1, max = 9 }")
    assert _problems(source) == (
        "line 4: 'debaters_per_side.max' must be a whole number from 1 to 8",
    )


def test_an_unknown_key_is_named_with_a_suggestion() -> None:
    source = TINY.replace("seconds = 60\n\n[[phase]]", "secs = 60\n\n[[phase]]", 1)
    source = source.replace('vote = "majority"', 'vote = "majority"\ncolour = "blue"')
    assert _problems(source) == (
        "line 4: unknown key 'colour'; the keys are name, description, vote, "
        "debaters_per_side, devils_advocate, phase",
        "line 7: phase 1: 'seconds' must be a whole number from 1 to 3600",
        "line 10: unknown key 'secs' in phase 1; did you mean 'seconds'?",
    )


def test_lines_are_counted_past_comments_and_multi_line_strings() -> None:
    source = (
        "# [[phase]]\n# seconds = 0\n"
        'name = "Tiny"\ndescription = """\nseconds = 1\n[[phase]]\n"""\n'
        + TINY.split("\n", 2)[2].replace("seconds = 60\n\n", "seconds = 0\n\n", 1)
    )
    assert _problems(source) == (
        "line 14: phase 1: 'seconds' must be a whole number from 1 to 3600",
    )


def test_more_than_forty_phases_are_refused_at_the_forty_first() -> None:
    phase = '[[phase]]\nname = "P"\nspeaker = "for"\nseconds = 10\n\n'
    source = TINY.split("[[phase]]")[0] + phase * 41
    assert _problems(source) == ("line 206: a format has at most 40 phases; this one has 41",)


def test_a_debate_longer_than_four_hours_is_refused_where_it_passes() -> None:
    phase = '[[phase]]\nname = "P"\nspeaker = "for"\nseconds = 3600\n\n'
    source = TINY.split("[[phase]]")[0] + phase * 5
    assert _problems(source) == (
        "line 29: phase 5: the debate passes 4 hours here; a whole debate may last at most "
        "that long",
    )


def test_an_oversize_source_is_refused_before_parsing() -> None:
    source = TINY + ("# padding\n" * 2000)
    assert len(source) > 20_000
    problems = _problems(source)
    assert problems == (
        f"line {source.count(chr(10), 0, 20_000) + 1}: a format may be at most 20,000 "
        f"characters long; this one has {len(source):,}",
    )


@pytest.mark.parametrize(
    ("given", "normal"),
    [("  House-Rules ", "house-rules"), ("ab", "ab"), ("a" + "1" * 39, "a" + "1" * 39)],
)
def test_a_good_format_key_is_normalised(given: str, normal: str) -> None:
    assert check_format_key(given, BUILTIN) == normal


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("x", "a format's key must be 2 to 40 characters long; this one has 1"),
        ("a" * 41, "a format's key must be 2 to 40 characters long; this one has 41"),
        (
            "1v1",
            "a format's key may use only the letters a to z, digits and hyphens, "
            "and must start with a letter, like 'house-rules'",
        ),
        (
            "my format",
            "a format's key may use only the letters a to z, digits and hyphens, "
            "and must start with a letter, like 'house-rules'",
        ),
        (" Oxford", "'oxford' is a built-in format; choose another key for yours"),
    ],
)
def test_a_bad_format_key_is_refused_with_a_sentence(given: str, problem: str) -> None:
    with pytest.raises(InvalidFormat) as caught:
        check_format_key(given, BUILTIN)
    assert caught.value.problems == (problem,)


def test_explain_lists_at_most_ten_problems() -> None:
    one = InvalidFormat("x", ("line 3: bad",))
    assert one.explain() == "The format 'x' has 1 problem:\n• line 3: bad"
    many = InvalidFormat("x", tuple(f"line {n}: bad" for n in range(1, 13)))
    lines = many.explain().split("\n")
    assert lines[0] == "The format 'x' has 12 problems:"
    assert lines[1:11] == [f"• line {n}: bad" for n in range(1, 11)]
    assert lines[11:] == ["… and 2 more"]
