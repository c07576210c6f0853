"""The moderator's motion picker (candidates from an article, a select, Use / Edit / Cancel)
and the form to paste an article.

The picker itself is ``bot.ui.picker``'s; its items carry the draft's id in their
``custom_id`` and the draft is in the database, so a restart loses nothing. Modals are only
built here; their submissions are handled by the cog from their ``custom_id`` alone.
"""

from __future__ import annotations

import re

import discord

from bot.domain.drafts import Draft, StoredArticle
from bot.i18n import ENGLISH, t
from bot.ui.picker import FORM_TIMEOUT, Picker
from cogs.debate._views import debate_cog

PASTE_MAX_CHARS = 4000  # Discord's limit for one text input


PICKER = Picker(
    prefix="agora:draft", use_label=lambda lang: t("draft.use", lang), actions=debate_cog
)
# The names the cog and ``setup()`` import.
CandidateSelect = PICKER.select
DraftButton = PICKER.button
picker_view = PICKER.view
EditMotionModal = PICKER.edit_form
EDITED_MODAL = PICKER.edited


def picker_embed(draft: Draft, stored: StoredArticle, lang: str = ENGLISH) -> discord.Embed:
    """The article and its candidate motions, the chosen one marked, in ``lang``."""
    footer = t("draft.footer", lang, draft_id=draft.id, format=draft.format_key)
    return PICKER.embed(draft, stored, footer=footer, lang=lang)


class PasteModal(discord.ui.Modal):
    """Paste an article's text, or upload it as a file."""

    def __init__(self, format_key: str, lang: str = ENGLISH) -> None:
        super().__init__(
            title=t("draft.paste_title", lang),
            custom_id=f"agora:paste:{format_key}",
            timeout=FORM_TIMEOUT,
        )
        self.add_item(
            discord.ui.Label(
                text=t("draft.paste_label", lang),
                component=discord.ui.TextInput(
                    custom_id="text",
                    style=discord.TextStyle.paragraph,
                    required=False,
                    max_length=PASTE_MAX_CHARS,
                    placeholder=t("draft.paste_placeholder", lang),
                ),
            )
        )
        self.add_item(
            discord.ui.Label(
                text=t("draft.upload_label", lang),
                component=discord.ui.FileUpload(
                    custom_id="file", required=False, min_values=0, max_values=1
                ),
            )
        )


PASTE_MODAL = re.compile(r"agora:paste:(?P<format>[a-z0-9-]{1,40})")
