"""Keeps lobby and poll messages in step with the database, without flooding Discord.

A burst of clicks on one message produces a few edits, not one per click: at most one edit
per message is in flight, edits of one message are at least ``EDIT_INTERVAL`` apart, and
each edit reads the newest state, so the last one always shows the truth. Nothing here is
game state: after a restart the next change simply schedules a fresh edit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

import discord

from bot.domain.debate import DebateState
from bot.domain.votes import VotePhase, VoteState
from bot.services.debates import DebateService
from bot.services.votes import VoteService
from bot.ui.i18n import server_language
from cogs.debate._render import lobby_embed
from cogs.debate._views import lobby_view
from cogs.debate._votes import poll_text

log = logging.getLogger("agora.board")

EDIT_INTERVAL = 0.25

Edit = Callable[[], Awaitable[None]]


class Coalescer:
    """Runs the edits of each key one at a time, at most every ``EDIT_INTERVAL``, until fresh."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Task[None]] = {}
        self._stale: set[Hashable] = set()

    def refresh(self, key: Hashable, edit: Edit) -> None:
        """Make ``edit`` run soon, reading the newest state, once more after any in flight."""
        self._stale.add(key)
        if key not in self._running:
            task = asyncio.create_task(self._until_fresh(key, edit), name=f"edit-{key}")
            self._running[key] = task
            task.add_done_callback(lambda _: self._running.pop(key, None))

    async def _until_fresh(self, key: Hashable, edit: Edit) -> None:
        try:
            while key in self._stale:
                self._stale.discard(key)
                await asyncio.gather(edit(), asyncio.sleep(EDIT_INTERVAL))
        except discord.HTTPException as error:
            log.warning("Could not update %s: %s", key, error)
        except Exception:
            log.exception("Updating %s failed", key)

    async def drain(self) -> None:
        """Wait for every pending edit (used when the bot shuts down)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)


class LobbyBoard(Coalescer):
    """Coalesced edits of lobby messages."""

    def __init__(self, client: discord.Client, debates: DebateService) -> None:
        super().__init__()
        self._client = client
        self._debates = debates

    def show(self, *, guild_id: int, debate_id: int, channel_id: int, message_id: int) -> None:
        """Make the lobby message show the debate as it is in the database, soon."""
        message = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)

        async def edit() -> None:
            snapshot = await self._debates.snapshot(guild_id=guild_id, debate_id=debate_id)
            lang = await server_language(self._client, guild_id)
            in_lobby = snapshot.debate.state is DebateState.LOBBY
            view = lobby_view(debate_id, lang) if in_lobby else None
            await message.edit(embed=lobby_embed(snapshot, lang), view=view)

        self.refresh(("lobby", debate_id), edit)


class PollBoard(Coalescer):
    """Coalesced edits of poll messages: the live count of voters."""

    def __init__(self, client: discord.Client, votes: VoteService) -> None:
        super().__init__()
        self._client = client
        self._votes = votes

    def show(
        self, *, guild_id: int, debate_id: int, phase: VotePhase, thread_id: int, message_id: int
    ) -> None:
        """Make the poll message show how many voted, soon (while the poll is open), in the
        server's language."""
        message = self._client.get_partial_messageable(thread_id).get_partial_message(message_id)

        async def edit() -> None:
            poll, voters = await self._votes.poll(debate_id=debate_id, phase=phase)
            if poll is not None and poll.state is VoteState.OPEN:
                lang = await server_language(self._client, guild_id)
                text = poll_text(phase, voters, poll.closes_at, open_=True, lang=lang)
                await message.edit(content=text)

        self.refresh(("poll", debate_id, phase.value), edit)
