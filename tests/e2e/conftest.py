"""End-to-end fixtures: the local Discord, a server with members, and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.sandbox import Channel, Guild, LocalDiscord, Member, User
from bot.sandbox.apispec import SpecValidator
from bot.sandbox.records import Exchange
from tests.conftest import BACKENDS, FakeClock, close_database, open_database
from tests.support.harness import BotRunner, ErrorLogs

MANAGE_GUILD = 1 << 5


@pytest.fixture
async def local(spec: SpecValidator | None) -> AsyncIterator[LocalDiscord]:
    """A running local Discord whose every REST exchange must match Discord's spec."""
    problems: list[str] = []

    def check(exchange: Exchange) -> None:
        if spec is not None:
            problems.extend(spec.check(exchange))

    async with LocalDiscord(on_exchange=check) as discord_:
        yield discord_
    assert problems == [], "REST exchanges that real Discord would not accept or return"


@dataclass
class World:
    """A server as members see it."""

    guild: Guild
    channel: Channel
    other_channel: Channel
    owner: Member
    admin: Member
    alice: Member
    bob: Member
    carol: Member
    dave: Member
    erin: Member
    stranger: User


@pytest.fixture
def world(local: LocalDiscord) -> World:
    guild = local.add_guild("Debate Club")
    admins = local.add_role(guild, "Admins", permissions=MANAGE_GUILD)
    return World(
        guild=guild,
        channel=local.add_channel(guild, "debates"),
        other_channel=local.add_channel(guild, "debates-2"),
        owner=local.member(guild.id, guild.owner_id),
        admin=local.add_member(guild, "admin", roles=[admins]),
        alice=local.add_member(guild, "alice"),
        bob=local.add_member(guild, "bob"),
        carol=local.add_member(guild, "carol"),
        dave=local.add_member(guild, "dave"),
        erin=local.add_member(guild, "erin"),
        stranger=local.add_user("stranger"),
    )


@pytest.fixture(params=BACKENDS)
async def runner(
    request: pytest.FixtureRequest,
    local: LocalDiscord,
    world: World,
    tmp_path: Path,
    error_logs: ErrorLogs,
) -> AsyncIterator[BotRunner]:
    """The bot, started on a fresh database of each back end, stopped after the test."""
    db, schema = await open_database(request.param, tmp_path)
    await db.dispose()
    url = db.url.render_as_string(hide_password=False)
    connect_args = {"server_settings": {"search_path": schema}} if schema else None
    bot_runner = BotRunner(
        local,
        database_url=url,
        dev_guild_id=world.guild.id,
        connect_args=connect_args,
        clock=FakeClock(),
    )
    await bot_runner.start()
    try:
        yield bot_runner
    finally:
        await bot_runner.stop()
        await close_database(db, schema)
