"""``python -m bot doctor``: each check alone, then the whole diagnosis against a local Discord."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from bot.db.database import Database, alembic_config
from bot.db.models import DebateRow, ScheduleRow
from bot.doctor import (
    INVITE_PERMISSIONS,
    TEXT_CHANNEL_NEEDS,
    VOICE_CHANNEL_NEEDS,
    Check,
    check_channel_permissions,
    check_guild_permissions,
    check_intents,
    check_login,
    check_migrations,
    check_token,
    diagnose,
    effective_permissions,
    token_user_id,
)
from bot.domain.debate import Actor
from bot.sandbox import Channel, Guild, LocalDiscord, Perm
from bot.sandbox.apispec import SpecValidator
from bot.sandbox.records import Exchange
from bot.services.guilds import GuildService
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def make_token(user_id: int | str) -> str:
    first = base64.urlsafe_b64encode(str(user_id).encode()).decode().rstrip("=")
    return f"{first}.GhY2kQ.{'a1B2-c3_D4' * 3}"


TOKEN = make_token(1234567890123456789)


# --- The token ---------------------------------------------------------------------------------


def test_a_well_formed_token_names_its_user() -> None:
    assert token_user_id(TOKEN) == 1234567890123456789
    check = check_token(TOKEN)
    assert check.ok
    assert check.line() == "OK    token: well formed, for user 1234567890123456789"


@pytest.mark.parametrize(
    ("token", "problem", "fix"),
    [
        (None, "DISCORD_TOKEN is not set", "Reset Token"),
        ("   ", "DISCORD_TOKEN is not set", "Reset Token"),
        (f"Bot {TOKEN}", "starts with 'Bot '", "remove the 'Bot ' prefix"),
        ("abc.def", "not shaped like a bot token", "Reset Token"),
        (TOKEN + ".extra", "not shaped like a bot token", "Reset Token"),
        (TOKEN.replace(".", "..", 1), "not shaped like a bot token", "Reset Token"),
        (TOKEN.replace("GhY2kQ", "Gh+2k/"), "not shaped like a bot token", "Reset Token"),
        (make_token("not-an-id"), "not shaped like a bot token", "client secret"),
        (make_token(""), "not shaped like a bot token", "Reset Token"),
        ("0123456789abcdef0123456789abcdef", "not shaped like a bot token", "public key"),
    ],
)
def test_a_malformed_token_is_refused_with_the_fix(
    token: str | None, problem: str, fix: str
) -> None:
    check = check_token(token)
    assert not check.ok
    assert check.problem is not None
    assert problem in check.problem
    assert fix in check.fix
    assert check.line().startswith("FAIL  token: ")
    assert f"Fix: {check.fix}" in check.line()


def test_discord_rejecting_the_token_or_a_user_token_is_reported() -> None:
    rejected = check_login(401, {"message": "401: Unauthorized"})
    assert rejected.problem == "Discord rejected DISCORD_TOKEN"
    assert "Reset Token" in rejected.fix
    user = check_login(200, {"id": "1", "username": "ann", "bot": False})
    assert user.problem is not None
    assert "user's token" in user.problem
    bot = check_login(200, {"id": "7", "username": "agora", "bot": True})
    assert bot.ok
    assert bot.detail == "logged in as agora (7)"


# --- The intents -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "ok"),
    [(0, False), (1 << 18, True), (1 << 19, True), ((1 << 19) | (1 << 23), True), (1 << 23, False)],
)
def test_the_message_content_intent_must_be_on(flags: int, ok: bool) -> None:
    check = check_intents(flags)
    assert check.ok is ok
    if not ok:
        assert check.problem is not None
        assert "Message Content" in check.problem
        assert "Privileged Gateway Intents" in check.fix


# --- Permissions -------------------------------------------------------------------------------

GUILD, BOT, OWNER, ROLE, OTHER_ROLE = 100, 200, 300, 400, 500
SEND, EMBED, VIEW = int(Perm.SEND_MESSAGES), int(Perm.EMBED_LINKS), int(Perm.VIEW_CHANNEL)


def overwrite(target: int, kind: int, *, allow: int = 0, deny: int = 0) -> dict[str, str | int]:
    return {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}


def permissions(
    everyone: int, role: int = 0, overwrites: list[dict[str, str | int]] | None = None
) -> int:
    return effective_permissions(
        guild_id=GUILD,
        owner_id=OWNER,
        user_id=BOT,
        member_roles=[ROLE],
        role_permissions={GUILD: everyone, ROLE: role, OTHER_ROLE: INVITE_PERMISSIONS},
        overwrites=overwrites,
    )


def test_effective_permissions_follow_discords_order() -> None:
    base = VIEW | SEND | EMBED
    assert permissions(VIEW, SEND | EMBED) == base
    assert permissions(VIEW, SEND | EMBED, []) == base
    everyone_denies = [overwrite(GUILD, 0, deny=SEND)]
    assert permissions(base, 0, everyone_denies) == VIEW  # no Send Messages, no Embed Links
    role_allows = [*everyone_denies, overwrite(ROLE, 0, allow=SEND)]
    assert permissions(base, 0, role_allows) == base
    member_denies = [*role_allows, overwrite(BOT, 1, deny=SEND)]
    assert permissions(base, 0, member_denies) == VIEW
    not_my_role = [overwrite(OTHER_ROLE, 0, deny=SEND)]
    assert permissions(base, 0, not_my_role) == base
    hidden = [overwrite(ROLE, 0, deny=VIEW)]
    assert permissions(base, 0, hidden) == 0
    administrator = permissions(0, int(Perm.ADMINISTRATOR), [overwrite(GUILD, 0, deny=VIEW)])
    assert administrator & INVITE_PERMISSIONS == INVITE_PERMISSIONS
    owner = effective_permissions(
        guild_id=GUILD, owner_id=BOT, user_id=BOT, member_roles=[], role_permissions={}
    )
    assert owner & INVITE_PERMISSIONS == INVITE_PERMISSIONS


def test_the_needed_permissions_are_the_invite_links() -> None:
    assert (TEXT_CHANNEL_NEEDS | VOICE_CHANNEL_NEEDS).value == INVITE_PERMISSIONS
    assert f"permissions={INVITE_PERMISSIONS}" in (ROOT / "README.md").read_text()
    assert discord.Permissions(INVITE_PERMISSIONS).manage_events


def test_a_channel_overwrite_is_told_apart_from_a_missing_role_permission() -> None:
    needed = TEXT_CHANNEL_NEEDS
    denied = check_channel_permissions(
        "#debates", base=needed.value, effective=needed.value & ~SEND, needed=needed
    )
    assert denied.problem == "the bot lacks Send Messages"
    assert "#debates's settings" in denied.fix
    assert "channel overwrite denies" in denied.fix
    missing = check_channel_permissions(
        "#debates",
        base=needed.value & ~int(Perm.MANAGE_MESSAGES),
        effective=needed.value & ~int(Perm.MANAGE_MESSAGES),
        needed=needed,
    )
    assert missing.problem == "the bot lacks Manage Messages"
    assert "Server Settings, Roles" in missing.fix
    assert str(INVITE_PERMISSIONS) in missing.fix
    assert check_channel_permissions(
        "#stage", base=0, effective=VOICE_CHANNEL_NEEDS.value, needed=VOICE_CHANNEL_NEEDS
    ).ok


def test_server_wide_permissions_name_what_is_missing() -> None:
    assert check_guild_permissions("server 'Club'", INVITE_PERMISSIONS).ok
    check = check_guild_permissions("server 'Club'", INVITE_PERMISSIONS & ~VIEW)
    assert check.problem == "the bot's roles lack View Channels"
    assert "Server Settings, Roles" in check.fix


# --- Migrations --------------------------------------------------------------------------------


def test_the_migration_state_is_compared_with_this_codes_head() -> None:
    known = {"0001", "0002"}
    assert check_migrations(["0002"], ["0002"], known).ok
    empty = check_migrations([], ["0002"], known)
    assert empty.problem is not None
    assert "no schema" in empty.problem
    assert empty.fix == "run `python -m bot db upgrade`"
    behind = check_migrations(["0001"], ["0002"], known)
    assert behind.problem == "the database is at revision 0001, not the newest (0002)"
    assert behind.fix == "run `python -m bot db upgrade`"
    ahead = check_migrations(["0003"], ["0002"], known)
    assert ahead.problem is not None
    assert "does not know" in ahead.problem


# --- The whole diagnosis, against a local Discord -----------------------------------------------


@dataclass
class Setup:
    local: LocalDiscord
    guild: Guild
    debates: Channel
    stage: Channel
    database_url: str

    def settings(self, **changes: str) -> Settings:
        values = {
            "discord_token": TOKEN,
            "database_url": self.database_url,
            "discord_api_base": self.local.api_base,
            **changes,
        }
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def migrated_database(path: Path, revision: str | None = "head") -> str:
    """A SQLite database at ``revision`` (None: an empty file), as a URL."""
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    try:
        if revision is not None:

            def upgrade(connection: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)

            async with db.engine.begin() as connection:
                await connection.run_sync(upgrade)
        else:
            async with db.engine.begin():
                pass
    finally:
        await db.dispose()
    return url


async def configure(url: str, guild: Guild, debates: Channel, stage: Channel) -> None:
    """A schedule announcing in #debates and meeting on the stage, and an open debate."""
    now = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    db = Database(url)
    try:
        async with db.write() as session:
            session.add(
                ScheduleRow(
                    guild_id=guild.id,
                    name="Tuesday night",
                    weekday=1,
                    local_time="20:00",
                    tz_name="Europe/Paris",
                    anchor="2026-11-24",
                    every_weeks=1,
                    reminders=[3600],
                    quorum=4,
                    postpone_minutes=15,
                    channel_id=debates.id,
                    voice_channel_id=stage.id,
                    skipped=[],
                    created_by=guild.owner_id,
                    created_at=now,
                    watermark=now,
                )
            )
            session.add(
                DebateRow(
                    guild_id=guild.id,
                    channel_id=debates.id,
                    creator_id=guild.owner_id,
                    motion="This House would ban cars",
                    format_key="classic",
                    state="lobby",
                    created_at=now,
                )
            )
    finally:
        await db.dispose()


