"""The page buttons of leaderboards and histories. Their state lives in ``custom_id`` and a
click asks the database again, so a message posted before a restart keeps working after it
and always shows the board as it stands."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, ClassVar, Protocol

import discord

from bot.domain.ratings import LeaderboardPage, Metric
from bot.i18n import t
from bot.ui.access import Access, loaded_cog
from bot.ui.errors import guard

COG_NAME = "Ratings"
ALL = "all"
"""The season part of a board's custom id for the all-time board."""


class PageActions(Protocol):
    """What the page buttons ask the ratings cog to do."""

    def board_page(
        self,
        interaction: discord.Interaction[Any],
        metric: Metric,
        season_id: int | None,
        page: int,
    ) -> Awaitable[None]:
        """Show another page of a board in place (``season_id`` None: all time)."""
        ...

    def history_page(
        self, interaction: discord.Interaction[Any], user_id: int, page: int
    ) -> Awaitable[None]:
        """Show another page of a member's history in place."""
        ...


def _actions(interaction: discord.Interaction[Any]) -> PageActions:
    actions: PageActions = loaded_cog(interaction, COG_NAME)
    return actions


def _label(item: discord.ui.Item[Any]) -> str:
    return item.label if isinstance(item, discord.ui.Button) and item.label else "Page"


class BoardPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        r"agora:board:(?P<metric>rating|wins|win-rate|persuasion|participation)"
        r":(?P<season>[0-9]{1,19}|all):(?P<page>[0-9]{1,9})"
    ),
):
    """Show another page of a leaderboard."""

    access: ClassVar[Access] = Access.MEMBER

    def __init__(
        self, metric: Metric, season_id: int | None, page: int, label: str, *, disabled: bool
    ) -> None:
        season = ALL if season_id is None else str(season_id)
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"agora:board:{metric.value}:{season}:{page}",
                disabled=disabled,
            )
        )
        self.metric = metric
        self.season_id = season_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> BoardPageButton:
        """Rebuild the button from its custom id."""
        season = None if match["season"] == ALL else int(match["season"])
        metric, page = Metric(match["metric"]), int(match["page"])
        return cls(metric, season, page, _label(item), disabled=False)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog."""
        work = _actions(interaction).board_page(interaction, self.metric, self.season_id, self.page)
        await guard(interaction, work)


class HistoryPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:history:(?P<user>[0-9]{1,19}):(?P<page>[0-9]{1,9})",
):
    """Show another page of a member's debates."""

    access: ClassVar[Access] = Access.MEMBER

    def __init__(self, user_id: int, page: int, label: str, *, disabled: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"agora:history:{user_id}:{page}",
                disabled=disabled,
            )
        )
        self.user_id = user_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> HistoryPageButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["user"]), int(match["page"]), _label(item), disabled=False)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog."""
        work = _actions(interaction).history_page(interaction, self.user_id, self.page)
        await guard(interaction, work)


def board_view(board: LeaderboardPage, lang: str) -> discord.ui.View:
    """Previous and Next, each disabled at its edge of the board."""
    season_id = board.season.id if board.season is not None else None
    view = discord.ui.View(timeout=None)
    for page, label, edge in (
        (board.page - 1, t("ratings.previous", lang), board.page <= 1),
        (board.page + 1, t("ratings.next", lang), board.page >= board.pages),
    ):
        view.add_item(BoardPageButton(board.metric, season_id, page, label, disabled=edge))
    return view


def history_view(user_id: int, page: int, lang: str, *, more: bool) -> discord.ui.View | None:
    """Previous and Next through a member's debates; none when everything fits one page."""
    if page <= 1 and not more:
        return None
    previous, following = t("ratings.previous", lang), t("ratings.next", lang)
    view = discord.ui.View(timeout=None)
    view.add_item(HistoryPageButton(user_id, page - 1, previous, disabled=page <= 1))
    view.add_item(HistoryPageButton(user_id, page + 1, following, disabled=not more))
    return view
