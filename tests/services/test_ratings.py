"""Ratings, seasons and leaderboards on a real database (SQLite, and PostgreSQL).

Debates are played through the real services (sign-ups, start, votes, the close that
decides the verdict), so these tests check that ratings move in the transaction that
stores a result, and that a rebuild gives exactly what the incremental path gave.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import col, select

from bot.db import repository as repo
from bot.db.database import Database
from bot.db.models import RatingBoardRow, RatingChangeRow, RatingRow
from bot.domain.clock import ClockEvent
from bot.domain.debate import Actor, Preference
from bot.domain.errors import NotModerator
from bot.domain.ratings import (
    ALL_TIME_SEASON,
    MIN_GAMES,
    PRIOR_SIGMA,
    InvalidSeasonName,
    Metric,
    NoSeasonRunning,
    Outcome,
    RatedLocked,
    Record,
    SeasonAlreadyRunning,
    Standing,
    UnknownSeason,
)
from bot.domain.sides import Side
from bot.domain.votes import Choice, VotePhase, Voter
from bot.services.ratings import RatingService
from tests.conftest import FakeClock
from tests.services.test_clock import CREATOR, GUILD, MOD_ROLE, Club

ALICE, BOB, CAROL, DAVE = 11, 21, 12, 22
AUDIENCE = 100_000
OTHER_GUILD = 5_000


class Ratings(Club):
    """A club with the rating service, which plays whole debates."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        super().__init__(database, clock)
        self.ratings = RatingService(database, clock)
        self.clock = clock

    async def play(
        self,
        for_team: tuple[int, ...],
        against_team: tuple[int, ...],
        winner: Side | None,
        *,
        rated: bool = True,
        landslide: bool = False,
    ) -> int:
        """An Oxford debate from lobby to result; the audience makes ``winner`` win."""
        signups = dict.fromkeys(for_team, Preference.FOR)
        signups |= dict.fromkeys(against_team, Preference.AGAINST)
        debate_id = await self.lobby("oxford", signups)
        if not rated:
            await self.ratings.set_rated(
                guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR), rated=False
            )
        started = await self.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
        f, a, u = Choice.FOR, Choice.AGAINST, Choice.UNDECIDED
        before = [f, f, a, a, u, u]
        after = {
            Side.FOR: [f, f, f, a, a, u] if not landslide else [f, f, f, f, f, u],
            Side.AGAINST: [f, a, a, a, a, u] if not landslide else [a, a, a, a, a, u],
            None: [f, f, a, a, u, u],
        }[winner]
        await self.vote(debate_id, VotePhase.PRE, before)
        await self.clocks.move(
            guild_id=GUILD,
            debate_id=debate_id,
            event=ClockEvent.END,
            version=started.change.floor.clock.version,
            actor=Actor(CREATOR),
        )
        await self.vote(debate_id, VotePhase.POST, after)
        closed = await self.votes.close(
            guild_id=GUILD, debate_id=debate_id, phase=VotePhase.POST, actor=Actor(CREATOR)
        )
        assert closed.outcome is not None
        assert closed.outcome.verdict.winner is winner
        self.clock.advance(3600)
        return debate_id

    async def vote(self, debate_id: int, phase: VotePhase, choices: list[Choice]) -> None:
        joined = self.clock.now.replace(year=2020)
        await asyncio.gather(
            *(
                self.votes.cast(
                    guild_id=GUILD,
                    debate_id=debate_id,
                    phase=phase,
                    voter=Voter(AUDIENCE + n, False, frozenset(), joined),
                    choice=choice,
                )
                for n, choice in enumerate(choices)
            )
        )

    async def board(self, metric: Metric = Metric.RATING, **options: Any) -> list[Standing]:
        page = await self.ratings.leaderboard(guild_id=GUILD, metric=metric, **options)
        return page.rows

    async def record(self, user_id: int, season: str | None = "all-time") -> Record:
        return (await self.ratings.stats(guild_id=GUILD, user_id=user_id, season=season)).record


