"""The welcome, end to end: a server that adds Agora while it runs is told how to start,
in its system channel or, when Agora may not post there, by a direct message to its owner."""

from __future__ import annotations

from bot.sandbox import LocalDiscord
from tests.e2e.conftest import World
from tests.support.harness import BotRunner, ErrorLogs, eventually

HOW_TO_START = ("/debate new", "/help", "/config")


def is_welcome(content: str) -> bool:
    return content.startswith("👋 Thanks for adding **Agora**") and all(
        f"`{command}" in content for command in HOW_TO_START
    )


async def test_a_new_server_is_welcomed_in_its_system_channel(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    guild = local.add_guild("Philosophy Club")
    assert guild.system_channel_id is not None
    posted = await eventually(lambda: local.messages(guild.system_channel_id or 0))
    [welcome] = posted
    assert welcome.author_id == local.bot_user["id"] or welcome.author.bot
    assert not welcome.ephemeral
    assert is_welcome(welcome.content), welcome.content
    assert "**Philosophy Club**" in welcome.content
    owner = local.user(guild.owner_id)
    assert local.messages(local.dm_channel(owner).id) == []
    # The server the bot was already in when it started is not welcomed again.
    assert local.messages(world.guild.system_channel_id or 0) == []


async def test_the_owner_is_welcomed_in_private_when_there_is_no_system_channel(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    guild = local.add_guild("Quiet Club", system_channel=False)
    owner = local.user(guild.owner_id)
    [welcome] = await eventually(lambda: local.messages(local.dm_channel(owner).id))
    assert is_welcome(welcome.content), welcome.content
    assert "**Quiet Club**" in welcome.content
    general = next(iter(guild.channels))
    assert local.messages(general) == []


async def test_a_server_that_blocks_agora_and_an_owner_without_dms_get_no_welcome(
    local: LocalDiscord, world: World, runner: BotRunner, error_logs: ErrorLogs
) -> None:
    owner = local.add_user("private-owner", dm_open=False)
    guild = local.add_guild("Closed Club", owner, system_channel=False)
    # The bot tried, was refused, and carried on.
    await eventually(
        lambda: any(e.path.endswith("/messages") and e.status == 403 for e in local.exchanges)
    )
    assert local.messages(local.dm_channel(owner).id) == []
    assert all(local.messages(channel) == [] for channel in guild.channels)
    handle = await local.slash(world.alice, world.channel, "help")
    assert (await handle.reply()).embeds
    assert error_logs.records == []
