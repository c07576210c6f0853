"""A debate's record, exported: plain facts, as JSON (exact round trip) or as Markdown.

Theory of operation
-------------------
``DebateExport`` is what a started debate leaves behind: its motion and source, the side
draw, the format's timings and where the clock stood, the transcript with every edit, the
votes and the verdict. A debate still running can be exported: the record says so
(``in_progress``) and holds what existed at ``exported_at``.

Votes appear only in aggregate, and a voter's id or choice never enters the record: there is
no field that could hold one. What may be said about the votes is ``vote_summary``'s rule:
how many voted in each phase, always; the tallies, the paired swing and the judges' points
only once the result is decided, because until then the bot itself shows only how many have
voted (and judges' ballots are private until the result). Judges are named officials, so
their ballots appear under their names.

``to_json`` writes the record with ``"agora_export": 1``; Discord ids are strings (as in
Discord's API: they do not fit a JavaScript number) and times are ISO 8601 in UTC.
``from_json(to_json(x)) == x`` for every record. Fields marked derived in the JSON (totals,
shares) are for readers and ignored when reading back.

``to_markdown`` is for people. Every speech appears, quoted line by line with Markdown's
special characters escaped (``quote``), so what members wrote can't become a heading, list,
table, link or HTML of the document around it. Names members chose (display names, phase
names of a server's format) are escaped the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from bot.domain.clock import ClockState
from bot.domain.debate import DebateState
from bot.domain.errors import DebateNotFound, DomainError
from bot.domain.formats import DebateFormat, Phase, PhaseKind, Speaker, VoteRule, duration
from bot.domain.sides import Side
from bot.domain.votes import Choice, Swing, Tally, VotePhase, VoteState

EXPORT_VERSION = 1
"""The version of the JSON layout; ``from_json`` refuses any other."""


# -- errors -------------------------------------------------------------------------------------


class ExportNotFound(DebateNotFound):
    """No debate with that id in this server (debates of other servers are not found either)."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return (
            f"There is no debate #{self.debate_id} in this server. Check the number (a lobby's "
            "title shows it: “Debate #12 · …”), or leave `debate` out to export the latest "
            "debate of this channel."
        )


class NotExportable(DomainError):
    """The debate never started: it has no sides, transcript or votes to export."""

    def __init__(self, debate_id: int, state: DebateState) -> None:
        super().__init__(f"debate {debate_id} is {state.value} and never started")
        self.debate_id = debate_id
        self.state = state

    def explain(self) -> str:
        """The sentence a member sees."""
        if self.state is DebateState.CANCELLED:
            return (
                f"Debate #{self.debate_id} was cancelled before it started, so it has nothing "
                "to export."
            )
        return (
            f"Debate #{self.debate_id} has not started yet, so it has nothing to export. "
            "You can export it once a moderator has started it."
        )


class NothingToExportHere(DomainError):
    """No debate id was given and the channel has never had a debate."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return (
            "This channel has no debate to export. Give the debate's number, e.g. "
            "`/debate export debate:12`, or use the command in the debate's channel or thread."
        )


class NotAnExport(ValueError):
    """The text is not an Agora debate export of a version this code reads."""


# -- the record ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """The article the motion came from."""

    title: str
    url: str | None
    filename: str | None
    sha256: str
    """SHA-256 of what the moderator gave (the page, the file or the pasted text), in hex."""
    author: str = ""
    site: str = ""


@dataclass(frozen=True, slots=True)
class Seat:
    """A member's place in the side draw."""

    user_id: int
    side: Side | None
    """None for a reserve."""
    order: int
    """Speaking order within the side, from 0; -1 for a reserve."""
    reason: str


@dataclass(frozen=True, slots=True)
class PhasePlan:
    """One step of the format's speaking order."""

    name: str
    speaker: Speaker
    kind: PhaseKind
    seconds: int
    protected: int = 0

    def describe(self) -> str:
        """One line a member reads, e.g. "90 s · For speaks"."""
        phase = Phase(self.name, self.speaker, self.seconds, (), self.kind, self.protected)
        return phase.describe()


