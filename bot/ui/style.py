"""Agora's look, shared by every cog."""

from __future__ import annotations

import discord

BRAND = discord.Colour(0x7C3AED)
"""The colour of Agora's embeds."""
