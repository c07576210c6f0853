"""``/config``, end to end: one private settings view, changed with select menus, stored
per server, refused to members who are not moderators, and still working after a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from bot.db.models import DebateRow, GuildSettingsRow, ScheduleRow
from bot.sandbox import LocalDiscord, Member, Message
from tests.conftest import FakeClock
from tests.e2e.conftest import World
from tests.support.harness import BotRunner


def fields(message: Message) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message.embeds[0]["fields"]}


def field(message: Message, name: str) -> str:
    return next(value for key, value in fields(message).items() if key.endswith(name))


def select_id(world: World, setting: str) -> str:
    return f"agora:config:{world.guild.id}:{setting}"


async def open_config(local: LocalDiscord, world: World, member: Member) -> Message:
    handle = await local.slash(member, world.channel, "config")
    reply = await handle.reply()
    assert reply.ephemeral
    assert reply.visible_to == member.user_id
    return reply


async def choose(
    local: LocalDiscord, world: World, member: Member, view: Message, setting: str, values: Any
) -> Message:
    handle = await local.select(member, local.message(view.id), select_id(world, setting), values)
    assert (await handle.response())["type"] == 7, "the view is drawn again in place"
    return await handle.reply()


def options(message: Message, setting: str, world: World) -> dict[str, bool]:
    component = message.component(select_id(world, setting))
    return {o["value"]: bool(o.get("default")) for o in component["options"]}


async def test_one_private_view_shows_every_setting_with_its_defaults(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    view = await open_config(local, world, world.admin)
    shown = fields(view)
    assert len(shown) == 7
    assert field(view, "Moderator role").startswith("None: only members with Manage Server")
    assert field(view, "Debate channel").startswith("None")
    assert field(view, "Default format").startswith("Oxford (`oxford`)")
    assert field(view, "Time zone").startswith("`UTC`")
    assert "Debaters may not vote" in field(view, "Audience votes")
    assert field(view, "Speaking turns").startswith("**strict**")
    assert field(view, "Language") == "English (`en`)"
    # The first page: four menus, then the page buttons.
    ids = view.custom_ids()
    assert ids[:4] == [select_id(world, s) for s in ("modrole", "channel", "format", "timezone")]
    assert view.button("Votes, turns & language")["disabled"] is False
    assert view.button("Roles, channel & defaults")["disabled"] is True
    assert options(view, "format", world)["oxford"] is True
    assert options(view, "timezone", world)["UTC"] is True
    assert await runner.count(GuildSettingsRow) == 0, "looking changes nothing"


async def test_each_select_changes_its_setting_and_the_view_follows(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    moderators = local.add_role(world.guild, "Moderators")
    view = await open_config(local, world, world.admin)

    view = await choose(local, world, world.admin, view, "modrole", [moderators])
    assert field(view, "Moderator role").startswith(f"<@&{moderators.id}>")
    assert view.component(select_id(world, "modrole"))["default_values"] == [
        {"id": str(moderators.id), "type": "role"}
    ]
    view = await choose(local, world, world.admin, view, "channel", [world.other_channel])
    assert field(view, "Debate channel").startswith(f"<#{world.other_channel.id}>")
    view = await choose(local, world, world.admin, view, "format", ["quick"])
    assert "(`quick`)" in field(view, "Default format")
    assert options(view, "format", world) == {
        "lincoln-douglas": False,
        "oxford": False,
        "quick": True,
    }
    view = await choose(local, world, world.admin, view, "timezone", ["Europe/Berlin"])
    assert field(view, "Time zone").startswith("`Europe/Berlin`")

    # The second page: votes, turns, language. (Another manager does it: one member's
    # rapid clicks are throttled past eight in five seconds.)
    owner = world.owner
    view = await open_config(local, world, owner)
    handle = await local.click(
        owner, local.message(view.id), view.button("Votes, turns & language")["custom_id"]
    )
    view = await handle.reply()
    assert view.custom_ids()[:4] == [
        select_id(world, s) for s in ("turns", "voting", "mindays", "language")
    ]
    view = await choose(local, world, owner, view, "turns", ["soft"])
    assert field(view, "Speaking turns").startswith("**soft**")
    view = await choose(local, world, owner, view, "voting", ["debaters", "stage"])
    votes = field(view, "Audience votes")
    assert "Debaters **may** vote" in votes
    assert "only members on that stage vote" in votes
    view = await choose(local, world, owner, view, "mindays", ["7"])
    assert "for 7+ days" in field(view, "Audience votes")
    view = await choose(local, world, owner, view, "language", ["de"])
    assert field(view, "Language") == "Deutsch (`de`)"
    assert options(view, "language", world) == {"en": False, "de": True}

    row = await runner.one(GuildSettingsRow)
    assert (row.moderator_role_id, row.debate_channel_id) == (
        moderators.id,
        world.other_channel.id,
    )
    assert (row.default_format, row.timezone, row.language) == ("quick", "Europe/Berlin", "de")
    assert (row.turns, row.debaters_may_vote, row.voters_in_voice, row.voter_min_days) == (
        "soft",
        True,
        True,
        7,
    )

    # Clearing: no rule on votes, no moderator role, no debate channel.
    view = await choose(local, world, owner, view, "voting", [])
    assert "Debaters may not vote" in field(view, "Audience votes")
    view = await open_config(local, world, world.admin)
    view = await choose(local, world, world.admin, view, "modrole", [])
    view = await choose(local, world, world.admin, view, "channel", [])
    row = await runner.one(GuildSettingsRow)
    assert (row.moderator_role_id, row.debate_channel_id, row.debaters_may_vote) == (
        None,
        None,
        False,
    )

    # The older commands read the same settings.
    handle = await local.slash(world.admin, world.channel, "settings show")
    shown = fields(await handle.reply())
    assert shown["Speaking turns"].startswith("Turns are **soft**")


async def test_the_view_still_works_after_a_restart(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    view = await open_config(local, world, world.admin)
    await runner.restart()
    view = await choose(local, world, world.admin, view, "timezone", ["Asia/Tokyo"])
    assert field(view, "Time zone").startswith("`Asia/Tokyo`")
    assert (await runner.one(GuildSettingsRow)).timezone == "Asia/Tokyo"


async def test_moderators_configure_but_only_managers_pick_the_moderator_role(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    moderators = local.add_role(world.guild, "Moderators")
    other = local.add_role(world.guild, "Friends")
    mod = local.add_member(world.guild, "mod", roles=[moderators])

    refused = await (await local.slash(world.alice, world.channel, "config")).reply()
    assert refused.ephemeral
    assert refused.content == (
        "Only members with the **Manage Server** permission or the server's moderator role "
        "can see or change Agora's settings. Ask one of them."
    )
    refused = await (await local.slash(mod, world.channel, "config")).reply()
    assert refused.content.startswith("Only members")  # no moderator role is set yet

    admin_view = await open_config(local, world, world.admin)
    await choose(local, world, world.admin, admin_view, "modrole", [moderators])
    view = await open_config(local, world, mod)
    view = await choose(local, world, mod, view, "timezone", ["America/New_York"])
    assert field(view, "Time zone").startswith("`America/New_York`")

    handle = await local.select(mod, local.message(view.id), select_id(world, "modrole"), [other])
    answer = await handle.reply()
    assert answer.ephemeral
    assert answer.content == (
        "Only members with the **Manage Server** permission can choose the moderator role. "
        "Ask one of them."
    )
    assert (await runner.one(GuildSettingsRow)).moderator_role_id == moderators.id

    everyone = world.guild.roles[world.guild.id]
    handle = await local.select(
        world.admin, local.message(admin_view.id), select_id(world, "modrole"), [everyone]
    )
    answer = await handle.reply()
    assert answer.ephemeral
    assert answer.content.startswith("@everyone cannot be the moderator")
    assert (await runner.one(GuildSettingsRow)).moderator_role_id == moderators.id


async def test_new_debates_and_nights_follow_the_server_defaults(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    clock = cast(FakeClock, runner.clock)
    clock.now = max(clock.now, datetime.now(UTC).replace(second=0, microsecond=0))
    view = await open_config(local, world, world.admin)
    view = await choose(local, world, world.admin, view, "format", ["quick"])
    view = await choose(local, world, world.admin, view, "channel", [world.other_channel])
    await choose(local, world, world.admin, view, "timezone", ["Asia/Tokyo"])

    lobby = await (
        await local.slash(world.alice, world.channel, "debate new", {"motion": "Zoos should go"})
    ).reply()
    assert " · Quick · " in lobby.embeds[0]["title"]
    assert (await runner.one(DebateRow)).format_key == "quick"
    oxford = await (
        await local.slash(
            world.bob,
            world.other_channel,
            "debate new",
            {"motion": "Tax sugar", "format": "oxford"},
        )
    ).reply()
    assert " · Oxford · " in oxford.embeds[0]["title"]

    night = {"name": "Thursday debates", "weekday": "Thursday", "time": "20:00"}
    handle = await local.slash(world.admin, world.channel, "schedule create", night)
    assert not (await handle.reply()).ephemeral
    row = await runner.one(ScheduleRow)
    assert (row.tz_name, row.channel_id, row.format_key) == (
        "Asia/Tokyo",
        world.other_channel.id,
        "quick",
    )
