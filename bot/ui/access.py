"""Who is acting, where, and who may change how Agora runs in a server (Manage Server).

Discord's ``default_permissions`` only hides a command, and a server admin can lift it
(and it cannot apply to a subcommand at all), so each command checks again in code.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.domain.debate import Actor


class NotServerManager(app_commands.CheckFailure):
    """The member lacks the Manage Server permission; the message says what they tried."""

    def __init__(self, action: str) -> None:
        super().__init__(
            f"Only members with the **Manage Server** permission can {action}. "
            "Ask one of your server's admins."
        )


def require_manager(interaction: discord.Interaction[Any], action: str) -> None:
    """Refuse, with ``NotServerManager``, a member who cannot manage the server."""
    if not interaction.permissions.manage_guild:
        raise NotServerManager(action)


def guild_id_of(interaction: discord.Interaction[Any]) -> int:
    """The server an interaction came from; ``NoPrivateMessage`` in a direct message."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def actor_of(member: discord.abc.User, permissions: discord.Permissions | None) -> Actor:
    """The acting member with their standing: Manage Server and their roles."""
    roles = frozenset(r.id for r in getattr(member, "roles", ()))
    manages = bool(permissions and permissions.manage_guild)
    return Actor(member.id, manages_server=manages, role_ids=roles)


def acting(interaction: discord.Interaction[Any]) -> Actor:
    """The member behind an interaction, with their standing."""
    return actor_of(interaction.user, interaction.permissions)
