"""How ratings, seasons, leaderboards and members' records read in Discord, in a language.

Members are named by mention (``<@id>``): Discord shows their name without pinging them,
and the bot sends every message with no allowed mentions anyway.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import discord

from bot.charts import rating_history_chart
from bot.domain.formats import VoteRule
from bot.domain.ratings import (
    BestWin,
    HistoryEntry,
    LeaderboardPage,
    MemberStats,
    Metric,
    Outcome,
    Season,
    Standing,
)
from bot.domain.sides import Side
from bot.i18n import ENGLISH, t
from bot.ui.style import BRAND

CHART_NAME = "rating.png"
SEASONS_SHOWN = 30
"""Seasons listed by ``/season list`` (newest first); older ones are counted."""


def metric_title(metric: Metric, lang: str) -> str:
    """The name of a board, as its title reads: "Rating", "Win rate"..."""
    match metric:
        case Metric.RATING:
            return t("ratings.metric.rating", lang)
        case Metric.WINS:
            return t("ratings.metric.wins", lang)
        case Metric.WIN_RATE:
            return t("ratings.metric.win_rate", lang)
        case Metric.PERSUASION:
            return t("ratings.metric.persuasion", lang)
    return t("ratings.metric.participation", lang)


def metric_description(metric: Metric, min_games: int, lang: str) -> str:
    """What a board ranks, in a sentence."""
    match metric:
        case Metric.RATING:
            return t("ratings.metric.rating_description", lang)
        case Metric.WINS:
            return t("ratings.metric.wins_description", lang)
        case Metric.WIN_RATE:
            return t("ratings.metric.win_rate_description", lang, count=min_games)
        case Metric.PERSUASION:
            return t("ratings.metric.persuasion_description", lang)
    return t("ratings.metric.participation_description", lang)


def show_value(metric: Metric, value: float, lang: str) -> str:
    """A value of a board as members read it."""
    if metric is Metric.PERSUASION:
        return t("ratings.points", lang, value=f"{value:+.1f}")
    return metric.show(value)


def side_name(side: Side, lang: str) -> str:
    """ "For" or "Against", in ``lang``."""
    return t("side.for", lang) if side is Side.FOR else t("side.against", lang)


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _debates(count: int, lang: str) -> str:
    if count == 1:
        return t("ratings.debates_one", lang, count=f"{count:,}")
    return t("ratings.debates_many", lang, count=f"{count:,}")


def _rated_debates(count: int, lang: str) -> str:
    if count == 1:
        return t("ratings.rated_debates_one", lang, count=f"{count:,}")
    return t("ratings.rated_debates_many", lang, count=f"{count:,}")


def _day(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:d>"


def season_label(season: Season | None, lang: str = ENGLISH) -> str:
    """Which board: "All time", or the season by name."""
    if season is None:
        return t("ratings.all_time", lang)
    if season.running:
        return t("ratings.season", lang, name=season.name)
    return t("ratings.season_ended", lang, name=season.name)


# -- seasons ------------------------------------------------------------------------------------


def season_started_text(season: Season, lang: str) -> str:
    """The announcement of a new season."""
    return t("ratings.season_started", lang, name=discord.utils.escape_markdown(season.name))


def season_ended_text(season: Season, lang: str) -> str:
    """The announcement of a season's end."""
    return t(
        "ratings.season_ended_text",
        lang,
        name=discord.utils.escape_markdown(season.name),
        season=season.name,
    )


def seasons_embed(seasons: Sequence[Season], lang: str) -> discord.Embed:
    """The server's seasons, newest first."""
    embed = discord.Embed(title=t("ratings.seasons.title", lang), colour=BRAND)
    if not seasons:
        embed.description = t("ratings.seasons.none", lang)
        return embed
    lines = []
    for season in seasons[:SEASONS_SHOWN]:
        if season.ended_at is None:
            when = t("ratings.seasons.running_since", lang, start=_day(season.started_at))
        else:
            when = t(
                "ratings.seasons.span",
                lang,
                start=_day(season.started_at),
                end=_day(season.ended_at),
            )
        lines.append(f"**{discord.utils.escape_markdown(season.name)}**: {when}")
    older = len(seasons) - SEASONS_SHOWN
    if older == 1:
        lines.append(t("ratings.seasons.older_one", lang, count=f"{older:,}"))
    elif older > 1:
        lines.append(t("ratings.seasons.older_many", lang, count=f"{older:,}"))
    embed.description = "\n".join(lines)
    embed.set_footer(text=t("ratings.seasons.footer", lang))
    return embed


# -- leaderboards -------------------------------------------------------------------------------


