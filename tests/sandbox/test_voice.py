"""Voice and stage channels: voice states, VOICE_STATE_UPDATE and stage moderation."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.sandbox import BOT_PERMISSIONS, LocalDiscord, Perm
from tests.sandbox.conftest import Scene, api, make_bot, recorder, running, until

pytestmark = pytest.mark.usefixtures("error_logs")


def _voice(bot: discord.Client, guild_id: int, user_id: int) -> discord.VoiceState | None:
    guild = bot.get_guild(guild_id)
    assert guild is not None
    member = guild.get_member(user_id)
    return None if member is None else member.voice


async def test_a_stage_audience_member_is_brought_up_and_sent_back(
    local: LocalDiscord, scene: Scene
) -> None:
    stage = local.add_channel(scene.guild, "Main stage", 13)
    joined = local.join_voice(scene.alice, stage)
    assert joined.suppress is True
    assert joined.channel_id == stage.id
    bot = make_bot()
    updates: list[tuple[int, int | None, bool, bool]] = []
    bot.add_listener(
        recorder(
            updates,
            lambda member, before, after: (
                member.id,
                after.channel.id if after.channel is not None else None,
                after.suppress,
                after.requested_to_speak_at is not None,
            ),
        ),
        "on_voice_state_update",
    )
    async with running(bot):
        guild = bot.get_guild(scene.guild.id)
        assert guild is not None
        assert isinstance(guild.get_channel(stage.id), discord.StageChannel)
        # Voice states arrive in GUILD_CREATE.
        alice_voice = _voice(bot, scene.guild.id, scene.alice.user_id)
        assert alice_voice is not None
        assert alice_voice.channel is not None
        assert alice_voice.channel.id == stage.id
        assert alice_voice.suppress

        bob_id = scene.bob.user_id
        local.join_voice(scene.bob, stage)
        local.request_to_speak(scene.bob)
        raised = local.voice_state(scene.guild.id, bob_id)
        assert raised is not None
        assert raised.request_to_speak_timestamp is not None
        await until(lambda: (bob_id, stage.id, True, True) in updates)

        bob = guild.get_member(bob_id)
        assert bob is not None
        await bob.edit(suppress=False)
        speaking = local.voice_state(scene.guild.id, bob_id)
        assert speaking is not None
        assert not speaking.suppress
        assert speaking.request_to_speak_timestamp is None
        await until(lambda: updates[-1] == (bob_id, stage.id, False, False))

        await bob.edit(suppress=True)
        assert local.voice_state(scene.guild.id, bob_id) == speaking
        assert speaking.suppress
        await until(lambda: updates[-1] == (bob_id, stage.id, True, False))

        local.leave_voice(scene.bob)
        assert local.voice_state(scene.guild.id, bob_id) is None
        await until(lambda: _voice(bot, scene.guild.id, bob_id) is None)
        local.leave_voice(scene.bob)  # already out: nothing happens

    patches = [e for e in local.exchanges if e.method == "PATCH"]
    assert [(e.path, e.status) for e in patches] == [
        (f"/guilds/{scene.guild.id}/voice-states/{bob_id}", 204)
    ] * 2


async def test_the_bot_moves_itself_between_audience_and_speakers(
    local: LocalDiscord, scene: Scene
) -> None:
    stage = local.add_channel(scene.guild, "Main stage", 13)
    me = local.member(scene.guild.id, local.application_id)
    local.join_voice(me, stage)
    async with running(make_bot()) as bot:
        guild = bot.get_guild(scene.guild.id)
        assert guild is not None
        await until(lambda: guild.me.voice is not None)
        await guild.me.edit(suppress=False)
        state = local.voice_state(scene.guild.id, local.application_id)
        assert state is not None
        assert not state.suppress
        await guild.me.edit(suppress=True)
        assert state.suppress
        status, _, body = await api(local, "GET", f"/guilds/{scene.guild.id}/voice-states/@me")
        assert status == 200
        assert body["channel_id"] == str(stage.id)
        assert body["suppress"] is True
    assert any(e.path.endswith("/voice-states/@me") for e in local.exchanges)


async def test_voice_state_changes_are_checked_like_discord(
    local: LocalDiscord, scene: Scene
) -> None:
    stage = local.add_channel(scene.guild, "Main stage", 13)
    voice = local.add_channel(scene.guild, "Lobby", 2)
    guild_id, alice, bob = scene.guild.id, scene.alice, scene.bob
    local.join_voice(alice, stage)
    local.join_voice(bob, voice)
    assert local.voice_state(guild_id, bob.user_id) is not None
    path = f"/guilds/{guild_id}/voice-states/"

    async def patch(user_id: int, body: dict[str, Any]) -> tuple[int, Any]:
        status, _, answer = await api(local, "PATCH", f"{path}{user_id}", body)
        return status, answer

    status, body = await patch(alice.user_id, {"suppress": False})
    assert (status, body["code"]) == (400, 50035)
    assert "channel_id" in body["errors"]
    # Bob is in a voice channel, not a stage; alice is not in the lobby.
    assert (await patch(bob.user_id, {"channel_id": str(voice.id), "suppress": False}))[1][
        "code"
    ] == 50024
    assert await patch(alice.user_id, {"channel_id": str(voice.id), "suppress": False}) == (
        400,
        {"message": "Cannot execute action on this channel type", "code": 50024},
    )
    other_stage = local.add_channel(scene.guild, "Side stage", 13)
    assert await patch(alice.user_id, {"channel_id": str(other_stage.id), "suppress": False}) == (
        404,
        {"message": "Unknown Voice State", "code": 10065},
    )
    status, _, _ = await api(local, "GET", f"{path}{scene.guild.owner_id}")
    assert status == 404
    status, _, body = await api(local, "GET", f"{path}{alice.user_id}")
    assert (status, body["suppress"], body["member"]["user"]["id"]) == (
        200,
        True,
        str(alice.user_id),
    )
    assert await patch(alice.user_id, {"channel_id": str(stage.id), "suppress": False}) == (
        204,
        None,
    )


async def test_suppress_needs_mute_members(local: LocalDiscord) -> None:
    guild = local.add_guild(
        "No mods", bot_permissions=BOT_PERMISSIONS & ~Perm.MUTE_MEMBERS & ~Perm.ADMINISTRATOR
    )
    stage = local.add_channel(guild, "Stage", 13)
    carol = local.add_member(guild, "carol")
    local.join_voice(carol, stage)
    async with running(make_bot()) as bot:
        member = bot.get_guild(guild.id).get_member(carol.user_id)  # type: ignore[union-attr]
        assert member is not None
        with pytest.raises(discord.Forbidden):
            await member.edit(suppress=False)
    state = local.voice_state(guild.id, carol.user_id)
    assert state is not None
    assert state.suppress


async def test_voice_states_need_the_voice_states_intent(local: LocalDiscord, scene: Scene) -> None:
    stage = local.add_channel(scene.guild, "Main stage", 13)
    local.join_voice(scene.alice, stage)
    intents = discord.Intents.default()
    intents.members = True
    intents.voice_states = False
    bot = discord.Client(intents=intents, guild_ready_timeout=0.05)
    async with running(bot):
        assert _voice(bot, scene.guild.id, scene.alice.user_id) is None
        local.join_voice(scene.bob, stage)
        await local.wait_for(
            lambda: local.voice_state(scene.guild.id, scene.bob.user_id) is not None
        )
        assert _voice(bot, scene.guild.id, scene.bob.user_id) is None
    with pytest.raises(ValueError, match="not a voice or stage channel"):
        local.join_voice(scene.alice, scene.channel)
    local.join_voice(scene.bob, local.add_channel(scene.guild, "Lobby", 2))
    with pytest.raises(ValueError, match="not on a stage"):
        local.request_to_speak(scene.bob)
