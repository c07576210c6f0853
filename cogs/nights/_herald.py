"""Says what the nights' dispatcher decided: reminders, the lobby opening, the quorum.

Every firing it is handed was claimed in the database first (its idempotency key stored
with the decision), so a restart never makes it say anything twice.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.domain import schedule as rules
from bot.domain.debate import DebateState
from bot.domain.schedule import EventKind, QuorumVerdict
from bot.services.schedules import Firing, ScheduleService
from bot.ui.i18n import server_language
from cogs.debate._render import lobby_embed
from cogs.debate._views import lobby_view
from cogs.nights._events import EventSync
from cogs.nights._render import MAX_MENTIONS, quorum_text, reminder_text, start_text

log = logging.getLogger("agora.nights")


class Herald:
    """Posts what each night's events say, in the schedule's channel."""

    def __init__(self, client: discord.Client, schedules: ScheduleService, events: EventSync):
        self._client = client
        self._schedules = schedules
        self._events = events

    async def announce(self, firings: list[Firing]) -> None:
        """Say every firing; one schedule's in order, different schedules' side by side."""
        by_schedule: dict[int, list[Firing]] = {}
        for firing in firings:
            by_schedule.setdefault(firing.schedule.id, []).append(firing)
        await asyncio.gather(*(self._in_order(group) for group in by_schedule.values()))

    async def _in_order(self, firings: list[Firing]) -> None:
        for firing in firings:
            if not firing.sent:
                continue
            try:
                await self._say(firing)
            except discord.HTTPException as error:
                log.warning(
                    "Could not announce %s of schedule %d: %s",
                    firing.event.kind.value,
                    firing.schedule.id,
                    error,
                )
        await self._events.sync(firings[0].schedule.id)

    def _event_of(self, firing: Firing) -> int | None:
        """The Discord event of the firing's night, if the schedule's event shows it."""
        record = firing.record
        return record.event_id if record.event_start == firing.event.night.start else None

    async def _say(self, firing: Firing) -> None:
        schedule = firing.schedule
        if schedule.channel_id is None:
            return
        channel = self._client.get_partial_messageable(
            schedule.channel_id, guild_id=schedule.guild_id
        )
        lang = await server_language(self._client, schedule.guild_id)
        lobby = firing.lobby
        open_lobby = lobby is not None and lobby.debate.state is DebateState.LOBBY
        kind = firing.event.kind
        if kind is EventKind.REMINDER:
            interested = await self._events.interested(schedule.guild_id, self._event_of(firing))
            mentions = discord.AllowedMentions(
                users=[discord.Object(u) for u in interested[:MAX_MENTIONS]]
            )
            text = reminder_text(firing, interested, lang)
            if lobby is not None and open_lobby:
                await channel.send(
                    text,
                    embed=lobby_embed(lobby, lang),
                    view=lobby_view(lobby.debate.id, lang),
                    allowed_mentions=mentions,
                )
            else:
                await channel.send(text, allowed_mentions=mentions)
        elif kind is EventKind.START:
            if lobby is not None and open_lobby:
                message = await channel.send(
                    start_text(firing, lang),
                    embed=lobby_embed(lobby, lang),
                    view=lobby_view(lobby.debate.id, lang),
                )
                await self._schedules.lobby_shown(
                    guild_id=schedule.guild_id, debate_id=lobby.debate.id, message_id=message.id
                )
            else:
                await channel.send(start_text(firing, lang))
        else:
            await self._judged(firing, channel, lang)

    async def _judged(self, firing: Firing, channel: discord.PartialMessageable, lang: str) -> None:
        schedule, night = firing.schedule, firing.event.night
        assert firing.verdict is not None
        upcoming = rules.next_night(schedule, night.start)
        await channel.send(quorum_text(firing, upcoming, lang))
        lobby = firing.lobby
        if (
            firing.verdict is QuorumVerdict.CANCEL
            and lobby is not None
            and lobby.debate.lobby_message_id is not None
        ):
            await channel.get_partial_message(lobby.debate.lobby_message_id).edit(
                embed=lobby_embed(lobby, lang), view=None
            )
        until = rules.postponed_check(schedule, night).fire_at
        await self._events.verdict(schedule.guild_id, self._event_of(firing), firing.verdict, until)
