"""The article picker, shared by every cog that proposes motions from an article.

A picker is a select of a draft's candidate motions with Use / Edit / Cancel buttons under
it, and a form to edit the chosen motion. Each item's ``custom_id`` is
``{prefix}:{draft id}:{pick|use|edit|cancel}`` (the form's ends in ``:edited``) and the
draft itself is in the database, so a picker sent before a restart keeps working after it.
Each cog builds one ``Picker`` with its own prefix, registers its ``select`` and ``button``
classes with the bot, and handles the choices in the cog that ``actions`` resolves.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Protocol, Self

import discord

from bot.articles.errors import TooLarge
from bot.articles.extract import MAX_BYTES
from bot.domain.debate import MOTION_MAX_CHARS
from bot.domain.drafts import Draft, StoredArticle
from bot.i18n import ENGLISH, t
from bot.services.articles import ArticleService, Reading
from bot.ui.access import Access
from bot.ui.errors import guard
from bot.ui.style import BRAND

FORM_TIMEOUT = 15 * 60  # the interaction token lives this long anyway
DRAFT_ID = r"(?P<draft>[0-9]{1,19})"
NOTHING = r"(?!)"  # a template no custom id matches


class PickerActions(Protocol):
    """What a picker asks its cog to do."""

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


ResolveActions = Callable[[discord.Interaction[Any]], PickerActions]
"""Finds, from an interaction, the cog that handles a picker's choices."""

Label = Callable[[str], str]
"""A language -> a label in it."""


async def read_upload(
    http: discord.http.HTTPClient,
    articles: ArticleService,
    url: str,
    filename: str,
    size: int,
    content_type: str | None,
) -> Reading:
    """Download an uploaded article (refused unread when it is over the cap) and read it."""
    if size > MAX_BYTES:
        raise TooLarge(MAX_BYTES)
    data = await http.get_from_cdn(url)
    return await articles.read_file(data, filename, content_type)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class EditMotionForm(discord.ui.Modal):
    """Edit the chosen motion; its submission is handled from its ``custom_id`` alone."""

    def __init__(self, custom_id: str, motion: str, lang: str = ENGLISH) -> None:
        super().__init__(
            title=t("picker.edit_title", lang), custom_id=custom_id, timeout=FORM_TIMEOUT
        )
        self.add_item(
            discord.ui.TextInput(
                label=t("picker.motion", lang),
                custom_id="motion",
                style=discord.TextStyle.paragraph,
                default=motion,
                min_length=1,
                max_length=MOTION_MAX_CHARS,
            )
        )


