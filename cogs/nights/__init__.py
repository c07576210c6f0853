"""Debate nights: recurring schedules, their Discord events, reminders, lobby and quorum."""

from __future__ import annotations

from bot.app import Agora
from cogs.nights._cog import NightsCog


async def setup(bot: Agora) -> None:
    """Register the cog (the lobby's buttons are the debate cog's)."""
    await bot.add_cog(NightsCog(bot))
