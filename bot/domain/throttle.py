"""How fast one member may click: a token bucket per member.

Theory of operation
-------------------
Each member has a bucket holding at most ``capacity`` tokens; it refills continuously at
``capacity / window`` tokens a second. A click takes one token; a click that finds less
than one token is refused and takes nothing, so a member who stops spamming gets their
clicks back as the bucket refills. A full bucket behaves exactly like a member never seen,
so full buckets are forgotten whenever more than ``max_members`` are kept: memory stays
bounded without ever changing an answer. Nothing here reads the time; callers pass ``now``
(seconds on any monotonic clock).
"""

from __future__ import annotations

from dataclasses import dataclass

CLICKS_PER_WINDOW = 8
"""Clicks one member may make at once, and again every ``WINDOW_SECONDS``."""
WINDOW_SECONDS = 5.0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class ClickLimiter:
    """Token buckets keyed by member id: ``capacity`` clicks at once, refilled over ``window``."""

    def __init__(
        self,
        capacity: int = CLICKS_PER_WINDOW,
        window: float = WINDOW_SECONDS,
        *,
        max_members: int = 10_000,
    ) -> None:
        if capacity < 1 or window <= 0:
            raise ValueError("a limiter needs a capacity of at least 1 and a positive window")
        self.capacity = float(capacity)
        self.rate = capacity / window
        self.max_members = max_members
        self._buckets: dict[int, _Bucket] = {}

    def allow(self, member_id: int, now: float) -> bool:
        """Whether this click goes through; if it does, it takes one token."""
        bucket = self._buckets.get(member_id)
        tokens = self.capacity if bucket is None else self._level(bucket, now)
        if tokens < 1.0:
            if bucket is not None:
                bucket.tokens, bucket.at = tokens, max(now, bucket.at)
            return False
        if bucket is None:
            if len(self._buckets) >= self.max_members:
                self._forget_full(now)
            self._buckets[member_id] = _Bucket(tokens - 1.0, now)
        else:
            bucket.tokens, bucket.at = tokens - 1.0, max(now, bucket.at)
        return True

    def tracked(self) -> int:
        """How many members' buckets are kept (full ones may be forgotten)."""
        return len(self._buckets)

    def _level(self, bucket: _Bucket, now: float) -> float:
        # A clock that steps back refills nothing rather than draining the bucket.
        elapsed = max(0.0, now - bucket.at)
        return min(self.capacity, bucket.tokens + elapsed * self.rate)

    def _forget_full(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if self._level(b, now) >= self.capacity]
        for key in full:
            del self._buckets[key]