@pytest.fixture
def club(database: Database, clock: FakeClock) -> Ratings:
    return Ratings(database, clock)


async def table(club: Club, model: type[Any]) -> list[dict[str, Any]]:
    """Every row of a rating table, without ids, in a stable order."""
    async with club.database.read() as session:
        rows = (await session.exec(select(model))).all()
    values = [{k: v for k, v in row.model_dump().items() if k != "id"} for row in rows]
    return sorted(values, key=repr)


# -- the rating of a debate -------------------------------------------------------------------


async def test_the_winners_rating_rises_and_the_losers_falls(club: Ratings) -> None:
    debate_id = await club.play((ALICE,), (BOB,), Side.FOR)

    alice, bob = await club.record(ALICE), await club.record(BOB)
    assert alice.rating.mu > 25 > bob.rating.mu
    assert alice.rating.sigma < PRIOR_SIGMA
    assert (alice.wins, alice.losses, bob.wins, bob.losses) == (1, 0, 0, 1)
    assert alice.swing_games == bob.swing_games == 1
    # For went from 2 of 6 to 3 of 6, Against from 2 of 6 to 2 of 6.
    assert alice.persuasion == pytest.approx(100 / 6)
    assert bob.persuasion == 0
    board = await club.board(season="all-time")
    assert [(s.rank, s.user_id) for s in board] == [(1, ALICE), (2, BOB)]
    history = await club.ratings.history(guild_id=GUILD, user_id=BOB)
    assert [(h.debate_id, h.side, h.outcome, h.rated) for h in history] == [
        (debate_id, Side.AGAINST, Outcome.LOSS, True)
    ]
    assert history[0].motion == "This House would ban homework"
    assert history[0].change is not None
    assert history[0].change < 0


async def test_a_tie_moves_nobodys_mean_and_counts_a_tie(club: Ratings) -> None:
    await club.play((ALICE,), (BOB,), None)
    alice, bob = await club.record(ALICE), await club.record(BOB)
    assert alice.rating.mu == pytest.approx(25) == bob.rating.mu
    assert (alice.ties, bob.ties, alice.games) == (1, 1, 1)
    assert alice.rating.sigma < PRIOR_SIGMA


async def test_a_landslide_moves_ratings_more_than_a_narrow_win(club: Ratings) -> None:
    await club.play((ALICE,), (BOB,), Side.FOR)
    await club.play((CAROL,), (DAVE,), Side.FOR, landslide=True)
    narrow, wide = await club.record(ALICE), await club.record(CAROL)
    assert wide.rating.mu > narrow.rating.mu > 25
    assert wide.rating.sigma == narrow.rating.sigma


async def test_uncertainty_shrinks_with_every_debate(club: Ratings) -> None:
    sigmas = []
    for n in range(4):
        await club.play((ALICE, CAROL), (BOB, DAVE), Side.FOR if n % 2 else Side.AGAINST)
        sigmas.append((await club.record(ALICE)).rating.sigma)
    assert sigmas == sorted(sigmas, reverse=True)
    assert len(set(sigmas)) == 4
    stats = await club.ratings.stats(guild_id=GUILD, user_id=ALICE, season="all-time")
    assert stats.sides == {Side.FOR: 4, Side.AGAINST: 0}
    assert [p.sigma for p in stats.history] == sigmas
    assert (stats.record.wins, stats.record.losses) == (2, 2)
    assert [w.side for w in stats.best_wins] == [Side.FOR, Side.FOR]
    assert stats.rating_now == stats.record.rating  # an hour idle adds nothing


