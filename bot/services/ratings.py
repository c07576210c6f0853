"""Use cases of ratings, seasons and leaderboards.

Theory of operation
-------------------
A server's ratings change in one place: ``record_result``, which the vote service calls in
the transaction that stores a debate's result. It reads the result back as a ``Game`` (the
repository builds it the same way for a rebuild), replays it on the all-time board and on
the board of the season it was decided in, and stores each debater's new record, the votes
each audience member cast, and a ``rating_change`` row per debater and board (the history
behind charts and stats). A debate a moderator marked unrated, or whose verdict measured
nothing, changes nothing.

``RatingService.rebuild`` replays every stored result of a server in the same order
(decision time, then debate id) with the same domain function and writes the boards from
scratch, so its floats equal the incremental ones.

Leaderboards are SQL: a page is an index range of one board column, a rank is one plus a
count of strictly better values (an index range too), a board's size is kept in
``rating_board`` as members join it, and a page with the caller's own place is one
statement. Nothing loads a board to sort it in Python.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import repository as repo
from bot.db.database import Database
from bot.domain import ratings as rules
from bot.domain.debate import Actor, DebateState
from bot.domain.errors import DebateNotFound, NotServerModerator
from bot.domain.ratings import (
    ALL_TIME,
    ALL_TIME_SEASON,
    PAGE_SIZE,
    BoardLine,
    Change,
    Game,
    HistoryEntry,
    LeaderboardPage,
    MemberStats,
    Metric,
    NoSeasonRunning,
    RatedLocked,
    Record,
    Season,
    SeasonAlreadyRunning,
    UnknownSeason,
)
from bot.domain.sides import Side
from bot.services.guilds import require_moderator

Now = Callable[[], datetime]

BEST_WINS = 3
"""Wins listed in a member's stats."""
CHART_POINTS = 100
"""Most recent rating points in a member's stats."""


