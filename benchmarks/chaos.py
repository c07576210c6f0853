"""Debate nights with the bot killed (SIGKILL) at seeded random moments, then restarted.

    python benchmarks/chaos.py [--trials 100] [--per-round 10] [--seed 1]

Runs ``tests/support/chaos.py``: ``python -m bot`` on a SQLite file against the local
Discord, ``--per-round`` nights at a time (each in its own channel, started so that the
round's one kill lands at a different moment of each), until ``--trials`` nights are
played. Prints ``key=value`` lines:

- ``trials``: nights played;
- ``acked_votes``: votes the bot told a member "is counted";
- ``lost_votes``: of those, votes not in the database with that choice (target 0);
- ``stuck_debates``: nights that never reached a stored and revealed verdict (target 0);
- ``max_resume_lateness_s``: the latest phase change after its stored deadline, or after
  the restarted bot's IDENTIFY for a deadline that passed while it was down (target < 1);
- ``duplicate_announcements``: start, phase, poll or verdict messages posted twice
  (target 0);
- ``missing_announcements``: such messages never posted;
- ``seconds``: how long the run took.

Each failed check is also printed to stderr, one line per night.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox import LocalDiscord  # noqa: E402
from tests.support.chaos import Chaos, Totals  # noqa: E402

MANAGE_GUILD = 1 << 5


async def play(trials: int, per_round: int, seed: int) -> Totals:
    """Play the nights against a fresh local Discord and database."""
    async with LocalDiscord() as local:
        guild = local.add_guild("Chaos Club")
        admins = local.add_role(guild, "Admins", permissions=MANAGE_GUILD)
        admin = local.add_member(guild, "admin", roles=[admins])
        with tempfile.TemporaryDirectory() as folder:
            chaos = Chaos(local, guild, admin, Path(folder))
            return await chaos.run(trials, per_round=per_round, seed=seed)


def main() -> None:
    """Parse the options, play, print key=value lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    began = time.perf_counter()
    totals = asyncio.run(play(args.trials, args.per_round, args.seed))
    figures = {
        "trials": totals.trials,
        "acked_votes": totals.acked_votes,
        "lost_votes": totals.lost_votes,
        "stuck_debates": totals.stuck_debates,
        "max_resume_lateness_s": round(totals.max_resume_lateness_s, 3),
        "duplicate_announcements": totals.duplicate_announcements,
        "missing_announcements": totals.missing_announcements,
        "seconds": round(time.perf_counter() - began, 1),
    }
    for key, value in figures.items():
        print(f"{key}={value}", flush=True)
    for problem in totals.problems():
        print(problem, file=sys.stderr)


if __name__ == "__main__":
    main()