async def test_the_audience_counts_on_the_participation_board(club: Ratings) -> None:
    await club.play((ALICE,), (BOB,), Side.FOR)
    rows = await club.board(Metric.PARTICIPATION, season="all-time")
    # Six members voted before and after (2 votes each); the debaters debated once.
    assert {(s.user_id, s.value) for s in rows} == {
        *((AUDIENCE + n, 2.0) for n in range(6)),
        (ALICE, 1.0),
        (BOB, 1.0),
    }
    assert {s.rank for s in rows if s.user_id >= AUDIENCE} == {1}
    assert {s.rank for s in rows if s.user_id < AUDIENCE} == {7}
    # Members who only voted are on no rating board.
    assert {s.user_id for s in await club.board(Metric.RATING, season="all-time")} == {ALICE, BOB}
    assert {s.user_id for s in await club.board(Metric.WINS, season="all-time")} == {ALICE, BOB}


async def test_win_rate_needs_the_minimum_number_of_debates(club: Ratings) -> None:
    for _ in range(MIN_GAMES - 1):
        await club.play((ALICE,), (BOB,), Side.FOR)
    empty = await club.ratings.leaderboard(guild_id=GUILD, metric=Metric.WIN_RATE, caller_id=ALICE)
    assert (empty.rows, empty.total, empty.caller, empty.min_games) == ([], 0, None, MIN_GAMES)
    await club.play((ALICE,), (BOB,), Side.AGAINST)
    page = await club.ratings.leaderboard(guild_id=GUILD, metric=Metric.WIN_RATE, caller_id=BOB)
    assert [(s.rank, s.user_id, s.value, s.games) for s in page.rows] == [
        (1, ALICE, 0.8, 5),
        (2, BOB, 0.2, 5),
    ]
    assert page.caller == page.rows[1]


# -- unrated debates ---------------------------------------------------------------------------


async def test_an_unrated_debate_changes_nothing(club: Ratings) -> None:
    debate_id = await club.play((ALICE,), (BOB,), Side.FOR, rated=False)
    assert await table(club, RatingRow) == []
    assert await table(club, RatingChangeRow) == []
    assert not await club.ratings.is_rated(guild_id=GUILD, debate_id=debate_id)
    (entry,) = await club.ratings.history(guild_id=GUILD, user_id=ALICE)
    assert (entry.outcome, entry.rated, entry.change) == (Outcome.WIN, False, None)
    rebuilt = await club.ratings.rebuild(guild_id=GUILD)
    assert (rebuilt.debates, rebuilt.ratings) == (0, 0)


async def test_only_a_moderator_marks_a_debate_unrated_and_only_in_its_lobby(
    club: Ratings,
) -> None:
    debate_id = await club.lobby("quick", {ALICE: Preference.FOR, BOB: Preference.AGAINST})
    with pytest.raises(NotModerator):
        await club.ratings.set_rated(
            guild_id=GUILD, debate_id=debate_id, actor=Actor(ALICE), rated=False
        )
    assert await club.ratings.is_rated(guild_id=GUILD, debate_id=debate_id)
    await club.ratings.set_rated(
        guild_id=GUILD, debate_id=debate_id, actor=Actor(7, manages_server=True), rated=False
    )
    assert not await club.ratings.is_rated(guild_id=GUILD, debate_id=debate_id)
    await club.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    with pytest.raises(RatedLocked) as locked:
        await club.ratings.set_rated(
            guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR), rated=True
        )
    assert "before it starts" in locked.value.explain()
    assert not await club.ratings.is_rated(guild_id=GUILD, debate_id=debate_id)


# -- seasons -----------------------------------------------------------------------------------


