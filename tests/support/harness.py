"""Run the real bot against the local Discord, with a real database.

``BotRunner`` starts Agora in this event loop the way ``python -m bot`` does (same
settings, same services, same migrations) and can stop it and start a fresh one on the
same database, as a restart would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import select

from bot.app import Agora, Services, utcnow
from bot.db.database import Database
from bot.sandbox import LocalDiscord
from bot.settings import Settings

T = TypeVar("T")


class BotRunner:
    """One bot process's worth of Agora, started and stopped on demand."""

    def __init__(
        self,
        local: LocalDiscord,
        *,
        database_url: str,
        dev_guild_id: int | None,
        connect_args: dict[str, object] | None = None,
        allow_loopback_articles: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.local = local
        self.clock = clock
        self.database_url = database_url
        self.dev_guild_id = dev_guild_id
        self.connect_args = connect_args
        self.allow_loopback_articles = allow_loopback_articles
        self.bot: Agora | None = None
        self.db: Database | None = None
        self._task: asyncio.Task[None] | None = None
        self.starts = 0

    def settings(self) -> Settings:
        """The settings ``python -m bot`` would build from the environment."""
        return Settings(
            discord_token=self.local.token,
            database_url=self.database_url,
            discord_api_base=self.local.api_base,
            discord_gateway_url=self.local.gateway_url,
            dev_guild_id=self.dev_guild_id,
            article_fetch_allow_loopback=self.allow_loopback_articles,
        )

    async def start(self) -> Agora:
        """Migrate, log in, sync commands and wait until the bot is ready."""
        settings = self.settings()
        self.db = Database(settings.database_url, connect_args=self.connect_args)
        await self.db.upgrade()
        services = Services.build(
            self.db, self.clock or utcnow, allow_loopback=settings.article_fetch_allow_loopback
        )
        bot = Agora(settings, services, guild_ready_timeout=0.05)
        await bot.login(self.local.token)
        self._task = asyncio.create_task(bot.connect(reconnect=True))
        await asyncio.wait_for(bot.wait_until_ready(), timeout=10)
        self.bot = bot
        self.starts += 1
        return bot

    async def stop(self) -> None:
        """Close the bot as a shutdown would; the database stays."""
        if self.bot is not None:
            await self.bot.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.bot is not None:
            await self.bot.services.writer.close()
        if self.db is not None:
            await self.db.dispose()
        self.bot, self.db, self._task = None, None, None

    def advance(self, seconds: float) -> None:
        """Move the test clock on, and let the dispatchers of clocks, polls and debate nights
        look at it."""
        advance = getattr(self.clock, "advance", None)
        if advance is None:
            raise RuntimeError("this bot runs on the wall clock")
        advance(seconds)
        if self.bot is not None:
            self.bot.services.clocks.dispatcher.poke()
            self.bot.services.votes.dispatcher.poke()
            self.bot.services.schedules.dispatcher.poke()

    async def count(self, model: Any) -> int:
        """How many rows the table of ``model`` holds now."""
        assert self.db is not None
        async with self.db.read() as session:
            return (await session.exec(select(func.count()).select_from(model))).one()

    async def one(self, model: Any) -> Any:
        """The one row of the table of ``model`` (an error if there are none or several)."""
        assert self.db is not None
        async with self.db.read() as session:
            return (await session.exec(select(model))).one()

    async def restart(self) -> Agora:
        """Stop this bot and start a new one on the same database."""
        await self.stop()
        return await self.start()


async def eventually(check: Callable[[], T], *, within: float = 5.0) -> T:
    """Poll ``check`` until it returns something truthy; after ``within`` s, its last failure."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            result = check()
            if result:
                return result
            failure: Exception = AssertionError(f"{check} stayed falsy")
        except AssertionError as error:
            failure = error
        if asyncio.get_running_loop().time() > deadline:
            raise failure
        await asyncio.sleep(0.02)


class ErrorLogs(logging.Handler):
    """Collects ERROR records: discord.py only logs what fails inside its callbacks."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self, predicate: Callable[[logging.LogRecord], bool]) -> list[logging.LogRecord]:
        """Remove and return the records a test expected."""
        taken = [r for r in self.records if predicate(r)]
        self.records = [r for r in self.records if not predicate(r)]
        return taken


class BotProcess:
    """``python -m bot`` as its own process, configured through the environment."""

    def __init__(
        self,
        local: LocalDiscord,
        *,
        database_url: str,
        dev_guild_id: int | None,
        env: dict[str, str] | None = None,
    ) -> None:
        """``dev_guild_id`` None publishes the commands globally; ``env`` adds settings."""
        self.env = {
            **os.environ,
            "DISCORD_TOKEN": local.token,
            "DISCORD_API_BASE": local.api_base,
            "DISCORD_GATEWAY_URL": local.gateway_url,
            "DATABASE_URL": database_url,
            "DEV_GUILD_ID": "" if dev_guild_id is None else str(dev_guild_id),
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.local = local
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the process and wait until it is connected and its commands are synced."""
        identified = self.local.identify_count
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=self.env
        )
        await self.local.wait_for(lambda: self.local.identify_count > identified, 30)

    async def kill(self) -> None:
        """Kill it outright (SIGKILL): no shutdown at all, as a crash or an OOM kill."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()
        self.process = None

    async def stop(self) -> int:
        """Stop it the way a service manager does (SIGTERM); returns its exit status."""
        assert self.process is not None
        self.process.terminate()
        status = await asyncio.wait_for(self.process.wait(), timeout=30)
        self.process = None
        return status
