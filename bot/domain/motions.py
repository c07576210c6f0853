"""The motion bank: motions members submit, moderators vet, and debate nights use.

Theory of operation
-------------------
``TRANSITIONS`` is the whole lifecycle of a motion; a move not in it raises
``IllegalMotionMove`` and changes nothing:

    PENDING  --approve--> APPROVED --debate--> DEBATED --debate--> DEBATED (after the cooldown)
    PENDING, APPROVED, DEBATED --reject--> REJECTED --approve--> APPROVED (a change of mind)

Cooldown: a motion rests for ``cooldown_days`` after it is debated. While it rests it is not
ranked, takes no upvotes and cannot be debated again (``MotionCoolingDown``). Debating a
motion clears its upvotes, so after the cooldown it climbs the bank again only if members
still want it.

Upvotes: once per member (``AlreadyUpvoted``), on pending, approved and rested debated
motions. An author cannot upvote their own motion (``OwnMotion``): submitting it already
says they want it, and counting that twice would reward submitting over agreeing.

Ranking (``rank``): approved motions, and debated ones whose cooldown has ended, by upvotes
(most first), then oldest submission first, then lowest id; the first is what a debate
night opens with.

Near-duplicates (``similar``): both texts are normalised (case, punctuation, the "This House
would" family of prefixes, a few filler words and plural "s" dropped) and compared with
rapidfuzz's ``token_set_ratio``. At ``SIMILAR_THRESHOLD`` (85) rewordings, reorderings,
spelling variants and a motion with a few words added are flagged, while motions that only
share a topic or a verb ("ban nuclear weapons" and "ban nuclear power" score 80) are not.
Synonyms ("compulsory" and "mandatory") are beyond string matching. A match is a warning
for the member, not a refusal.

Nothing here reads the clock or checks permissions: callers pass ``now`` and only offer
moderators the approve and reject moves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from rapidfuzz import fuzz

from bot.domain.debate import clean_motion
from bot.domain.errors import DomainError, IllegalTransition

SIMILAR_THRESHOLD = 85.0
"""Least ``token_set_ratio`` (0-100) of two normalised motions that flags a near-duplicate."""

DEFAULT_COOLDOWN_DAYS = 28
"""Days a debated motion rests before it can be ranked, upvoted or debated again."""

MAX_SIMILAR = 3
"""The most near-duplicates ``similar`` returns."""


class MotionState(StrEnum):
    """Where a motion is in the bank."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEBATED = "debated"


class MotionEvent(StrEnum):
    """What a moderator (or a debate night) does to a motion."""

    APPROVE = "approve"
    REJECT = "reject"
    DEBATE = "debate"


TRANSITIONS: dict[tuple[MotionState, MotionEvent], MotionState] = {
    (MotionState.PENDING, MotionEvent.APPROVE): MotionState.APPROVED,
    (MotionState.PENDING, MotionEvent.REJECT): MotionState.REJECTED,
    (MotionState.APPROVED, MotionEvent.REJECT): MotionState.REJECTED,
    (MotionState.APPROVED, MotionEvent.DEBATE): MotionState.DEBATED,
    (MotionState.DEBATED, MotionEvent.DEBATE): MotionState.DEBATED,
    (MotionState.DEBATED, MotionEvent.REJECT): MotionState.REJECTED,
    (MotionState.REJECTED, MotionEvent.APPROVE): MotionState.APPROVED,
}
"""Legal moves of a motion and the state they lead to; DEBATE again waits for the cooldown."""

_VERBS = {
    MotionEvent.APPROVE: "approve",
    MotionEvent.REJECT: "reject",
    MotionEvent.DEBATE: "debate",
}
_FIXES = {
    MotionState.PENDING: "A moderator has to approve it first.",
    MotionState.APPROVED: "It is already approved and waiting in the bank.",
    MotionState.REJECTED: "A moderator can approve it again if it deserves another look.",
    MotionState.DEBATED: "It has been debated; it returns to the bank after its cooldown.",
}


# ---------------------------------------------------------------------------------------------
# Errors: the message is the sentence a member sees.


