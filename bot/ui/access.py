"""Who is acting, where, and who may use each command and component.

Discord's ``default_permissions`` only hides a command, and a server admin can lift it
(and it cannot apply to a subcommand at all), so each command checks again in code.

Every slash command declares who may use it with ``extras={ACCESS: Access...}``, every
component a class attribute ``access``, and every cog that handles forms a ``forms`` map
from their ``custom_id`` pattern to an ``Access``. The services enforce the rules; these
declarations say what they are, and ``tests/e2e/test_permissions.py`` proves that every
action declared for moderators is refused to an ordinary member, and that nothing goes
undeclared.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

import discord
from discord import app_commands

from bot.domain.debate import Actor


class Access(StrEnum):
    """Who may use a command, a button or a form."""

    MEMBER = "member"
    """Every member of the server."""
    PERSONAL = "personal"
    """Only the member it belongs to: the author of a draft, a named judge, the speaker."""
    DEBATE_MODERATOR = "debate moderator"
    """The debate's moderators: its creator, Manage Server, or the server's moderator role."""
    SERVER_MODERATOR = "server moderator"
    """Manage Server, or the server's moderator role."""
    MANAGER = "manager"
    """Manage Server only."""

    @property
    def moderated(self) -> bool:
        """Whether an ordinary member (no standing, not the creator) is refused."""
        return self in (Access.DEBATE_MODERATOR, Access.SERVER_MODERATOR, Access.MANAGER)


ACCESS = "access"
"""The key of a slash command's ``extras`` that holds its ``Access``."""

Forms = dict[re.Pattern[str], Access]
"""A cog's forms (modals): the pattern of their ``custom_id`` and who may submit them."""


class ManagerAction(StrEnum):
    """What only members who manage the server may do (the refusal names it)."""

    ADD_FORMATS = "add debate formats"
    CHANGE_SETTINGS = "see or change Agora's settings"


class NotServerManager(app_commands.CheckFailure):
    """The member lacks the Manage Server permission; the message says what they tried."""

    def __init__(self, action: ManagerAction) -> None:
        self.action = action
        super().__init__(
            f"Only members with the **Manage Server** permission can {action}. "
            "Ask one of your server's admins."
        )


def require_manager(interaction: discord.Interaction[Any], action: ManagerAction) -> None:
    """Refuse, with ``NotServerManager``, a member who cannot manage the server."""
    if not interaction.permissions.manage_guild:
        raise NotServerManager(action)


def loaded_cog(interaction: discord.Interaction[Any], name: str) -> Any:
    """The cog named ``name``, which handles the clicks of the messages it posted."""
    cog = interaction.client.get_cog(name)
    if cog is None:
        raise RuntimeError(f"the {name} cog is not loaded")
    return cog


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
