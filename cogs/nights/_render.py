"""How debate nights read in Discord, in the language ``lang`` they are shown in.

The schedule's summary, its nights' dates and their notes (a night moved by a clock change,
an announcement sent late) are worded here rather than taken from the domain's English
descriptions, so that every language reads them in its own words.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import discord

from bot.db.repository import ScheduleRecord
from bot.domain import schedule as rules
from bot.domain.schedule import LateAction, Night, QuorumVerdict, Schedule
from bot.i18n import t
from bot.services.schedules import Changed, Firing
from bot.ui.style import BRAND

MAX_MENTIONS = 80
"""Interested members mentioned by name in a reminder; the rest are counted."""

EVENT_DESCRIPTION_CHARS = 1000


def when(moment: datetime) -> str:
    """A moment every member reads in their own time zone, and how far off it is."""
    stamp = int(moment.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"


def weekday_name(weekday: int, lang: str) -> str:
    """Monday (0) to Sunday (6), in full."""
    return (
        t("night.day.monday", lang),
        t("night.day.tuesday", lang),
        t("night.day.wednesday", lang),
        t("night.day.thursday", lang),
        t("night.day.friday", lang),
        t("night.day.saturday", lang),
        t("night.day.sunday", lang),
    )[weekday]


def _weekday_short(weekday: int, lang: str) -> str:
    return (
        t("night.day_short.monday", lang),
        t("night.day_short.tuesday", lang),
        t("night.day_short.wednesday", lang),
        t("night.day_short.thursday", lang),
        t("night.day_short.friday", lang),
        t("night.day_short.saturday", lang),
        t("night.day_short.sunday", lang),
    )[weekday]


def _month_short(month: int, lang: str) -> str:
    return (
        t("night.month.january", lang),
        t("night.month.february", lang),
        t("night.month.march", lang),
        t("night.month.april", lang),
        t("night.month.may", lang),
        t("night.month.june", lang),
        t("night.month.july", lang),
        t("night.month.august", lang),
        t("night.month.september", lang),
        t("night.month.october", lang),
        t("night.month.november", lang),
        t("night.month.december", lang),
    )[month - 1]


def reminders_text(offsets: tuple[int, ...], lang: str) -> str:
    """Reminders as members write them ("24h,1h,10m"), or "none"."""
    if not offsets:
        return t("night.reminders_none", lang)
    return ",".join(rules.format_offset(s) for s in offsets)


def night_text(night: Night, lang: str) -> str:
    """ "Thu 26 Nov, 20:00 GMT": a night's local date and time."""
    local = night.local
    return t(
        "night.night_date",
        lang,
        weekday=_weekday_short(local.weekday(), lang),
        day=local.day,
        month=_month_short(local.month, lang),
        time=f"{local:%H:%M %Z}",
    )


def night_note(schedule: Schedule, night: Night, lang: str) -> str | None:
    """Why the night does not start at the schedule's wall time (a clock change), if so."""
    if not night.note:
        return None
    wall = datetime.combine(night.date, schedule.local_time)
    local = night.local
    where = t(
        "night.note_wall",
        lang,
        time=f"{wall:%H:%M}",
        weekday=_weekday_short(night.date.weekday(), lang),
        day=night.date.day,
        month=_month_short(night.date.month, lang),
        year=night.date.year,
        zone=schedule.tz_name,
    )
    if local.replace(tzinfo=None) != wall:
        return t("night.note_gap", lang, wall=where, time=f"{local:%H:%M} {local:%Z}")
    return t("night.note_fold", lang, wall=where, time=f"{wall:%H:%M} ({local:%Z})")


