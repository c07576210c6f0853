"""Server settings: who moderates every debate, and how speaking turns are kept."""

from __future__ import annotations

from bot.app import Agora
from cogs.server._cog import SettingsCog


async def setup(bot: Agora) -> None:
    """Register the cog."""
    await bot.add_cog(SettingsCog(bot))
