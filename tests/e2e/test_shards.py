"""Two bot processes, a gateway shard each, one PostgreSQL database, twenty servers.

Each process answers only its shard's servers (Discord routes their events to it) and must
be the only one to run their clocks and fire their debate nights: every debate moves through
its phases exactly once, and every reminder is sent exactly once. While one process is down,
the other (even restarted, reading every running clock from the database) leaves the down
shard's debates alone; they resume when their own process comes back.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import Services, utcnow
from bot.db.database import Database
from bot.domain.debate import Actor
from bot.sandbox import Channel, Guild, LocalDiscord, Member
from bot.sandbox.apispec import SpecValidator
from bot.sandbox.records import Exchange
from tests.conftest import NO_POSTGRES, POSTGRES_URL
from tests.e2e.test_rounds import thread_messages
from tests.support.harness import BotProcess, ErrorLogs, eventually

pytestmark = pytest.mark.skipif(POSTGRES_URL is None, reason=NO_POSTGRES)

SERVERS = 20
SHARDS = 2
BLITZ = b"""
name = "Blitz"
description = "Two short speeches."
vote = "oxford"
debaters_per_side = { min = 1, max = 1 }

[[phase]]
name = "Opening For"
speaker = "for"
seconds = 8

[[phase]]
name = "Opening Against"
speaker = "against"
seconds = 3
"""
MOTION = "This House would split the work"
SPEECHES_OVER = "the speeches are over"


@dataclass
class Server:
    guild: Guild
    channel: Channel
    owner: Member
    pro: Member
    con: Member


@pytest.fixture
async def shared_url() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database both processes use; dropped afterwards."""
    assert POSTGRES_URL is not None
    name = f"agora_shards_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    await db.upgrade()
    await db.dispose()
    try:
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        await admin.dispose()


async def _nights_with_a_missed_reminder(url: str, servers: list[Server]) -> None:
    """A schedule per server, made 20 minutes ago, whose 45 min reminder fell due 15
    minutes ago: within the grace, so the process that serves the server sends it late."""
    now = utcnow()
    start = (now + timedelta(minutes=30)).replace(second=0, microsecond=0)
    db = Database(url)
    made = Services.build(db, lambda: now - timedelta(minutes=20))
    for server in servers:
        await made.schedules.create(
            guild_id=server.guild.id,
            actor=Actor(server.owner.user_id, manages_server=True),
            name=f"{server.guild.name} night",
            weekday=start.strftime("%A"),
            time=start.strftime("%H:%M"),
            timezone="UTC",
            channel_id=server.channel.id,
            reminders="45m",
        )
    await made.writer.close()
    await db.dispose()


async def _debate(local: LocalDiscord, server: Server) -> int:
    """The owner adds the Blitz format and opens a debate; both sides join; Start."""
    added = await local.slash(
        server.owner,
        server.channel,
        "format add",
        {"key": "blitz"},
        {"file": ("blitz.toml", BLITZ, "application/toml")},
    )
    assert (await added.reply(timeout=20)).ephemeral
    opened = await local.slash(
        server.owner, server.channel, "debate new", {"motion": MOTION, "format": "blitz"}
    )
    lobby = await opened.reply(timeout=20)
    for member, label in ((server.pro, "Join For"), (server.con, "Join Against")):
        joined = await local.click(
            member, local.message(lobby.id), lobby.button(label)["custom_id"]
        )
        assert (await joined.reply(timeout=20)).ephemeral
    started = await local.click(
        server.owner, local.message(lobby.id), lobby.button("Start")["custom_id"]
    )
    (said,) = await started.followups(1, timeout=20)
    match = re.search(r"<#(\d+)>", said.content)
    assert match, said.content
    return int(match[1])


def _count(local: LocalDiscord, channel_id: int, needle: str) -> int:
    return sum(needle in m.content for m in thread_messages(local, channel_id))


async def test_two_processes_serve_twenty_servers_each_event_exactly_once(
    spec: SpecValidator | None, shared_url: str, error_logs: ErrorLogs
) -> None:
    problems: list[str] = []

    def check(exchange: Exchange) -> None:
        if spec is not None:
            problems.extend(spec.check(exchange))

    async with LocalDiscord(shards=SHARDS, on_exchange=check) as local:
        servers = []
        for i in range(SERVERS):
            guild = local.add_guild(f"Club {i}", shard=(i % SHARDS, SHARDS))
            servers.append(
                Server(
                    guild,
                    local.add_channel(guild, "debates"),
                    local.member(guild.id, guild.owner_id),
                    local.add_member(guild, f"pro{i}"),
                    local.add_member(guild, f"con{i}"),
                )
            )
        await _nights_with_a_missed_reminder(shared_url, servers)

        processes = [
            BotProcess(
                local,
                database_url=shared_url,
                dev_guild_id=None,
                env={"SHARD_COUNT": str(SHARDS), "SHARD_IDS": str(shard)},
            )
            for shard in range(SHARDS)
        ]
        for process in processes:
            await process.start()
        try:
            sessions = await local.wait_for_sessions(SHARDS, timeout=30)
            assert sorted(s.shard_id for s in sessions) == list(range(SHARDS))
            await local.wait_for_commands(None, timeout=30)

            # Each server's late reminder, sent by the one process that serves it.
            await eventually(
                lambda: all(_count(local, s.channel.id, "⏰") >= 1 for s in servers), within=30
            )

            threads = await asyncio.gather(*(_debate(local, s) for s in servers))
            on_shard = {
                shard: [t for i, t in enumerate(threads) if i % SHARDS == shard]
                for shard in range(SHARDS)
            }

            # Shard 1's process dies; shard 0's restarts and resumes the clocks it serves.
            await processes[1].kill()
            await processes[0].stop()
            await processes[0].start()
            await eventually(
                lambda: all(_count(local, t, SPEECHES_OVER) for t in on_shard[0]), within=60
            )
            # By now every first speech is past its deadline, but nobody serves shard 1.
            assert not any(_count(local, t, "2/2 · Opening Against") for t in on_shard[1])

            await processes[1].start()
            await eventually(
                lambda: all(_count(local, t, SPEECHES_OVER) for t in on_shard[1]), within=60
            )
            await asyncio.sleep(4)  # long enough for anything moved twice to show

            for server, thread in zip(servers, threads, strict=True):
                assert _count(local, server.channel.id, "⏰") == 1, server.guild.name
                # A phase message names "n/N · phase", live or struck through once over.
                assert _count(local, thread, "1/2 · Opening For") == 1, server.guild.name
                assert _count(local, thread, "2/2 · Opening Against") == 1, server.guild.name
                assert _count(local, thread, "Voting before the debate has closed") == 1
                assert _count(local, thread, SPEECHES_OVER) == 1
        finally:
            statuses = [await process.stop() for process in processes]
    assert statuses == [0] * SHARDS
    assert problems == [], "REST exchanges that real Discord would not accept or return"
