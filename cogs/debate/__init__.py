"""Debates: open one (from a motion or an article), fill its lobby, look at it, cancel it."""

from __future__ import annotations

from bot.app import Agora
from cogs.debate._cog import DebateCog
from cogs.debate._drafts import CandidateSelect, DraftButton
from cogs.debate._views import JoinButton, LeaveButton


async def setup(bot: Agora) -> None:
    """Register the cog and the lobby's persistent buttons."""
    bot.add_dynamic_items(JoinButton, LeaveButton, CandidateSelect, DraftButton)
    await bot.add_cog(DebateCog(bot))
