"""How debate nights read in Discord."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.db.repository import ScheduleRecord
from bot.domain import schedule as rules
from bot.domain.schedule import Night, QuorumVerdict, Schedule
from bot.services.schedules import Changed, Firing
from bot.ui.style import BRAND

MAX_MENTIONS = 80
"""Interested members mentioned by name in a reminder; the rest are counted."""

EVENT_DESCRIPTION_CHARS = 1000


def when(moment: datetime) -> str:
    """A moment every member reads in their own time zone, and how far off it is."""
    stamp = int(moment.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"


def _settings(schedule: Schedule) -> str:
    parts = [f"reminders {rules.format_reminders(schedule.reminders)}"]
    parts.append(f"quorum {schedule.quorum}")
    if schedule.postpone_minutes:
        parts.append(f"postponed once by {schedule.postpone_minutes} min if short")
    if schedule.format_key:
        parts.append(f"format {schedule.format_key}")
    if schedule.channel_id:
        parts.append(f"in <#{schedule.channel_id}>")
    if schedule.voice_channel_id:
        parts.append(f"on <#{schedule.voice_channel_id}>")
    return " · ".join(parts)


def _night_line(night: Night | None) -> str:
    if night is None:
        return ""
    line = f"\nNext night: {when(night.start)}."
    return line + (f"\n⚠️ {night.note}" if night.note else "")


def changed_text(verb: str, changed: Changed, now: datetime) -> str:
    """What a moderator is told after /schedule create or edit."""
    schedule = changed.record.schedule
    return (
        f"{verb} **{discord.utils.escape_markdown(schedule.name)}**: "
        f"{rules.describe(schedule, now)}.\n{_settings(schedule)}{_night_line(changed.night)}"
    )


def skipped_text(changed: Changed, now: datetime) -> str:
    """What a moderator is told after /schedule skip."""
    schedule = changed.record.schedule
    assert changed.night is not None
    upcoming = rules.next_night(schedule, now)
    text = (
        f"Skipped the night of {rules.describe_night(changed.night)} of "
        f"**{discord.utils.escape_markdown(schedule.name)}**; its Discord event is cancelled."
    )
    if changed.night_closed_lobby is not None:
        text += f" Its lobby (debate #{changed.night_closed_lobby.debate.id}) is closed."
    return text + _night_line(upcoming)


def cancelled_text(changed: Changed) -> str:
    """What a moderator is told after /schedule cancel."""
    name = discord.utils.escape_markdown(changed.record.schedule.name)
    text = f"Cancelled **{name}**: no more nights, and its Discord event is cancelled."
    if changed.night_closed_lobby is not None:
        text += f" Its lobby (debate #{changed.night_closed_lobby.debate.id}) is closed."
    return text


def list_embed(records: list[ScheduleRecord], now: datetime) -> discord.Embed:
    """Every debate night of the server, with its next night."""
    embed = discord.Embed(title="Debate nights", colour=BRAND)
    if not records:
        embed.description = "No debate nights yet. Create one with `/schedule create`."
        return embed
    for record in records[:25]:
        schedule = record.schedule
        value = rules.describe(schedule, now)
        if not schedule.cancelled:
            value += f"\n{_settings(schedule)}"
        embed.add_field(
            name=f"#{schedule.id} · {schedule.name}"[:256], value=value[:1024], inline=False
        )
    return embed


def event_description(schedule: Schedule, night: Night) -> str:
    """The Discord event's description: where to go and what Interested does."""
    where = f" in <#{schedule.channel_id}>" if schedule.channel_id else ""
    text = (
        f"{schedule.name}: a debate night{where}. Mark yourself Interested to be reminded "
        f"({rules.format_reminders(schedule.reminders)} before) and to get the lobby's Join "
        f"buttons; the lobby opens at the start with the top motion of the bank. "
        f"At least {schedule.quorum} debaters must join within 10 minutes."
    )
    if night.note:
        text += f"\n{night.note}"
    return text[:EVENT_DESCRIPTION_CHARS]


def mention_list(user_ids: list[int]) -> str:
    """Interested members as mentions, the ones past ``MAX_MENTIONS`` counted."""
    shown = " ".join(f"<@{u}>" for u in user_ids[:MAX_MENTIONS])
    rest = len(user_ids) - MAX_MENTIONS
    return shown + (f" and {rest} more" if rest > 0 else "")


def _late(firing: Firing) -> str:
    return f"\n{firing.decision.note}" if firing.decision.note else ""


def reminder_text(firing: Firing, interested: list[int]) -> str:
    """A reminder: when the night starts, who said they are interested, how to join."""
    schedule, night = firing.schedule, firing.event.night
    name = discord.utils.escape_markdown(schedule.name)
    text = f"⏰ **{name}** starts {when(night.start)}."
    if interested:
        text += f"\nInterested: {mention_list(interested)}"
    if firing.lobby is not None:
        text += (
            f"\nThe motion: **{discord.utils.escape_markdown(firing.lobby.debate.motion)}** "
            "Join now with the buttons below."
        )
    else:
        text += "\nThe motion is picked from the bank at the start."
    if night.note:
        text += f"\n⚠️ {night.note}"
    return text + _late(firing)


def start_text(firing: Firing) -> str:
    """The start: the lobby is open (or the bank was empty)."""
    schedule = firing.schedule
    name = discord.utils.escape_markdown(schedule.name)
    if firing.lobby is None:
        return (
            f"🎙️ **{name}** starts now, but the motion bank has no motion ready. A moderator "
            "can open tonight's debate with `/debate new` in this channel; the quorum is "
            f"checked in 10 minutes." + _late(firing)
        )
    return (
        f"🎙️ **{name}** starts now: the lobby is open. At least {schedule.quorum} debaters "
        "must join within 10 minutes." + _late(firing)
    )


def quorum_text(firing: Firing, upcoming: Night | None) -> str:
    """The verdict of the quorum check."""
    schedule = firing.schedule
    name = discord.utils.escape_markdown(schedule.name)
    counted = f"{firing.joined} of the {schedule.quorum} debaters needed joined"
    if firing.verdict is QuorumVerdict.MET:
        text = f"✅ **{name}**: {firing.joined} debaters joined, so the night goes ahead."
    elif firing.verdict is QuorumVerdict.POSTPONE:
        check = rules.postponed_check(schedule, firing.event.night).fire_at
        text = (
            f"⏳ **{name}**: only {counted}, so the night is postponed by "
            f"{schedule.postpone_minutes} min; the lobby stays open until {when(check)}."
        )
    else:
        text = f"❌ **{name}**: only {counted}, so tonight's debate is cancelled."
        if upcoming is not None:
            text += f" Next night: {when(upcoming.start)}."
    return text + _late(firing)
