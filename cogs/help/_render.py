"""What ``/help`` and the welcome say.

The list of commands is read from the bot's command tree, so a command added later shows
up by itself (under "More commands" until it is given a task here), and its description
and who may use it are the ones Discord shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord

from bot.ui.access import Access
from bot.ui.style import BRAND, ICONS

EMBED_TOTAL = 6000
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
FIELDS_MAX = 25


@dataclass(frozen=True, slots=True)
class Entry:
    """A leaf command as ``/help`` lists it."""

    name: str
    """Its full name, e.g. "debate new"."""
    description: str
    access: Access | None


@dataclass(frozen=True, slots=True)
class Task:
    """A group of commands that serve one task."""

    title: str
    prefixes: tuple[str, ...]
    """Command names (or their first words) that belong here."""
    tip: str = ""


TASKS: tuple[Task, ...] = (
    Task(
        f"{ICONS.debaters} Run a debate",
        (
            "debate new",
            "debate status",
            "debate source",
            "debate start",
            "debate rated",
            "debate cancel",
            "debate export",
            "format",
        ),
        "Open a lobby, let members join a side, then start it: speaking turns and the "
        "clock run in the debate's thread.",
    ),
    Task(
        f"{ICONS.vote} Vote and judge",
        ("debate judge", "debate ballot"),
        "The audience votes with the buttons under a debate, before and after; the "
        "result is posted with a chart.",
    ),
    Task(f"{ICONS.motion} Motion bank", ("motion",)),
    Task(f"{ICONS.schedule} Debate nights", ("schedule",)),
    Task(f"{ICONS.rating} Ratings", ("stats", "history", "leaderboard", "season")),
    Task(f"{ICONS.settings} Server settings", ("config", "settings", "help")),
)
OTHER = "More commands"

EXAMPLES: dict[str, str] = {
    "debate new": "/debate new motion: This House would ban homework",
    "debate start": "/debate start",
    "debate judge": "/debate judge member: @Sam",
    "format list": "/format list",
    "motion submit": "/motion submit motion: This House would abolish zoos",
    "motion list": "/motion list",
    "schedule create": "/schedule create name: Thursday debates weekday: Thursday time: 20:00",
    "stats": "/stats member: @Sam",
    "leaderboard show": "/leaderboard show",
    "config": "/config",
}
MODERATED_NOTE = f"{ICONS.moderator} = for moderators (Manage Server, the moderator role, or "
MODERATED_NOTE += "for a debate its creator)."

INTRO = (
    "Agora runs structured debates in your server: members sign up for a side, speakers "
    "take timed turns in a thread, the audience votes before and after, and results feed "
    "ratings and leaderboards.\n\n"
    "**Start here:** `/debate new motion: This House would ban homework`, then press "
    "**Join For** or **Join Against**; the creator presses **Start**.\n"
    f"{MODERATED_NOTE}"
)


def task_of(name: str) -> str:
    """The title of the task a command belongs to."""
    for task in TASKS:
        if any(name == p or name.startswith(p + " ") for p in task.prefixes):
            return task.title
    return OTHER


def _line(entry: Entry) -> str:
    mark = f" {ICONS.moderator}" if entry.access is not None and entry.access.moderated else ""
    line = f"`/{entry.name}`{mark} · {entry.description}"
    example = EXAMPLES.get(entry.name)
    if example and example != f"/{entry.name}":
        line += f"\n  e.g. `{example}`"
    return line


def _fields(title: str, lines: Sequence[str]) -> list[tuple[str, str]]:
    """``lines`` under ``title``, split into fields of at most 1024 characters."""
    fields: list[tuple[str, str]] = []
    current: list[str] = []
    for line in lines:
        line = line[:FIELD_LIMIT]
        if current and len("\n".join([*current, line])) > FIELD_LIMIT:
            fields.append((title if not fields else f"{title} (more)", "\n".join(current)))
            current = []
        current.append(line)
    if current:
        fields.append((title if not fields else f"{title} (more)", "\n".join(current)))
    return fields


def help_embed(entries: Iterable[Entry]) -> discord.Embed:
    """Every command grouped by task, with examples, within Discord's embed limits."""
    grouped: dict[str, list[Entry]] = {task.title: [] for task in TASKS}
    grouped[OTHER] = []
    for entry in sorted(entries, key=lambda e: e.name):
        grouped[task_of(entry.name)].append(entry)
    tips = {task.title: task.tip for task in TASKS}
    embed = discord.Embed(title="Agora: debates in your server", description=INTRO, colour=BRAND)
    footer = "Every command answers with what went wrong and how to fix it."
    used = len(embed.title or "") + len(INTRO) + len(footer)
    for title, members in grouped.items():
        if not members:
            continue
        lines = ([f"*{tips[title]}*"] if tips.get(title) else []) + [_line(e) for e in members]
        for name, value in _fields(title, lines):
            if len(embed.fields) >= FIELDS_MAX or used + len(name) + len(value) > EMBED_TOTAL:
                break
            embed.add_field(name=name, value=value, inline=False)
            used += len(name) + len(value)
    embed.set_footer(text=footer)
    return embed


def welcome_text(guild_name: str) -> str:
    """The short note posted when Agora joins a server: how to start."""
    name = discord.utils.escape_markdown(guild_name)[:100]
    return (
        f"{ICONS.welcome} Thanks for adding **Agora** to **{name}**! Agora runs structured "
        "debates: sides, timed speaking turns, audience votes and ratings.\n"
        "• Start a debate: `/debate new motion: This House would ban homework`\n"
        "• See every command with examples: `/help`\n"
        "• Moderators: choose the moderator role, debate channel, format and time zone "
        "with `/config`"
    )
