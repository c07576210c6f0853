"""Pictures for Discord's dark theme: a debate's audience vote, and a member's rating over time.

Drawn with matplotlib's object API (``Figure`` + ``FigureCanvasAgg``), so no pyplot global
state is touched and nothing needs a display; the figure is dropped after rendering. The
words on a chart are in the language its caller passes (English by default).
"""

from __future__ import annotations

import io
import math
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.votes import Choice, Tally
from bot.i18n import ENGLISH, t
from bot.ui.i18n import choice_label
from bot.ui.style import side_hex

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 1200, 675, 100
HISTORY_WIDTH_PX, HISTORY_HEIGHT_PX = 800, 400

BACKGROUND = "#313338"  # Discord's dark message background
PANEL = "#2b2d31"
TEXT = "#dbdee1"
MUTED = "#949ba4"
RATING = "#5865f2"  # Discord's blurple
COLOURS: dict[Choice, str] = {choice: side_hex(choice) for choice in Choice}
"""Agora's side colours (``bot/ui/style.py``), so a side looks the same in every message."""

_ORDER = (Choice.FOR, Choice.AGAINST, Choice.UNDECIDED)
_ROW = {Choice.FOR: 2.0, Choice.AGAINST: 1.0, Choice.UNDECIDED: 0.0}  # flow panel, top first


def results_chart(
    motion: str,
    pre: Tally,
    post: Tally,
    flows: Mapping[tuple[Choice, Choice], int],
    verdict_text: str,
    lang: str = ENGLISH,
) -> bytes:
    """A 1200 by 675 PNG: pre and post shares side by side, how voters moved, the verdict;
    its words in ``lang``."""
    # matplotlib takes 0.4 s to import: loaded at the first result, not at every start-up.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    untitled = t("chart.untitled", lang)
    title = textwrap.shorten(motion.strip() or untitled, 160, placeholder="…")
    fig.text(
        0.5,
        0.95,
        "\n".join(textwrap.wrap(title, 75)),
        ha="center",
        va="top",
        color=TEXT,
        fontsize=17,
        fontweight="bold",
    )
    _shares(fig.add_axes((0.06, 0.2, 0.5, 0.6)), pre, post, lang)
    _flow(fig.add_axes((0.62, 0.2, 0.35, 0.6)), flows, lang)
    verdict = textwrap.shorten(verdict_text.strip(), 300, placeholder="…")
    fig.text(
        0.5,
        0.09,
        "\n".join(textwrap.wrap(verdict, 120)),
        ha="center",
        va="center",
        color=TEXT,
        fontsize=13,
    )
    return _png(fig)


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes; the figure is cleared afterwards."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Motions and names often hold emoji the bundled font lacks; they render as boxes,
        # which is fine, but a warning per chart would flood the log.
        warnings.filterwarnings("ignore", "Glyph .* missing from", UserWarning)
        fig.savefig(buffer, format="png", dpi=DPI, facecolor=BACKGROUND)
    fig.clear()
    return buffer.getvalue()


def rating_history_chart(
    points: Sequence[tuple[datetime, float, float]], *, title: str, lang: str = ENGLISH
) -> bytes:
    """An 800 by 400 PNG: a rating over time (time, value, sigma) with a shaded ±sigma band,
    its words in ``lang``.

    Points are drawn in time order; points whose value or sigma is not a finite number are
    left out. With no point the chart says so; one point shows as a dot with its band.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    kept = sorted(
        (
            (when, value, abs(sigma))
            for when, value, sigma in points
            if math.isfinite(value) and math.isfinite(sigma)
        ),
        key=lambda point: _days(point[0]),
    )
    fig = Figure(
        figsize=(HISTORY_WIDTH_PX / DPI, HISTORY_HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND
    )
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.13, 0.87, 0.7))
    heading = textwrap.shorten(title.strip() or t("chart.rating", lang), 70, placeholder="…")
    fig.text(0.02, 0.95, heading, ha="left", va="top", color=TEXT, fontsize=14, fontweight="bold")
    _frame(ax, "")
    ax.grid(axis="y", color=BACKGROUND, linewidth=1)
    ax.set_axisbelow(True)
    if not kept:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            t("chart.no_rated_debates", lang),
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=MUTED,
            fontsize=12,
        )
        return _png(fig)
    xs = [_days(when) for when, _, _ in kept]
    values = [value for _, value, _ in kept]
    low = [value - sigma for _, value, sigma in kept]
    high = [value + sigma for _, value, sigma in kept]
    if len(kept) == 1:
        # One debate: a dot and its band, with a day either side so the axis has a span.
        ax.errorbar(xs, values, yerr=[kept[0][2]], fmt="o", color=RATING, capsize=6)
        ax.set_xlim(xs[0] - 1, xs[0] + 1)
    else:
        ax.fill_between(xs, low, high, color=RATING, alpha=0.22, linewidth=0)
        ax.plot(xs, values, color=RATING, linewidth=2, marker="o", markersize=3)
        margin = (xs[-1] - xs[0]) * 0.03 or 1.0
        ax.set_xlim(xs[0] - margin, xs[-1] + margin)
    ticks = _time_ticks(xs[0], xs[-1], lang)
    ax.set_xticks([x for x, _ in ticks], [label for _, label in ticks])
    ax.tick_params(labelsize=10)
    now = f"{values[-1]:.1f} ± {kept[-1][2]:.1f}"
    if len(kept) == 1:
        summary = t("chart.now_one", lang, now=now, count=len(kept))
    else:
        summary = t("chart.now_many", lang, now=now, count=len(kept))
    ax.text(
        0.99,
        1.02,
        summary,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        color=MUTED,
        fontsize=10,
    )
    return _png(fig)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _days(when: datetime) -> float:
    """Days since 1970 (a naive time is taken as UTC): the rating chart's x axis."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return (aware - _EPOCH).total_seconds() / 86_400


