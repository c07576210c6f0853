"""One task that sleeps until the next due time of many things (clocks, polls).

Entries are (due time, key, version) in a heap; a later ``schedule`` for the same key
replaces the earlier entry, which is skipped when it comes up. ``poke`` makes the task look
again at once (after a test moved its clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

log = logging.getLogger("agora.dispatch")

Now = Callable[[], datetime]


class Dispatcher:
    """One task that sleeps until the next clock falls due, for every debate."""

    def __init__(self, now: Now) -> None:
        self._now = now
        self._heap: list[tuple[datetime, int, int]] = []
        self._current: dict[int, tuple[datetime, int]] = {}
        self._wake = asyncio.Event()

    def schedule(self, debate_id: int, due: datetime | None, version: int) -> None:
        """When the debate's clock is next due (None: not until a member moves it)."""
        if due is None:
            self._current.pop(debate_id, None)
            return
        self._current[debate_id] = (due, version)
        heapq.heappush(self._heap, (due, debate_id, version))
        if self._heap[0] == (due, debate_id, version):
            self._wake.set()

    def poke(self) -> None:
        """Look at the heap again now (after a test moved its clock)."""
        self._wake.set()

    @property
    def pending(self) -> int:
        """How many debates have a due time."""
        return len(self._current)

    def scheduled(self) -> set[int]:
        """The keys that have a due time."""
        return set(self._current)

    def _take_due(self, now: datetime) -> list[tuple[int, datetime]]:
        due: list[tuple[int, datetime]] = []
        while self._heap and self._heap[0][0] <= now:
            when, debate_id, version = heapq.heappop(self._heap)
            if self._current.get(debate_id) == (when, version):
                del self._current[debate_id]
                due.append((debate_id, when))
        return due

    async def run(self, fire: Callable[[list[tuple[int, datetime]]], Awaitable[None]]) -> None:
        """Serve the heap until cancelled; ``fire`` gets the debates due and their due times."""
        while True:
            self._wake.clear()
            due = self._take_due(self._now())
            if due:
                try:
                    await fire(due)
                except Exception:
                    log.exception("The dispatcher failed to move %d clocks", len(due))
                continue
            timeout = (self._heap[0][0] - self._now()).total_seconds() if self._heap else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
