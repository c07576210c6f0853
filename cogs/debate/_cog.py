"""Slash commands and button handlers of a debate's lobby; the rules live in the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Agora
from bot.domain import drafts
from bot.domain.clock import ClockEvent
from bot.domain.debate import MOTION_MAX_CHARS, Preference
from bot.domain.errors import DebateClosed, NothingPasted, TooManySources
from bot.formats import DEFAULT_FORMAT
from bot.i18n import t
from bot.services.articles import Reading
from bot.ui.access import ACCESS, Access, Forms, acting
from bot.ui.errors import guard
from bot.ui.i18n import language_of, server_language, tr
from bot.ui.modals import modal_files, modal_values
from bot.ui.picker import read_upload
from cogs.debate._board import LobbyBoard
from cogs.debate._conductor import Conductor
from cogs.debate._drafts import (
    EDITED_MODAL,
    PASTE_MODAL,
    EditMotionModal,
    PasteModal,
    picker_embed,
    picker_view,
)
from cogs.debate._export import (
    ExportFormat,
    debate_here,
    display_names,
    export_file,
    export_text,
)
from cogs.debate._render import joined_text, left_text, lobby_embed, side_label, source_embed
from cogs.debate._views import COG_NAME, lobby_view

MAX_DEBATE_ID = 2**31 - 1
"""Debate numbers are 32-bit in the database: a larger one names no debate, and
PostgreSQL refuses to even look it up."""


def _place(interaction: discord.Interaction[Any]) -> tuple[int, int]:
    if interaction.guild_id is None or interaction.channel_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id, interaction.channel_id


@app_commands.guild_only()
class DebateCog(commands.GroupCog, name=COG_NAME, group_name="debate"):
    """Create a debate, fill its lobby, look at it, cancel it."""

    forms: ClassVar[Forms] = {PASTE_MODAL: Access.MEMBER, EDITED_MODAL: Access.PERSONAL}

    def __init__(self, bot: Agora) -> None:
        self.bot = bot
        self.debates = bot.services.debates
        self.articles = bot.services.articles
        self.board = LobbyBoard(bot, self.debates)
        self.conductor = Conductor(bot)
        super().__init__()

    async def cog_load(self) -> None:
        """Resume the running debates and serve their clocks."""
        await self.conductor.begin()

    async def cog_unload(self) -> None:
        """Stop the clocks' dispatcher and finish pending lobby edits before going away."""
        await self.conductor.end()
        await self.board.drain()

    @app_commands.command(
        name="new",
        description="Open a debate on a motion, or from an article.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.describe(
        motion="The statement to debate, e.g. 'This House would ban homework'.",
        article="A link to an article: I propose motions from it.",
        file="An article as a file (.html, .txt, .md or .pdf): I propose motions from it.",
        format="How the debate runs (default: the server's, set in /config).",
    )
    async def new(
        self,
        interaction: discord.Interaction[Agora],
        motion: app_commands.Range[str, 1, MOTION_MAX_CHARS] | None = None,
        article: app_commands.Range[str, 1, 2000] | None = None,
        file: discord.Attachment | None = None,
        format: str | None = None,
    ) -> None:
        """A motion opens the lobby; an article or file proposes motions; nothing opens a form."""
        guild_id, channel_id = _place(interaction)
        given = [n for n, v in (("motion", motion), ("article", article), ("file", file)) if v]
        if len(given) > 1:
            raise TooManySources(tuple(given))
        if format is None:
            format = (await self.bot.services.guilds.get(guild_id)).default_format
        fmt = await self.debates.formats.get(guild_id, format or DEFAULT_FORMAT)
        if motion is not None:
            await self._open_lobby(interaction, guild_id, channel_id, motion, fmt.key)
        elif article is None and file is None:
            lang = await language_of(interaction)
            await interaction.response.send_modal(PasteModal(fmt.key, lang))
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
            if file is not None:
                reading = await read_upload(
                    self.bot.http,
                    self.articles,
                    file.url,
                    file.filename,
                    file.size,
                    file.content_type,
                )
            else:
                assert article is not None
                reading = await self.articles.read_url(article)
            await self._propose(interaction, guild_id, channel_id, fmt.key, reading)

    async def _open_lobby(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        channel_id: int,
        motion: str,
        format_key: str,
    ) -> None:
        snapshot = await self.debates.create(
            guild_id=guild_id,
            channel_id=channel_id,
            creator_id=interaction.user.id,
            motion=motion,
            format_key=format_key,
        )
        lang = await server_language(interaction.client, guild_id)
        sent = await interaction.response.send_message(
            embed=lobby_embed(snapshot, lang), view=lobby_view(snapshot.debate.id, lang)
        )
        if sent.message_id is not None:
            await self.debates.attach_lobby_message(
                guild_id=guild_id, debate_id=snapshot.debate.id, message_id=sent.message_id
            )

    async def _propose(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        channel_id: int,
        format_key: str,
        reading: Reading,
    ) -> None:
        draft, stored = await self.articles.propose(
            guild_id=guild_id,
            channel_id=channel_id,
            moderator_id=interaction.user.id,
            format_key=format_key,
            reading=reading,
        )
        lang = await language_of(interaction)
        await interaction.edit_original_response(
            embed=picker_embed(draft, stored, lang), view=picker_view(draft, lang)
        )

    @new.autocomplete("format")
    async def _format_choices(
        self, interaction: discord.Interaction[Agora], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        formats = await self.debates.formats.available(interaction.guild_id or 0)
        return [
            app_commands.Choice(name=f"{fmt.name}: {fmt.description}"[:100], value=fmt.key)
            for fmt in formats
            if typed in fmt.key or typed in fmt.name.lower()
        ][:25]

    @app_commands.command(
        name="status",
        description="Show the debate in this channel.",
        extras={ACCESS: Access.MEMBER},
    )
    async def status(self, interaction: discord.Interaction[Agora]) -> None:
        """Show the channel's debate to the member who asked."""
        _, channel_id = _place(interaction)
        snapshot = await self.debates.in_channel(channel_id=channel_id)
        lang = await language_of(interaction)
        await interaction.response.send_message(embed=lobby_embed(snapshot, lang), ephemeral=True)

    @app_commands.command(
        name="source",
        description="Show the article behind this debate.",
        extras={ACCESS: Access.MEMBER},
    )
    async def source(self, interaction: discord.Interaction[Agora]) -> None:
        """The article's title, link and three key sentences, to the member who asked."""
        _, channel_id = _place(interaction)
        view = await self.articles.source(channel_id=channel_id)
        lang = await language_of(interaction)
        await interaction.response.send_message(embed=source_embed(view, lang), ephemeral=True)

    @app_commands.command(
        name="export",
        description="Download a debate's record as a file.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.describe(
        debate="The debate's number (default: this channel's latest debate).",
        format="Markdown to read, or JSON for programs (default: Markdown).",
    )
    async def export(
        self,
        interaction: discord.Interaction[Agora],
        debate: app_commands.Range[int, 1, MAX_DEBATE_ID] | None = None,
        format: ExportFormat = "markdown",
    ) -> None:
        """The record of a started debate (transcript, votes in aggregate), privately."""
        guild_id, channel_id = _place(interaction)
        debate_id = debate if debate is not None else await debate_here(self.debates, channel_id)
        export = await self.bot.services.exports.export(guild_id=guild_id, debate_id=debate_id)
        names = display_names(interaction.guild, interaction.user, export)
        await interaction.response.send_message(
            export_text(export, await language_of(interaction)),
            file=export_file(export, format, names),
            ephemeral=True,
        )

    @app_commands.command(
        name="start",
        description="Start the debate in this channel.",
        extras={ACCESS: Access.DEBATE_MODERATOR},
    )
    @app_commands.describe(
        devils_advocate="Put members on the side they did not choose (default: the format's).",
        stage="A stage channel: I invite each speaker up in turn.",
    )
    async def start(
        self,
        interaction: discord.Interaction[Agora],
        devils_advocate: bool = False,
        stage: discord.StageChannel | None = None,
    ) -> None:
        """Draw sides and start the clock of the channel's debate (moderators only)."""
        _, channel_id = _place(interaction)
        snapshot = await self.debates.in_channel(channel_id=channel_id)
        await self._start(interaction, snapshot.debate.id, devils_advocate, stage)

    async def start_pressed(self, interaction: discord.Interaction[Any], debate_id: int) -> None:
        """The lobby's Start button was pressed."""
        await self._start(interaction, debate_id, False, None)

    async def _start(
        self,
        interaction: discord.Interaction[Any],
        debate_id: int,
        devils_advocate: bool,
        stage: discord.StageChannel | None,
    ) -> None:
        guild_id, _ = _place(interaction)
        started = await self.bot.services.clocks.start(
            guild_id=guild_id,
            debate_id=debate_id,
            actor=acting(interaction),
            devils_advocate=devils_advocate,
            stage_id=stage.id if stage else None,
        )
        await interaction.response.defer(thinking=True)
        debate = started.change.floor.debate
        try:
            thread_id = await self.conductor.stage_debate(
                started, debate.channel_id, debate.lobby_message_id
            )
        except discord.Forbidden:
            # A debate nobody can follow would only run its clock into the void: end it.
            await self.bot.services.clocks.move(
                guild_id=guild_id,
                debate_id=debate.id,
                event=ClockEvent.END,
                version=started.change.floor.clock.version,
                actor=acting(interaction),
            )
            await interaction.followup.send(
                await tr(interaction, "debate.cannot_thread"), ephemeral=True
            )
            return
        lang = await server_language(interaction.client, guild_id)
        await interaction.followup.send(
            t("debate.started", lang, debate_id=debate.id, thread=f"<#{thread_id}>"),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        if debate.lobby_message_id is not None:
            self.board.show(
                guild_id=guild_id,
                debate_id=debate.id,
                channel_id=debate.channel_id,
                message_id=debate.lobby_message_id,
            )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Keep the floor and the transcript of debate threads."""
        await self.conductor.heard(message)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Keep edits of transcript messages."""
        await self.conductor.edited(payload)

    @app_commands.command(
        name="judge",
        description="Name a judge of this channel's debate.",
        extras={ACCESS: Access.DEBATE_MODERATOR},
    )
    @app_commands.describe(member="The member who will score both sides after the speeches.")
    async def judge(self, interaction: discord.Interaction[Agora], member: discord.Member) -> None:
        """Name a judge (moderators); judges decide formats whose vote rule is 'judges'."""
        guild_id, channel_id = _place(interaction)
        debate = await self.debates.around(channel_id=channel_id)
        new = await self.bot.services.votes.name_judge(
            guild_id=guild_id, debate_id=debate.id, actor=acting(interaction), judge_id=member.id
        )
        lang = await server_language(interaction.client, guild_id)
        text = (
            t("debate.judge_named", lang, judge=member.mention, debate_id=debate.id)
            if new
            else t("debate.judge_already", lang, judge=member.mention, debate_id=debate.id)
        )
        await interaction.response.send_message(
            text, allowed_mentions=discord.AllowedMentions(users=[member])
        )

    @app_commands.command(
        name="ballot", description="As a judge, score both sides.", extras={ACCESS: Access.PERSONAL}
    )
    @app_commands.describe(
        for_points="Points for the side For (0-100).",
        against_points="Points for the side Against (0-100).",
    )
    async def ballot(
        self,
        interaction: discord.Interaction[Agora],
        for_points: app_commands.Range[int, 0, 100],
        against_points: app_commands.Range[int, 0, 100],
    ) -> None:
        """A named judge's ballot, kept private until the result."""
        guild_id, channel_id = _place(interaction)
        debate = await self.debates.around(channel_id=channel_id)
        ballot = await self.bot.services.votes.score(
            guild_id=guild_id,
            debate_id=debate.id,
            judge_id=interaction.user.id,
            for_points=for_points,
            against_points=against_points,
        )
        lang = await language_of(interaction)
        winner = (
            side_label(Preference(ballot.winner.value), lang)
            if ballot.winner
            else t("debate.ballot_tie", lang)
        )
        await interaction.response.send_message(
            t(
                "debate.ballot_cast",
                lang,
                debate_id=debate.id,
                for_points=for_points,
                against_points=against_points,
                winner=winner,
            ),
            ephemeral=True,
        )

    @app_commands.command(
        name="rated",
        description="Choose whether this debate changes ratings.",
        extras={ACCESS: Access.DEBATE_MODERATOR},
    )
    @app_commands.describe(
        value="Rated debates change ratings; set false before the start to keep this one out."
    )
    async def rated(self, interaction: discord.Interaction[Agora], value: bool) -> None:
        """Mark the channel's debate rated or unrated (moderators, in its lobby)."""
        guild_id, channel_id = _place(interaction)
        debate = await self.debates.around(channel_id=channel_id)
        await self.bot.services.ratings.set_rated(
            guild_id=guild_id, debate_id=debate.id, actor=acting(interaction), rated=value
        )
        lang = await server_language(interaction.client, guild_id)
        await interaction.response.send_message(
            t("debate.now_rated", lang, debate_id=debate.id)
            if value
            else t("debate.now_unrated", lang, debate_id=debate.id)
        )

    @app_commands.command(
        name="cancel",
        description="Cancel the debate in this channel.",
        extras={ACCESS: Access.DEBATE_MODERATOR},
    )
    async def cancel(self, interaction: discord.Interaction[Agora]) -> None:
        """Close the channel's debate (moderators only) and freeze its lobby."""
        guild_id, channel_id = _place(interaction)
        snapshot = await self.debates.cancel(channel_id=channel_id, actor=acting(interaction))
        debate = snapshot.debate
        await interaction.response.send_message(
            t(
                "debate.cancelled",
                await server_language(interaction.client, guild_id),
                debate_id=debate.id,
                by=interaction.user.mention,
            )
        )
        if debate.lobby_message_id is not None:
            self.board.show(
                guild_id=guild_id,
                debate_id=debate.id,
                channel_id=channel_id,
                message_id=debate.lobby_message_id,
            )

    async def join(
        self, interaction: discord.Interaction[Any], debate_id: int, preference: Preference
    ) -> None:
        """A Join button was pressed."""
        guild_id, channel_id = _place(interaction)
        with self._healing(interaction, guild_id, debate_id, channel_id):
            _, result = await self.debates.join(
                guild_id=guild_id,
                debate_id=debate_id,
                user_id=interaction.user.id,
                preference=preference,
            )
        await interaction.response.send_message(
            joined_text(debate_id, result, preference, await language_of(interaction)),
            ephemeral=True,
        )
        self._refresh(interaction, guild_id, debate_id, channel_id)

    async def leave(self, interaction: discord.Interaction[Any], debate_id: int) -> None:
        """The Leave button was pressed."""
        guild_id, channel_id = _place(interaction)
        with self._healing(interaction, guild_id, debate_id, channel_id):
            _, removed = await self.debates.leave(
                guild_id=guild_id, debate_id=debate_id, user_id=interaction.user.id
            )
        await interaction.response.send_message(
            left_text(debate_id, removed, await language_of(interaction)), ephemeral=True
        )
        self._refresh(interaction, guild_id, debate_id, channel_id)

    @contextmanager
    def _healing(
        self, interaction: discord.Interaction[Any], guild_id: int, debate_id: int, channel_id: int
    ) -> Iterator[None]:
        """A click on the buttons of a closed debate also brings its stale lobby up to date."""
        try:
            yield
        except DebateClosed:
            self._refresh(interaction, guild_id, debate_id, channel_id)
            raise

    def _refresh(
        self, interaction: discord.Interaction[Any], guild_id: int, debate_id: int, channel_id: int
    ) -> None:
        if interaction.message is not None:
            self.board.show(
                guild_id=guild_id,
                debate_id=debate_id,
                channel_id=channel_id,
                message_id=interaction.message.id,
            )

    async def choose(
        self, interaction: discord.Interaction[Any], draft_id: int, index: int
    ) -> None:
        """A candidate was selected in the picker."""
        guild_id, _ = _place(interaction)
        draft, stored = await self.articles.choose(
            guild_id=guild_id, draft_id=draft_id, user_id=interaction.user.id, index=index
        )
        lang = await language_of(interaction)
        await interaction.response.edit_message(
            embed=picker_embed(draft, stored, lang), view=picker_view(draft, lang)
        )

    async def draft_action(
        self, interaction: discord.Interaction[Any], draft_id: int, action: str
    ) -> None:
        """Use this, Edit or Cancel was pressed in the picker."""
        guild_id, _ = _place(interaction)
        if action == "use":
            await self._open_from_draft(interaction, guild_id, draft_id, None)
        elif action == "edit":
            draft, _ = await self.articles.draft(guild_id=guild_id, draft_id=draft_id)
            drafts.require_open(draft, interaction.user.id)
            lang = await language_of(interaction)
            await interaction.response.send_modal(EditMotionModal(draft_id, draft.motion, lang))
        else:
            await self.articles.cancel(
                guild_id=guild_id, draft_id=draft_id, user_id=interaction.user.id
            )
            await interaction.response.edit_message(
                content=await tr(interaction, "debate.draft_cancelled"), embed=None, view=None
            )

    async def _open_from_draft(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        draft_id: int,
        motion: str | None,
    ) -> None:
        snapshot = await self.debates.open_from_draft(
            guild_id=guild_id, draft_id=draft_id, user_id=interaction.user.id, motion=motion
        )
        debate = snapshot.debate
        await interaction.response.edit_message(
            content=await tr(interaction, "debate.opened_from_draft", debate_id=debate.id),
            embed=None,
            view=None,
        )
        channel = self.bot.get_partial_messageable(debate.channel_id, guild_id=guild_id)
        try:
            lang = await server_language(interaction.client, guild_id)
            lobby = await channel.send(
                embed=lobby_embed(snapshot, lang), view=lobby_view(debate.id, lang)
            )
        except discord.Forbidden:
            # A debate nobody can join would only block the channel: take it back.
            await self.debates.cancel(channel_id=debate.channel_id, actor=acting(interaction))
            await interaction.followup.send(
                await tr(interaction, "debate.cannot_post"), ephemeral=True
            )
            return
        await self.debates.attach_lobby_message(
            guild_id=guild_id, debate_id=debate.id, message_id=lobby.id
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Modal submissions, handled from their custom id so a restart loses none."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str(interaction.data.get("custom_id", "")) if interaction.data else ""
        if (match := PASTE_MODAL.fullmatch(custom_id)) is not None:
            await guard(interaction, self._pasted(interaction, match["format"]))
        elif (match := EDITED_MODAL.fullmatch(custom_id)) is not None:
            await guard(interaction, self._edited(interaction, int(match["draft"])))

    async def _pasted(self, interaction: discord.Interaction[Any], format_key: str) -> None:
        guild_id, channel_id = _place(interaction)
        fmt = await self.debates.formats.get(guild_id, format_key)
        text = modal_values(interaction.data).get("text", "").strip()
        files = modal_files(interaction.data)
        if bool(text) == bool(files):
            raise NothingPasted("both" if text else "neither")
        await interaction.response.defer(ephemeral=True, thinking=True)
        if files:
            file = files[0]
            reading = await read_upload(
                self.bot.http,
                self.articles,
                file["url"],
                str(file["filename"]),
                int(file["size"]),
                file.get("content_type"),
            )
        else:
            reading = await self.articles.read_text(text)
        await self._propose(interaction, guild_id, channel_id, fmt.key, reading)

    async def _edited(self, interaction: discord.Interaction[Any], draft_id: int) -> None:
        guild_id, _ = _place(interaction)
        motion = modal_values(interaction.data).get("motion", "")
        await self._open_from_draft(interaction, guild_id, draft_id, motion)