async def test_seasons_keep_their_own_ratings_and_all_time_keeps_everything(
    club: Ratings,
) -> None:
    mod = Actor(CREATOR, manages_server=True)
    await club.play((ALICE,), (BOB,), Side.FOR)
    assert (await club.ratings.leaderboard(guild_id=GUILD, metric=Metric.RATING)).season is None

    spring = await club.ratings.start_season(guild_id=GUILD, name="  Spring   2027 ", actor=mod)
    assert spring.name == "Spring 2027"
    assert await club.board() == []  # the default board is the running season's, empty
    await club.play((CAROL,), (BOB,), Side.AGAINST)

    page = await club.ratings.leaderboard(guild_id=GUILD, metric=Metric.RATING)
    assert page.season == spring
    assert [s.user_id for s in page.rows] == [BOB, CAROL]
    in_season = await club.record(BOB, None)
    assert in_season.games == 1  # started the season from the prior, like a newcomer
    carol = await club.record(CAROL, None)
    assert in_season.rating.mu + carol.rating.mu == pytest.approx(50)  # both from the prior
    assert in_season.rating.sigma == carol.rating.sigma
    assert (await club.record(BOB)).games == 2
    assert {s.user_id for s in await club.board(season="all-time")} == {ALICE, BOB, CAROL}

    ended = await club.ratings.end_season(guild_id=GUILD, actor=mod)
    assert ended.ended_at == club.clock.now
    await club.play((DAVE,), (ALICE,), Side.FOR)
    after = await club.ratings.leaderboard(guild_id=GUILD, metric=Metric.RATING)
    assert after.season is None
    assert after.total == 4
    assert [s.user_id for s in await club.board(season="spring 2027")] == [BOB, CAROL]

    summer = await club.ratings.start_season(guild_id=GUILD, name="Summer", actor=mod)
    assert await club.ratings.seasons(guild_id=GUILD) == [summer, ended]


async def test_season_refusals(club: Ratings) -> None:
    mod = Actor(CREATOR, manages_server=True)
    with pytest.raises(NotModerator):
        await club.ratings.start_season(guild_id=GUILD, name="Spring", actor=Actor(ALICE))
    with pytest.raises(NoSeasonRunning):
        await club.ratings.end_season(guild_id=GUILD, actor=mod)
    await club.guilds.set_moderator_role(GUILD, MOD_ROLE)
    role = Actor(ALICE, role_ids=frozenset({MOD_ROLE}))
    await club.ratings.start_season(guild_id=GUILD, name="Spring", actor=role)
    with pytest.raises(SeasonAlreadyRunning) as running:
        await club.ratings.start_season(guild_id=GUILD, name="Summer", actor=mod)
    assert "Spring" in running.value.explain()
    await club.ratings.end_season(guild_id=GUILD, actor=role)
    for name in ("SPRING", "   ", "All-Time", "x" * 61):
        with pytest.raises(InvalidSeasonName):
            await club.ratings.start_season(guild_id=GUILD, name=name, actor=mod)
    with pytest.raises(UnknownSeason) as unknown:
        await club.ratings.leaderboard(guild_id=GUILD, metric=Metric.WINS, season="Autumn")
    assert unknown.value.known == ("Spring",)
    assert await club.ratings.seasons(guild_id=OTHER_GUILD) == []


# -- rebuild -----------------------------------------------------------------------------------


async def test_a_rebuild_gives_exactly_the_incremental_ratings(club: Ratings) -> None:
    mod = Actor(CREATOR, manages_server=True)
    await club.play((ALICE,), (BOB,), Side.FOR)
    await club.play((ALICE, CAROL), (BOB, DAVE), None)
    club.clock.advance(40 * 86_400)  # idle time inflates uncertainty
    await club.ratings.start_season(guild_id=GUILD, name="Spring", actor=mod)
    await club.play((BOB, DAVE), (ALICE, CAROL), Side.FOR, landslide=True)
    await club.play((CAROL,), (DAVE,), Side.AGAINST, rated=False)
    await club.play((DAVE,), (CAROL,), Side.AGAINST)
    await club.ratings.end_season(guild_id=GUILD, actor=mod)
    await club.play((CAROL,), (ALICE,), Side.FOR)
    ratings, changes = await table(club, RatingRow), await table(club, RatingChangeRow)
    sizes = await table(club, RatingBoardRow)
    assert {r["season"] for r in ratings} == {ALL_TIME_SEASON, 1}

    rebuilt = await club.ratings.rebuild(guild_id=GUILD)

    assert (rebuilt.debates, rebuilt.ratings, rebuilt.changes) == (5, len(ratings), len(changes))
    assert await table(club, RatingRow) == ratings  # exactly: the same floats
    assert await table(club, RatingChangeRow) == changes
    assert [r for r in await table(club, RatingBoardRow) if r["members"]] == [
        r for r in sizes if r["members"]
    ]
    await club.ratings.rebuild()  # every server
    assert await table(club, RatingRow) == ratings


