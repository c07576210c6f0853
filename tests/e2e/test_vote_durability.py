"""A vote the bot acknowledged survives the bot being killed in the middle of a burst."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from bot.db.database import Database
from bot.db.models import VoteRow
from bot.sandbox import LocalDiscord, Member
from bot.sandbox.interactions import InteractionHandle
from tests.e2e.conftest import World
from tests.e2e.test_rounds import lobby_with, start
from tests.e2e.test_votes import poll_message, vote
from tests.support.harness import BotProcess, ErrorLogs, eventually

AUDIENCE = 240
CLICKS = 20
"""Clicks per member, each after the answer to the one before, so the burst lasts."""
KILL_AFTER = 1_000
"""Acknowledged votes to wait for before the kill: in the burst, not after it."""
LABELS = ("For", "Against", "Undecided")


async def acknowledged(handle: InteractionHandle) -> bool:
    """Whether the bot told the member their vote is counted (before it died)."""
    try:
        response = await handle.response(timeout=3)
    except (TimeoutError, AssertionError):
        return False
    data = response.get("data") or {}
    return response["type"] == 4 and "is counted" in data.get("content", "")


async def stored_choices(url: str) -> dict[int, str]:
    """Each member's vote as the database file holds it, read by a fresh engine."""
    db = Database(url)
    try:
        async with db.read() as session:
            return dict((await session.exec(select(VoteRow.user_id, VoteRow.choice))).all())
    finally:
        await db.dispose()


async def test_every_acknowledged_vote_survives_a_kill_mid_burst(
    local: LocalDiscord, world: World, tmp_path: Path, error_logs: ErrorLogs
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    bot = BotProcess(local, database_url=url, dev_guild_id=world.guild.id)
    audience = [local.add_member(world.guild, f"voter{i}") for i in range(AUDIENCE)]
    await bot.start()
    try:
        lobby = await lobby_with(
            local, world, "quick", {"for": [world.bob], "against": [world.carol]}
        )
        thread_id, _ = await start(local, world.alice, lobby)
        poll = await eventually(lambda: poll_message(local, thread_id, "before the debate"))

        acks = 0
        enough = asyncio.Event()
        clicked: dict[int, list[str]] = {m.user_id: [] for m in audience}
        last_ack: dict[int, int] = {}

        async def keep_voting(n: int, member: Member) -> None:
            """Click, wait for the answer, click the next choice: until the bot dies."""
            nonlocal acks
            for k in range(CLICKS):
                label = LABELS[(n + k) % 3]
                try:
                    handle = await local.click(
                        member, local.message(poll.id), poll.button(label)["custom_id"]
                    )
                except RuntimeError:  # the bot is gone: nobody receives the click
                    return
                clicked[member.user_id].append(label.lower())
                if not await acknowledged(handle):
                    return
                last_ack[member.user_id] = k
                acks += 1
                if acks >= KILL_AFTER:
                    enough.set()

        burst = [asyncio.create_task(keep_voting(n, m)) for n, m in enumerate(audience)]
        await asyncio.wait_for(enough.wait(), timeout=60)
        assert bot.process is not None
        bot.process.kill()  # SIGKILL: no shutdown, no last flush
        assert await bot.process.wait() == -9
        bot.process = None
        await asyncio.gather(*burst)

        assert KILL_AFTER <= acks < AUDIENCE * CLICKS, "the kill came in the middle of the burst"
        assert len(last_ack) > AUDIENCE // 2, "most members had a vote acknowledged"

        await bot.start()
        stored = await stored_choices(url)
        lost = set(last_ack) - set(stored)
        assert not lost, f"acknowledged but lost: {sorted(lost)}"
        for user_id, k in last_ack.items():
            # The acknowledged click, or a later one that committed but was never answered.
            assert stored[user_id] in clicked[user_id][k:], (user_id, clicked[user_id], k)

        # The restarted bot takes votes on the same poll.
        member = audience[0]
        assert "is counted" in await vote(local, member, poll, "Undecided")
        assert (await stored_choices(url))[member.user_id] == "undecided"
    finally:
        if bot.process is not None:
            await bot.stop()
