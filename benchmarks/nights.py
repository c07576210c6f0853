"""Debate nights, measured: computing when each schedule next fires, and how late it fires.

    python benchmarks/nights.py [--schedules 10000] [--servers 1000] [--hot 750]
                                [--minutes 3] [--seed 7]

Stores ``--schedules`` schedules spread over ``--servers`` servers in a fresh SQLite file:
weekdays, evening times, ten IANA time zones (both hemispheres, so some are in summer time)
and reminder sets drawn at random; ``--hot`` of them are laid out so that one of their
events (a 24h, 1h or 10 min reminder, a start or a quorum check) falls due on one of the
next ``--minutes`` whole minutes: by default 250 events at each instant, about three and a
half times the busiest instant of the drawn population (``peak_events_per_instant``, counted
over the next two weeks). Then it runs the real
``ScheduleService`` dispatcher on the wall clock (announcing to nowhere: this is the
decision path, not Discord) until every hot event has fired.

Prints ``key=value`` lines:

- ``schedules``, ``servers``: what was stored;
- ``peak_events_per_instant``: the most events of the drawn (not hot) schedules that fall
  due at one instant in the next two weeks;
- ``next_fire_p50_ms``/``next_fire_p99_ms``: ``next_event`` (the domain's "when must the
  dispatcher wake for this schedule"), once per schedule;
- ``recover_s``: ``ScheduleService.recover`` over every schedule (what a restart costs);
- ``fired``: events decided, claimed and committed while measuring;
- ``dispatch_lateness_p50_ms``/``dispatch_lateness_p99_ms``: from an event's due time to the
  commit of its claimed idempotency key (the moment it may be announced).

Target on the 2-core reference machine: dispatch lateness p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import utcnow
from bot.db import repository as repo
from bot.db.database import Database
from bot.db.writer import BatchWriter
from bot.domain import schedule as rules
from bot.domain.schedule import Schedule
from bot.formats import builtin_formats
from bot.services.debates import DebateService
from bot.services.formats import FormatCatalog
from bot.services.schedules import Firing, ScheduleService

ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Africa/Lagos",
)
REMINDER_SETS = ((86400, 3600), (86400, 3600, 600), (3600,), (7200, 600), ())
HOT_OFFSETS = (86400, 3600, 600, 0, -600)
"""Where a hot schedule's event sits from its night's start: reminders, start, quorum."""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def background(index: int, guild: int, rng: random.Random, now: datetime) -> Schedule:
    """An ordinary schedule: some evening of the week in some time zone."""
    return rules.new_schedule(
        id=0,
        guild_id=guild,
        name=f"Night {index}",
        weekday=rng.randrange(7),
        local_time=datetime(2000, 1, 1, rng.randrange(17, 23), rng.choice((0, 15, 30, 45))).time(),
        tz_name=rng.choice(ZONES),
        now=now,
        every_weeks=rng.choice((1, 1, 1, 2)),
        reminders=rng.choice(REMINDER_SETS),
        quorum=rng.randrange(2, 7),
        channel_id=guild * 10,
    )


def hot(index: int, guild: int, rng: random.Random, due: datetime) -> Schedule:
    """A schedule with one event falling due at ``due``."""
    offset = HOT_OFFSETS[index % len(HOT_OFFSETS)]
    zone = ZoneInfo(rng.choice(ZONES))
    start = (due + timedelta(seconds=offset)).astimezone(zone)
    reminders = (offset,) if offset > 0 else (86400,)
    return rules.new_schedule(
        id=0,
        guild_id=guild,
        name=f"Hot night {index}",
        weekday=start.weekday(),
        local_time=start.time().replace(tzinfo=None),
        tz_name=str(zone),
        now=due - timedelta(hours=2),  # this week's night, even for a quorum check now
        reminders=reminders,
        channel_id=guild * 10,
    )


async def store(db: Database, schedules: list[Schedule], now: datetime) -> None:
    async with db.write() as session:
        for schedule in schedules:
            await repo.add_schedule(session, schedule=schedule, created_by=1, now=now)


async def run(args: argparse.Namespace) -> dict[str, object]:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'nights.db'}")
        await db.upgrade()
        writer = BatchWriter(db)
        formats = FormatCatalog(db, builtin_formats(), utcnow)
        service = ScheduleService(db, DebateService(db, writer, formats, utcnow), utcnow)

        now = utcnow()
        first = (now + timedelta(seconds=25)).replace(second=0, microsecond=0) + timedelta(
            minutes=1
        )
        minutes = [first + timedelta(minutes=m) for m in range(args.minutes)]
        guilds = [10_000 + g for g in range(args.servers)]
        built = [
            hot(i, guilds[i % len(guilds)], rng, minutes[i % len(minutes)]) for i in range(args.hot)
        ]
        built += [
            background(i, guilds[i % len(guilds)], rng, now)
            for i in range(args.hot, args.schedules)
        ]
        await store(db, built, now)

        peak = Counter(
            event.fire_at
            for schedule in built[args.hot :]
            for event in rules.events_between(schedule, now, now + timedelta(days=14))
        )
        timings = []
        for schedule in built:
            began = time.perf_counter()
            rules.next_event(schedule, now)
            timings.append((time.perf_counter() - began) * 1000)

        began = time.perf_counter()
        await service.recover()
        recover_s = time.perf_counter() - began

        lateness = service.record_lateness()
        fired: list[Firing] = []
        done = asyncio.Event()
        expected = args.hot

        async def announce(firings: list[Firing]) -> None:
            fired.extend(firings)
            # Hot schedules were stored first: their ids are 1 to ``--hot``.
            if (
                sum(f.schedule.id <= expected and f.event.fire_at in minutes for f in fired)
                >= expected
            ):
                done.set()

        task = asyncio.create_task(service.run(announce))
        deadline = (minutes[-1] - utcnow()).total_seconds() + 30
        await asyncio.wait_for(done.wait(), deadline)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.dispose()

    return {
        "schedules": len(built),
        "servers": len(guilds),
        "peak_events_per_instant": max(peak.values(), default=0),
        "next_fire_p50_ms": round(statistics.median(timings), 3),
        "next_fire_p99_ms": round(percentile(timings, 0.99), 3),
        "recover_s": round(recover_s, 2),
        "fired": len(fired),
        "dispatch_lateness_p50_ms": round(statistics.median(lateness) * 1000, 1),
        "dispatch_lateness_p99_ms": round(percentile(lateness, 0.99) * 1000, 1),
    }


def main() -> None:
    """Parse the options, run, print ``key=value`` lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--servers", type=int, default=1_000)
    parser.add_argument("--hot", type=int, default=750)
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for key, value in asyncio.run(run(args)).items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
