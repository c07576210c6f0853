"""The bot's process-wide settings."""

from __future__ import annotations

import discord
import pytest

from bot.app import Agora, Services
from bot.db.database import Database
from bot.settings import Settings


async def test_idle_rate_limit_buckets_are_swept_once_a_minute_not_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sweeps: list[int] = []
    monkeypatch.setattr(
        discord.http.HTTPClient,
        "_try_clear_expired_ratelimits",
        lambda self: sweeps.append(len(self._buckets)),
    )
    db = Database("sqlite+aiosqlite://")
    async with Agora(Settings(discord_token="x"), Services.build(db)) as bot:
        for n in range(5):
            bot.http.get_ratelimit(f"route-{n}")
    assert len(sweeps) == 1
    await db.dispose()
