"""The results picture of a debate's audience vote, drawn for Discord's dark theme.

Drawn with matplotlib's object API (``Figure`` + ``FigureCanvasAgg``), so no pyplot global
state is touched and nothing needs a display; the figure is dropped after rendering.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.domain.votes import Choice, Tally

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_PX, HEIGHT_PX, DPI = 1200, 675, 100

BACKGROUND = "#313338"  # Discord's dark message background
PANEL = "#2b2d31"
TEXT = "#dbdee1"
MUTED = "#949ba4"
COLOURS: dict[Choice, str] = {
    Choice.FOR: "#57f287",
    Choice.AGAINST: "#ed4245",
    Choice.UNDECIDED: "#b5bac1",
}

_ORDER = (Choice.FOR, Choice.AGAINST, Choice.UNDECIDED)
_ROW = {Choice.FOR: 2.0, Choice.AGAINST: 1.0, Choice.UNDECIDED: 0.0}  # flow panel, top first


def results_chart(
    motion: str,
    pre: Tally,
    post: Tally,
    flows: Mapping[tuple[Choice, Choice], int],
    verdict_text: str,
) -> bytes:
    """A 1200 by 675 PNG: pre and post shares side by side, how voters moved, the verdict."""
    # matplotlib takes 0.4 s to import: loaded at the first result, not at every start-up.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    title = textwrap.shorten(motion.strip() or "Untitled motion", 160, placeholder="…")
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
    _shares(fig.add_axes((0.06, 0.2, 0.5, 0.6)), pre, post)
    _flow(fig.add_axes((0.62, 0.2, 0.35, 0.6)), flows)
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
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Motions often hold emoji the bundled font lacks; they render as boxes, which is
        # fine, but a warning per chart would flood the log.
        warnings.filterwarnings("ignore", "Glyph .* missing from", UserWarning)
        fig.savefig(buffer, format="png", dpi=DPI, facecolor=BACKGROUND)
    fig.clear()
    return buffer.getvalue()


def _frame(ax: Axes, heading: str) -> None:
    """A dark panel with a heading and no clutter."""
    ax.set_facecolor(PANEL)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(heading, color=TEXT, fontsize=13, loc="left", pad=10)
    ax.tick_params(colors=MUTED, length=0, labelsize=12)


def _shares(ax: Axes, pre: Tally, post: Tally) -> None:
    """Grouped bars: each choice's share before (faint) and after (solid) the debate."""
    _frame(ax, "Share of the vote")
    width = 0.38
    for offset, tally, alpha, when in ((-0.2, pre, 0.45, "Before"), (0.2, post, 1.0, "After")):
        xs = [i + offset for i in range(len(_ORDER))]
        heights = [tally.share(c) for c in _ORDER]
        bars = ax.bar(
            xs,
            heights,
            width,
            color=[COLOURS[c] for c in _ORDER],
            alpha=alpha,
            label=f"{when} ({tally.total} votes)",
        )
        ax.bar_label(
            bars,
            labels=[f"{when.lower()}\n{h:.0f}%" for h in heights],
            color=TEXT,
            fontsize=10,
            padding=3,
        )
    ax.set_xticks(range(len(_ORDER)), [c.label for c in _ORDER])
    ax.set_ylim(0, 118)
    ax.set_yticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"])
    ax.grid(axis="y", color=BACKGROUND, linewidth=1)
    ax.set_axisbelow(True)
    ax.text(
        0.99,
        0.97,
        f"before: {pre.total} votes · after: {post.total} votes",
        transform=ax.transAxes,
        ha="right",
        va="top",
        color=MUTED,
        fontsize=10,
    )


def _flow(ax: Axes, flows: Mapping[tuple[Choice, Choice], int]) -> None:
    """Bands from each member's first vote to their second, as wide as the count."""
    moved = sum(flows.values())
    _frame(ax, f"Members who voted twice ({moved}): how they moved")
    ax.set_xlim(-0.45, 1.45)
    ax.set_ylim(-0.6, 2.6)
    ax.set_xticks([0, 1], ["Before", "After"])
    ax.set_yticks([])
    if moved == 0:
        ax.text(
            0.5,
            1.0,
            "Nobody voted both before and after.",
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
        ys = [y0 + (y1 - y0) * (3 * t * t - 2 * t * t * t) for t in steps]
        ax.plot(
            [0.08 + 0.84 * t for t in steps],
            ys,
            color=COLOURS[before],
            linewidth=2 + 22 * count / biggest,
            alpha=0.55,
            solid_capstyle="butt",
        )
        t = 0.3
        ax.text(
            0.08 + 0.84 * t,
            y0 + (y1 - y0) * (3 * t * t - 2 * t * t * t),
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
                f"{choice.label}\n{n}",
                ha=ha,
                va="center",
                color=COLOURS[choice],
                fontsize=11,
                fontweight="bold",
            )
