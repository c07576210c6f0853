"""How debate formats read in Discord, in a language."""

from __future__ import annotations

import discord

from bot.domain.formats import DebateFormat, Phase, PhaseKind, Speaker, VoteRule, duration
from bot.i18n import t
from bot.services.formats import SavedFormat
from bot.ui.style import BRAND

FIELD_LIMIT = 1024
EMBED_BUDGET = 5500  # Discord allows 6000 characters in all of an embed; keep a margin
MAX_FIELDS = 24  # of Discord's 25, one is kept for "More formats"


def vote_words(rule: VoteRule, lang: str) -> str:
    """How a format decides the winner, in a few words."""
    match rule:
        case VoteRule.OXFORD:
            return t("formats.vote.oxford", lang)
        case VoteRule.MAJORITY:
            return t("formats.vote.majority", lang)
    return t("formats.vote.judges", lang)


def _side(speaker: Speaker, lang: str) -> str:
    return t("side.for", lang) if speaker is Speaker.FOR else t("side.against", lang)


def _who(phase: Phase, lang: str) -> str:
    """Who holds the floor, as ``Phase.describe`` says it in English."""
    sided = phase.speaker in (Speaker.FOR, Speaker.AGAINST)
    side = _side(phase.speaker, lang)
    match phase.kind:
        case PhaseKind.PREP:
            return (
                t("formats.phase.prepares", lang, side=side)
                if sided
                else t("formats.phase.prep", lang)
            )
        case PhaseKind.QUESTIONS:
            return t("formats.phase.questions", lang)
        case PhaseKind.CROSS_EXAMINATION:
            if not sided:
                return t("formats.phase.cross_examination", lang)
            other = _side(Speaker.AGAINST if phase.speaker is Speaker.FOR else Speaker.FOR, lang)
            return t("formats.phase.asks", lang, side=side, other=other)
    if sided:
        return t("formats.phase.speaks", lang, side=side)
    if phase.speaker is Speaker.AUDIENCE:
        return t("formats.phase.audience_speaks", lang)
    return t("formats.phase.both_speak", lang)


def phase_line(phase: Phase, lang: str) -> str:
    """One line a member reads, e.g. "6 min · For speaks · protected first and last minute"."""
    parts = [duration(phase.seconds), _who(phase, lang)]
    if phase.protected == 60:
        parts.append(t("formats.phase.protected_minute", lang))
    elif phase.protected:
        parts.append(t("formats.phase.protected", lang, span=duration(phase.protected)))
    return " · ".join(parts)


def _sides(fmt: DebateFormat) -> str:
    if fmt.min_per_side == fmt.max_per_side:
        return str(fmt.max_per_side)
    return f"{fmt.min_per_side}–{fmt.max_per_side}"


def _field_value(fmt: DebateFormat, lang: str) -> str:
    head = [
        discord.utils.escape_markdown(fmt.description),
        t(
            "formats.summary",
            lang,
            sides=_sides(fmt),
            vote=vote_words(fmt.vote_rule, lang),
            total=duration(fmt.total_seconds),
        ),
    ]
    phases = [
        f"{i}. **{discord.utils.escape_markdown(p.name)}**: {phase_line(p, lang)}"
        for i, p in enumerate(fmt.phases, start=1)
    ]
    lines = [*head, *phases]
    text = "\n".join(lines)
    while len(text) > FIELD_LIMIT and len(lines) > len(head):
        lines.pop()
        hidden = len(head) + len(phases) - len(lines)
        text = "\n".join([*lines, t("formats.more_phases", lang, count=hidden)])
    return text[:FIELD_LIMIT]


def formats_embed(formats: list[DebateFormat], builtin: set[str], lang: str) -> discord.Embed:
    """Every format of the server, each with its speaking order; built-in ones marked."""
    embed = discord.Embed(
        title=t("formats.title", lang),
        description=t("formats.description", lang),
        colour=BRAND,
    )
    used = len(embed.title or "") + len(embed.description or "")
    left: list[str] = []
    built_in = t("formats.built_in", lang)
    for fmt in formats:
        mark = f" · {built_in}" if fmt.key in builtin else ""
        name = f"{fmt.name} (`{fmt.key}`){mark}"[:256]
        value = _field_value(fmt, lang)
        if left or len(embed.fields) >= MAX_FIELDS or used + len(name) + len(value) > EMBED_BUDGET:
            left.append(f"`{fmt.key}`")
            continue
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
    if left:
        embed.add_field(
            name=t("formats.more", lang), value=", ".join(left)[:FIELD_LIMIT], inline=False
        )
    return embed


def saved_text(saved: SavedFormat, lang: str) -> str:
    """What a member reads once their format is stored."""
    fmt = saved.format
    count = len(fmt.phases)
    if count == 1:
        phases = t("formats.phases_one", lang, count=count)
    else:
        phases = t("formats.phases_many", lang, count=count)
    values = {
        "name": discord.utils.escape_markdown(fmt.name),
        "key": fmt.key,
        "phases": phases,
        "total": duration(fmt.total_seconds),
    }
    if saved.created:
        return t("formats.saved", lang, **values)
    return t("formats.replaced", lang, **values)