@dataclass(frozen=True, slots=True)
class Timings:
    """The format's plan and where the clock stood.

    The clock keeps only where it is, not when each phase began: the times of the speeches
    tell the rest.
    """

    phases: tuple[PhasePlan, ...]
    started_at: datetime
    ended_at: datetime | None
    clock_state: ClockState
    phase_index: int
    """The phase the clock is in (or ended in)."""


@dataclass(frozen=True, slots=True)
class Edit:
    """An earlier text of a speech, and when it was replaced."""

    replaced_at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Speech:
    """A message of the transcript."""

    message_id: int
    author_id: int
    side: Side | None
    """None for the audience (questions) and moderators."""
    phase_index: int
    posted_at: datetime
    text: str
    edits: tuple[Edit, ...] = ()
    """Earlier texts, oldest first."""


@dataclass(frozen=True, slots=True)
class PollSummary:
    """One of the two audience votes, in aggregate."""

    phase: VotePhase
    state: VoteState
    voters: int
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    tally: Tally | None = None
    """None until the result is decided."""


@dataclass(frozen=True, slots=True)
class JudgeScore:
    """A named judge and, once the result is decided, their ballot."""

    judge_id: int
    for_points: int | None = None
    against_points: int | None = None


@dataclass(frozen=True, slots=True)
class VoteSummary:
    """Everything the record says about the votes: aggregates only."""

    polls: tuple[PollSummary, ...] = ()
    swing: Swing | None = None
    """Members who voted both times and how they moved; None until the result is decided."""
    judges: tuple[JudgeScore, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict as stored, and when it was decided."""

    rule: VoteRule
    winner: Side | None
    margin: float
    reason: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class DebateExport:
    """A started debate's record: plain facts, no voter's id or choice."""

    debate_id: int
    guild_id: int
    channel_id: int
    creator_id: int
    motion: str
    format_key: str
    format_name: str
    vote_rule: VoteRule
    state: DebateState
    created_at: datetime
    exported_at: datetime
    seed: int
    """The side draw's seed, for audit."""
    source: Source | None
    seats: tuple[Seat, ...]
    timings: Timings
    transcript: tuple[Speech, ...]
    votes: VoteSummary
    decision: Decision | None

    @property
    def in_progress(self) -> bool:
        """Whether the debate was still running when exported."""
        return self.state is DebateState.RUNNING

    def people(self) -> frozenset[int]:
        """Every member the record names: creator, debaters, speakers and judges."""
        return frozenset(
            (
                self.creator_id,
                *(s.user_id for s in self.seats),
                *(s.author_id for s in self.transcript),
                *(j.judge_id for j in self.votes.judges),
            )
        )


# -- building -----------------------------------------------------------------------------------


def plan_of(fmt: DebateFormat) -> tuple[PhasePlan, ...]:
    """The format's phases as the record keeps them."""
    return tuple(PhasePlan(p.name, p.speaker, p.kind, p.seconds, p.protected) for p in fmt.phases)


def swing_of(flows: Mapping[tuple[Choice, Choice], int]) -> Swing:
    """The paired swing from the counts of (vote before, vote after) pairs."""
    f = {(a, b): flows.get((a, b), 0) for a in Choice for b in Choice}
    return Swing(
        for_to_against=f[(Choice.FOR, Choice.AGAINST)],
        against_to_for=f[(Choice.AGAINST, Choice.FOR)],
        undecided_to_for=f[(Choice.UNDECIDED, Choice.FOR)],
        undecided_to_against=f[(Choice.UNDECIDED, Choice.AGAINST)],
        for_to_undecided=f[(Choice.FOR, Choice.UNDECIDED)],
        against_to_undecided=f[(Choice.AGAINST, Choice.UNDECIDED)],
        stayed=sum(f[(c, c)] for c in Choice),
    )


def vote_summary(
    polls: Sequence[PollSummary],
    tallies: Mapping[VotePhase, Tally],
    flows: Mapping[tuple[Choice, Choice], int],
    judges: Sequence[JudgeScore],
    *,
    decided: bool,
) -> VoteSummary:
    """What the record may say about the votes: counts always, the rest once decided."""
    if not decided:
        return VoteSummary(
            polls=tuple(replace(p, tally=None) for p in polls),
            swing=None,
            judges=tuple(JudgeScore(j.judge_id) for j in judges),
        )
    return VoteSummary(
        polls=tuple(replace(p, tally=tallies.get(p.phase, Tally())) for p in polls),
        swing=swing_of(flows),
        judges=tuple(judges),
    )


# -- JSON ---------------------------------------------------------------------------------------


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment.astimezone(UTC) if moment.tzinfo else moment).isoformat()


