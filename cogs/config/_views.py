"""The settings view: two pages of select menus. Each component carries the server and the
setting in its ``custom_id`` and the view is drawn again from the database on every
change, so a settings message opened before a restart keeps working after it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Sequence
from enum import StrEnum
from typing import Any, ClassVar, Protocol

import discord

from bot.domain.formats import DebateFormat
from bot.domain.guilds import COMMON_TIMEZONES, LANGUAGES, GuildSettings, TurnMode
from bot.formats import DEFAULT_FORMAT
from bot.i18n import t
from bot.ui.access import Access, loaded_cog
from bot.ui.errors import guard

COG_NAME = "Config"
PREFIX = "agora:config"
MIN_DAYS = (0, 1, 3, 7, 14, 30, 90, 180, 365)
"""How long a member must have been in the server to vote, as ``/config`` offers it."""


class Setting(StrEnum):
    """A select menu of the settings view; its value is the last part of its ``custom_id``."""

    MODERATOR_ROLE = "modrole"
    DEBATE_CHANNEL = "channel"
    DEFAULT_FORMAT = "format"
    TIMEZONE = "timezone"
    TURNS = "turns"
    VOTING = "voting"
    MIN_DAYS = "mindays"
    LANGUAGE = "language"


class Page(StrEnum):
    """The two pages of the settings view (a message holds at most five rows)."""

    GENERAL = "general"
    RULES = "rules"


PAGES: dict[Page, tuple[Setting, ...]] = {
    Page.GENERAL: (
        Setting.MODERATOR_ROLE,
        Setting.DEBATE_CHANNEL,
        Setting.DEFAULT_FORMAT,
        Setting.TIMEZONE,
    ),
    Page.RULES: (Setting.TURNS, Setting.VOTING, Setting.MIN_DAYS, Setting.LANGUAGE),
}
VOTING_OPTIONS = ("debaters", "stage")
"""The rules the voting select turns on, by value."""


def page_label(page: Page, lang: str) -> str:
    """The label of a page's button."""
    if page is Page.RULES:
        return t("config.page.rules", lang)
    return t("config.page.general", lang)


def _voting_label(option: str, lang: str) -> str:
    if option == "stage":
        return t("config.option.stage", lang)
    return t("config.option.debaters", lang)


def _turns_label(mode: TurnMode, lang: str) -> str:
    if mode is TurnMode.SOFT:
        return t("config.option.soft", lang)
    return t("config.option.strict", lang)


def _days_label(days: int, lang: str) -> str:
    if days == 0:
        return t("config.option.any_member", lang)
    return t("config.option.days", lang, days=days)


def page_of(setting: Setting) -> Page:
    """The page that shows ``setting``."""
    return next(page for page, settings in PAGES.items() if setting in settings)


class ConfigActions(Protocol):
    """What the settings view asks the config cog to do."""

    def choose(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        setting: Setting,
        values: Sequence[str],
    ) -> Awaitable[None]:
        """A setting was chosen in its select menu."""
        ...

    def show_page(
        self, interaction: discord.Interaction[Any], guild_id: int, page: Page
    ) -> Awaitable[None]:
        """Show the other page of the view in place."""
        ...


def _actions(interaction: discord.Interaction[Any]) -> ConfigActions:
    actions: ConfigActions = loaded_cog(interaction, COG_NAME)
    return actions


def _options(choices: Sequence[tuple[str, str]], chosen: set[str]) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=label[:100], value=value, default=value in chosen)
        for value, label in choices
    ]


