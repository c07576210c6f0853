"""Hostile input, end to end: every slash command option and every form field, fuzzed.

The strategies are read from the command tree the bot registered with the local Discord
(each leaf command's options: type, choices, bounds, required) and from the forms the bot
actually shows, so a new command or field is fuzzed without touching this file. Values are
hostile: mentions (@everyone, @here, members, roles, channels, ids that exist nowhere),
markdown and code fences, right-to-left and zero-width characters, combining marks, emoji,
newlines, strings at their maximum length, numbers at their bounds, members who left and
channels and roles of another server. Members and moderators send them.

Every example must be answered, log no ERROR, and make the bot send nothing the local
Discord refuses (it answers 400 to anything over Discord's limits, as Discord does), and no
message may ping anyone.

How Hypothesis meets asyncio here: the bot and the local Discord live in the test's event
loop, and ``@given`` only runs synchronous functions. So the ``@given`` test runs in a
worker thread (``asyncio.to_thread``) while the loop keeps serving; each step of an
example is handed to the loop with ``run_coroutine_threadsafe`` and waited for. One bot
serves every example, ``st.data()`` lets an example draw a form's fields once the bot has
shown the form, and ``derandomize=True`` with no example database makes every run, on
every machine, try the same examples.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.sandbox import Channel, LocalDiscord, Member, Message, Role, User
from bot.sandbox.interactions import InteractionHandle
from tests.e2e.conftest import World
from tests.e2e.test_articles import ARTICLE
from tests.support.harness import BotRunner, ErrorLogs

T = TypeVar("T")

EXAMPLES_PER_COMMAND = 6
FORM_EXAMPLES = 60
STEP_TIMEOUT = 20.0
DISCORD_INTEGER = 2**53  # Discord's integer options stay within ±2^53
FIELD_MAX = 4000  # a text input's default maximum

STAGE = 13
VOICE = 2
CATEGORY = 4
PUBLIC_THREAD = 11

HOSTILE = (
    "@everyone",
    "@here",
    "@\u200beveryone",
    "<@{member}>",
    "<@!{member}>",
    "<@&{role}>",
    "<@&{everyone_role}>",
    "<#{channel}>",
    "<@1>",
    "<@&2>",
    "<#3>",
    "</debate new:1>",
    "<t:99999999999:R>",
    "<a:party:123456789012345678>",
    "```",
    "```toml\nname = 1\n```",
    "`",
    "**",
    "__",
    "~~",
    "||",
    "> ",
    "# ",
    "-# ",
    "[link](https://example.invalid/x)",
    "\\",
    "\n",
    "\r\n",
    "\t",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",
    "\u2028",
    "e\u0301\u0301\u0301",  # combining marks
    "Z\u0337\u0321\u031b\u0353",
    "👩\u200d👩\u200d👧\u200d👦",
    "🏳️\u200d🌈",
    "😀",
    "ﷺ",
    "عربى",
    "עברית",
    "中文",
    "%s{0}${x}",
    "' OR 1=1 --",
    "<script>",
    "This House would",
    ".",
    " ",
)
"""Fragments that have broken chat bots: mentions, markdown, invisible and combining text."""


# -- running Hypothesis next to the event loop -----------------------------------------------


class Loop:
    """The test's event loop, as the Hypothesis thread sees it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run(self, step: Awaitable[T]) -> T:
        """Run ``step`` in the loop and wait for its result (from the Hypothesis thread)."""

        async def wrapped() -> T:
            return await step

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(STEP_TIMEOUT)


FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    report_multiple_bugs=False,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
)


# -- strategies from what the bot registered ---------------------------------------------------


@dataclass
class Place:
    """The ids and entities a hostile value may name."""

    world: World
    members: list[Member]
    victim: Member
    """A member whom hostile text names but no option picks: nothing may ever ping them."""
    stranger: User
    roles: list[Role]
    foreign_role: Role
    channels: list[Channel]

    def fragments(self) -> list[str]:
        """``HOSTILE`` with real ids of this server filled in."""
        ids = {
            "member": self.victim.user_id,
            "role": self.roles[-1].id,
            "everyone_role": self.world.guild.id,
            "channel": self.world.channel.id,
        }
        return [f.format(**ids) if "{" in f and "}" in f and "%s" not in f else f for f in HOSTILE]


