"""The local Discord, driven by the real discord.py client over HTTP and its gateway."""

from __future__ import annotations

import asyncio
import io
import json
import math
import re
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.sandbox import (
    InteractionRejected,
    LocalDiscord,
    Perm,
)
from tests.sandbox.conftest import (
    TOKEN,
    Scene,
    StartEmulator,
    api,
    make_bot,
    recorder,
    running,
    synced,
    until,
)

pytestmark = pytest.mark.usefixtures("error_logs")

# ------------------------------------------------------------- login and gateway


async def test_login_ready_guilds_and_member_chunking(local: LocalDiscord, scene: Scene) -> None:
    thread = local.add_channel(scene.guild, "Round 1", 11, parent=scene.channel)
    voice = local.add_channel(scene.guild, "Stage", 13)
    bot = make_bot()
    async with running(bot):
        assert bot.user is not None
        assert bot.user.id == local.application_id == bot.application_id
        guild = bot.get_guild(scene.guild.id)
        assert guild is not None
        assert guild.name == "Debate Club"
        assert {c.name for c in guild.text_channels} == {"general", "debates"}
        assert guild.system_channel is not None
        assert guild.system_channel.name == "general"
        assert isinstance(guild.get_thread(thread.id), discord.Thread)
        assert isinstance(guild.get_channel(voice.id), discord.StageChannel)
        assert guild.me.guild_permissions.send_messages
        # The members intent makes discord.py request the member list (op 8).
        alice = guild.get_member(scene.alice.user_id)
        assert alice is not None
        assert [r.name for r in alice.roles] == ["@everyone", "Moderators"]
        assert local.sessions[0].compression == "zlib-stream"
        # HEARTBEAT is answered with HEARTBEAT_ACK, which gives the client its latency.
        await until(lambda: math.isfinite(bot.latency))
    assert local.identify_count == 1
    calls = [(e.method, e.path) for e in local.exchanges]
    assert calls[:2] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]


async def test_state_added_after_connecting_is_dispatched(local: LocalDiscord) -> None:
    bot = make_bot()
    joined: list[int] = []
    bot.add_listener(recorder(joined, lambda g: g.id), "on_guild_join")
    async with running(bot):
        guild = local.add_guild("Late Club")
        await until(lambda: guild.id in joined)
        channel = local.add_channel(guild, "late-debates")
        role = local.add_role(guild, "Judges")
        member = local.add_member(guild, "carol", roles=[role])
        cached = bot.get_guild(guild.id)
        assert cached is not None
        await until(lambda: cached.get_member(member.user_id) is not None)
        assert cached.get_channel(channel.id) is not None
        assert cached.get_role(role.id) is not None


