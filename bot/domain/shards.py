"""Which servers a process serves when the bot runs as several gateway shards.

Discord sends each server's events to one shard: ``(guild_id >> 22) % shard_count``. A
process running some of the shards answers only those servers' interactions, so it must
also be the only one to run their clocks, close their votes and fire their debate nights:
``Shards.owns`` is the rule every recovery applies, and what a process serves after it
comes only from those recoveries and from its own servers' interactions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards one process runs, out of ``count``."""

    count: int = 1
    ids: frozenset[int] = frozenset({0})

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"the shard count must be at least 1, not {self.count}")
        if not self.ids:
            raise ValueError("a process must run at least one shard")
        outside = sorted(i for i in self.ids if not 0 <= i < self.count)
        if outside:
            raise ValueError(
                f"shard ids must be between 0 and {self.count - 1} (SHARD_COUNT - 1), "
                f"not {', '.join(map(str, outside))}"
            )

    @classmethod
    def of(cls, count: int | None, ids: tuple[int, ...] | None) -> Shards:
        """The shards a process runs: all of ``count`` (one if unset) unless ``ids`` says."""
        total = count or 1
        return cls(total, frozenset(range(total) if ids is None else ids))

    @property
    def every(self) -> bool:
        """Whether this process runs every shard (then it serves every server)."""
        return len(self.ids) == self.count

    def shard_of(self, guild_id: int) -> int:
        """The shard Discord sends this server's events to."""
        return (guild_id >> 22) % self.count

    def owns(self, guild_id: int) -> bool:
        """Whether this process serves this server."""
        return self.every or self.shard_of(guild_id) in self.ids


ALL_SHARDS = Shards()
"""One process serving every server (one shard, or every shard of an automatic count)."""
