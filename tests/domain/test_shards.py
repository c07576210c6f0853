"""Which servers a process serves when the bot runs as several shards."""

from __future__ import annotations

import pytest

from bot.domain.shards import ALL_SHARDS, Shards


def test_a_server_belongs_to_the_shard_discord_sends_its_events_to() -> None:
    shards = Shards(4, frozenset({1, 3}))
    # Discord's rule: (guild_id >> 22) % shard_count.
    assert shards.shard_of(81384788765712384) == (81384788765712384 >> 22) % 4
    assert [shards.owns(n << 22) for n in range(8)] == [False, True, False, True] * 2


def test_running_every_shard_serves_every_server() -> None:
    assert ALL_SHARDS.every
    assert ALL_SHARDS.owns(12345 << 22)
    assert Shards.of(3, None) == Shards(3, frozenset({0, 1, 2}))
    assert Shards.of(None, None) == ALL_SHARDS
    assert not Shards.of(3, (0, 2)).every


@pytest.mark.parametrize(
    ("count", "ids", "problem"),
    [
        (0, frozenset({0}), "at least 1"),
        (2, frozenset(), "at least one shard"),
        (2, frozenset({0, 2}), "between 0 and 1"),
    ],
)
def test_impossible_shards_are_refused_with_the_reason(
    count: int, ids: frozenset[int], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        Shards(count, ids)