async def test_a_rebuild_of_one_server_leaves_the_others(club: Ratings) -> None:
    await club.play((ALICE,), (BOB,), Side.FOR)
    async with club.database.write() as session:
        await repo.save_records(
            session, guild_id=OTHER_GUILD, season=ALL_TIME_SEASON, records=[Record(1, games=0)]
        )
    await club.ratings.rebuild(guild_id=GUILD)
    async with club.database.read() as session:
        guilds = (await session.exec(select(RatingRow.guild_id))).all()
    assert sorted(set(guilds)) == [GUILD, OTHER_GUILD]


# -- leaderboard pages -------------------------------------------------------------------------


async def seed(club: Club, wins: dict[int, int]) -> None:
    """Members with the given numbers of wins on the all-time board."""
    records = [Record(user, games=n + 1, wins=n, losses=1) for user, n in wins.items()]
    async with club.database.write() as session:
        await repo.save_records(session, guild_id=GUILD, season=ALL_TIME_SEASON, records=records)
        await repo.recount_boards(session, guild_id=GUILD)


async def test_an_empty_board_has_one_empty_page(club: Ratings) -> None:
    page = await club.ratings.leaderboard(
        guild_id=GUILD, metric=Metric.WINS, page=3, caller_id=ALICE
    )
    assert (page.rows, page.total, page.page, page.pages, page.caller) == ([], 0, 1, 1, None)


async def test_one_page_and_a_caller_who_is_not_on_the_board(club: Ratings) -> None:
    await seed(club, {100 + n: n for n in range(10)})
    page = await club.ratings.leaderboard(
        guild_id=GUILD, metric=Metric.WINS, page=2, caller_id=ALICE
    )
    assert (page.total, page.page, page.pages, page.caller) == (10, 1, 1, None)
    assert [(s.rank, s.user_id, s.value) for s in page.rows] == [
        (n + 1, 109 - n, float(9 - n)) for n in range(10)
    ]


async def test_equal_values_share_a_rank_across_pages(club: Ratings) -> None:
    # Ranks by wins: 1 member with 9, then 12 members with 5, then 1 with 0.
    await seed(club, {1: 9, **{10 + n: 5 for n in range(12)}, 99: 0})
    first = await club.ratings.leaderboard(guild_id=GUILD, metric=Metric.WINS, caller_id=99)
    assert (first.total, first.pages) == (14, 2)
    assert [s.rank for s in first.rows] == [1] + [2] * 9
    assert first.caller == Standing(14, 99, 0.0, 1)
    second = await club.ratings.leaderboard(
        guild_id=GUILD, metric=Metric.WINS, page=9, caller_id=10
    )
    assert second.page == 2
    assert [(s.rank, s.value) for s in second.rows] == [(2, 5.0), (2, 5.0), (2, 5.0), (14, 0.0)]
    assert second.caller == Standing(2, 10, 5.0, 6)
    users = [s.user_id for s in first.rows + second.rows]
    assert sorted(users) == sorted([1, 99, *range(10, 22)])


async def test_a_caller_far_down_the_board_gets_their_rank(club: Ratings) -> None:
    await seed(club, {1_000 + n: n % 37 for n in range(300)})
    page = await club.ratings.leaderboard(guild_id=GUILD, metric=Metric.WINS, caller_id=1_000)
    assert page.caller is not None
    assert (page.caller.rank, page.caller.value) == (300 - 9 + 1, 0.0)  # nine have 0 wins
    async with club.database.read() as session:
        stored = (
            await session.exec(select(RatingRow.wins).order_by(col(RatingRow.wins).desc()))
        ).all()
    assert page.rows[0].value == stored[0]