class Picker:
    """One cog's picker: its ``custom_id`` prefix, its "use" label and who handles it.

    ``use_label`` is a function of the language (``lambda lang: t("...", lang)``); a plain
    string is the same label in every language."""

    ACTIONS = ("use", "edit", "cancel")

    def __init__(self, *, prefix: str, use_label: str | Label, actions: ResolveActions) -> None:
        self.prefix = prefix
        self._use_label = use_label
        self.actions = actions
        self.edited = re.compile(rf"{re.escape(prefix)}:{DRAFT_ID}:edited")
        """The edit form's ``custom_id``, for the cog that handles its submission."""

        # discord.py tells dynamic items apart by the template their class was created
        # with, so each picker has its own two classes; the bot registers both.
        class CandidateSelect(PickerSelect, picker=self):
            """The candidate motions of a draft."""

        class DraftButton(PickerButton, picker=self):
            """Use, Edit or Cancel."""

        self.select: type[PickerSelect] = CandidateSelect
        self.button: type[PickerButton] = DraftButton

    def use_label(self, lang: str = ENGLISH) -> str:
        """The label of the "use" button, in ``lang``."""
        label = self._use_label
        return label if isinstance(label, str) else label(lang)

    def button_label(self, action: str, lang: str = ENGLISH) -> tuple[str, discord.ButtonStyle]:
        """The label and style of the Use, Edit or Cancel button, in ``lang``."""
        if action == "use":
            return self.use_label(lang), discord.ButtonStyle.success
        if action == "edit":
            return t("picker.edit", lang), discord.ButtonStyle.secondary
        return t("picker.cancel", lang), discord.ButtonStyle.danger

    def view(self, draft: Draft, lang: str = ENGLISH) -> discord.ui.View:
        """The select of candidate motions and the three buttons under it, in ``lang``."""
        view = discord.ui.View(timeout=None)
        options = [
            discord.SelectOption(
                label=clip(f"{i + 1}. {c.motion}", 100),
                description=clip(c.sentence, 100),
                value=str(i),
                default=i == draft.chosen,
            )
            for i, c in enumerate(draft.candidates)
        ]
        view.add_item(self.select(draft.id, options, lang))
        for action in self.ACTIONS:
            view.add_item(self.button(draft.id, action, lang))
        return view

    def embed(
        self, draft: Draft, stored: StoredArticle, *, footer: str, lang: str = ENGLISH
    ) -> discord.Embed:
        """The article and its candidate motions, the chosen one marked, in ``lang``."""
        article = stored.article
        byline = " · ".join(part for part in (article.author, article.site) if part)
        subtitle = (
            f"*{discord.utils.escape_markdown(clip(article.subtitle, 600))}*"
            if article.subtitle
            else ""
        )
        hint = t("picker.hint", lang, use=self.use_label(lang))
        embed = discord.Embed(
            title=clip(article.title or stored.origin, 256),
            url=article.url or None,
            description="\n".join(part for part in (subtitle, byline, hint) if part),
            colour=BRAND,
        )
        for i, candidate in enumerate(draft.candidates):
            mark = "✅ " if i == draft.chosen else ""
            sentence = discord.utils.escape_markdown(candidate.sentence)
            embed.add_field(
                name=clip(f"{mark}{i + 1}. {candidate.motion}", 256),
                value=clip(t("picker.from", lang, sentence=sentence), 1024),
                inline=False,
            )
        embed.set_footer(text=footer)
        return embed

    def edit_form(self, draft_id: int, motion: str, lang: str = ENGLISH) -> EditMotionForm:
        """The form to edit a draft's chosen motion, in ``lang``."""
        return EditMotionForm(f"{self.prefix}:{draft_id}:edited", motion, lang)


class PickerSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=NOTHING,  # only the subclasses a Picker makes are registered
):
    """The candidate motions of a draft, for the picker its subclass was made with."""

    access: ClassVar[Access] = Access.PERSONAL
    picker: ClassVar[Picker]

    def __init_subclass__(cls, *, picker: Picker) -> None:
        super().__init_subclass__(template=rf"{re.escape(picker.prefix)}:{DRAFT_ID}:pick")
        cls.picker = picker

    def __init__(
        self, draft_id: int, options: list[discord.SelectOption], lang: str = ENGLISH
    ) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"{self.picker.prefix}:{draft_id}:pick",
                placeholder=t("picker.choose", lang),
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
    ) -> Self:
        """Rebuild the select from its message."""
        assert isinstance(item, discord.ui.Select)
        return cls(int(match["draft"]), item.options)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the choice to the cog."""
        index = int(self.item.values[0])
        actions = self.picker.actions(interaction)
        await guard(interaction, actions.choose(interaction, self.draft_id, index))


class PickerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=NOTHING,  # only the subclasses a Picker makes are registered
):
    """Use, Edit or Cancel, for the picker its subclass was made with."""

    access: ClassVar[Access] = Access.PERSONAL
    picker: ClassVar[Picker]

    def __init_subclass__(cls, *, picker: Picker) -> None:
        super().__init_subclass__(
            template=rf"{re.escape(picker.prefix)}:{DRAFT_ID}:(?P<action>use|edit|cancel)"
        )
        cls.picker = picker

    def __init__(self, draft_id: int, action: str, lang: str = ENGLISH) -> None:
        label, style = self.picker.button_label(action, lang)
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"{self.picker.prefix}:{draft_id}:{action}"
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
    ) -> Self:
        """Rebuild the button from its custom id."""
        return cls(int(match["draft"]), match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the cog."""
        actions = self.picker.actions(interaction)
        await guard(interaction, actions.draft_action(interaction, self.draft_id, self.action))