@pytest.fixture
async def setup(spec: SpecValidator | None, tmp_path: Path) -> AsyncIterator[Setup]:
    """A server with a schedule and an open debate, a migrated database, all healthy."""
    problems: list[str] = []

    def check(exchange: Exchange) -> None:
        if spec is not None:
            problems.extend(spec.check(exchange))

    async with LocalDiscord(TOKEN, on_exchange=check) as local:
        guild = local.add_guild("Debate Club")
        local.add_channel(guild, "chatter")
        debates = local.add_channel(guild, "debates")
        stage = local.add_channel(guild, "stage", 13)
        url = await migrated_database(tmp_path / "agora.db")
        await configure(url, guild, debates, stage)
        yield Setup(local, guild, debates, stage, url)
    assert problems == [], "REST exchanges that real Discord would not accept or return"


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


async def test_a_healthy_setup_passes_every_check(setup: Setup) -> None:
    checks = await diagnose(setup.settings())
    assert [c.line() for c in checks if not c.ok or c.skipped] == []
    names = [check.name for check in checks]
    debates = f"#debates ({setup.debates.id}, schedule 'Tuesday night')"
    stage = f"#stage ({setup.stage.id}, schedule 'Tuesday night')"
    assert names == [
        "token",
        "login",
        "intents",
        "permissions in server 'Debate Club'",
        f"permissions in {debates}",
        f"permissions in {stage}",
        "database",
    ]
    assert by_name(checks)["intents"].line() == "OK    intents: Message Content is on"
    assert by_name(checks)["login"].detail == f"logged in as agora ({setup.local.world.bot.id})"
    assert by_name(checks)["database"].detail.startswith("migrated to the newest revision")


