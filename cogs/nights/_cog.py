"""The /schedule commands of debate nights; the rules live in ``ScheduleService``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Agora
from bot.domain import schedule as rules
from bot.domain.schedule import MAX_EVERY_WEEKS, MAX_POSTPONE_MINUTES, MAX_QUORUM, MIN_QUORUM
from bot.i18n import t
from bot.services.schedules import Changed
from bot.ui.access import ACCESS, Access, acting, guild_id_of
from bot.ui.i18n import language_of, server_language, tr
from cogs.nights._events import EventSync
from cogs.nights._herald import Herald
from cogs.nights._render import (
    cancelled_text,
    changed_text,
    list_embed,
    skipped_text,
)

log = logging.getLogger("agora.nights")

WEEKDAY_CHOICES = [app_commands.Choice(name=day, value=day) for day in rules.WEEKDAYS]

Place = discord.StageChannel | discord.VoiceChannel


@app_commands.guild_only()
class NightsCog(commands.GroupCog, name="Nights", group_name="schedule"):
    """Recurring debate nights: their Discord events, reminders, lobby and quorum."""

    def __init__(self, bot: Agora) -> None:
        self.bot = bot
        self.schedules = bot.services.schedules
        self.events = EventSync(bot, self.schedules)
        self.herald = Herald(bot, self.schedules, self.events)
        self._tasks: list[asyncio.Task[None]] = []
        super().__init__()

    async def cog_load(self) -> None:
        """Serve every schedule from the database once the bot is connected."""
        records = await self.schedules.recover()
        self._tasks = [asyncio.create_task(self._serve([r.schedule.id for r in records]))]

    async def _serve(self, schedule_ids: list[int]) -> None:
        try:
            await self.bot.wait_until_ready()  # reminders mention members: the cache is needed
        except RuntimeError:
            return  # never logged in (a test that only loads extensions)
        self._tasks.append(
            asyncio.create_task(self._sync_all(schedule_ids), name="night-events-sync")
        )
        await self.schedules.run(self.herald.announce)

    async def _sync_all(self, schedule_ids: list[int]) -> None:
        for schedule_id in schedule_ids:
            await self.events.sync(schedule_id)

    async def cog_unload(self) -> None:
        """Stop the dispatcher (everything it decided is in the database)."""
        for task in self._tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _reply(
        self, interaction: discord.Interaction[Any], text: str, changed: Changed, edited: bool
    ) -> None:
        """Answer, then bring the Discord event in step (telling the moderator if it failed)."""
        await interaction.response.send_message(text)
        ok = await self.events.sync(changed.record.schedule.id, edited=edited)
        if not ok:
            await interaction.followup.send(await tr(interaction, "night.no_event"), ephemeral=True)

    @app_commands.command(
        name="create",
        description="Schedule a recurring debate night.",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    @app_commands.describe(
        name="What the night is called, e.g. 'Thursday debates'.",
        weekday="The day of the week the night is on.",
        time="The local start time, e.g. 20:00 or 8pm.",
        timezone="An IANA time zone such as Europe/London (default: the server's, in /config).",
        every_weeks="1 = every week, 2 = every other week (default 1).",
        format="How the debates run (default: the server's, set in /config).",
        channel="Where reminders and the lobby go (default: the debate channel, or this one).",
        stage_or_voice="A stage or voice channel for the Discord event (default: none).",
        reminders="When to remind, e.g. 24h,1h,10m, or none (default 24h,1h).",
        quorum=f"Debaters needed 10 minutes after the start ({MIN_QUORUM}-{MAX_QUORUM}).",
        postpone_minutes="Postpone once by this many minutes if short (default 0: cancel).",
    )
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def create(
        self,
        interaction: discord.Interaction[Agora],
        name: app_commands.Range[str, 1, rules.MAX_NAME_CHARS],
        weekday: app_commands.Choice[str],
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        every_weeks: app_commands.Range[int, 1, MAX_EVERY_WEEKS] = 1,
        format: str | None = None,
        channel: discord.TextChannel | None = None,
        stage_or_voice: Place | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
        quorum: app_commands.Range[int, MIN_QUORUM, MAX_QUORUM] = MIN_QUORUM,
        postpone_minutes: app_commands.Range[int, 0, MAX_POSTPONE_MINUTES] = 0,
    ) -> None:
        """Create a schedule (moderators); its first night gets a Discord event."""
        guild_id = guild_id_of(interaction)
        server = await self.bot.services.guilds.get(guild_id)
        text_channel = (
            channel.id if channel else server.debate_channel_id or self._text_channel(interaction)
        )
        changed = await self.schedules.create(
            guild_id=guild_id,
            actor=acting(interaction),
            name=name,
            weekday=weekday.value,
            time=time,
            timezone=timezone or server.timezone,
            channel_id=text_channel,
            every_weeks=every_weeks,
            format_key=format or server.default_format,
            voice_channel_id=stage_or_voice.id if stage_or_voice else None,
            reminders=reminders,
            quorum=quorum,
            postpone_minutes=postpone_minutes,
        )
        now = discord.utils.utcnow()
        lang = await server_language(interaction.client, guild_id)
        text = changed_text(t("night.scheduled", lang), changed, now, lang)
        await self._reply(interaction, text, changed, False)

    @staticmethod
    def _text_channel(interaction: discord.Interaction[Any]) -> int | None:
        channel = interaction.channel
        return channel.id if isinstance(channel, discord.TextChannel) else None

    @app_commands.command(
        name="list", description="Show this server's debate nights.", extras={ACCESS: Access.MEMBER}
    )
    async def list_(self, interaction: discord.Interaction[Agora]) -> None:
        """Every schedule with its next night, to the member who asked."""
        records = await self.schedules.all(guild_id=guild_id_of(interaction))
        now = discord.utils.utcnow()
        embed = list_embed(records, now, await language_of(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(
        name="edit",
        description="Change a debate night's settings.",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    @app_commands.describe(
        schedule="The debate night to change.",
        name="A new name.",
        weekday="A new day of the week.",
        time="A new local start time, e.g. 20:00 or 8pm.",
        timezone="A new IANA time zone, e.g. Europe/London.",
        every_weeks="1 = every week, 2 = every other week.",
        format="How the debates run.",
        channel="Where reminders and the lobby are posted.",
        stage_or_voice="A stage or voice channel for the Discord event.",
        reminders="When to remind, e.g. 24h,1h,10m, or none.",
        quorum=f"Debaters needed 10 minutes after the start ({MIN_QUORUM}-{MAX_QUORUM}).",
        postpone_minutes="Postpone once by this many minutes if short (0: cancel).",
    )
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def edit(
        self,
        interaction: discord.Interaction[Agora],
        schedule: app_commands.Range[str, 1, 60],
        name: app_commands.Range[str, 1, rules.MAX_NAME_CHARS] | None = None,
        weekday: app_commands.Choice[str] | None = None,
        time: app_commands.Range[str, 1, 20] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        every_weeks: app_commands.Range[int, 1, MAX_EVERY_WEEKS] | None = None,
        format: str | None = None,
        channel: discord.TextChannel | None = None,
        stage_or_voice: Place | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
        quorum: app_commands.Range[int, MIN_QUORUM, MAX_QUORUM] | None = None,
        postpone_minutes: app_commands.Range[int, 0, MAX_POSTPONE_MINUTES] | None = None,
    ) -> None:
        """Change a schedule (moderators); its Discord event follows."""
        guild_id = guild_id_of(interaction)
        changed = await self.schedules.edit(
            guild_id=guild_id,
            actor=acting(interaction),
            given=schedule,
            name=name,
            weekday=weekday.value if weekday else None,
            local_time=time,
            tz_name=timezone,
            every_weeks=every_weeks,
            format_key=format,
            channel_id=channel.id if channel else None,
            voice_channel_id=stage_or_voice.id if stage_or_voice else None,
            reminders=reminders,
            quorum=quorum,
            postpone_minutes=postpone_minutes,
        )
        now = discord.utils.utcnow()
        lang = await server_language(interaction.client, guild_id)
        text = changed_text(t("night.changed", lang), changed, now, lang)
        await self._reply(interaction, text, changed, True)

    @app_commands.command(
        name="skip",
        description="Call off the next night of a schedule only.",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    @app_commands.describe(schedule="The debate night whose next night is called off.")
    async def skip(
        self, interaction: discord.Interaction[Agora], schedule: app_commands.Range[str, 1, 60]
    ) -> None:
        """Skip the next night (moderators); its event is cancelled, the next one made."""
        guild_id = guild_id_of(interaction)
        changed = await self.schedules.skip(
            guild_id=guild_id, actor=acting(interaction), given=schedule
        )
        now = discord.utils.utcnow()
        lang = await server_language(interaction.client, guild_id)
        await self._reply(interaction, skipped_text(changed, now, lang), changed, False)

    @app_commands.command(
        name="cancel",
        description="End a schedule: no more nights.",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    @app_commands.describe(schedule="The debate night to end.")
    async def cancel(
        self, interaction: discord.Interaction[Agora], schedule: app_commands.Range[str, 1, 60]
    ) -> None:
        """Cancel a schedule (moderators); its event is cancelled."""
        guild_id = guild_id_of(interaction)
        changed = await self.schedules.cancel(
            guild_id=guild_id, actor=acting(interaction), given=schedule
        )
        lang = await server_language(interaction.client, guild_id)
        await self._reply(interaction, cancelled_text(changed, lang), changed, False)

    # -- autocomplete -------------------------------------------------------------------------

    @edit.autocomplete("schedule")
    @skip.autocomplete("schedule")
    @cancel.autocomplete("schedule")
    async def _schedule_choices(
        self, interaction: discord.Interaction[Agora], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().casefold()
        records = await self.schedules.all(guild_id=interaction.guild_id or 0)
        return [
            app_commands.Choice(
                name=f"#{r.schedule.id} {r.schedule.name}"[:100], value=str(r.schedule.id)
            )
            for r in records
            if not r.schedule.cancelled and typed in r.schedule.name.casefold()
        ][:25]

    @create.autocomplete("timezone")
    @edit.autocomplete("timezone")
    async def _timezone_choices(
        self, interaction: discord.Interaction[Agora], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in timezone_matches(current)]

    @create.autocomplete("format")
    @edit.autocomplete("format")
    async def _format_choices(
        self, interaction: discord.Interaction[Agora], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        formats = await self.bot.services.formats.available(interaction.guild_id or 0)
        return [
            app_commands.Choice(name=f"{fmt.name}: {fmt.description}"[:100], value=fmt.key)
            for fmt in formats
            if typed in fmt.key or typed in fmt.name.lower()
        ][:25]


def timezone_matches(typed: str, limit: int = 25) -> list[str]:
    """Zone names for what a member typed: containing it, else the closest spellings."""
    folded = typed.strip().casefold().replace(" ", "_")
    if not folded:
        return ["Europe/London", "America/New_York", "Europe/Paris", "Asia/Tokyo", "UTC"]
    found = [z for z in _zone_names() if folded in z.casefold()]
    return (found or list(rules.suggest_timezones(typed, 5)))[:limit]


@cache
def _zone_names() -> tuple[str, ...]:
    """Regional zone names (Europe/London, not the fixed-offset Etc/GMT+1), sorted."""
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))
