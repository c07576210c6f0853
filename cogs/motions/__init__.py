"""The motion bank: members submit motions (or pick them from articles) and upvote them;
moderators approve or reject them; debate nights open with the top one."""

from __future__ import annotations

from bot.app import Agora
from cogs.motions._cog import MotionCog
from cogs.motions._views import CandidateSelect, DraftButton, PageButton, UpvoteButton


async def setup(bot: Agora) -> None:
    """Register the cog and the bank's persistent components."""
    bot.add_dynamic_items(UpvoteButton, PageButton, CandidateSelect, DraftButton)
    await bot.add_cog(MotionCog(bot))
