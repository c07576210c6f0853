"""The local Discord as a process of its own, for benchmarks that measure only the bot.

    python benchmarks/_local_discord.py --channels 5000

Starts ``LocalDiscord`` (the last four messages per channel, no exchange records), adds a
guild with ``--channels`` text channels and prints one JSON line on stdout: ``api_base``,
``gateway_url``, ``token``, ``guild_id``, ``owner_id`` and ``channel_ids``. It then serves
until it is sent SIGTERM or SIGINT, or its stdin closes (the parent died).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys

from bot.sandbox import LocalDiscord


async def serve(channels: int) -> None:
    """Serve a guild with ``channels`` channels until told to stop."""
    async with LocalDiscord(keep_messages=4, keep_exchanges=0) as local:
        guild = local.add_guild("Clock Bench")
        ids = [local.add_channel(guild, f"d{i}").id for i in range(channels)]
        print(
            json.dumps(
                {
                    "api_base": local.api_base,
                    "gateway_url": local.gateway_url,
                    "token": local.token,
                    "guild_id": guild.id,
                    "owner_id": guild.owner_id,
                    "channel_ids": ids,
                }
            ),
            flush=True,
        )
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        # The parent holds our stdin open as a pipe: EOF means it is gone.
        fd = sys.stdin.fileno()
        with contextlib.suppress(PermissionError):  # not a pipe (/dev/null): signals only
            loop.add_reader(fd, lambda: os.read(fd, 4096) or stop.set())
        await stop.wait()


def main() -> None:
    """Parse the options and serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, required=True)
    asyncio.run(serve(parser.parse_args().channels))


if __name__ == "__main__":
    main()
