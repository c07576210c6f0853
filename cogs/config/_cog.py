"""``/config``: the settings view for the server's moderators; the settings live in
``GuildService``, which decides who may change what."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Agora
from bot.domain.guilds import TurnMode
from bot.ui.access import ACCESS, Access, acting, guild_id_of
from bot.ui.i18n import language_of, tr
from cogs.config._render import config_embed
from cogs.config._views import COG_NAME, Page, Setting, config_view, page_of


class ConfigCog(commands.Cog, name=COG_NAME):
    """Show every server setting in one private message, changed with select menus."""

    def __init__(self, bot: Agora) -> None:
        self.guilds = bot.services.guilds
        self.formats = bot.services.formats

    @app_commands.command(
        name="config",
        description="Show and change Agora's settings for this server (moderators).",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    @app_commands.guild_only()
    async def config(self, interaction: discord.Interaction[Agora]) -> None:
        """The settings view, to the moderator who asked."""
        guild_id = guild_id_of(interaction)
        settings = await self.guilds.for_moderator(guild_id, acting(interaction))
        formats = await self.formats.available(guild_id)
        lang = await language_of(interaction)
        await interaction.response.send_message(
            embed=config_embed(settings, formats, lang),
            view=config_view(settings, formats, lang),
            ephemeral=True,
        )

    async def show_page(
        self, interaction: discord.Interaction[Any], guild_id: int, page: Page
    ) -> None:
        """Draw the view again on ``page``, from the stored settings."""
        if interaction.guild_id != guild_id:
            await interaction.response.send_message(
                await tr(interaction, "config.other_server"), ephemeral=True
            )
            return
        settings = await self.guilds.for_moderator(guild_id, acting(interaction))
        formats = await self.formats.available(guild_id)
        lang = await language_of(interaction)
        await interaction.response.edit_message(
            embed=config_embed(settings, formats, lang),
            view=config_view(settings, formats, lang, page),
        )

    async def choose(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        setting: Setting,
        values: Sequence[str],
    ) -> None:
        """Store the chosen value and draw the view again."""
        if interaction.guild_id != guild_id:
            await interaction.response.send_message(
                await tr(interaction, "config.other_server"), ephemeral=True
            )
            return
        if setting is Setting.MODERATOR_ROLE and values and int(values[0]) == guild_id:
            await interaction.response.send_message(
                await tr(interaction, "settings.not_everyone"), ephemeral=True
            )
            return
        actor = acting(interaction)
        first = values[0] if values else None
        if setting is Setting.MODERATOR_ROLE:
            settings = await self.guilds.configure(
                guild_id, actor, moderator_role_id=int(first) if first else None
            )
        elif setting is Setting.DEBATE_CHANNEL:
            settings = await self.guilds.configure(
                guild_id, actor, debate_channel_id=int(first) if first else None
            )
        elif setting is Setting.DEFAULT_FORMAT:
            await self.guilds.for_moderator(guild_id, actor)
            fmt = await self.formats.get(guild_id, first or "")
            settings = await self.guilds.configure(guild_id, actor, default_format=fmt.key)
        elif setting is Setting.TIMEZONE:
            settings = await self.guilds.configure(guild_id, actor, timezone=first or "")
        elif setting is Setting.TURNS:
            settings = await self.guilds.configure(
                guild_id, actor, turns=TurnMode(first or TurnMode.STRICT)
            )
        elif setting is Setting.VOTING:
            settings = await self.guilds.configure(
                guild_id,
                actor,
                debaters_may_vote="debaters" in values,
                voters_in_voice="stage" in values,
            )
        elif setting is Setting.MIN_DAYS:
            settings = await self.guilds.configure(guild_id, actor, voter_min_days=int(first or 0))
        else:
            settings = await self.guilds.configure(guild_id, actor, language=first or "")
        formats = await self.formats.available(guild_id)
        lang = await language_of(interaction)
        await interaction.response.edit_message(
            embed=config_embed(settings, formats, lang),
            view=config_view(settings, formats, lang, page_of(setting)),
        )
