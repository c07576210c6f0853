"""Lets tests wait for the local Discord's state to reach a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Notifier:
    """Wakes every waiter whenever ``notify`` is called (from sync code on the loop)."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        """Wake everyone waiting so they re-check their condition."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(self, condition: Callable[[], bool], within: float, what: str) -> None:
        """Return once ``condition()`` holds; ``TimeoutError`` naming ``what`` otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {within} s waiting for {what}")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                if not condition():
                    raise TimeoutError(f"timed out after {within} s waiting for {what}") from None