async def test_a_dropped_gateway_is_resumed(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()
    resumed: list[int] = []
    bot.add_listener(recorder(resumed, lambda: 1), "on_resumed")

    @bot.tree.command(name="ping", description="Ping", guild=discord.Object(scene.guild.id))
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    async with running(bot):
        await synced(bot, local, scene.guild)
        await local.drop_gateway()
        # Whether this arrives live or is replayed on RESUME, the bot must see it.
        added = local.add_channel(scene.guild, "during-the-blip")
        await local.wait_for(lambda: local.resume_count == 1)
        await until(lambda: resumed == [1])
        await until(lambda: bot.get_channel(added.id) is not None)
        reply = await (await local.slash(scene.alice, scene.channel, "ping")).reply()
        assert reply.content == "pong"
    assert local.identify_count == 1


async def test_a_refused_resume_makes_the_client_identify_again(
    local: LocalDiscord, scene: Scene
) -> None:
    class NoIdentifyDelay(commands.Bot):
        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            return None

    bot = make_bot(cls=NoIdentifyDelay)
    async with running(bot):
        await local.drop_gateway(resume=False)
        await local.wait_for(lambda: local.identify_count == 2 and len(local.sessions) == 1)
        await until(bot.is_ready)
        assert bot.get_guild(scene.guild.id) is not None
    assert local.resume_count == 0


async def test_resume_replays_missed_events_in_order(local: LocalDiscord, scene: Scene) -> None:
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(local.gateway_url + "?v=10&encoding=json")
        assert (await ws.receive_json(timeout=5))["op"] == 10
        await ws.send_json({"op": 2, "d": {"token": TOKEN, "intents": 1, "properties": {}}})
        ready = await ws.receive_json(timeout=5)
        assert ready["t"] == "READY"
        guild_create = await ws.receive_json(timeout=5)
        assert guild_create["t"] == "GUILD_CREATE"
        seq = guild_create["s"]
        # Not 1000: a clean close would end the session, as on Discord.
        await ws.close(code=4000)
        # Events while nobody is connected are kept for the session.
        first = local.add_channel(scene.guild, "missed-1")
        second = local.add_channel(scene.guild, "missed-2")
        async with session.ws_connect(ready["d"]["resume_gateway_url"]) as ws:
            assert (await ws.receive_json(timeout=5))["op"] == 10
            resume = {"token": TOKEN, "session_id": ready["d"]["session_id"], "seq": seq}
            await ws.send_json({"op": 6, "d": resume})
            frames = [await ws.receive_json(timeout=5) for _ in range(3)]
            await ws.close(code=4000)
    assert [(f["t"], f["s"]) for f in frames] == [
        ("CHANNEL_CREATE", seq + 1),
        ("CHANNEL_CREATE", seq + 2),
        ("RESUMED", seq + 3),
    ]
    assert [f["d"]["id"] for f in frames[:2]] == [str(first.id), str(second.id)]
    assert local.resume_count == 1


async def test_gateway_frames_are_zlib_stream_only_when_asked(local: LocalDiscord) -> None:
    async with aiohttp.ClientSession() as session:
        url = local.gateway_url + "?v=10&encoding=json&compress=zlib-stream"
        async with session.ws_connect(url) as ws:
            inflate = zlib.decompressobj()
            frame = await ws.receive(timeout=5)
            assert frame.type is aiohttp.WSMsgType.BINARY
            assert frame.data.endswith(b"\x00\x00\xff\xff")
            assert json.loads(inflate.decompress(frame.data))["op"] == 10
            await ws.send_json({"op": 1, "d": None})
            # The same stream continues: the second message needs the first's context.
            ack = await ws.receive(timeout=5)
            assert json.loads(inflate.decompress(ack.data)) == {
                "op": 11,
                "d": None,
                "s": None,
                "t": None,
            }
        async with session.ws_connect(local.gateway_url + "?v=10&encoding=json") as ws:
            frame = await ws.receive(timeout=5)
            assert frame.type is aiohttp.WSMsgType.TEXT
            assert json.loads(frame.data)["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
            closed = await ws.receive(timeout=5)
            assert closed.type is aiohttp.WSMsgType.CLOSE
            assert ws.close_code == 4004


async def test_an_autosharded_bot_gets_each_guild_on_its_shard(emulator: StartEmulator) -> None:
    local = await emulator(shards=2)
    zero = local.add_guild("Shard Zero", shard=(0, 2))
    one = local.add_guild("Shard One", shard=(1, 2))
    alice = local.add_member(one, "alice")
    channel = local.add_channel(one, "debates")

    class NoIdentifyDelay(commands.AutoShardedBot):
        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            return None

    bot = make_bot(cls=NoIdentifyDelay)
    shards: list[int | None] = []

    @bot.tree.command(name="where", description="Which shard?")
    async def where(interaction: discord.Interaction) -> None:
        shards.append(interaction.guild.shard_id if interaction.guild else None)
        await interaction.response.send_message("here")

    async with running(bot):
        assert bot.shard_count == 2
        await bot.tree.sync()
        await local.wait_for_commands()
        by_shard = {s.shard_id: s.ready_guild_ids for s in local.sessions}
        assert by_shard == {0: [zero.id], 1: [one.id]}
        guild_zero, guild_one = bot.get_guild(zero.id), bot.get_guild(one.id)
        assert guild_zero is not None
        assert guild_one is not None
        assert (guild_zero.shard_id, guild_one.shard_id) == (0, 1)
        await (await local.slash(alice, channel, "where")).reply()
    assert shards == [1]
    assert [e.path for e in local.exchanges if e.path.startswith("/gateway")] == ["/gateway/bot"]


# ------------------------------------------------------------------- interactions


async def test_a_synced_slash_command_reaches_the_bot_and_replies(
    local: LocalDiscord, scene: Scene
) -> None:
    bot = make_bot()
    seen: dict[str, Any] = {}
    debate = app_commands.Group(name="debate", description="Debates")

    @debate.command(name="new", description="Open a debate")
    async def new(
        interaction: discord.Interaction,
        motion: str,
        format: Literal["oxford", "bp"],
        rounds: app_commands.Range[int, 1, 5] = 3,
        judge: discord.Member | None = None,
        room: discord.TextChannel | None = None,
        panel: discord.Role | None = None,
    ) -> None:
        seen.update(
            user=interaction.user.id,
            judge=judge and judge.id,
            room=room and room.id,
            panel=panel and panel.id,
            locale=str(interaction.locale),
        )
        await interaction.response.send_message(f"{motion} ({format}, {rounds} rounds)")

    bot.tree.add_command(debate, guild=discord.Object(scene.guild.id))
    async with running(bot):
        commands_ = await synced(bot, local, scene.guild)
        assert [c["name"] for c in commands_] == ["debate"]
        assert commands_[0]["guild_id"] == str(scene.guild.id)
        handle = await local.slash(
            scene.bob,
            scene.channel,
            "debate new",
            options={
                "motion": "This House would ban homework",
                "format": "oxford",
                "rounds": 2,
                "judge": scene.alice,
                "room": scene.channel,
                "panel": scene.moderators,
            },
        )
        reply = await handle.reply()
        with pytest.raises(LookupError, match="not registered"):
            await local.slash(scene.bob, scene.channel, "nonexistent")
        with pytest.raises(ValueError, match="not one of"):
            await local.slash(
                scene.bob, scene.channel, "debate new", {"motion": "m", "format": "x"}
            )
    assert (await handle.response())["type"] == 4
    assert reply.content == "This House would ban homework (oxford, 2 rounds)"
    assert not reply.ephemeral
    assert reply.author_id == local.application_id
    assert reply.interaction_metadata is not None
    assert reply.interaction_metadata["user"]["id"] == str(scene.bob.user_id)
    assert local.messages(scene.channel.id) == [reply]
    assert seen == {
        "user": scene.bob.user_id,
        "judge": scene.alice.user_id,
        "room": scene.channel.id,
        "panel": scene.moderators.id,
        "locale": "fr",
    }


async def test_defer_then_edit_original_and_followups(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()
    guild = discord.Object(scene.guild.id)

    @bot.tree.command(name="think", description="Think first", guild=guild)
    async def think(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="Thought about it")
        await interaction.followup.send("A second thought")
        await interaction.followup.send("Just for you", ephemeral=True)

    @bot.tree.command(name="later", description="Defer, then follow up", guild=guild)
    async def later(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await interaction.followup.send("The answer")

    async with running(bot):
        await synced(bot, local, scene.guild)
        handle = await local.slash(scene.alice, scene.channel, "think")
        reply = await handle.reply()
        second, private = await handle.followups(2)
        deferred = await local.slash(scene.alice, scene.channel, "later")
        answer = await deferred.reply()
        (followup,) = await deferred.followups(1)
    assert (await handle.response())["type"] == 5
    assert reply.content == "Thought about it"
    assert reply.flags & 128 == 0
    assert reply.edited_at is not None
    assert (second.content, second.ephemeral) == ("A second thought", False)
    assert (private.content, private.visible_to) == ("Just for you", scene.alice.user_id)
    # The first followup after a defer replaces the "thinking..." message.
    assert followup.id == answer.id
    assert answer.content == "The answer"


async def test_an_ephemeral_reply_is_seen_only_by_its_member(
    local: LocalDiscord, scene: Scene
) -> None:
    bot = make_bot()
    created: list[int] = []
    bot.add_listener(recorder(created, lambda m: m.id), "on_message")

    @bot.tree.command(name="secret", description="Psst", guild=discord.Object(scene.guild.id))
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("only you", ephemeral=True)

    async with running(bot):
        await synced(bot, local, scene.guild)
        reply = await (await local.slash(scene.alice, scene.channel, "secret")).reply()
        channel = bot.get_channel(scene.channel.id)
        assert isinstance(channel, discord.TextChannel)
        history = [m.content async for m in channel.history()]
        public = await channel.send("for everyone")
        await until(lambda: public.id in created)
    assert reply.ephemeral
    assert reply.visible_to == scene.alice.user_id
    assert history == []
    assert reply.id not in created
    assert [m.content for m in local.messages(scene.channel.id)] == ["only you", "for everyone"]


class Tally(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.count = 0

    @discord.ui.button(label="Count: 0", custom_id="tally")
    async def tally(
        self, interaction: discord.Interaction, button: discord.ui.Button[Tally]
    ) -> None:
        self.count += 1
        button.label = f"Count: {self.count}"
        await interaction.response.edit_message(view=self)


class Vote(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"vote:(?P<side>[a-z]+):(?P<votes>\d+)",
):
    def __init__(self, side: str, votes: int) -> None:
        super().__init__(
            discord.ui.Button(label=f"{side} {votes}", custom_id=f"vote:{side}:{votes}")
        )
        self.side, self.votes = side, votes

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> Vote:
        return cls(match["side"], int(match["votes"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Vote(self.side, self.votes + 1))
        await interaction.response.edit_message(content=f"{self.side} leads", view=view)


async def test_view_and_dynamic_buttons_update_their_message(
    local: LocalDiscord, scene: Scene
) -> None:
    bot = make_bot()
    bot.add_dynamic_items(Vote)
    guild = discord.Object(scene.guild.id)

    @bot.tree.command(name="tally", description="A counter", guild=guild)
    async def tally(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Votes", view=Tally())

    @bot.tree.command(name="vote", description="A vote", guild=guild)
    async def vote(interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Vote("aye", 0))
        await interaction.response.send_message("Vote!", view=view)

    async with running(bot):
        await synced(bot, local, scene.guild)
        board = await (await local.slash(scene.alice, scene.channel, "tally")).reply()
        assert board.button("Count: 0")["custom_id"] == "tally"
        click = await local.click(scene.bob, board, "tally")
        counted = await click.reply()
        again = await (await local.click(scene.alice, counted, "tally")).reply()
        ballot = await (await local.slash(scene.alice, scene.channel, "vote")).reply()
        voted = await (await local.click(scene.bob, ballot, "vote:aye:0")).reply()
        with pytest.raises(LookupError, match="no component"):
            await local.click(scene.bob, voted, "vote:aye:0")
    assert (await click.response())["type"] == 7
    assert counted.id == board.id
    assert [b["label"] for b in again.buttons()] == ["Count: 2"]
    assert voted.id == ballot.id
    assert voted.content == "aye leads"
    assert voted.custom_ids() == ["vote:aye:1"]
    assert local.message(board.id).edited_at is not None


class Picker(discord.ui.View):
    @discord.ui.select(
        custom_id="format",
        options=[discord.SelectOption(label="Oxford"), discord.SelectOption(label="BP")],
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[Picker]
    ) -> None:
        await interaction.response.edit_message(content=f"Format: {select.values[0]}", view=None)


async def test_a_select_menu_choice_reaches_its_view(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()

    @bot.tree.command(name="pick", description="Pick", guild=discord.Object(scene.guild.id))
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Choose", view=Picker())

    async with running(bot):
        await synced(bot, local, scene.guild)
        menu = await (await local.slash(scene.alice, scene.channel, "pick")).reply()
        with pytest.raises(ValueError, match="not an option"):
            await local.select(scene.alice, menu, "format", ["Lincoln-Douglas"])
        chosen = await (await local.select(scene.alice, menu, "format", ["BP"])).reply()
    assert chosen.content == "Format: BP"
    assert chosen.components == []


class MotionForm(discord.ui.Modal, title="Propose a motion"):
    motion: discord.ui.TextInput[MotionForm] = discord.ui.TextInput(
        label="Motion", custom_id="motion"
    )
    notes: discord.ui.Label[MotionForm] = discord.ui.Label(
        text="Notes",
        component=discord.ui.TextInput(custom_id="notes", required=False),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        notes = self.notes.component
        assert isinstance(notes, discord.ui.TextInput)
        await interaction.response.send_message(f"{self.motion.value} / {notes.value or '-'}")


async def test_a_modal_round_trip(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()

    @bot.tree.command(name="propose", description="Propose", guild=discord.Object(scene.guild.id))
    async def propose(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(MotionForm(custom_id="motion-form"))

    async with running(bot):
        await synced(bot, local, scene.guild)
        shown = await local.slash(scene.alice, scene.channel, "propose")
        assert (await shown.response())["type"] == 9
        assert shown.modal is not None
        assert shown.modal["title"] == "Propose a motion"
        submitted = await local.submit_modal(
            scene.alice,
            scene.channel,
            "motion-form",
            {"motion": "This House would abolish zoos", "notes": "first round"},
        )
        reply = await submitted.reply()
        with pytest.raises(LookupError, match="no modal"):
            await local.submit_modal(scene.alice, scene.channel, "motion-form", {"motion": "x"})
    assert reply.content == "This House would abolish zoos / first round"
    assert reply.interaction_metadata is not None
    assert reply.interaction_metadata["type"] == 5


class Rename(discord.ui.View):
    @discord.ui.button(label="Rename", custom_id="rename")
    async def rename(
        self, interaction: discord.Interaction, button: discord.ui.Button[Rename]
    ) -> None:
        modal = discord.ui.Modal(title="Rename", custom_id="rename-form")
        modal.add_item(discord.ui.TextInput(label="Title", custom_id="title"))

        async def on_submit(submitted: discord.Interaction) -> None:
            title = modal.children[0]
            assert isinstance(title, discord.ui.TextInput)
            await submitted.response.edit_message(content=f"Renamed to {title.value}", view=None)

        modal.on_submit = on_submit  # type: ignore[method-assign]
        await interaction.response.send_modal(modal)


async def test_a_modal_opened_by_a_button_updates_its_message(
    local: LocalDiscord, scene: Scene
) -> None:
    bot = make_bot()

    @bot.tree.command(name="card", description="Card", guild=discord.Object(scene.guild.id))
    async def card(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Untitled", view=Rename())

    async with running(bot):
        await synced(bot, local, scene.guild)
        message = await (await local.slash(scene.alice, scene.channel, "card")).reply()
        opened = await local.click(scene.alice, message, "rename")
        await opened.response()
        with pytest.raises(LookupError, match="no modal"):
            await local.submit_modal(scene.bob, None, "rename-form", {"title": "Mine"})
        with pytest.raises(ValueError, match="required"):
            await local.submit_modal(scene.alice, None, "rename-form", {})
        submitted = await local.submit_modal(scene.alice, None, "rename-form", {"title": "Zoos"})
        renamed = await submitted.reply()
    assert (await submitted.response())["type"] == 7
    assert (renamed.id, renamed.content, renamed.components) == (message.id, "Renamed to Zoos", [])


async def test_member_messages_and_the_message_content_intent(
    local: LocalDiscord, scene: Scene
) -> None:
    bot = make_bot()
    seen: list[str] = []
    bot.add_listener(recorder(seen, lambda m: m.content), "on_message")
    async with running(bot):
        local.say(scene.alice, scene.channel, "I disagree")
        local.say(scene.alice, scene.channel, f"<@{local.application_id}> what is the motion?")
        await until(lambda: len(seen) == 2)
    # Without the privileged intent, only messages mentioning the bot keep their content.
    assert seen == ["", f"<@{local.application_id}> what is the motion?"]
    assert [m.author_id for m in local.messages(scene.channel.id)] == [scene.alice.user_id] * 2


async def test_autocomplete_returns_the_bots_choices(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()
    topics = ["Education", "Economics", "Environment", "Health"]

    @bot.tree.command(name="motion", description="Motion", guild=discord.Object(scene.guild.id))
    async def motion(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(topic)

    @motion.autocomplete("topic")
    async def topic_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]

    async with running(bot):
        await synced(bot, local, scene.guild)
        handle = await local.autocomplete(
            scene.alice, scene.channel, "motion", {"topic": "E"}, focused="topic"
        )
        response = await handle.response()
    assert response["type"] == 8
    assert handle.choices == [{"name": t, "value": t} for t in topics[:3]]


async def test_a_response_after_the_deadline_is_an_unknown_interaction(
    emulator: StartEmulator,
) -> None:
    local = await emulator(interaction_deadline=0.1)
    guild = local.add_guild("Slow Club")
    alice = local.add_member(guild, "alice")
    codes: list[int] = []
    bot = make_bot()

    @bot.tree.command(name="slow", description="Too slow", guild=discord.Object(guild.id))
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        try:
            await interaction.response.send_message("finally")
        except discord.NotFound as error:
            codes.append(error.code)

    async with running(bot):
        await synced(bot, local, guild)
        channel = local.channel(guild.system_channel_id or 0)
        handle = await local.slash(alice, channel, "slow")
        with pytest.raises(InteractionRejected) as rejected:
            await handle.response()
        await until(lambda: codes)
    assert rejected.value.error == {"message": "Unknown interaction", "code": 10062}
    assert codes == [10062]
    assert local.messages(channel.id) == []


async def test_an_interaction_token_expires_after_15_minutes(
    local: LocalDiscord, scene: Scene
) -> None:
    bot = make_bot()
    answered: list[discord.Interaction] = []

    @bot.tree.command(name="ask", description="Ask", guild=discord.Object(scene.guild.id))
    async def ask(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("asked")
        answered.append(interaction)

    async with running(bot):
        await synced(bot, local, scene.guild)
        await (await local.slash(scene.alice, scene.channel, "ask")).reply()
        await until(lambda: answered)
        await answered[0].followup.send("still in time")
        local.advance_time(15 * 60 + 1)
        with pytest.raises(discord.HTTPException) as expired:
            await answered[0].followup.send("too late")
    assert (expired.value.status, expired.value.code) == (401, 50027)
    assert [m.content for m in local.messages(scene.channel.id)] == ["asked", "still in time"]


async def test_a_second_callback_is_already_acknowledged(
    emulator: StartEmulator,
) -> None:
    # Raw calls: discord.py refuses a second response itself, and the spec check
    # would (rightly) flag the deliberately bad requests.
    local = await emulator(check_spec=False)
    guild = local.add_guild("Club")
    alice = local.add_member(guild, "alice")
    bot = make_bot()

    @bot.tree.command(name="once", description="Once", guild=discord.Object(guild.id))
    async def once(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("once")

    async with running(bot):
        await synced(bot, local, guild)
        channel = local.channel(guild.system_channel_id or 0)
        handle = await local.slash(alice, channel, "once")
        await handle.reply()
        path = f"/interactions/{handle.id}/{handle.token}/callback"
        status, _, body = await api(local, "POST", path, {"type": 4, "data": {"content": "x"}})
    assert (status, body["code"]) == (400, 40060)
    assert body["message"] == "Interaction has already been acknowledged."


async def test_an_attachment_option_is_downloadable_by_the_bot(
    local: LocalDiscord, scene: Scene
) -> None:
    bot = make_bot()

    @bot.tree.command(name="upload", description="Upload", guild=discord.Object(scene.guild.id))
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        echo = discord.File(io.BytesIO(data[::-1]), filename="reversed.txt")
        await interaction.response.send_message(f"{file.filename}: {data.decode()}", file=echo)

    async with running(bot):
        await synced(bot, local, scene.guild)
        handle = await local.slash(
            scene.alice,
            scene.channel,
            "upload",
            attachments={"file": ("motion.txt", b"ban homework", "text/plain")},
        )
        reply = await handle.reply()
        async with aiohttp.ClientSession() as session:
            url = reply.attachments[0]["url"]
            async with session.get(url) as response:
                echoed = await response.read()
    assert reply.content == "motion.txt: ban homework"
    assert reply.attachments[0]["filename"] == "reversed.txt"
    assert reply.attachments[0]["size"] == len(b"ban homework")
    assert echoed == b"krowemoh nab"


async def test_dm_interactions_and_direct_messages(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()
    stranger = local.add_user("stranger")
    closed = local.add_user("closed", dm_open=False)
    places: list[str] = []

    @bot.tree.command(name="hello", description="Hello")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    async def hello(interaction: discord.Interaction) -> None:
        places.append("dm" if interaction.guild is None else "guild")
        await interaction.response.send_message(f"hello {interaction.user.name}")

    async with running(bot):
        await bot.tree.sync()
        await local.wait_for_commands()
        reply = await (await local.slash(stranger, None, "hello")).reply()
        member = bot.get_guild(scene.guild.id).get_member(scene.alice.user_id)  # type: ignore[union-attr]
        assert member is not None
        sent = await member.send("Your debate starts soon")
        user = await bot.fetch_user(closed.id)
        with pytest.raises(discord.Forbidden) as refused:
            await user.send("hi")
    assert places == ["dm"]
    assert reply.content == "hello stranger"
    assert reply.channel_id == local.dm_channel(stranger).id
    assert [m.content for m in local.messages(local.dm_channel(scene.alice.user).id)] == [
        "Your debate starts soon"
    ]
    assert sent.channel.id == local.dm_channel(scene.alice.user).id
    assert refused.value.code == 50007


# ----------------------------------------------------------------- channels and guilds


async def test_threads_from_messages_and_archiving(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()
    async with running(bot):
        channel = bot.get_channel(scene.channel.id)
        assert isinstance(channel, discord.TextChannel)
        motion = await channel.send("This House would ban homework")
        thread = await motion.create_thread(name="Round 1")
        await thread.send("Opening speech")
        await until(lambda: bot.get_channel(thread.id) is not None)
        archived = await thread.edit(archived=True)
        side = await channel.create_thread(name="Judges", type=discord.ChannelType.public_thread)
    stored = local.channel(thread.id)
    assert thread.id == motion.id
    assert (stored.type, stored.parent_id, stored.archived) == (11, scene.channel.id, True)
    assert archived.archived
    assert [m.content for m in local.messages(thread.id)] == ["Opening speech"]
    assert local.message(motion.id).thread is stored
    assert local.channel(side.id).name == "Judges"


async def test_scheduled_events_and_interested_members(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()
    created: list[int] = []
    bot.add_listener(recorder(created, lambda e: e.id), "on_scheduled_event_create")
    start = datetime.now(UTC) + timedelta(hours=1)
    async with running(bot):
        guild = bot.get_guild(scene.guild.id)
        assert guild is not None
        event = await guild.create_scheduled_event(
            name="Debate night",
            start_time=start,
            end_time=start + timedelta(hours=2),
            entity_type=discord.EntityType.external,
            location="Main hall",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
        local.mark_interested(event.id, scene.alice)
        local.mark_interested(event.id, scene.bob)
        interested = {u.id async for u in event.users()}
        fetched = await guild.fetch_scheduled_event(event.id, with_counts=True)
        started = await event.start()
        await until(lambda: event.id in created)
        await event.delete()
        with pytest.raises(discord.HTTPException) as past:
            await guild.create_scheduled_event(
                name="Yesterday",
                start_time=start - timedelta(days=1),
                end_time=start,
                entity_type=discord.EntityType.external,
                location="Main hall",
                privacy_level=discord.PrivacyLevel.guild_only,
            )
    assert interested == {scene.alice.user_id, scene.bob.user_id}
    assert fetched.user_count == 2
    assert started.status is discord.EventStatus.active
    assert local.scheduled_events(scene.guild.id) == []
    assert past.value.code == 50035


async def test_a_channel_the_bot_may_not_write_in_refuses_it(
    local: LocalDiscord, scene: Scene
) -> None:
    muted = local.add_channel(scene.guild, "announcements")
    deny = {
        "id": str(scene.guild.id),
        "type": 0,
        "allow": "0",
        "deny": str(int(Perm.SEND_MESSAGES)),
    }
    muted.permission_overwrites.append(deny)
    bot = make_bot()
    async with running(bot):
        channel = bot.get_channel(muted.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("hello")
    assert refused.value.code == 50013
    assert local.messages(muted.id) == []


async def test_channel_messages_files_history_edits_and_deletes(
    local: LocalDiscord, scene: Scene
) -> None:
    bot = make_bot()
    deleted: list[int] = []
    bot.add_listener(recorder(deleted, lambda raw: raw.message_id), "on_raw_message_delete")
    async with running(bot):
        channel = bot.get_channel(scene.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = [await channel.send(f"message {i}") for i in range(5)]
        notes = await channel.send("notes", file=discord.File(io.BytesIO(b"a,b"), "notes.csv"))
        newest = [m.content async for m in channel.history(limit=3)]
        oldest = [m.content async for m in channel.history(limit=2, oldest_first=True)]
        between = [m.content async for m in channel.history(after=sent[1], before=sent[4])]
        fetched = await channel.fetch_message(sent[0].id)
        edited = await fetched.edit(content="message 0, edited")
        kept = await notes.edit(content="notes, no file", attachments=[])
        await sent[1].delete()
        await until(lambda: deleted == [sent[1].id])
        with pytest.raises(discord.NotFound) as gone:
            await channel.fetch_message(sent[1].id)
    assert newest == ["notes", "message 4", "message 3"]
    assert oldest == ["message 0", "message 1"]
    assert between == ["message 2", "message 3"]
    assert edited.edited_at is not None
    assert local.message(sent[0].id).content == "message 0, edited"
    assert notes.attachments[0].filename == "notes.csv"
    assert kept.attachments == []
    assert gone.value.code == 10008
    with pytest.raises(KeyError):
        local.message(sent[1].id)


async def test_guild_reads_roles_and_member_queries(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()
    judges = local.add_role(scene.guild, "Judges")
    async with running(bot):
        guild = await bot.fetch_guild(scene.guild.id, with_counts=True)
        channels = await guild.fetch_channels()
        members = [m async for m in guild.fetch_members(limit=None)]
        alice = await guild.fetch_member(scene.alice.user_id)
        roles = await guild.fetch_roles()
        channel = await bot.fetch_channel(scene.channel.id)
        user = await bot.fetch_user(scene.bob.user_id)
        cached = bot.get_guild(scene.guild.id)
        assert cached is not None
        found = await cached.query_members(query="bo")
        by_id = await cached.query_members(user_ids=[scene.alice.user_id])
        await alice.add_roles(discord.Object(judges.id))
        await until(
            lambda: judges.id in [r.id for r in cached.get_member(alice.id).roles]  # type: ignore[union-attr]
        )
        await alice.remove_roles(discord.Object(judges.id))
    assert guild.approximate_member_count == 4
    assert {c.name for c in channels} == {"general", "debates"}
    assert len(members) == 4
    assert [r.name for r in alice.roles] == ["@everyone", "Moderators"]
    assert [r.name for r in sorted(roles)] == ["@everyone", "Moderators", "Judges", "Agora"]
    assert channel.id == scene.channel.id
    assert user.name == "bob"
    assert [m.id for m in found] == [scene.bob.user_id]
    assert [m.id for m in by_id] == [scene.alice.user_id]
    assert local.member(scene.guild.id, scene.alice.user_id).roles == [scene.moderators.id]


async def test_single_command_routes(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()
    guild = discord.Object(scene.guild.id)

    @bot.tree.command(name="first", description="First", guild=guild)
    async def first(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")

    async with running(bot):
        (registered,) = await synced(bot, local, scene.guild)
        fetched = await bot.tree.fetch_command(int(registered["id"]), guild=guild)
        edited = await fetched.edit(description="The first one")
        upserted = await bot.http.upsert_guild_command(
            local.application_id,
            scene.guild.id,
            {"name": "second", "description": "Second", "type": 1},
        )
        await fetched.delete()
        listed = await bot.tree.fetch_commands(guild=guild)
    assert edited.description == "The first one"
    assert edited.id == int(registered["id"])
    assert [c.name for c in listed] == ["second"]
    assert local.commands(scene.guild.id)[0]["id"] == upserted["id"]


async def test_a_deferred_update_then_a_message_edit(local: LocalDiscord, scene: Scene) -> None:
    bot = make_bot()

    class Later(discord.ui.View):
        @discord.ui.button(label="Close", custom_id="close")
        async def close(
            self, interaction: discord.Interaction, button: discord.ui.Button[Later]
        ) -> None:
            await interaction.response.defer()
            assert interaction.message is not None
            await interaction.message.edit(content="Closed", view=None)

    @bot.tree.command(name="poll", description="Poll", guild=discord.Object(scene.guild.id))
    async def poll(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Open", view=Later())

    async with running(bot):
        await synced(bot, local, scene.guild)
        opened = await (await local.slash(scene.alice, scene.channel, "poll")).reply()
        click = await local.click(scene.alice, opened, "close")
        closed = await click.reply()
    assert (await click.response())["type"] == 6
    assert (closed.id, closed.content, closed.components) == (opened.id, "Closed", [])


# ------------------------------------------------------------------ faults and errors


@pytest.mark.parametrize("scope", ["user", "global", "shared"])
async def test_discord_py_retries_a_429(local: LocalDiscord, scene: Scene, scope: str) -> None:
    path = f"/channels/{scene.channel.id}/messages"
    local.inject_fault(429, method="POST", path_prefix=path, retry_after=0.05, scope=scope)
    bot = make_bot()
    async with running(bot):
        channel = bot.get_channel(scene.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("after the limit")
    tries = [e for e in local.exchanges if e.path == path]
    assert [e.status for e in tries] == [429, 200]
    assert tries[0].response_json == {
        "message": "You are being rate limited.",
        "code": 0,
        "retry_after": 0.05,
        "global": scope == "global",
    }
    assert local.message(sent.id).content == "after the limit"


async def test_discord_py_retries_a_500_but_not_a_503(local: LocalDiscord, scene: Scene) -> None:
    path = f"/channels/{scene.channel.id}/messages"
    bot = make_bot()
    async with running(bot):
        channel = bot.get_channel(scene.channel.id)
        assert isinstance(channel, discord.TextChannel)
        local.inject_fault(500, method="POST", path_prefix=path)
        await channel.send("retried")
        local.inject_fault(503, method="POST", path_prefix=path)
        with pytest.raises(discord.DiscordServerError):
            await channel.send("lost")
    assert [e.status for e in local.exchanges if e.path == path] == [500, 200, 503]
    assert [m.content for m in local.messages(scene.channel.id)] == ["retried"]


async def test_rate_limit_headers(emulator: StartEmulator) -> None:
    local = await emulator(check_spec=False, bucket_limit=2, bucket_window=60)
    local.inject_fault(429, path_prefix="/gateway", scope="global", retry_after=1.5)
    _, limited, _ = await api(local, "GET", "/gateway")
    statuses = []
    for _ in range(3):
        status, response, body = await api(local, "GET", "/users/@me")
        statuses.append(status)
    assert limited.headers["Via"]
    assert limited.headers["Retry-After"] == "2"
    assert limited.headers["X-RateLimit-Global"] == "true"
    assert limited.headers["X-RateLimit-Scope"] == "global"
    # The bucket allows two requests a minute: the third is refused by the limiter.
    assert statuses == [200, 200, 429]
    assert response.headers["X-RateLimit-Scope"] == "user"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert body["global"] is False


def _b(i: int, *, custom_id: str | None = None, label: str = "ok") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id or f"b{i}"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "x" * 2001}, "content"),
        ({"embeds": [{"title": "t"}] * 11}, "embeds"),
        ({"embeds": [{"title": "x" * 257}]}, "embeds"),
        ({"embeds": [{"description": "x" * 4097}]}, "embeds"),
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, "embeds"),
        ({"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]}, "embeds"),
        ({"components": [{"type": 1, "components": [_b(0)]}] * 6}, "components"),
        ({"components": [{"type": 1, "components": [_b(i) for i in range(6)]}]}, "components"),
        ({"components": [{"type": 1, "components": [_b(0, custom_id="c" * 101)]}]}, "components"),
        ({"components": [{"type": 1, "components": [_b(0, label="x" * 81)]}]}, "components"),
    ],
)
async def test_message_limits_are_enforced(
    emulator: StartEmulator, body: dict[str, Any], field: str
) -> None:
    local = await emulator(check_spec=False)
    guild = local.add_guild("Club")
    status, response, error = await api(
        local, "POST", f"/channels/{guild.system_channel_id}/messages", body
    )
    assert status == 400
    assert response.headers["Content-Type"] == "application/json"
    assert (error["code"], error["message"]) == (50035, "Invalid Form Body")
    assert list(error["errors"]) == [field]


async def test_errors_have_discords_codes_and_exact_content_type(
    emulator: StartEmulator,
) -> None:
    local = await emulator(check_spec=False)
    guild = local.add_guild("Club")
    outsider = local.add_user("outsider")
    app = local.application_id
    cases = [
        ("GET", "/nowhere", True, 404, 0),
        ("DELETE", "/users/@me", True, 405, 0),
        ("GET", "/users/@me", False, 401, 0),
        ("GET", "/channels/12345", True, 404, 10003),
        ("GET", "/guilds/12345", True, 404, 10004),
        ("GET", "/users/12345", True, 404, 10013),
        ("GET", f"/guilds/{guild.id}/members/{outsider.id}", True, 404, 10007),
        ("GET", f"/channels/{guild.system_channel_id}/messages/12345", True, 404, 10008),
        ("GET", f"/guilds/{guild.id}/scheduled-events/12345", True, 404, 10070),
        ("GET", f"/webhooks/{app}/nope/messages/@original", False, 404, 10015),
        ("POST", "/interactions/12345/nope/callback", False, 404, 10062),
        ("POST", f"/channels/{guild.system_channel_id}/messages", True, 400, 50006),
        ("GET", "/channels/general", True, 400, 50035),
    ]
    for method, path, auth, status, code in cases:
        got, response, body = await api(
            local, method, path, {} if method == "POST" else None, auth=auth
        )
        assert (method, path, got, body["code"]) == (method, path, status, code)
        assert response.headers["Content-Type"] == "application/json"
    status, response, me = await api(local, "GET", "/users/@me")
    assert status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert me["id"] == str(app)
    assert all(e.status >= 400 for e in local.exchanges[: len(cases)])


async def test_every_exchange_is_reported() -> None:
    seen: list[str] = []
    local = LocalDiscord(TOKEN, on_exchange=lambda e: seen.append(f"{e.method} {e.path}"))
    async with local:
        await api(local, "GET", "/gateway/bot")
        await api(local, "GET", "/nowhere")
    assert seen == ["GET /gateway/bot", "GET /nowhere"]
    assert [f"{e.method} {e.path}" for e in local.exchanges] == seen
