"""How the settings view reads: every setting with what it does, in a language."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.formats import DebateFormat
from bot.domain.guilds import (
    LANGUAGES,
    GuildSettings,
    TurnMode,
)
from bot.formats import DEFAULT_FORMAT
from bot.i18n import t
from bot.ui.style import BRAND, ICONS


def _format_name(settings: GuildSettings, formats: Sequence[DebateFormat], lang: str) -> str:
    key = settings.default_format or DEFAULT_FORMAT
    found = next((f for f in formats if f.key == key), None)
    name = f"{found.name} (`{key}`)" if found else f"`{key}`"
    return t("config.format_value", lang, format=name)


def _voting(settings: GuildSettings, lang: str) -> str:
    lines = [
        t("settings.debaters_may_vote", lang)
        if settings.debaters_may_vote
        else t("settings.debaters_may_not_vote", lang)
    ]
    if settings.voter_min_days:
        lines.append(t("config.voter_days", lang, days=settings.voter_min_days))
    else:
        lines.append(t("config.anyone_votes", lang))
    if settings.voters_in_voice:
        lines.append(t("config.stage_votes", lang))
    if settings.voter_role_id is not None:
        lines.append(t("settings.voter_role", lang, role=f"<@&{settings.voter_role_id}>"))
    return "\n".join(lines)


def config_embed(
    settings: GuildSettings, formats: Sequence[DebateFormat], lang: str
) -> discord.Embed:
    """Every setting of the server, each with what it does."""
    embed = discord.Embed(
        title=f"{ICONS.settings} {t('settings.title', lang)}",
        description=t("config.description", lang),
        colour=BRAND,
    )
    role = settings.moderator_role_id
    embed.add_field(
        name=f"{ICONS.moderator} {t('settings.moderator_role', lang)}",
        value=t("config.role_value", lang, role=f"<@&{role}>")
        if role
        else t("config.no_role_value", lang),
        inline=False,
    )
    channel = settings.debate_channel_id
    embed.add_field(
        name=t("config.channel", lang),
        value=t("config.channel_value", lang, channel=f"<#{channel}>")
        if channel
        else t("config.no_channel_value", lang),
        inline=False,
    )
    embed.add_field(
        name=t("config.format", lang), value=_format_name(settings, formats, lang), inline=False
    )
    embed.add_field(
        name=t("config.timezone", lang),
        value=t("config.timezone_value", lang, zone=settings.timezone),
        inline=False,
    )
    embed.add_field(
        name=f"{ICONS.vote} {t('settings.votes', lang)}",
        value=_voting(settings, lang),
        inline=False,
    )
    turns = (
        t("config.turns_soft", lang)
        if settings.turns is TurnMode.SOFT
        else t("config.turns_strict", lang)
    )
    embed.add_field(name=t("settings.turns", lang), value=turns, inline=False)
    language = LANGUAGES.get(settings.language, settings.language)
    embed.add_field(
        name=t("config.language", lang),
        value=f"{language} (`{settings.language}`)",
        inline=False,
    )
    embed.set_footer(text=t("config.footer", lang))
    return embed
