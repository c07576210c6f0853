"""Debate formats: list the ones a server can use, and add its own as TOML."""

from __future__ import annotations

from bot.app import Agora
from cogs.formats._cog import FormatCog


async def setup(bot: Agora) -> None:
    """Register the cog."""
    await bot.add_cog(FormatCog(bot))
