"""Articles and motion drafts on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.db.database import Database
from bot.db.models import ArticleRow, DebateRow
from bot.db.writer import BatchWriter
from bot.domain.debate import Actor
from bot.domain.drafts import DraftClosed, DraftState
from bot.domain.errors import DebateAlreadyActive, NoDebateHere, NotModerator
from bot.formats import builtin_formats
from bot.services.articles import ArticleService, NoArticle
from bot.services.debates import DebateService
from bot.services.formats import FormatCatalog
from tests.conftest import FakeClock

ARTICLE = """Schools should start later
Teenagers learn better when they are allowed to sleep

Adolescent body clocks shift later in the evening, so early starts leave pupils tired.

Schools should start no earlier than half past nine, because sleep-deprived pupils learn less \
and are more often ill.

Districts that moved their start times saw attendance and grades rise within a year.

Buses and parents' working hours can be adapted; children's health cannot wait.
"""
GUILD, CHANNEL, MODERATOR = 1, 2, 3


@pytest.fixture
def articles(database: Database, clock: FakeClock) -> ArticleService:
    return ArticleService(database, clock)


@pytest.fixture
def debates(database: Database, clock: FakeClock) -> DebateService:
    return DebateService(
        database, BatchWriter(database), FormatCatalog(database, builtin_formats(), clock), clock
    )


async def propose(articles: ArticleService) -> int:
    reading = await articles.read_text(ARTICLE)
    draft, stored = await articles.propose(
        guild_id=GUILD,
        channel_id=CHANNEL,
        moderator_id=MODERATOR,
        format_key="quick",
        reading=reading,
    )
    assert stored.article.title == "Schools should start later"
    assert 1 <= len(draft.candidates) <= 5
    return draft.id


async def count(database: Database, model: type[ArticleRow] | type[DebateRow]) -> int:
    async with database.read() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_a_draft_opens_one_debate_with_its_article(
    database: Database, articles: ArticleService, debates: DebateService
) -> None:
    draft_id = await propose(articles)
    draft, _ = await articles.choose(guild_id=GUILD, draft_id=draft_id, user_id=MODERATOR, index=0)
    snapshot = await debates.open_from_draft(guild_id=GUILD, draft_id=draft_id, user_id=MODERATOR)
    assert snapshot.debate.motion == draft.motion
    assert snapshot.format.key == "quick"
    with pytest.raises(DraftClosed):
        await debates.open_from_draft(guild_id=GUILD, draft_id=draft_id, user_id=MODERATOR)
    source = await articles.source(channel_id=CHANNEL)
    assert source.article.article.title == "Schools should start later"
    assert len(source.key_sentences) == 3
    assert await count(database, DebateRow) == 1


async def test_a_busy_channel_leaves_the_draft_open(
    articles: ArticleService, debates: DebateService
) -> None:
    draft_id = await propose(articles)
    await debates.create(
        guild_id=GUILD, channel_id=CHANNEL, creator_id=9, motion="Other", format_key="quick"
    )
    with pytest.raises(DebateAlreadyActive):
        await debates.open_from_draft(guild_id=GUILD, draft_id=draft_id, user_id=MODERATOR)
    draft, _ = await articles.draft(guild_id=GUILD, draft_id=draft_id)
    assert draft.state is DraftState.OPEN
    await debates.cancel(channel_id=CHANNEL, actor=Actor(9))
    opened = await debates.open_from_draft(guild_id=GUILD, draft_id=draft_id, user_id=MODERATOR)
    assert opened.debate.article_id is not None


async def test_others_cannot_use_or_cancel_a_draft(
    articles: ArticleService, debates: DebateService
) -> None:
    draft_id = await propose(articles)
    with pytest.raises(NotModerator):
        await debates.open_from_draft(guild_id=GUILD, draft_id=draft_id, user_id=MODERATOR + 1)
    with pytest.raises(NotModerator):
        await articles.cancel(guild_id=GUILD, draft_id=draft_id, user_id=MODERATOR + 1)
    cancelled = await articles.cancel(guild_id=GUILD, draft_id=draft_id, user_id=MODERATOR)
    assert cancelled.state is DraftState.CANCELLED


async def test_source_needs_an_article(articles: ArticleService, debates: DebateService) -> None:
    with pytest.raises(NoDebateHere):
        await articles.source(channel_id=CHANNEL)
    await debates.create(
        guild_id=GUILD, channel_id=CHANNEL, creator_id=9, motion="Typed in", format_key="quick"
    )
    with pytest.raises(NoArticle):
        await articles.source(channel_id=CHANNEL)