def _row(metric: Metric, standing: Standing, lang: str) -> str:
    return (
        f"`#{standing.rank:<3}` <@{standing.user_id}> · "
        f"**{show_value(metric, standing.value, lang)}** · {_debates(standing.games, lang)}"
    )


def _how_to_join(board: LeaderboardPage, lang: str) -> str:
    match board.metric:
        case Metric.WIN_RATE:
            return t("ratings.board.join_win_rate", lang, count=board.min_games)
        case Metric.PERSUASION:
            return t("ratings.board.join_persuasion", lang)
        case Metric.PARTICIPATION:
            return t("ratings.board.join_participation", lang)
    return t("ratings.board.join_rated", lang)


def caller_text(board: LeaderboardPage, viewer: str, lang: str = ENGLISH) -> str:
    """Where the member who asked stands, wherever that is on the board."""
    name = clip(viewer, 32)
    mine = board.caller
    if mine is not None:
        return t(
            "ratings.board.caller",
            lang,
            name=name,
            rank=f"{mine.rank:,}",
            total=f"{board.total:,}",
            value=show_value(board.metric, mine.value, lang),
        )
    return t("ratings.board.unranked", lang, name=name, how=_how_to_join(board, lang))


def leaderboard_embed(board: LeaderboardPage, viewer: str, lang: str) -> discord.Embed:
    """One page of a board (ten rows), with the viewer's own place in the footer."""
    title = f"{metric_title(board.metric, lang)} · {season_label(board.season, lang)}"
    if board.rows:
        rows = "\n".join(_row(board.metric, standing, lang) for standing in board.rows)
    else:
        rows = t("ratings.board.empty", lang)
    description = metric_description(board.metric, board.min_games, lang)
    embed = discord.Embed(title=title, description=f"{description}\n\n{rows}", colour=BRAND)
    page = t("ratings.page_of", lang, page=f"{board.page:,}", pages=f"{board.pages:,}")
    embed.set_footer(text=f"{page} · {caller_text(board, viewer, lang)}")
    return embed


# -- a member -----------------------------------------------------------------------------------


def _margin(rule: VoteRule, margin: str, lang: str) -> str:
    match rule:
        case VoteRule.OXFORD:
            return t("ratings.margin.oxford", lang, margin=margin)
        case VoteRule.MAJORITY:
            return t("ratings.margin.majority", lang, margin=margin)
    return t("ratings.margin.judges", lang, margin=margin)


def _best_win(win: BestWin, lang: str) -> str:
    margin = _margin(win.rule, f"{win.margin:.1f}".removesuffix(".0"), lang)
    return f"#{win.debate_id} · {side_name(win.side, lang)} · {margin}: {clip(win.motion, 200)}"


def _record(stats: MemberStats, lang: str) -> str:
    record = stats.record
    wins, losses, ties, games = record.wins, record.losses, record.ties, record.games
    won = (
        t("ratings.stats.wins_one", lang, count=f"{wins:,}")
        if wins == 1
        else t("ratings.stats.wins_many", lang, count=f"{wins:,}")
    )
    lost = (
        t("ratings.stats.losses_one", lang, count=f"{losses:,}")
        if losses == 1
        else t("ratings.stats.losses_many", lang, count=f"{losses:,}")
    )
    tied = (
        t("ratings.stats.ties_one", lang, count=f"{ties:,}")
        if ties == 1
        else t("ratings.stats.ties_many", lang, count=f"{ties:,}")
    )
    played = (
        t("ratings.stats.in_games_one", lang, count=f"{games:,}")
        if games == 1
        else t("ratings.stats.in_games_many", lang, count=f"{games:,}")
    )
    return f"{won} · {lost} · {tied}\n{played}"


def _persuasion(stats: MemberStats, lang: str) -> str:
    record = stats.record
    value = show_value(Metric.PERSUASION, record.persuasion or 0.0, lang)
    count = f"{record.swing_games:,}"
    if record.swing_games == 1:
        return t("ratings.stats.persuasion_one", lang, value=value, count=count)
    return t("ratings.stats.persuasion_many", lang, value=value, count=count)


