"""Discord and the database misbehave mid-debate: the bot keeps its state and its word.

A dropped gateway connection is resumed, 429 storms are waited out as Discord asks, a 5xx
on a message send is retried or repaired at the next start, SQLite's write lock held by
someone else delays votes without losing or falsely acknowledging them, and SIGTERM lets
the last group-commit batch land before the database is closed.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlmodel import select

from bot.db.models import ClockRow, SpeechRow, VoteRow
from bot.sandbox import (
    Exchange,
    InteractionHandle,
    InteractionRejected,
    LocalDiscord,
    Member,
)
from bot.sandbox.apispec import SpecValidator
from tests.e2e.conftest import World
from tests.e2e.test_rounds import heading, lobby_with, phase_shows, start, thread_messages
from tests.e2e.test_vote_durability import acknowledged, stored_choices
from tests.e2e.test_votes import poll_message, vote
from tests.support.harness import BotProcess, BotRunner, ErrorLogs, eventually


@pytest.fixture
async def local(spec: SpecValidator | None) -> AsyncIterator[LocalDiscord]:
    """The local Discord of the e2e tests, whose injected 5xx the spec does not describe."""
    problems: list[str] = []

    def check(exchange: Exchange) -> None:
        if spec is not None and exchange.status < 500:
            problems.extend(spec.check(exchange))

    async with LocalDiscord(on_exchange=check) as discord_:
        yield discord_
    assert problems == [], "REST exchanges that real Discord would not accept or return"


INVALID = (401, 403, 429)
"""The statuses Discord counts against the 10,000 invalid requests per 10 minutes."""
INVALID_LIMIT_PER_10_MIN = 10_000


def headed(local: LocalDiscord, thread_id: int, name: str) -> list[int]:
    """Ids of the messages posted for a phase (its heading at creation, before "over")."""
    path = f"/channels/{thread_id}/messages"
    return [
        int(e.response_json["id"])
        for e in local.exchanges
        if e.method == "POST"
        and e.path == path
        and e.status == 200
        and heading(name) in (e.response_json.get("content") or "")
    ]


async def running_debate(local: LocalDiscord, world: World) -> int:
    lobby = await lobby_with(local, world, "quick", {"for": [world.bob], "against": [world.carol]})
    thread_id, _ = await start(local, world.alice, lobby)
    await phase_shows(local, thread_id, heading("Round 1: For"))
    return thread_id


async def test_a_dropped_gateway_resumes_mid_debate_and_misses_nothing(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    thread_id = await running_debate(local, world)
    poll = await eventually(lambda: poll_message(local, thread_id, "before the debate"))

    await local.drop_gateway(resume=True)
    # While the bot is away: the speaker speaks, and the clock's deadline passes.
    said = local.say(world.bob, local.channel(thread_id), "Said while the bot reconnects.")
    runner.advance(91)
    await local.wait_for(lambda: local.resume_count == 1, 15, "the bot to RESUME")
    assert local.identify_count == 1, "resumed, not a new session"

    await phase_shows(local, thread_id, heading("Round 1: Against"))
    # The message sent during the drop is replayed on RESUME and joins the transcript.
    await until(lambda: _has_speech(runner, said.id))
    assert len(headed(local, thread_id, "Round 1: For")) == 1
    assert len(headed(local, thread_id, "Round 1: Against")) == 1
    await eventually(lambda: "has closed" in local.message(poll.id).content)
    clock = await runner.one(ClockRow)
    assert clock.phase_index == 1
    assert clock.shown_version == clock.version


async def _has_speech(runner: BotRunner, message_id: int) -> bool:
    assert runner.db is not None
    async with runner.db.read() as session:
        ids = (await session.exec(select(SpeechRow.message_id))).all()
    return message_id in ids


async def until(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Poll an async ``check`` until it holds."""
    for _ in range(int(within / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{check} never held")


async def answered_already(handle: InteractionHandle) -> bool:
    """Whether the bot has answered the interaction by now."""
    try:
        await handle.response(timeout=0.01)
    except TimeoutError:
        return False
    except InteractionRejected:
        return True
    return True


async def test_a_429_storm_is_waited_out_and_stays_far_below_the_invalid_request_limit(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    thread_id = await running_debate(local, world)
    path = f"/channels/{thread_id}/messages"
    storm = 4  # discord.py gives up on a request after 5 tries
    retry_after = 0.4
    local.inject_fault(429, method="POST", path_prefix=path, times=storm, retry_after=retry_after)
    began = len(local.exchanges)

    runner.advance(91)
    await phase_shows(local, thread_id, heading("Round 1: Against"))

    sends = [e for e in local.exchanges[began:] if e.method == "POST" and e.path == path]
    assert [e.status for e in sends] == [429] * storm + [200]
    for limited, after in itertools.pairwise(sends):
        # No request before the time Discord gave (its clock and ours are the same).
        assert after.at >= limited.at + retry_after - 0.01, (limited.at, after.at)
    assert len(headed(local, thread_id, "Round 1: Against")) == 1
    invalid = [e for e in local.exchanges if e.status in INVALID]
    assert len(invalid) == storm, "no invalid request beyond the ones Discord forced"
    # Kept up for ten minutes, this pace of retries would stay far below Discord's limit.
    fastest = min(after.at - limited.at for limited, after in itertools.pairwise(sends))
    assert 600 / fastest < INVALID_LIMIT_PER_10_MIN / 4, fastest


async def test_a_5xx_on_a_send_is_retried_and_a_failed_one_repaired_at_the_next_start(
    local: LocalDiscord, world: World, runner: BotRunner, error_logs: ErrorLogs
) -> None:
    thread_id = await running_debate(local, world)
    path = f"/channels/{thread_id}/messages"

    # A 502: discord.py retries it, the phase is announced once.
    local.inject_fault(502, method="POST", path_prefix=path)
    runner.advance(91)
    await phase_shows(local, thread_id, heading("Round 1: Against"))
    assert len(headed(local, thread_id, "Round 1: Against")) == 1

    # A 503 is not retried: the announcement fails, the clock has moved all the same.
    local.inject_fault(503, method="POST", path_prefix=path)
    runner.advance(91)
    await local.wait_for(lambda: not local.rest.faults, 10, "the 503 to be served")
    await until(lambda: _clock_in_phase(runner, 2))
    clock = await runner.one(ClockRow)
    assert clock.shown_version < clock.version, "the failed announcement is known"
    assert headed(local, thread_id, "Round 2: For") == []

    # The next start shows the phase the clock is in, once.
    await runner.restart()
    await phase_shows(local, thread_id, heading("Round 2: For"))
    assert len(headed(local, thread_id, "Round 2: For")) == 1
    clock = await runner.one(ClockRow)
    assert (clock.phase_index, clock.shown_version) == (2, clock.version)


async def _clock_in_phase(runner: BotRunner, index: int) -> bool:
    row: ClockRow = await runner.one(ClockRow)
    return row.phase_index == index


async def test_votes_wait_for_a_held_sqlite_write_lock_and_are_acknowledged_after_commit(
    local: LocalDiscord, world: World, tmp_path: Path, error_logs: ErrorLogs
) -> None:
    path = tmp_path / "busy.db"
    runner = BotRunner(
        local, database_url=f"sqlite+aiosqlite:///{path}", dev_guild_id=world.guild.id
    )
    await runner.start()
    try:
        audience = [local.add_member(world.guild, f"voter{i}") for i in range(20)]
        thread_id = await running_debate(local, world)
        poll = await eventually(lambda: poll_message(local, thread_id, "before the debate"))
        assert "is counted" in await vote(local, audience[0], poll, "For")

        # Another process holds SQLite's write lock for two seconds.
        holder = sqlite3.connect(path, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            clicks = [
                await local.click(m, local.message(poll.id), poll.button("Against")["custom_id"])
                for m in audience[1:]
            ]
            await asyncio.sleep(2.0)
            early = [c for c in clicks if await answered_already(c)]
            assert early == [], "no vote is acknowledged before it can commit"
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        acks = await asyncio.gather(*(acknowledged(c) for c in clicks))
        assert all(acks), "every vote is answered once the lock is free"
        stored = await stored_choices(runner.database_url)
        assert all(stored[m.user_id] == "against" for m in audience[1:])
        assert stored[audience[0].user_id] == "for"
        assert len(await _votes(runner)) == len(audience)
    finally:
        await runner.stop()


async def _votes(runner: BotRunner) -> list[VoteRow]:
    assert runner.db is not None
    async with runner.db.read() as session:
        return list((await session.exec(select(VoteRow))).all())


async def test_sigterm_lets_the_last_batch_commit_before_the_database_closes(
    local: LocalDiscord, world: World, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    bot = BotProcess(local, database_url=url, dev_guild_id=world.guild.id)
    audience = [local.add_member(world.guild, f"voter{i}") for i in range(120)]
    await bot.start()
    try:
        lobby = await lobby_with(
            local, world, "quick", {"for": [world.bob], "against": [world.carol]}
        )
        thread_id, _ = await start(local, world.alice, lobby)
        poll = await eventually(lambda: poll_message(local, thread_id, "before the debate"))

        async def click(member: Member) -> bool:
            try:
                handle = await local.click(
                    member, local.message(poll.id), poll.button("For")["custom_id"]
                )
            except RuntimeError:
                return False
            return await acknowledged(handle)

        burst = [asyncio.create_task(click(m)) for m in audience]
        await asyncio.sleep(0.2)  # in the middle of the burst
        assert await bot.stop() == 0, "a clean exit"
        acks = await asyncio.gather(*burst)
    finally:
        if bot.process is not None:
            bot.process.kill()
            await bot.process.wait()

    stored = await stored_choices(url)
    acked = {m.user_id for m, ok in zip(audience, acks, strict=True) if ok}
    assert acked <= set(stored), "every acknowledged vote survived the shutdown"
    assert all(stored[u] == "for" for u in stored)
    messages = thread_messages(local, thread_id)
    assert messages, "the debate was announced"
