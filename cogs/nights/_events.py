"""Keeps each schedule's Discord scheduled event in step with the database.

One event at a time per schedule (discord.py 2.7.1 has no recurrence rule): it shows the
running night until its verdict, then the next night. ``ScheduleService.event_plan`` says
which night that is; this module makes Discord match and records the event's id once
Discord has made it. Nothing here is game state: at start-up every schedule is synced again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import discord

from bot.domain.schedule import Night, QuorumVerdict, Schedule
from bot.services.schedules import ScheduleService
from bot.ui.i18n import server_language
from cogs.nights._render import event_description

log = logging.getLogger("agora.nights.events")

EXTERNAL_LENGTH = timedelta(hours=2)
"""How long an event outside a voice or stage channel is shown to last (Discord needs an end)."""


class EventSync:
    """Creates, moves and cancels the scheduled events of debate nights."""

    def __init__(self, client: discord.Client, schedules: ScheduleService) -> None:
        self._client = client
        self._schedules = schedules
        self._locks: dict[int, asyncio.Lock] = {}

    async def sync(self, schedule_id: int, *, edited: bool = False) -> bool:
        """Make the schedule's Discord event show the night it should; False if Discord
        refused (no Manage Events permission, a channel gone)."""
        lock = self._locks.setdefault(schedule_id, asyncio.Lock())
        async with lock:
            try:
                await self._sync(schedule_id, edited)
            except discord.HTTPException as error:
                log.warning("Could not sync the event of schedule %d: %s", schedule_id, error)
                return False
            except Exception:
                if self._client.is_closed():  # stopping: nothing refused; the next start syncs
                    return True
                raise
        return True

    async def _sync(self, schedule_id: int, edited: bool) -> None:
        plan = await self._schedules.event_plan(schedule_id=schedule_id)
        if plan is None:
            return
        record, night = plan.record, plan.night
        schedule = record.schedule
        guild = self._client.get_guild(schedule.guild_id)
        if guild is None:
            log.info("Schedule %d: server %d is not available", schedule_id, schedule.guild_id)
            return
        now = discord.utils.utcnow()
        current = await self._fetch(guild, record.event_id)
        if current is not None and night is not None and record.event_start == night.start:
            if edited:
                await self._move(guild, current, schedule, night)
            return
        upcoming = record.event_start is not None and record.event_start > now
        if current is not None and night is not None and edited and upcoming:
            # An edit moved the night: the same event, so the Interested members stay.
            await self._move(guild, current, schedule, night)
            await self._schedules.event_shown(
                schedule_id=schedule_id, event_id=current.id, night_start=night.start
            )
            return
        if current is not None and not plan.shown_night_over:
            await self._cancel(current)
        elif current is not None and current.status is discord.EventStatus.scheduled:
            await current.cancel()  # a night that passed without a verdict (the bot was down)
        if night is None or night.start <= now:
            await self._schedules.event_shown(
                schedule_id=schedule_id, event_id=None, night_start=None
            )
            return
        event = await self._create(guild, schedule, night)
        await self._schedules.event_shown(
            schedule_id=schedule_id, event_id=event.id, night_start=night.start
        )

    async def verdict(
        self, guild_id: int, event_id: int | None, verdict: QuorumVerdict, until: datetime
    ) -> None:
        """Show the quorum's verdict on the night's event: live, moved, or cancelled."""
        guild = self._client.get_guild(guild_id)
        if guild is None:
            return
        try:
            event = await self._fetch(guild, event_id)
            if event is None:
                return
            if verdict is QuorumVerdict.MET:
                if event.status is discord.EventStatus.scheduled:
                    await event.start()
            elif verdict is QuorumVerdict.POSTPONE:
                if event.entity_type is discord.EntityType.external:
                    await event.edit(start_time=until, end_time=until + EXTERNAL_LENGTH)
                else:
                    await event.edit(start_time=until)
            else:
                await self._cancel(event)
        except (discord.HTTPException, ValueError) as error:
            log.warning("Could not update event %s: %s", event_id, error)

    async def interested(self, guild_id: int, event_id: int | None) -> list[int]:
        """The members marked Interested in the event (none if it is gone)."""
        guild = self._client.get_guild(guild_id)
        if guild is None:
            return []
        try:
            event = await self._fetch(guild, event_id)
            if event is None:
                return []
            return [user.id async for user in event.users()]
        except discord.HTTPException as error:
            log.warning("Could not list who is interested in event %s: %s", event_id, error)
            return []

    @staticmethod
    async def _fetch(guild: discord.Guild, event_id: int | None) -> discord.ScheduledEvent | None:
        if event_id is None:
            return None
        try:
            return await guild.fetch_scheduled_event(event_id, with_counts=False)
        except discord.NotFound:
            return None  # deleted by hand: a new one is made

    async def _create(
        self, guild: discord.Guild, schedule: Schedule, night: Night
    ) -> discord.ScheduledEvent:
        place = guild.get_channel(schedule.voice_channel_id or 0)
        lang = await server_language(self._client, schedule.guild_id)
        description = event_description(schedule, night, lang)
        if isinstance(place, discord.StageChannel | discord.VoiceChannel):
            return await guild.create_scheduled_event(
                name=schedule.name,
                start_time=night.start,
                channel=place,
                description=description,
                privacy_level=discord.PrivacyLevel.guild_only,
            )
        return await guild.create_scheduled_event(
            name=schedule.name,
            start_time=night.start,
            end_time=night.start + EXTERNAL_LENGTH,
            entity_type=discord.EntityType.external,
            location=self._location(guild, schedule),
            description=description,
            privacy_level=discord.PrivacyLevel.guild_only,
        )

    @staticmethod
    def _location(guild: discord.Guild, schedule: Schedule) -> str:
        channel = guild.get_channel(schedule.channel_id or 0)
        return f"#{channel.name}"[:100] if channel is not None else "Discord"

    async def _move(
        self, guild: discord.Guild, event: discord.ScheduledEvent, schedule: Schedule, night: Night
    ) -> None:
        """Show the night's time and place on the event (it keeps its Interested members)."""
        if event.status is not discord.EventStatus.scheduled:
            return
        place = guild.get_channel(schedule.voice_channel_id or 0)
        lang = await server_language(self._client, schedule.guild_id)
        description = event_description(schedule, night, lang)
        if isinstance(place, discord.StageChannel | discord.VoiceChannel):
            await event.edit(
                name=schedule.name, start_time=night.start, description=description, channel=place
            )
        else:
            await event.edit(
                name=schedule.name,
                start_time=night.start,
                end_time=night.start + EXTERNAL_LENGTH,
                description=description,
                entity_type=discord.EntityType.external,
                location=self._location(guild, schedule),
            )

    @staticmethod
    async def _cancel(event: discord.ScheduledEvent) -> None:
        if event.status is discord.EventStatus.scheduled:
            await event.cancel()
        elif event.status is discord.EventStatus.active:
            await event.end()
