"""Who may change how Agora runs in a server: members with Manage Server.

Discord's ``default_permissions`` only hides a command, and a server admin can lift it
(and it cannot apply to a subcommand at all), so each command checks again in code.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands


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
