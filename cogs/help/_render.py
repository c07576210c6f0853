"""What ``/help`` and the welcome say.

The list of commands is read from the bot's command tree, so a command added later shows
up by itself (under "More commands" until it is given a task here), and its description
and who may use it are the ones Discord shows, in the member's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import discord

from bot.i18n import t
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
    """What it does, in the language of the member who asked."""
    access: Access | None


@dataclass(frozen=True, slots=True)
class Task:
    """A group of commands that serve one task."""

    title: Callable[[str], str]
    """Its heading in a language."""
    prefixes: tuple[str, ...]
    """Command names (or their first words) that belong here."""
    tip: Callable[[str], str] | None = None
    """A line on how the task goes, in a language."""


TASKS: tuple[Task, ...] = (
    Task(
        lambda lang: f"{ICONS.debaters} {t('help.task.debate', lang)}",
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
        lambda lang: t("help.tip.debate", lang),
    ),
    Task(
        lambda lang: f"{ICONS.vote} {t('help.task.vote', lang)}",
        ("debate judge", "debate ballot"),
        lambda lang: t("help.tip.vote", lang),
    ),
    Task(lambda lang: f"{ICONS.motion} {t('help.task.motions', lang)}", ("motion",)),
    Task(lambda lang: f"{ICONS.schedule} {t('help.task.nights', lang)}", ("schedule",)),
    Task(
        lambda lang: f"{ICONS.rating} {t('help.task.ratings', lang)}",
        ("stats", "history", "leaderboard", "season"),
    ),
    Task(
        lambda lang: f"{ICONS.settings} {t('help.task.settings', lang)}",
        ("config", "settings", "help"),
    ),
)


def example(name: str, lang: str) -> str | None:
    """How a member types the command ``name``, when that says more than its name."""
    match name:
        case "debate new":
            return t("help.example.debate_new", lang)
        case "debate judge":
            return t("help.example.debate_judge", lang)
        case "motion submit":
            return t("help.example.motion_submit", lang)
        case "schedule create":
            return t("help.example.schedule_create", lang)
        case "stats":
            return t("help.example.stats", lang)
    return None


def intro(lang: str) -> str:
    """What Agora does and how to start, above the commands."""
    note = t("help.moderated_note", lang, icon=ICONS.moderator)
    return f"{t('help.intro', lang)}\n{note}"


def task_of(name: str) -> Task | None:
    """The task a command belongs to (None: "More commands")."""
    for task in TASKS:
        if any(name == p or name.startswith(p + " ") for p in task.prefixes):
            return task
    return None


def _line(entry: Entry, lang: str) -> str:
    mark = f" {ICONS.moderator}" if entry.access is not None and entry.access.moderated else ""
    line = f"`/{entry.name}`{mark} · {entry.description}"
    shown = example(entry.name, lang)
    if shown:
        line += "\n  " + t("help.example_line", lang, example=shown)
    return line


def _fields(title: str, lines: Sequence[str], lang: str) -> list[tuple[str, str]]:
    """``lines`` under ``title``, split into fields of at most 1024 characters."""
    fields: list[tuple[str, str]] = []
    current: list[str] = []
    more = t("help.more", lang, title=title)
    for line in lines:
        line = line[:FIELD_LIMIT]
        if current and len("\n".join([*current, line])) > FIELD_LIMIT:
            fields.append((title if not fields else more, "\n".join(current)))
            current = []
        current.append(line)
    if current:
        fields.append((title if not fields else more, "\n".join(current)))
    return fields


def help_embed(entries: Iterable[Entry], lang: str) -> discord.Embed:
    """Every command grouped by task, with examples, within Discord's embed limits."""
    grouped: dict[Task | None, list[Entry]] = {task: [] for task in TASKS}
    grouped[None] = []
    for entry in sorted(entries, key=lambda e: e.name):
        grouped[task_of(entry.name)].append(entry)
    text = intro(lang)
    embed = discord.Embed(title=t("help.title", lang), description=text, colour=BRAND)
    footer = t("help.footer", lang)
    used = len(embed.title or "") + len(text) + len(footer)
    for task, members in grouped.items():
        if not members:
            continue
        title = task.title(lang) if task is not None else t("help.task.other", lang)
        tip = [f"*{task.tip(lang)}*"] if task is not None and task.tip is not None else []
        lines = tip + [_line(e, lang) for e in members]
        for name, value in _fields(title, lines, lang):
            if len(embed.fields) >= FIELDS_MAX or used + len(name) + len(value) > EMBED_TOTAL:
                break
            embed.add_field(name=name, value=value, inline=False)
            used += len(name) + len(value)
    embed.set_footer(text=footer)
    return embed


def welcome_text(guild_name: str, lang: str) -> str:
    """The short note posted when Agora joins a server: how to start."""
    name = discord.utils.escape_markdown(guild_name)[:100]
    return t("help.welcome", lang, icon=ICONS.welcome, server=name)
