"""The debate lifecycle and its lobby.

Theory of operation
-------------------
A debate is a small state machine. ``TRANSITIONS`` is the whole of it: a move that is not
in the table raises ``IllegalTransition`` and changes nothing. Everything here is a pure
function of immutable values; callers pass the current time in, and persist what comes
back.

    LOBBY --start--> RUNNING --finish--> FINISHED
      |                 |
      +-----cancel------+-----cancel---> CANCELLED

Only a debate in ``LOBBY`` takes sign-ups. A sign-up is a preference (For, Against or
either side), not a side: sides are assigned when the debate starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.domain.errors import (
    AlreadyJoined,
    DebateClosed,
    EmptyMotion,
    IllegalTransition,
    LobbyFull,
    MotionTooLong,
    NotJoined,
)

MOTION_MAX_CHARS = 300
"""Longest motion accepted: one sentence that still fits a Discord embed title and a select option
description twice over."""


class DebateState(StrEnum):
    """Where a debate is in its life."""

    LOBBY = "lobby"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"

    @property
    def is_active(self) -> bool:
        """True while the debate occupies its channel."""
        return self in (DebateState.LOBBY, DebateState.RUNNING)


class DebateEvent(StrEnum):
    """What can happen to a debate as a whole."""

    START = "start"
    FINISH = "finish"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[DebateState, DebateEvent], DebateState] = {
    (DebateState.LOBBY, DebateEvent.START): DebateState.RUNNING,
    (DebateState.LOBBY, DebateEvent.CANCEL): DebateState.CANCELLED,
    (DebateState.RUNNING, DebateEvent.FINISH): DebateState.FINISHED,
    (DebateState.RUNNING, DebateEvent.CANCEL): DebateState.CANCELLED,
}


def next_state(state: DebateState, event: DebateEvent) -> DebateState:
    """The state after ``event``, or ``IllegalTransition``."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state.value, event.value) from None


class Preference(StrEnum):
    """The side a member asks for when signing up."""

    FOR = "for"
    AGAINST = "against"
    EITHER = "either"


_SPACE = re.compile(r"\s+")


def clean_motion(text: str) -> str:
    """The motion as stored: white space folded to single spaces, within the length limit."""
    motion = _SPACE.sub(" ", text).strip()
    if not motion:
        raise EmptyMotion("the motion is empty")
    if len(motion) > MOTION_MAX_CHARS:
        raise MotionTooLong(len(motion), MOTION_MAX_CHARS)
    return motion


@dataclass(frozen=True, slots=True)
class Signup:
    """One member's place in a lobby."""

    user_id: int
    preference: Preference
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Lobby:
    """The sign-ups of one debate, with what limits them."""

    debate_id: int
    state: DebateState
    max_debaters: int
    signups: tuple[Signup, ...] = ()

    def signup_of(self, user_id: int) -> Signup | None:
        """The member's sign-up, if any."""
        return next((s for s in self.signups if s.user_id == user_id), None)

    def with_preference(self, preference: Preference) -> tuple[Signup, ...]:
        """Sign-ups with that preference, earliest first."""
        return tuple(s for s in self.signups if s.preference is preference)


class JoinOutcome(StrEnum):
    """What a join did."""

    JOINED = "joined"
    SWITCHED = "switched"


@dataclass(frozen=True, slots=True)
class JoinResult:
    """The lobby after a join, and what changed."""

    lobby: Lobby
    outcome: JoinOutcome
    previous: Preference | None


def _require_open(lobby: Lobby) -> None:
    if lobby.state is not DebateState.LOBBY:
        raise DebateClosed(lobby.debate_id, lobby.state.value)


def join(lobby: Lobby, user_id: int, preference: Preference, now: datetime) -> JoinResult:
    """Sign a member up, or switch their preference; the original time of joining is kept."""
    _require_open(lobby)
    current = lobby.signup_of(user_id)
    if current is not None:
        if current.preference is preference:
            raise AlreadyJoined(preference.value)
        switched = replace(current, preference=preference)
        signups = tuple(switched if s.user_id == user_id else s for s in lobby.signups)
        return JoinResult(replace(lobby, signups=signups), JoinOutcome.SWITCHED, current.preference)
    if len(lobby.signups) >= lobby.max_debaters:
        raise LobbyFull(lobby.max_debaters)
    signups = (*lobby.signups, Signup(user_id, preference, now))
    return JoinResult(replace(lobby, signups=signups), JoinOutcome.JOINED, None)


def leave(lobby: Lobby, user_id: int) -> tuple[Lobby, Signup]:
    """Withdraw a member's sign-up; returns the lobby after and the sign-up removed."""
    _require_open(lobby)
    current = lobby.signup_of(user_id)
    if current is None:
        raise NotJoined("not signed up")
    return replace(lobby, signups=tuple(s for s in lobby.signups if s.user_id != user_id)), current


@dataclass(frozen=True, slots=True)
class Debate:
    """A debate as the rules see it."""

    id: int
    guild_id: int
    channel_id: int
    creator_id: int
    motion: str
    format_key: str
    state: DebateState
    created_at: datetime
    lobby_message_id: int | None = None
    closed_at: datetime | None = None
    article_id: int | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, with what standing in the server."""

    user_id: int
    manages_server: bool = False
    role_ids: frozenset[int] = frozenset()


def may_moderate(debate: Debate, actor: Actor, moderator_role_id: int | None = None) -> bool:
    """Moderators of a debate: members who manage the server or hold the server's
    moderator role, and the debate's creator."""
    return (
        actor.manages_server
        or actor.user_id == debate.creator_id
        or (moderator_role_id is not None and moderator_role_id in actor.role_ids)
    )


def apply(debate: Debate, event: DebateEvent, now: datetime) -> Debate:
    """The debate after ``event``; a debate that ends gets its closing time."""
    state = next_state(debate.state, event)
    closed_at = debate.closed_at if state.is_active else now
    return replace(debate, state=state, closed_at=closed_at)