def _parse_time(text: Any) -> datetime | None:
    return None if text is None else datetime.fromisoformat(str(text))


def _required_time(text: Any) -> datetime:
    moment = _parse_time(text)
    if moment is None:
        raise NotAnExport("a required time is missing")
    return moment


def _id(value: int) -> str:
    return str(value)


def _side(value: Any) -> Side | None:
    return None if value is None else Side(value)


def _tally_json(tally: Tally) -> dict[str, int]:
    return {
        "for": tally.for_,
        "against": tally.against,
        "undecided": tally.undecided,
        "total": tally.total,  # derived
    }


def _swing_json(swing: Swing) -> dict[str, int]:
    return {
        "for_to_against": swing.for_to_against,
        "against_to_for": swing.against_to_for,
        "undecided_to_for": swing.undecided_to_for,
        "undecided_to_against": swing.undecided_to_against,
        "for_to_undecided": swing.for_to_undecided,
        "against_to_undecided": swing.against_to_undecided,
        "stayed": swing.stayed,
        "paired_voters": swing.voters,  # derived
        "toward_for": swing.toward(Side.FOR),  # derived
        "toward_against": swing.toward(Side.AGAINST),  # derived
    }


_SWING_FIELDS = (
    "for_to_against",
    "against_to_for",
    "undecided_to_for",
    "undecided_to_against",
    "for_to_undecided",
    "against_to_undecided",
    "stayed",
)


def to_dict(export: DebateExport) -> dict[str, Any]:
    """The record as JSON-ready values (what ``to_json`` writes)."""
    source = export.source
    timings = export.timings
    decision = export.decision
    return {
        "agora_export": EXPORT_VERSION,
        "debate_id": export.debate_id,
        "guild_id": _id(export.guild_id),
        "channel_id": _id(export.channel_id),
        "creator_id": _id(export.creator_id),
        "motion": export.motion,
        "format": {
            "key": export.format_key,
            "name": export.format_name,
            "vote_rule": export.vote_rule.value,
        },
        "state": export.state.value,
        "in_progress": export.in_progress,  # derived
        "created_at": _time(export.created_at),
        "exported_at": _time(export.exported_at),
        "seed": export.seed,
        "source": None
        if source is None
        else {
            "title": source.title,
            "url": source.url,
            "filename": source.filename,
            "sha256": source.sha256,
            "author": source.author,
            "site": source.site,
        },
        "sides": [
            {
                "user_id": _id(s.user_id),
                "side": s.side.value if s.side else None,
                "order": s.order,
                "reason": s.reason,
            }
            for s in export.seats
        ],
        "timings": {
            "started_at": _time(timings.started_at),
            "ended_at": _time(timings.ended_at),
            "clock_state": timings.clock_state.value,
            "phase_index": timings.phase_index,
            "phases": [
                {
                    "name": p.name,
                    "speaker": p.speaker.value,
                    "kind": p.kind.value,
                    "seconds": p.seconds,
                    "protected": p.protected,
                }
                for p in timings.phases
            ],
        },
        "transcript": [
            {
                "message_id": _id(s.message_id),
                "author_id": _id(s.author_id),
                "side": s.side.value if s.side else None,
                "phase_index": s.phase_index,
                "posted_at": _time(s.posted_at),
                "text": s.text,
                "edits": [{"replaced_at": _time(e.replaced_at), "text": e.text} for e in s.edits],
            }
            for s in export.transcript
        ],
        "votes": {
            "polls": [
                {
                    "phase": p.phase.value,
                    "state": p.state.value,
                    "voters": p.voters,
                    "opened_at": _time(p.opened_at),
                    "closed_at": _time(p.closed_at),
                    "tally": None if p.tally is None else _tally_json(p.tally),
                }
                for p in export.votes.polls
            ],
            "swing": None if export.votes.swing is None else _swing_json(export.votes.swing),
            "judges": [
                {
                    "judge_id": _id(j.judge_id),
                    "for_points": j.for_points,
                    "against_points": j.against_points,
                }
                for j in export.votes.judges
            ],
        },
        "verdict": None
        if decision is None
        else {
            "rule": decision.rule.value,
            "winner": decision.winner.value if decision.winner else None,
            "margin": decision.margin,
            "reason": decision.reason,
            "decided_at": _time(decision.decided_at),
        },
    }


