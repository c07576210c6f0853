"""``python -m bot doctor``: check what Agora needs before it runs, and say what to fix.

The checks are pure functions of what was fetched: the token's shape, the application's
flags (the Message Content intent), the bot's effective permissions in every channel the
database refers to, and the database's migration state. ``diagnose`` fetches (Discord's REST
API at ``settings.discord_api_base``, the database at ``settings.database_url``) and runs
them; a check that cannot run because an earlier one failed is skipped, not failed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import discord
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from bot.db.database import Database, alembic_config
from bot.db.models import DebateRow, GuildSettingsRow, ScheduleRow
from bot.settings import Settings

INVITE_PERMISSIONS = 317831867456
"""The permissions integer of the invite link in the README."""

TEXT_CHANNEL_NEEDS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    read_message_history=True,
    create_public_threads=True,
    send_messages_in_threads=True,
    manage_messages=True,
    add_reactions=True,
)
"""What the bot needs in a channel where debates are opened and nights announced."""

VOICE_CHANNEL_NEEDS = discord.Permissions(view_channel=True, mute_members=True, manage_events=True)
"""What the bot needs in the voice or stage channel of a debate night."""

MESSAGE_CONTENT_INTENTS = (1 << 18) | (1 << 19)
"""GATEWAY_MESSAGE_CONTENT and GATEWAY_MESSAGE_CONTENT_LIMITED: either one switches it on."""

_ADMINISTRATOR = 1 << 3
_VIEW_CHANNEL = 1 << 10
_SEND_MESSAGES = 1 << 11
_ALL = (1 << 53) - 1
# Without Send Messages, Discord also takes away what only makes sense when sending.
_NEEDS_SEND = (1 << 12) | (1 << 14) | (1 << 15) | (1 << 17)  # TTS, embeds, files, @everyone
_VOICE_TYPES = frozenset({2, 13})
_PART = re.compile(r"[A-Za-z0-9_-]+")
_UPGRADE = "run `python -m bot db upgrade`"
_INVITE = (
    f"invite the bot again with the link in the README (permissions integer {INVITE_PERMISSIONS})"
)


@dataclass(frozen=True)
class Check:
    """One check's outcome: fine (``problem`` is None), a problem with its fix, or skipped."""

    name: str
    problem: str | None = None
    fix: str = ""
    detail: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        """True unless the check found a problem."""
        return self.problem is None

    def line(self) -> str:
        """The check as one line of the report."""
        if self.skipped:
            return f"SKIP  {self.name}: {self.detail}"
        if self.problem is None:
            return f"OK    {self.name}" + (f": {self.detail}" if self.detail else "")
        return f"FAIL  {self.name}: {self.problem}. Fix: {self.fix}"


def _skip(name: str, why: str) -> Check:
    return Check(name, detail=f"not checked: {why}", skipped=True)


# --- Pure checks -----------------------------------------------------------------------------


def token_user_id(token: str) -> int | None:
    """The user id a bot token's first part encodes, or None if the token has another shape."""
    parts = token.split(".")
    if len(parts) != 3 or not all(_PART.fullmatch(part) for part in parts):
        return None
    try:
        first = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4))
    except (binascii.Error, ValueError):
        return None
    text = first.decode("ascii", "replace")
    return int(text) if text.isdigit() and len(text) <= 20 else None


def check_token(token: str | None) -> Check:
    """A token is three dot-separated base64url parts, the first the bot's user id."""
    name = "token"
    where = "copy it again from the Developer Portal (your application, Bot, Reset Token)"
    if token is None or not token.strip():
        return Check(name, "DISCORD_TOKEN is not set", f"set DISCORD_TOKEN: {where}")
    token = token.strip()
    if token.lower().startswith("bot "):
        return Check(name, "DISCORD_TOKEN starts with 'Bot '", "remove the 'Bot ' prefix")
    user_id = token_user_id(token)
    if user_id is None:
        return Check(
            name,
            "DISCORD_TOKEN is not shaped like a bot token (three dot-separated parts, the "
            "first the bot's user id in base64)",
            f"{where}; the client secret and the public key are not the token",
        )
    return Check(name, detail=f"well formed, for user {user_id}")


def check_login(status: int, user: dict[str, Any] | None) -> Check:
    """Discord must accept the token (``GET /users/@me``) and it must be a bot's."""
    name = "login"
    if status == 401:
        return Check(
            name,
            "Discord rejected DISCORD_TOKEN",
            "copy it again from the Developer Portal (your application, Bot, Reset Token)",
        )
    if status != 200 or user is None:
        return Check(name, f"Discord answered HTTP {status}", "check DISCORD_API_BASE, retry")
    if not user.get("bot"):
        return Check(name, "DISCORD_TOKEN is a user's token, not a bot's", "use the bot's token")
    return Check(name, detail=f"logged in as {user.get('username')} ({user.get('id')})")


