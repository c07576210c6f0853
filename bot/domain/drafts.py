"""A motion draft: candidate motions from an article, waiting for the moderator's choice.

    OPEN --choose--> OPEN --use--> USED
      \\--cancel--> CANCELLED

Only the moderator who asked for the draft may act on it, and only while it is open.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.debate import clean_motion
from bot.domain.errors import DomainError, NotModerator
from bot.domain.thesis import Article, Candidate


class DraftState(StrEnum):
    """Where a draft is in its short life."""

    OPEN = "open"
    USED = "used"
    CANCELLED = "cancelled"


class DraftClosed(DomainError):
    """The draft was already used or cancelled."""

    def __init__(self, draft_id: int, state: str) -> None:
        super().__init__(f"draft {draft_id} is {state}")
        self.draft_id = draft_id
        self.state = state


class NoSuchCandidate(DomainError):
    """The chosen candidate is not in the draft."""

    def __init__(self, index: int, count: int) -> None:
        super().__init__(f"candidate {index} of {count}")
        self.index = index
        self.count = count


@dataclass(frozen=True, slots=True)
class Draft:
    """Candidate motions for one article, and which one is chosen."""

    id: int
    guild_id: int
    channel_id: int
    moderator_id: int
    article_id: int
    format_key: str
    candidates: tuple[Candidate, ...]
    chosen: int = 0
    state: DraftState = DraftState.OPEN
    debate_id: int | None = None

    @property
    def motion(self) -> str:
        """The motion currently chosen."""
        return self.candidates[self.chosen].motion


def require_open(draft: Draft, user_id: int) -> None:
    """Refuse anyone but the draft's moderator, and any draft that is no longer open."""
    if draft.state is not DraftState.OPEN:
        raise DraftClosed(draft.id, draft.state.value)
    if user_id != draft.moderator_id:
        raise NotModerator("only the moderator who brought the article")


def choose(draft: Draft, user_id: int, index: int) -> Draft:
    """Make candidate ``index`` the chosen one."""
    require_open(draft, user_id)
    if not 0 <= index < len(draft.candidates):
        raise NoSuchCandidate(index, len(draft.candidates))
    return replace(draft, chosen=index)


def use(draft: Draft, user_id: int, motion: str | None = None) -> tuple[Draft, str]:
    """Close the draft for a debate; returns it and the motion, edited or as chosen."""
    require_open(draft, user_id)
    text = clean_motion(draft.motion if motion is None else motion)
    return replace(draft, state=DraftState.USED), text


def cancel(draft: Draft, user_id: int) -> Draft:
    """Drop the draft without a debate."""
    require_open(draft, user_id)
    return replace(draft, state=DraftState.CANCELLED)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as kept with a debate: its text, where it came from, and a hash of it."""

    id: int
    article: Article
    filename: str | None
    content_hash: str

    @property
    def origin(self) -> str:
        """The link, or the file's name, or that it was pasted."""
        return self.article.url or self.filename or "pasted text"
