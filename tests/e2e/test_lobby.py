"""A debate's lobby, end to end: the real bot, the local Discord, a real database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.db.models import DebateRow, SignupRow
from bot.domain.debate import Actor
from bot.sandbox import LocalDiscord, Member, Message, User
from tests.e2e.conftest import World
from tests.support.harness import BotProcess, BotRunner, ErrorLogs, eventually

MOTION = "This House would ban homework"
COMMANDS = {
    "debate",
    "format",
    "settings",
    "motion",
    "schedule",
    "season",
    "leaderboard",
    "stats",
    "history",
    "config",
    "help",
}
"""Every top-level command the bot registers."""


def columns(message: Message) -> dict[str, str]:
    """The lobby's columns: heading without its icon and count -> the members listed."""
    return {
        f["name"].split(" ", 1)[1].rsplit(" (", 1)[0]: f["value"]
        for f in message.embeds[0]["fields"]
    }


def lobby_lists(local: LocalDiscord, lobby: Message, expected: dict[str, list[Member]]) -> bool:
    """True once the lobby message lists exactly these members under these headings."""
    shown = columns(local.message(lobby.id))
    wanted = {k: "\n".join(f"<@{m.user_id}>" for m in v) or "—" for k, v in expected.items()}
    return all(shown[k] == v for k, v in wanted.items())


async def open_debate(local: LocalDiscord, world: World, **options: Any) -> Message:
    handle = await local.slash(
        world.alice, world.channel, "debate new", options={"motion": MOTION, **options}
    )
    lobby = await handle.reply()
    assert not lobby.ephemeral, lobby.content
    return lobby


async def press(local: LocalDiscord, member: Member, lobby: Message, label: str) -> str:
    """Click a lobby button as ``member``; returns the private answer they see."""
    handle = await local.click(member, local.message(lobby.id), lobby.button(label)["custom_id"])
    answer = await handle.reply()
    assert answer.ephemeral, f"{label}: the answer should be private, got {answer.content!r}"
    assert answer.visible_to == member.user_id
    return answer.content


async def ask(
    local: LocalDiscord, who: Member | User, channel: Any, name: str, **options: Any
) -> Message:
    handle = await local.slash(who, channel, name, options=options)
    return await handle.reply()


