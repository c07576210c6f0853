"""The vote path, measured: the service through group commit, and clicks end to end.

    python benchmarks/votes.py [--votes 20000] [--burst 10000] [--clicks-per-member 5]
                               [--profile] [--database URL]

Prints ``key=value`` lines:

- ``database``: ``sqlite`` (the default: fresh files in a temporary folder) or
  ``postgresql`` (``--database postgresql+asyncpg://...``: each measurement in a fresh
  schema, and the bot process as a fresh role whose own schema it uses; all dropped after);
- ``votes_per_s``: ``VoteService.cast`` (one unit of the shared ``BatchWriter`` each) on a
  fresh database, ``--votes`` casts by distinct members submitted at once;
- ``naive_votes_per_s``: the same votes written the naive way on a fresh database with the
  same settings: one SQLModel ``AsyncSession`` per vote, adding its vote row and its change
  row, then committing (one after another: SQLite takes one writer at a time);
- ``ratio``: the first over the second;
- ``burst_p50_ms``/``burst_p99_ms``: ``--burst`` casts submitted at the same moment, each
  timed from that moment to its return (which comes only after its commit);
- ``burst_loop_floor_p99_ms``: the same number of tasks submitted at once and answered
  by one task with no work at all: what the event loop alone costs such a burst;
- ``lost``: casts that returned a ballot but whose member has no vote row afterwards;
- ``clicks_per_s`` and ``clicks_p50_ms``/``clicks_p99_ms``: ``python -m bot`` against the
  local Discord (as ``benchmarks/slice.py`` runs it), a started debate, and 200 members
  clicking its vote buttons in 20 lanes (20 clicks in flight at any moment): in each lane
  one member after another changes their vote ``--clicks-per-member`` times, each click
  after the answer to the one before, timed from the click's dispatch to the bot's answer
  ("is counted", sent after commit). A member clicks at most 5 times in a row by default,
  under the bot's per-member click limit (8 at once), which refuses faster clicking.

``--profile`` runs the service throughput under cProfile and prints the top functions by
cumulative and by own time to stderr.

Targets on the 2-core reference machine (SQLite): >= 20,000 votes/s, ratio >= 15, burst
p99 < 50 ms, >= 500 clicks/s with p99 < 100 ms, lost = 0.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from itertools import cycle
from pathlib import Path

from sqlalchemy import func, make_url, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import Services, settle_heap, utcnow
from bot.db.database import Database
from bot.db.models import VoteChangeRow, VoteRow
from bot.domain.debate import Actor, Preference
from bot.domain.votes import Ballot, Choice, VotePhase, Voter
from bot.sandbox import Guild, LocalDiscord, Member, Message

GUILD, CHANNEL, CREATOR = 1_000, 2_000, 3_000
FOR_1, AGAINST_1 = 11, 21
AUDIENCE = 1_000_000
MEMBERS = 200
LANES = 20
CHOICES = list(Choice)


def _p(ordered: list[float], q: float) -> float:
    """The ``q`` quantile of sorted seconds, in milliseconds."""
    return round(ordered[max(int(len(ordered) * q) - 1, 0)] * 1000, 2)


class Store:
    """Where the measured databases live: fresh SQLite files in a temporary folder (for any
    SQLite URL too), or fresh schemas of the PostgreSQL database at ``url``."""

    def __init__(self, url: str | None, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.kind = "sqlite" if url is None else make_url(url).get_backend_name()
        if self.kind not in {"sqlite", "postgresql"}:
            raise SystemExit(f"--database must be a SQLite or PostgreSQL URL, not {self.kind}")
        self._schemas: list[str] = []

    async def _admin(self, *statements: str) -> None:
        assert self.url is not None
        admin = Database(self.url)
        try:
            async with admin.engine.begin() as connection:
                for statement in statements:
                    await connection.execute(text(statement))
        finally:
            await admin.dispose()

    async def open(self, name: str) -> Database:
        """A fresh, migrated database called ``name``."""
        if self.url is None or self.kind == "sqlite":
            db = Database(f"sqlite+aiosqlite:///{self.folder / name}")
        else:
            schema = f"bench_{name.removesuffix('.db')}_{uuid.uuid4().hex[:8]}"
            await self._admin(f"CREATE SCHEMA {schema}")
            self._schemas.append(schema)
            search_path = {"server_settings": {"search_path": schema}}
            db = Database(self.url, connect_args=search_path)
        await db.upgrade()
        return db

    @asynccontextmanager
    async def for_the_bot(self) -> AsyncIterator[str]:
        """A fresh database URL for a bot process (a PostgreSQL role with its own schema)."""
        if self.url is None or self.kind == "sqlite":
            yield f"sqlite+aiosqlite:///{self.folder / 'agora.db'}"
            return
        role = f"bench_bot_{uuid.uuid4().hex[:8]}"
        # A role's own schema comes first in the default search_path ("$user", public).
        await self._admin(f"CREATE ROLE {role} LOGIN", f"CREATE SCHEMA {role} AUTHORIZATION {role}")
        try:
            yield make_url(self.url).set(username=role, password=None).render_as_string(False)
        finally:
            await self._admin(f"DROP SCHEMA IF EXISTS {role} CASCADE", f"DROP ROLE {role}")

    async def drop(self) -> None:
        """Drop every schema this store created."""
        schemas, self._schemas = self._schemas, []
        if schemas:
            await self._admin(*(f"DROP SCHEMA IF EXISTS {s} CASCADE" for s in schemas))


async def _fresh(store: Store, name: str) -> tuple[Database, Services, int]:
    """A migrated database with one started debate whose vote before is open."""
    db = await store.open(name)
    services = Services.build(db, utcnow)
    snapshot = await services.debates.create(
        guild_id=GUILD,
        channel_id=CHANNEL,
        creator_id=CREATOR,
        motion="This House would vote",
        format_key="quick",
    )
    debate_id = snapshot.debate.id
    for user, preference in ((FOR_1, Preference.FOR), (AGAINST_1, Preference.AGAINST)):
        await services.debates.join(
            guild_id=GUILD, debate_id=debate_id, user_id=user, preference=preference
        )
    await services.clocks.start(guild_id=GUILD, debate_id=debate_id, actor=Actor(CREATOR))
    return db, services, debate_id


def _voter(user_id: int, joined: datetime) -> Voter:
    return Voter(user_id, False, frozenset(), joined)


async def _stored(db: Database, debate_id: int) -> set[int]:
    async with db.read() as session:
        query = select(VoteRow.user_id).where(VoteRow.debate_id == debate_id)
        return set((await session.exec(query)).all())


async def _cast_all(
    services: Services, debate_id: int, first: int, count: int
) -> tuple[list[Ballot | BaseException], list[float], float]:
    """Submit ``count`` casts at once; their results, latencies and the wall time."""
    joined = datetime.now(UTC) - timedelta(days=365)
    ends: list[float] = [0.0] * count
    choices = cycle(CHOICES)

    async def one(n: int, choice: Choice) -> Ballot:
        ballot = await services.votes.cast(
            guild_id=GUILD,
            debate_id=debate_id,
            phase=VotePhase.PRE,
            voter=_voter(first + n, joined),
            choice=choice,
        )
        ends[n] = time.perf_counter()
        return ballot

    begun = time.perf_counter()
    results = await asyncio.gather(
        *(one(n, next(choices)) for n in range(count)), return_exceptions=True
    )
    elapsed = time.perf_counter() - begun
    latencies = sorted(end - begun for end in ends if end)
    return results, latencies, elapsed


async def _loop_floor(count: int) -> list[float]:
    """The same burst with no work at all: ``count`` tasks submitted at once, each awaiting
    a future that one task resolves as soon as all are waiting. Its latencies are what the
    event loop alone costs, a floor under ``burst_*``."""
    loop = asyncio.get_running_loop()
    waiting: list[asyncio.Future[None]] = []
    ends: list[float] = [0.0] * count
    everyone = loop.create_future()

    async def one(n: int) -> None:
        future: asyncio.Future[None] = loop.create_future()
        waiting.append(future)
        if len(waiting) == count:
            everyone.set_result(None)
        await future
        ends[n] = time.perf_counter()

    async def answer() -> None:
        await everyone
        for future in waiting:
            future.set_result(None)

    begun = time.perf_counter()
    answering = asyncio.create_task(answer())
    await asyncio.gather(*(one(n) for n in range(count)))
    await answering
    return sorted(end - begun for end in ends)


def _lost(results: list[Ballot | BaseException], stored: set[int]) -> int:
    acknowledged = {r.user_id for r in results if isinstance(r, Ballot)}
    return len(acknowledged - stored)


async def _naive(db: Database, debate_id: int, count: int) -> float:
    """One session, add, commit per vote; votes per second."""
    joined = datetime.now(UTC)
    choices = cycle(CHOICES)
    begun = time.perf_counter()
    for n in range(count):
        choice = next(choices).value
        async with AsyncSession(db.engine, expire_on_commit=False) as session:
            for model in (VoteRow, VoteChangeRow):
                session.add(
                    model(
                        debate_id=debate_id,
                        phase=VotePhase.PRE.value,
                        user_id=AUDIENCE + n,
                        choice=choice,
                        cast_at=joined,
                    )
                )
            await session.commit()
    elapsed = time.perf_counter() - begun
    async with db.read() as session:
        stored = (await session.exec(select(func.count()).select_from(VoteRow))).one()
    if stored != count:
        raise SystemExit(f"naive path stored {stored} of {count} votes")
    return count / elapsed


async def service_figures(
    votes: int, burst: int, *, profile: bool, database: str | None = None
) -> dict[str, float | str]:
    """The service path, the naive path and the burst, each on a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(database, Path(folder))
        try:
            return await _service_figures(store, votes, burst, profile=profile)
        finally:
            await store.drop()