def _duration(late: timedelta, lang: str) -> str:
    minutes = max(1, round(late.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return t("night.minutes", lang, minutes=minutes)
    if minutes:
        return t("night.hours_minutes", lang, hours=hours, minutes=minutes)
    return t("night.hours", lang, hours=hours)


def summary(schedule: Schedule, now: datetime, lang: str) -> str:
    """A one-line summary: "Every Thursday at 20:00 Europe/London (next: …)"."""
    day = weekday_name(schedule.weekday, lang)
    at = f"{schedule.local_time:%H:%M} {schedule.tz_name}"
    weeks = schedule.every_weeks
    if schedule.cancelled:
        if weeks == 1:
            was = t("night.was_every_week", lang, day=day, time=at)
        else:
            was = t("night.was_every_weeks", lang, weeks=weeks, day=day, time=at)
        return t("night.summary_cancelled", lang, rule=was)
    if weeks == 1:
        rule = t("night.every_week", lang, day=day, time=at)
    else:
        rule = t("night.every_weeks", lang, weeks=weeks, day=day, time=at)
    upcoming = rules.next_night(schedule, now)
    assert upcoming is not None
    coming = night_text(upcoming, lang)
    skipped = sorted(d for d in schedule.skipped if rules.night_on(schedule, d).start > now)
    if not skipped:
        return t("night.summary", lang, rule=rule, night=coming)
    names = ", ".join(night_text(rules.night_on(schedule, d), lang) for d in skipped)
    return t("night.summary_skipping", lang, rule=rule, night=coming, skipped=names)


def _settings(schedule: Schedule, lang: str) -> str:
    reminders = reminders_text(schedule.reminders, lang)
    parts = [t("night.setting_reminders", lang, reminders=reminders)]
    parts.append(t("night.setting_quorum", lang, quorum=schedule.quorum))
    if schedule.postpone_minutes:
        parts.append(t("night.setting_postpone", lang, minutes=schedule.postpone_minutes))
    if schedule.format_key:
        parts.append(t("night.setting_format", lang, format=schedule.format_key))
    if schedule.channel_id:
        parts.append(t("night.setting_channel", lang, channel=f"<#{schedule.channel_id}>"))
    if schedule.voice_channel_id:
        parts.append(t("night.setting_voice", lang, channel=f"<#{schedule.voice_channel_id}>"))
    return " · ".join(parts)


def _night_line(schedule: Schedule, night: Night | None, lang: str) -> str:
    if night is None:
        return ""
    line = "\n" + t("night.next_night", lang, when=when(night.start))
    note = night_note(schedule, night, lang)
    return line + (f"\n⚠️ {note}" if note else "")


def _name(schedule: Schedule) -> str:
    return discord.utils.escape_markdown(schedule.name)


def changed_text(verb: str, changed: Changed, now: datetime, lang: str) -> str:
    """What a moderator is told after /schedule create or edit."""
    schedule = changed.record.schedule
    text = t(
        "night.changed_text",
        lang,
        verb=verb,
        name=_name(schedule),
        summary=summary(schedule, now, lang),
        settings=_settings(schedule, lang),
    )
    return text + _night_line(schedule, changed.night, lang)


def _lobby_closed(changed: Changed, lang: str) -> str:
    if changed.night_closed_lobby is None:
        return ""
    return " " + t("night.lobby_closed", lang, debate_id=changed.night_closed_lobby.debate.id)


def skipped_text(changed: Changed, now: datetime, lang: str) -> str:
    """What a moderator is told after /schedule skip."""
    schedule = changed.record.schedule
    assert changed.night is not None
    upcoming = rules.next_night(schedule, now)
    text = t("night.skipped", lang, night=night_text(changed.night, lang), name=_name(schedule))
    return text + _lobby_closed(changed, lang) + _night_line(schedule, upcoming, lang)


def cancelled_text(changed: Changed, lang: str) -> str:
    """What a moderator is told after /schedule cancel."""
    text = t("night.cancelled", lang, name=_name(changed.record.schedule))
    return text + _lobby_closed(changed, lang)


def list_embed(records: list[ScheduleRecord], now: datetime, lang: str) -> discord.Embed:
    """Every debate night of the server, with its next night."""
    embed = discord.Embed(title=t("night.list_title", lang), colour=BRAND)
    if not records:
        embed.description = t("night.list_empty", lang)
        return embed
    for record in records[:25]:
        schedule = record.schedule
        value = summary(schedule, now, lang)
        if not schedule.cancelled:
            value += f"\n{_settings(schedule, lang)}"
        embed.add_field(
            name=f"#{schedule.id} · {schedule.name}"[:256], value=value[:1024], inline=False
        )
    return embed


def event_description(schedule: Schedule, night: Night, lang: str) -> str:
    """The Discord event's description: where to go and what Interested does."""
    values = {
        "name": schedule.name,
        "reminders": reminders_text(schedule.reminders, lang),
        "quorum": schedule.quorum,
    }
    if schedule.channel_id:
        channel = f"<#{schedule.channel_id}>"
        text = t("night.event_description_in", lang, channel=channel, **values)
    else:
        text = t("night.event_description", lang, **values)
    note = night_note(schedule, night, lang)
    if note:
        text += f"\n{note}"
    return text[:EVENT_DESCRIPTION_CHARS]


def mention_list(user_ids: list[int], lang: str) -> str:
    """Interested members as mentions, the ones past ``MAX_MENTIONS`` counted."""
    shown = " ".join(f"<@{u}>" for u in user_ids[:MAX_MENTIONS])
    rest = len(user_ids) - MAX_MENTIONS
    return t("night.and_more", lang, mentions=shown, count=rest) if rest > 0 else shown


def _late(firing: Firing, lang: str) -> str:
    decision = firing.decision
    if decision.action is not LateAction.SEND_LATE or not decision.note:
        return ""
    return "\n" + t("night.sent_late", lang, late=_duration(decision.late_by, lang))


def reminder_text(firing: Firing, interested: list[int], lang: str) -> str:
    """A reminder: when the night starts, who said they are interested, how to join."""
    schedule, night = firing.schedule, firing.event.night
    text = t("night.reminder", lang, name=_name(schedule), when=when(night.start))
    if interested:
        text += "\n" + t("night.interested", lang, mentions=mention_list(interested, lang))
    if firing.lobby is not None:
        motion = discord.utils.escape_markdown(firing.lobby.debate.motion)
        text += "\n" + t("night.reminder_motion", lang, motion=motion)
    else:
        text += "\n" + t("night.reminder_no_motion", lang)
    note = night_note(schedule, night, lang)
    if note:
        text += f"\n⚠️ {note}"
    return text + _late(firing, lang)


def start_text(firing: Firing, lang: str) -> str:
    """The start: the lobby is open (or the bank was empty)."""
    schedule = firing.schedule
    if firing.lobby is None:
        return t("night.start_no_motion", lang, name=_name(schedule)) + _late(firing, lang)
    text = t("night.start", lang, name=_name(schedule), quorum=schedule.quorum)
    return text + _late(firing, lang)


def quorum_text(firing: Firing, upcoming: Night | None, lang: str) -> str:
    """The verdict of the quorum check."""
    schedule = firing.schedule
    name = _name(schedule)
    if firing.verdict is QuorumVerdict.MET:
        text = t("night.quorum_met", lang, name=name, joined=firing.joined)
    elif firing.verdict is QuorumVerdict.POSTPONE:
        check = rules.postponed_check(schedule, firing.event.night).fire_at
        text = t(
            "night.quorum_postponed",
            lang,
            name=name,
            joined=firing.joined,
            quorum=schedule.quorum,
            minutes=schedule.postpone_minutes,
            when=when(check),
        )
    else:
        text = t(
            "night.quorum_cancelled", lang, name=name, joined=firing.joined, quorum=schedule.quorum
        )
        if upcoming is not None:
            text += " " + t("night.next_night", lang, when=when(upcoming.start))
    return text + _late(firing, lang)