def _select(
    guild_id: int,
    setting: Setting,
    settings: GuildSettings,
    formats: Sequence[DebateFormat],
    lang: str,
) -> discord.ui.Item[Any]:
    """The select menu of one setting, showing its current value."""
    custom_id = f"{PREFIX}:{guild_id}:{setting.value}"
    if setting is Setting.MODERATOR_ROLE:
        role = settings.moderator_role_id
        return discord.ui.RoleSelect(
            custom_id=custom_id,
            placeholder=t("config.placeholder.role", lang),
            min_values=0,
            max_values=1,
            default_values=[discord.Object(role, type=discord.Role)] if role else [],
        )
    if setting is Setting.DEBATE_CHANNEL:
        channel = settings.debate_channel_id
        return discord.ui.ChannelSelect(
            custom_id=custom_id,
            placeholder=t("config.placeholder.channel", lang),
            channel_types=[discord.ChannelType.text],
            min_values=0,
            max_values=1,
            default_values=[discord.Object(channel, type=discord.abc.GuildChannel)]
            if channel
            else [],
        )
    choices: list[tuple[str, str]]
    chosen: set[str]
    placeholder = ""
    min_values, max_values = 1, 1
    if setting is Setting.DEFAULT_FORMAT:
        choices = [(f.key, f"{f.name} ({f.key})") for f in formats][:25]
        chosen = {settings.default_format or DEFAULT_FORMAT}
    elif setting is Setting.TIMEZONE:
        choices = [(zone, zone.replace("_", " ")) for zone in COMMON_TIMEZONES]
        chosen = {settings.timezone}
    elif setting is Setting.TURNS:
        choices = [(mode.value, _turns_label(mode, lang)) for mode in TurnMode]
        chosen = {settings.turns.value}
    elif setting is Setting.VOTING:
        choices = [(option, _voting_label(option, lang)) for option in VOTING_OPTIONS]
        chosen = {
            key
            for key, on in (
                ("debaters", settings.debaters_may_vote),
                ("stage", settings.voters_in_voice),
            )
            if on
        }
        placeholder = t("config.placeholder.voting", lang)
        min_values, max_values = 0, len(choices)
    elif setting is Setting.MIN_DAYS:
        days = sorted({*MIN_DAYS, settings.voter_min_days})
        choices = [(str(n), _days_label(n, lang)) for n in days]
        chosen = {str(settings.voter_min_days)}
    else:
        choices = [(code, f"{name} ({code})") for code, name in LANGUAGES.items()]
        chosen = {settings.language}
    return discord.ui.Select(
        custom_id=custom_id,
        placeholder=placeholder or None,
        min_values=min_values,
        max_values=max_values,
        options=_options(choices, chosen),
    )


def config_view(
    settings: GuildSettings,
    formats: Sequence[DebateFormat],
    lang: str,
    page: Page = Page.GENERAL,
) -> discord.ui.View:
    """One page of select menus, one row each, with the page buttons under them."""
    view = discord.ui.View(timeout=None)
    guild_id = settings.guild_id
    for setting in PAGES[page]:
        select = _select(guild_id, setting, settings, formats, lang)
        view.add_item(ConfigSelect(guild_id, setting, select))
    for other in PAGES:
        label = page_label(other, lang)
        view.add_item(ConfigPageButton(guild_id, other, label=label, current=other is page))
    return view


class ConfigSelect(
    discord.ui.DynamicItem[discord.ui.Item[Any]],
    template=rf"{PREFIX}:(?P<guild>[0-9]{{1,19}}):(?P<setting>{'|'.join(Setting)})",
):
    """One setting's select menu."""

    access: ClassVar[Access] = Access.SERVER_MODERATOR

    def __init__(self, guild_id: int, setting: Setting, item: discord.ui.Item[Any]) -> None:
        super().__init__(item)
        self.guild_id = guild_id
        self.setting = setting

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ConfigSelect:
        """Rebuild the select from its custom id."""
        return cls(int(match["guild"]), Setting(match["setting"]), item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the choice to the cog."""
        data: Any = interaction.data or {}
        values = [str(v) for v in data.get("values", [])]
        work = _actions(interaction).choose(interaction, self.guild_id, self.setting, values)
        await guard(interaction, work)


class ConfigPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"{PREFIX}:(?P<guild>[0-9]{{1,19}}):page:(?P<page>{'|'.join(Page)})",
):
    """Show one page of the settings view."""

    access: ClassVar[Access] = Access.SERVER_MODERATOR

    def __init__(self, guild_id: int, page: Page, *, label: str, current: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary if current else discord.ButtonStyle.secondary,
                custom_id=f"{PREFIX}:{guild_id}:page:{page.value}",
                disabled=current,
                row=4,
            )
        )
        self.guild_id = guild_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ConfigPageButton:
        """Rebuild the button from its custom id."""
        label = item.label if isinstance(item, discord.ui.Button) and item.label else ""
        return cls(int(match["guild"]), Page(match["page"]), label=label or match["page"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog."""
        await guard(
            interaction, _actions(interaction).show_page(interaction, self.guild_id, self.page)
        )