def check_intents(flags: int) -> Check:
    """The application must have the privileged Message Content intent switched on."""
    if flags & MESSAGE_CONTENT_INTENTS:
        return Check("intents", detail="Message Content is on")
    return Check(
        "intents",
        "the privileged Message Content intent is off, so the bot cannot read debate messages",
        "switch on Message Content under Bot, Privileged Gateway Intents, in the Developer Portal",
    )


def effective_permissions(
    *,
    guild_id: int,
    owner_id: int,
    user_id: int,
    member_roles: Iterable[int],
    role_permissions: dict[int, int],
    overwrites: Sequence[dict[str, Any]] | None = None,
) -> int:
    """A member's permissions in a guild (no ``overwrites``) or a channel, as Discord computes."""
    if user_id == owner_id:
        return _ALL
    roles = set(member_roles)
    permissions = role_permissions.get(guild_id, 0)
    for role_id in roles:
        permissions |= role_permissions.get(role_id, 0)
    if permissions & _ADMINISTRATOR:
        return _ALL
    if overwrites is None:
        return permissions
    by_id = {int(o["id"]): o for o in overwrites}
    everyone = by_id.get(guild_id)
    if everyone is not None:
        permissions = (permissions & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in roles:
        overwrite = by_id.get(role_id)
        if overwrite is not None and int(overwrite.get("type", 0)) == 0:
            allow |= int(overwrite["allow"])
            deny |= int(overwrite["deny"])
    permissions = (permissions & ~deny) | allow
    own = by_id.get(user_id)
    if own is not None and int(own.get("type", 1)) == 1:
        permissions = (permissions & ~int(own["deny"])) | int(own["allow"])
    if not permissions & _VIEW_CHANNEL:
        return 0
    if not permissions & _SEND_MESSAGES:
        permissions &= ~_NEEDS_SEND
    return permissions


def permission_names(bits: int) -> list[str]:
    """The names of these permissions as Discord's settings show them."""
    # discord.py's canonical names are the older ones (read_messages for View Channels).
    shown = {
        "read_messages": "View Channels",
        "external_emojis": "Use External Emojis",
        "external_stickers": "Use External Stickers",
        "send_messages_in_threads": "Send Messages in Threads",
    }
    return [
        shown.get(name, name.replace("_", " ").title())
        for name, on in discord.Permissions(bits)
        if on
    ]


def check_guild_permissions(guild: str, permissions: int) -> Check:
    """The bot's roles must grant, server-wide, every permission of the invite link."""
    name = f"permissions in {guild}"
    missing = INVITE_PERMISSIONS & ~permissions
    if not missing:
        return Check(name, detail="the bot's roles grant everything it needs")
    return Check(
        name,
        f"the bot's roles lack {', '.join(permission_names(missing))}",
        f"grant them to the bot's role in Server Settings, Roles, or {_INVITE}",
    )


def check_channel_permissions(
    channel: str, *, base: int, effective: int, needed: discord.Permissions
) -> Check:
    """The bot must have what it needs in a channel; says whether roles or overwrites deny it."""
    name = f"permissions in {channel}"
    missing = needed.value & ~effective
    if not missing:
        return Check(name, detail="all needed permissions")
    names = ", ".join(permission_names(missing))
    if missing & ~base:
        fix = f"grant {names} to the bot's role in Server Settings, Roles, or {_INVITE}"
    else:
        fix = (
            f"in {channel}'s settings, Permissions, allow {names} for the bot or its role "
            "(a channel overwrite denies them)"
        )
    return Check(name, f"the bot lacks {names}", fix)


def check_migrations(current: Sequence[str], heads: Sequence[str], known: set[str]) -> Check:
    """The database must be at the newest migration this code ships."""
    name = "database"
    if not current:
        return Check(name, "the database has no schema (no migration applied)", _UPGRADE)
    unknown = [revision for revision in current if revision not in known]
    if unknown:
        return Check(
            name,
            f"the database is at revision {', '.join(unknown)}, which this code does not know "
            "(a newer version of Agora migrated it)",
            "run the newer version of Agora, or restore a backup made with this one",
        )
    if set(current) != set(heads):
        return Check(
            name,
            f"the database is at revision {', '.join(current)}, not the newest "
            f"({', '.join(heads)})",
            _UPGRADE,
        )
    return Check(name, detail=f"migrated to the newest revision ({', '.join(heads)})")


# --- What the database refers to -------------------------------------------------------------


@dataclass(frozen=True)
class ConfiguredChannel:
    """A channel the database refers to, and why."""

    guild_id: int
    channel_id: int
    why: str
    voice: bool = False


@dataclass(frozen=True)
class Configuration:
    """The servers and channels the database refers to."""

    guild_ids: frozenset[int]
    channels: tuple[ConfiguredChannel, ...]


async def configured(db: Database) -> Configuration:
    """The servers with settings, schedules or open debates, and their channels."""
    channels: dict[tuple[int, bool], ConfiguredChannel] = {}
    guilds: set[int] = set()
    async with db.read() as session:
        settings = await session.exec(
            select(GuildSettingsRow.guild_id, GuildSettingsRow.debate_channel_id)
        )
        for guild_id, debate_channel_id in settings:
            guilds.add(guild_id)
            if debate_channel_id is not None:
                key = (debate_channel_id, False)
                channels.setdefault(key, ConfiguredChannel(guild_id, key[0], "debate channel"))
        schedules = await session.exec(
            select(ScheduleRow).where(col(ScheduleRow.cancelled).is_(False))
        )
        for schedule in schedules:
            guilds.add(schedule.guild_id)
            why = f"schedule {schedule.name!r}"
            if schedule.channel_id is not None:
                key = (schedule.channel_id, False)
                channels.setdefault(key, ConfiguredChannel(schedule.guild_id, key[0], why))
            if schedule.voice_channel_id is not None:
                key = (schedule.voice_channel_id, True)
                channels.setdefault(key, ConfiguredChannel(schedule.guild_id, key[0], why, True))
        debates = await session.exec(select(DebateRow).where(col(DebateRow.closed_at).is_(None)))
        for debate in debates:
            guilds.add(debate.guild_id)
            key = (debate.channel_id, False)
            why = f"open debate #{debate.id}"
            channels.setdefault(key, ConfiguredChannel(debate.guild_id, key[0], why))
    ordered = sorted(channels.values(), key=lambda c: (c.guild_id, c.channel_id, c.voice))
    return Configuration(frozenset(guilds), tuple(ordered))


def _revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


async def migration_state(db: Database) -> tuple[tuple[str, ...], tuple[str, ...], set[str]]:
    """The database's current revisions, this code's heads, and every revision it knows."""
    script = ScriptDirectory.from_config(alembic_config(str(db.engine.url)))
    async with db.engine.connect() as connection:
        current = await connection.run_sync(_revisions)
    known = {revision.revision for revision in script.walk_revisions()}
    return current, tuple(script.get_heads()), known


# --- Discord ---------------------------------------------------------------------------------


class _Api:
    """The few REST reads the doctor needs."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self._session = session
        self._base = base

    async def get(self, path: str) -> tuple[int, Any]:
        """Status and JSON body of ``GET path``, waiting out one rate limit."""
        for _attempt in range(3):
            async with self._session.get(self._base + path) as response:
                body = await response.json(content_type=None) if response.content_length else None
                if response.status != 429:
                    return response.status, body
                retry_after = float((body or {}).get("retry_after", 1.0))
            await asyncio.sleep(min(retry_after, 5.0))
        return 429, None


def _channel_label(channel: dict[str, Any] | None, configured: ConfiguredChannel) -> str:
    name = f"#{channel['name']}" if channel and channel.get("name") else "channel"
    return f"{name} ({configured.channel_id}, {configured.why})"


async def _guild_checks(
    api: _Api, bot_id: int, guild_id: int, channels: list[ConfiguredChannel]
) -> list[Check]:
    status, guild = await api.get(f"/guilds/{guild_id}")
    if status != 200:
        return [
            Check(
                f"server {guild_id}",
                f"the bot cannot see this server (HTTP {status}), which the database refers to",
                _INVITE,
            )
        ]
    _, roles = await api.get(f"/guilds/{guild_id}/roles")
    _, member = await api.get(f"/guilds/{guild_id}/members/{bot_id}")
    _, listed = await api.get(f"/guilds/{guild_id}/channels")
    role_permissions = {int(r["id"]): int(r["permissions"]) for r in roles or []}
    member_roles = [int(r) for r in (member or {}).get("roles", [])]
    owner_id = int(guild["owner_id"])

    def permissions(overwrites: Sequence[dict[str, Any]] | None = None) -> int:
        return effective_permissions(
            guild_id=guild_id,
            owner_id=owner_id,
            user_id=bot_id,
            member_roles=member_roles,
            role_permissions=role_permissions,
            overwrites=overwrites,
        )

    base = permissions()
    checks = [check_guild_permissions(f"server {guild['name']!r}", base)]
    by_id = {int(c["id"]): c for c in listed or []}
    for wanted in channels:
        channel = by_id.get(wanted.channel_id)
        label = _channel_label(channel, wanted)
        if channel is None:
            checks.append(
                Check(
                    f"permissions in {label}",
                    "the channel no longer exists or the bot cannot see it",
                    "pick another channel for it, or let the bot see this one",
                )
            )
            continue
        voice = wanted.voice or int(channel.get("type", 0)) in _VOICE_TYPES
        effective = permissions(channel.get("permission_overwrites") or [])
        needed = VOICE_CHANNEL_NEEDS if voice else TEXT_CHANNEL_NEEDS
        checks.append(
            check_channel_permissions(label, base=base, effective=effective, needed=needed)
        )
    return checks


async def discord_checks(settings: Settings, configuration: Configuration | None) -> list[Check]:
    """Token, login, intents and permissions, against Discord's REST API."""
    secret = settings.discord_token
    token = secret.get_secret_value().strip() if secret is not None else None
    checks = [check_token(token)]
    if not checks[0].ok or token is None:
        why = "fix the token first"
        return [*checks, _skip("login", why), _skip("intents", why), _skip("permissions", why)]
    headers = {
        "Authorization": f"Bot {token}",
        "User-Agent": "DiscordBot (https://github.com/agora-debate/agora, 0.1) doctor",
    }
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as session:
        try:
            await _ask_discord(_Api(session, settings.discord_api_base), checks, configuration)
        except (aiohttp.ClientError, TimeoutError) as error:
            why = str(error) or type(error).__name__
            checks.append(
                Check(
                    "discord",
                    f"could not talk to Discord at {settings.discord_api_base} ({why})",
                    "check the network and DISCORD_API_BASE, then run the doctor again",
                )
            )
    return checks


async def _ask_discord(api: _Api, checks: list[Check], configuration: Configuration | None) -> None:
    status, me = await api.get("/users/@me")
    checks.append(check_login(status, me))
    if not checks[-1].ok:
        why = "Discord did not accept the token"
        checks.extend([_skip("intents", why), _skip("permissions", why)])
        return
    _, application = await api.get("/applications/@me")
    checks.append(check_intents(int((application or {}).get("flags", 0))))
    if configuration is None:
        checks.append(_skip("permissions", "the database could not be read"))
        return
    bot_id = int(me["id"])
    _, guilds = await api.get("/users/@me/guilds")
    joined = {int(g["id"]) for g in guilds or []}
    for guild_id in sorted(configuration.guild_ids | joined):
        if guild_id not in joined:
            checks.append(
                Check(
                    f"server {guild_id}",
                    "the bot is not in this server, which the database refers to",
                    _INVITE,
                )
            )
            continue
        channels = [c for c in configuration.channels if c.guild_id == guild_id]
        checks.extend(await _guild_checks(api, bot_id, guild_id, channels))
    if not configuration.guild_ids | joined:
        checks.append(_skip("permissions", "the bot is in no server yet"))


# --- The whole diagnosis ---------------------------------------------------------------------


async def database_checks(settings: Settings) -> tuple[Check, Configuration | None]:
    """The migration state, and what the database refers to (None if it cannot be read)."""
    db = Database(settings.database_url)
    path = db.url.database
    if (
        db.is_sqlite
        and path
        and path != ":memory:"
        and not await asyncio.to_thread(Path(path).exists)
    ):
        await db.dispose()
        problem = f"the database file {path} does not exist"
        return Check("database", problem, f"check DATABASE_URL, or {_UPGRADE} to create it"), None
    try:
        try:
            current, heads, known = await migration_state(db)
        except (SQLAlchemyError, OSError) as error:
            cause = str(getattr(error, "orig", None) or error).splitlines()[0][:160]
            problem = f"cannot open {db.url.render_as_string()} ({cause})"
            return Check("database", problem, "check DATABASE_URL"), None
        check = check_migrations(current, heads, known)
        if not check.ok:
            return check, None
        return check, await configured(db)
    finally:
        await db.dispose()


async def diagnose(settings: Settings) -> list[Check]:
    """Every check, in the order of the report."""
    database, configuration = await database_checks(settings)
    return [*await discord_checks(settings, configuration), database]


def main(settings: Settings) -> int:
    """Print one line per check; 0 when every check passed, 1 otherwise."""
    checks = asyncio.run(diagnose(settings))
    for check in checks:
        print(check.line())
    return 0 if all(check.ok for check in checks) else 1
