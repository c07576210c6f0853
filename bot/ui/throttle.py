"""Button spam: a member clicking faster than Agora can keep up is asked to wait.

Every click of a button or select reaches the bot as an ``INTERACTION_CREATE`` of type 3,
which discord.py parses and hands to a view or a dynamic item at once. The limit sits in
front of that parser, so it holds for every component, present and future, in one place:
a click over the member's limit is answered with a short private note and goes no further.
Commands and modal submissions are not limited.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import discord

from bot.domain.throttle import ClickLimiter
from bot.i18n import ENGLISH, t
from bot.ui.errors import reply_ephemeral
from bot.ui.i18n import language_of

log = logging.getLogger("agora.throttle")

SLOW_DOWN = t("throttle.slow_down", ENGLISH)
"""The note in English (a member is answered in their own language)."""
MESSAGE_COMPONENT = 3


def clicker_id(data: Any) -> int:
    """The id of the user behind an interaction payload (0 when it names none)."""
    user = (data.get("member") or {}).get("user") or data.get("user") or {}
    raw = user.get("id", 0)
    return int(raw) if str(raw).isdigit() else 0


async def slow_down(interaction: discord.Interaction[Any]) -> None:
    """Ask the member to click more slowly, in their language."""
    lang = await language_of(interaction)
    await reply_ephemeral(interaction, t("throttle.slow_down", lang))


def throttle_clicks(
    client: discord.Client,
    limiter: ClickLimiter,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Put ``limiter`` in front of every component click ``client`` receives."""
    state = client._connection
    parse = state.parsers["INTERACTION_CREATE"]
    answering: set[asyncio.Task[None]] = set()

    def parse_interaction(data: Any) -> None:
        if data.get("type") == MESSAGE_COMPONENT:
            user_id = clicker_id(data)
            if not limiter.allow(user_id, clock()):
                log.debug("Click %s by %s refused: over the click limit", data.get("id"), user_id)
                interaction: discord.Interaction[Any] = discord.Interaction(data=data, state=state)
                task = asyncio.get_running_loop().create_task(slow_down(interaction))
                answering.add(task)
                task.add_done_callback(answering.discard)
                return
        parse(data)

    state.parsers["INTERACTION_CREATE"] = parse_interaction