class IllegalMotionMove(IllegalTransition):
    """The motion cannot make that move from its current state."""

    def __init__(self, motion_id: int, state: MotionState, event: MotionEvent) -> None:
        super().__init__(state.value, event.value)
        self.motion_id = motion_id
        self.motion_state = state
        self.motion_event = event
        self.args = (self.explain(),)

    def explain(self) -> str:
        """The sentence a member sees."""
        verb = _VERBS[self.motion_event]
        return (
            f"Motion #{self.motion_id} is {self.motion_state.value}, so you can't {verb} it. "
            f"{_FIXES[self.motion_state]}"
        )


class MotionError(DomainError):
    """A motion-bank rule refused an action; the message says why and what to do."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return str(self)


class MotionCoolingDown(MotionError):
    """The motion was debated recently and is resting."""

    def __init__(self, motion_id: int, until: datetime) -> None:
        super().__init__(
            f"Motion #{motion_id} was debated recently and rests until "
            f"{until:%d %b %Y}. Pick another motion, or try again after that date."
        )
        self.motion_id = motion_id
        self.until = until


class AlreadyUpvoted(MotionError):
    """The member has upvoted this motion already."""

    def __init__(self, motion_id: int) -> None:
        super().__init__(
            f"You have already upvoted motion #{motion_id}; each member's vote counts once."
        )
        self.motion_id = motion_id


class NotUpvoted(MotionError):
    """The member has no upvote on this motion to take back."""

    def __init__(self, motion_id: int) -> None:
        super().__init__(f"You haven't upvoted motion #{motion_id}, so there is nothing to undo.")
        self.motion_id = motion_id


class OwnMotion(MotionError):
    """Authors cannot upvote their own motions."""

    def __init__(self, motion_id: int) -> None:
        super().__init__(
            f"Motion #{motion_id} is yours, and submitting it already counts as wanting it. "
            "Upvote other members' motions instead."
        )
        self.motion_id = motion_id


class MotionNotVotable(MotionError):
    """The motion was rejected and takes no upvotes."""

    def __init__(self, motion_id: int) -> None:
        super().__init__(
            f"Motion #{motion_id} was rejected by a moderator, so it can't be upvoted. "
            "Upvote another motion from the bank."
        )
        self.motion_id = motion_id


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class Motion:
    """A motion in a server's bank and who upvoted it since it was last debated."""

    id: int
    guild_id: int
    author_id: int
    text: str
    submitted_at: datetime
    state: MotionState = MotionState.PENDING
    voters: frozenset[int] = field(default_factory=frozenset)
    debated_at: datetime | None = None
    times_debated: int = 0
    source_url: str | None = None

    @property
    def votes(self) -> int:
        """Upvotes counted since the motion was last debated."""
        return len(self.voters)


@dataclass(frozen=True, slots=True)
class Match:
    """A motion in the bank that a new one resembles, and how closely (0-100)."""

    motion_id: int
    text: str
    score: float

    def explain(self) -> str:
        """ "Similar to #12: “This House would ban homework”"."""
        return f"Similar to #{self.motion_id}: “{self.text}”"


def submit(
    *,
    id: int,
    guild_id: int,
    author_id: int,
    text: str,
    now: datetime,
    source_url: str | None = None,
) -> Motion:
    """A new pending motion; the text is cleaned and held to the motion length limit."""
    return Motion(id, guild_id, author_id, clean_motion(text), now, source_url=source_url)


# ---------------------------------------------------------------------------------------------
# Near-duplicates

_PREFIX = re.compile(
    r"^(?:this\s+house|th)\s*"
    r"(?:would|will|believes\s+that|believes|should|supports|opposes|regrets|prefers"
    r"|w|bt|b|s|r|p|o)\b\s*"
)
_NON_WORD = re.compile(r"[^\w\s]|_")
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "in",
        "on",
        "for",
        "and",
        "or",
        "be",
        "that",
        "it",
        "is",
        "are",
        "should",
        "would",
        "we",
        "all",
        "its",
        "their",
    ]
)


def _stem(word: str) -> str:
    """A crude singular: "schools" → "school", but "class" and "bus" stay."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(text: str) -> str:
    """The comparison key of a motion: lower case, no prefix, punctuation or filler words."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    words = " ".join(_NON_WORD.sub(" ", folded.replace("'", "")).split())
    words = _PREFIX.sub("", words)
    return " ".join(_stem(w) for w in words.split() if w not in _FILLER)


