"""Who may do what, proved from the running bot itself.

Every slash command, component and form declares who may use it (``bot/ui/access.py``).
The lists below are read from the bot (its command tree, the dynamic items and persistent
views it registered, the forms its cogs handle), never written by hand, so a new command
without a declaration fails the first test, and a new moderator-only one without a
scenario here fails the second: each is sent by an ordinary member (no Manage Server, no
moderator role, not the debate's creator) who must get a private refusal that leaves the
database exactly as it was, and the commands are then accepted from a moderator.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import discord
from discord import app_commands
from sqlmodel import SQLModel, col, select

from bot.app import Agora
from bot.db.models import (
    DebateRow,
    FormatRow,
    GuildSettingsRow,
    JudgeRow,
    MotionRow,
    PollRow,
    ScheduleRow,
    SeasonRow,
)
from bot.sandbox import LocalDiscord, Member, Message
from bot.sandbox.interactions import InteractionHandle
from bot.ui.access import ACCESS, Access
from tests.conftest import FakeClock
from tests.e2e.conftest import World
from tests.support.formats import HOUSE_RULES
from tests.support.harness import BotRunner, eventually

MOTION = "This House would ban homework"
Snapshot = dict[str, list[tuple[Any, ...]]]
Send = Callable[[Member], Awaitable[InteractionHandle]]


# -- what the bot declares -------------------------------------------------------------------


def declared_commands(bot: Agora) -> dict[str, Access | None]:
    """Every leaf command of the tree (subcommands by their full name) and its access."""
    found: dict[str, Access | None] = {}
    kinds = (
        discord.AppCommandType.chat_input,
        discord.AppCommandType.user,
        discord.AppCommandType.message,
    )
    for guild in (None, discord.Object(id=bot.settings.dev_guild_id or 0)):
        for kind in kinds:
            for command in bot.tree.walk_commands(guild=guild, type=kind):
                if isinstance(command, app_commands.Group):
                    continue
                found[command.qualified_name] = command.extras.get(ACCESS)
    return found


def dynamic_items(bot: Agora) -> dict[re.Pattern[str], type[discord.ui.DynamicItem[Any]]]:
    """The dynamic items (buttons and selects rebuilt from their ``custom_id``) the bot
    registered, by template."""
    # discord.py keeps them in its view store; it has no public accessor for them.
    return dict(bot._connection._view_store._dynamic_items)


def declared_components(bot: Agora) -> dict[str, Access | None]:
    """Every component the bot can receive (by template or ``custom_id``) and its access."""
    found: dict[str, Access | None] = {
        pattern.pattern: getattr(item, "access", None)
        for pattern, item in dynamic_items(bot).items()
    }
    for view in bot.persistent_views:
        for child in view.children:
            found[str(getattr(child, "custom_id", child))] = getattr(child, "access", None)
    return found


def declared_forms(bot: Agora) -> dict[str, Access | None]:
    """Every form (modal) a cog handles, by ``custom_id`` pattern, and its access; a cog
    that listens to interactions without declaring its forms shows as undeclared."""
    found: dict[str, Access | None] = {}
    for name, cog in bot.cogs.items():
        if not any(event == "on_interaction" for event, _ in cog.get_listeners()):
            continue
        forms = getattr(cog, "forms", None)
        if not forms:
            found[f"{name}: forms not declared"] = None
            continue
        for pattern, access in forms.items():
            found[pattern.pattern] = access
    return found


def moderated(declared: dict[str, Access | None]) -> set[str]:
    return {name for name, access in declared.items() if access is not None and access.moderated}


def synced_names(local: LocalDiscord, guild_id: int) -> set[str]:
    """The leaf commands as members' Discord lists them."""
    names: set[str] = set()

    def walk(prefix: str, options: list[dict[str, Any]]) -> None:
        groups = [o for o in options if o["type"] in (1, 2)]
        if not groups:
            names.add(prefix)
        for option in groups:
            walk(f"{prefix} {option['name']}", option.get("options", []))

    for command in local.commands(guild_id):
        walk(command["name"], command.get("options", []))
    return names


