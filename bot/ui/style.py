"""Agora's look, shared by every cog: one colour and one icon per side, the same icons for
the same things everywhere.

Sides are looked up by their value ("for", "against"), so a ``Side``, a ``Preference`` and
a vote ``Choice`` share one look; anything else ("either", "undecided") is neutral. The
charts draw with the same colours (``SIDE_HEX``), so a side is one colour wherever it
appears.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

BRAND = discord.Colour(0x7C3AED)
"""The colour of Agora's embeds."""

SIDE_HEX: dict[str, str] = {"for": "#3B82F6", "against": "#EF4444"}
"""Each side's colour, for drawings: blue for, red against."""
NEUTRAL_HEX = "#9CA3AF"
"""Neither side: undecided voters, either side."""
SIDE_ICONS: dict[str, str] = {"for": "🟦", "against": "🟥"}
NEUTRAL_ICON = "⬜"


def side_hex(side: str) -> str:
    """The colour of ``side`` ("for", "against"; neutral otherwise) as ``#rrggbb``."""
    return SIDE_HEX.get(side, NEUTRAL_HEX)


def side_colour(side: str) -> discord.Colour:
    """The colour of ``side`` for embeds."""
    return discord.Colour(int(side_hex(side).removeprefix("#"), 16))


def side_icon(side: str) -> str:
    """The square of ``side``'s colour; a white one for neither."""
    return SIDE_ICONS.get(side, NEUTRAL_ICON)


@dataclass(frozen=True, slots=True)
class Icons:
    """The icon of each thing Agora shows, so it is the same in every message."""

    vote: str = "🗳️"
    time: str = "⏱️"
    paused: str = "⏸️"
    done: str = "✅"
    refused: str = "❌"
    schedule: str = "📅"
    debaters: str = "👥"
    moderator: str = "🛡️"
    settings: str = "⚙️"
    chart: str = "📊"
    welcome: str = "👋"
    motion: str = "📜"
    rating: str = "🏆"


ICONS = Icons()
