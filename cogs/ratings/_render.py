"""How ratings, seasons, leaderboards and members' records read in Discord.

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
from bot.ui.style import BRAND

CHART_NAME = "rating.png"
SEASONS_SHOWN = 30
"""Seasons listed by ``/season list`` (newest first); older ones are counted."""

METRIC_TITLES = {
    Metric.RATING: "Rating",
    Metric.WINS: "Wins",
    Metric.WIN_RATE: "Win rate",
    Metric.PERSUASION: "Persuasion",
    Metric.PARTICIPATION: "Participation",
}
_TO_JOIN = {
    Metric.RATING: "play a rated debate",
    Metric.WINS: "play a rated debate",
    Metric.PERSUASION: "debate in a rated debate the audience votes on before and after",
    Metric.PARTICIPATION: "debate or vote in a rated debate",
}
_OUTCOMES = {Outcome.WIN: "Won", Outcome.LOSS: "Lost", Outcome.TIE: "Tie"}
_MARGIN_UNITS = {VoteRule.OXFORD: "points", VoteRule.MAJORITY: "votes", VoteRule.JUDGES: "judges"}


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def _day(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:d>"


def season_label(season: Season | None) -> str:
    """Which board: "All time", or the season by name."""
    if season is None:
        return "All time"
    return f"Season “{season.name}”" + ("" if season.running else " (ended)")


# -- seasons ------------------------------------------------------------------------------------


def season_started_text(season: Season) -> str:
    """The announcement of a new season."""
    name = discord.utils.escape_markdown(season.name)
    return (
        f"Season **{name}** has started: everyone starts it from scratch, and "
        "`/leaderboard show` now shows its boards. All-time ratings keep counting."
    )


def season_ended_text(season: Season) -> str:
    """The announcement of a season's end."""
    name = discord.utils.escape_markdown(season.name)
    return (
        f"Season **{name}** is over. Its boards stay available with "
        f"`/leaderboard show season:{season.name}`; until the next season starts, "
        "`/leaderboard show` shows the all-time boards."
    )


def seasons_embed(seasons: Sequence[Season]) -> discord.Embed:
    """The server's seasons, newest first."""
    embed = discord.Embed(title="Seasons", colour=BRAND)
    if not seasons:
        embed.description = (
            "This server has no season yet: the leaderboards count all time. "
            "A moderator starts one with `/season start`."
        )
        return embed
    lines = []
    for season in seasons[:SEASONS_SHOWN]:
        if season.ended_at is None:
            when = f"running since {_day(season.started_at)}"
        else:
            when = f"{_day(season.started_at)} to {_day(season.ended_at)}"
        lines.append(f"**{discord.utils.escape_markdown(season.name)}**: {when}")
    if len(seasons) > SEASONS_SHOWN:
        lines.append(f"…and {_plural(len(seasons) - SEASONS_SHOWN, 'older season')}.")
    embed.description = "\n".join(lines)
    embed.set_footer(text="See a season's boards with /leaderboard show season:<name>")
    return embed


# -- leaderboards -------------------------------------------------------------------------------


def _row(metric: Metric, standing: Standing) -> str:
    return (
        f"`#{standing.rank:<3}` <@{standing.user_id}> · **{metric.show(standing.value)}** · "
        f"{_plural(standing.games, 'debate')}"
    )


def caller_text(board: LeaderboardPage, viewer: str) -> str:
    """Where the member who asked stands, wherever that is on the board."""
    you = f"You ({clip(viewer, 32)})"
    mine = board.caller
    if mine is not None:
        return f"{you}: #{mine.rank:,} of {board.total:,} · {board.metric.show(mine.value)}"
    if board.metric is Metric.WIN_RATE:
        how = f"play {board.min_games} rated debates"
    else:
        how = _TO_JOIN[board.metric]
    return f"{you} are not ranked yet: {how}."


def leaderboard_embed(board: LeaderboardPage, viewer: str) -> discord.Embed:
    """One page of a board (ten rows), with the viewer's own place in the footer."""
    title = f"{METRIC_TITLES[board.metric]} · {season_label(board.season)}"
    if board.rows:
        rows = "\n".join(_row(board.metric, standing) for standing in board.rows)
    else:
        rows = "Nobody is on this board yet: it fills up as rated debates finish."
    embed = discord.Embed(
        title=title, description=f"{board.metric.description}\n\n{rows}", colour=BRAND
    )
    embed.set_footer(text=f"Page {board.page:,} of {board.pages:,} · {caller_text(board, viewer)}")
    return embed


# -- a member -----------------------------------------------------------------------------------


