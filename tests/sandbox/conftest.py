"""Fixtures and helpers for driving the local Discord with the real discord.py client."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord.ext import commands

from bot.sandbox import Channel, Guild, LocalDiscord, Member, Perm, Role
from bot.sandbox.apispec import SpecValidator
from bot.sandbox.records import Exchange

TOKEN = "test-token"

StartEmulator = Callable[..., Awaitable[LocalDiscord]]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
async def emulator(spec: SpecValidator | None) -> AsyncIterator[StartEmulator]:
    """Starts LocalDiscords pointed at by discord.py; checks their exchanges against the spec."""
    started: list[LocalDiscord] = []
    problems: list[str] = []
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY

    async def start(*, check_spec: bool = True, **kwargs: Any) -> LocalDiscord:
        def check(exchange: Exchange) -> None:
            # 5xx responses are injected faults, which the spec does not describe.
            if check_spec and spec is not None and exchange.status < 500:
                problems.extend(spec.check(exchange))

        local = LocalDiscord(TOKEN, on_exchange=check, **kwargs)
        await local.start()
        started.append(local)
        discord.http.Route.BASE = local.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(local.gateway_url)
        return local

    try:
        yield start
    finally:
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
        for local in started:
            await local.close()
    assert problems == [], "exchanges real Discord would not accept or return"


@pytest.fixture
async def local(emulator: StartEmulator) -> LocalDiscord:
    return await emulator()


@dataclass
class Scene:
    guild: Guild
    channel: Channel
    moderators: Role
    alice: Member
    bob: Member


@pytest.fixture
def scene(local: LocalDiscord) -> Scene:
    guild = local.add_guild("Debate Club")
    moderators = local.add_role(guild, "Moderators", permissions=Perm.MANAGE_MESSAGES)
    return Scene(
        guild=guild,
        channel=local.add_channel(guild, "debates"),
        moderators=moderators,
        alice=local.add_member(guild, "alice", roles=[moderators]),
        bob=local.add_member(guild, "bob", locale="fr"),
    )


async def until(condition: Callable[[], object], within: float = 5.0) -> None:
    """Poll a condition on the client side (the emulator's own state has ``wait_for``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"condition still false after {within} s")
        await asyncio.sleep(0.01)


def recorder(items: list[Any], key: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, None]]:
    """An event listener (a coroutine function) appending ``key(*event_args)``."""

    async def record(*args: Any) -> None:
        items.append(key(*args))

    return record


AnyBot = commands.Bot | commands.AutoShardedBot


def make_bot(
    *, members: bool = True, cls: type[commands.Bot] | type[commands.AutoShardedBot] = commands.Bot
) -> AnyBot:
    intents = discord.Intents.default()
    intents.members = members
    return cls(command_prefix="!", intents=intents, guild_ready_timeout=0.05)


@contextlib.asynccontextmanager
async def running(client: discord.Client) -> AsyncIterator[discord.Client]:
    """Run a client until the block ends; READY (and chunking) is done on entry."""
    task = asyncio.create_task(client.start(TOKEN))
    try:
        await until(lambda: client.is_ready() or task.done())
        if task.done():
            task.result()
            raise AssertionError("the client stopped before it was ready")
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def synced(bot: AnyBot, local: LocalDiscord, guild: Guild) -> list[dict[str, Any]]:
    await bot.tree.sync(guild=discord.Object(guild.id))
    return await local.wait_for_commands(guild.id)


async def api(
    local: LocalDiscord,
    method: str,
    path: str,
    body: Any = None,
    *,
    auth: bool = True,
) -> tuple[int, aiohttp.ClientResponse, Any]:
    """A raw REST call, for what discord.py would refuse to send."""
    headers = {"Authorization": f"Bot {TOKEN}"} if auth else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, local.api_base + path, json=body, headers=headers) as response,
    ):
        raw = await response.read()
        return response.status, response, json.loads(raw) if raw else None
