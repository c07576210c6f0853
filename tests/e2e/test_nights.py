"""A debate night end to end: its Discord event, reminders, the lobby, the quorum, a restart.

The bot runs on a test clock, set to the wall clock first (the local Discord, like Discord,
refuses events that start in the past); ``runner.advance`` moves it on and wakes the
nights' dispatcher, so two days pass in a second.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot.db.models import NightEventRow, ScheduleRow
from bot.domain.debate import Actor
from bot.domain.schedule import WEEKDAYS
from bot.sandbox import LocalDiscord, Message
from tests.conftest import FakeClock
from tests.e2e.conftest import World
from tests.support.harness import BotRunner, eventually

MOTION = "This House would abolish homework"
EXTERNAL, SCHEDULED, CANCELLED = 3, 1, 4


def said(local: LocalDiscord, channel_id: int, text: str) -> list[Message]:
    """The bot's public messages in the channel containing ``text``."""
    return [m for m in local.messages(channel_id) if not m.ephemeral and text in m.content]


async def settle() -> None:
    """Give a dispatcher that might (wrongly) send something the time to do it."""
    await asyncio.sleep(0.3)


async def test_a_debate_night_from_its_event_to_the_quorum_with_a_restart(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    clock = cast(FakeClock, runner.clock)
    clock.now = max(clock.now, datetime.now(UTC).replace(second=0, microsecond=0))
    start = (clock.now + timedelta(days=2)).astimezone(ZoneInfo("Europe/London"))
    start_utc = start.astimezone(UTC)  # reminders count real hours, across a clock change too
    assert runner.bot is not None
    services = runner.bot.services
    submitted = await services.motions.submit(guild_id=world.guild.id, author_id=1, text=MOTION)
    await services.motions.approve(
        guild_id=world.guild.id, motion_id=submitted.motion.id, actor=Actor(1, True)
    )

    # A member may not schedule; the admin may.
    night: dict[str, Any] = {
        "name": "Debate night",
        "weekday": WEEKDAYS[start.weekday()],
        "time": f"{start:%H:%M}",
        "timezone": "Europe/London",
    }
    refused = await local.slash(world.alice, world.channel, "schedule create", options=night)
    assert "Manage Server" in (await refused.reply()).content
    bad_zone = await local.slash(
        world.admin, world.channel, "schedule create", options={**night, "timezone": "London"}
    )
    answer = await bad_zone.reply()
    assert answer.ephemeral
    assert "Europe/London" in answer.content
    created = await local.slash(
        world.admin,
        world.channel,
        "schedule create",
        options={**night, "reminders": "24h,1h", "quorum": 3},
    )
    assert "Scheduled **Debate night**" in (await created.reply()).content

    # The night's Discord event.
    (event,) = await eventually(lambda: local.scheduled_events(world.guild.id))
    assert (event.name, event.entity_type, event.status) == ("Debate night", EXTERNAL, SCHEDULED)
    assert datetime.fromisoformat(event.scheduled_start_time) == start
    row = await runner.one(ScheduleRow)
    assert row.event_id == event.id
    for member in (world.alice, world.bob, world.carol):
        local.mark_interested(event.id, member)

    # 24 hours before: one reminder, mentioning the Interested members, with the lobby's
    # Join buttons (the lobby opened early with the bank's top motion).
    runner.advance((start_utc - timedelta(hours=24) - clock.now).total_seconds())
    (reminder,) = await eventually(lambda: said(local, world.channel.id, "⏰"))
    for member in (world.alice, world.bob, world.carol):
        assert f"<@{member.user_id}>" in reminder.content
    assert {u.id for u in reminder.mentions} == {
        world.alice.user_id,
        world.bob.user_id,
        world.carol.user_id,
    }
    assert MOTION in reminder.content
    for member, label in ((world.alice, "Join For"), (world.bob, "Join Against")):
        click = await local.click(
            member, local.message(reminder.id), reminder.button(label)["custom_id"]
        )
        assert (await click.reply()).ephemeral
    runner.advance(60)
    await settle()
    assert len(said(local, world.channel.id, "⏰")) == 1

    # 1 hour before: the second reminder; then a restart before the start sends nothing again.
    runner.advance((start_utc - timedelta(hours=1) - clock.now).total_seconds())
    await eventually(lambda: len(said(local, world.channel.id, "⏰")) == 2)
    await runner.restart()
    await settle()
    assert len(said(local, world.channel.id, "⏰")) == 2
    assert len(local.scheduled_events(world.guild.id)) == 1

    # The start: the lobby opens with the bank's top motion.
    runner.advance((start_utc - clock.now).total_seconds())
    (opened,) = await eventually(lambda: said(local, world.channel.id, "the lobby is open"))
    assert MOTION in opened.embeds[0]["description"]
    assert opened.button("Join For")
    assert len(said(local, world.channel.id, "⏰")) == 2

    # Ten minutes later, two of the three debaters needed: cancelled, and the event with it.
    runner.advance(600)
    (verdict,) = await eventually(lambda: said(local, world.channel.id, "is cancelled"))
    assert "2 of the 3 debaters needed" in verdict.content
    await eventually(lambda: local.message(opened.id).buttons() == [])
    await eventually(lambda: event.status == CANCELLED)
    # The next night's event takes its place.
    events = await eventually(
        lambda: [e for e in local.scheduled_events(world.guild.id) if e.status == SCHEDULED]
    )
    assert datetime.fromisoformat(events[0].scheduled_start_time) == start + timedelta(days=7)
    assert await runner.count(NightEventRow) == 4
    await settle()
    assert len(said(local, world.channel.id, "the lobby is open")) == 1
    assert len(said(local, world.channel.id, "is cancelled")) == 1


async def test_edit_skip_and_cancel_keep_the_discord_event_in_step(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    clock = cast(FakeClock, runner.clock)
    clock.now = max(clock.now, datetime.now(UTC).replace(second=0, microsecond=0))
    start = (clock.now + timedelta(days=3)).astimezone(ZoneInfo("America/New_York"))
    stage = local.add_channel(world.guild, "stage", type=13)

    typed = await local.autocomplete(
        world.admin, world.channel, "schedule create", {"timezone": "new_y"}, "timezone"
    )
    await typed.response()
    assert "America/New_York" in [c["value"] for c in typed.choices or []]

    created = await local.slash(
        world.admin,
        world.channel,
        "schedule create",
        options={
            "name": "Stage night",
            "weekday": WEEKDAYS[start.weekday()],
            "time": f"{start:%H:%M}",
            "timezone": "America/New_York",
            "stage_or_voice": stage,
        },
    )
    await created.reply()
    (event,) = await eventually(lambda: local.scheduled_events(world.guild.id))
    assert (event.entity_type, event.channel_id) == (1, stage.id)
    schedule_id = (await runner.one(ScheduleRow)).id

    # An edit moves the same event (its Interested members stay); same weekday.
    later = start + timedelta(hours=1 if start.hour < 23 else -1)
    edited = await local.slash(
        world.admin,
        world.channel,
        "schedule edit",
        options={"schedule": str(schedule_id), "time": f"{later:%H:%M}"},
    )
    assert "Changed" in (await edited.reply()).content
    await eventually(lambda: datetime.fromisoformat(event.scheduled_start_time) == later)
    assert len(local.scheduled_events(world.guild.id)) == 1

    # Its place follows the schedule too: the same event moves to a voice channel.
    voice = local.add_channel(world.guild, "voice", type=2)
    moved = await local.slash(
        world.admin,
        world.channel,
        "schedule edit",
        options={"schedule": str(schedule_id), "stage_or_voice": voice},
    )
    assert "Changed" in (await moved.reply()).content
    await eventually(lambda: (event.entity_type, event.channel_id) == (2, voice.id))

    # A skip cancels that night's event and makes next week's.
    skipped = await local.slash(
        world.admin, world.channel, "schedule skip", options={"schedule": "stage night"}
    )
    assert "Skipped" in (await skipped.reply()).content
    await eventually(lambda: event.status == CANCELLED)
    (following,) = await eventually(
        lambda: [e for e in local.scheduled_events(world.guild.id) if e.status == SCHEDULED]
    )
    assert datetime.fromisoformat(following.scheduled_start_time) == later + timedelta(days=7)

    listed = await local.slash(world.bob, world.channel, "schedule list")
    shown = await listed.reply()
    assert shown.ephemeral
    assert "Stage night" in shown.embeds[0]["fields"][0]["name"]

    # Only moderators cancel; a cancel ends the schedule and its event.
    refused = await local.slash(
        world.bob, world.channel, "schedule cancel", options={"schedule": str(schedule_id)}
    )
    assert (await refused.reply()).ephemeral
    cancelled = await local.slash(
        world.admin, world.channel, "schedule cancel", options={"schedule": str(schedule_id)}
    )
    assert "no more nights" in (await cancelled.reply()).content
    await eventually(lambda: following.status == CANCELLED)
    assert (await runner.one(ScheduleRow)).event_id is None