async def test_every_command_and_component_declares_who_may_use_it(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    assert runner.bot is not None
    commands = declared_commands(runner.bot)
    assert set(commands) == synced_names(local, world.guild.id)
    components = declared_components(runner.bot)
    forms = declared_forms(runner.bot)
    assert len(commands) > 20
    assert len(components) > 10
    assert len(forms) >= 3
    undeclared = [
        name for name, access in {**commands, **components, **forms}.items() if not access
    ]
    assert undeclared == [], "declare who may use these (bot/ui/access.py: Access)"
    assert {"debate start", "settings turns", "schedule create"} <= moderated(commands)
    assert {"debate new", "motion submit", "leaderboard show"}.isdisjoint(moderated(commands))


# -- refusing an ordinary member ---------------------------------------------------------------


async def snapshot(runner: BotRunner) -> Snapshot:
    """Every row of every table."""
    assert runner.db is not None
    async with runner.db.engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row) for row in (await connection.execute(table.select())).all()),
                key=repr,
            )
            for table in SQLModel.metadata.sorted_tables
        }


async def settled(runner: BotRunner) -> Snapshot:
    """The database once the work an accepted action does after its answer (a Discord
    event kept in step, a lobby edit) is over: two reads a moment apart agree."""

    async def steady() -> Snapshot:
        last = await snapshot(runner)
        while True:
            await asyncio.sleep(0.1)
            now = await snapshot(runner)
            if now == last:
                return now
            last = now

    return await asyncio.wait_for(steady(), timeout=10)


async def motion_states(runner: BotRunner) -> list[str]:
    assert runner.db is not None
    async with runner.db.read() as session:
        rows = (await session.exec(select(MotionRow).order_by(col(MotionRow.id)))).all()
    return [row.state for row in rows]


def thread_of(message: Message) -> int:
    match = re.search(r"<#(\d+)>", message.content)
    assert match, message.content
    return int(match[1])


class Audit:
    """Sends actions as an ordinary member and as moderators, and keeps what it refused."""

    def __init__(self, local: LocalDiscord, world: World, runner: BotRunner) -> None:
        self.local, self.world, self.runner = local, world, runner
        self.commands: set[str] = set()
        self.components: set[str] = set()
        self.forms: set[str] = set()
        self.accepted_commands: set[str] = set()

    @property
    def bot(self) -> Agora:
        assert self.runner.bot is not None
        return self.runner.bot

    def command(self, name: str, /, **options: Any) -> Send:
        def send(who: Member) -> Awaitable[InteractionHandle]:
            return self.local.slash(who, self.world.channel, name, options)

        send.__name__ = f"/{name}"
        return send

    def click(self, message: Message, custom_id: str) -> Send:
        def send(who: Member) -> Awaitable[InteractionHandle]:
            return self.local.click(who, self.local.message(message.id), custom_id)

        send.__name__ = custom_id
        return send

    def choose(self, message: Message, custom_id: str, values: list[Any]) -> Send:
        def send(who: Member) -> Awaitable[InteractionHandle]:
            return self.local.select(who, self.local.message(message.id), custom_id, values)

        send.__name__ = custom_id
        return send

    def form(self, custom_id: str, values: dict[str, Any]) -> Send:
        def send(who: Member) -> Awaitable[InteractionHandle]:
            return self.local.submit_modal(who, self.world.channel, custom_id, values)

        send.__name__ = custom_id
        return send

    async def refused(self, send: Send, who: Member | None = None) -> str:
        """``send`` by an ordinary member: a private refusal, and not one row changed."""
        member = who or self.world.erin
        before = await settled(self.runner)
        handle = await send(member)
        answer = await handle.reply()
        what = send.__name__
        assert answer.ephemeral, f"{what}: the refusal should be private: {answer.content!r}"
        assert answer.visible_to == member.user_id
        assert answer.content.startswith("Only "), f"{what} was not refused: {answer.content!r}"
        assert handle.modal is None, f"{what}: a form was shown to a member who may not use it"
        # Read again once all is quiet: a refused action writes nothing, not even later.
        assert await settled(self.runner) == before, f"{what} changed the database"
        self._covered(what)
        return answer.content

    def _covered(self, what: str) -> None:
        if what.startswith("/"):
            self.commands.add(what[1:])
            return
        forms = declared_forms(self.bot)
        for pattern in forms:
            if re.fullmatch(pattern, what):
                self.forms.add(pattern)
                return
        for pattern in dynamic_items(self.bot):
            if pattern.fullmatch(what):
                self.components.add(pattern.pattern)
                return
        raise AssertionError(f"the bot declares nothing that receives {what!r}")

    async def accepted(self, send: Send, who: Member) -> Message | None:
        """``send`` by a moderator: answered with the form it opens (None) or a message
        that is no refusal."""
        await settled(self.runner)
        handle = await send(who)
        if (await handle.response())["type"] == 9:
            answer = None
        else:
            answer = await handle.reply()
            assert not answer.content.startswith(("Only ", "Sorry")), answer.content
        if send.__name__.startswith("/"):
            self.accepted_commands.add(send.__name__[1:])
        return answer


