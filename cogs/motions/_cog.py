"""Slash commands and components of the motion bank; the rules live in ``MotionService``."""

from __future__ import annotations

from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Agora
from bot.domain import drafts
from bot.domain.debate import MOTION_MAX_CHARS
from bot.domain.errors import DomainError
from bot.i18n import ENGLISH, t
from bot.services.articles import Reading
from bot.services.motions import BANK_DRAFT, BankDraftNotFound, Submitted
from bot.ui.access import ACCESS, Access, Forms, acting, guild_id_of
from bot.ui.errors import guard
from bot.ui.i18n import language_of, server_language, tr
from bot.ui.modals import modal_values
from bot.ui.picker import read_upload
from cogs.motions._render import (
    approved_text,
    bank_embed,
    picker_embed,
    rejected_text,
    submitted_text,
    upvoted_text,
)
from cogs.motions._views import (
    COG_NAME,
    EDITED_FORM,
    EditMotionForm,
    bank_view,
    picker_view,
    upvote_view,
)

PASTE_MAX_CHARS = 6000  # Discord's limit for a string option
MAX_MOTION_ID = 2**31 - 1


class OneSource(DomainError):
    """``/motion submit`` takes exactly one source."""

    def __init__(self, given: tuple[str, ...]) -> None:
        super().__init__("sources: " + ", ".join(given))
        self.given = given

    def explain(self) -> str:
        """The sentence a member sees."""
        return one_source_text(self, ENGLISH)


def one_source_text(error: OneSource, lang: str) -> str:
    """Why ``/motion submit`` was refused, in ``lang``: no source, or more than one."""
    if not error.given:
        sources = (
            t("bank.error.source_motion", lang),
            t("bank.error.source_url", lang),
            t("bank.error.source_file", lang),
            t("bank.error.source_text", lang),
        )
        return t("bank.error.no_source", lang, sources=", ".join(sources))
    given = t("error.joiner_and", lang).join(f"`{g}`" for g in error.given)
    return t("bank.error.many_sources", lang, given=given)


def _with_view(view: discord.ui.View | None) -> dict[str, Any]:
    return {"view": view} if view is not None else {}


def _similar_buttons(submitted: Submitted) -> discord.ui.View | None:
    return upvote_view([m.motion_id for m in submitted.similar])


