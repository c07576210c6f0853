"""The bot is killed (SIGKILL) at seeded random moments of scripted debate nights and
restarted: no acknowledged vote is lost, no debate is stuck, every clock resumes within a
second of its deadline and nothing is announced twice."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import LocalDiscord
from tests.e2e.conftest import World
from tests.support.chaos import LATENESS_LIMIT, Chaos

TRIALS = 20
PER_ROUND = 10
SEED = 20_240_611


async def test_nights_survive_a_kill_at_random_moments(
    local: LocalDiscord, world: World, tmp_path: Path
) -> None:
    totals = await Chaos(local, world.guild, world.admin, tmp_path).run(
        TRIALS, per_round=PER_ROUND, seed=SEED
    )

    assert totals.trials == TRIALS
    assert totals.acked_votes > TRIALS * 6, "most of the audience had its votes acknowledged"
    assert totals.problems() == []
    assert totals.lost_votes == 0
    assert totals.stuck_debates == 0
    assert totals.duplicate_announcements == 0
    assert totals.max_resume_lateness_s < LATENESS_LIMIT
    offsets = sorted(o.kill_offset for o in totals.outcomes)
    assert offsets[0] < 3, "some kills fell early in a night"
    assert offsets[-1] > 8, "some kills fell late in a night"