def _best_win(win: BestWin) -> str:
    margin = f"{win.margin:.1f}".removesuffix(".0")
    return (
        f"#{win.debate_id} · {win.side.label} · by {margin} {_MARGIN_UNITS[win.rule]}: "
        f"{clip(win.motion, 200)}"
    )


def stats_embed(stats: MemberStats, name: str) -> discord.Embed:
    """A member's rating with its uncertainty, record, sides and best wins."""
    record = stats.record
    embed = discord.Embed(
        title=f"{clip(name, 80)} · {season_label(stats.season)}",
        description=f"<@{stats.user_id}>",
        colour=BRAND,
    )
    if not record.games:
        where = "in this season" if stats.season else "yet"
        embed.description = f"<@{stats.user_id}> has not played a rated debate {where}."
        if record.votes:
            embed.add_field(name="Votes cast", value=f"{record.votes:,}")
        return embed
    rating, now = record.rating, stats.rating_now
    rated = f"**{rating.ordinal:.1f}** (skill {rating.mu:.1f} ± {rating.sigma:.1f})"
    if stats.rank is not None:
        rated += f"\n#{stats.rank:,} on the rating board"
    if now.sigma > rating.sigma and record.last_played is not None:
        rated += f"\nIdle since {_day(record.last_played)}: ± {now.sigma:.1f} now"
    embed.add_field(name="Rating", value=rated)
    embed.add_field(
        name="Record",
        value=(
            f"{_plural(record.wins, 'win')} · {_plural(record.losses, 'loss', 'losses')} · "
            f"{_plural(record.ties, 'tie')}\nin {_plural(record.games, 'rated debate')}"
        ),
    )
    embed.add_field(
        name="Sides",
        value=" · ".join(f"{side.label} {stats.sides.get(side, 0)}" for side in Side),
    )
    if record.persuasion is not None:
        embed.add_field(
            name="Persuasion",
            value=f"{Metric.PERSUASION.show(record.persuasion)} per debate "
            f"(over {_plural(record.swing_games, 'measured debate')})",
        )
    if record.votes:
        embed.add_field(name="Votes cast", value=f"{record.votes:,}")
    if stats.best_wins:
        embed.add_field(
            name="Best wins",
            value="\n".join(_best_win(win) for win in stats.best_wins),
            inline=False,
        )
    if stats.history:
        embed.set_image(url=f"attachment://{CHART_NAME}")
        embed.set_footer(text="The chart shows the skill estimate give or take its uncertainty.")
    return embed


def chart_file(stats: MemberStats, name: str) -> discord.File | None:
    """The member's rating over their rated debates as a PNG (None before any)."""
    if not stats.history:
        return None
    points = [(p.decided_at, p.mu, p.sigma) for p in stats.history]
    png = rating_history_chart(points, title=f"Skill of {name} (± uncertainty)")
    return discord.File(io.BytesIO(png), filename=CHART_NAME, description=chart_text(stats, name))


def chart_text(stats: MemberStats, name: str) -> str:
    """What the rating chart shows, in words: its text alternative (an attachment's
    description holds at most 1024 characters, so a long history is summed up)."""
    points = stats.history
    first, last = points[0], points[-1]
    low = min(points, key=lambda p: p.mu)
    high = max(points, key=lambda p: p.mu)
    text = (
        f"Chart of the skill of {clip(name, 80)} over {_plural(len(points), 'rated debate')}, "
        f"from {_day(first.decided_at)} to {_day(last.decided_at)}: it went from "
        f"{first.mu:.1f} ± {first.sigma:.1f} to {last.mu:.1f} ± {last.sigma:.1f}; "
        f"lowest {low.mu:.1f} ({_day(low.decided_at)}), highest {high.mu:.1f} "
        f"({_day(high.decided_at)})."
    )
    return text[:1024]


def _entry(entry: HistoryEntry) -> tuple[str, str]:
    verdict = _OUTCOMES[entry.outcome]
    if not entry.rated:
        verdict += " · unrated"
    elif entry.change is not None:
        verdict += f" · rating {entry.change:+.1f}"
    name = f"#{entry.debate_id} · {entry.side.label} · {verdict}"
    value = f"{clip(entry.motion, 200)}\n{_day(entry.decided_at)} · {clip(entry.reason, 150)}"
    return name, value


def history_embed(user_id: int, entries: Sequence[HistoryEntry], page: int) -> discord.Embed:
    """A page of a member's decided debates, newest first: motion, side and verdict."""
    embed = discord.Embed(title="Debate history", colour=BRAND)
    if not entries:
        empty = " has no decided debate yet." if page <= 1 else ": no more debates."
        embed.description = f"<@{user_id}>{empty}"
        return embed
    embed.description = f"<@{user_id}>, newest first."
    for entry in entries:
        name, value = _entry(entry)
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=f"Page {page:,}")
    return embed