async def test_a_bad_token_shape_is_reported_without_asking_discord(setup: Setup) -> None:
    checks = await diagnose(setup.settings(discord_token="mfa.not-a-bot-token"))
    lines = [check.line() for check in checks]
    assert lines[0].startswith("FAIL  token: DISCORD_TOKEN is not shaped like a bot token")
    assert "Fix: copy it again from the Developer Portal" in lines[0]
    assert lines[1:4] == [
        "SKIP  login: not checked: fix the token first",
        "SKIP  intents: not checked: fix the token first",
        "SKIP  permissions: not checked: fix the token first",
    ]
    assert by_name(checks)["database"].ok
    assert list(setup.local.rest.exchanges) == []


async def test_a_token_discord_rejects_is_reported(setup: Setup) -> None:
    checks = by_name(await diagnose(setup.settings(discord_token=make_token(42))))
    assert checks["token"].ok
    assert checks["login"].problem == "Discord rejected DISCORD_TOKEN"
    assert checks["intents"].skipped


async def test_a_missing_intent_is_reported_with_the_fix(setup: Setup) -> None:
    setup.local.rest.application_flags = 1 << 23  # some other flag, not Message Content
    checks = await diagnose(setup.settings())
    failed = [check for check in checks if not check.ok]
    assert [check.name for check in failed] == ["intents"]
    assert failed[0].line() == (
        "FAIL  intents: the privileged Message Content intent is off, so the bot cannot read "
        "debate messages. Fix: switch on Message Content under Bot, Privileged Gateway "
        "Intents, in the Developer Portal"
    )


async def test_an_overwrite_denying_send_messages_is_reported_with_the_fix(setup: Setup) -> None:
    bot_role = next(r for r in setup.guild.roles.values() if r.bot_id is not None)
    setup.debates.permission_overwrites.append(
        {"id": str(bot_role.id), "type": 0, "allow": "0", "deny": str(SEND)}
    )
    checks = await diagnose(setup.settings())
    failed = [check for check in checks if not check.ok]
    debates = f"#debates ({setup.debates.id}, schedule 'Tuesday night')"
    assert [check.name for check in failed] == [f"permissions in {debates}"]
    assert failed[0].problem == "the bot lacks Send Messages, Embed Links"
    assert failed[0].fix == (
        f"in {debates}'s settings, Permissions, allow Send Messages, Embed Links for the bot "
        "or its role (a channel overwrite denies them)"
    )
    assert by_name(checks)["permissions in server 'Debate Club'"].ok


