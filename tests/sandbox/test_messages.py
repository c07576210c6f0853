"""Reactions, member messages in threads (edits and deletes as events) and memory caps."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord.ext import commands

from bot.sandbox import BOT_PERMISSIONS, LocalDiscord, Perm
from tests.sandbox.conftest import Scene, StartEmulator, api, make_bot, recorder, running, until

pytestmark = pytest.mark.usefixtures("error_logs")


def _text_channel(bot: discord.Client, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


# ------------------------------------------------------------------------ reactions


async def test_reactions_are_added_removed_and_shown(local: LocalDiscord, scene: Scene) -> None:
    said = local.say(scene.alice, scene.channel, "mute the speaker?")
    bot = make_bot()
    raw: list[tuple[str, int, str]] = []
    bot.add_listener(
        recorder(raw, lambda e: (e.event_type, e.user_id, str(e.emoji))), "on_raw_reaction_add"
    )
    bot.add_listener(
        recorder(raw, lambda e: (e.event_type, e.user_id, str(e.emoji))), "on_raw_reaction_remove"
    )
    async with running(bot):
        channel = _text_channel(bot, scene.channel.id)
        message = await channel.fetch_message(said.id)
        await message.add_reaction("🔇")
        await message.add_reaction("agree:123456789012345678")
        assert local.message(said.id).reactions == {
            "🔇": {local.application_id},
            "agree:123456789012345678": {local.application_id},
        }
        local.react(scene.alice, local.message(said.id), "🔇")
        fetched = await channel.fetch_message(said.id)
        counts = {str(r.emoji): (r.count, r.me) for r in fetched.reactions}
        assert counts == {"🔇": (2, True), "<:agree:123456789012345678>": (1, True)}
        await fetched.remove_reaction("🔇", discord.Object(local.application_id))
        assert local.message(said.id).reactions["🔇"] == {scene.alice.user_id}
        bot_id = local.application_id
        await until(lambda: len(raw) == 4)
        assert raw == [
            ("REACTION_ADD", bot_id, "🔇"),
            ("REACTION_ADD", bot_id, "<:agree:123456789012345678>"),
            ("REACTION_ADD", scene.alice.user_id, "🔇"),
            ("REACTION_REMOVE", bot_id, "🔇"),
        ]
    paths = [e.path for e in local.exchanges if e.method in ("PUT", "DELETE")]
    # The router decodes the percent-encoded emoji.
    assert paths[0] == f"/channels/{scene.channel.id}/messages/{said.id}/reactions/🔇/@me"
    assert (
        local.request_counts()[
            "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"
        ]
        == 2
    )


async def test_a_reaction_needs_a_known_emoji_and_the_permission(local: LocalDiscord) -> None:
    guild = local.add_guild("Quiet", bot_permissions=BOT_PERMISSIONS & ~Perm.ADD_REACTIONS)
    guild.everyone.permissions &= ~Perm.ADD_REACTIONS
    channel = local.channel(guild.system_channel_id or 0)
    owner = local.member(guild.id, guild.owner_id)
    said = local.say(owner, channel, "hello")
    base = f"/channels/{channel.id}/messages/{said.id}/reactions"
    status, _, body = await api(local, "PUT", f"{base}/abc/@me")
    assert (status, body) == (400, {"message": "Unknown Emoji", "code": 10014})
    status, _, body = await api(local, "PUT", f"{base}/%F0%9F%91%8D/@me")
    assert (status, body["code"]) == (403, 50013)
    # An emoji already on the message may be added without ADD_REACTIONS.
    local.react(owner, said, "👍")
    status, _, _ = await api(local, "PUT", f"{base}/%F0%9F%91%8D/@me")
    assert status == 204
    assert said.reactions == {"👍": {owner.user_id, local.application_id}}
    status, _, _ = await api(local, "DELETE", f"{base}/%F0%9F%91%8D/@me")
    assert status == 204
    assert said.reactions == {"👍": {owner.user_id}}
    with pytest.raises(Exception, match="Unknown Emoji"):
        local.react(owner, said, "thumbsup")


# ------------------------------------------------------- member messages in threads


async def test_member_messages_in_bot_threads_are_received_edited_and_deleted(
    local: LocalDiscord, scene: Scene
) -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
    created: list[tuple[type[Any], int, str]] = []
    edits: list[tuple[int, str, str | None]] = []
    deleted: list[tuple[int, int]] = []
    bot.add_listener(
        recorder(created, lambda m: (type(m.channel), m.channel.id, m.content)), "on_message"
    )
    bot.add_listener(
        recorder(
            edits,
            lambda e: (e.message_id, e.data.get("content"), e.data.get("edited_timestamp")),
        ),
        "on_raw_message_edit",
    )
    bot.add_listener(
        recorder(deleted, lambda e: (e.channel_id, e.message_id)), "on_raw_message_delete"
    )
    async with running(bot):
        channel = _text_channel(bot, scene.channel.id)
        motion = await channel.send("This house would ban homework")
        from_message = await motion.create_thread(name="Round 1")
        standalone = await channel.create_thread(
            name="Side room", type=discord.ChannelType.public_thread
        )
        guild = bot.get_guild(scene.guild.id)
        assert guild is not None
        for thread in (from_message, standalone):
            assert isinstance(thread, discord.Thread)
            await until(lambda t=thread: guild.get_thread(t.id) is not None)  # type: ignore[misc]

        said = [
            local.say(scene.alice, local.channel(t.id), f"hello {t.name}")
            for t in (from_message, standalone)
        ]
        await until(lambda: len([c for c in created if c[0] is discord.Thread]) == 2)
        assert [c for c in created if c[0] is discord.Thread] == [
            (discord.Thread, from_message.id, "hello Round 1"),
            (discord.Thread, standalone.id, "hello Side room"),
        ]

        local.edit_said(said[0], "hello, edited")
        await until(lambda: any(e[0] == said[0].id for e in edits))
        [(content, edited_at)] = [(c, at) for i, c, at in edits if i == said[0].id]
        assert content == "hello, edited"
        assert edited_at is not None
        assert local.message(said[0].id).edited_at is not None

        fetched = await from_message.fetch_message(said[0].id)
        await fetched.delete()
        with pytest.raises(KeyError):
            local.message(said[0].id)
        await until(lambda: (from_message.id, said[0].id) in deleted)
    with pytest.raises(ValueError, match="REST"):
        local.edit_said(local.message(motion.id), "no")
    with pytest.raises(KeyError):
        local.edit_said(said[0], "gone")


async def test_deleting_a_members_message_needs_manage_messages(local: LocalDiscord) -> None:
    guild = local.add_guild("Strict", bot_permissions=BOT_PERMISSIONS & ~Perm.MANAGE_MESSAGES)
    parent = local.channel(guild.system_channel_id or 0)
    thread = local.add_channel(guild, "Round 1", 11, parent=parent)
    dave = local.add_member(guild, "dave")
    said = local.say(dave, thread, "my rebuttal")
    assert said.channel_id == thread.id
    async with running(make_bot()) as bot:
        found = bot.get_channel(thread.id)
        assert isinstance(found, discord.Thread)
        message = await found.fetch_message(said.id)
        with pytest.raises(discord.Forbidden):
            await message.delete()
    assert local.message(said.id) is said


# ----------------------------------------------------------------- memory caps


async def test_keep_messages_forgets_the_oldest_of_each_channel(
    emulator: StartEmulator,
) -> None:
    local = await emulator(keep_messages=3)
    guild = local.add_guild("Big")
    channel = local.add_channel(guild, "busy")
    other = local.add_channel(guild, "quiet")
    erin = local.add_member(guild, "erin")
    said = [local.say(erin, channel, f"m{i}") for i in range(5)]
    kept = local.say(erin, other, "only one")
    assert [m.content for m in local.messages(channel.id)] == ["m2", "m3", "m4"]
    assert local.messages(other.id) == [kept]
    with pytest.raises(KeyError):
        local.message(said[0].id)
    async with running(make_bot()) as bot:
        history = [m async for m in _text_channel(bot, channel.id).history(limit=10)]
        assert [m.id for m in history] == [m.id for m in reversed(said[2:])]
        with pytest.raises(discord.NotFound):
            await _text_channel(bot, channel.id).fetch_message(said[0].id)
    with pytest.raises(ValueError, match="keep_messages"):
        await emulator(keep_messages=0)


@pytest.mark.parametrize("keep", [0, 2])
async def test_exchanges_can_be_capped_while_requests_are_counted(
    emulator: StartEmulator, keep: int
) -> None:
    local = await emulator(keep_exchanges=keep)
    guild = local.add_guild("Big")
    async with running(make_bot()) as bot:
        channel = _text_channel(bot, guild.system_channel_id or 0)
        for i in range(4):
            await channel.send(f"note {i}")
    assert len(local.exchanges) == keep
    counts = local.request_counts()
    assert counts["POST /channels/{channel_id}/messages"] == 4
    assert counts["GET /users/@me"] == 1
    assert sum(counts.values()) >= 5
