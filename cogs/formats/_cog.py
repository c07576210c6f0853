"""Slash commands of a server's debate formats; the formats live in ``FormatCatalog``."""

from __future__ import annotations

from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Agora
from bot.domain.formats import KEY_LENGTH, check_format_key
from bot.ui.access import ACCESS, Access, Forms, ManagerAction, guild_id_of, require_manager
from bot.ui.errors import guard
from bot.ui.i18n import language_of
from bot.ui.modals import modal_values
from cogs.formats._render import formats_embed, saved_text
from cogs.formats._upload import FORMAT_FORM, FormatForm, check_upload, decode_upload

ADDING = ManagerAction.ADD_FORMATS


@app_commands.guild_only()
class FormatCog(commands.GroupCog, name="Formats", group_name="format"):
    """List the debate formats of this server, and add its own."""

    forms: ClassVar[Forms] = {FORMAT_FORM: Access.MANAGER}

    def __init__(self, bot: Agora) -> None:
        self.formats = bot.services.formats
        super().__init__()

    @app_commands.command(
        name="list",
        description="Show every debate format this server can use.",
        extras={ACCESS: Access.MEMBER},
    )
    async def list_formats(self, interaction: discord.Interaction[Agora]) -> None:
        """Every format with its speaking order, to the member who asked."""
        formats = await self.formats.available(guild_id_of(interaction))
        lang = await language_of(interaction)
        embed = formats_embed(formats, set(self.formats.builtin), lang)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # Discord applies default_permissions to whole commands only, not to a subcommand such
    # as this one: anyone sees it, and require_manager refuses those who may not use it.
    @app_commands.command(
        name="add",
        description="Add or replace a debate format (Manage Server).",
        extras={ACCESS: Access.MANAGER},
    )
    @app_commands.describe(
        key="A short name to pick it by, e.g. house-rules (letters, digits, hyphens).",
        file="The format as a .toml file; leave it out to write it in a form.",
    )
    async def add(
        self,
        interaction: discord.Interaction[Agora],
        key: app_commands.Range[str, 1, KEY_LENGTH[1]],
        file: discord.Attachment | None = None,
    ) -> None:
        """Store a format from a file, or open a form prefilled with an example."""
        guild_id = guild_id_of(interaction)
        require_manager(interaction, ADDING)
        normal = check_format_key(key, tuple(self.formats.builtin))
        lang = await language_of(interaction)
        if file is None:
            await interaction.response.send_modal(FormatForm(normal, lang))
            return
        check_upload(file.filename, file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        source = decode_upload(file.filename, await file.read())
        saved = await self.formats.save(
            guild_id=guild_id, key=normal, source=source, user_id=interaction.user.id
        )
        await interaction.edit_original_response(content=saved_text(saved, lang))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """The format form's submission, handled from its custom id so a restart loses none."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str(interaction.data.get("custom_id", "")) if interaction.data else ""
        if (match := FORMAT_FORM.fullmatch(custom_id)) is not None:
            await guard(interaction, self._written(interaction, match["key"]))

    async def _written(self, interaction: discord.Interaction[Any], key: str) -> None:
        guild_id = guild_id_of(interaction)
        require_manager(interaction, ADDING)
        saved = await self.formats.save(
            guild_id=guild_id,
            key=key,
            source=modal_values(interaction.data).get("source", ""),
            user_id=interaction.user.id,
        )
        lang = await language_of(interaction)
        await interaction.response.send_message(saved_text(saved, lang), ephemeral=True)
