"""Ratings: seasons, leaderboards, and each member's stats and debate history."""

from __future__ import annotations

from bot.app import Agora
from cogs.ratings._cog import RatingsCog
from cogs.ratings._views import BoardPageButton, HistoryPageButton


async def setup(bot: Agora) -> None:
    """Register the cog and the persistent page buttons."""
    bot.add_dynamic_items(BoardPageButton, HistoryPageButton)
    await bot.add_cog(RatingsCog(bot))
