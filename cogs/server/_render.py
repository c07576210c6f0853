"""How a server's settings read in Discord, in a language."""

from __future__ import annotations

import discord

from bot.domain.guilds import GuildSettings, TurnMode
from bot.i18n import t
from bot.ui.style import BRAND


def role_text(role_id: int | None, lang: str) -> str:
    """Who moderates debates, as one sentence."""
    if role_id is None:
        return t("settings.no_role", lang)
    return t("settings.role", lang, role=f"<@&{role_id}>")


def turns_text(mode: TurnMode, lang: str) -> str:
    """What the turn mode does, as one sentence."""
    if mode is TurnMode.SOFT:
        return t("settings.turns_soft", lang)
    return t("settings.turns_strict", lang)


def voting_text(settings: GuildSettings, lang: str) -> str:
    """Who may vote in the audience votes, as a few short lines."""
    lines = [
        t("settings.debaters_may_vote", lang)
        if settings.debaters_may_vote
        else t("settings.debaters_may_not_vote", lang)
    ]
    if settings.voter_role_id is not None:
        lines.append(t("settings.voter_role", lang, role=f"<@&{settings.voter_role_id}>"))
    if settings.voter_min_days:
        lines.append(t("settings.voter_days", lang, days=settings.voter_min_days))
    if settings.voters_in_voice:
        lines.append(t("settings.voters_on_stage", lang))
    return "\n".join(lines)


def settings_embed(settings: GuildSettings, lang: str) -> discord.Embed:
    """The server's settings, each with what it does."""
    embed = discord.Embed(title=t("settings.title", lang), colour=BRAND)
    embed.add_field(
        name=t("settings.moderator_role", lang),
        value=role_text(settings.moderator_role_id, lang),
        inline=False,
    )
    embed.add_field(
        name=t("settings.turns", lang), value=turns_text(settings.turns, lang), inline=False
    )
    embed.add_field(name=t("settings.votes", lang), value=voting_text(settings, lang), inline=False)
    embed.set_footer(text=t("settings.footer", lang))
    return embed