_TICK_FORMATS = ((3 * 365, "%Y"), (90, "%b %Y"), (3, "%d %b"), (0, "%d %b %H:%M"))
"""How ticks read by the span of the chart in days: the first whose span is exceeded."""


def _date(moment: datetime, fmt: str, lang: str) -> str:
    """``moment`` as ``strftime`` writes it, with the month's short name (``%b``) in ``lang``."""
    month = t("chart.months", lang).split()[moment.month - 1]
    return moment.strftime(fmt.replace("%b", month))


def _time_ticks(first: float, last: float, lang: str = ENGLISH) -> list[tuple[float, str]]:
    """At most five ticks from ``first`` to ``last`` (days since 1970), labelled for the span."""
    span = last - first
    count = 5 if span > 0 else 1
    fmt = next(fmt for days, fmt in _TICK_FORMATS if span > days) if span > 0 else "%d %b %Y"
    xs = [first + span * i / max(count - 1, 1) for i in range(count)]
    labels = [_date(_EPOCH + timedelta(days=x), fmt, lang) for x in xs]
    # Neighbouring ticks that would read the same (a long span, a coarse label) are merged.
    return [
        (x, label)
        for i, (x, label) in enumerate(zip(xs, labels, strict=True))
        if i == 0 or label != labels[i - 1]
    ]


def _frame(ax: Axes, heading: str) -> None:
    """A dark panel with a heading and no clutter."""
    ax.set_facecolor(PANEL)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(heading, color=TEXT, fontsize=13, loc="left", pad=10)
    ax.tick_params(colors=MUTED, length=0, labelsize=12)


def _shares(ax: Axes, pre: Tally, post: Tally, lang: str) -> None:
    """Grouped bars: each choice's share before (faint) and after (solid) the debate."""
    _frame(ax, t("chart.share", lang))
    width = 0.38
    before, after = t("chart.before_bar", lang), t("chart.after_bar", lang)
    for offset, tally, alpha, when in ((-0.2, pre, 0.45, before), (0.2, post, 1.0, after)):
        xs = [i + offset for i in range(len(_ORDER))]
        heights = [tally.share(c) for c in _ORDER]
        bars = ax.bar(
            xs,
            heights,
            width,
            color=[COLOURS[c] for c in _ORDER],
            alpha=alpha,
        )
        ax.bar_label(
            bars,
            labels=[f"{when}\n{h:.0f}%" for h in heights],
            color=TEXT,
            fontsize=10,
            padding=3,
        )
    ax.set_xticks(range(len(_ORDER)), [choice_label(c, lang) for c in _ORDER])
    ax.set_ylim(0, 118)
    ax.set_yticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"])
    ax.grid(axis="y", color=BACKGROUND, linewidth=1)
    ax.set_axisbelow(True)
    ax.text(
        0.99,
        0.97,
        t("chart.totals", lang, before=pre.total, after=post.total),
        transform=ax.transAxes,
        ha="right",
        va="top",
        color=MUTED,
        fontsize=10,
    )


def _flow(ax: Axes, flows: Mapping[tuple[Choice, Choice], int], lang: str) -> None:
    """Bands from each member's first vote to their second, as wide as the count."""
    moved = sum(flows.values())
    _frame(ax, t("chart.moved", lang, count=moved))
    ax.set_xlim(-0.45, 1.45)
    ax.set_ylim(-0.6, 2.6)
    ax.set_xticks([0, 1], [t("chart.before", lang), t("chart.after", lang)])
    ax.set_yticks([])
    if moved == 0:
        ax.text(
            0.5,
            1.0,
            t("chart.nobody_moved", lang),
            ha="center",
            va="center",
            color=MUTED,
            fontsize=12,
        )
        return
    biggest = max(flows.values())
    steps = [i / 24 for i in range(25)]
    for (before, after), count in flows.items():
        if count <= 0:
            continue
        y0, y1 = _ROW[before], _ROW[after]
        ys = [y0 + (y1 - y0) * (3 * s * s - 2 * s * s * s) for s in steps]
        ax.plot(
            [0.08 + 0.84 * s for s in steps],
            ys,
            color=COLOURS[before],
            linewidth=2 + 22 * count / biggest,
            alpha=0.55,
            solid_capstyle="butt",
        )
        s = 0.3
        ax.text(
            0.08 + 0.84 * s,
            y0 + (y1 - y0) * (3 * s * s - 2 * s * s * s),
            str(count),
            ha="center",
            va="center",
            color=TEXT,
            fontsize=10,
            fontweight="bold",
        )
    for choice in _ORDER:
        out = sum(n for (b, _), n in flows.items() if b is choice)
        into = sum(n for (_, a), n in flows.items() if a is choice)
        for x, n, ha in ((0.0, out, "right"), (1.0, into, "left")):
            ax.text(
                x + (-0.06 if ha == "right" else 0.06),
                _ROW[choice],
                f"{choice_label(choice, lang)}\n{n}",
                ha=ha,
                va="center",
                color=COLOURS[choice],
                fontsize=11,
                fontweight="bold",
            )
