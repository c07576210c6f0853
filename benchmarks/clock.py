"""Many debates' clocks in one bot: how late phases change, memory, REST per change.

    python benchmarks/clock.py [--debates 5000] [--phase-seconds 30] [--profile FILE]

What is measured is the bot alone. The local Discord runs in a child process of its own
(``benchmarks/_local_discord.py``: one guild, one text channel per debate, the last four
messages per channel kept, no exchange records) and tells this process where it listens;
this process is the bot (Agora, its services, a fresh SQLite file in a temporary folder),
connected to it over HTTP and the gateway the way ``python -m bot`` would be. So the
bot's memory, CPU and event loop are not shared with the emulator's: ``rss_mb`` is the
bot's peak resident size, and the emulator cannot delay the bot's deadlines.

A custom format ``bench`` has a first phase of ``--staging-seconds`` (600), long enough
for set-up, then nine one-speaker phases of ``--phase-seconds``, and no warnings, so every
due clock is a phase change (post the new phase message, edit the old one) and nothing
else goes over REST.

Set-up, not measured: every debate is opened with ``services.debates.create`` and gets two
debaters through ``services.debates.join`` (made-up user ids). Staging: each debate is
started (``services.clocks.start``) and staged by the cog's ``Conductor.stage_debate``
(its thread, audience thread, sides, first phase message and poll), ``--staging-concurrency``
at a time, all inside the long first phase; then the heap is settled as the bot settles it
after start-up (``bot.app.settle_heap``: one collection, and what survives is frozen) and
the bot is let work off what set-up left (``settling_s``: until its event loop has run two
seconds without a 10 ms stall, so that the skips are not bunched by set-up's backlog).
Then every debate is moved into the short phases by a moderator's Skip
(``services.clocks.move``, announced by ``Conductor.announce`` as the dispatcher's changes
are), the skips spread evenly over one
short phase so that the deadlines after them are staggered. ``skipping_s`` longer than
the phase means the bot could not keep up even with that.

Measured, in a window of two short phases that starts one short phase after every skip
was announced (so that deadlines which fell due while skipping overran are not counted):

- ``lateness_*``: how late the dispatcher moved each clock that fell due in the window
  (``ClockService.record_lateness``, from the due time to the committed move);
- ``phase_changes`` and ``phase_changes_per_s``: the clocks moved in the window (the
  offered load is ``debates / phase-seconds`` changes per second);
- ``rest_calls_per_phase``: the bot's REST requests that change something (not GETs,
  not interaction callbacks), counted on the bot's side by wrapping its
  ``HTTPClient.request``, divided by the phase changes in the window;
- ``announcements_pending``: phase changes committed but not yet announced at the end;
- ``bot_cpu_share``/``emulator_cpu_share``: CPU seconds per second of the window;
- ``rss_ready_mb`` (connected, no debates), ``rss_staged_mb`` (every debate staged),
  ``rss_mb`` (peak, ``ru_maxrss``) and ``rss_now_mb``: the bot process's resident size;
- ``ratelimit_buckets`` and ``ratelimit_sweep_ms``: discord.py's rate-limit buckets at
  the end and the time of one ``_try_clear_expired_ratelimits`` sweep over them, which
  discord.py runs whenever it makes a new bucket once there are 256 or more;
- ``loadavg_1m_before``/``_after``: the machine's load, to judge the figures by.

Connections: the bot gets an aiohttp connector limited to ``--connection-limit`` (100)
reused connections; ``0`` keeps discord.py's default (no limit). ``--profile FILE`` runs
cProfile over staging and skipping (into ``FILE.staging``) and over the window (into
``FILE``) and prints the top costs on stderr; it slows the bot, so do not read lateness
from such a run.

Targets: p99 lateness < 50 ms, RSS < 250 MB, <= 2 REST calls per phase change.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import logging
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import discord

from bot.app import Agora, Services, settle_heap
from bot.db.database import Database
from bot.domain.clock import ClockEvent
from bot.domain.debate import Actor, Preference
from bot.settings import Settings

PHASES = 10
FIRST_USER = 7_000_000_000_000_000
CHUNK = 200
EMULATOR = Path(__file__).resolve().with_name("_local_discord.py")
ROOT = EMULATOR.parent.parent


def bench_format(staging_seconds: int, phase_seconds: int) -> str:
    """The TOML of a format: a staging phase, then short alternating speeches, no warnings."""
    lines = [
        'name = "Bench"',
        'description = "A long first phase, then short ones, for the clock benchmark."',
        'vote = "majority"',
        "debaters_per_side = { min = 1, max = 1 }",
    ]
    for n in range(PHASES):
        side = "for" if n % 2 == 0 else "against"
        lines += ["", "[[phase]]", f'name = "Phase {n + 1}"', f'speaker = "{side}"']
        lines.append(f"seconds = {staging_seconds if n == 0 else phase_seconds}")
    return "\n".join(lines) + "\n"


class RestCounter:
    """Counts the bot's REST requests that change something: not GETs, not interaction
    callbacks (there are none here), by wrapping its ``HTTPClient.request``."""

    def __init__(self, http: discord.http.HTTPClient) -> None:
        self.writes = 0
        original = http.request

        async def request(route: discord.http.Route, **kwargs: Any) -> Any:
            if route.method != "GET" and "/callback" not in route.path:
                self.writes += 1
            return await original(route, **kwargs)

        http.request = request  # type: ignore[method-assign]


class Stalls:
    """The collector's passes and the event loop's lag, while started."""

    def __init__(self) -> None:
        self.gc_pauses: list[tuple[int, float]] = []
        self.lag: list[float] = []
        self._began = 0.0
        self._task: asyncio.Task[None] | None = None

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.gc_pauses.append((info["generation"], time.perf_counter() - self._began))

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            await asyncio.sleep(0.01)
            self.lag.append(loop.time() - asked - 0.01)

    def start(self) -> None:
        """Begin watching."""
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._watch())

    def stop(self) -> None:
        """Stop watching."""
        gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()


def rss_now_mb() -> float:
    """The current resident size of this process (the bot)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int | None = None) -> float:
    """User and system CPU time of this process, or of process ``pid``."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(ordered: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted values lie."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * share) - 1))]


async def settled(limit_s: float = 120.0) -> float:
    """Wait until the bot has worked off set-up (the gateway's backlog of events, staging's
    last messages): two seconds in a row in which the event loop was never late by 10 ms
    or more. Returns the seconds waited."""
    loop = asyncio.get_running_loop()
    began = calm_since = loop.time()
    while loop.time() - began < limit_s:
        asked = loop.time()
        await asyncio.sleep(0.01)
        if loop.time() - asked - 0.01 >= 0.01:
            calm_since = loop.time()
        elif loop.time() - calm_since >= 2.0:
            break
    return loop.time() - began


def announcing() -> list[asyncio.Task[object]]:
    """The phase announcements under way (the clock service's ``in_turn`` tasks)."""
    return [
        t for t in asyncio.all_tasks() if "in_turn" in getattr(t.get_coro(), "__qualname__", "")
    ]


def report(profiler: cProfile.Profile, path: str, what: str) -> None:
    """Save a profile to ``path`` and print its top costs on stderr."""
    profiler.dump_stats(path)
    print(f"== profile of {what} ({path})", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


async def start_emulator(debates: int) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    """The local Discord in a child process, and what it printed about itself."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EMULATOR),
        "--channels",
        str(debates),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=env,
        limit=2**26,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
    if not line:
        raise SystemExit("the local Discord did not start")
    return process, json.loads(line)


async def measure(
    debates: int,
    phase_seconds: int,
    staging_seconds: int,
    staging_concurrency: int,
    connection_limit: int,
    profile: str | None,
) -> dict[str, float]:
    """Run the scenario once and return its figures."""
    load_before = os.getloadavg()[0]
    emulator, local = await start_emulator(debates)
    guild_id: int = local["guild_id"]
    owner: int = local["owner_id"]
    channels: list[int] = local["channel_ids"]
    folder = tempfile.TemporaryDirectory()
    settings = Settings(
        discord_token=local["token"],
        database_url=f"sqlite+aiosqlite:///{Path(folder.name) / 'agora.db'}",
        discord_api_base=local["api_base"],
        discord_gateway_url=local["gateway_url"],
        dev_guild_id=guild_id,
    )
    db = Database(settings.database_url)
    await db.upgrade()
    services = Services.build(db)
    options: dict[str, object] = {"guild_ready_timeout": 0.05}
    if connection_limit:
        options["connector"] = aiohttp.TCPConnector(limit=connection_limit)
    bot = Agora(settings, services, **options)
    rest = RestCounter(bot.http)
    connection: asyncio.Task[None] | None = None
    try:
        await bot.login(local["token"])
        connection = asyncio.create_task(bot.connect(reconnect=True))
        await asyncio.wait_for(bot.wait_until_ready(), timeout=120)
        rss_ready = rss_now_mb()
        conductor = bot.get_cog("Debate").conductor  # type: ignore[union-attr]
        actor = Actor(owner, manages_server=True)
        await services.formats.save(
            guild_id=guild_id,
            key="bench",
            source=bench_format(staging_seconds, phase_seconds),
            user_id=owner,
        )

        async def open_one(i: int) -> int:
            snapshot = await services.debates.create(
                guild_id=guild_id,
                channel_id=channels[i],
                creator_id=owner,
                motion=f"This House would tick number {i}",
                format_key="bench",
            )
            debate_id = snapshot.debate.id
            for user, side in ((0, Preference.FOR), (1, Preference.AGAINST)):
                await services.debates.join(
                    guild_id=guild_id,
                    debate_id=debate_id,
                    user_id=FIRST_USER + 2 * i + user,
                    preference=side,
                )
            return debate_id

        loop = asyncio.get_running_loop()
        began = loop.time()
        ids: list[int] = []
        for low in range(0, debates, CHUNK):
            ids += await asyncio.gather(
                *(open_one(i) for i in range(low, min(debates, low + CHUNK)))
            )
        opened = loop.time() - began

        # Staging: as fast as it goes, all inside the long first phase.
        versions: dict[int, int] = {}
        gate = asyncio.Semaphore(staging_concurrency)

        async def stage_one(i: int) -> None:
            async with gate:
                started = await services.clocks.start(
                    guild_id=guild_id, debate_id=ids[i], actor=actor
                )
                await conductor.stage_debate(started, channels[i], None)
                versions[i] = started.change.floor.clock.version

        staging_profiler = cProfile.Profile() if profile else None
        if staging_profiler is not None:
            staging_profiler.enable()
        began = loop.time()
        await asyncio.gather(*(stage_one(i) for i in range(debates)))
        staging = loop.time() - began
        if staging > staging_seconds * 0.9:
            raise SystemExit(
                f"staging took {staging:.0f} s: raise --staging-seconds ({staging_seconds})"
            )
        rss_staged = rss_now_mb()
        # Set-up made 5,000 debates' long-lived objects (threads, caches, rate-limit
        # buckets) within seconds, which no live bot does: settle them as the bot settles
        # its heap after start-up, so that the window is not charged a collector pass over
        # set-up's objects.
        settle_heap()
        settling = await settled()

        # Skip every debate into the short phases, spread over one short phase, so that
        # their deadlines are staggered; announced as the Skip button would be.
        async def skip_one(i: int) -> None:
            change = await services.clocks.move(
                guild_id=guild_id,
                debate_id=ids[i],
                event=ClockEvent.SKIP,
                version=versions[i],
                actor=actor,
            )
            await conductor.announce(change)

        began = loop.time()
        skips: list[asyncio.Task[None]] = []
        for i in range(debates):
            delay = began + phase_seconds * i / debates - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            skips.append(asyncio.create_task(skip_one(i)))
        await asyncio.gather(*skips)
        skipping = loop.time() - began
        # Skips that overran their phase leave deadlines already due: let one short phase
        # pass so that the window starts in steady state, not in set-up's backlog.
        await asyncio.sleep(phase_seconds)

        # The measured window: two short phases of steady state.
        lateness = services.clocks.record_lateness()
        calls_before = rest.writes
        cpu_before, emulator_before = cpu_seconds(), cpu_seconds(emulator.pid)
        if staging_profiler is not None:
            staging_profiler.disable()
            report(staging_profiler, f"{profile}.staging", "staging and skipping")
        profiler = cProfile.Profile() if profile else None
        window = 2 * phase_seconds
        stalls = Stalls()
        stalls.start()
        if profiler is not None:
            profiler.enable()
        await asyncio.sleep(window)
        if profiler is not None:
            profiler.disable()
        stalls.stop()
        calls = rest.writes - calls_before
        cpu_bot = cpu_seconds() - cpu_before
        cpu_emulator = cpu_seconds(emulator.pid) - emulator_before
        moved = len(lateness)
        backlog = len(announcing())
        load_after = os.getloadavg()[0]
        # discord.py sweeps all its rate-limit buckets whenever it makes a new one (past 256).
        buckets = len(bot.http._buckets)
        swept = time.perf_counter()
        bot.http._try_clear_expired_ratelimits()
        sweep = time.perf_counter() - swept
    finally:
        # Stop the dispatcher and let the announcements under way finish before closing.
        if bot.get_cog("Debate") is not None:
            await bot.get_cog("Debate").conductor.end()  # type: ignore[union-attr]
        pending = announcing()
        if pending:
            await asyncio.wait(pending, timeout=5)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await bot.close()
        if connection is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await connection
        await db.dispose()
        emulator.terminate()
        await emulator.wait()
        folder.cleanup()

    if profiler is not None and profile:
        report(profiler, profile, "the measured window")
    ordered = sorted(lateness)
    return {
        "debates": debates,
        "phase_seconds": phase_seconds,
        "setup_s": round(opened, 1),
        "staging_s": round(staging, 1),
        "settling_s": round(settling, 1),
        "skipping_s": round(skipping, 1),
        "window_s": window,
        "phase_changes": moved,
        "phase_changes_per_s": round(moved / window, 1),
        "lateness_p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else 0.0,
        "lateness_p99_ms": round(percentile(ordered, 0.99) * 1000, 2),
        "lateness_max_ms": round((ordered[-1] if ordered else 0.0) * 1000, 2),
        "loop_lag_p99_ms": round(percentile(sorted(stalls.lag), 0.99) * 1000, 2),
        "loop_lag_max_ms": round(max(stalls.lag, default=0.0) * 1000, 2),
        **{
            f"gc{generation}_passes": sum(g == generation for g, _ in stalls.gc_pauses)
            for generation in range(3)
        },
        **{
            f"gc{generation}_pause_max_ms": round(
                max((p for g, p in stalls.gc_pauses if g == generation), default=0.0) * 1000, 2
            )
            for generation in range(3)
        },
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_ready_mb": round(rss_ready, 1),
        "rss_staged_mb": round(rss_staged, 1),
        "rss_now_mb": round(rss_now_mb(), 1),
        "bot_cpu_share": round(cpu_bot / window, 3),
        "emulator_cpu_share": round(cpu_emulator / window, 3),
        "announcements_pending": backlog,
        "ratelimit_buckets": buckets,
        "ratelimit_sweep_ms": round(sweep * 1000, 2),
        "rest_calls": calls,
        "rest_calls_per_phase": round(calls / moved, 3) if moved else float("nan"),
        "loadavg_1m_before": round(load_before, 2),
        "loadavg_1m_after": round(load_after, 2),
    }


def main() -> None:
    """Parse the options, measure, print key=value lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--debates", type=int, default=5000)
    parser.add_argument(
        "--phase-seconds",
        type=int,
        default=30,
        help="length of the short phases; the load is debates / phase-seconds changes per s",
    )
    parser.add_argument(
        "--staging-seconds",
        type=int,
        default=600,
        help="length of the first phase, in which every debate is staged",
    )
    parser.add_argument(
        "--staging-concurrency", type=int, default=50, help="debates staged at once"
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the measured window into FILE")
    parser.add_argument(
        "--connection-limit",
        type=int,
        default=100,
        help="most HTTP connections the bot opens (0: discord.py's default, unlimited)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for key, value in asyncio.run(
        measure(
            args.debates,
            args.phase_seconds,
            args.staging_seconds,
            args.staging_concurrency,
            args.connection_limit,
            args.profile,
        )
    ).items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
