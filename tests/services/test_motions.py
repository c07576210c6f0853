"""The motion bank on a real database (SQLite, and PostgreSQL when configured).

Upvotes are units of the shared group-commit writer, so bursts of clicks are fired at once
and the tests check what the database holds afterwards, not just what was returned.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.db.database import Database
from bot.db.models import MotionRow, MotionVoteRow
from bot.db.writer import Batch, BatchWriter
from bot.domain import motions as bank
from bot.domain.debate import Actor
from bot.domain.drafts import DraftState
from bot.domain.errors import EmptyMotion, MotionTooLong
from bot.domain.motions import (
    DEFAULT_COOLDOWN_DAYS,
    IllegalMotionMove,
    Motion,
    MotionCoolingDown,
    MotionNotVotable,
    MotionState,
    OwnMotion,
)
from bot.services.articles import ArticleService
from bot.services.guilds import GuildService
from bot.services.motions import (
    PAGE_SIZE,
    BankDraftNotFound,
    MotionNotFound,
    MotionService,
    NoSuchPage,
    NotBankModerator,
    mark_debated,
)
from tests.conftest import FakeClock

GUILD, OTHER_GUILD = 1_000, 1_001
AUTHOR, MOD_ROLE = 10, 4_000
MEMBER = 100
"""The first member who upvotes; member n is ``MEMBER + n``."""
ADMIN = Actor(1, manages_server=True)
MODERATOR = Actor(2, role_ids=frozenset({MOD_ROLE}))
NOBODY = Actor(3, role_ids=frozenset({5_000}))
DAY = 24 * 3600

ARTICLE = """Cities should put pedestrians first

Cities should close their historic centres to private cars and give the space back to people \
on foot and on bicycles. The evidence from Pontevedra, Oslo and Ghent is clear: traffic deaths \
fall, air quality improves and shops see more customers, not fewer.

Therefore, every city of more than a hundred thousand people should set a date to make its \
centre car-free.
"""


class Bank:
    """The motion bank and what it needs, over one database."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.db = database
        self.clock = clock
        self.writer = BatchWriter(database)
        self.articles = ArticleService(database, clock)
        self.motions = MotionService(database, self.writer, self.articles, clock)
        self.guilds = GuildService(database)

    async def approved(self, text: str, *, author: int = AUTHOR, guild: int = GUILD) -> Motion:
        submitted = await self.motions.submit(guild_id=guild, author_id=author, text=text)
        return await self.motions.approve(
            guild_id=guild, motion_id=submitted.motion.id, actor=ADMIN
        )

    async def upvotes(self, motion_id: int, *members: int) -> None:
        await asyncio.gather(
            *(self.motions.upvote(guild_id=GUILD, motion_id=motion_id, user_id=m) for m in members)
        )

    async def stored_voters(self, motion_id: int) -> list[int]:
        async with self.db.read() as session:
            rows = await session.exec(
                select(MotionVoteRow.user_id).where(MotionVoteRow.motion_id == motion_id)
            )
            return sorted(rows.all())

    async def row(self, motion_id: int) -> MotionRow:
        async with self.db.read() as session:
            return (await session.exec(select(MotionRow).where(MotionRow.id == motion_id))).one()

    async def mark_debated(self, motion_id: int) -> Motion:
        async with self.db.write() as session:
            return await self.motions.mark_debated(session, motion_id, self.clock.now)


@pytest.fixture
def club(database: Database, clock: FakeClock) -> Bank:
    return Bank(database, clock)


# --- submitting -------------------------------------------------------------------------------


async def test_a_motion_is_stored_pending_and_cleaned(club: Bank) -> None:
    submitted = await club.motions.submit(
        guild_id=GUILD, author_id=AUTHOR, text="  This House would   ban homework "
    )
    motion, similar = submitted
    assert similar == []
    assert (motion.text, motion.state, motion.votes) == (
        "This House would ban homework",
        MotionState.PENDING,
        0,
    )
    row = await club.row(motion.id)
    assert (row.guild_id, row.author_id, row.state, row.article_id) == (
        GUILD,
        AUTHOR,
        "pending",
        None,
    )
    assert await club.motions.get(guild_id=GUILD, motion_id=motion.id) == motion