def stats_embed(stats: MemberStats, name: str, lang: str) -> discord.Embed:
    """A member's rating with its uncertainty, record, sides and best wins."""
    record = stats.record
    embed = discord.Embed(
        title=f"{clip(name, 80)} · {season_label(stats.season, lang)}",
        description=f"<@{stats.user_id}>",
        colour=BRAND,
    )
    votes = t("ratings.stats.votes", lang)
    if not record.games:
        member = f"<@{stats.user_id}>"
        if stats.season:
            embed.description = t("ratings.stats.unplayed_season", lang, member=member)
        else:
            embed.description = t("ratings.stats.unplayed", lang, member=member)
        if record.votes:
            embed.add_field(name=votes, value=f"{record.votes:,}")
        return embed
    rating, now = record.rating, stats.rating_now
    rated = t(
        "ratings.stats.rating_value",
        lang,
        ordinal=f"{rating.ordinal:.1f}",
        mu=f"{rating.mu:.1f}",
        sigma=f"{rating.sigma:.1f}",
    )
    if stats.rank is not None:
        rated += "\n" + t("ratings.stats.rank", lang, rank=f"{stats.rank:,}")
    if now.sigma > rating.sigma and record.last_played is not None:
        rated += "\n" + t(
            "ratings.stats.idle", lang, since=_day(record.last_played), sigma=f"{now.sigma:.1f}"
        )
    embed.add_field(name=t("ratings.stats.rating", lang), value=rated)
    embed.add_field(name=t("ratings.stats.record", lang), value=_record(stats, lang))
    embed.add_field(
        name=t("ratings.stats.sides", lang),
        value=" · ".join(f"{side_name(side, lang)} {stats.sides.get(side, 0)}" for side in Side),
    )
    if record.persuasion is not None:
        embed.add_field(name=t("ratings.stats.persuasion", lang), value=_persuasion(stats, lang))
    if record.votes:
        embed.add_field(name=votes, value=f"{record.votes:,}")
    if stats.best_wins:
        embed.add_field(
            name=t("ratings.stats.best_wins", lang),
            value="\n".join(_best_win(win, lang) for win in stats.best_wins),
            inline=False,
        )
    if stats.history:
        embed.set_image(url=f"attachment://{CHART_NAME}")
        embed.set_footer(text=t("ratings.stats.chart_footer", lang))
    return embed


def chart_file(stats: MemberStats, name: str, lang: str) -> discord.File | None:
    """The member's rating over their rated debates as a PNG (None before any)."""
    if not stats.history:
        return None
    points = [(p.decided_at, p.mu, p.sigma) for p in stats.history]
    title = t("ratings.chart.title", lang, name=name)
    png = rating_history_chart(points, title=title, lang=lang)
    description = chart_text(stats, name, lang)
    return discord.File(io.BytesIO(png), filename=CHART_NAME, description=description)


def chart_text(stats: MemberStats, name: str, lang: str = ENGLISH) -> str:
    """What the rating chart shows, in words: its text alternative (an attachment's
    description holds at most 1024 characters, so a long history is summed up)."""
    points = stats.history
    first, last = points[0], points[-1]
    low = min(points, key=lambda p: p.mu)
    high = max(points, key=lambda p: p.mu)
    text = t(
        "ratings.chart.text",
        lang,
        name=clip(name, 80),
        debates=_rated_debates(len(points), lang),
        start=_day(first.decided_at),
        end=_day(last.decided_at),
        first=f"{first.mu:.1f} ± {first.sigma:.1f}",
        last=f"{last.mu:.1f} ± {last.sigma:.1f}",
        low=f"{low.mu:.1f}",
        low_day=_day(low.decided_at),
        high=f"{high.mu:.1f}",
        high_day=_day(high.decided_at),
    )
    return text[:1024]


def _verdict(outcome: Outcome, lang: str) -> str:
    match outcome:
        case Outcome.WIN:
            return t("ratings.history.won", lang)
        case Outcome.LOSS:
            return t("ratings.history.lost", lang)
    return t("ratings.history.tie", lang)


def _entry(entry: HistoryEntry, lang: str) -> tuple[str, str]:
    verdict = _verdict(entry.outcome, lang)
    if not entry.rated:
        verdict += " · " + t("ratings.history.unrated", lang)
    elif entry.change is not None:
        verdict += " · " + t("ratings.history.change", lang, change=f"{entry.change:+.1f}")
    name = f"#{entry.debate_id} · {side_name(entry.side, lang)} · {verdict}"
    value = f"{clip(entry.motion, 200)}\n{_day(entry.decided_at)} · {clip(entry.reason, 150)}"
    return name, value


def history_embed(
    user_id: int, entries: Sequence[HistoryEntry], page: int, lang: str
) -> discord.Embed:
    """A page of a member's decided debates, newest first: motion, side and verdict."""
    embed = discord.Embed(title=t("ratings.history.title", lang), colour=BRAND)
    member = f"<@{user_id}>"
    if not entries:
        if page <= 1:
            embed.description = t("ratings.history.none", lang, member=member)
        else:
            embed.description = t("ratings.history.no_more", lang, member=member)
        return embed
    embed.description = t("ratings.history.newest_first", lang, member=member)
    for entry in entries:
        name, value = _entry(entry, lang)
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=t("ratings.page", lang, page=f"{page:,}"))
    return embed
