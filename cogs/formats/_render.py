"""How debate formats read in Discord."""

from __future__ import annotations

import discord

from bot.domain.formats import DebateFormat, VoteRule, duration
from bot.services.formats import SavedFormat
from bot.ui.style import BRAND

FIELD_LIMIT = 1024
EMBED_BUDGET = 5500  # Discord allows 6000 characters in all of an embed; keep a margin
MAX_FIELDS = 24  # of Discord's 25, one is kept for "More formats"
VOTE_WORDS = {
    VoteRule.OXFORD: "Oxford vote (the room votes before and after; the side that gains most wins)",
    VoteRule.MAJORITY: "majority vote after the debate",
    VoteRule.JUDGES: "judges decide",
}


def _sides(fmt: DebateFormat) -> str:
    if fmt.min_per_side == fmt.max_per_side:
        return str(fmt.max_per_side)
    return f"{fmt.min_per_side}–{fmt.max_per_side}"


def _field_value(fmt: DebateFormat) -> str:
    head = [
        discord.utils.escape_markdown(fmt.description),
        f"👥 {_sides(fmt)} per side · 🗳️ {VOTE_WORDS[fmt.vote_rule]} · "
        f"⏱️ {duration(fmt.total_seconds)} in all",
    ]
    phases = [
        f"{i}. **{discord.utils.escape_markdown(p.name)}**: {p.describe()}"
        for i, p in enumerate(fmt.phases, start=1)
    ]
    lines = [*head, *phases]
    text = "\n".join(lines)
    while len(text) > FIELD_LIMIT and len(lines) > len(head):
        lines.pop()
        hidden = len(head) + len(phases) - len(lines)
        text = "\n".join([*lines, f"… and {hidden} more phases"])
    return text[:FIELD_LIMIT]


def formats_embed(formats: list[DebateFormat], builtin: set[str]) -> discord.Embed:
    """Every format of the server, each with its speaking order; built-in ones marked."""
    embed = discord.Embed(
        title="Debate formats in this server",
        description=(
            "Use one with `/debate new format:<key>`. Members with Manage Server add their "
            "own with `/format add`."
        ),
        colour=BRAND,
    )
    used = len(embed.title or "") + len(embed.description or "")
    left: list[str] = []
    for fmt in formats:
        mark = " · built-in" if fmt.key in builtin else ""
        name = f"{fmt.name} (`{fmt.key}`){mark}"[:256]
        value = _field_value(fmt)
        if left or len(embed.fields) >= MAX_FIELDS or used + len(name) + len(value) > EMBED_BUDGET:
            left.append(f"`{fmt.key}`")
            continue
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
    if left:
        embed.add_field(name="More formats", value=", ".join(left)[:FIELD_LIMIT], inline=False)
    return embed


def saved_text(saved: SavedFormat) -> str:
    """What a member reads once their format is stored."""
    fmt = saved.format
    verb = "Saved" if saved.created else "Replaced"
    count = len(fmt.phases)
    phases = "phase" if count == 1 else "phases"
    return (
        f"{verb} format **{discord.utils.escape_markdown(fmt.name)}** (`{fmt.key}`): "
        f"{count} {phases}, total {duration(fmt.total_seconds)}. "
        f"Use it with `/debate new format:{fmt.key}`."
    )
