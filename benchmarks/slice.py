"""The first playable slice, measured: start-up and lobby clicks.

    python benchmarks/slice.py [--clicks-per-member 50]

Starts the local Discord in this process and ``python -m bot`` as a child process against
it (a fresh SQLite file), exactly as a person would run it. Prints ``key=value`` lines:

- ``startup_ready_s``: from starting the process to its commands being synced;
- ``join_clicks_per_s`` and ``join_p50_ms``/``join_p99_ms``: 20 members clicking Join
  buttons concurrently (each click switches their side, so each one is a stored write),
  timed from the click's dispatch to the bot's answer, which it sends only after commit.

Targets on the 2-core reference machine: ready < 1.5 s, >= 500 clicks/s, p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.sandbox import LocalDiscord, Member, Message

MEMBERS = 20
LOBBIES = 4


async def _click_loop(
    local: LocalDiscord, member: Member, lobby: Message, clicks: int, latencies: list[float]
) -> list[str]:
    answers = []
    buttons = [lobby.button("Join For")["custom_id"], lobby.button("Join Against")["custom_id"]]
    for n in range(clicks):
        started = time.perf_counter()
        handle = await local.click(member, lobby, buttons[n % 2])
        response = await handle.response(timeout=30)
        latencies.append(time.perf_counter() - started)
        answers.append(response["data"]["content"])
    return answers


async def measure(clicks_per_member: int) -> dict[str, float]:
    """Run the scenario once and return its figures."""
    async with LocalDiscord() as local:
        guild = local.add_guild("Benchmark Club")
        channels = [local.add_channel(guild, f"debate-{n}") for n in range(LOBBIES)]
        members = [local.add_member(guild, f"member-{n}") for n in range(MEMBERS)]
        with tempfile.TemporaryDirectory() as folder:
            env = {
                **os.environ,
                "DISCORD_TOKEN": local.token,
                "DISCORD_API_BASE": local.api_base,
                "DISCORD_GATEWAY_URL": local.gateway_url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'agora.db'}",
                "DEV_GUILD_ID": str(guild.id),
                "LOG_LEVEL": "WARNING",
            }
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", env=env, cwd=folder
            )
            try:
                await local.wait_for_commands(guild.id, timeout=30)
                ready = time.perf_counter() - started
                await local.wait_for_sessions(1, timeout=30)
                lobbies = []
                for channel, opener in zip(channels, members, strict=False):
                    handle = await local.slash(
                        opener, channel, "debate new", options={"motion": "This House would"}
                    )
                    lobbies.append(await handle.reply(timeout=10))
                latencies: list[float] = []
                begun = time.perf_counter()
                answers = await asyncio.gather(
                    *(
                        _click_loop(local, m, lobbies[i % LOBBIES], clicks_per_member, latencies)
                        for i, m in enumerate(members)
                    )
                )
                elapsed = time.perf_counter() - begun
            finally:
                process.terminate()
                await process.wait()
    stored = sum(a.startswith(("You joined", "You switched")) for run in answers for a in run)
    total = MEMBERS * clicks_per_member
    if stored != total:
        raise SystemExit(f"only {stored} of {total} clicks were stored: {answers[0][:3]}")
    ordered = sorted(latencies)
    return {
        "startup_ready_s": round(ready, 3),
        "join_clicks": total,
        "join_clicks_per_s": round(total / elapsed, 1),
        "join_p50_ms": round(statistics.median(ordered) * 1000, 2),
        "join_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    }


def main() -> None:
    """Parse the options, measure, print key=value lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clicks-per-member", type=int, default=50)
    args = parser.parse_args()
    for key, value in asyncio.run(measure(args.clicks_per_member)).items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