def similarity(a: str, b: str) -> float:
    """How alike two motions read, 0-100, after ``normalise``."""
    return float(fuzz.token_set_ratio(normalise(a), normalise(b)))


def similar(
    text: str,
    existing: Iterable[tuple[int, str]],
    threshold: float = SIMILAR_THRESHOLD,
    limit: int = MAX_SIMILAR,
) -> list[Match]:
    """Motions of ``existing`` (id, text) that ``text`` nearly repeats, closest first."""
    key = normalise(text)
    if not key:
        return []
    matches = []
    for motion_id, other in existing:
        score = float(fuzz.token_set_ratio(key, normalise(other)))
        if score >= threshold:
            matches.append(Match(motion_id, other, score))
    matches.sort(key=lambda m: (-m.score, m.motion_id))
    return matches[:limit]


# ---------------------------------------------------------------------------------------------
# Lifecycle, cooldown, votes, ranking


def cooldown_ends(debated_at: datetime, days: int = DEFAULT_COOLDOWN_DAYS) -> datetime:
    """When a motion debated at ``debated_at`` may be ranked, upvoted and debated again."""
    return debated_at + timedelta(days=days)


def cooling_until(motion: Motion, now: datetime, days: int) -> datetime | None:
    """The end of the motion's rest if it is resting at ``now``, else ``None``."""
    if motion.state is not MotionState.DEBATED or motion.debated_at is None:
        return None
    ends = cooldown_ends(motion.debated_at, days)
    return ends if now < ends else None


def apply(
    motion: Motion,
    event: MotionEvent,
    now: datetime,
    cooldown_days: int = DEFAULT_COOLDOWN_DAYS,
) -> Motion:
    """The motion after ``event``; a refused move raises and changes nothing."""
    target = TRANSITIONS.get((motion.state, event))
    if target is None:
        raise IllegalMotionMove(motion.id, motion.state, event)
    if event is MotionEvent.DEBATE:
        until = cooling_until(motion, now, cooldown_days)
        if until is not None:
            raise MotionCoolingDown(motion.id, until)
        return replace(
            motion,
            state=target,
            voters=frozenset(),
            debated_at=now,
            times_debated=motion.times_debated + 1,
        )
    return replace(motion, state=target)


def _check_votable(motion: Motion, now: datetime, cooldown_days: int) -> None:
    if motion.state is MotionState.REJECTED:
        raise MotionNotVotable(motion.id)
    until = cooling_until(motion, now, cooldown_days)
    if until is not None:
        raise MotionCoolingDown(motion.id, until)


def upvote(
    motion: Motion,
    member_id: int,
    now: datetime,
    cooldown_days: int = DEFAULT_COOLDOWN_DAYS,
) -> Motion:
    """The motion with one more upvote from ``member_id``; once per member, never the author."""
    if member_id == motion.author_id:
        raise OwnMotion(motion.id)
    _check_votable(motion, now, cooldown_days)
    if member_id in motion.voters:
        raise AlreadyUpvoted(motion.id)
    return replace(motion, voters=motion.voters | {member_id})


def withdraw_upvote(motion: Motion, member_id: int) -> Motion:
    """The motion without ``member_id``'s upvote."""
    if member_id not in motion.voters:
        raise NotUpvoted(motion.id)
    return replace(motion, voters=motion.voters - {member_id})


def is_available(motion: Motion, now: datetime, cooldown_days: int = DEFAULT_COOLDOWN_DAYS) -> bool:
    """Whether a debate night may open with the motion at ``now``."""
    if motion.state is MotionState.APPROVED:
        return True
    return motion.state is MotionState.DEBATED and cooling_until(motion, now, cooldown_days) is None


def rank(
    motions: Sequence[Motion], now: datetime, cooldown_days: int = DEFAULT_COOLDOWN_DAYS
) -> list[Motion]:
    """Available motions, most upvoted first, then oldest first, then lowest id."""
    available = [m for m in motions if is_available(m, now, cooldown_days)]
    return sorted(available, key=lambda m: (-m.votes, m.submitted_at, m.id))


def top(
    motions: Sequence[Motion], now: datetime, cooldown_days: int = DEFAULT_COOLDOWN_DAYS
) -> Motion | None:
    """The motion a debate night opens with, or ``None`` when the bank has none available."""
    ranked = rank(motions, now, cooldown_days)
    return ranked[0] if ranked else None