async def test_a_role_without_mute_members_fails_on_the_stage(setup: Setup) -> None:
    bot_role = next(r for r in setup.guild.roles.values() if r.bot_id is not None)
    bot_role.permissions &= ~Perm.MUTE_MEMBERS
    failed = [check for check in await diagnose(setup.settings()) if not check.ok]
    assert [check.name for check in failed] == [
        "permissions in server 'Debate Club'",
        f"permissions in #stage ({setup.stage.id}, schedule 'Tuesday night')",
    ]
    assert all(check.problem and "Mute Members" in check.problem for check in failed)
    assert all("Server Settings, Roles" in check.fix for check in failed)


async def test_a_database_behind_the_newest_migration_is_reported(
    setup: Setup, tmp_path: Path
) -> None:
    script = ScriptDirectory.from_config(alembic_config(setup.database_url))
    head = script.get_revision(script.get_current_head())
    assert head is not None
    previous = str(head.down_revision)
    url = await migrated_database(tmp_path / "old.db", previous)
    checks = await diagnose(setup.settings(database_url=url))
    database = by_name(checks)["database"]
    assert database.line() == (
        f"FAIL  database: the database is at revision {previous}, not the newest "
        f"({head.revision}). Fix: run `python -m bot db upgrade`"
    )
    assert by_name(checks)["permissions"].line() == (
        "SKIP  permissions: not checked: the database could not be read"
    )

    empty = await migrated_database(tmp_path / "empty.db", None)
    database = by_name(await diagnose(setup.settings(database_url=empty)))["database"]
    assert database.problem == "the database has no schema (no migration applied)"
    assert database.fix == "run `python -m bot db upgrade`"

    missing = tmp_path / "missing.db"
    database = by_name(
        await diagnose(setup.settings(database_url=f"sqlite+aiosqlite:///{missing}"))
    )["database"]
    assert database.problem == f"the database file {missing} does not exist"
    assert not missing.exists()


async def test_a_configured_channel_that_is_gone_is_reported(setup: Setup) -> None:
    del setup.guild.channels[setup.stage.id]
    failed = [check for check in await diagnose(setup.settings()) if not check.ok]
    assert [check.name for check in failed] == [
        f"permissions in channel ({setup.stage.id}, schedule 'Tuesday night')"
    ]
    assert failed[0].problem == "the channel no longer exists or the bot cannot see it"


# --- The command line --------------------------------------------------------------------------


async def run_doctor(setup: Setup, cwd: Path, **env: str) -> tuple[int, list[str]]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL"}}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        cwd=cwd,
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "DISCORD_API_BASE": setup.local.api_base,
            "DATABASE_URL": setup.database_url,
            **env,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert b"Traceback" not in stderr, stderr.decode()
    assert process.returncode is not None
    return process.returncode, stdout.decode().splitlines()


async def test_the_command_prints_one_line_per_check_and_exits_0_when_healthy(
    setup: Setup, tmp_path: Path
) -> None:
    status, lines = await run_doctor(setup, tmp_path, DISCORD_TOKEN=TOKEN)
    assert status == 0, lines
    assert len(lines) == 7
    assert all(line.startswith("OK    ") for line in lines), lines


async def test_the_command_exits_1_and_says_what_to_fix(setup: Setup, tmp_path: Path) -> None:
    setup.local.rest.application_flags = 0
    status, lines = await run_doctor(setup, tmp_path, DISCORD_TOKEN=TOKEN)
    assert status == 1
    assert [line for line in lines if not line.startswith("OK")] == [
        "FAIL  intents: the privileged Message Content intent is off, so the bot cannot read "
        "debate messages. Fix: switch on Message Content under Bot, Privileged Gateway "
        "Intents, in the Developer Portal"
    ]


async def test_the_servers_debate_channel_is_checked_too(setup: Setup) -> None:
    lounge = setup.local.add_channel(setup.guild, "lounge")
    db = Database(setup.database_url)
    owner = Actor(setup.guild.owner_id, manages_server=True)
    await GuildService(db).configure(setup.guild.id, owner, debate_channel_id=lounge.id)
    await db.dispose()
    names = [check.name for check in await diagnose(setup.settings())]
    assert f"permissions in #lounge ({lounge.id}, debate channel)" in names