async def record_result(session: AsyncSession, *, debate_id: int) -> list[Change]:
    """Update the ratings from a debate's stored result, in the transaction that stored
    it; what changed on the all-time board (nothing for an unrated or uncontested debate)."""
    played = await repo.game_of(session, debate_id=debate_id)
    if played is None:
        return []
    debaters = [user for side in Side for user in played.teams[side]]
    seasons = await repo.seasons_of(session, guild_id=played.guild_id)
    all_time: list[Change] = []
    for board in rules.boards_of(played, seasons):
        records = await repo.records_of(
            session, guild_id=played.guild_id, season=board, user_ids=debaters, for_update=True
        )
        updated, changes = rules.play(records, played)
        audience = [user for user in played.votes if user not in debaters]
        known = await repo.known_users(
            session, guild_id=played.guild_id, season=board, user_ids=audience
        )
        moves = rules.board_moves(records, updated, new_voters=len(set(audience) - known))
        await repo.save_records(session, guild_id=played.guild_id, season=board, records=updated)
        await repo.add_votes(session, guild_id=played.guild_id, season=board, votes=played.votes)
        await repo.move_boards(session, guild_id=played.guild_id, season=board, moves=moves)
        await repo.add_changes(
            session,
            values=[
                repo.change_values(played.guild_id, board, debate_id, played.decided_at, change)
                for change in changes
            ],
        )
        if board == ALL_TIME_SEASON:
            all_time = changes
    return all_time


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A rebuild makes millions of objects that all live until it ends: the cyclic garbage
    collector would walk them again and again for nothing (it doubled the time of a rebuild
    of 100,000 debates in ``benchmarks/leaderboard.py``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class BoardExport:
    """A whole board: each member's rank and line, best first."""

    metric: Metric
    season: Season | None
    """``None`` for the all-time board."""
    rows: list[tuple[int, BoardLine]]


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """What a rebuild wrote."""

    guild_id: int | None
    debates: int
    ratings: int
    changes: int


class RatingService:
    """Ratings, seasons, leaderboards and members' records."""

    def __init__(self, db: Database, now: Now) -> None:
        self._db = db
        self._now = now

    # -- ratings ------------------------------------------------------------------------------

    async def set_rated(self, *, guild_id: int, debate_id: int, actor: Actor, rated: bool) -> bool:
        """Mark a debate rated or unrated (moderators, in its lobby); returns ``rated``."""
        async with self._db.write() as session:
            debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
            if debate is None:
                raise DebateNotFound(debate_id)
            await require_moderator(session, debate, actor, "change whether a debate is rated")
            if debate.state is not DebateState.LOBBY:
                raise RatedLocked(debate_id, debate.state.value)
            await repo.set_debate_rated(session, debate_id=debate_id, rated=rated)
        return rated

    async def is_rated(self, *, guild_id: int, debate_id: int) -> bool:
        """Whether a debate of this server is rated."""
        async with self._db.read() as session:
            debate = await repo.get_debate(session, guild_id=guild_id, debate_id=debate_id)
            rated = await repo.debate_rated(session, debate_id=debate_id)
        if debate is None or rated is None:
            raise DebateNotFound(debate_id)
        return rated

    async def rebuild(self, *, guild_id: int | None = None) -> Rebuilt:
        """Recompute every rating of a server (of every server for None) from its stored
        results, in one transaction."""
        with _collector_paused():
            return await self._rebuild(guild_id)

    async def _rebuild(self, guild_id: int | None) -> Rebuilt:
        async with self._db.write() as session:
            games = await repo.games_of(session, guild_id=guild_id)
            by_guild: dict[int, list[Game]] = {}
            for played in games:
                by_guild.setdefault(played.guild_id, []).append(played)
            guilds = sorted(by_guild)
            seasons = [await repo.seasons_of(session, guild_id=guild) for guild in guilds]
            replayed = [rules.replay(by_guild[g], s) for g, s in zip(guilds, seasons, strict=True)]
            ratings = [
                repo.rating_row(guild, board, record)
                for guild, done in zip(guilds, replayed, strict=True)
                for board, records in done.boards.items()
                for record in records.values()
            ]
            changes = [
                repo.change_row(guild, board, debate_id, decided_at, change)
                for guild, done in zip(guilds, replayed, strict=True)
                for board, debate_id, decided_at, change in done.changes
            ]
            await repo.replace_ratings(session, guild_id=guild_id, ratings=ratings, changes=changes)
        return Rebuilt(guild_id, len(games), len(ratings), len(changes))

    # -- seasons ------------------------------------------------------------------------------

    async def start_season(self, *, guild_id: int, name: str, actor: Actor) -> Season:
        """Start a season (moderators); everyone starts it from the prior rating."""
        async with self._db.write() as session:
            await self._require_moderator(session, guild_id, actor, "start a season")
            running = await repo.running_season(session, guild_id=guild_id, for_update=True)
            if running is not None:
                raise SeasonAlreadyRunning(running.name)
            taken = [s.name for s in await repo.seasons_of(session, guild_id=guild_id)]
            cleaned = rules.clean_season_name(name, taken)
            return await repo.add_season(
                session, guild_id=guild_id, name=cleaned, user_id=actor.user_id, now=self._now()
            )

    async def end_season(self, *, guild_id: int, actor: Actor) -> Season:
        """End the running season (moderators); its boards stay available by name."""
        async with self._db.write() as session:
            await self._require_moderator(session, guild_id, actor, "end a season")
            running = await repo.running_season(session, guild_id=guild_id, for_update=True)
            if running is None:
                raise NoSeasonRunning("no season is running")
            now = self._now()
            await repo.end_season(session, season_id=running.id, now=now)
        return Season(running.id, guild_id, running.name, running.started_at, now)

    async def seasons(self, *, guild_id: int) -> list[Season]:
        """The server's seasons, newest first."""
        async with self._db.read() as session:
            return (await repo.seasons_of(session, guild_id=guild_id))[::-1]

    async def _require_moderator(
        self, session: AsyncSession, guild_id: int, actor: Actor, what: str
    ) -> None:
        settings = await repo.guild_settings(session, guild_id=guild_id)
        if not rules.may_manage_seasons(actor, settings.moderator_role_id):
            raise NotServerModerator(what)

    async def _season(
        self, session: AsyncSession, guild_id: int, season: str | None
    ) -> tuple[Season | None, int]:
        """The season asked for (None: the running one, or all time when none runs;
        ``ALL_TIME``: all time) and its board number."""
        if season is None:
            running = await repo.running_season(session, guild_id=guild_id)
            return running, running.id if running else ALL_TIME_SEASON
        named = await self._named(session, guild_id, season)
        return named, named.id if named else ALL_TIME_SEASON

    async def _named(self, session: AsyncSession, guild_id: int, season: str) -> Season | None:
        """The season of that name (ignoring case and spacing); None for ``ALL_TIME``."""
        if season.strip().casefold() == ALL_TIME:
            return None
        seasons = await repo.seasons_of(session, guild_id=guild_id)
        wanted = " ".join(season.split()).casefold()
        found = next((s for s in seasons if s.name.casefold() == wanted), None)
        if found is None:
            raise UnknownSeason(season, tuple(s.name for s in seasons))
        return found

    # -- leaderboards and members -------------------------------------------------------------

    async def leaderboard(
        self,
        *,
        guild_id: int,
        metric: Metric,
        season: str | None = None,
        page: int = 1,
        caller_id: int | None = None,
    ) -> LeaderboardPage:
        """One page of a board (``PAGE_SIZE`` rows; a page out of range is clamped) and the
        caller's own standing wherever it is. ``season``: a season's name, None for the
        running season (all time when none runs), or ``"all-time"``."""
        async with self._db.read(snapshot=False) as session:  # one statement, mostly
            board: Season | Literal["running"] | None = "running"
            if season is not None:
                board = await self._named(session, guild_id, season)
            page = max(page, 1)
            found = await repo.board_slice(
                session,
                guild_id=guild_id,
                season=board,
                metric=metric,
                offset=(page - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
                caller_id=caller_id,
            )
            shown_page, pages = rules.clamp_page(page, found.total)
            if shown_page != page:
                page = shown_page
                found = await repo.board_slice(
                    session,
                    guild_id=guild_id,
                    season=found.season,
                    metric=metric,
                    offset=(page - 1) * PAGE_SIZE,
                    limit=PAGE_SIZE,
                    caller_id=caller_id,
                )
        offset = (page - 1) * PAGE_SIZE
        rows = rules.rank_page(found.entries, offset, 1 + found.better_than_first)
        return LeaderboardPage(metric, found.season, rows, found.total, page, pages, found.caller)

    async def whole_board(
        self, *, guild_id: int, metric: Metric, season: str | None = None
    ) -> BoardExport:
        """Every member on one board with their rank (for export), ranked as pages rank
        them; ``season`` as for ``leaderboard``."""
        async with self._db.read() as session:
            shown, number = await self._season(session, guild_id, season)
            lines = await repo.board_lines(session, guild_id=guild_id, season=number, metric=metric)
        ranks = rules.rank_page([(line.user_id, line.value, line.games) for line in lines], 0, 1)
        return BoardExport(
            metric, shown, [(s.rank, line) for s, line in zip(ranks, lines, strict=True)]
        )

    async def stats(self, *, guild_id: int, user_id: int, season: str | None = None) -> MemberStats:
        """A member's record on a board (``season`` as for ``leaderboard``)."""
        async with self._db.read() as session:
            shown, board = await self._season(session, guild_id, season)
            found = await repo.record_of(session, guild_id=guild_id, season=board, user_id=user_id)
            record = found or Record(user_id)
            place = await repo.board_place(
                session, guild_id=guild_id, season=board, metric=Metric.RATING, user_id=user_id
            )
            sides = await repo.sides_played(
                session, guild_id=guild_id, season=board, user_id=user_id
            )
            best = await repo.best_wins(
                session, guild_id=guild_id, season=board, user_id=user_id, limit=BEST_WINS
            )
            points = await repo.rating_points(
                session, guild_id=guild_id, season=board, user_id=user_id, limit=CHART_POINTS
            )
        return MemberStats(
            user_id=user_id,
            season=shown,
            record=record,
            rating_now=rules.inflate(record.rating, record.last_played, self._now()),
            rank=place.rank if place else None,
            sides=sides,
            best_wins=best,
            history=points,
        )

    async def history(
        self, *, guild_id: int, user_id: int, limit: int = PAGE_SIZE, offset: int = 0
    ) -> list[HistoryEntry]:
        """A member's decided debates in the server, newest first, rated or not."""
        async with self._db.read() as session:
            return await repo.history_of(
                session, guild_id=guild_id, user_id=user_id, limit=limit, offset=offset
            )
