"""The debate clock: which phase holds the floor, until when, and what to announce.

Theory of operation
-------------------
A clock is an immutable value that a service persists (its deadline in the database) and
one dispatcher serves for every debate: it sleeps until ``next_due``, then calls ``on_due``
and announces the happenings that come back. Members act through ``apply``. Nothing here
reads the time; callers pass ``now``.

``TRANSITIONS`` is the whole of what members may do. A move that is not in it raises
``IllegalClockMove`` and changes nothing; a move made against an older ``version`` raises
``StaleClock`` and changes nothing, so two moderators pressing at once cause exactly one
transition. Every transition the buttons show (a new phase, a pause, a resume, an
extension, the end) adds one to ``version``; a warning does not, so the buttons on a phase
message stay valid after the warnings it gets.

    RUNNING --pause--> PAUSED --resume--> RUNNING
    RUNNING --yield/skip/deadline--> RUNNING (next phase) or FINISHED (after the last)
    PAUSED  --skip--> PAUSED (next phase, full time) or FINISHED
    RUNNING, PAUSED --extend--> same state, more time;  --end--> FINISHED

Lateness: a deadline that passed while the bot was down (or the dispatcher woke late) ends
only the phase it belongs to. The next phase starts at ``now`` with its full time and is
announced with how late the change came, so a downtime never eats a speaker's turn and the
phase that is current is always announced; moderators can Skip if the room moved on.
Warnings of a phase whose deadline also passed are dropped; of several warnings passed in
the current phase only the latest mark is announced.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.errors import DomainError, IllegalTransition, InvalidFormat
from bot.domain.formats import DebateFormat, Phase

MAX_EXTEND_SECONDS = 10 * 60
"""Most time one Extend press adds."""

MAX_EXTENSION_PER_PHASE = 30 * 60
"""Most time all Extend presses together add to one phase."""


class ClockState(StrEnum):
    """Whether the clock runs."""

    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


class ClockEvent(StrEnum):
    """What a member can do to the clock."""

    YIELD = "yield"
    SKIP = "skip"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    END = "end"


TRANSITIONS: dict[tuple[ClockState, ClockEvent], ClockState] = {
    (ClockState.RUNNING, ClockEvent.YIELD): ClockState.RUNNING,
    (ClockState.RUNNING, ClockEvent.SKIP): ClockState.RUNNING,
    (ClockState.RUNNING, ClockEvent.PAUSE): ClockState.PAUSED,
    (ClockState.RUNNING, ClockEvent.EXTEND): ClockState.RUNNING,
    (ClockState.RUNNING, ClockEvent.END): ClockState.FINISHED,
    (ClockState.PAUSED, ClockEvent.SKIP): ClockState.PAUSED,
    (ClockState.PAUSED, ClockEvent.RESUME): ClockState.RUNNING,
    (ClockState.PAUSED, ClockEvent.EXTEND): ClockState.PAUSED,
    (ClockState.PAUSED, ClockEvent.END): ClockState.FINISHED,
}
"""Legal moves and the state they lead to; YIELD and SKIP after the last phase finish."""

_VERBS: dict[ClockEvent, str] = {
    ClockEvent.YIELD: "yield the floor",
    ClockEvent.SKIP: "skip to the next phase",
    ClockEvent.PAUSE: "pause the clock",
    ClockEvent.RESUME: "resume the clock",
    ClockEvent.EXTEND: "extend the time",
    ClockEvent.END: "end the debate",
}


class IllegalClockMove(IllegalTransition):
    """The clock cannot make that move from its current state."""

    def __init__(self, state: ClockState, event: ClockEvent) -> None:
        super().__init__(state.value, event.value)
        self.clock_state = state
        self.clock_event = event

    def explain(self) -> str:
        """The sentence a member sees."""
        verb = _VERBS[self.clock_event]
        if self.clock_state is ClockState.FINISHED:
            return f"The debate's clock has finished, so you can't {verb}."
        return f"You can't {verb} while the clock is {self.clock_state.value}."


class StaleClock(DomainError):
    """The member acted on a clock that has changed since they saw it."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"clock is at version {actual}, not {expected}")
        self.expected = expected
        self.actual = actual

    def explain(self) -> str:
        """The sentence a member sees."""
        return "Someone changed the clock a moment ago; check the updated message and try again."


