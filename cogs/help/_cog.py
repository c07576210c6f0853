"""``/help`` and the welcome a server gets when Agora joins it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Agora
from bot.i18n import catalogue
from bot.ui.access import ACCESS, Access
from bot.ui.i18n import language_of, server_language
from cogs.help._render import Entry, help_embed, welcome_text

log = logging.getLogger("agora.help")


def _description(command: app_commands.Command[Any, ..., Any], lang: str) -> str:
    """What ``command`` does in ``lang``: the translation Discord shows, else its own."""
    key = f"command.{'.'.join(command.qualified_name.split())}.description"
    return catalogue().translations(key).get(lang, command.description)


def entries(tree: app_commands.CommandTree[Agora], lang: str) -> Iterator[Entry]:
    """Every slash command members can type, subcommands by their full name, described in
    ``lang``."""
    for command in tree.walk_commands(type=discord.AppCommandType.chat_input):
        if isinstance(command, app_commands.Command):
            access = command.extras.get(ACCESS)
            yield Entry(command.qualified_name, _description(command, lang), access)


class HelpCog(commands.Cog, name="Help"):
    """What Agora does and how to start."""

    def __init__(self, bot: Agora) -> None:
        self.bot = bot

    @app_commands.command(
        name="help",
        description="What Agora does, and every command by task with examples.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.guild_only()
    async def help(self, interaction: discord.Interaction[Agora]) -> None:
        """The guide, to the member who asked."""
        lang = await language_of(interaction)
        embed = help_embed(entries(self.bot.tree, lang), lang)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Say how to start: in the system channel when Agora may post there, else to the
        owner in a direct message."""
        try:
            await self._welcome(guild)
        except Exception:
            if not self.bot.is_closed():
                raise  # else: the bot stopped while the welcome was on its way

    async def _welcome(self, guild: discord.Guild) -> None:
        text = welcome_text(guild.name, await server_language(self.bot, guild.id))
        channel = guild.system_channel
        if channel is not None and channel.permissions_for(guild.me).send_messages:
            try:
                await channel.send(text)
                return
            except discord.HTTPException:
                log.warning("Could not welcome server %s in its system channel", guild.id)
        try:
            owner = guild.owner or await self.bot.fetch_user(guild.owner_id or 0)
            await owner.send(text)
        except discord.HTTPException:
            log.warning("Could not welcome server %s: its owner takes no direct messages", guild.id)
