"""The lobby's buttons. Their state lives in ``custom_id``, so they work after a restart."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, ClassVar, Protocol

import discord

from bot.domain.debate import Preference
from bot.i18n import ENGLISH, t
from bot.ui.access import Access, loaded_cog
from bot.ui.errors import guard
from cogs.debate._render import side_label

COG_NAME = "Debate"


class LobbyActions(Protocol):
    """What the lobby's buttons ask the debate cog to do."""

    def join(
        self, interaction: discord.Interaction[Any], debate_id: int, preference: Preference
    ) -> Awaitable[None]:
        """Sign the clicking member up."""
        ...

    def leave(self, interaction: discord.Interaction[Any], debate_id: int) -> Awaitable[None]:
        """Withdraw the clicking member."""
        ...

    def start_pressed(
        self, interaction: discord.Interaction[Any], debate_id: int
    ) -> Awaitable[None]:
        """Start the debate (moderators only)."""
        ...


def debate_cog(interaction: discord.Interaction[Any]) -> Any:
    """The debate cog, which handles every click of its messages."""
    return loaded_cog(interaction, COG_NAME)


def _actions(interaction: discord.Interaction[Any]) -> LobbyActions:
    actions: LobbyActions = debate_cog(interaction)
    return actions


JOIN_STYLES = {
    Preference.FOR: discord.ButtonStyle.primary,
    Preference.AGAINST: discord.ButtonStyle.danger,
    Preference.EITHER: discord.ButtonStyle.secondary,
}


class JoinButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:join:(?P<debate>[0-9]{1,19}):(?P<side>for|against|either)",
):
    """Join a debate's lobby with a side preference."""

    access: ClassVar[Access] = Access.MEMBER

    def __init__(self, debate_id: int, preference: Preference, lang: str = ENGLISH) -> None:
        label = (
            t("lobby.join_either", lang)
            if preference is Preference.EITHER
            else t("lobby.join", lang, side=side_label(preference, lang))
        )
        super().__init__(
            discord.ui.Button(
                label=label,
                style=JOIN_STYLES[preference],
                custom_id=f"agora:join:{debate_id}:{preference.value}",
            )
        )
        self.debate_id = debate_id
        self.preference = preference

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> JoinButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["debate"]), Preference(match["side"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog."""
        await guard(
            interaction, _actions(interaction).join(interaction, self.debate_id, self.preference)
        )


class LeaveButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:leave:(?P<debate>[0-9]{1,19})",
):
    """Withdraw from a debate's lobby."""

    access: ClassVar[Access] = Access.MEMBER

    def __init__(self, debate_id: int, lang: str = ENGLISH) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("lobby.leave", lang),
                style=discord.ButtonStyle.secondary,
                custom_id=f"agora:leave:{debate_id}",
            )
        )
        self.debate_id = debate_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> LeaveButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["debate"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog."""
        await guard(interaction, _actions(interaction).leave(interaction, self.debate_id))


class StartButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:start:(?P<debate>[0-9]{1,19})",
):
    """Start the debate: draw sides and run the clock (moderators only)."""

    access: ClassVar[Access] = Access.DEBATE_MODERATOR

    def __init__(self, debate_id: int, lang: str = ENGLISH) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("lobby.start", lang),
                style=discord.ButtonStyle.success,
                custom_id=f"agora:start:{debate_id}",
            )
        )
        self.debate_id = debate_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> StartButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["debate"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the cog."""
        await guard(interaction, _actions(interaction).start_pressed(interaction, self.debate_id))


def lobby_view(debate_id: int, lang: str = ENGLISH) -> discord.ui.View:
    """The buttons under an open lobby, in ``lang``: join, leave, and the moderators' Start."""
    view = discord.ui.View(timeout=None)
    for preference in Preference:
        view.add_item(JoinButton(debate_id, preference, lang))
    view.add_item(LeaveButton(debate_id, lang))
    view.add_item(StartButton(debate_id, lang))
    return view
