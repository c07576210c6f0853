"""Speaking turns: who holds the floor in a phase, and whose messages may stay in the thread.

Theory of operation
-------------------
Once sides are drawn, a ``Lineup`` lists each side's debaters in speaking order. The k-th
speech of a side goes to its k-th debater (round robin), so with three a side each speaks
once in openings, rebuttals and closings as far as the format allows. A cross-examination
gives the floor to both sides' current speakers, audience questions to everyone, and prep
time to nobody in the thread (the side prepares elsewhere).

``may_post`` is the rule the thread keeps: moderators may always post; otherwise only the
members holding the floor, and anyone once the clock has finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.clock import Clock, ClockState
from bot.domain.errors import DomainError
from bot.domain.formats import DebateFormat, Phase, PhaseKind, Speaker
from bot.domain.sides import Side, Sides


class NotYourTurn(DomainError):
    """Only the member holding the floor may do that."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return "Only the member who has the floor (or a moderator) can yield it."


class NotStarted(DomainError):
    """The debate has no clock: it has not started."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return "This debate has not started yet; a moderator starts it with **Start**."


@dataclass(frozen=True, slots=True)
class Lineup:
    """Each side's debaters, in speaking order."""

    for_team: tuple[int, ...]
    against_team: tuple[int, ...]

    @classmethod
    def of(cls, sides: Sides) -> Lineup:
        """The lineup of a side draw: sign-up order within each side."""
        return cls(sides.team(Side.FOR), sides.team(Side.AGAINST))

    def team(self, side: Side) -> tuple[int, ...]:
        """The debaters of ``side``."""
        return self.for_team if side is Side.FOR else self.against_team

    def side_of(self, user_id: int) -> Side | None:
        """The member's side, or None for anyone not debating."""
        if user_id in self.for_team:
            return Side.FOR
        if user_id in self.against_team:
            return Side.AGAINST
        return None


def _side(speaker: Speaker) -> Side | None:
    if speaker is Speaker.FOR:
        return Side.FOR
    if speaker is Speaker.AGAINST:
        return Side.AGAINST
    return None


def _turn(fmt: DebateFormat, index: int, side: Side, lineup: Lineup) -> int | None:
    """The debater of ``side`` whose turn phase ``index`` is: round robin over its speeches."""
    team = lineup.team(side)
    if not team:
        return None
    earlier = len(
        [p for p in fmt.phases[:index] if _side(p.speaker) is side and p.kind is PhaseKind.SPEECH]
    )
    return team[earlier % len(team)]


def floor(fmt: DebateFormat, index: int, lineup: Lineup) -> tuple[int, ...]:
    """Who holds the floor in phase ``index``: empty when it is open to all or to nobody."""
    phase = fmt.phases[index]
    side = _side(phase.speaker)
    if phase.kind is PhaseKind.PREP or phase.speaker is Speaker.AUDIENCE:
        return ()
    if side is not None:
        speaker = _turn(fmt, index, side, lineup)
        return (speaker,) if speaker is not None else ()
    pair = (_turn(fmt, index, Side.FOR, lineup), _turn(fmt, index, Side.AGAINST, lineup))
    return tuple(user for user in pair if user is not None)


def open_to_all(phase: Phase) -> bool:
    """Whether anyone may post during the phase (audience questions)."""
    return phase.speaker is Speaker.AUDIENCE and phase.kind is not PhaseKind.PREP


def may_post(
    fmt: DebateFormat, clock: Clock, lineup: Lineup, user_id: int, *, moderator: bool
) -> bool:
    """Whether a member's message may stay in the debate's thread now."""
    if moderator or clock.state is ClockState.FINISHED:
        return True
    phase = fmt.phases[min(clock.phase_index, len(fmt.phases) - 1)]
    if open_to_all(phase):
        return True
    return user_id in floor(fmt, clock.phase_index, lineup)


@dataclass(frozen=True, slots=True)
class Speech:
    """A message of the transcript: who said what, for which side, in which phase."""

    message_id: int
    author_id: int
    side: Side | None
    phase_index: int
    posted_at: datetime
    text: str
    edits: tuple[tuple[str, str], ...] = ()
    """Earlier texts, oldest first, with the time each was replaced (ISO 8601)."""
