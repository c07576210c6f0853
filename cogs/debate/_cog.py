"""Slash commands and button handlers of a debate's lobby; the rules live in the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Agora
from bot.domain.debate import MOTION_MAX_CHARS, Actor, Preference
from bot.domain.errors import DebateClosed
from bot.formats import DEFAULT_FORMAT
from cogs.debate._board import LobbyBoard
from cogs.debate._render import joined_text, left_text, lobby_embed
from cogs.debate._views import COG_NAME, lobby_view


def _place(interaction: discord.Interaction[Any]) -> tuple[int, int]:
    if interaction.guild_id is None or interaction.channel_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id, interaction.channel_id


def _actor(interaction: discord.Interaction[Any]) -> Actor:
    return Actor(interaction.user.id, manages_server=interaction.permissions.manage_guild)


@app_commands.guild_only()
class DebateCog(commands.GroupCog, name=COG_NAME, group_name="debate"):
    """Create a debate, fill its lobby, look at it, cancel it."""

    def __init__(self, bot: Agora) -> None:
        self.bot = bot
        self.debates = bot.services.debates
        self.board = LobbyBoard(bot, self.debates)
        super().__init__()

    async def cog_unload(self) -> None:
        """Finish pending lobby edits before going away."""
        await self.board.drain()

    @app_commands.command(name="new", description="Open a debate on a motion in this channel.")
    @app_commands.describe(
        motion="The statement to debate, e.g. 'This House would ban homework'.",
        format="How the debate runs (default: Oxford).",
    )
    async def new(
        self,
        interaction: discord.Interaction[Agora],
        motion: app_commands.Range[str, 1, MOTION_MAX_CHARS],
        format: str | None = None,
    ) -> None:
        """Store the debate, then post its lobby."""
        guild_id, channel_id = _place(interaction)
        snapshot = await self.debates.create(
            guild_id=guild_id,
            channel_id=channel_id,
            creator_id=interaction.user.id,
            motion=motion,
            format_key=format or DEFAULT_FORMAT,
        )
        debate_id = snapshot.debate.id
        sent = await interaction.response.send_message(
            embed=lobby_embed(snapshot), view=lobby_view(debate_id)
        )
        if sent.message_id is not None:
            await self.debates.attach_lobby_message(
                guild_id=guild_id, debate_id=debate_id, message_id=sent.message_id
            )

    @new.autocomplete("format")
    async def _format_choices(
        self, interaction: discord.Interaction[Agora], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        formats = (self.debates.format(key) for key in self.debates.format_keys)
        return [
            app_commands.Choice(name=f"{fmt.name}: {fmt.description}"[:100], value=fmt.key)
            for fmt in formats
            if typed in fmt.key or typed in fmt.name.lower()
        ][:25]

    @app_commands.command(name="status", description="Show the debate in this channel.")
    async def status(self, interaction: discord.Interaction[Agora]) -> None:
        """Show the channel's debate to the member who asked."""
        _, channel_id = _place(interaction)
        snapshot = await self.debates.in_channel(channel_id=channel_id)
        await interaction.response.send_message(embed=lobby_embed(snapshot), ephemeral=True)

    @app_commands.command(name="cancel", description="Cancel the debate in this channel.")
    async def cancel(self, interaction: discord.Interaction[Agora]) -> None:
        """Close the channel's debate (moderators only) and freeze its lobby."""
        guild_id, channel_id = _place(interaction)
        snapshot = await self.debates.cancel(channel_id=channel_id, actor=_actor(interaction))
        debate = snapshot.debate
        await interaction.response.send_message(
            f"Debate #{debate.id} was cancelled by {interaction.user.mention}."
        )
        if debate.lobby_message_id is not None:
            self.board.refresh(
                guild_id=guild_id,
                debate_id=debate.id,
                channel_id=channel_id,
                message_id=debate.lobby_message_id,
            )

    async def join(
        self, interaction: discord.Interaction[Any], debate_id: int, preference: Preference
    ) -> None:
        """A Join button was pressed."""
        guild_id, channel_id = _place(interaction)
        with self._healing(interaction, guild_id, debate_id, channel_id):
            _, result = await self.debates.join(
                guild_id=guild_id,
                debate_id=debate_id,
                user_id=interaction.user.id,
                preference=preference,
            )
        await interaction.response.send_message(
            joined_text(debate_id, result, preference), ephemeral=True
        )
        self._refresh(interaction, guild_id, debate_id, channel_id)

    async def leave(self, interaction: discord.Interaction[Any], debate_id: int) -> None:
        """The Leave button was pressed."""
        guild_id, channel_id = _place(interaction)
        with self._healing(interaction, guild_id, debate_id, channel_id):
            _, removed = await self.debates.leave(
                guild_id=guild_id, debate_id=debate_id, user_id=interaction.user.id
            )
        await interaction.response.send_message(left_text(debate_id, removed), ephemeral=True)
        self._refresh(interaction, guild_id, debate_id, channel_id)

    @contextmanager
    def _healing(
        self, interaction: discord.Interaction[Any], guild_id: int, debate_id: int, channel_id: int
    ) -> Iterator[None]:
        """A click on the buttons of a closed debate also brings its stale lobby up to date."""
        try:
            yield
        except DebateClosed:
            self._refresh(interaction, guild_id, debate_id, channel_id)
            raise

    def _refresh(
        self, interaction: discord.Interaction[Any], guild_id: int, debate_id: int, channel_id: int
    ) -> None:
        if interaction.message is not None:
            self.board.refresh(
                guild_id=guild_id,
                debate_id=debate_id,
                channel_id=channel_id,
                message_id=interaction.message.id,
            )
