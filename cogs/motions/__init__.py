"""The motion bank: members submit motions (or pick them from articles) and upvote them;
moderators approve or reject them; debate nights open with the top one."""

from __future__ import annotations

from bot.app import Agora
from bot.ui.errors import register
from bot.ui.errors_nights import MOTION_ERRORS
from cogs.motions._cog import MotionCog, OneSource, one_source_text
from cogs.motions._views import CandidateSelect, DraftButton, PageButton, UpvoteButton


async def setup(bot: Agora) -> None:
    """Register the cog, the bank's persistent components and its refusals' texts."""
    register({**MOTION_ERRORS, OneSource: one_source_text})
    bot.add_dynamic_items(UpvoteButton, PageButton, CandidateSelect, DraftButton)
    await bot.add_cog(MotionCog(bot))