def to_json(export: DebateExport) -> str:
    """The record as JSON text (UTF-8, indented for people who open the file)."""
    return json.dumps(to_dict(export), ensure_ascii=False, indent=2) + "\n"


def from_dict(data: Mapping[str, Any]) -> DebateExport:
    """The record from ``to_dict``'s values; ``NotAnExport`` if they are not one."""
    if not isinstance(data, Mapping) or data.get("agora_export") != EXPORT_VERSION:
        raise NotAnExport(f"not an Agora debate export of version {EXPORT_VERSION}")
    try:
        return _from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise NotAnExport(f"malformed export: {error!r}") from error


def from_json(text: str) -> DebateExport:
    """The record ``to_json`` wrote; ``NotAnExport`` if the text is not one."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise NotAnExport(f"not JSON: {error}") from error
    return from_dict(data)


def _from_dict(data: Mapping[str, Any]) -> DebateExport:
    source = data["source"]
    timings = data["timings"]
    votes = data["votes"]
    verdict = data["verdict"]
    return DebateExport(
        debate_id=int(data["debate_id"]),
        guild_id=int(data["guild_id"]),
        channel_id=int(data["channel_id"]),
        creator_id=int(data["creator_id"]),
        motion=str(data["motion"]),
        format_key=str(data["format"]["key"]),
        format_name=str(data["format"]["name"]),
        vote_rule=VoteRule(data["format"]["vote_rule"]),
        state=DebateState(data["state"]),
        created_at=_required_time(data["created_at"]),
        exported_at=_required_time(data["exported_at"]),
        seed=int(data["seed"]),
        source=None
        if source is None
        else Source(
            title=str(source["title"]),
            url=source["url"],
            filename=source["filename"],
            sha256=str(source["sha256"]),
            author=str(source["author"]),
            site=str(source["site"]),
        ),
        seats=tuple(
            Seat(int(s["user_id"]), _side(s["side"]), int(s["order"]), str(s["reason"]))
            for s in data["sides"]
        ),
        timings=Timings(
            phases=tuple(
                PhasePlan(
                    str(p["name"]),
                    Speaker(p["speaker"]),
                    PhaseKind(p["kind"]),
                    int(p["seconds"]),
                    int(p["protected"]),
                )
                for p in timings["phases"]
            ),
            started_at=_required_time(timings["started_at"]),
            ended_at=_parse_time(timings["ended_at"]),
            clock_state=ClockState(timings["clock_state"]),
            phase_index=int(timings["phase_index"]),
        ),
        transcript=tuple(
            Speech(
                message_id=int(s["message_id"]),
                author_id=int(s["author_id"]),
                side=_side(s["side"]),
                phase_index=int(s["phase_index"]),
                posted_at=_required_time(s["posted_at"]),
                text=str(s["text"]),
                edits=tuple(
                    Edit(_required_time(e["replaced_at"]), str(e["text"])) for e in s["edits"]
                ),
            )
            for s in data["transcript"]
        ),
        votes=VoteSummary(
            polls=tuple(
                PollSummary(
                    phase=VotePhase(p["phase"]),
                    state=VoteState(p["state"]),
                    voters=int(p["voters"]),
                    opened_at=_parse_time(p["opened_at"]),
                    closed_at=_parse_time(p["closed_at"]),
                    tally=None
                    if p["tally"] is None
                    else Tally(
                        int(p["tally"]["for"]),
                        int(p["tally"]["against"]),
                        int(p["tally"]["undecided"]),
                    ),
                )
                for p in votes["polls"]
            ),
            swing=None
            if votes["swing"] is None
            else Swing(**{name: int(votes["swing"][name]) for name in _SWING_FIELDS}),
            judges=tuple(
                JudgeScore(
                    int(j["judge_id"]),
                    None if j["for_points"] is None else int(j["for_points"]),
                    None if j["against_points"] is None else int(j["against_points"]),
                )
                for j in votes["judges"]
            ),
        ),
        decision=None
        if verdict is None
        else Decision(
            rule=VoteRule(verdict["rule"]),
            winner=_side(verdict["winner"]),
            margin=float(verdict["margin"]),
            reason=str(verdict["reason"]),
            decided_at=_required_time(verdict["decided_at"]),
        ),
    )


# -- Markdown -----------------------------------------------------------------------------------

_ESCAPED = frozenset("\\`*_[]<>|~&$")
"""Characters escaped wherever they are: emphasis, code, links, HTML, tables, strikethrough,
entities and maths."""
_BLOCK_START = re.compile(r"^(\s*)([#+=-]|\d{1,9}[.)])")
"""What would open a heading, list, setext underline or ordered list at a line's start."""


