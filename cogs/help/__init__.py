"""``/help``, read from the command tree itself, and the welcome posted on joining a server."""

from __future__ import annotations

from bot.app import Agora
from cogs.help._cog import HelpCog


async def setup(bot: Agora) -> None:
    """Register the cog."""
    await bot.add_cog(HelpCog(bot))
