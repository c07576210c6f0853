"""``/config``: every server setting in one private message, changed with select menus."""

from __future__ import annotations

from bot.app import Agora
from cogs.config._cog import ConfigCog
from cogs.config._views import ConfigPageButton, ConfigSelect


async def setup(bot: Agora) -> None:
    """Register the cog and its components, which work again after a restart."""
    bot.add_dynamic_items(ConfigSelect, ConfigPageButton)
    await bot.add_cog(ConfigCog(bot))
