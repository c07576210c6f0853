"""Several processes over one database: each resumes only the servers of its own shards."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.app import Services
from bot.db import repository as repo
from bot.db.database import Database
from bot.domain.debate import Actor, Preference
from bot.domain.shards import Shards
from bot.domain.votes import VotePhase
from tests.conftest import FakeClock

SERVER_ON = {0: 10 << 22, 1: 11 << 22}
"""A server on each of two shards: (guild_id >> 22) % 2."""
ADMIN = Actor(1, manages_server=True)


async def _a_night_in_each_server(
    database: Database, services: Services, clock: FakeClock
) -> dict[int, int]:
    """In each server a running debate with a timed vote and a schedule; debate by shard."""
    debates = {}
    for shard, guild in SERVER_ON.items():
        snapshot = await services.debates.create(
            guild_id=guild,
            channel_id=guild + 1,
            creator_id=ADMIN.user_id,
            motion="This House would shard",
            format_key="quick",
        )
        debate_id = snapshot.debate.id
        for user, side in ((21, Preference.FOR), (22, Preference.AGAINST)):
            await services.debates.join(
                guild_id=guild, debate_id=debate_id, user_id=user, preference=side
            )
        await services.clocks.start(guild_id=guild, debate_id=debate_id, actor=ADMIN)
        async with database.write() as session:
            poll = await repo.get_poll(session, debate_id=debate_id, phase=VotePhase.PRE)
            assert poll is not None
            await repo.save_poll(
                session, poll=replace(poll, closes_at=clock.now + timedelta(minutes=5))
            )
        await services.schedules.create(
            guild_id=guild,
            actor=ADMIN,
            name=f"Night {shard}",
            weekday="Thursday",
            time="20:00",
            timezone="Europe/London",
            channel_id=guild + 1,
        )
        debates[shard] = debate_id
    return debates


async def test_each_process_resumes_the_clocks_votes_and_nights_of_its_shards_only(
    database: Database, clock: FakeClock
) -> None:
    debates = await _a_night_in_each_server(database, Services.build(database, clock), clock)

    for shard, debate_id in debates.items():
        process = Services.build(database, clock, shards=Shards(2, frozenset({shard})))
        await process.clocks.recover()
        await process.votes.recover()
        nights = await process.schedules.recover()

        assert process.clocks.dispatcher.scheduled() == {debate_id}
        assert process.votes.dispatcher.scheduled() == {debate_id * 2}  # its vote before
        assert [r.schedule.guild_id for r in nights] == [SERVER_ON[shard]]
        assert process.schedules.dispatcher.pending == 1

    everything = Services.build(database, clock)
    await everything.clocks.recover()
    assert everything.clocks.dispatcher.scheduled() == set(debates.values())