def fit(text: str, low: int, high: int) -> str:
    """``text`` cut to ``high`` characters, padded to ``low`` (Discord's client checks both)."""
    text = text[:high]
    return text + "x" * (low - len(text))


def hostile_text(place: Place, low: int = 0, high: int = FIELD_MAX) -> st.SearchStrategy[str]:
    """Text a member could type: hostile fragments, random unicode, or one at full length."""
    fragments = place.fragments()
    piece = st.one_of(
        st.sampled_from(fragments),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    )
    mixed = st.lists(piece, max_size=16).map("".join)
    full = st.builds(
        lambda head, filler: head + filler * high,
        st.sampled_from(fragments),
        st.sampled_from(
            ["@everyone ", "a", "😀", "\u200b", "word ", "```", f"<@&{place.roles[-1].id}>"]
        ),
    )
    return st.one_of(mixed, mixed, full).map(lambda text: fit(text, max(low, 0), high))


def number(definition: dict[str, Any], integer: bool) -> st.SearchStrategy[Any]:
    low = definition.get("min_value", -DISCORD_INTEGER)
    high = definition.get("max_value", DISCORD_INTEGER)
    edges = sorted({v for v in (low, high, 0, 1, -1, low + 1, high - 1) if low <= v <= high})
    if integer:
        return st.one_of(st.sampled_from([int(e) for e in edges]), st.integers(int(low), int(high)))
    return st.one_of(
        st.sampled_from([float(e) for e in edges]),
        st.floats(float(low), float(high), allow_nan=False, allow_infinity=False),
    )


