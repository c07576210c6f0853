"""Slash commands of seasons, leaderboards and members' records; the rules live in
``RatingService``.

Leaderboards, stats and histories answer in the channel for everyone to see (they are the
club's shared scoreboard), in the language of the member who asked (a board tells them where
they stand); season announcements too, in the server's language. The season list, exports
and every refusal are private, in the member's language.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING

from bot.app import Agora
from bot.domain.ratings import (
    ALL_TIME,
    MIN_GAMES,
    PAGE_SIZE,
    SEASON_NAME_MAX,
    Metric,
    UnknownSeason,
)
from bot.i18n import t
from bot.ui.access import ACCESS, Access, acting, guild_id_of
from bot.ui.i18n import language_of, server_language
from cogs.ratings._export import board_csv, export_text
from cogs.ratings._render import (
    chart_file,
    history_embed,
    leaderboard_embed,
    season_ended_text,
    season_started_text,
    seasons_embed,
    stats_embed,
)
from cogs.ratings._views import COG_NAME, board_view, history_view

METRICS = [
    app_commands.Choice(name="rating: skill minus three times its uncertainty", value="rating"),
    app_commands.Choice(name="wins: debates won", value="wins"),
    app_commands.Choice(
        name=f"win-rate: share of debates won ({MIN_GAMES} debates or more)", value="win-rate"
    ),
    app_commands.Choice(name="persuasion: mean swing to their side", value="persuasion"),
    app_commands.Choice(name="participation: debates plus votes cast", value="participation"),
]
SEASON_HELP = "A season's name, or all-time (default: the running season, else all time)."
SeasonName = app_commands.Range[str, 1, SEASON_NAME_MAX]


def _cached_names(guild: discord.Guild | None, user_ids: list[int]) -> dict[int, str]:
    """Display names of the members the bot has cached (it does not fetch the member list)."""
    found = (guild.get_member(user_id) for user_id in user_ids) if guild is not None else ()
    return {member.id: member.display_name for member in found if member is not None}


class RatingsCog(commands.Cog, name=COG_NAME):
    """Seasons, leaderboards, and each member's rating and debates."""

    season = app_commands.Group(
        name="season", description="Rating seasons of this server.", guild_only=True
    )
    leaderboard = app_commands.Group(
        name="leaderboard", description="This server's leaderboards.", guild_only=True
    )

    def __init__(self, bot: Agora) -> None:
        self.ratings = bot.services.ratings
        super().__init__()

    # -- seasons ---------------------------------------------------------------------------------

    @season.command(
        name="start",
        description="Start a season: its boards start from scratch.",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    @app_commands.describe(name="The season's name, e.g. 'Spring 2025'.")
    async def season_start(self, interaction: discord.Interaction[Agora], name: SeasonName) -> None:
        """Start a season (moderators) and announce it."""
        guild_id = guild_id_of(interaction)
        started = await self.ratings.start_season(
            guild_id=guild_id, name=name, actor=acting(interaction)
        )
        lang = await server_language(interaction.client, guild_id)
        await interaction.response.send_message(season_started_text(started, lang))

    @season.command(
        name="end",
        description="End the running season; its boards stay available.",
        extras={ACCESS: Access.SERVER_MODERATOR},
    )
    async def season_end(self, interaction: discord.Interaction[Agora]) -> None:
        """End the running season (moderators) and announce it."""
        guild_id = guild_id_of(interaction)
        ended = await self.ratings.end_season(guild_id=guild_id, actor=acting(interaction))
        lang = await server_language(interaction.client, guild_id)
        await interaction.response.send_message(season_ended_text(ended, lang))

    @season.command(
        name="list", description="Show this server's seasons.", extras={ACCESS: Access.MEMBER}
    )
    async def season_list(self, interaction: discord.Interaction[Agora]) -> None:
        """The seasons, newest first, to the member who asked."""
        seasons = await self.ratings.seasons(guild_id=guild_id_of(interaction))
        embed = seasons_embed(seasons, await language_of(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # -- leaderboards ----------------------------------------------------------------------------

    @leaderboard.command(
        name="show",
        description="Show a leaderboard, ten members a page.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.describe(
        metric="What to rank by (default: rating).",
        season=SEASON_HELP,
        page="The page to open at (default: the first).",
    )
    @app_commands.choices(metric=METRICS)
    async def leaderboard_show(
        self,
        interaction: discord.Interaction[Agora],
        metric: str = Metric.RATING.value,
        season: SeasonName | None = None,
        page: app_commands.Range[int, 1, 1_000_000] = 1,
    ) -> None:
        """A page of a board, with the caller's own rank, in the channel."""
        board = await self.ratings.leaderboard(
            guild_id=guild_id_of(interaction),
            metric=Metric(metric),
            season=season,
            page=page,
            caller_id=interaction.user.id,
        )
        lang = await language_of(interaction)
        await interaction.response.send_message(
            embed=leaderboard_embed(board, interaction.user.display_name, lang),
            view=board_view(board, lang),
        )

    async def board_page(
        self,
        interaction: discord.Interaction[Any],
        metric: Metric,
        season_id: int | None,
        page: int,
    ) -> None:
        """A page button was pressed: the board as it stands now, in place."""
        guild_id = guild_id_of(interaction)
        board = await self.ratings.leaderboard(
            guild_id=guild_id,
            metric=metric,
            season=await self._season_name(guild_id, season_id),
            page=page,
            caller_id=interaction.user.id,
        )
        lang = await language_of(interaction)
        await interaction.response.edit_message(
            embed=leaderboard_embed(board, interaction.user.display_name, lang),
            view=board_view(board, lang),
        )

    async def _season_name(self, guild_id: int, season_id: int | None) -> str:
        if season_id is None:
            return ALL_TIME
        seasons = await self.ratings.seasons(guild_id=guild_id)
        found = next((s.name for s in seasons if s.id == season_id), None)
        if found is None:
            raise UnknownSeason(f"#{season_id}", tuple(s.name for s in seasons))
        return found

    @leaderboard.command(
        name="export",
        description="Download a whole leaderboard as a CSV file.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.describe(metric="What to rank by (default: rating).", season=SEASON_HELP)
    @app_commands.choices(metric=METRICS)
    async def leaderboard_export(
        self,
        interaction: discord.Interaction[Agora],
        metric: str = Metric.RATING.value,
        season: SeasonName | None = None,
    ) -> None:
        """Every member on a board with their rank and record, privately."""
        # A large board takes longer than Discord's three seconds to read and write out.
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.ratings.whole_board(
            guild_id=guild_id_of(interaction), metric=Metric(metric), season=season
        )
        names = _cached_names(interaction.guild, [line.user_id for _, line in export.rows])
        names[interaction.user.id] = interaction.user.display_name
        file = await asyncio.to_thread(board_csv, export, names)
        text = export_text(export, await language_of(interaction))
        await interaction.followup.send(text, file=file, ephemeral=True)

    # -- members ---------------------------------------------------------------------------------

    @app_commands.command(
        name="stats",
        description="A member's rating, record and best wins.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.describe(member="Whose stats (default: yours).", season=SEASON_HELP)
    @app_commands.guild_only()
    async def stats(
        self,
        interaction: discord.Interaction[Agora],
        member: discord.Member | None = None,
        season: SeasonName | None = None,
    ) -> None:
        """Rating with uncertainty, wins and losses, sides, best wins and a rating chart."""
        who = member or interaction.user
        lang = await language_of(interaction)
        if who.bot:
            await interaction.response.send_message(
                t("ratings.stats.a_bot", lang, member=who.mention), ephemeral=True
            )
            return
        found = await self.ratings.stats(
            guild_id=guild_id_of(interaction), user_id=who.id, season=season
        )
        await interaction.response.defer(thinking=True)
        chart = await asyncio.to_thread(chart_file, found, who.display_name, lang)
        embed = stats_embed(found, who.display_name, lang)
        await interaction.followup.send(embed=embed, file=chart if chart is not None else MISSING)

    @leaderboard_show.autocomplete("season")
    @leaderboard_export.autocomplete("season")
    @stats.autocomplete("season")
    async def _season_choices(
        self, interaction: discord.Interaction[Agora], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().casefold()
        seasons = await self.ratings.seasons(guild_id=interaction.guild_id or 0)
        names = [s.name for s in seasons] + [ALL_TIME]
        return [app_commands.Choice(name=n, value=n) for n in names if typed in n.casefold()][:25]

    @app_commands.command(
        name="history",
        description="A member's recent debates and verdicts.",
        extras={ACCESS: Access.MEMBER},
    )
    @app_commands.describe(member="Whose debates (default: yours).")
    @app_commands.guild_only()
    async def history(
        self, interaction: discord.Interaction[Agora], member: discord.Member | None = None
    ) -> None:
        """The last ten decided debates: motion, side and verdict."""
        who = member or interaction.user
        lang = await language_of(interaction)
        embed, view = await self._history(guild_id_of(interaction), who.id, 1, lang)
        await interaction.response.send_message(embed=embed, view=view or MISSING)

    async def history_page(
        self, interaction: discord.Interaction[Any], user_id: int, page: int
    ) -> None:
        """A page button of a history was pressed: that page as it stands now, in place."""
        lang = await language_of(interaction)
        embed, view = await self._history(guild_id_of(interaction), user_id, max(page, 1), lang)
        await interaction.response.edit_message(embed=embed, view=view)

    async def _history(
        self, guild_id: int, user_id: int, page: int, lang: str
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        entries = await self.ratings.history(
            guild_id=guild_id, user_id=user_id, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
        )
        shown = entries[:PAGE_SIZE]
        more = len(entries) > PAGE_SIZE
        embed = history_embed(user_id, shown, page, lang)
        return embed, history_view(user_id, page, lang, more=more)
