"""Debates: open one (from a motion or an article), fill its lobby, start it and run its
clock, keep the floor in its thread, cancel it."""

from __future__ import annotations

from bot.app import Agora
from cogs.debate._clock import ClockButton
from cogs.debate._cog import DebateCog
from cogs.debate._drafts import CandidateSelect, DraftButton
from cogs.debate._views import JoinButton, LeaveButton, StartButton
from cogs.debate._votes import CloseVoteButton, VoteButton


async def setup(bot: Agora) -> None:
    """Register the cog and the lobby's persistent buttons."""
    bot.add_dynamic_items(
        JoinButton,
        LeaveButton,
        StartButton,
        CandidateSelect,
        DraftButton,
        ClockButton,
        VoteButton,
        CloseVoteButton,
    )
    await bot.add_cog(DebateCog(bot))