def escape(text: str) -> str:
    """One line of text that Markdown shows as it is: special characters escaped."""
    escaped = "".join(f"\\{c}" if c in _ESCAPED else c for c in text)
    match = _BLOCK_START.match(escaped)
    if match is not None:
        at = match.end() - 1  # escape the marker's last character: "\#", "1\."
        escaped = escaped[:at] + "\\" + escaped[at:]
    return escaped


def _destination(url: str) -> str:
    """A link destination for ``[text](<...>)``: escapes work there, autolinks have none."""
    one_line = "".join(url.split())
    return "".join(f"\\{c}" if c in "\\<>" else c for c in one_line)


def inline(text: str) -> str:
    """Text for inside a line (a name, a table cell): one line, escaped."""
    return escape(" ".join(text.split()))


def quote(text: str) -> str:
    """A block quote of ``text`` that nothing in it can break out of, one quoted line per line.

    A line followed by another ends in a hard line break (a backslash), so the quote keeps
    the text's lines instead of running them into one paragraph.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    quoted = []
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        if not line:
            quoted.append(">")
        else:
            brk = "\\" if line.strip() and after.strip() else ""
            quoted.append(f"> {escape(line)}{brk}")
    return "\n".join(quoted)


_RULE_WORDS = {
    VoteRule.OXFORD: "Oxford rule: the side that gains more of the vote wins",
    VoteRule.MAJORITY: "majority of the vote after the debate",
    VoteRule.JUDGES: "majority of the judges",
}
_MARGIN_UNITS = {VoteRule.OXFORD: "points", VoteRule.MAJORITY: "votes", VoteRule.JUDGES: "judges"}
_STATE_WORDS = {
    DebateState.LOBBY: "In the lobby",
    DebateState.RUNNING: "In progress",
    DebateState.FINISHED: "Finished",
    DebateState.CANCELLED: "Cancelled",
}
_POLL_WORDS = {VotePhase.PRE: "Before the debate", VotePhase.POST: "After the debate"}
_POLL_STATE_WORDS = {
    VoteState.CLOSED_NOT_OPENED: "not opened",
    VoteState.OPEN: "open",
    VoteState.CLOSED: "closed",
}


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _offset(moment: datetime, start: datetime) -> str:
    seconds = max(int((moment - start).total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"+{hours}:{minutes:02}:{seconds:02}" if hours else f"+{minutes}:{seconds:02}"


def _side_label(side: Side | None) -> str:
    return side.label if side else "audience"


class _Names:
    def __init__(self, names: Mapping[int, str]) -> None:
        self._names = names

    def __call__(self, user_id: int) -> str:
        name = self._names.get(user_id)
        return inline(name) if name and name.strip() else f"user {user_id}"


def to_markdown(export: DebateExport, names: Mapping[int, str]) -> str:
    """The record for people to read; ``names`` gives display names (else "user <id>")."""
    name = _Names(names)
    parts = [
        _heading(export, name),
        _sides(export, name),
        _timings(export),
        _transcript(export, name),
        _votes(export, name),
        _verdict(export),
    ]
    return "\n\n".join(parts) + "\n"


def _heading(export: DebateExport, name: _Names) -> str:
    lines = [f"# Debate #{export.debate_id}", "", quote(export.motion), ""]
    if export.in_progress:
        lines += [
            f"**In progress:** exported at {_when(export.exported_at)} while the debate was "
            "still running; this is what had happened by then.",
            "",
        ]
    timings = export.timings
    lines += [
        f"- **Status:** {_STATE_WORDS[export.state]}",
        f"- **Format:** {inline(export.format_name)} ({inline(export.format_key)}), decided by "
        f"{_RULE_WORDS[export.vote_rule]}",
        f"- **Opened:** {_when(export.created_at)} by {name(export.creator_id)}",
        f"- **Started:** {_when(timings.started_at)}",
        f"- **Ended:** {_when(timings.ended_at) if timings.ended_at else 'not yet'}",
        f"- **Exported:** {_when(export.exported_at)}",
    ]
    source = export.source
    if source is not None:
        title = inline(source.title) or "untitled"
        if source.url:
            title = f"[{title}](<{_destination(source.url)}>)"
        where = [title, *(inline(p) for p in (source.author, source.site) if p.strip())]
        if source.filename:
            where.append(f"file {inline(source.filename)}")
        lines.append(f"- **Source:** {' · '.join(where)}")
        lines.append(f"- **Source SHA-256:** `{source.sha256}`")
    lines.append(f"- **Side draw seed:** {export.seed}")
    return "\n".join(lines)


def _sides(export: DebateExport, name: _Names) -> str:
    lines = ["## Sides"]
    for side in Side:
        seats = sorted((s for s in export.seats if s.side is side), key=lambda s: s.order)
        lines += ["", f"**{side.label}**", ""]
        lines += [f"{i}. {name(s.user_id)}: {inline(s.reason)}" for i, s in enumerate(seats, 1)]
        if not seats:
            lines.append("- nobody")
    reserves = [s for s in export.seats if s.side is None]
    if reserves:
        lines += ["", "**Reserves**", ""]
        lines += [f"- {name(s.user_id)}: {inline(s.reason)}" for s in reserves]
    return "\n".join(lines)


def _phase_name(export: DebateExport, index: int) -> str:
    phases = export.timings.phases
    return inline(phases[index].name) if 0 <= index < len(phases) else f"Phase {index + 1}"


def _timings(export: DebateExport) -> str:
    timings = export.timings
    lines = ["## Timings", "", "| # | Phase | Plan |", "| --- | --- | --- |"]
    lines += [
        f"| {i} | {inline(p.name)} | {inline(p.describe())} |"
        for i, p in enumerate(timings.phases, 1)
    ]
    total = sum(p.seconds for p in timings.phases)
    count = len(timings.phases)
    current = _phase_name(export, timings.phase_index)
    here = f"phase {timings.phase_index + 1} of {count} ({current})"
    if timings.clock_state is ClockState.FINISHED:
        where = f"The clock finished in {here}."
    elif timings.clock_state is ClockState.PAUSED:
        where = f"The clock was paused in {here}."
    else:
        where = f"The clock was running in {here}."
    lines += ["", f"Planned speaking time: {duration(total)}. {where}"]
    return "\n".join(lines)


def _transcript(export: DebateExport, name: _Names) -> str:
    lines = ["## Transcript"]
    if not export.transcript:
        return "\n".join([*lines, "", "Nobody spoke in the debate's thread."])
    start = export.timings.started_at
    phase: int | None = None
    for speech in export.transcript:
        if speech.phase_index != phase:
            phase = speech.phase_index
            lines += ["", f"### {phase + 1}. {_phase_name(export, phase)}"]
        lines += [
            "",
            f"**{name(speech.author_id)}** ({_side_label(speech.side)}) · "
            f"{_when(speech.posted_at)} ({_offset(speech.posted_at, start)})",
            "",
            quote(speech.text),
        ]
        for edit in speech.edits:
            replaced = f"*Earlier text, replaced {_when(edit.replaced_at)}:*"
            lines += ["", replaced, "", quote(edit.text)]
    return "\n".join(lines)


def _tally_line(tally: Tally) -> str:
    return ", ".join(
        f"{c.label} {tally.count(c)} ({tally.share(c):.0f}%)"
        for c in (Choice.FOR, Choice.AGAINST, Choice.UNDECIDED)
    )


def _votes(export: DebateExport, name: _Names) -> str:
    votes = export.votes
    lines = ["## Votes", ""]
    for poll in votes.polls:
        line = (
            f"- **{_POLL_WORDS[poll.phase]}** ({_POLL_STATE_WORDS[poll.state]}): "
            f"{poll.voters} voted"
        )
        if poll.tally is not None:
            line += f": {_tally_line(poll.tally)}"
        lines.append(line)
    if not votes.polls:
        lines.append("- No vote was opened.")
    swing = votes.swing
    if swing is not None:
        moves = [
            ("Against → For", swing.against_to_for),
            ("Undecided → For", swing.undecided_to_for),
            ("For → Against", swing.for_to_against),
            ("Undecided → Against", swing.undecided_to_against),
            ("For → Undecided", swing.for_to_undecided),
            ("Against → Undecided", swing.against_to_undecided),
        ]
        moved = ", ".join(f"{label} {n}" for label, n in moves if n) or "nobody moved"
        lines.append(
            f"- **Paired swing:** {swing.voters} voted both times; {moved}; {swing.stayed} "
            f"kept their vote. Net: For {swing.toward(Side.FOR):+d}, Against "
            f"{swing.toward(Side.AGAINST):+d}."
        )
    elif votes.polls:
        lines.append("- The tallies are shown once the result is decided.")
    for judge in votes.judges:
        if judge.for_points is None or judge.against_points is None:
            lines.append(f"- **Judge** {name(judge.judge_id)}: no ballot shown")
        else:
            lines.append(
                f"- **Judge** {name(judge.judge_id)}: For {judge.for_points}, "
                f"Against {judge.against_points}"
            )
    lines += ["", "Individual votes are never exported: only how many voted and the totals."]
    return "\n".join(lines)


def _verdict(export: DebateExport) -> str:
    decision = export.decision
    if decision is None:
        if export.state is DebateState.CANCELLED:
            return "## Verdict\n\nNone: the debate was cancelled."
        return "## Verdict\n\nNot decided yet."
    headline = f"{decision.winner.label} wins" if decision.winner else "No winner"
    margin = f"{decision.margin:g} {_MARGIN_UNITS[decision.rule]}"
    return "\n".join(
        [
            "## Verdict",
            "",
            f"**{headline}** by the {_RULE_WORDS[decision.rule]} (margin {margin}), decided "
            f"{_when(decision.decided_at)}.",
            "",
            quote(decision.reason),
        ]
    )
