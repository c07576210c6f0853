"""Use cases of the motion bank: submit, list, upvote, approve, reject, and the top motion.

Theory of operation
-------------------
The rules are ``bot.domain.motions``; this module loads, applies one of them, and saves.

Submitting stores the motion as pending whatever it resembles. Its near-duplicates (every
motion of the server that is not rejected, compared by ``motions.similar``) come back with
it as a warning: string matching flags rewordings but cannot tell a real copy from a
motion that narrows or twists another, so the member is told and a moderator rejects real
copies, rather than the bot refusing a motion that only looks alike. The comparison runs
before the write transaction, in a worker thread, so two near-copies submitted at the same
instant may miss each other; the warning is advice, not a guarantee. An article takes two
steps: ``propose`` ranks candidate motions from a ``Reading`` of ``ArticleService`` and
keeps them as a draft (marked ``BANK_DRAFT``, so it can never open a debate), and
``submit_draft`` stores the chosen or edited candidate and closes the draft, in one
transaction.

Upvotes are the hot path: each click is one unit of the shared group-commit
``BatchWriter``. A unit loads the motion with its upvoters once per batch (its row locked
until the commit) into ``Batch.cache``, and every unit that changes a motion (an upvote,
a review, ``mark_debated`` given the batch) puts the new motion back there, so later
clicks of the batch see it. A click toggles: it upvotes, and a member who has already
upvoted takes the upvote back. Either way a member counts once, by the domain's rule and by
the unique ``(motion_id, user_id)`` pair.

Approving and rejecting are for moderators: members with Manage Server or the server's
moderator role. A debate night marks its motion debated with ``mark_debated`` inside its
own transaction; that clears the upvotes and starts the cooldown.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import repository as repo
from bot.db.database import Database
from bot.db.writer import Batch, BatchWriter
from bot.domain import drafts
from bot.domain import motions as bank
from bot.domain.debate import Actor
from bot.domain.drafts import Draft, StoredArticle
from bot.domain.errors import NotServerModerator
from bot.domain.motions import (
    DEFAULT_COOLDOWN_DAYS,
    Match,
    Motion,
    MotionError,
    MotionEvent,
)
from bot.services.articles import ArticleService, Reading

PAGE_SIZE = 5
"""Motions on one page of ``/motion list``: one row of upvote buttons."""

BANK_DRAFT = "@bank"
"""The ``format_key`` of a draft whose motion goes to the bank (no format has this key)."""

Now = Callable[[], datetime]


class MotionNotFound(MotionError):
    """No motion has that id in this server."""

    def __init__(self, motion_id: int) -> None:
        super().__init__(
            f"There is no motion #{motion_id} in this server's bank. "
            "See the motions and their numbers with `/motion list`."
        )
        self.motion_id = motion_id


class BankDraftNotFound(MotionError):
    """The list of candidate motions is gone, or was not made for the bank."""

    def __init__(self, draft_id: int) -> None:
        super().__init__(
            "That list of motions no longer exists. Start again with `/motion submit`."
        )
        self.draft_id = draft_id


class NoSuchPage(MotionError):
    """The bank has fewer pages than asked for."""

    def __init__(self, page: int, pages: int) -> None:
        super().__init__(
            f"The bank has {pages} page{'s' if pages != 1 else ''}, so there is no page "
            f"{page}. Ask for a page from 1 to {pages}."
        )
        self.page = page
        self.pages = pages


class NotBankModerator(NotServerModerator):
    """Only moderators review motions."""

    def explain(self) -> str:
        """The sentence a member sees."""
        return (
            "Only moderators can approve or reject motions: members with the Manage Server "
            "permission or the server's moderator role (`/settings moderator-role`)."
        )


class Submitted(NamedTuple):
    """A stored motion and the motions of the bank it nearly repeats (closest first)."""

    motion: Motion
    similar: list[Match]


@dataclass(frozen=True, slots=True)
class Upvoted:
    """A motion after a click on its upvote button, and whether the click added or took back."""

    motion: Motion
    added: bool


@dataclass(frozen=True, slots=True)
class Listed:
    """A motion on a page of the bank, and the end of its rest if it is resting."""

    motion: Motion
    resting_until: datetime | None


@dataclass(frozen=True, slots=True)
class BankPage:
    """One page of a server's bank, in the bank's order (rejected motions left out)."""

    entries: tuple[Listed, ...]
    page: int
    pages: int
    total: int


def _cache_key(motion_id: int) -> tuple[str, int]:
    return ("motion", motion_id)


def may_review(actor: Actor, moderator_role_id: int | None) -> bool:
    """Who approves and rejects motions: members who manage the server or hold its
    moderator role."""
    return actor.manages_server or (
        moderator_role_id is not None and moderator_role_id in actor.role_ids
    )


async def mark_debated(
    session_or_batch: AsyncSession | Batch,
    motion_id: int,
    now: datetime,
    *,
    cooldown_days: int = DEFAULT_COOLDOWN_DAYS,
) -> Motion:
    """Mark a motion debated at ``now`` in the caller's transaction: its upvotes are cleared
    and its cooldown starts. ``MotionNotFound``, ``IllegalMotionMove`` (not approved) or
    ``MotionCoolingDown`` change nothing."""
    batch = session_or_batch if isinstance(session_or_batch, Batch) else None
    session = batch.session if batch is not None else session_or_batch
    assert isinstance(session, AsyncSession)
    if batch is not None:
        await batch.flush()  # upvotes queued earlier in the batch are cleared too
    motion = await repo.get_motion(session, motion_id=motion_id, for_update=True)
    if motion is None:
        raise MotionNotFound(motion_id)
    debated = bank.apply(motion, MotionEvent.DEBATE, now, cooldown_days)
    await repo.save_motion(session, motion=debated)
    await repo.clear_motion_votes(session, motion_id=motion_id)
    if batch is not None:
        batch.cache[_cache_key(motion_id)] = debated
    return debated


class MotionService:
    """A server's motion bank over one database."""

    def __init__(
        self,
        db: Database,
        writer: BatchWriter,
        articles: ArticleService,
        now: Now,
        *,
        cooldown_days: int = DEFAULT_COOLDOWN_DAYS,
    ) -> None:
        self._db = db
        self._writer = writer
        self._articles = articles
        self._now = now
        self.cooldown_days = cooldown_days

    # -- submitting ---------------------------------------------------------------------------

    async def submit(
        self, *, guild_id: int, author_id: int, text: str, source_url: str | None = None
    ) -> Submitted:
        """Store a member's motion as pending, with the motions it nearly repeats."""
        checked = bank.submit(
            id=0, guild_id=guild_id, author_id=author_id, text=text, now=self._now()
        )
        similar = await self._similar(guild_id, checked.text)
        async with self._db.write() as session:
            stored = await repo.add_motion(session, motion=checked, article_id=None)
        return Submitted(stored, similar)

    async def propose(
        self, *, guild_id: int, channel_id: int, author_id: int, reading: Reading
    ) -> tuple[Draft, StoredArticle]:
        """Rank candidate motions from an article and keep them for the member to choose."""
        return await self._articles.propose(
            guild_id=guild_id,
            channel_id=channel_id,
            moderator_id=author_id,
            format_key=BANK_DRAFT,
            reading=reading,
        )

    async def submit_draft(
        self, *, guild_id: int, draft_id: int, author_id: int, text: str | None = None
    ) -> Submitted:
        """Store the draft's chosen motion (or ``text``, its edited form) and close the draft."""
        async with self._db.read() as session:
            draft = await repo.get_draft(session, guild_id=guild_id, draft_id=draft_id)
        similar = [] if draft is None else await self._similar(guild_id, text or draft.motion)
        async with self._db.write() as session:
            draft = await repo.get_draft(
                session, guild_id=guild_id, draft_id=draft_id, for_update=True
            )
            if draft is None or draft.format_key != BANK_DRAFT:
                raise BankDraftNotFound(draft_id)
            used, motion_text = drafts.use(draft, author_id, text)
            article = await repo.get_article(session, article_id=draft.article_id)
            source_url = (article.article.url or None) if article is not None else None
            checked = bank.submit(
                id=0,
                guild_id=guild_id,
                author_id=author_id,
                text=motion_text,
                now=self._now(),
                source_url=source_url,
            )
            await repo.save_draft(session, draft=used)
            stored = await repo.add_motion(session, motion=checked, article_id=draft.article_id)
        return Submitted(stored, similar)

    async def _similar(self, guild_id: int, text: str) -> list[Match]:
        """The server's motions that ``text`` nearly repeats: compared outside the write
        transaction, in a worker thread (a few ms per thousand motions)."""
        async with self._db.read() as session:
            existing = await repo.motion_texts(session, guild_id=guild_id)
        return await asyncio.to_thread(bank.similar, text, existing)

    # -- upvotes: the hot path ----------------------------------------------------------------

    async def upvote(self, *, guild_id: int, motion_id: int, user_id: int) -> Upvoted:
        """Upvote a motion, or take the member's upvote back; returns once it is durable."""

        async def unit(batch: Batch) -> Upvoted:
            motion = await self._cached(batch, guild_id, motion_id)
            if user_id in motion.voters:
                changed = bank.withdraw_upvote(motion, user_id)
                repo.delete_motion_vote(batch, motion_id=motion_id, user_id=user_id)
            else:
                now = self._now()
                changed = bank.upvote(motion, user_id, now, self.cooldown_days)
                repo.add_motion_vote(batch, motion_id=motion_id, user_id=user_id, now=now)
            batch.cache[_cache_key(motion_id)] = changed
            return Upvoted(changed, added=user_id in changed.voters)

        return await self._writer.run(unit)

    async def _cached(self, batch: Batch, guild_id: int, motion_id: int) -> Motion:
        """The motion as this batch has it: loaded (and locked) once, then as changed."""
        key = _cache_key(motion_id)
        motion: Motion | None = batch.cache.get(key)
        if motion is None:
            motion = await repo.get_motion(batch.session, motion_id=motion_id, for_update=True)
            if motion is None:
                raise MotionNotFound(motion_id)
            batch.cache[key] = motion
        if motion.guild_id != guild_id:
            raise MotionNotFound(motion_id)
        return motion

    # -- moderators ---------------------------------------------------------------------------

    async def approve(self, *, guild_id: int, motion_id: int, actor: Actor) -> Motion:
        """Approve a motion into the bank (moderators)."""
        return await self._review(guild_id, motion_id, actor, MotionEvent.APPROVE, None)

    async def reject(
        self, *, guild_id: int, motion_id: int, actor: Actor, reason: str | None = None
    ) -> Motion:
        """Reject a motion, keeping the moderator's reason (moderators)."""
        return await self._review(guild_id, motion_id, actor, MotionEvent.REJECT, reason)

    async def _review(
        self, guild_id: int, motion_id: int, actor: Actor, event: MotionEvent, reason: str | None
    ) -> Motion:
        async def unit(batch: Batch) -> Motion:
            settings = await repo.guild_settings(batch.session, guild_id=guild_id)
            if not may_review(actor, settings.moderator_role_id):
                raise NotBankModerator(f"{event.value} motions")
            motion = await self._cached(batch, guild_id, motion_id)
            now = self._now()
            changed = bank.apply(motion, event, now, self.cooldown_days)
            await repo.save_motion(
                batch.session,
                motion=changed,
                reviewed_by=actor.user_id,
                reviewed_at=now,
                reason=reason,
            )
            batch.cache[_cache_key(motion_id)] = changed
            return changed

        return await self._writer.run(unit)

    async def mark_debated(
        self, session_or_batch: AsyncSession | Batch, motion_id: int, now: datetime
    ) -> Motion:
        """``mark_debated`` with this bank's cooldown, in the caller's transaction."""
        return await mark_debated(
            session_or_batch, motion_id, now, cooldown_days=self.cooldown_days
        )

    # -- reading ------------------------------------------------------------------------------

    async def get(self, *, guild_id: int, motion_id: int) -> Motion:
        """A motion of this server with its upvoters."""
        async with self._db.read() as session:
            motion = await repo.get_motion(session, motion_id=motion_id, guild_id=guild_id)
        if motion is None:
            raise MotionNotFound(motion_id)
        return motion

    async def top(self, *, guild_id: int, now: datetime | None = None) -> Motion | None:
        """The motion a debate night opens with at ``now``, or None when none is available."""
        moment = now or self._now()
        async with self._db.read() as session:
            first = await repo.bank_page(
                session,
                guild_id=guild_id,
                rested_before=self._rested_before(moment),
                offset=0,
                limit=1,
                available_only=True,
            )
        return first[0] if first else None

    async def list(self, *, guild_id: int, now: datetime | None = None, page: int = 1) -> BankPage:
        """One page of the bank: available motions first, most upvoted first (as ``top``
        picks), then pending ones, then resting ones."""
        moment = now or self._now()
        async with self._db.read() as session:
            total = await repo.bank_size(session, guild_id=guild_id)
            pages = max(1, math.ceil(total / PAGE_SIZE))
            if not 1 <= page <= pages:
                raise NoSuchPage(page, pages)
            motions = await repo.bank_page(
                session,
                guild_id=guild_id,
                rested_before=self._rested_before(moment),
                offset=(page - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        entries = tuple(
            Listed(m, bank.cooling_until(m, moment, self.cooldown_days)) for m in motions
        )
        return BankPage(entries, page, pages, total)

    def _rested_before(self, now: datetime) -> datetime:
        """Motions debated at or before this moment have finished their cooldown at ``now``."""
        return now - timedelta(days=self.cooldown_days)
