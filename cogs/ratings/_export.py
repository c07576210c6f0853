"""A leaderboard as a CSV file attached to a private answer.

A row holds what the board shows and the member's record as a debater; never an audience
member's votes.
"""

from __future__ import annotations

import csv
import io

import discord

from bot.domain.ratings import BoardLine, Metric, Rating
from bot.i18n import t
from bot.services.ratings import BoardExport
from cogs.ratings._render import season_label

COLUMNS = ("rank", "user_id", "display_name", "value", "debates", "wins", "losses", "ties")
RATING_COLUMNS = ("rating", "mu", "sigma")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """A member's name as a spreadsheet shows it, never as a formula it would run."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _rating(line: BoardLine) -> tuple[str, str, str]:
    rating = Rating(line.mu, line.sigma)
    return _number(rating.ordinal), _number(rating.mu), _number(rating.sigma)


def board_csv(export: BoardExport, names: dict[int, str]) -> discord.File:
    """The board as ``leaderboard-<metric>-<season>.csv``, best first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + RATING_COLUMNS)
    for rank, line in export.rows:
        writer.writerow(
            (
                rank,
                line.user_id,
                _cell(names.get(line.user_id, "")),
                _number(line.value),
                line.games,
                line.wins,
                line.losses,
                line.ties,
                *(_rating(line) if line.games else ("", "", "")),
            )
        )
    season = "all-time" if export.season is None else f"season-{export.season.id}"
    filename = f"leaderboard-{export.metric.value}-{season}.csv"
    return discord.File(io.BytesIO(out.getvalue().encode("utf-8")), filename=filename)


def _board_name(metric: Metric, lang: str) -> str:
    match metric:
        case Metric.RATING:
            return t("ratings.export.board_rating", lang)
        case Metric.WINS:
            return t("ratings.export.board_wins", lang)
        case Metric.WIN_RATE:
            return t("ratings.export.board_win_rate", lang)
        case Metric.PERSUASION:
            return t("ratings.export.board_persuasion", lang)
    return t("ratings.export.board_participation", lang)


def export_text(export: BoardExport, lang: str) -> str:
    """What the member reads above the file."""
    count = len(export.rows)
    if count == 1:
        members = t("ratings.export.members_one", lang, count=f"{count:,}")
    else:
        members = t("ratings.export.members_many", lang, count=f"{count:,}")
    return t(
        "ratings.export.text",
        lang,
        board=_board_name(export.metric, lang),
        season=season_label(export.season, lang),
        members=members,
    )
