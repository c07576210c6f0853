"""Use cases of a motion taken from an article: read it, propose motions, choose, cancel.

Reading an article is input from a member: fetching goes through the guarded fetcher, and
extraction and ranking (CPU work) run in a worker thread so the bot keeps answering.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.articles.extract import extract_bytes, extract_text
from bot.articles.fetch import fetch_article
from bot.db import repository as repo
from bot.db.database import Database
from bot.domain import drafts
from bot.domain.debate import Debate
from bot.domain.drafts import Draft, StoredArticle
from bot.domain.errors import DomainError, DraftNotFound, NoDebateHere
from bot.domain.thesis import Article, key_sentences, propose_motions

PICKER_CANDIDATES = 5


class NoArticle(DomainError):
    """The debate's motion did not come from an article."""

    def explain(self) -> str:
        """What the member is told."""
        return (
            "This debate's motion was written directly, not taken from an article, "
            "so there is no source to show."
        )


@dataclass(frozen=True, slots=True)
class Reading:
    """An article as read from what the moderator gave."""

    article: Article
    filename: str | None
    content_hash: str


@dataclass(frozen=True, slots=True)
class SourceView:
    """What participants are shown of a debate's article."""

    debate: Debate
    article: StoredArticle
    key_sentences: tuple[str, ...]


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ArticleService:
    """Articles and motion drafts over one database."""

    def __init__(
        self, db: Database, clock: Callable[[], datetime], *, allow_loopback: bool = False
    ) -> None:
        self._db = db
        self._clock = clock
        self._allow_loopback = allow_loopback

    async def read_url(self, url: str) -> Reading:
        """Fetch a web page (guarded) and keep its article's own text."""
        document = await fetch_article(url.strip(), allow_loopback=self._allow_loopback)
        article = await asyncio.to_thread(
            extract_bytes,
            document.data,
            filename=None,
            content_type=document.content_type,
            url=document.url,
        )
        return Reading(article, None, _hash(document.data))

    async def read_file(self, data: bytes, filename: str, content_type: str | None) -> Reading:
        """Read an uploaded .html, .txt, .md or .pdf file."""
        article = await asyncio.to_thread(
            extract_bytes, data, filename=filename, content_type=content_type
        )
        return Reading(article, filename, _hash(data))

    async def read_text(self, text: str) -> Reading:
        """Read pasted text (title on the first line)."""
        article = await asyncio.to_thread(extract_text, text)
        return Reading(article, None, _hash(text.encode()))

    async def propose(
        self,
        *,
        guild_id: int,
        channel_id: int,
        moderator_id: int,
        format_key: str,
        reading: Reading,
    ) -> tuple[Draft, StoredArticle]:
        """Rank candidate motions and keep them, with the article, for the moderator."""
        candidates = await asyncio.to_thread(propose_motions, reading.article, PICKER_CANDIDATES)
        async with self._db.write() as session:
            stored = await repo.add_article(
                session,
                guild_id=guild_id,
                article=reading.article,
                filename=reading.filename,
                content_hash=reading.content_hash,
                now=self._clock(),
            )
            draft = await repo.add_draft(
                session,
                guild_id=guild_id,
                channel_id=channel_id,
                moderator_id=moderator_id,
                article_id=stored.id,
                format_key=format_key,
                candidates=tuple(candidates),
                now=self._clock(),
            )
        return draft, stored

    async def draft(self, *, guild_id: int, draft_id: int) -> tuple[Draft, StoredArticle]:
        """A draft and its article."""
        async with self._db.read() as session:
            draft = await repo.get_draft(session, guild_id=guild_id, draft_id=draft_id)
            if draft is None:
                raise DraftNotFound(draft_id)
            article = await repo.get_article(session, article_id=draft.article_id)
        assert article is not None
        return draft, article

    async def choose(
        self, *, guild_id: int, draft_id: int, user_id: int, index: int
    ) -> tuple[Draft, StoredArticle]:
        """Make one candidate the chosen motion."""
        return await self._change(guild_id, draft_id, lambda d: drafts.choose(d, user_id, index))

    async def cancel(self, *, guild_id: int, draft_id: int, user_id: int) -> Draft:
        """Drop a draft without opening a debate."""
        draft, _ = await self._change(guild_id, draft_id, lambda d: drafts.cancel(d, user_id))
        return draft

    async def _change(
        self, guild_id: int, draft_id: int, rule: Callable[[Draft], Draft]
    ) -> tuple[Draft, StoredArticle]:
        async with self._db.write() as session:
            draft = await repo.get_draft(
                session, guild_id=guild_id, draft_id=draft_id, for_update=True
            )
            if draft is None:
                raise DraftNotFound(draft_id)
            changed = rule(draft)
            await repo.save_draft(session, draft=changed)
            article = await repo.get_article(session, article_id=draft.article_id)
        assert article is not None
        return changed, article

    async def source(self, *, channel_id: int) -> SourceView:
        """The article behind the channel's active debate, with its key sentences."""
        async with self._db.read() as session:
            debate = await repo.active_debate_in(session, channel_id=channel_id)
            if debate is None:
                raise NoDebateHere("no active debate in this channel")
            if debate.article_id is None:
                raise NoArticle("no article")
            article = await repo.get_article(session, article_id=debate.article_id)
        assert article is not None
        sentences = await asyncio.to_thread(key_sentences, article.article, 3)
        return SourceView(debate, article, tuple(sentences))