async def _service_figures(
    store: Store, votes: int, burst: int, *, profile: bool
) -> dict[str, float | str]:
    db, services, debate_id = await _fresh(store, "service.db")
    await _cast_all(services, debate_id, 0, 500)  # warm up: caches, statements, pool
    settle_heap()  # the collector settings the bot runs with once started
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    results, _, elapsed = await _cast_all(services, debate_id, AUDIENCE, votes)
    if profiler:
        profiler.disable()
        _print_profile(profiler)
    lost = _lost(results, await _stored(db, debate_id))
    refused = sum(isinstance(r, BaseException) for r in results)
    votes_per_s = (votes - refused) / elapsed
    await db.dispose()

    db, services, debate_id = await _fresh(store, "burst.db")
    await _cast_all(services, debate_id, 0, 500)
    results, latencies, _ = await _cast_all(services, debate_id, AUDIENCE, burst)
    lost += _lost(results, await _stored(db, debate_id))
    refused += sum(isinstance(r, BaseException) for r in results)
    await db.dispose()

    floor = await _loop_floor(burst)

    db, _, debate_id = await _fresh(store, "naive.db")
    naive = await _naive(db, debate_id, max(votes // 10, 500))
    await db.dispose()
    return {
        "database": store.kind,
        "votes": votes,
        "votes_per_s": round(votes_per_s, 1),
        "naive_votes_per_s": round(naive, 1),
        "ratio": round(votes_per_s / naive, 2),
        "burst": burst,
        "burst_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "burst_p99_ms": _p(latencies, 0.99),
        "burst_loop_floor_p99_ms": _p(floor, 0.99),
        "refused": refused,
        "lost": lost,
    }


def _print_profile(profiler: cProfile.Profile) -> None:
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(30)
        print(out.getvalue(), file=sys.stderr)


# -- end to end ----------------------------------------------------------------------------------


async def _click_lane(
    local: LocalDiscord, members: list[Member], poll: Message, clicks: int, latencies: list[float]
) -> int:
    """Each member in turn clicks ``clicks`` times, each click after the last one's answer."""
    counted = 0
    buttons = [poll.button(c.label)["custom_id"] for c in CHOICES]
    for member in members:
        for n in range(clicks):
            started = time.perf_counter()
            handle = await local.click(member, poll, buttons[n % len(buttons)])
            response = await handle.response(timeout=30)
            latencies.append(time.perf_counter() - started)
            counted += "is counted" in response["data"]["content"]
    return counted


async def _started_poll(
    local: LocalDiscord, guild: Guild, opener: Member, debaters: list[Member]
) -> Message:
    """Open a debate through the bot, join two debaters, press Start; the poll message."""
    channel = local.add_channel(guild, "debates")
    handle = await local.slash(opener, channel, "debate new", options={"motion": "This House"})
    lobby = await handle.reply(timeout=10)
    for member, label in zip(debaters, ("Join For", "Join Against"), strict=True):
        await (await local.click(member, lobby, lobby.button(label)["custom_id"])).reply()
    start = await local.click(opener, local.message(lobby.id), lobby.button("Start")["custom_id"])
    (said,) = await start.followups(1, timeout=10)
    match = re.search(r"<#(\d+)>", said.content)
    assert match, said.content
    thread_id = int(match[1])

    def poll() -> Message | None:
        found = [m for m in local.messages(thread_id) if "Vote before the debate" in m.content]
        return found[-1] if found else None

    await local.wait_for(lambda: poll() is not None, 10, "the poll before the debate")
    found = poll()
    assert found is not None
    return found


async def click_figures(clicks_per_member: int, database: str | None = None) -> dict[str, float]:
    """``MEMBERS`` members clicking vote buttons on a real bot process, ``LANES`` at a time."""
    async with LocalDiscord() as local:
        guild = local.add_guild("Benchmark Club")
        opener = local.add_member(guild, "moderator")
        debaters = [local.add_member(guild, "for"), local.add_member(guild, "against")]
        members = [local.add_member(guild, f"member-{n}") for n in range(MEMBERS)]
        with tempfile.TemporaryDirectory() as folder:
            async with Store(database, Path(folder)).for_the_bot() as url:
                env = {
                    **os.environ,
                    "DISCORD_TOKEN": local.token,
                    "DISCORD_API_BASE": local.api_base,
                    "DISCORD_GATEWAY_URL": local.gateway_url,
                    "DATABASE_URL": url,
                    "DEV_GUILD_ID": str(guild.id),
                    "LOG_LEVEL": "WARNING",
                }
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", env=env, cwd=folder
                )
                try:
                    await local.wait_for_commands(guild.id, timeout=30)
                    await local.wait_for_sessions(1, timeout=30)
                    poll = await _started_poll(local, guild, opener, debaters)
                    latencies: list[float] = []
                    begun = time.perf_counter()
                    counted = await asyncio.gather(
                        *(
                            _click_lane(
                                local, members[lane::LANES], poll, clicks_per_member, latencies
                            )
                            for lane in range(LANES)
                        )
                    )
                    elapsed = time.perf_counter() - begun
                finally:
                    process.terminate()
                    await process.wait()
    total = MEMBERS * clicks_per_member
    if sum(counted) != total:
        raise SystemExit(f"only {sum(counted)} of {total} clicks were counted")
    ordered = sorted(latencies)
    return {
        "clicks": total,
        "clicks_per_s": round(total / elapsed, 1),
        "clicks_p50_ms": round(statistics.median(ordered) * 1000, 2),
        "clicks_p99_ms": _p(ordered, 0.99),
    }


def main() -> None:
    """Parse the options, measure, print key=value lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--votes", type=int, default=20_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--clicks-per-member", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-clicks", action="store_true", help="skip the end-to-end part")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="measure on this database (postgresql+asyncpg://...) instead of SQLite files",
    )
    args = parser.parse_args()
    figures = asyncio.run(
        service_figures(args.votes, args.burst, profile=args.profile, database=args.database)
    )
    for key, value in figures.items():
        print(f"{key}={value}", flush=True)
    if not args.no_clicks:
        for key, value in asyncio.run(click_figures(args.clicks_per_member, args.database)).items():
            print(f"{key}={value}")


if __name__ == "__main__":
    main()
