"""How a server's settings read in Discord."""

from __future__ import annotations

import discord

from bot.domain.guilds import GuildSettings, TurnMode
from bot.ui.style import BRAND

TURN_MODES = {
    TurnMode.STRICT: (
        "a message posted out of turn in a debate's thread is removed, and its author gets "
        "a short notice pointing to the audience thread"
    ),
    TurnMode.SOFT: (
        "a message posted out of turn in a debate's thread stays, marked with a reaction"
    ),
}
NO_ROLE = "only a debate's creator and members with Manage Server moderate it"


def role_text(role_id: int | None) -> str:
    """Who moderates debates, as one sentence."""
    if role_id is None:
        return f"No moderator role: {NO_ROLE}."
    return (
        f"Members with <@&{role_id}> moderate every debate (start, run and cancel it), "
        "besides its creator and members with Manage Server."
    )


def turns_text(mode: TurnMode) -> str:
    """What the turn mode does, as one sentence."""
    return f"Turns are **{mode.value}**: {TURN_MODES[mode]}."


def voting_text(settings: GuildSettings) -> str:
    """Who may vote in the audience votes, as a few short lines."""
    lines = [
        "Debaters **may** vote in their own debate."
        if settings.debaters_may_vote
        else "Debaters may not vote in their own debate."
    ]
    if settings.voter_role_id is not None:
        lines.append(f"Voters need the <@&{settings.voter_role_id}> role.")
    if settings.voter_min_days:
        lines.append(f"Voters must have been in the server for {settings.voter_min_days} days.")
    if settings.voters_in_voice:
        lines.append("When a debate is on a stage, voters must be on that stage.")
    return "\n".join(lines)


def settings_embed(settings: GuildSettings) -> discord.Embed:
    """The server's settings, each with what it does."""
    embed = discord.Embed(title="Agora settings for this server", colour=BRAND)
    embed.add_field(
        name="Moderator role", value=role_text(settings.moderator_role_id), inline=False
    )
    embed.add_field(name="Speaking turns", value=turns_text(settings.turns), inline=False)
    embed.add_field(name="Audience votes", value=voting_text(settings), inline=False)
    embed.set_footer(
        text="Change them with /settings moderator-role, /settings turns and /settings voting"
    )
    return embed
