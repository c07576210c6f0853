"""A server's settings, end to end: the real bot, the local Discord, a real database."""

from __future__ import annotations

from typing import Any

import pytest

from bot.db.models import GuildSettingsRow
from bot.sandbox import LocalDiscord, Member, Message
from tests.e2e.conftest import MANAGE_GUILD, World
from tests.support.harness import BotRunner


async def settings(
    local: LocalDiscord, world: World, member: Member, name: str, **options: Any
) -> Message:
    handle = await local.slash(member, world.channel, f"settings {name}", options)
    reply = await handle.reply()
    assert reply.ephemeral, reply.content
    return reply


async def shown(local: LocalDiscord, world: World) -> dict[str, str]:
    reply = await settings(local, world, world.admin, "show")
    return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}


async def test_settings_are_for_managers_of_the_server(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    command = next(c for c in local.commands(world.guild.id) if c["name"] == "settings")
    assert command["default_member_permissions"] == str(MANAGE_GUILD)
    assert {o["name"] for o in command["options"]} == {"show", "moderator-role", "turns", "voting"}
    with pytest.raises(PermissionError):
        await local.slash(world.alice, world.channel, "settings show")

    # A server admin can open the command to everyone; the bot still refuses.
    command["default_member_permissions"] = None
    refused = await settings(local, world, world.alice, "turns", mode="soft")
    assert refused.content.startswith(
        "Only members with the **Manage Server** permission can see or change Agora's settings."
    )
    assert await runner.count(GuildSettingsRow) == 0


async def test_moderator_role_is_set_shown_and_cleared(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    defaults = await shown(local, world)
    assert defaults["Moderator role"].startswith("No moderator role")
    assert defaults["Speaking turns"].startswith("Turns are **strict**")

    moderators = local.add_role(world.guild, "Moderators")
    reply = await settings(local, world, world.admin, "moderator-role", role=moderators)
    assert reply.content.startswith(f"Members with <@&{moderators.id}> moderate every debate")
    assert (await shown(local, world))["Moderator role"].startswith(
        f"Members with <@&{moderators.id}>"
    )
    row = await runner.one(GuildSettingsRow)
    assert (row.guild_id, row.moderator_role_id) == (world.guild.id, moderators.id)

    cleared = await settings(local, world, world.owner, "moderator-role")
    assert cleared.content.startswith("No moderator role")
    assert (await shown(local, world))["Moderator role"].startswith("No moderator role")
    assert (await runner.one(GuildSettingsRow)).moderator_role_id is None


async def test_turns_soft_then_strict(local: LocalDiscord, world: World, runner: BotRunner) -> None:
    soft = await settings(local, world, world.admin, "turns", mode="soft")
    assert soft.content == (
        "Turns are **soft**: a message posted out of turn in a debate's thread stays, "
        "marked with a reaction."
    )
    assert (await shown(local, world))["Speaking turns"].startswith("Turns are **soft**")
    assert (await runner.one(GuildSettingsRow)).turns == "soft"

    strict = await settings(local, world, world.admin, "turns", mode="strict")
    assert "is removed, and its author gets a short notice" in strict.content
    assert (await runner.one(GuildSettingsRow)).turns == "strict"
