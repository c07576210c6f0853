"""A debate's exported record: the JSON reads back exactly, the Markdown shows every speech
and nothing in a speech can break its layout, and votes stay aggregate."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.clock import ClockState
from bot.domain.debate import DebateState
from bot.domain.export import (
    EXPORT_VERSION,
    DebateExport,
    Decision,
    Edit,
    ExportNotFound,
    JudgeScore,
    NotAnExport,
    NotExportable,
    PhasePlan,
    PollSummary,
    Seat,
    Source,
    Speech,
    Timings,
    VoteSummary,
    escape,
    from_json,
    plan_of,
    quote,
    swing_of,
    to_json,
    to_markdown,
    vote_summary,
)
from bot.domain.formats import PhaseKind, Speaker, VoteRule
from bot.domain.sides import Side
from bot.domain.votes import Choice, Swing, Tally, VotePhase, VoteState, flows, paired_swing
from bot.formats import builtin_formats

START = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
BOB, CAROL, ALICE, JUDGE = 101, 102, 100, 200


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


SPEECHES = (
    Speech(9001, BOB, Side.FOR, 0, at(12), "Homework eats family time.", ()),
    Speech(
        9002,
        CAROL,
        Side.AGAINST,
        1,
        at(100),
        "# Not a heading\n- not a list\n1. nor this\n[x]: https://evil.example\n<b>bold</b> **hm**",
        (Edit(at(130), "First draft | with a pipe"),),
    ),
    Speech(9003, 555, None, 4, at(400), "What about weekends?\n\n> and quotes?", ()),
)


def sample(**changes: object) -> DebateExport:
    """A finished quick debate with a result, two judges and three speeches."""
    quick = builtin_formats()["quick"]
    export = DebateExport(
        debate_id=42,
        guild_id=1_234_567_890_123_456_789,
        channel_id=2_000,
        creator_id=ALICE,
        motion="This House would ban homework",
        format_key="quick",
        format_name="Quick",
        vote_rule=VoteRule.MAJORITY,
        state=DebateState.FINISHED,
        created_at=at(-60),
        exported_at=at(900),
        seed=123_456,
        source=Source("Homework, revisited", "https://example.com/a_b", None, "ab" * 32, "Ann"),
        seats=(
            Seat(BOB, Side.FOR, 0, "preferred For"),
            Seat(CAROL, Side.AGAINST, 0, "preferred Against"),
            Seat(103, None, -1, "reserve: the lobby was full"),
        ),
        timings=Timings(plan_of(quick), START, at(600), ClockState.FINISHED, 5),
        transcript=SPEECHES,
        votes=VoteSummary(
            polls=(
                PollSummary(VotePhase.PRE, VoteState.CLOSED, 5, START, at(90), Tally(2, 2, 1)),
                PollSummary(VotePhase.POST, VoteState.CLOSED, 6, at(480), at(600), Tally(4, 1, 1)),
            ),
            swing=Swing(against_to_for=2, undecided_to_for=1, stayed=2),
            judges=(JudgeScore(JUDGE, 60, 40),),
        ),
        decision=Decision(VoteRule.MAJORITY, Side.FOR, 3.0, "For wins 4 votes to 1.", at(600)),
    )
    return replace(export, **changes)  # type: ignore[arg-type]


# -- JSON ---------------------------------------------------------------------------------------


def test_the_json_reads_back_as_the_same_record() -> None:
    export = sample()
    text = to_json(export)
    assert from_json(text) == export
    data = json.loads(text)
    assert data["agora_export"] == EXPORT_VERSION
    assert data["guild_id"] == "1234567890123456789"  # ids are strings, as in Discord's API
    assert data["votes"]["polls"][1]["tally"] == {
        "for": 4,
        "against": 1,
        "undecided": 1,
        "total": 6,
    }
    assert data["votes"]["swing"]["toward_for"] == 3
    assert data["verdict"]["winner"] == "for"
    assert data["timings"]["phases"][0] == {
        "name": "Round 1: For",
        "speaker": "for",
        "kind": "speech",
        "seconds": 90,
        "protected": 0,
    }


def test_a_running_debate_reads_back_and_says_it_is_in_progress() -> None:
    running = sample(
        state=DebateState.RUNNING,
        decision=None,
        timings=Timings((), START, None, ClockState.PAUSED, 2),
        votes=VoteSummary((PollSummary(VotePhase.PRE, VoteState.OPEN, 3, START),), None, ()),
        source=None,
    )
    assert from_json(to_json(running)) == running
    assert json.loads(to_json(running))["in_progress"] is True
    markdown = to_markdown(running, {})
    assert "**In progress:**" in markdown
    assert "Not decided yet." in markdown
    assert "The tallies are shown once the result is decided." in markdown


aware_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
ids = st.integers(min_value=0, max_value=2**63 - 1)
counts = st.integers(min_value=0, max_value=10_000)
sides = st.none() | st.sampled_from(Side)
texts = st.text(max_size=60)

edits = st.builds(Edit, aware_times, texts)
speeches = st.builds(
    Speech,
    ids,
    ids,
    sides,
    st.integers(0, 40),
    aware_times,
    texts,
    st.lists(edits, max_size=3).map(tuple),
)
tallies = st.builds(Tally, counts, counts, counts)
polls = st.builds(
    PollSummary,
    st.sampled_from(VotePhase),
    st.sampled_from(VoteState),
    counts,
    st.none() | aware_times,
    st.none() | aware_times,
    st.none() | tallies,
)
swings = st.builds(Swing, counts, counts, counts, counts, counts, counts, counts)
points = st.none() | st.integers(0, 100)
plans = st.builds(
    PhasePlan,
    texts,
    st.sampled_from(Speaker),
    st.sampled_from(PhaseKind),
    st.integers(1, 3600),
    st.integers(0, 600),
)
finite = st.floats(allow_nan=False, allow_infinity=False)
exports = st.builds(
    DebateExport,
    debate_id=st.integers(1, 2**31),
    guild_id=ids,
    channel_id=ids,
    creator_id=ids,
    motion=texts,
    format_key=texts,
    format_name=texts,
    vote_rule=st.sampled_from(VoteRule),
    state=st.sampled_from(DebateState),
    created_at=aware_times,
    exported_at=aware_times,
    seed=ids,
    source=st.none()
    | st.builds(Source, texts, st.none() | texts, st.none() | texts, texts, texts, texts),
    seats=st.lists(st.builds(Seat, ids, sides, st.integers(-1, 8), texts), max_size=4).map(tuple),
    timings=st.builds(
        Timings,
        st.lists(plans, max_size=4).map(tuple),
        aware_times,
        st.none() | aware_times,
        st.sampled_from(ClockState),
        st.integers(0, 40),
    ),
    transcript=st.lists(speeches, max_size=4).map(tuple),
    votes=st.builds(
        VoteSummary,
        st.lists(polls, max_size=2).map(tuple),
        st.none() | swings,
        st.lists(st.builds(JudgeScore, ids, points, points), max_size=3).map(tuple),
    ),
    decision=st.none()
    | st.builds(Decision, st.sampled_from(VoteRule), sides, finite, texts, aware_times),
)


@settings(max_examples=300)
@given(exports)
def test_any_record_reads_back_exactly(export: DebateExport) -> None:
    assert from_json(to_json(export)) == export


@settings(max_examples=100)
@given(exports)
def test_any_record_renders_every_speech_and_edit(export: DebateExport) -> None:
    markdown = to_markdown(export, {})
    for speech in export.transcript:
        assert quote(speech.text) in markdown
        for edit in speech.edits:
            assert quote(edit.text) in markdown


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"agora_export": 2}',
        '{"agora_export": 1}',
        json.dumps({**json.loads(to_json(sample())), "state": "sleeping"}),
    ],
)
def test_text_that_is_not_an_export_is_refused(text: str) -> None:
    with pytest.raises(NotAnExport):
        from_json(text)


# -- Markdown -----------------------------------------------------------------------------------


def test_the_markdown_contains_every_speech_quoted() -> None:
    markdown = to_markdown(sample(), {BOB: "Bob", CAROL: "Carol *the* Great"})
    assert "> Homework eats family time.\n" in markdown
    for speech in SPEECHES:
        assert quote(speech.text) in markdown
    assert quote("First draft | with a pipe") in markdown
    # Names: display names escaped; members without one by id.
    assert "**Bob** (For)" in markdown
    assert "**Carol \\*the\\* Great** (Against)" in markdown
    assert "**user 555** (audience)" in markdown
    assert "user 100" in markdown  # the creator
    assert "### 1. Round 1: For" in markdown
    assert "### 5. Round 3: For" in markdown
    assert "**Judge** user 200: For 60, Against 40" in markdown
    assert "**For wins** by the majority of the vote after the debate (margin 3 votes)" in markdown
    assert "[Homework, revisited](<https://example.com/a_b>)" in markdown


def test_nothing_in_a_speech_starts_a_block_of_the_document() -> None:
    markdown = to_markdown(sample(), {})
    transcript = markdown.split("## Transcript")[1].split("## Votes")[0]
    for line in transcript.splitlines():
        # Outside the quotes only our own lines: headings of phases and speakers' bylines.
        assert line == "" or line.startswith((">", "### ", "**", "*Earlier text")), line
    assert "> \\# Not a heading\\\n" in markdown  # hard line breaks keep the lines
    assert "> \\- not a list\\\n" in markdown
    assert "> 1\\. nor this\\\n" in markdown
    assert "> \\[x\\]: https://evil.example\\\n" in markdown
    assert "> \\<b\\>bold\\</b\\> \\*\\*hm\\*\\*" in markdown
    assert "> \\> and quotes?" in markdown


def without_break(body: str) -> str:
    """A quoted line without its hard line break: a last backslash that none escapes."""
    trailing = len(body) - len(body.rstrip("\\"))
    return body[:-1] if trailing % 2 else body


def unquote(block: str) -> str:
    """The text a quoted block shows: what Markdown renders it as, line by line."""
    lines = []
    for line in block.split("\n"):
        assert line == ">" or line.startswith("> "), line
        lines.append(re.sub(r"\\(.)", r"\1", without_break(line[2:])))
    return "\n".join(lines)


@given(st.text().map(lambda t: t.replace("\r", "")))
def test_a_quote_shows_exactly_the_text(text: str) -> None:
    block = quote(text)
    assert unquote(block) == text
    for line in block.split("\n"):
        shown = without_break(line[2:])
        unescaped = re.sub(r"\\.", "", shown)  # what is left once escaped pairs are removed
        assert not set(unescaped) & set("\\`*_[]<>|~&$"), line
        assert not re.match(r"\s*([#+=-]|\d{1,9}[.)])", shown), line


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("# Title", "\\# Title"),
        ("  - item", "  \\- item"),
        ("12) step", "12\\) step"),
        ("=====", "\\====="),
        ("a_b*c", "a\\_b\\*c"),
        ("We're #1, 2-3.", "We're #1, 2-3."),
        ("C:\\path", "C:\\\\path"),
    ],
)
def test_escape(text: str, shown: str) -> None:
    assert escape(text) == shown


# -- votes in aggregate -------------------------------------------------------------------------


def test_until_the_result_only_how_many_voted_is_kept() -> None:
    polls = [PollSummary(VotePhase.PRE, VoteState.CLOSED, 3, START, at(90), Tally(1, 1, 1))]
    judges = [JudgeScore(JUDGE, 70, 30)]
    moved = {(Choice.FOR, Choice.AGAINST): 1}

    hidden = vote_summary(polls, {VotePhase.PRE: Tally(1, 1, 1)}, moved, judges, decided=False)
    assert hidden.polls == (PollSummary(VotePhase.PRE, VoteState.CLOSED, 3, START, at(90)),)
    assert hidden.swing is None
    assert hidden.judges == (JudgeScore(JUDGE),)

    shown = vote_summary(polls, {VotePhase.PRE: Tally(1, 1, 1)}, moved, judges, decided=True)
    assert shown.polls[0].tally == Tally(1, 1, 1)
    assert shown.swing == Swing(for_to_against=1)
    assert shown.judges == (JudgeScore(JUDGE, 70, 30),)


@given(
    st.dictionaries(st.integers(0, 50), st.sampled_from(Choice)),
    st.dictionaries(st.integers(0, 50), st.sampled_from(Choice)),
)
def test_the_swing_from_counted_pairs_is_the_paired_swing(
    pre: dict[int, Choice], post: dict[int, Choice]
) -> None:
    assert swing_of(flows(pre, post)) == paired_swing(pre, post)


def test_no_voter_appears_in_either_file() -> None:
    """The record has no place for a voter: its ids are the debate's and its people's."""
    export = sample()
    assert export.people() == {ALICE, BOB, CAROL, 103, 555, JUDGE}
    data = json.loads(to_json(export))
    assert set(data["votes"]) == {"polls", "swing", "judges"}
    assert all(
        set(p) == {"phase", "state", "voters", "opened_at", "closed_at", "tally"}
        for p in data["votes"]["polls"]
    )


def test_errors_explain_what_to_do() -> None:
    assert "leave `debate` out" in ExportNotFound(7).explain()
    assert "has not started yet" in NotExportable(7, DebateState.LOBBY).explain()
    assert "cancelled before it started" in NotExportable(7, DebateState.CANCELLED).explain()