class ExtensionRefused(DomainError):
    """An Extend asked for too little or too much time."""

    def __init__(self, requested: int, allowed: int) -> None:
        super().__init__(f"extension of {requested} s refused, at most {allowed} s allowed")
        self.requested = requested
        self.allowed = allowed

    def explain(self) -> str:
        """The sentence a member sees."""
        if self.allowed < 1:
            return "This phase has already been extended as far as it can be."
        return f"You can extend this phase by 1 to {self.allowed} seconds."


@dataclass(frozen=True, slots=True)
class Clock:
    """The clock of one debate: ``deadline`` while running, ``remaining`` while paused."""

    phase_index: int
    state: ClockState
    deadline: datetime | None
    remaining: timedelta | None
    warnings_sent: tuple[int, ...]
    extended_seconds: int = 0
    version: int = 0


class Cause(StrEnum):
    """Why a phase started or the clock finished."""

    START = "start"
    DEADLINE = "deadline"
    YIELD = "yield"
    SKIP = "skip"
    END = "end"


@dataclass(frozen=True, slots=True)
class PhaseStarted:
    """Announce a new phase; ``late_by`` is how long after its deadline the last one ended."""

    phase_index: int
    cause: Cause
    late_by: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class TimeWarning:
    """Announce that ``mark`` seconds are left in the phase."""

    phase_index: int
    mark: int


@dataclass(frozen=True, slots=True)
class Paused:
    """Announce the pause and the time it keeps."""

    phase_index: int
    remaining: timedelta


@dataclass(frozen=True, slots=True)
class Resumed:
    """Announce the clock runs again until ``deadline``."""

    phase_index: int
    deadline: datetime


@dataclass(frozen=True, slots=True)
class Extended:
    """Announce that the phase got ``seconds`` more."""

    phase_index: int
    seconds: int


@dataclass(frozen=True, slots=True)
class Finished:
    """Announce the end of the speaking; ``late_by`` as for ``PhaseStarted``."""

    cause: Cause
    late_by: timedelta = timedelta(0)


Happening = PhaseStarted | TimeWarning | Paused | Resumed | Extended | Finished


def phase_of(clock: Clock, fmt: DebateFormat) -> Phase:
    """The phase the clock is in (the last one once finished)."""
    return fmt.phases[min(clock.phase_index, len(fmt.phases) - 1)]


def _behind(length: timedelta, phase: Phase) -> tuple[int, ...]:
    """Marks not ahead of a phase that has ``length`` left: they count as sent."""
    return tuple(m for m in phase.warnings if timedelta(seconds=m) >= length)


def _enter(
    clock: Clock, fmt: DebateFormat, index: int, now: datetime, cause: Cause, late_by: timedelta
) -> tuple[Clock, list[Happening]]:
    """The clock at the start of phase ``index``, or finished past the last phase."""
    if index >= len(fmt.phases):
        done = replace(
            clock,
            state=ClockState.FINISHED,
            deadline=None,
            remaining=None,
            warnings_sent=(),
            extended_seconds=0,
        )
        return done, [Finished(cause, late_by)]
    phase = fmt.phases[index]
    length = timedelta(seconds=phase.seconds)
    running = clock.state is ClockState.RUNNING
    entered = replace(
        clock,
        phase_index=index,
        deadline=now + length if running else None,
        remaining=None if running else length,
        warnings_sent=_behind(length, phase),
        extended_seconds=0,
    )
    return entered, [PhaseStarted(index, cause, late_by)]


def start(fmt: DebateFormat, now: datetime) -> tuple[Clock, list[Happening]]:
    """A clock running the first phase from ``now``, at version 0."""
    if not fmt.phases:
        raise InvalidFormat(fmt.key, ("a format needs at least one phase",))
    blank = Clock(0, ClockState.RUNNING, None, None, ())
    return _enter(blank, fmt, 0, now, Cause.START, timedelta(0))


