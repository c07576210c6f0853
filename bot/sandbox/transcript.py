"""What a member sees in a server's channels and threads, written out as plain text.

A message becomes a few lines: its author, its content with mentions and ``<t:…>`` stamps
shown the way a Discord client shows them, each embed as a bar-marked box (title,
description, fields, image, footer), each row of buttons as ``[Join For] [Join Against]``
and each attachment by name. A private (ephemeral) reply says whom it is for. Markdown stays
as typed, except the backslashes that only escape it.

``Transcript`` follows a ``LocalDiscord`` server: each ``flush`` writes the messages that
appeared since the last one, and those whose text changed, in the order they were posted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.sandbox.emulator import LocalDiscord
from bot.sandbox.models import Message

BAR = "┃ "
INDENT = "    "

_MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")
_COMMAND = re.compile(r"</([\w\- ]+):\d+>")
_STAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_ESCAPED = re.compile(r"\\([\\*_`~|>#\-\[\]()+.!])")
_SYSTEM = {18: "started a thread", 21: "thread starter message"}
_SELECTS = {3, 5, 6, 7, 8}


@dataclass
class Directory:
    """The names a member's client shows for ids: users, channels and roles."""

    users: Mapping[int, str] = field(default_factory=dict)
    channels: Mapping[int, str] = field(default_factory=dict)
    roles: Mapping[int, str] = field(default_factory=dict)


def relative(seconds: float) -> str:
    """A span from now as Discord's ``<t:…:R>`` reads: "in 6 minutes", "2 hours ago"."""
    span = abs(seconds)
    if span < 45:
        amount, unit = round(span), "second"
    elif span < 45 * 60:
        amount, unit = round(span / 60), "minute"
    elif span < 22 * 3600:
        amount, unit = round(span / 3600), "hour"
    else:
        amount, unit = round(span / 86400), "day"
    words = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"in {words}" if seconds >= 0 else f"{words} ago"


def stamp(when: datetime, style: str, now: datetime) -> str:
    """A ``<t:…:style>`` timestamp as a client in UTC shows it."""
    if style == "R":
        return relative((when - now).total_seconds())
    formats = {
        "t": "%H:%M",
        "T": "%H:%M:%S",
        "d": "%d/%m/%Y",
        "D": "%d %B %Y",
        "f": "%d %B %Y %H:%M",
        "F": "%A, %d %B %Y %H:%M",
    }
    return when.strftime(formats[style])


def resolve(text: str, names: Directory, now: datetime) -> str:
    """Message text with mentions, command links and timestamps as a member reads them."""

    def mention(match: re.Match[str]) -> str:
        kind, raw = match[1], int(match[2])
        if kind == "#":
            return names.channels.get(raw, "#unknown")
        table = names.roles if kind == "@&" else names.users
        return "@" + table.get(raw, "unknown")

    def when(match: re.Match[str]) -> str:
        moment = datetime.fromtimestamp(int(match[1]), UTC)
        return stamp(moment, match[2] or "f", now)

    text = _MENTION.sub(mention, text)
    text = _COMMAND.sub(lambda m: "/" + m[1], text)
    text = _STAMP.sub(when, text)
    return _ESCAPED.sub(r"\1", text)


def render_embed(embed: Mapping[str, Any], names: Directory, now: datetime) -> list[str]:
    """An embed as bar-marked lines: author, title, description, fields, image, footer."""
    lines: list[str] = []

    def add(text: str, prefix: str = "") -> None:
        for line in resolve(text, names, now).splitlines() or [""]:
            lines.append(BAR + prefix + line)

    if embed.get("author", {}).get("name"):
        add(embed["author"]["name"])
    if embed.get("title"):
        add(f"**{embed['title']}**")
    if embed.get("description"):
        add(embed["description"])
    for item in embed.get("fields", []):
        add(f"▸ {item['name']}")
        add(item["value"], "  ")
    for key in ("image", "thumbnail"):
        url = embed.get(key, {}).get("url")
        if url:
            add(f"🖼 {url.removeprefix('attachment://')}")
    if embed.get("footer", {}).get("text"):
        add(f"— {embed['footer']['text']}")
    return lines


def _label(component: Mapping[str, Any]) -> str:
    emoji = component.get("emoji") or {}
    text = " ".join(part for part in (emoji.get("name"), component.get("label")) if part)
    if component.get("url"):
        text += " ↗"
    if component.get("disabled"):
        text += " (disabled)"
    return f"[{text}]"


def _select(component: Mapping[str, Any]) -> list[str]:
    lines = [f"[▾ {component.get('placeholder') or 'Choose'}]"]
    for option in component.get("options", []):
        mark = "◉" if option.get("default") else "○"
        lines.append(f"  {mark} {option.get('label', '')}")
    return lines


