"""Discord-style snowflakes and timestamps for the local Discord."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000


def iso(at: float) -> str:
    """Format a UNIX timestamp the way Discord does (ISO 8601, microseconds, +00:00)."""
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="microseconds")


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 timestamp sent by a client; naive values are taken as UTC."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def snowflake_ms(snowflake: int) -> int:
    """The UNIX time in milliseconds a snowflake was made at."""
    return (snowflake >> 22) + DISCORD_EPOCH_MS


class SnowflakeFactory:
    """Makes unique, increasing snowflakes whose timestamp part is real time.

    Every snowflake gets a millisecond of its own (the clock is nudged forward when
    ids are made faster than one per millisecond), so consecutive guild ids land on
    different shards the way ``(id >> 22) % shard_count`` spreads real guilds.
    """

    def __init__(self, clock: Callable[[], float] = time.time, *, worker: int = 1) -> None:
        self._clock = clock
        self._worker = worker & 0x1F
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        """A new snowflake, larger than every one made before."""
        ms = max(int(self._clock() * 1000), self._last_ms + 1)
        self._last_ms = ms
        self._increment = (self._increment + 1) & 0xFFF
        return ((ms - DISCORD_EPOCH_MS) << 22) | (self._worker << 17) | self._increment

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A new snowflake that ``(id >> 22) % shard_count`` maps to ``shard_id``."""
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} is not in range(0, {shard_count})")
        ms = max(int(self._clock() * 1000), self._last_ms + 1)
        while (ms - DISCORD_EPOCH_MS) % shard_count != shard_id:
            ms += 1
        self._last_ms = ms - 1
        return self.next()

    def seen(self, snowflake: int) -> None:
        """Note an id chosen by the caller so later ids stay larger than it."""
        self._last_ms = max(self._last_ms, snowflake_ms(snowflake))
