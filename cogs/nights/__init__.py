"""Debate nights: recurring schedules, their Discord events, reminders, lobby and quorum."""

from __future__ import annotations

from bot.app import Agora
from bot.ui.errors import register
from bot.ui.errors_nights import NIGHT_ERRORS
from cogs.nights._cog import NightsCog


async def setup(bot: Agora) -> None:
    """Register the cog (the lobby's buttons are the debate cog's) and its refusals' texts."""
    register(NIGHT_ERRORS)
    await bot.add_cog(NightsCog(bot))
