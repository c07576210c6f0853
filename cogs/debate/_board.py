"""Keeps each lobby message in step with the database, without flooding Discord.

A burst of clicks on one lobby produces a few edits, not one per click: at most one edit
per lobby is in flight, edits of one lobby are at least ``EDIT_INTERVAL`` apart, and each
edit reads the newest state, so the last one always shows the truth. Nothing here is game
state: after a restart the next change simply schedules a fresh edit.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.domain.debate import DebateState
from bot.services.debates import DebateService
from cogs.debate._render import lobby_embed
from cogs.debate._views import lobby_view

log = logging.getLogger("agora.lobby")

EDIT_INTERVAL = 0.25


class LobbyBoard:
    """Coalesced edits of lobby messages."""

    def __init__(self, client: discord.Client, debates: DebateService) -> None:
        self._client = client
        self._debates = debates
        self._running: dict[int, asyncio.Task[None]] = {}
        self._stale: set[int] = set()

    def refresh(self, *, guild_id: int, debate_id: int, channel_id: int, message_id: int) -> None:
        """Make the lobby message show the debate as it is in the database, soon."""
        self._stale.add(debate_id)
        if debate_id not in self._running:
            task = asyncio.create_task(
                self._edit_until_fresh(guild_id, debate_id, channel_id, message_id),
                name=f"lobby-refresh-{debate_id}",
            )
            self._running[debate_id] = task
            task.add_done_callback(lambda _: self._running.pop(debate_id, None))

    async def _edit_until_fresh(
        self, guild_id: int, debate_id: int, channel_id: int, message_id: int
    ) -> None:
        message = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            while debate_id in self._stale:
                self._stale.discard(debate_id)
                snapshot = await self._debates.snapshot(guild_id=guild_id, debate_id=debate_id)
                view = lobby_view(debate_id) if snapshot.debate.state is DebateState.LOBBY else None
                await asyncio.gather(
                    message.edit(embed=lobby_embed(snapshot), view=view),
                    asyncio.sleep(EDIT_INTERVAL),
                )
        except discord.HTTPException as error:
            log.warning("Could not update the lobby of debate %s: %s", debate_id, error)
        except Exception:
            log.exception("Lobby refresh of debate %s failed", debate_id)

    async def drain(self) -> None:
        """Wait for every pending edit (used when the bot shuts down)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
