"""The motion bank's buttons, select and form. Their state lives in ``custom_id``, so a
message posted before a restart keeps working after it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Sequence
from typing import Any, ClassVar, Protocol

import discord

from bot.i18n import ENGLISH, t
from bot.services.motions import BankPage
from bot.ui.access import Access, loaded_cog
from bot.ui.errors import guard
from bot.ui.picker import Picker, PickerActions

COG_NAME = "Motions"


class BankActions(PickerActions, Protocol):
    """What the bank's components (and its article picker) ask the motions cog to do."""

    def upvote(self, interaction: discord.Interaction[Any], motion_id: int) -> Awaitable[None]:
        """Upvote the motion, or take the upvote back."""
        ...

    def show_page(self, interaction: discord.Interaction[Any], page: int) -> Awaitable[None]:
        """Show another page of the bank in place."""
        ...


def _actions(interaction: discord.Interaction[Any]) -> BankActions:
    actions: BankActions = loaded_cog(interaction, COG_NAME)
    return actions


class UpvoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:motion:up:(?P<motion>[0-9]{1,19})",
):
    """Upvote a motion; pressed again, take the upvote back."""

    access: ClassVar[Access] = Access.MEMBER

    def __init__(self, motion_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"▲ #{motion_id}",
                style=discord.ButtonStyle.primary,
                custom_id=f"agora:motion:up:{motion_id}",
                disabled=disabled,
            )
        )
        self.motion_id = motion_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> UpvoteButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["motion"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog."""
        await guard(interaction, _actions(interaction).upvote(interaction, self.motion_id))


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:motion:page:(?P<page>[0-9]{1,9})",
):
    """Show another page of the bank."""

    access: ClassVar[Access] = Access.MEMBER

    def __init__(self, page: int, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"agora:motion:page:{page}",
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        """Rebuild the button from its custom id."""
        label = item.label if isinstance(item, discord.ui.Button) and item.label else "Page"
        return cls(int(match["page"]), label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog."""
        await guard(interaction, _actions(interaction).show_page(interaction, self.page))


def upvote_view(motion_ids: Sequence[int]) -> discord.ui.View | None:
    """Upvote buttons for some motions (None for none)."""
    if not motion_ids:
        return None
    view = discord.ui.View(timeout=None)
    for motion_id in motion_ids[:5]:
        view.add_item(UpvoteButton(motion_id))
    return view


def bank_view(shown: BankPage, lang: str = ENGLISH) -> discord.ui.View | None:
    """Upvote buttons for the motions of a page (resting ones disabled), and page buttons
    labelled in ``lang``."""
    view = discord.ui.View(timeout=None)
    for entry in shown.entries:
        view.add_item(UpvoteButton(entry.motion.id, disabled=entry.resting_until is not None))
    if shown.page > 1:
        view.add_item(PageButton(shown.page - 1, t("bank.previous", lang)))
    if shown.page < shown.pages:
        view.add_item(PageButton(shown.page + 1, t("bank.next", lang)))
    return view if view.children else None


# --- choosing a motion from an article --------------------------------------------------------

PICKER = Picker(
    prefix="agora:motion:draft",
    use_label=lambda lang: t("bank.submit_this", lang),
    actions=_actions,
)
# The names the cog and ``setup()`` import.
CandidateSelect = PICKER.select
DraftButton = PICKER.button
picker_view = PICKER.view
EditMotionForm = PICKER.edit_form
EDITED_FORM = PICKER.edited
