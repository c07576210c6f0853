"""Runs started debates in Discord: the thread, the phase messages, the stage and the floor.

Each phase change costs two REST calls: the new phase message is posted and the previous
one loses its buttons. A warning is one message. Everything said here was committed to the
database first; ``shown`` records which clock version the phase message shows, so a crash
between the two is repaired at the next start.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC
from typing import Any

import discord

from bot.app import Agora
from bot.domain.clock import ClockEvent, Finished, PhaseStarted, TimeWarning
from bot.domain.guilds import TurnMode
from bot.domain.turns import NotYourTurn, floor
from bot.domain.votes import Choice, VotePhase, Voter
from bot.i18n import t
from bot.services.clock import Change, Floor, Started
from bot.services.votes import Closed, Outcome
from bot.ui.access import acting, actor_of
from bot.ui.i18n import language_of, server_language
from cogs.debate._board import PollBoard
from cogs.debate._clock import (
    EXTEND_SECONDS,
    controls,
    done_text,
    mentions,
    phase_text,
    sides_embed,
    warning_text,
)
from cogs.debate._votes import poll_text, poll_view, result_message, voted_text

log = logging.getLogger("agora.conductor")

OUT_OF_TURN_MARK = "🔇"
NOTICE_SECONDS = 8.0


class Conductor:
    """Announces clock changes and keeps the floor in debate threads."""

    def __init__(self, bot: Agora) -> None:
        self.bot = bot
        self.clocks = bot.services.clocks
        self.votes = bot.services.votes
        self.polls = PollBoard(bot, self.votes)
        self._tasks: list[asyncio.Task[None]] = []

    async def begin(self) -> None:
        """Resume every running debate from the database, then serve the clocks."""
        for here in await self.clocks.recover():
            await self._repost(here)
        await self.votes.recover()
        for outcome in await self.votes.unshown_results():  # stored, then the bot stopped
            if outcome.thread_id is not None:
                try:
                    await self._reveal(outcome.thread_id, outcome)
                except discord.HTTPException as error:
                    log.warning("Could not show debate %d's result: %s", outcome.debate.id, error)
        self._tasks = [
            asyncio.create_task(self.clocks.run(self.announce), name="clock-dispatcher"),
            asyncio.create_task(self.votes.run(self.closed), name="poll-dispatcher"),
        ]

    async def end(self) -> None:
        """Stop serving clocks and polls (the state is all in the database)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.polls.drain()

    # -- starting ----------------------------------------------------------------------------

    async def stage_debate(self, started: Started, channel_id: int, lobby_id: int | None) -> int:
        """Open the debate's thread and audience thread, announce sides and the first phase."""
        here = started.change.floor
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise RuntimeError(f"channel {channel_id} is not a text channel")
        lang = await self._language(here)
        name = t("sides.thread", lang, debate_id=here.debate.id, motion=here.debate.motion)[:100]
        if lobby_id is not None:
            thread = await channel.create_thread(name=name, message=discord.Object(lobby_id))
        else:
            thread = await channel.create_thread(name=name, type=discord.ChannelType.public_thread)
        companion = await channel.create_thread(
            name=t("sides.audience_thread", lang, debate_id=here.debate.id)[:100],
            type=discord.ChannelType.public_thread,
        )
        embed = sides_embed(here, started.sides, lang)
        embed.add_field(
            name=t("sides.audience", lang),
            value=t("sides.audience_talk", lang, thread=companion.mention),
            inline=False,
        )
        await thread.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
        first = next(h for h in started.change.happenings if isinstance(h, PhaseStarted))
        message = await _post_phase(thread, here, first, lang)
        await self.clocks.shown(
            debate_id=here.debate.id,
            version=here.clock.version,
            phase_message_id=message.id,
            thread_id=thread.id,
            companion_id=companion.id,
        )
        poll = await thread.send(
            poll_text(VotePhase.PRE, 0, None, open_=True, lang=lang),
            view=poll_view(here.debate.id, VotePhase.PRE, lang),
        )
        await self.votes.shown(debate_id=here.debate.id, phase=VotePhase.PRE, message_id=poll.id)
        await self._stage(here, ())
        return thread.id

    # -- the clock ---------------------------------------------------------------------------

    async def move(
        self, interaction: discord.Interaction[Any], debate_id: int, event: ClockEvent, version: int
    ) -> None:
        """A clock button was pressed: move the clock, then show the result."""
        assert interaction.guild_id is not None
        change = await self.clocks.move(
            guild_id=interaction.guild_id,
            debate_id=debate_id,
            event=event,
            version=version,
            actor=acting(interaction),
            extra_seconds=EXTEND_SECONDS if event is ClockEvent.EXTEND else 0,
        )
        here = change.floor
        lang = await self._language(here)
        if _turns_page(change):
            await interaction.response.edit_message(
                content=done_text(here, change.previous_phase, lang), view=None
            )
            await self._next_phase(change, previous=None)
        else:
            await interaction.response.edit_message(
                content=phase_text(here, lang=lang), view=controls(here, lang)
            )
            await self.clocks.shown(debate_id=debate_id, version=here.clock.version)

    async def announce(self, change: Change) -> None:
        """Say what the dispatcher changed: a warning, or the next phase."""
        here = change.floor
        try:
            if _turns_page(change):
                await self._next_phase(change, previous=here.record.phase_message_id)
                return
            for happening in change.happenings:
                if isinstance(happening, TimeWarning) and here.record.thread_id is not None:
                    thread = self.bot.get_partial_messageable(here.record.thread_id)
                    lang = await self._language(here)
                    await thread.send(
                        warning_text(here, happening.mark, lang), allowed_mentions=mentions(here)
                    )
        except discord.HTTPException as error:
            log.warning("Could not announce in debate %d: %s", here.debate.id, error)

    async def _next_phase(self, change: Change, previous: int | None) -> None:
        """Post the new phase message and take the buttons off the old one: two calls."""
        here = change.floor
        record = here.record
        if record.thread_id is None:
            return
        thread = self.bot.get_partial_messageable(record.thread_id)
        lang = await self._language(here)
        started = next((h for h in change.happenings if isinstance(h, PhaseStarted)), None)
        post = change.post_vote
        if post is not None:
            # The speeches are over and the vote after opens: one message says both.
            poll = poll_text(VotePhase.POST, 0, post.closes_at, open_=True, lang=lang)
            message = await thread.send(
                phase_text(here, lang=lang) + "\n" + poll,
                view=poll_view(here.debate.id, VotePhase.POST, lang),
            )
            await self.votes.shown(
                debate_id=here.debate.id, phase=VotePhase.POST, message_id=message.id
            )
        else:
            message = await _post_phase(thread, here, started, lang)
        if previous is not None:
            await thread.get_partial_message(previous).edit(
                content=done_text(here, change.previous_phase, lang), view=None
            )
        await self.clocks.shown(
            debate_id=here.debate.id, version=here.clock.version, phase_message_id=message.id
        )
        await self._stage(here, self._previous_speakers(here))
        if change.pre_vote_closed:
            await self._show_closed(here.debate.id, VotePhase.PRE, record.thread_id, lang)

    def _previous_speakers(self, here: Floor) -> tuple[int, ...]:
        index = here.clock.phase_index - 1
        return floor(here.format, index, here.lineup) if index >= 0 else ()

    async def _repost(self, here: Floor) -> None:
        """After a crash between a change and its announcement: show the current phase."""
        record = here.record
        if record.thread_id is None:
            return
        thread = self.bot.get_partial_messageable(record.thread_id)
        try:
            message = await _post_phase(thread, here, None, await self._language(here))
            if record.phase_message_id is not None:
                await thread.get_partial_message(record.phase_message_id).edit(view=None)
        except discord.HTTPException as error:
            log.warning("Could not repost the phase of debate %d: %s", here.debate.id, error)
            return
        await self.clocks.shown(
            debate_id=here.debate.id, version=here.clock.version, phase_message_id=message.id
        )

    async def _stage(self, here: Floor, previous: tuple[int, ...]) -> None:
        """On a stage: invite the speakers up and send the previous ones back to the audience."""
        stage = here.record.stage_id
        if stage is None:
            return
        now = here.speakers()
        for user, suppress in [
            *((u, True) for u in previous if u not in now),
            *((u, False) for u in now),
        ]:
            try:
                await self.bot.http.edit_voice_state(
                    here.debate.guild_id, user, {"channel_id": stage, "suppress": suppress}
                )
            except discord.HTTPException as error:
                log.info("Stage move of %d in debate %d failed: %s", user, here.debate.id, error)

    # -- the audience vote ---------------------------------------------------------------------

    async def vote(
        self,
        interaction: discord.Interaction[Any],
        debate_id: int,
        phase: VotePhase,
        choice: Choice,
    ) -> None:
        """A vote button was pressed: answer once the vote is durable."""
        assert interaction.guild_id is not None
        user = interaction.user
        voice = getattr(user, "voice", None)
        joined = getattr(user, "joined_at", None) or discord.utils.utcnow()
        voter = Voter(
            user.id,
            is_debater=False,  # the service knows who debates
            role_ids=frozenset(r.id for r in getattr(user, "roles", ())),
            joined_at=joined,
            in_voice_channel_id=voice.channel.id if voice and voice.channel else None,
        )
        ballot = await self.votes.cast(
            guild_id=interaction.guild_id,
            debate_id=debate_id,
            phase=phase,
            voter=voter,
            choice=choice,
        )
        await interaction.response.send_message(
            voted_text(phase, ballot.choice, await language_of(interaction)), ephemeral=True
        )
        if interaction.message is not None and interaction.channel_id is not None:
            self.polls.show(
                guild_id=interaction.guild_id,
                debate_id=debate_id,
                phase=phase,
                thread_id=interaction.channel_id,
                message_id=interaction.message.id,
            )

    async def close_vote(
        self, interaction: discord.Interaction[Any], debate_id: int, phase: VotePhase
    ) -> None:
        """A moderator closed a poll."""
        assert interaction.guild_id is not None
        closed = await self.votes.close(
            guild_id=interaction.guild_id,
            debate_id=debate_id,
            phase=phase,
            actor=acting(interaction),
        )
        lang = await server_language(self.bot, interaction.guild_id)
        await interaction.response.edit_message(
            content=poll_text(phase, closed.voters, None, open_=False, lang=lang), view=None
        )
        if closed.outcome is not None and closed.thread_id is not None:
            await self._reveal(closed.thread_id, closed.outcome)

    async def closed(self, closed: Closed) -> None:
        """The clock closed a poll: show it closed, and the result after the last one."""
        try:
            if closed.thread_id is not None and closed.poll.message_id is not None:
                thread = self.bot.get_partial_messageable(closed.thread_id)
                lang = await self._thread_language(closed.thread_id, closed.outcome)
                await thread.get_partial_message(closed.poll.message_id).edit(
                    content=poll_text(
                        closed.poll.phase, closed.voters, None, open_=False, lang=lang
                    ),
                    view=None,
                )
            if closed.outcome is not None and closed.thread_id is not None:
                await self._reveal(closed.thread_id, closed.outcome)
        except discord.HTTPException as error:
            log.warning("Could not announce a closed vote: %s", error)

    async def _show_closed(
        self, debate_id: int, phase: VotePhase, thread_id: int, lang: str
    ) -> None:
        poll, voters = await self.votes.poll(debate_id=debate_id, phase=phase)
        if poll is None or poll.message_id is None:
            return
        thread = self.bot.get_partial_messageable(thread_id)
        await thread.get_partial_message(poll.message_id).edit(
            content=poll_text(phase, voters, None, open_=False, lang=lang), view=None
        )

    async def _reveal(self, thread_id: int, outcome: Outcome) -> None:
        lang = await server_language(self.bot, outcome.debate.guild_id)
        embed, chart = await asyncio.to_thread(result_message, outcome, lang)
        thread = self.bot.get_partial_messageable(thread_id)
        shown = await thread.send(
            embed=embed, file=chart, allowed_mentions=discord.AllowedMentions.none()
        )
        await self.votes.result_shown(debate_id=outcome.debate.id, message_id=shown.id)

    # -- languages -----------------------------------------------------------------------------

    async def _language(self, here: Floor) -> str:
        """The language of the debate's server: everyone in its threads reads these."""
        return await server_language(self.bot, here.debate.guild_id)

    async def _thread_language(self, thread_id: int, outcome: Outcome | None) -> str:
        """The language of the server a debate thread is in."""
        if outcome is not None:
            return await server_language(self.bot, outcome.debate.guild_id)
        thread = self.bot.get_channel(thread_id)
        guild = getattr(thread, "guild", None)
        return await server_language(self.bot, guild.id if guild is not None else None)

    # -- the floor in the thread ---------------------------------------------------------------

    async def heard(self, message: discord.Message) -> None:
        """A message in some channel: keep it in the transcript, or take it off the floor."""
        if message.author.bot or message.guild is None:
            return
        if not self.clocks.is_debate_thread(message.channel.id):
            return
        permissions = (
            message.channel.permissions_for(message.author)
            if isinstance(message.author, discord.Member)
            else None
        )
        actor = actor_of(message.author, permissions)
        try:
            await self.clocks.speak(
                thread_id=message.channel.id,
                message_id=message.id,
                actor=actor,
                text=message.content,
                posted_at=message.created_at.astimezone(UTC),
            )
        except NotYourTurn:
            await self._out_of_turn(message)

    async def _out_of_turn(self, message: discord.Message) -> None:
        here = await self.clocks.floor_in_thread(message.channel.id)
        if here is None:
            return
        try:
            if here.settings.turns is TurnMode.SOFT:
                await message.add_reaction(OUT_OF_TURN_MARK)
                return
            await message.delete()
            lang = await self._language(here)
            member = message.author.mention
            notice = (
                t(
                    "sides.out_of_turn_talk",
                    lang,
                    member=member,
                    thread=f"<#{here.record.companion_id}>",
                )
                if here.record.companion_id
                else t("sides.out_of_turn", lang, member=member)
            )
            await message.channel.send(
                notice,
                delete_after=NOTICE_SECONDS,
                allowed_mentions=discord.AllowedMentions(users=[message.author]),
            )
        except discord.HTTPException as error:
            log.info("Could not keep the floor in debate %d: %s", here.debate.id, error)

    async def edited(self, payload: discord.RawMessageUpdateEvent) -> None:
        """A message was edited: if it is in a transcript, keep the new text and the old."""
        if not self.clocks.is_debate_thread(payload.channel_id):
            return
        author = payload.data.get("author")
        if self.bot.user is not None and author and author.get("id") == str(self.bot.user.id):
            return  # the bot's own phase messages: never part of a transcript
        content = payload.data.get("content")
        if isinstance(content, str):
            await self.clocks.edited(message_id=payload.message_id, text=content)


async def _post_phase(
    thread: discord.abc.Messageable, here: Floor, started: PhaseStarted | None, lang: str
) -> discord.Message:
    view = controls(here, lang)
    text = phase_text(here, started, lang)
    if view is None:
        return await thread.send(text, allowed_mentions=mentions(here))
    return await thread.send(text, view=view, allowed_mentions=mentions(here))


def _turns_page(change: Change) -> bool:
    return any(isinstance(h, PhaseStarted | Finished) for h in change.happenings)