@app_commands.guild_only()
class MotionCog(commands.GroupCog, name=COG_NAME, group_name="motion"):
    """Submit motions, upvote them, and (moderators) approve or reject them."""

    forms: ClassVar[Forms] = {EDITED_FORM: Access.PERSONAL}

    def __init__(self, bot: Agora) -> None:
        self.bot = bot
        self.motions = bot.services.motions
        self.articles = bot.services.articles
        super().__init__()

    @app_commands.command(
        name="submit",
        description="Put a motion in the bank, or pick one from an article.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.describe(
        motion="The motion itself, e.g. 'This House would ban homework'.",
        url="A link to an article: I propose motions from it.",
        file="An article as a file (.html, .txt, .md or .pdf): I propose motions from it.",
        text="An article's text, pasted: I propose motions from it.",
    )
    async def submit(
        self,
        interaction: discord.Interaction[Agora],
        motion: app_commands.Range[str, 1, MOTION_MAX_CHARS] | None = None,
        url: app_commands.Range[str, 1, 2000] | None = None,
        file: discord.Attachment | None = None,
        text: app_commands.Range[str, 1, PASTE_MAX_CHARS] | None = None,
    ) -> None:
        """A motion goes to the bank; an article gets the member candidates to choose from."""
        guild_id = guild_id_of(interaction)
        sources = (("motion", motion), ("url", url), ("file", file), ("text", text))
        given = tuple(name for name, value in sources if value)
        if len(given) != 1:
            raise OneSource(given)
        if motion is not None:
            submitted = await self.motions.submit(
                guild_id=guild_id, author_id=interaction.user.id, text=motion
            )
            await interaction.response.send_message(
                submitted_text(submitted, await language_of(interaction)),
                ephemeral=True,
                **_with_view(_similar_buttons(submitted)),
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reading = await self._read(url, file, text)
        lang = await language_of(interaction)
        assert interaction.channel_id is not None
        draft, stored = await self.motions.propose(
            guild_id=guild_id,
            channel_id=interaction.channel_id,
            author_id=interaction.user.id,
            reading=reading,
        )
        await interaction.edit_original_response(
            embed=picker_embed(draft, stored, lang), view=picker_view(draft, lang)
        )

    async def _read(
        self, url: str | None, file: discord.Attachment | None, text: str | None
    ) -> Reading:
        """The article behind a link, an upload (refused unread over the cap) or a paste."""
        if file is not None:
            return await read_upload(
                self.bot.http, self.articles, file.url, file.filename, file.size, file.content_type
            )
        if url is not None:
            return await self.articles.read_url(url)
        assert text is not None
        return await self.articles.read_text(text)

    @app_commands.command(
        name="list",
        description="Show the motion bank, most upvoted first.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.describe(page="Which page of the bank (default: the first).")
    async def list_bank(
        self,
        interaction: discord.Interaction[Agora],
        page: app_commands.Range[int, 1, 100_000] | None = None,
    ) -> None:
        """A page of the bank with upvote buttons, to the member who asked."""
        shown = await self.motions.list(guild_id=guild_id_of(interaction), page=page or 1)
        lang = await language_of(interaction)
        await interaction.response.send_message(
            embed=bank_embed(shown, lang), ephemeral=True, **_with_view(bank_view(shown, lang))
        )

    @app_commands.command(
        name="approve",
        description="Approve a motion into the bank (moderators).",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    @app_commands.describe(id="The motion's number, as `/motion list` shows it.")
    async def approve(
        self,
        interaction: discord.Interaction[Agora],
        id: app_commands.Range[int, 1, MAX_MOTION_ID],
    ) -> None:
        """Approve a motion and announce it in the channel with its upvote button."""
        guild_id = guild_id_of(interaction)
        motion = await self.motions.approve(
            guild_id=guild_id, motion_id=id, actor=acting(interaction)
        )
        lang = await server_language(interaction.client, guild_id)
        await interaction.response.send_message(
            approved_text(motion, lang), **_with_view(upvote_view([motion.id]))
        )

    @app_commands.command(
        name="reject",
        description="Reject a motion (moderators).",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    @app_commands.describe(
        id="The motion's number, as `/motion list` shows it.",
        reason="Why, in a sentence; kept with the motion.",
    )
    async def reject(
        self,
        interaction: discord.Interaction[Agora],
        id: app_commands.Range[int, 1, MAX_MOTION_ID],
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        """Reject a motion; the moderator alone is told."""
        why = " ".join(reason.split()) if reason else None
        motion = await self.motions.reject(
            guild_id=guild_id_of(interaction),
            motion_id=id,
            actor=acting(interaction),
            reason=why or None,
        )
        await interaction.response.send_message(
            rejected_text(motion, why, await language_of(interaction)), ephemeral=True
        )

    # -- components ---------------------------------------------------------------------------

    async def upvote(self, interaction: discord.Interaction[Any], motion_id: int) -> None:
        """▲ was pressed: upvote, or take the upvote back; the member is told once it is stored."""
        upvoted = await self.motions.upvote(
            guild_id=guild_id_of(interaction), motion_id=motion_id, user_id=interaction.user.id
        )
        await interaction.response.send_message(
            upvoted_text(upvoted, await language_of(interaction)), ephemeral=True
        )

    async def show_page(self, interaction: discord.Interaction[Any], page: int) -> None:
        """A page button was pressed: show that page in place."""
        shown = await self.motions.list(guild_id=guild_id_of(interaction), page=page)
        lang = await language_of(interaction)
        await interaction.response.edit_message(
            embed=bank_embed(shown, lang), view=bank_view(shown, lang)
        )

    async def choose(
        self, interaction: discord.Interaction[Any], draft_id: int, index: int
    ) -> None:
        """A candidate was selected in the picker."""
        draft, stored = await self.articles.choose(
            guild_id=guild_id_of(interaction),
            draft_id=draft_id,
            user_id=interaction.user.id,
            index=index,
        )
        lang = await language_of(interaction)
        await interaction.response.edit_message(
            embed=picker_embed(draft, stored, lang), view=picker_view(draft, lang)
        )

    async def draft_action(
        self, interaction: discord.Interaction[Any], draft_id: int, action: str
    ) -> None:
        """Submit this, Edit or Cancel was pressed in the picker."""
        guild_id = guild_id_of(interaction)
        if action == "use":
            await self._submit_draft(interaction, draft_id, None)
        elif action == "edit":
            draft, _ = await self.articles.draft(guild_id=guild_id, draft_id=draft_id)
            if draft.format_key != BANK_DRAFT:
                raise BankDraftNotFound(draft_id)
            drafts.require_open(draft, interaction.user.id)
            form = EditMotionForm(draft_id, draft.motion, await language_of(interaction))
            await interaction.response.send_modal(form)
        else:
            await self.articles.cancel(
                guild_id=guild_id, draft_id=draft_id, user_id=interaction.user.id
            )
            await interaction.response.edit_message(
                content=await tr(interaction, "bank.draft_cancelled"), embed=None, view=None
            )

    async def _submit_draft(
        self, interaction: discord.Interaction[Any], draft_id: int, text: str | None
    ) -> None:
        submitted = await self.motions.submit_draft(
            guild_id=guild_id_of(interaction),
            draft_id=draft_id,
            author_id=interaction.user.id,
            text=text,
        )
        await interaction.response.edit_message(
            content=submitted_text(submitted, await language_of(interaction)),
            embed=None,
            view=_similar_buttons(submitted),
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """The edit form's submission, handled from its custom id so a restart loses none."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str(interaction.data.get("custom_id", "")) if interaction.data else ""
        if (match := EDITED_FORM.fullmatch(custom_id)) is not None:
            text = modal_values(interaction.data).get("motion", "")
            await guard(interaction, self._submit_draft(interaction, int(match["draft"]), text))