def render_components(
    components: Iterable[Mapping[str, Any]], names: Directory, now: datetime
) -> list[str]:
    """Rows of buttons as ``[Label] [Label]``, menus with their options, text as text."""
    lines: list[str] = []
    for component in components:
        kind = component.get("type")
        children = component.get("components", [])
        if kind == 1:
            buttons = [c for c in children if c.get("type") == 2]
            if buttons:
                lines.append(" ".join(_label(b) for b in buttons))
            for menu in (c for c in children if c.get("type") in _SELECTS):
                lines.extend(_select(menu))
        elif kind == 2:
            lines.append(_label(component))
        elif kind in _SELECTS:
            lines.extend(_select(component))
        elif kind == 10:
            lines.extend(resolve(component.get("content", ""), names, now).splitlines())
        else:
            nested = list(children)
            for key in ("accessory", "component"):
                if key in component:
                    nested.append(component[key])
            lines.extend(render_components(nested, names, now))
    return lines


def render_message(
    message: Message, names: Directory, now: datetime, *, edited: bool = False
) -> list[str]:
    """A message as a member sees it: a heading line, then its indented body."""
    author = names.users.get(message.author_id, message.author.name)
    notes = []
    if message.ephemeral and message.visible_to is not None:
        notes.append(f"only {names.users.get(message.visible_to, 'you')} can see this")
    if edited:
        notes.append("edited")
    heading = author + (f" ({', '.join(notes)})" if notes else "") + ":"
    body: list[str] = []
    if message.type in _SYSTEM:
        body.append(f"({_SYSTEM[message.type]}{': ' + message.content if message.content else ''})")
    elif message.content:
        body.extend(resolve(message.content, names, now).splitlines())
    for embed in message.embeds:
        body.extend(render_embed(embed, names, now))
    body.extend(render_components(message.components, names, now))
    for attachment in message.attachments:
        size = attachment.get("size")
        shown = f" ({_size(size)})" if isinstance(size, int) else ""
        body.append(f"📎 {attachment.get('filename', 'file')}{shown}")
    return [heading, *(INDENT + line for line in body or ["(empty)"])]


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.0f} KB"


def _shown(message: Message) -> tuple[str, str]:
    """What a member reads of a message: its text and its embeds (not its buttons)."""
    return message.content, repr(message.embeds)


class Transcript:
    """Writes what members see in one server of a ``LocalDiscord``, a little at a time."""

    def __init__(
        self,
        local: LocalDiscord,
        guild_id: int,
        now: Callable[[], datetime],
        write: Callable[[str], None],
    ) -> None:
        self._local = local
        self._guild_id = guild_id
        self._now = now
        self._write = write
        self._seen: dict[int, tuple[str, str]] = {}
        self._where: int | None = None

    def directory(self) -> Directory:
        """The server's names as they are now (threads appear as they are opened)."""
        world = self._local.world
        guild = world.guilds[self._guild_id]
        users = {
            user_id: member.nick or member.user.name for user_id, member in guild.members.items()
        }
        users[world.bot.id] = world.bot.name
        channels = {}
        for channel in world.channels.values():
            if channel.guild_id != self._guild_id:
                continue
            parent = world.channels.get(channel.parent_id or 0)
            if channel.is_thread and parent is not None:
                channels[channel.id] = f"#{parent.name} / {channel.name}"
            else:
                channels[channel.id] = f"#{channel.name}"
        roles = {role_id: role.name for role_id, role in guild.roles.items()}
        return Directory(users=users, channels=channels, roles=roles)

    def note(self, text: str) -> None:
        """Say what a member does (a command, a click), as a line of its own."""
        self._write(f"▸ {text}")

    def section(self, title: str) -> None:
        """Start a part of the night, with the time on the server's clock."""
        self._where = None
        self._write(f"\n═══ {self._now():%H:%M:%S} · {title} ═══")

    def flush(self) -> list[Message]:
        """Write the messages posted, and those whose text changed, since the last flush."""
        world = self._local.world
        names = self.directory()
        changed: list[tuple[Message, bool]] = []
        for channel_id in names.channels:
            for message in self._local.messages(channel_id):
                shown = _shown(message)
                before = self._seen.get(message.id)
                if before != shown:
                    changed.append((message, before is not None))
                    self._seen[message.id] = shown
        changed.sort(key=lambda pair: pair[0].id)
        now = self._now()
        for message, edited in changed:
            if message.channel_id != self._where:
                self._where = message.channel_id
                label = names.channels.get(message.channel_id, "#unknown")
                kind = "thread" if world.channels[message.channel_id].is_thread else "channel"
                self._write(f"\n── {label} ({kind}) ──")
            self._write("\n".join(render_message(message, names, now, edited=edited)))
        return [message for message, _ in changed]
