"""Debate formats: list the ones a server can use, and add its own as TOML."""

from __future__ import annotations

from bot.app import Agora
from bot.ui.errors import register
from cogs.formats._cog import FormatCog
from cogs.formats._upload import UploadProblem, upload_problem_text


async def setup(bot: Agora) -> None:
    """Register the cog and the translation of its refusal."""
    register({UploadProblem: upload_problem_text})
    await bot.add_cog(FormatCog(bot))
