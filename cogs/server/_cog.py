"""Slash commands of a server's settings; the settings live in ``GuildService``."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Agora
from bot.domain.guilds import TurnMode
from bot.services.guilds import UNSET, Unset
from bot.ui.access import ACCESS, Access, ManagerAction, guild_id_of, require_manager
from bot.ui.i18n import language_of, tr
from cogs.server._render import role_text, settings_embed, turns_text, voting_text


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SettingsCog(commands.GroupCog, name="Settings", group_name="settings"):
    """Show and change how Agora runs debates in this server."""

    def __init__(self, bot: Agora) -> None:
        self.guilds = bot.services.guilds
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Every setting is for members who manage the server."""
        require_manager(interaction, ManagerAction.CHANGE_SETTINGS)
        return True

    @app_commands.command(
        name="show",
        description="Show Agora's settings for this server.",
        extras={ACCESS: Access.MANAGER},
    )
    async def show(self, interaction: discord.Interaction[Agora]) -> None:
        """The moderator role and the turn mode, to the member who asked."""
        settings = await self.guilds.get(guild_id_of(interaction))
        embed = settings_embed(settings, await language_of(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(
        name="moderator-role",
        description="Let a role moderate every debate (leave empty: none).",
        extras={ACCESS: Access.MANAGER},
    )
    @app_commands.describe(role="Members with this role moderate every debate; omit to clear.")
    async def moderator_role(
        self, interaction: discord.Interaction[Agora], role: discord.Role | None = None
    ) -> None:
        """Set or clear the server's moderator role."""
        guild_id = guild_id_of(interaction)
        if role is not None and role.is_default():
            await interaction.response.send_message(
                await tr(interaction, "settings.not_everyone"), ephemeral=True
            )
            return
        settings = await self.guilds.set_moderator_role(guild_id, role.id if role else None)
        text = role_text(settings.moderator_role_id, await language_of(interaction))
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(
        name="turns",
        description="Choose what happens to out-of-turn messages.",
        extras={ACCESS: Access.MANAGER},
    )
    @app_commands.describe(mode="strict removes them with a notice; soft marks them.")
    @app_commands.choices(
        mode=[
            app_commands.Choice(name="strict: remove them, with a short notice", value="strict"),
            app_commands.Choice(name="soft: keep them, marked with a reaction", value="soft"),
        ]
    )
    async def turns(
        self, interaction: discord.Interaction[Agora], mode: app_commands.Choice[str]
    ) -> None:
        """Set the server's turn mode."""
        settings = await self.guilds.set_turns(guild_id_of(interaction), TurnMode(mode.value))
        text = turns_text(settings.turns, await language_of(interaction))
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(
        name="voting",
        description="Choose who may vote in the audience votes.",
        extras={ACCESS: Access.MANAGER},
    )
    @app_commands.describe(
        debaters_may_vote="Let debaters vote in their own debate (default: no).",
        role="Only members with this role vote.",
        clear_role="Drop the role requirement.",
        min_days="Only members who joined the server at least this many days ago vote.",
        in_voice="When a debate is on a stage, only members on that stage vote.",
    )
    async def voting(
        self,
        interaction: discord.Interaction[Agora],
        debaters_may_vote: bool | None = None,
        role: discord.Role | None = None,
        clear_role: bool = False,
        min_days: app_commands.Range[int, 0, 3650] | None = None,
        in_voice: bool | None = None,
    ) -> None:
        """Change the server's voting rules; options left out keep their value."""
        if role is not None and clear_role:
            await interaction.response.send_message(
                await tr(interaction, "settings.role_or_clear"), ephemeral=True
            )
            return
        role_id: int | Unset | None = UNSET
        if role is not None:
            role_id = None if role.is_default() else role.id
        elif clear_role:
            role_id = None
        settings = await self.guilds.set_voting(
            guild_id_of(interaction),
            debaters_may_vote=debaters_may_vote,
            voter_role_id=role_id,
            voter_min_days=min_days,
            voters_in_voice=in_voice,
        )
        text = voting_text(settings, await language_of(interaction))
        await interaction.response.send_message(text, ephemeral=True)
