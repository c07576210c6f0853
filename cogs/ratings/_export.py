"""A leaderboard as a CSV file attached to a private answer.

A row holds what the board shows and the member's record as a debater; never an audience
member's votes.
"""

from __future__ import annotations

import csv
import io

import discord

from bot.domain.ratings import BoardLine, Rating
from bot.services.ratings import BoardExport
from cogs.ratings._render import METRIC_TITLES, season_label

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


def export_text(export: BoardExport) -> str:
    """What the member reads above the file."""
    count = len(export.rows)
    members = f"{count:,} member{'' if count == 1 else 's'}"
    board = METRIC_TITLES[export.metric].lower()
    return (
        f"The {board} board ({season_label(export.season)}): {members}, ranked as "
        f"`/leaderboard show` ranks them; `value` is the {board}. Names are those I know, "
        "and every row has the member's id. Nobody's audience votes are in it."
    )
