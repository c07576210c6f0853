"""How the settings view reads: every setting with what it does."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.formats import DebateFormat
from bot.domain.guilds import LANGUAGES, GuildSettings, TurnMode
from bot.formats import DEFAULT_FORMAT
from bot.ui.style import BRAND, ICONS

TURNS = {
    TurnMode.STRICT: "**strict**: a message posted out of turn is removed, with a short notice",
    TurnMode.SOFT: "**soft**: a message posted out of turn stays, marked with a reaction",
}


def _format_name(settings: GuildSettings, formats: Sequence[DebateFormat]) -> str:
    key = settings.default_format or DEFAULT_FORMAT
    found = next((f for f in formats if f.key == key), None)
    name = f"{found.name} (`{key}`)" if found else f"`{key}`"
    return f"{name}: used by `/debate new` and new debate nights when no format is given"


def _voting(settings: GuildSettings) -> str:
    lines = [
        "Debaters **may** vote in their own debate."
        if settings.debaters_may_vote
        else "Debaters may not vote in their own debate."
    ]
    if settings.voter_min_days:
        lines.append(f"Voters must have been in the server for {settings.voter_min_days}+ days.")
    else:
        lines.append("Any member of the audience may vote.")
    if settings.voters_in_voice:
        lines.append("When a debate is on a stage, only members on that stage vote.")
    if settings.voter_role_id is not None:
        lines.append(f"Voters need the <@&{settings.voter_role_id}> role.")
    return "\n".join(lines)


def config_embed(settings: GuildSettings, formats: Sequence[DebateFormat]) -> discord.Embed:
    """Every setting of the server, each with what it does."""
    embed = discord.Embed(
        title=f"{ICONS.settings} Agora settings for this server",
        description="Change a setting with its menu below; the change is saved at once.",
        colour=BRAND,
    )
    role = settings.moderator_role_id
    embed.add_field(
        name=f"{ICONS.moderator} Moderator role",
        value=f"<@&{role}> moderates every debate, the motion bank and debate nights"
        if role
        else "None: only members with Manage Server (and a debate's creator) moderate",
        inline=False,
    )
    channel = settings.debate_channel_id
    embed.add_field(
        name="Debate channel",
        value=f"<#{channel}>: where new debate nights post by default"
        if channel
        else "None: debates run wherever they are opened",
        inline=False,
    )
    embed.add_field(name="Default format", value=_format_name(settings, formats), inline=False)
    embed.add_field(
        name="Time zone",
        value=f"`{settings.timezone}`: the default time zone of new debate nights",
        inline=False,
    )
    embed.add_field(name=f"{ICONS.vote} Audience votes", value=_voting(settings), inline=False)
    embed.add_field(name="Speaking turns", value=TURNS[settings.turns], inline=False)
    language = LANGUAGES.get(settings.language, settings.language)
    embed.add_field(name="Language", value=f"{language} (`{settings.language}`)", inline=False)
    embed.set_footer(text="A voter role is set with /settings voting role:")
    return embed