@pytest.mark.parametrize(("text", "error"), [("   ", EmptyMotion), ("x" * 301, MotionTooLong)])
async def test_empty_and_long_motions_store_nothing(
    club: Bank, text: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await club.motions.submit(guild_id=GUILD, author_id=AUTHOR, text=text)
    assert (await club.motions.list(guild_id=GUILD)).total == 0


async def test_duplicates_are_flagged_and_still_stored(club: Bank) -> None:
    first = await club.approved("This House would ban homework")
    await club.approved("This House would tax sugar")
    rejected = await club.motions.submit(
        guild_id=GUILD, author_id=AUTHOR, text="This House would ban all homework"
    )
    await club.motions.reject(guild_id=GUILD, motion_id=rejected.motion.id, actor=ADMIN)
    await club.approved("This House would ban homework", guild=OTHER_GUILD)

    copy, similar = await club.motions.submit(
        guild_id=GUILD, author_id=AUTHOR + 1, text="THW ban homework."
    )
    assert [m.motion_id for m in similar] == [first.id]  # not the rejected one, nor elsewhere
    assert similar[0].explain() == "Similar to #1: “This House would ban homework”"
    assert copy.state is MotionState.PENDING
    assert (await club.row(copy.id)).text == "THW ban homework."

    _, unrelated = await club.motions.submit(
        guild_id=GUILD, author_id=AUTHOR, text="This House would ban school uniforms"
    )
    assert unrelated == []


async def test_a_motion_picked_from_an_article(club: Bank) -> None:
    reading = await club.articles.read_text(ARTICLE)
    draft, stored = await club.motions.propose(
        guild_id=GUILD, channel_id=5, author_id=AUTHOR, reading=reading
    )
    assert len(draft.candidates) >= 2
    with pytest.raises(BankDraftNotFound):
        await club.motions.submit_draft(guild_id=OTHER_GUILD, draft_id=draft.id, author_id=AUTHOR)

    await club.articles.choose(guild_id=GUILD, draft_id=draft.id, user_id=AUTHOR, index=1)
    motion, _ = await club.motions.submit_draft(guild_id=GUILD, draft_id=draft.id, author_id=AUTHOR)
    assert motion.text == draft.candidates[1].motion
    assert (await club.row(motion.id)).article_id == stored.id
    used, _ = await club.articles.draft(guild_id=GUILD, draft_id=draft.id)
    assert used.state is DraftState.USED

    edited = await club.motions.propose(
        guild_id=GUILD, channel_id=5, author_id=AUTHOR, reading=reading
    )
    again, similar = await club.motions.submit_draft(
        guild_id=GUILD, draft_id=edited[0].id, author_id=AUTHOR, text="THW pedestrianise Oslo"
    )
    assert again.text == "THW pedestrianise Oslo"
    assert similar == []


async def test_a_debate_draft_never_becomes_a_bank_motion(club: Bank) -> None:
    reading = await club.articles.read_text(ARTICLE)
    draft, _ = await club.articles.propose(
        guild_id=GUILD, channel_id=5, moderator_id=AUTHOR, format_key="oxford", reading=reading
    )
    with pytest.raises(BankDraftNotFound):
        await club.motions.submit_draft(guild_id=GUILD, draft_id=draft.id, author_id=AUTHOR)
    assert (await club.motions.list(guild_id=GUILD)).total == 0


# --- upvotes ----------------------------------------------------------------------------------


async def test_votes_are_counted_once_per_member(club: Bank) -> None:
    motion = await club.approved("This House would ban homework")
    members = [MEMBER + n for n in range(60)]
    await club.upvotes(motion.id, *members)
    assert await club.stored_voters(motion.id) == members
    assert (await club.motions.get(guild_id=GUILD, motion_id=motion.id)).votes == 60

    # A second click takes the upvote back, a third gives it again: never two.
    again = await club.motions.upvote(guild_id=GUILD, motion_id=motion.id, user_id=MEMBER)
    assert (again.added, again.motion.votes) == (False, 59)
    back = await club.motions.upvote(guild_id=GUILD, motion_id=motion.id, user_id=MEMBER)
    assert (back.added, back.motion.votes) == (True, 60)
    newcomer = MEMBER + 60
    await club.upvotes(motion.id, newcomer, newcomer, newcomer)  # one batch: on, off, on
    assert await club.stored_voters(motion.id) == [*members, newcomer]


async def test_refused_upvotes_store_nothing(club: Bank) -> None:
    motion = await club.approved("This House would ban homework")
    with pytest.raises(OwnMotion):
        await club.motions.upvote(guild_id=GUILD, motion_id=motion.id, user_id=AUTHOR)
    with pytest.raises(MotionNotFound):
        await club.motions.upvote(guild_id=OTHER_GUILD, motion_id=motion.id, user_id=MEMBER)
    with pytest.raises(MotionNotFound):
        await club.motions.upvote(guild_id=GUILD, motion_id=999, user_id=MEMBER)
    await club.motions.reject(guild_id=GUILD, motion_id=motion.id, actor=ADMIN)
    with pytest.raises(MotionNotVotable):
        await club.motions.upvote(guild_id=GUILD, motion_id=motion.id, user_id=MEMBER)
    assert await club.stored_voters(motion.id) == []


async def test_pending_motions_take_upvotes(club: Bank) -> None:
    motion, _ = await club.motions.submit(guild_id=GUILD, author_id=AUTHOR, text="THW tax sugar")
    await club.upvotes(motion.id, MEMBER, MEMBER + 1)
    assert (await club.motions.get(guild_id=GUILD, motion_id=motion.id)).votes == 2


# --- moderators -------------------------------------------------------------------------------


async def test_only_moderators_approve_and_reject(club: Bank) -> None:
    motion, _ = await club.motions.submit(guild_id=GUILD, author_id=AUTHOR, text="THW tax sugar")
    with pytest.raises(NotBankModerator) as refused:
        await club.motions.approve(guild_id=GUILD, motion_id=motion.id, actor=NOBODY)
    assert "moderator role" in refused.value.explain()
    with pytest.raises(NotBankModerator):  # the role counts only once the server names it
        await club.motions.approve(guild_id=GUILD, motion_id=motion.id, actor=MODERATOR)
    with pytest.raises(NotBankModerator):  # nor may authors approve their own
        await club.motions.approve(guild_id=GUILD, motion_id=motion.id, actor=Actor(AUTHOR))
    assert (await club.row(motion.id)).state == "pending"

    await club.guilds.set_moderator_role(GUILD, MOD_ROLE)
    approved = await club.motions.approve(guild_id=GUILD, motion_id=motion.id, actor=MODERATOR)
    assert approved.state is MotionState.APPROVED
    with pytest.raises(IllegalMotionMove) as twice:
        await club.motions.approve(guild_id=GUILD, motion_id=motion.id, actor=MODERATOR)
    assert twice.value.explain().startswith(f"Motion #{motion.id} is approved")

    rejected = await club.motions.reject(
        guild_id=GUILD, motion_id=motion.id, actor=ADMIN, reason="Too close to #3"
    )
    assert rejected.state is MotionState.REJECTED
    row = await club.row(motion.id)
    assert (row.state, row.reviewed_by, row.reason, row.reviewed_at is not None) == (
        "rejected",
        ADMIN.user_id,
        "Too close to #3",
        True,
    )
    with pytest.raises(MotionNotFound):
        await club.motions.reject(guild_id=OTHER_GUILD, motion_id=motion.id, actor=ADMIN)


# --- the cooldown -----------------------------------------------------------------------------


async def test_cooldown_is_enforced(club: Bank) -> None:
    motion = await club.approved("This House would ban homework")
    await club.upvotes(motion.id, MEMBER, MEMBER + 1)
    assert await club.motions.top(guild_id=GUILD) == await club.motions.get(
        guild_id=GUILD, motion_id=motion.id
    )

    debated = await club.mark_debated(motion.id)
    assert (debated.state, debated.votes, debated.times_debated) == (MotionState.DEBATED, 0, 1)
    assert await club.stored_voters(motion.id) == []
    assert await club.motions.top(guild_id=GUILD) is None

    club.clock.advance((DEFAULT_COOLDOWN_DAYS - 1) * DAY)
    with pytest.raises(MotionCoolingDown):
        await club.motions.upvote(guild_id=GUILD, motion_id=motion.id, user_id=MEMBER)
    with pytest.raises(MotionCoolingDown):
        await club.mark_debated(motion.id)
    row = await club.row(motion.id)
    assert (row.times_debated, await club.stored_voters(motion.id)) == (1, [])
    listed = (await club.motions.list(guild_id=GUILD)).entries
    assert listed[0].resting_until == debated.debated_at + timedelta(days=DEFAULT_COOLDOWN_DAYS)

    club.clock.advance(DAY)
    assert (await club.motions.top(guild_id=GUILD)) == debated
    upvoted = await club.motions.upvote(guild_id=GUILD, motion_id=motion.id, user_id=MEMBER)
    assert upvoted.motion.votes == 1
    assert (await club.motions.list(guild_id=GUILD)).entries[0].resting_until is None
    again = await club.mark_debated(motion.id)
    assert (again.times_debated, again.votes) == (2, 0)


async def test_a_pending_motion_cannot_be_debated(club: Bank) -> None:
    motion, _ = await club.motions.submit(guild_id=GUILD, author_id=AUTHOR, text="THW tax sugar")
    with pytest.raises(IllegalMotionMove):
        await club.mark_debated(motion.id)
    with pytest.raises(MotionNotFound):
        await club.mark_debated(999)
    assert (await club.row(motion.id)).state == "pending"


async def test_mark_debated_in_a_batch_clears_the_upvotes_queued_before_it(club: Bank) -> None:
    motion = await club.approved("This House would ban homework")

    async def debate(batch: Batch) -> Motion:
        return await mark_debated(batch, motion.id, club.clock.now)

    results = await asyncio.gather(
        club.motions.upvote(guild_id=GUILD, motion_id=motion.id, user_id=MEMBER),
        club.writer.run(debate),
        club.motions.upvote(guild_id=GUILD, motion_id=motion.id, user_id=MEMBER + 1),
        return_exceptions=True,
    )
    assert isinstance(results[2], MotionCoolingDown)  # the batch saw the debate
    assert await club.stored_voters(motion.id) == []
    assert (await club.row(motion.id)).state == "debated"


# --- the list and the top ---------------------------------------------------------------------


async def test_the_list_is_the_domain_ranking_then_pending_then_resting(club: Bank) -> None:
    texts = [f"This House would fund project number {n}" for n in range(8)]
    ids = []
    for n, text in enumerate(texts):
        ids.append((await club.approved(text)).id)
        club.clock.advance(60 + n)
    votes = [3, 0, 5, 3, 1, 0, 2, 0]
    for motion_id, count in zip(ids, votes, strict=True):
        await club.upvotes(motion_id, *(MEMBER + k for k in range(count)))
    pending, _ = await club.motions.submit(guild_id=GUILD, author_id=AUTHOR, text="THW tax sugar")
    await club.upvotes(pending.id, *(MEMBER + k for k in range(9)))
    await club.mark_debated(ids[7])
    rejected, _ = await club.motions.submit(guild_id=GUILD, author_id=AUTHOR, text="THW go")
    await club.motions.reject(guild_id=GUILD, motion_id=rejected.id, actor=ADMIN)

    everything = [await club.motions.get(guild_id=GUILD, motion_id=i) for i in ids]
    ranked = [m.id for m in bank.rank(everything, club.clock.now)]
    assert ranked == [ids[2], ids[0], ids[3], ids[6], ids[4], ids[1], ids[5]]

    first = await club.motions.list(guild_id=GUILD)
    second = await club.motions.list(guild_id=GUILD, page=2)
    assert (first.total, first.pages, first.page, len(first.entries)) == (9, 2, 1, PAGE_SIZE)
    shown = [e.motion.id for e in (*first.entries, *second.entries)]
    assert shown == [*ranked, pending.id, ids[7]]
    assert [e.motion.votes for e in first.entries] == [5, 3, 3, 2, 1]
    assert (await club.motions.top(guild_id=GUILD)) == first.entries[0].motion
    with pytest.raises(NoSuchPage) as beyond:
        await club.motions.list(guild_id=GUILD, page=3)
    assert "from 1 to 2" in beyond.value.explain()
    assert (await club.motions.list(guild_id=OTHER_GUILD)).entries == ()


async def test_top_is_none_for_an_empty_bank_and_stored_votes_match(club: Bank) -> None:
    assert await club.motions.top(guild_id=GUILD) is None
    motion = await club.approved("This House would ban homework")
    await club.upvotes(motion.id, MEMBER)
    async with club.db.read() as session:
        count = len(
            (
                await session.exec(
                    select(MotionVoteRow).where(col(MotionVoteRow.motion_id) == motion.id)
                )
            ).all()
        )
    assert count == 1