def upload(place: Place) -> st.SearchStrategy[tuple[str, bytes, str]]:
    """A file as a member uploads it: any name, any bytes, any claimed type."""
    names = st.one_of(
        st.sampled_from(["article.txt", "a.md", "f.toml", "x.pdf", "page.html", "noext"]),
        hostile_text(place, 1, 60).map(lambda n: n.replace("/", "_") + ".txt"),
    )
    data = st.one_of(
        st.binary(max_size=3000),
        hostile_text(place, 0, 3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.just(ARTICLE.encode()),
        st.just(b"%PDF-1.4\n%broken"),
    )
    kinds = st.sampled_from(
        ["text/plain", "text/html", "application/pdf", "application/toml", "image/png", ""]
    )
    return st.tuples(names, data, kinds)


def option_value(place: Place, definition: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Any value Discord's client lets a member give this option."""
    kind = definition["type"]
    choices = definition.get("choices")
    if choices:
        return st.sampled_from([c["value"] for c in choices])
    if kind == 3:
        text = hostile_text(
            place, definition.get("min_length", 0), definition.get("max_length", 6000)
        )
        if definition["name"] in ("article", "url"):
            # Links are followed: keep them off the network (loopback is refused unfetched).
            links = st.sampled_from(
                [
                    "http://127.0.0.1:1/x",
                    "https://[::1]/",
                    "ftp://example.invalid/",
                    "file:///etc/passwd",
                    "javascript:alert(1)",
                ]
            )
            text = st.one_of(text.filter(lambda t: "//" not in t and ":" not in t), links)
        return text
    if kind in (4, 10):
        return number(definition, integer=kind == 4)
    if kind == 5:
        return st.booleans()
    if kind == 6:
        return st.sampled_from([*place.members, place.stranger])
    if kind == 7:
        allowed = definition.get("channel_types")
        channels = [c for c in place.channels if not allowed or c.type in allowed]
        return st.sampled_from(channels)
    if kind == 8:
        return st.sampled_from([*place.roles, place.foreign_role])
    if kind == 9:
        return st.sampled_from([*place.members, place.stranger, *place.roles])
    if kind == 11:
        return upload(place)
    raise AssertionError(f"option {definition['name']!r} has a type the fuzz does not know: {kind}")


def options_of(
    place: Place, definitions: list[dict[str, Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Every required option, and any of the optional ones."""
    required = {d["name"]: option_value(place, d) for d in definitions if d.get("required")}
    optional = {d["name"]: option_value(place, d) for d in definitions if not d.get("required")}
    return st.fixed_dictionaries(required, optional=optional)


@dataclass(frozen=True, order=True)
class Leaf:
    """A command a member can run: ``"group sub"``, its options, who Discord shows it to."""

    name: str
    options: list[dict[str, Any]] = field(compare=False)
    managers_only: bool = field(compare=False)


def leaf_commands(commands: list[dict[str, Any]]) -> Iterator[Leaf]:
    """Every command of the tree, down to its subcommands."""

    def walk(name: str, options: list[dict[str, Any]], managers: bool) -> Iterator[Leaf]:
        nested = [o for o in options if o["type"] in (1, 2)]
        if not nested:
            yield Leaf(name, options, managers)
        for sub in nested:
            yield from walk(f"{name} {sub['name']}", sub.get("options", []), managers)

    for command in commands:
        if command.get("type", 1) == 1:
            # Discord's client hides a command with default permissions from other members.
            managers = command.get("default_member_permissions") not in (None, "0")
            yield from walk(command["name"], command.get("options", []), managers)


def form_fields(place: Place, modal: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Values for every field of a form the bot showed, within what Discord's client allows."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    stack = list(modal["components"])
    while stack:
        component = stack.pop()
        stack.extend(component.get("components", []))
        if "component" in component:
            stack.append(component["component"])
        custom_id = component.get("custom_id")
        kind = component.get("type")
        if custom_id is None or kind not in (4, 19):
            continue
        must = component.get("required", True)
        if kind == 4:
            low = component.get("min_length", 0) if must else 0
            value: st.SearchStrategy[Any] = hostile_text(
                place, max(low, 1 if must else 0), component.get("max_length", FIELD_MAX)
            )
        else:
            value = st.lists(upload(place), min_size=1 if must else 0, max_size=1)
        (required if must else optional)[custom_id] = value
    return st.fixed_dictionaries(required, optional=optional)


# -- one bot, many examples --------------------------------------------------------------------


@dataclass
class Referee:
    """Checks what an example made the bot do."""

    local: LocalDiscord
    error_logs: ErrorLogs
    seen: int = 0
    problems: list[str] = field(default_factory=list)

    async def settle(self) -> None:
        """Let work the bot does after answering (lobby edits, posts) happen and be checked."""
        for _ in range(5):
            await asyncio.sleep(0.01)

    async def verdict(self, what: str) -> None:
        """Fail the example if the bot was refused, logged an error or pinged anyone."""
        await self.settle()
        exchanges = self.local.exchanges
        new, self.seen = exchanges[self.seen :], len(exchanges)
        refused = [
            f"{e.method} {e.path} -> {e.status} {e.response_json}"
            for e in new
            if 400 <= e.status < 500 and e.status not in (403, 404)
        ]
        assert refused == [], f"{what}: the local Discord refused what the bot sent"
        pings = [
            f"{e.method} {e.path}: {mentions}"
            for e in new
            if (mentions := allowed_mentions_of(e.request_json)) is not None
            and (mentions.get("parse") != [] or mentions.get("roles"))
        ]
        pings += [
            f"{e.method} {e.path}: none given"
            for e in new
            if sends_text(e.request_json) and allowed_mentions_of(e.request_json) is None
        ]
        assert pings == [], f"{what}: a message that could ping"
        errors = [f"{r.name}: {r.getMessage()}" for r in self.error_logs.records]
        assert errors == [], f"{what}: logged errors"


def body_of(request: Any) -> dict[str, Any] | None:
    """The message part of a request body (an interaction callback nests it in ``data``)."""
    if not isinstance(request, dict):
        return None
    if "type" in request and isinstance(request.get("data"), dict):
        return request["data"]
    return request


def sends_text(request: Any) -> bool:
    """Whether a request carries message content that Discord would scan for mentions."""
    body = body_of(request)
    return bool(body and isinstance(body.get("content"), str) and body["content"])


def allowed_mentions_of(request: Any) -> dict[str, Any] | None:
    body = body_of(request)
    if body is None:
        return None
    mentions = body.get("allowed_mentions")
    return mentions if isinstance(mentions, dict) else None


def bot_messages_pinging(local: LocalDiscord, channels: list[Channel], victim: Member) -> list[str]:
    """Every stored bot message that pinged @everyone, @here, a role, or the victim.

    Agora does ping on purpose, by id, the members it addresses (the speakers holding the
    floor, a judge being named), never anyone named in what members wrote.
    """
    found = []
    for channel in channels:
        for message in local.messages(channel.id):
            if message.author_id != local.application_id:
                continue
            pinged = [u.id for u in message.mentions]
            if message.mention_everyone or message.mention_roles or victim.user_id in pinged:
                found.append(f"#{channel.name} {message.id}: {message.content[:120]!r}")
    return found


async def answered(handle: InteractionHandle, what: str) -> dict[str, Any]:
    """The bot's response; a deferred one must also be completed."""
    response = await handle.response(timeout=STEP_TIMEOUT)
    if response["type"] == 5:
        await handle.reply(timeout=STEP_TIMEOUT)
    assert response["type"] in (4, 5, 6, 7, 8, 9), f"{what}: answered with {response}"
    return response


@pytest.fixture
def place(local: LocalDiscord, world: World) -> Place:
    """The server the fuzz plays in, with a stage, a voice channel and another server."""
    guild = world.guild
    elsewhere = local.add_guild("Elsewhere")
    foreign_channel = local.add_channel(elsewhere, "far-away")
    moderators = local.add_role(guild, "Moderators")
    roles = [local.guild(guild.id).roles[guild.id], moderators]
    return Place(
        world=world,
        members=[world.alice, world.bob, world.admin, world.owner],
        victim=local.add_member(guild, "victim"),
        stranger=world.stranger,
        roles=roles,
        foreign_role=local.add_role(elsewhere, "Foreign"),
        channels=[
            world.channel,
            world.other_channel,
            local.add_channel(guild, "stage", STAGE),
            local.add_channel(guild, "voice", VOICE),
            local.add_channel(guild, "category", CATEGORY),
            foreign_channel,
        ],
    )


async def test_every_command_survives_hostile_options(
    local: LocalDiscord, world: World, runner: BotRunner, error_logs: ErrorLogs, place: Place
) -> None:
    commands = sorted(leaf_commands(local.commands(world.guild.id)))
    assert len(commands) > 20, [leaf.name for leaf in commands]
    # Some state for the commands to act on: a lobby with a debater, a motion in the bank.
    lobby = await local.slash(world.alice, world.channel, "debate new", {"motion": "THW ban cars"})
    await lobby.reply()
    await (
        await local.slash(world.bob, world.channel, "motion submit", {"motion": "THW x"})
    ).reply()
    actors = [world.alice, world.bob, world.admin, world.owner]
    moderators = [world.admin, world.owner]
    where = [world.channel, world.other_channel]
    referee = Referee(local, error_logs, seen=len(local.exchanges))
    loop = Loop(asyncio.get_running_loop())
    tried: set[str] = set()

    async def run_command(
        actor: Member, channel: Channel, name: str, options: dict[str, Any]
    ) -> InteractionHandle:
        handle = await local.slash(actor, channel, name, options)
        await answered(handle, f"/{name}")
        return handle

    def fuzz(leaf: Leaf) -> None:
        """A few hostile examples of one command, by members it is shown to."""
        name, definitions = leaf.name, leaf.options

        @settings(FUZZ, max_examples=EXAMPLES_PER_COMMAND)
        @given(st.data())
        def example(data: st.DataObject) -> None:
            actor = data.draw(st.sampled_from(moderators if leaf.managers_only else actors))
            channel = data.draw(st.sampled_from(where), label="channel")
            options = data.draw(options_of(place, definitions), label="options")
            tried.add(name)
            what = f"/{name} {options!r} by {actor.name}"
            handle = loop.run(run_command(actor, channel, name, options))
            loop.run(referee.verdict(what))
            autocompleted = [d for d in definitions if d.get("autocomplete")]
            if autocompleted:
                focused = data.draw(st.sampled_from(autocompleted), label="typing in")
                typed = data.draw(hostile_text(place, 0, 100), label="typed")
                partial = {k: v for k, v in options.items() if k != focused["name"]}
                partial[focused["name"]] = typed

                async def complete() -> None:
                    choices = await local.autocomplete(
                        actor, channel, name, partial, focused["name"]
                    )
                    response = await choices.response(timeout=STEP_TIMEOUT)
                    assert response["type"] == 8, response

                loop.run(complete())
                loop.run(referee.verdict(f"{what}, typing {typed!r} in {focused['name']}"))
            if handle.modal is not None:
                fill_form(loop, referee, data, place, actor, channel, handle.modal, what)

        example()

    def fuzz_all() -> None:
        for leaf in commands:
            fuzz(leaf)

    await asyncio.to_thread(fuzz_all)
    assert tried == {leaf.name for leaf in commands}, "every command was fuzzed"
    threads = [
        c
        for c in local.world.channels.values()
        if c.parent_id in (world.channel.id, world.other_channel.id)
    ]
    assert bot_messages_pinging(local, [*place.channels[:2], *threads], place.victim) == []


def fill_form(
    loop: Loop,
    referee: Referee,
    data: st.DataObject,
    place: Place,
    actor: Member,
    channel: Channel,
    modal: dict[str, Any],
    what: str,
) -> None:
    """Submit hostile values in the form the bot just showed ``actor``."""
    values = data.draw(form_fields(place, modal), label=f"form {modal['custom_id']}")
    local = referee.local

    async def submit() -> None:
        handle = await local.submit_modal(actor, channel, modal["custom_id"], values)
        await answered(handle, f"form {modal['custom_id']}")

    loop.run(submit())
    loop.run(referee.verdict(f"{what}, then form {modal['custom_id']} with {values!r}"))


async def open_picker(local: LocalDiscord, actor: Member, channel: Channel, bank: bool) -> Message:
    """The article picker, from a pasted article: for a debate, or for the motion bank."""
    if bank:
        handle = await local.slash(actor, channel, "motion submit", {"text": ARTICLE})
        return await handle.reply(timeout=STEP_TIMEOUT)
    handle = await local.slash(actor, channel, "debate new")
    form = await handle.response(timeout=STEP_TIMEOUT)
    pasted = await local.submit_modal(actor, channel, form["data"]["custom_id"], {"text": ARTICLE})
    return await pasted.reply(timeout=STEP_TIMEOUT)


async def test_every_form_survives_hostile_fields(
    local: LocalDiscord, world: World, runner: BotRunner, error_logs: ErrorLogs, place: Place
) -> None:
    referee = Referee(local, error_logs, seen=len(local.exchanges))
    loop = Loop(asyncio.get_running_loop())
    opened: set[str] = set()
    channels: list[Channel] = []

    async def newcomer(manager: bool) -> Member:
        roles = [local.guild(world.guild.id).roles[r] for r in world.admin.roles] if manager else []
        return local.add_member(world.guild, f"fuzzer-{len(channels)}", roles=roles)

    async def open_form(how: str, actor: Member) -> tuple[dict[str, Any], Channel]:
        # A channel of its own, so a form that opens a debate always can.
        channel = local.add_channel(world.guild, f"fuzz-{len(channels)}")
        channels.append(channel)
        if how == "format":
            handle = await local.slash(actor, channel, "format add", {"key": "house-rules"})
        elif how == "paste":
            handle = await local.slash(actor, channel, "debate new")
        else:
            picker = await open_picker(local, actor, channel, bank=how == "bank edit")
            handle = await local.click(actor, picker, picker.button("Edit")["custom_id"])
        response = await answered(handle, how)
        assert response["type"] == 9, f"{how}: no form but {response}"
        assert handle.modal is not None
        return handle.modal, channel

    @settings(FUZZ, max_examples=FORM_EXAMPLES)
    @given(st.data())
    def example(data: st.DataObject) -> None:
        how = data.draw(st.sampled_from(FORMS), label="form")
        manager = how == "format" or data.draw(st.booleans(), label="a manager")
        # A member of their own: the forms behind buttons take clicks, and clicks are limited
        # per member (the limit has its own test).
        actor = loop.run(newcomer(manager))
        modal, channel = loop.run(open_form(how, actor))
        opened.add(how)
        loop.run(referee.verdict(f"opening {how}"))
        fill_form(loop, referee, data, place, actor, channel, modal, how)

    await asyncio.to_thread(example)
    assert opened == set(FORMS)
    assert bot_messages_pinging(local, channels, place.victim) == []


FORMS = ("paste", "format", "debate edit", "bank edit")
"""Every form: the article paste, the format's TOML, and the two pickers' motion edits."""

MENTIONS = "@everyone @here <@{victim}> <@!{victim}> <@&{role}> <@&{guild}> <#{channel}>"


async def test_motions_articles_and_format_names_never_ping(
    local: LocalDiscord, world: World, runner: BotRunner, error_logs: ErrorLogs, place: Place
) -> None:
    pings = MENTIONS.format(
        victim=place.victim.user_id,
        role=place.roles[-1].id,
        guild=world.guild.id,
        channel=world.channel.id,
    )
    mark = len(local.exchanges)

    # A format whose name and description are mentions, used by a debate whose motion is.
    role = place.roles[-1].id
    source = (
        f'name = "@everyone <@&{role}>"\ndescription = "{pings}"\nvote = "majority"\n'
        "debaters_per_side = { min = 1, max = 1 }\n"
        f'[[phase]]\nname = "@here <@{place.victim.user_id}>"\nspeaker = "for"\nseconds = 60\n'
        f'[[phase]]\nname = "<@&{role}>"\nspeaker = "against"\nseconds = 60\n'
    )
    form = await local.slash(world.admin, world.channel, "format add", {"key": "pings"})
    await form.response()
    saved = await local.submit_modal(
        world.admin, world.channel, "agora:format:pings", {"source": source}
    )
    assert "Saved format" in (await saved.reply()).content
    await (await local.slash(world.alice, world.channel, "format list")).reply()
    handle = await local.slash(
        world.alice, world.channel, "debate new", {"motion": f"THW {pings}", "format": "pings"}
    )
    lobby = await handle.reply()
    assert pings in lobby.embeds[0]["description"], "the motion is shown as written"
    for member, label in ((world.bob, "Join For"), (world.carol, "Join Against")):
        await (
            await local.click(member, local.message(lobby.id), lobby.button(label)["custom_id"])
        ).reply()
    start = await local.click(
        world.alice, local.message(lobby.id), lobby.button("Start")["custom_id"]
    )
    (started,) = await start.followups(1, timeout=10)
    status = await local.slash(world.bob, world.channel, "debate status")
    await status.reply()

    # An article whose title and text are mentions, to the bank and to a debate.
    article = f"Ping {pings}\n\n" + ARTICLE.replace("Cities", f"Cities {pings}")
    await (
        await local.slash(world.bob, world.other_channel, "motion submit", {"text": article})
    ).reply(timeout=10)
    await (
        await local.slash(
            world.bob, world.other_channel, "motion submit", {"motion": f"THW {pings}"}
        )
    ).reply()
    await (await local.slash(world.admin, world.other_channel, "motion approve", {"id": 1})).reply()
    await (await local.slash(world.bob, world.other_channel, "motion list")).reply()
    paste = await local.slash(world.carol, world.other_channel, "debate new")
    modal = await paste.response()
    picker = await (
        await local.submit_modal(
            world.carol, world.other_channel, modal["data"]["custom_id"], {"text": article}
        )
    ).reply(timeout=10)
    used = await local.click(world.carol, picker, picker.button("Use this")["custom_id"])
    await used.reply()
    await asyncio.sleep(0.1)

    # Discord looks for mentions in a message's content only (never in embeds).
    sent = [e for e in local.exchanges[mark:] if sends_text(e.request_json)]
    contents = [str((body_of(e.request_json) or {})["content"]) for e in sent]
    # The format's name, a phase's name and the motion were all sent as message text.
    assert sum("@everyone" in c or "@here" in c for c in contents) >= 4, contents
    for exchange in sent:
        mentions = allowed_mentions_of(exchange.request_json)
        assert mentions is not None, f"{exchange.method} {exchange.path} gave no allowed_mentions"
        assert mentions.get("parse") == [], (exchange.path, mentions)
        assert not mentions.get("roles"), (exchange.path, mentions)
        # Only members addressed on purpose (here the speaker holding the floor) by id.
        assert place.victim.user_id not in mentions.get("users", []), (exchange.path, mentions)
    threads = [
        c
        for c in local.world.channels.values()
        if c.parent_id in (world.channel.id, world.other_channel.id)
    ]
    assert threads, "the debate's threads"
    assert (
        bot_messages_pinging(local, [world.channel, world.other_channel, *threads], place.victim)
        == []
    )
    pinged = [
        m.content
        for m in local.world.messages.values()
        if m.author_id == local.application_id
        and (
            m.mention_everyone
            or m.mention_roles
            or place.victim.user_id in [u.id for u in m.mentions]
        )
    ]
    assert pinged == []
    assert "has started" in started.content