async def test_commands_are_synced_to_the_dev_server(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    commands = {c["name"]: c for c in local.commands(world.guild.id)}
    assert set(commands) == COMMANDS
    subcommands = {o["name"] for o in commands["debate"]["options"]}
    assert subcommands == {
        "new",
        "start",
        "status",
        "source",
        "export",
        "judge",
        "ballot",
        "rated",
        "cancel",
    }
    assert commands["debate"]["contexts"] == [0], "guild only"


async def test_lobby_fills_up_and_survives_a_restart(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    lobby = await open_debate(local, world, format="oxford")
    embed = lobby.embeds[0]
    assert MOTION in embed["description"]
    assert "Oxford" in embed["title"]
    assert [b["label"] for b in lobby.buttons()] == [
        "Join For",
        "Join Against",
        "Join either side",
        "Leave",
        "Start",
    ]
    assert await runner.count(DebateRow) == 1

    assert "You joined debate" in await press(local, world.alice, lobby, "Join For")
    assert "**Against**" in await press(local, world.bob, lobby, "Join Against")
    assert "**Either side**" in await press(local, world.carol, lobby, "Join either side")
    await eventually(
        lambda: lobby_lists(
            local,
            lobby,
            {"For": [world.alice], "Against": [world.bob], "Either side": [world.carol]},
        )
    )

    await runner.restart()

    answer = await press(local, world.dave, lobby, "Join For")
    assert "You joined debate" in answer
    await eventually(
        lambda: lobby_lists(
            local,
            lobby,
            {
                "For": [world.alice, world.dave],
                "Against": [world.bob],
                "Either side": [world.carol],
            },
        )
    )
    assert "4/6 debaters" in local.message(lobby.id).embeds[0]["footer"]["text"]
    assert await runner.count(SignupRow) == 4

    status = await ask(local, world.erin, world.channel, "debate status")
    assert status.ephemeral
    assert MOTION in status.embeds[0]["description"]
    assert columns(status)["For"] == f"<@{world.alice.user_id}>\n<@{world.dave.user_id}>"


async def test_switching_and_leaving_update_the_lobby(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    lobby = await open_debate(local, world)
    await press(local, world.bob, lobby, "Join For")
    assert "switched from **For** to **Against**" in await press(
        local, world.bob, lobby, "Join Against"
    )
    await eventually(lambda: lobby_lists(local, lobby, {"For": [], "Against": [world.bob]}))
    assert "You left debate" in await press(local, world.bob, lobby, "Leave")
    await eventually(lambda: lobby_lists(local, lobby, {"For": [], "Against": []}))
    assert await runner.count(SignupRow) == 0


async def test_bad_motions_and_formats_are_explained_and_store_nothing(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    reply = await ask(local, world.alice, world.channel, "debate new", motion=" \n  ")
    assert reply.ephemeral
    assert "The motion is empty" in reply.content
    # Discord's client refuses a longer motion before it reaches the bot: the limit is declared.
    debate = next(c for c in local.commands(world.guild.id) if c["name"] == "debate")
    new = next(o for o in debate["options"] if o["name"] == "new")
    motion_option = next(o for o in new["options"] if o["name"] == "motion")
    assert motion_option["max_length"] == 300
    with pytest.raises(ValueError, match="out of range"):
        await local.slash(world.alice, world.channel, "debate new", options={"motion": "x" * 301})
    reply = await ask(
        local, world.alice, world.channel, "debate new", motion=MOTION, format="parliament"
    )
    assert reply.ephemeral
    assert "no debate format called “parliament”" in reply.content
    assert "`oxford`" in reply.content
    assert await runner.count(DebateRow) == 0


async def test_format_autocomplete_offers_the_formats(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    handle = await local.autocomplete(
        world.alice,
        world.channel,
        "debate new",
        options={"motion": MOTION, "format": "li"},
        focused="format",
    )
    await handle.response()
    assert [c["value"] for c in handle.choices or []] == ["lincoln-douglas"]


async def test_refusals_in_the_lobby(local: LocalDiscord, world: World, runner: BotRunner) -> None:
    lobby = await open_debate(local, world, format="quick")
    await press(local, world.alice, lobby, "Join For")
    assert "You have already joined **For**" in await press(local, world.alice, lobby, "Join For")
    assert "You have not joined this debate" in await press(local, world.bob, lobby, "Leave")
    await press(local, world.bob, lobby, "Join Against")
    assert "The lobby is full (2 debaters)" in await press(local, world.carol, lobby, "Join For")

    second = await ask(local, world.bob, world.channel, "debate new", motion="Another motion")
    assert second.ephemeral
    assert "is already open in this channel" in second.content

    refused = await ask(local, world.bob, world.channel, "debate cancel")
    assert refused.ephemeral
    assert "Only the member who created this debate" in refused.content

    cancelled = await ask(local, world.admin, world.channel, "debate cancel")
    assert not cancelled.ephemeral
    assert "was cancelled" in cancelled.content
    await eventually(lambda: local.message(lobby.id).buttons() == [])
    assert "Cancelled" in local.message(lobby.id).embeds[0]["title"]

    nothing = await ask(local, world.alice, world.channel, "debate status")
    assert "There is no open debate in this channel" in nothing.content
    assert await runner.count(SignupRow) == 2


async def test_a_stale_lobby_of_a_closed_debate_refuses_joins(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    lobby = await open_debate(local, world)
    await press(local, world.bob, lobby, "Join For")
    await eventually(lambda: lobby_lists(local, lobby, {"For": [world.bob]}))
    # Closed while its lobby message was not updated (say, the bot was offline).
    assert runner.bot is not None
    await runner.bot.services.debates.cancel(
        channel_id=world.channel.id, actor=Actor(world.alice.user_id)
    )
    answer = await press(local, world.carol, lobby, "Join Against")
    assert "was cancelled and takes no more sign-ups" in answer
    assert await runner.count(SignupRow) == 1
    # The refusal also heals the stale lobby: its buttons go.
    await eventually(lambda: local.message(lobby.id).buttons() == [])
    assert "Cancelled" in local.message(lobby.id).embeds[0]["title"]


async def test_commands_in_direct_messages_are_refused(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    runner.dev_guild_id = None  # DMs see only global commands
    await runner.restart()
    assert {c["name"] for c in local.commands()} == COMMANDS
    with pytest.raises(PermissionError):  # Discord offers server-only commands nowhere else
        await local.slash(world.stranger, local.dm_channel(world.stranger), "debate new")
    handle = await local.slash(
        world.stranger,
        local.dm_channel(world.stranger),
        "debate new",
        options={"motion": MOTION},
        stale_client=True,
    )
    reply = await handle.reply()
    assert reply.ephemeral
    assert "work in a server channel, not in direct messages" in reply.content
    assert await runner.count(DebateRow) == 0


async def test_an_unexpected_failure_gets_an_apology_with_an_error_id(
    local: LocalDiscord, world: World, runner: BotRunner, error_logs: ErrorLogs
) -> None:
    lobby = await open_debate(local, world)
    assert runner.db is not None
    async with runner.db.engine.begin() as connection:
        await connection.execute(text("DROP TABLE signup"))
    answer = await press(local, world.bob, lobby, "Join For")
    assert answer.startswith("Sorry, something went wrong on our side.")
    error_id = answer.split("`")[1]
    logged = error_logs.take(lambda r: r.name == "agora.errors")
    assert len(logged) == 1
    assert error_id in logged[0].getMessage()
    assert logged[0].exc_info is not None


async def test_a_real_bot_process_restarts_without_losing_the_lobby(
    local: LocalDiscord, world: World, tmp_path: Path, error_logs: ErrorLogs
) -> None:
    bot = BotProcess(
        local,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}",
        dev_guild_id=world.guild.id,
    )
    await bot.start()
    try:
        lobby = await open_debate(local, world)
        for member, label in [
            (world.alice, "Join For"),
            (world.bob, "Join Against"),
            (world.carol, "Join either side"),
        ]:
            await press(local, member, lobby, label)
        assert await bot.stop() == 0, "a stopped bot exits cleanly"
        await bot.start()
        assert "You joined debate" in await press(local, world.dave, lobby, "Join Against")
        await eventually(
            lambda: lobby_lists(
                local,
                lobby,
                {
                    "For": [world.alice],
                    "Against": [world.bob, world.dave],
                    "Either side": [world.carol],
                },
            )
        )
    finally:
        if bot.process is not None:
            await bot.stop()
