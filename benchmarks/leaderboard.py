"""Leaderboards and rating rebuilds, measured.

    python benchmarks/leaderboard.py [--servers 10] [--members 20000] [--seasons 4]
                                     [--debates 100000] [--samples 200]

Builds a fresh SQLite file with raw bulk inserts: ``--servers`` servers, each with
``--members`` members rated on the all-time board and on each of ``--seasons`` seasons
(the last one running), so 10 x 20,000 x (1 + 4) = 1,000,000 rating rows by default; and
``--debates`` finished debates (1 v 1 to 3 v 3, Oxford results with their tallies) spread
over the servers and their seasons. Then, through the project's own code:

- ``top10_p50_ms``: ``RatingService.leaderboard`` (rating board of the running season,
  page 1, no caller): the running season, the board's size, the page;
- ``own_rank_p50_ms``: ``repository.board_place`` for a random member (their value and one
  plus the count of strictly better values, one query);
- ``page_and_rank_p50_ms``: ``RatingService.leaderboard`` with a random caller: the page
  and the caller's own rank, the figure the target is about;
- ``largest_board_own_rank_p50_ms``: the same own-rank query on the largest board;
- ``naive_load_sort_ms``: the same page and rank done by loading every row of the board
  as SQLModel objects and sorting in Python (median of a few runs, same file);
- ``ratio``: the naive figure over ``page_and_rank_p50_ms``;
- ``rebuild_s``: ``RatingService.rebuild()`` replaying every stored debate of every server
  (reading the results, rating with openskill, writing the boards and their history).

Targets on the 2-core reference machine: page and own rank p50 < 2 ms, ratio >= 100,
rebuild of 100,000 debates < 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bot.db import repository as repo
from bot.db.database import Database
from bot.db.models import RatingRow
from bot.domain.ratings import PAGE_SIZE, Metric, Rating
from bot.services.ratings import RatingService

GUILD0 = 1_000
USER0 = 10_000_000
START = datetime(2025, 1, 1, tzinfo=UTC)
SEASON_DAYS = 90


def _at(moment: datetime) -> str:
    """A time as SQLAlchemy stores it in SQLite."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _build(path: Path, servers: int, members: int, seasons: int, debates: int) -> int:
    """Fill a migrated file with seasons, ratings and finished debates; rating rows."""
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    season_rows, rating_rows = [], []
    season_id = 0
    for g in range(servers):
        guild = GUILD0 + g
        boards = [0]
        for s in range(seasons):
            season_id += 1
            begins = START + timedelta(days=s * SEASON_DAYS)
            ends = None if s == seasons - 1 else _at(begins + timedelta(days=SEASON_DAYS - 5))
            season_rows.append((season_id, guild, f"Season {s + 1}", 1, _at(begins), ends))
            boards.append(season_id)
        for board in boards:
            for u in range(members):
                games = rng.randint(1, 40)
                wins = rng.randint(0, games)
                rating = Rating(rng.gauss(25, 4), rng.uniform(1.5, 8.3))
                swing = rng.gauss(0, 8) * games
                votes = rng.randint(0, 60)
                rating_rows.append(
                    (
                        guild,
                        board,
                        USER0 + u,
                        rating.mu,
                        rating.sigma,
                        rating.ordinal,
                        games,
                        wins,
                        games - wins,
                        0,
                        wins / games if games >= 5 else None,
                        swing,
                        games,
                        swing / games,
                        votes,
                        games + votes,
                        _at(START),
                    )
                )
    db.executemany("INSERT INTO season VALUES (?, ?, ?, ?, ?, ?)", season_rows)
    db.executemany(
        "INSERT INTO rating (guild_id, season, user_id, mu, sigma, ordinal, games, wins, losses,"
        " ties, win_rate, swing_sum, swing_games, persuasion, votes, participation, last_played)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rating_rows,
    )
    span = seasons * SEASON_DAYS * 86_400
    debate_rows, debater_rows, result_rows = [], [], []
    for d in range(1, debates + 1):
        guild = GUILD0 + d % servers
        decided = _at(START + timedelta(seconds=span * d / (debates + 1)))
        debate_rows.append((d, guild, d, 1, "This House would measure", "oxford", "finished"))
        size = rng.randint(1, 3)
        players = rng.sample(range(members), 2 * size)
        for i, u in enumerate(players):
            side = "for" if i < size else "against"
            debater_rows.append((d, guild, USER0 + u, side, i % size, "preferred", decided))
        pre = [rng.randint(0, 30) for _ in range(3)]
        post = [rng.randint(0, 30) for _ in range(3)]
        pre[0] += 1
        post[1] += 1
        gain_for = post[0] / sum(post) - pre[0] / sum(pre)
        gain_against = post[1] / sum(post) - pre[1] / sum(pre)
        winner = (
            None if gain_for == gain_against else "for" if gain_for > gain_against else "against"
        )
        margin = abs(gain_for - gain_against) * 100
        tallies = json.dumps({"pre": pre, "post": post})
        result_rows.append((d, "oxford", winner, margin, "verdict", tallies, decided))
    db.executemany(
        "INSERT INTO debate (id, guild_id, channel_id, creator_id, motion, format_key, state,"
        " created_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2025-01-01', '2025-01-01')",
        debate_rows,
    )
    db.executemany(
        "INSERT INTO debater (debate_id, guild_id, user_id, side, speaker_order, reason,"
        " started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        debater_rows,
    )
    db.executemany(
        "INSERT INTO result (debate_id, rule, winner, margin, reason, tallies, decided_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        result_rows,
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return len(rating_rows)


def _p50(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 3)


async def _naive(db: Database, guild: int, season: int, caller: int) -> float:
    """The page and the caller's rank by loading the whole board and sorting it."""
    begun = time.perf_counter()
    async with db.read() as session:
        running = await repo.running_season(session, guild_id=guild)
        assert running is not None
        assert running.id == season
        rows = (
            await session.exec(
                select(RatingRow).where(RatingRow.guild_id == guild, RatingRow.season == season)
            )
        ).all()
    board = sorted(
        (r for r in rows if r.ordinal is not None),
        key=lambda r: (r.ordinal, r.user_id),
        reverse=True,
    )
    top = board[:PAGE_SIZE]
    mine = next(r.ordinal for r in board if r.user_id == caller)
    rank = 1 + sum(1 for r in board if r.ordinal is not None and r.ordinal > mine)
    assert top
    assert rank >= 1
    return time.perf_counter() - begun


async def main(args: argparse.Namespace) -> None:
    """Build the data, then measure."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leaderboard.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.upgrade()
        built = time.perf_counter()
        rows = _build(path, args.servers, args.members, args.seasons, args.debates)
        async with db.write() as session:  # the boards' sizes, as a rebuild counts them
            await repo.recount_boards(session, guild_id=None)
        print(f"rating_rows={rows}")
        print(f"debates={args.debates}")
        print(f"board_rows={args.members}")
        print(f"build_s={time.perf_counter() - built:.1f}", file=sys.stderr)
        service = RatingService(db, lambda: datetime.now(UTC))
        rng = random.Random(11)
        guilds = [GUILD0 + g for g in range(args.servers)]

        async def timed(call: object) -> float:
            begun = time.perf_counter()
            await call  # type: ignore[misc]
            return time.perf_counter() - begun

        async def place(guild: int, user: int) -> None:
            async with db.read(snapshot=False) as session:
                season = await repo.running_season(session, guild_id=guild)
                assert season is not None
                found = await repo.board_place(
                    session, guild_id=guild, season=season.id, metric=Metric.RATING, user_id=user
                )
                assert found is not None

        async def largest(guild: int, user: int) -> None:
            async with db.read(snapshot=False) as session:
                found = await repo.board_place(
                    session, guild_id=guild, season=0, metric=Metric.RATING, user_id=user
                )
                assert found is not None

        def member() -> int:
            return USER0 + rng.randrange(args.members)

        for _ in range(20):  # warm the page cache and the connection pool
            await service.leaderboard(guild_id=rng.choice(guilds), metric=Metric.RATING)
        top10, own, both, big = [], [], [], []
        for _ in range(args.samples):
            guild = rng.choice(guilds)
            top10.append(await timed(service.leaderboard(guild_id=guild, metric=Metric.RATING)))
            own.append(await timed(place(guild, member())))
            both.append(
                await timed(
                    service.leaderboard(guild_id=guild, metric=Metric.RATING, caller_id=member())
                )
            )
            big.append(await timed(largest(guild, member())))
        page = await service.leaderboard(guild_id=guilds[0], metric=Metric.RATING, caller_id=USER0)
        assert len(page.rows) == PAGE_SIZE
        assert page.total == args.members
        assert page.caller is not None
        naive = [
            await _naive(db, guilds[0], page.season.id if page.season else 0, USER0)
            for _ in range(5)
        ]
        print(f"top10_p50_ms={_p50(top10)}")
        print(f"own_rank_p50_ms={_p50(own)}")
        print(f"page_and_rank_p50_ms={_p50(both)}")
        print(f"largest_board_own_rank_p50_ms={_p50(big)}")
        print(f"naive_load_sort_ms={_p50(naive)}")
        print(f"ratio={statistics.median(naive) / statistics.median(both):.0f}")

        begun = time.perf_counter()
        rebuilt = await service.rebuild()
        print(f"rebuild_s={time.perf_counter() - begun:.1f}")
        print(f"rebuilt_ratings={rebuilt.ratings}")
        print(f"rebuilt_changes={rebuilt.changes}")
        assert rebuilt.debates == args.debates
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seasons", type=int, default=4)
    parser.add_argument("--debates", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