def next_due(clock: Clock, fmt: DebateFormat) -> datetime | None:
    """When the dispatcher must next call ``on_due``; None unless running."""
    if clock.state is not ClockState.RUNNING or clock.deadline is None:
        return None
    pending = [m for m in phase_of(clock, fmt).warnings if m not in clock.warnings_sent]
    if pending:
        return clock.deadline - timedelta(seconds=max(pending))
    return clock.deadline


def on_due(clock: Clock, fmt: DebateFormat, now: datetime) -> tuple[Clock, list[Happening]]:
    """Everything due at ``now``: a warning, or the deadline; unchanged if nothing is."""
    if clock.state is not ClockState.RUNNING or clock.deadline is None:
        return clock, []
    if now >= clock.deadline:
        late_by = now - clock.deadline
        after, happenings = _enter(clock, fmt, clock.phase_index + 1, now, Cause.DEADLINE, late_by)
        return replace(after, version=clock.version + 1), happenings
    phase = phase_of(clock, fmt)
    passed = [
        m
        for m in phase.warnings
        if m not in clock.warnings_sent and clock.deadline - timedelta(seconds=m) <= now
    ]
    if not passed:
        return clock, []
    sent = tuple(m for m in phase.warnings if m in clock.warnings_sent or m in passed)
    return replace(clock, warnings_sent=sent), [TimeWarning(clock.phase_index, min(passed))]


def _left(clock: Clock, now: datetime) -> timedelta:
    """Time left in the phase, never below zero."""
    if clock.deadline is not None:
        return max(clock.deadline - now, timedelta(0))
    return clock.remaining if clock.remaining is not None else timedelta(0)


def apply(
    clock: Clock,
    fmt: DebateFormat,
    event: ClockEvent,
    now: datetime,
    *,
    expected_version: int | None = None,
    extra_seconds: int = 0,
) -> tuple[Clock, list[Happening]]:
    """The clock after a member's ``event``, with what to announce; refusals change nothing."""
    if expected_version is not None and expected_version != clock.version:
        raise StaleClock(expected_version, clock.version)
    target = TRANSITIONS.get((clock.state, event))
    if target is None:
        raise IllegalClockMove(clock.state, event)
    index = clock.phase_index
    happenings: list[Happening]
    if event in (ClockEvent.YIELD, ClockEvent.SKIP):
        cause = Cause.YIELD if event is ClockEvent.YIELD else Cause.SKIP
        after, happenings = _enter(clock, fmt, index + 1, now, cause, timedelta(0))
    elif event is ClockEvent.PAUSE:
        left = _left(clock, now)
        after = replace(clock, state=target, deadline=None, remaining=left)
        happenings = [Paused(index, left)]
    elif event is ClockEvent.RESUME:
        deadline = now + _left(clock, now)
        after = replace(clock, state=target, deadline=deadline, remaining=None)
        happenings = [Resumed(index, deadline)]
    elif event is ClockEvent.EXTEND:
        allowed = min(MAX_EXTEND_SECONDS, MAX_EXTENSION_PER_PHASE - clock.extended_seconds)
        if not 1 <= extra_seconds <= allowed:
            raise ExtensionRefused(extra_seconds, allowed)
        left = _left(clock, now) + timedelta(seconds=extra_seconds)
        after = replace(
            clock,
            deadline=now + left if clock.deadline is not None else None,
            remaining=left if clock.remaining is not None else None,
            # A mark that is ahead again after the extension is announced again.
            warnings_sent=tuple(m for m in clock.warnings_sent if timedelta(seconds=m) >= left),
            extended_seconds=clock.extended_seconds + extra_seconds,
        )
        happenings = [Extended(index, extra_seconds)]
    else:
        after, happenings = _enter(clock, fmt, len(fmt.phases), now, Cause.END, timedelta(0))
    return replace(after, version=clock.version + 1), happenings
