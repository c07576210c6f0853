"""The moderator's motion picker: candidates from an article, a select, Use / Edit / Cancel.

The picker is an ephemeral message; its items carry the draft's id in their ``custom_id``
and the draft itself is in the database, so a restart loses nothing. Modals are only built
here; their submissions are handled by the cog from their ``custom_id`` alone.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, Protocol

import discord

from bot.domain.debate import MOTION_MAX_CHARS
from bot.domain.drafts import Draft, StoredArticle
from bot.ui.errors import guard
from bot.ui.style import BRAND
from cogs.debate._views import debate_cog

PASTE_MAX_CHARS = 4000  # Discord's limit for one text input
MODAL_TIMEOUT = 15 * 60  # the interaction token lives this long anyway


class DraftActions(Protocol):
    """What the picker asks the debate cog to do."""

    def choose(
        self, interaction: discord.Interaction[Any], draft_id: int, index: int
    ) -> Awaitable[None]:
        """A candidate was selected."""
        ...

    def draft_action(
        self, interaction: discord.Interaction[Any], draft_id: int, action: str
    ) -> Awaitable[None]:
        """Use, Edit or Cancel was pressed."""
        ...


def _actions(interaction: discord.Interaction[Any]) -> DraftActions:
    actions: DraftActions = debate_cog(interaction)
    return actions


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class CandidateSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"agora:draft:(?P<draft>[0-9]{1,19}):pick",
):
    """The candidate motions of a draft."""

    def __init__(self, draft_id: int, options: list[discord.SelectOption]) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"agora:draft:{draft_id}:pick",
                placeholder="Choose a motion",
                options=options,
            )
        )
        self.draft_id = draft_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CandidateSelect:
        """Rebuild the select from its message."""
        assert isinstance(item, discord.ui.Select)
        return cls(int(match["draft"]), item.options)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the choice to the cog."""
        index = int(self.item.values[0])
        await guard(interaction, _actions(interaction).choose(interaction, self.draft_id, index))


DRAFT_BUTTONS = {
    "use": ("Use this", discord.ButtonStyle.success),
    "edit": ("Edit", discord.ButtonStyle.secondary),
    "cancel": ("Cancel", discord.ButtonStyle.danger),
}


class DraftButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:draft:(?P<draft>[0-9]{1,19}):(?P<action>use|edit|cancel)",
):
    """Use this, Edit or Cancel."""

    def __init__(self, draft_id: int, action: str) -> None:
        label, style = DRAFT_BUTTONS[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"agora:draft:{draft_id}:{action}"
            )
        )
        self.draft_id = draft_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DraftButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["draft"]), match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the cog."""
        actions = _actions(interaction)
        await guard(interaction, actions.draft_action(interaction, self.draft_id, self.action))


def picker_view(draft: Draft) -> discord.ui.View:
    """The select and the three buttons under a draft."""
    view = discord.ui.View(timeout=None)
    options = [
        discord.SelectOption(
            label=_clip(f"{i + 1}. {c.motion}", 100),
            description=_clip(c.sentence, 100),
            value=str(i),
            default=i == draft.chosen,
        )
        for i, c in enumerate(draft.candidates)
    ]
    view.add_item(CandidateSelect(draft.id, options))
    for action in DRAFT_BUTTONS:
        view.add_item(DraftButton(draft.id, action))
    return view


def picker_embed(draft: Draft, stored: StoredArticle) -> discord.Embed:
    """The article and its candidate motions, the chosen one marked."""
    article = stored.article
    byline = " · ".join(part for part in (article.author, article.site) if part)
    description = "\n".join(
        part
        for part in (
            f"*{discord.utils.escape_markdown(_clip(article.subtitle, 600))}*"
            if article.subtitle
            else "",
            byline,
            "Choose a motion, then press **Use this** (or **Edit** it first).",
        )
        if part
    )
    embed = discord.Embed(
        title=_clip(article.title or stored.origin, 256),
        url=article.url or None,
        description=description,
        colour=BRAND,
    )
    for i, candidate in enumerate(draft.candidates):
        mark = "✅ " if i == draft.chosen else ""
        embed.add_field(
            name=_clip(f"{mark}{i + 1}. {candidate.motion}", 256),
            value=_clip(f"from: “{discord.utils.escape_markdown(candidate.sentence)}”", 1024),
            inline=False,
        )
    embed.set_footer(text=f"Draft #{draft.id} · format {draft.format_key} · only you see this")
    return embed


class PasteModal(discord.ui.Modal):
    """Paste an article's text, or upload it as a file."""

    def __init__(self, format_key: str) -> None:
        super().__init__(
            title="Start a debate from an article",
            custom_id=f"agora:paste:{format_key}",
            timeout=MODAL_TIMEOUT,
        )
        self.add_item(
            discord.ui.Label(
                text="Paste the article (title on the first line)",
                component=discord.ui.TextInput(
                    custom_id="text",
                    style=discord.TextStyle.paragraph,
                    required=False,
                    max_length=PASTE_MAX_CHARS,
                    placeholder="Its title first, then its text.",
                ),
            )
        )
        self.add_item(
            discord.ui.Label(
                text="…or upload it (.html, .txt, .md or .pdf)",
                component=discord.ui.FileUpload(
                    custom_id="file", required=False, min_values=0, max_values=1
                ),
            )
        )


class EditMotionModal(discord.ui.Modal):
    """Edit the chosen motion before the debate opens."""

    def __init__(self, draft_id: int, motion: str) -> None:
        super().__init__(
            title="Edit the motion",
            custom_id=f"agora:draft:{draft_id}:edited",
            timeout=MODAL_TIMEOUT,
        )
        self.add_item(
            discord.ui.TextInput(
                label="Motion",
                custom_id="motion",
                style=discord.TextStyle.paragraph,
                default=motion,
                min_length=1,
                max_length=MOTION_MAX_CHARS,
            )
        )


PASTE_MODAL = re.compile(r"agora:paste:(?P<format>[a-z0-9-]{1,40})")
EDITED_MODAL = re.compile(r"agora:draft:(?P<draft>[0-9]{1,19}):edited")