async def test_every_moderator_action_is_refused_to_an_ordinary_member(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    audit = Audit(local, world, runner)
    erin = world.erin  # no role, no Manage Server, creates nothing
    moderators = local.add_role(world.guild, "Moderators")
    mod = local.add_member(world.guild, "mod", roles=[moderators])
    erin_role = local.add_role(world.guild, "Erin's friends")
    # A server admin may open every command to everyone; the bot must still refuse.
    for command in local.commands(world.guild.id):
        command["default_member_permissions"] = None
    clock = cast(FakeClock, runner.clock)
    clock.now = max(clock.now, datetime.now(UTC).replace(second=0, microsecond=0))

    # Settings: Manage Server only.
    await audit.refused(audit.command("settings show"))
    await audit.refused(audit.command("settings moderator-role", role=moderators))
    await audit.refused(audit.command("settings turns", mode="soft"))
    await audit.refused(audit.command("settings voting", debaters_may_vote=True))
    await audit.refused(audit.command("settings moderator-role", role=moderators), who=mod)
    await audit.accepted(audit.command("settings moderator-role", role=moderators), world.admin)
    assert (await runner.one(GuildSettingsRow)).moderator_role_id == moderators.id
    await audit.accepted(audit.command("settings turns", mode="soft"), world.admin)
    await audit.accepted(audit.command("settings voting", min_days=0), world.admin)
    shown_settings = await audit.accepted(audit.command("settings show"), world.admin)
    assert shown_settings is not None
    assert shown_settings.embeds

    # The settings view: the server's moderators; the moderator role, Manage Server only.
    await audit.refused(audit.command("config"))
    view = await audit.accepted(audit.command("config"), mod)
    assert view is not None
    config = f"agora:config:{world.guild.id}"
    await audit.refused(audit.choose(view, f"{config}:modrole", [erin_role]), who=mod)
    mod.roles.clear()  # the moderator loses the role with the view open
    await audit.refused(audit.click(view, f"{config}:page:rules"), who=mod)
    await audit.refused(audit.choose(view, f"{config}:timezone", ["Asia/Tokyo"]), who=mod)
    mod.roles.append(moderators.id)
    changed = await audit.accepted(audit.choose(view, f"{config}:timezone", ["Asia/Tokyo"]), mod)
    assert changed is not None
    assert (await runner.one(GuildSettingsRow)).timezone == "Asia/Tokyo"

    # Formats: Manage Server only, the form too (checked again when it comes back).
    await audit.refused(audit.command("format add", key="house"))
    await audit.refused(audit.command("format add", key="house"), who=mod)
    shown = await local.slash(world.admin, world.channel, "format add", {"key": "house"})
    assert (await shown.response())["type"] == 9
    admin_roles = list(world.admin.roles)
    world.admin.roles.clear()  # the admin loses Manage Server with the form open
    await audit.refused(audit.form("agora:format:house", {"source": HOUSE_RULES}), world.admin)
    world.admin.roles.extend(admin_roles)
    assert await audit.accepted(audit.command("format add", key="house"), world.admin) is None
    await audit.accepted(audit.form("agora:format:house", {"source": HOUSE_RULES}), world.admin)
    assert await runner.count(FormatRow) == 1

    # The motion bank: the server's moderators review motions.
    for text in (MOTION, "This House would abolish zoos"):
        handle = await local.slash(erin, world.channel, "motion submit", {"motion": text})
        assert (await handle.reply()).ephemeral
    await audit.refused(audit.command("motion approve", id=1))
    await audit.refused(audit.command("motion reject", id=2, reason="Too close to another"))
    await audit.accepted(audit.command("motion approve", id=1), mod)
    await audit.accepted(audit.command("motion reject", id=2), world.admin)
    assert await motion_states(runner) == ["approved", "rejected"]

    # Seasons.
    await audit.refused(audit.command("season start", name="Spring"))
    await audit.accepted(audit.command("season start", name="Spring"), mod)
    await audit.refused(audit.command("season end"))
    await audit.accepted(audit.command("season end"), mod)
    assert (await runner.one(SeasonRow)).ended_at is not None

    # Debate nights.
    night = {
        "name": "Thursday debates",
        "weekday": "Thursday",
        "time": "20:00",
        "timezone": "Europe/London",
    }
    await audit.refused(audit.command("schedule create", **night))
    await audit.accepted(audit.command("schedule create", **night), mod)
    await eventually(lambda: local.scheduled_events(world.guild.id))
    await audit.refused(audit.command("schedule edit", schedule="1", time="21:00"))
    await audit.refused(audit.command("schedule skip", schedule="1"))
    await audit.refused(audit.command("schedule cancel", schedule="1"))
    await audit.accepted(audit.command("schedule edit", schedule="1", time="21:00"), mod)
    assert (await runner.one(ScheduleRow)).local_time.startswith("21:00")
    await audit.accepted(audit.command("schedule skip", schedule="1"), mod)
    await audit.accepted(audit.command("schedule cancel", schedule="1"), world.admin)
    assert (await runner.one(ScheduleRow)).cancelled

    # A debate in its lobby: its creator and the moderators run it.
    handle = await local.slash(world.alice, world.channel, "debate new", {"motion": MOTION})
    lobby = await handle.reply()
    assert not lobby.ephemeral
    for member, label in ((world.bob, "Join For"), (world.carol, "Join Against")):
        joined = await local.click(
            member, local.message(lobby.id), lobby.button(label)["custom_id"]
        )
        assert (await joined.reply()).ephemeral
    await audit.refused(audit.command("debate rated", value=False))
    await audit.refused(audit.command("debate judge", member=world.dave))
    await audit.refused(audit.command("debate cancel"))
    await audit.refused(audit.command("debate start"))
    await audit.refused(audit.click(lobby, lobby.button("Start")["custom_id"]))
    await audit.accepted(audit.command("debate rated", value=False), mod)
    assert (await runner.one(DebateRow)).rated is False
    await audit.accepted(audit.command("debate judge", member=world.dave), world.alice)
    assert await runner.count(JudgeRow) == 1
    started = await audit.accepted(audit.command("debate start"), mod)
    assert started is not None
    thread_id = thread_of(started)

    # The running debate: every clock button, and closing the vote.
    def with_buttons(prefix: str, label: str) -> Message | None:
        for message in reversed(local.messages(thread_id)):
            buttons = [b for b in message.buttons() if b["custom_id"].startswith(prefix)]
            if any(b["label"] == label for b in buttons):
                return message
        return None

    phase = await eventually(lambda: with_buttons("agora:clock:", "Pause"))
    for label in ("Yield", "Pause", "+1 min", "Skip", "End"):
        await audit.refused(audit.click(phase, phase.button(label)["custom_id"]))
    await audit.accepted(audit.click(phase, phase.button("Pause")["custom_id"]), world.alice)
    paused = await eventually(lambda: with_buttons("agora:clock:", "Resume"))
    await audit.refused(audit.click(paused, paused.button("Resume")["custom_id"]))
    poll = await eventually(lambda: with_buttons("agora:closevote:", "Close vote"))
    await audit.refused(audit.click(poll, poll.button("Close vote")["custom_id"]))
    await audit.accepted(audit.click(poll, poll.button("Close vote")["custom_id"]), world.alice)
    await audit.accepted(audit.command("debate cancel"), world.alice)
    assert (await runner.one(DebateRow)).state == "cancelled"
    assert (await runner.one(PollRow)).state == "closed"

    # Every action declared for moderators was refused above; a new one needs its scenario.
    assert audit.commands == moderated(declared_commands(audit.bot))
    assert audit.accepted_commands == audit.commands, "each is accepted from a moderator"
    assert audit.components == moderated(declared_components(audit.bot))
    assert audit.forms == moderated(declared_forms(audit.bot))
