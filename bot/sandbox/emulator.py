"""``LocalDiscord``: a Discord on loopback that the real discord.py client talks to.

Typical use in a test::

    async with LocalDiscord() as local:
        guild = local.add_guild("Debate Club")
        alice = local.add_member(guild, "alice")
        discord.http.Route.BASE = local.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(local.gateway_url)
        ...  # start the bot with guild_ready_timeout=0.05, wait until it is ready
        handle = await local.slash(alice, local.channel(guild.system_channel_id), "ping")
        assert (await handle.reply()).content == "pong"

Stop the bot before closing the emulator: a client that loses its server keeps trying
to reconnect and logs errors.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.sandbox.gateway import Gateway, Session
from bot.sandbox.interactions import Actor, FileSpec, InteractionDesk, InteractionHandle
from bot.sandbox.messages import MessageDraft
from bot.sandbox.models import (
    BOT_PERMISSIONS,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
    VoiceState,
)
from bot.sandbox.models import ScheduledEvent as ScheduledEvent
from bot.sandbox.records import Exchange
from bot.sandbox.rest import Fault, RestApi
from bot.sandbox.state import World
from bot.sandbox.waiting import Notifier


class LocalDiscord:
    """An aiohttp server speaking Discord's REST API and gateway, plus test controls.

    Point discord.py at it with ``discord.http.Route.BASE = d.api_base`` and
    ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(d.gateway_url)``.
    """

    def __init__(
        self,
        token: str = "test-token",
        *,
        interaction_deadline: float = 3.0,
        on_exchange: Callable[[Exchange], None] | None = None,
        heartbeat_interval: float = 41.25,
        shards: int = 1,
        bot_name: str = "Agora",
        bucket_limit: int = 50,
        bucket_window: float = 1.0,
        keep_messages: int | None = None,
        keep_exchanges: int | None = None,
    ) -> None:
        """Build a stopped emulator; ``start()`` (or ``async with``) serves it.

        For long runs, ``keep_messages`` keeps only the most recent messages of each
        channel and ``keep_exchanges`` only the most recent REST exchanges (0: none);
        ``request_counts()`` counts every request regardless.
        """
        if keep_exchanges is not None and keep_exchanges < 0:
            raise ValueError("keep_exchanges must be 0 or more (or None to keep them all)")
        self.token = token
        self.shard_count = shards
        self.notifier = Notifier()
        self.world = World(bot_name=bot_name, keep_messages=keep_messages)
        self.gateway = Gateway(
            self.world, self.notifier, token=token, heartbeat_interval=heartbeat_interval
        )
        self.world.emit = self.gateway.dispatch
        self.world.changed = self.notifier.notify
        self.desk = InteractionDesk(self.world, self.notifier, deadline=interaction_deadline)
        self.rest = RestApi(
            self.world,
            self.desk,
            token=token,
            gateway_url=lambda: self.gateway_url,
            shard_count=lambda: self.shard_count,
            on_exchange=on_exchange,
            bucket_limit=bucket_limit,
            bucket_window=bucket_window,
            keep_exchanges=keep_exchanges,
        )
        self._runner: web.AppRunner | None = None
        self._base = ""

    # ------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on ``host:port`` (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("LocalDiscord is already started")
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._file)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self._base = f"http://{bound_host}:{bound_port}"
        self.world.base_url = self._base
        self.gateway.url = self.gateway_url

    async def close(self) -> None:
        """Close every gateway connection and stop the server.

        Raises ``RuntimeError`` if an ``on_exchange`` callback or a route handler failed
        while serving, so such failures cannot pass unnoticed.
        """
        if self._runner is not None:
            await self.gateway.close()
            await self._runner.cleanup()
            self._runner = None
        if self.rest.errors:
            errors, self.rest.errors = self.rest.errors, []
            raise RuntimeError(f"{len(errors)} error(s) while serving: {errors!r}") from errors[0]

    async def __aenter__(self) -> LocalDiscord:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _file(self, request: web.Request) -> web.Response:
        stored = None
        raw = request.match_info["attachment_id"]
        if raw.isdigit():
            stored = self.world.files.get(int(raw))
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type=stored.content_type)

    @property
    def api_base(self) -> str:
        """The REST base URL, e.g. ``http://127.0.0.1:PORT/api/v10``."""
        self._require_started()
        return f"{self._base}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway URL, e.g. ``ws://127.0.0.1:PORT/gateway``."""
        self._require_started()
        return "ws" + self._base.removeprefix("http") + "/gateway"

    def _require_started(self) -> None:
        if not self._base:
            raise RuntimeError("LocalDiscord is not started; await start() first")

    @property
    def application_id(self) -> int:
        """The application's id (also the bot user's id)."""
        return self.world.application_id

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's user object."""
        return self.world.bot.payload()

    # --------------------------------------------------------------- state

    def add_guild(
        self,
        name: str,
        owner: User | str | None = None,
        *,
        id: int | None = None,
        shard: tuple[int, int] | None = None,
        bot_permissions: int = BOT_PERMISSIONS,
        locale: str = "en-US",
        system_channel: bool = True,
    ) -> Guild:
        """Create a guild the bot is in: @everyone, #general (system channel), owner, bot.

        ``id`` chooses the guild id; ``shard=(shard_id, shard_count)`` picks a fresh id
        that lands on that shard. ``bot_permissions`` are those of the bot's role.
        ``system_channel=False``: #general is not the system channel (the guild has none).
        """
        if id is not None and shard is not None:
            raise ValueError("give id or shard, not both")
        if shard is not None:
            id = self.world.ids.next_on_shard(*shard)
        if owner is None:
            owner = self.world.new_user(f"{name.lower().replace(' ', '-')}-owner")
        elif isinstance(owner, str):
            owner = self.world.new_user(owner)
        return self.world.add_guild(
            name,
            owner,
            guild_id=id,
            bot_permissions=bot_permissions,
            locale=locale,
            system_channel=system_channel,
        )

    def add_channel(
        self,
        guild: Guild,
        name: str,
        type: int = 0,
        *,
        parent: Channel | None = None,
        topic: str | None = None,
    ) -> Channel:
        """Create a channel: 0 text, 2 voice, 4 category, 13 stage; 11/12 threads of ``parent``."""
        return self.world.add_channel(guild, name, type=type, parent=parent, topic=topic)

    def add_role(self, guild: Guild, name: str, permissions: int = 0, *, color: int = 0) -> Role:
        """Create a role with these permission bits."""
        return self.world.add_role(guild, name, permissions=permissions, color=color)

    def add_member(
        self,
        guild: Guild,
        user: str | User,
        roles: Sequence[Role] = (),
        locale: str = "en-US",
        *,
        nick: str | None = None,
    ) -> Member:
        """Add a member (a new user named ``user``, or an existing ``User``) to a guild."""
        if isinstance(user, str):
            user = self.world.new_user(user, locale=locale)
        return self.world.add_member(guild, user, roles=list(roles), nick=nick)

    def add_user(self, name: str, locale: str = "en-US", *, dm_open: bool = True) -> User:
        """Create a user in no guild (for DM interactions)."""
        user = self.world.new_user(name, locale=locale)
        user.dm_open = dm_open
        return user

    def say(self, member: Member | User, channel: Channel, content: str) -> Message:
        """Post a plain message as a member (or, in their DM channel, as a user)."""
        user = member.user if isinstance(member, Member) else member
        if isinstance(member, Member) and channel.guild_id != member.guild_id:
            raise ValueError(f"#{channel.name} is not in the member's guild")
        return self.world.create_message(channel, user, MessageDraft(content=content), [])

    def edit_said(self, message: Message, content: str) -> Message:
        """Edit a member's (or DM user's) message, as they would; dispatches MESSAGE_UPDATE."""
        if message.author_id == self.world.bot.id:
            raise ValueError("the bot edits its own messages through the REST API")
        if self.world.messages.get(message.id) is not message:
            raise KeyError(f"message {message.id} was deleted or forgotten")
        return self.world.edit_message(message, MessageDraft(content=content), [])

    def react(self, member: Member | User, message: Message, emoji: str) -> None:
        """Add a member's reaction ("🔇", or "name:id" for a custom emoji) to a message."""
        user = member.user if isinstance(member, Member) else member
        self.world.add_reaction(message, user, self.world.check_emoji(emoji))

    # --------------------------------------------------------------- voice

    def join_voice(self, member: Member, channel: Channel) -> VoiceState:
        """Put a member in a voice or stage channel; on a stage they join the audience.

        A member already in voice moves. Dispatches VOICE_STATE_UPDATE.
        """
        return self.world.join_voice(member, channel)

    def leave_voice(self, member: Member) -> None:
        """Take a member out of voice (no-op when not in voice); dispatches the update."""
        self.world.leave_voice(member)

    def request_to_speak(self, member: Member) -> VoiceState:
        """Raise the hand of a member in a stage's audience (``ValueError`` if not on one)."""
        return self.world.request_to_speak(member)

    def voice_state(self, guild_id: int, user_id: int) -> VoiceState | None:
        """The user's voice state in the guild, or None when they are not in voice."""
        return self.world.guilds[guild_id].voice_states.get(user_id)

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and a user."""
        return self.world.open_dm(user)

    def guild(self, guild_id: int) -> Guild:
        """A guild by id (``KeyError`` if unknown)."""
        return self.world.guilds[guild_id]

    def member(self, guild_id: int, user_id: int) -> Member:
        """A guild member by guild and user id (``KeyError`` if not a member)."""
        return self.world.guilds[guild_id].members[user_id]

    def user(self, user_id: int) -> User:
        """A user by id (``KeyError`` if unknown)."""
        return self.world.users[user_id]

    def messages(self, channel_id: int) -> list[Message]:
        """The channel's messages in order (ephemeral ones too; ``keep_messages`` caps them)."""
        ids = self.world.channel_messages.get(channel_id, deque())
        return [self.world.messages[i] for i in ids]

    def message(self, message_id: int) -> Message:
        """A message by id (``KeyError`` if unknown or deleted)."""
        return self.world.messages[message_id]

    def channel(self, channel_id: int) -> Channel:
        """A channel or thread by id (``KeyError`` if unknown)."""
        return self.world.channels[channel_id]

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The registered application commands (global when ``guild_id`` is None)."""
        return list(self.world.commands.get(guild_id, []))

    def scheduled_events(self, guild_id: int) -> list[ScheduledEvent]:
        """The guild's scheduled events."""
        return list(self.world.guilds[guild_id].events.values())

    def mark_interested(self, event_id: int, member: Member | User) -> None:
        """Mark a member as interested in a scheduled event."""
        user = member.user if isinstance(member, Member) else member
        for guild in self.world.guilds.values():
            if event_id in guild.events:
                self.world.mark_interested(guild.events[event_id], user)
                return
        raise KeyError(f"unknown scheduled event {event_id}")

    @property
    def exchanges(self) -> list[Exchange]:
        """The REST exchanges so far, in order (the latest ``keep_exchanges`` if capped)."""
        return list(self.rest.exchanges)

    def request_counts(self) -> Counter[str]:
        """REST requests per route, keyed like ``"POST /channels/{channel_id}/messages"``.

        Every request that matched a route is counted, even when exchanges are capped.
        """
        return Counter(self.rest.request_counts)

    @property
    def identify_count(self) -> int:
        """How many IDENTIFYs the gateway accepted."""
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        """How many RESUMEs the gateway accepted."""
        return self.gateway.resume_count

    @property
    def sessions(self) -> list[Session]:
        """The connected gateway sessions (``.shard_id``, ``.shard_count``, ``.intents``)."""
        return self.gateway.live_sessions()

    async def wait_for(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
        what: str = "a condition",
    ) -> None:
        """Wait until ``condition()`` holds (re-checked on every state change)."""
        await self.notifier.wait_for(condition, timeout, what)

    async def wait_for_commands(
        self,
        guild_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
    ) -> list[dict[str, Any]]:
        """Wait until the bot bulk-overwrites the commands of a scope; return them."""
        await self.notifier.wait_for(
            lambda: self.world.command_overwrites.get(guild_id, 0) > 0,
            timeout,
            f"a command sync for {'global' if guild_id is None else f'guild {guild_id}'}",
        )
        return self.commands(guild_id)

    async def wait_for_sessions(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
    ) -> list[Session]:
        """Wait until ``count`` gateway sessions are connected."""
        await self.notifier.wait_for(
            lambda: len(self.sessions) >= count, timeout, f"{count} gateway session(s)"
        )
        return self.sessions

    # -------------------------------------------------------------- acting

    def _check_listener(self, actor: Actor, channel: Channel | None) -> None:
        guild_id = actor.guild_id if isinstance(actor, Member) else None
        if not self.gateway.receives(guild_id):
            where = f"guild {guild_id}" if guild_id is not None else "DMs (shard 0)"
            raise RuntimeError(f"no connected gateway session receives events for {where}")

    async def _dispatched(self, handle: InteractionHandle) -> InteractionHandle:
        # Let the writer task put INTERACTION_CREATE on the wire before returning.
        await asyncio.sleep(0)
        return handle

    async def slash(
        self,
        member: Actor,
        channel: Channel | None,
        name: str,
        options: Mapping[str, Any] | None = None,
        attachments: Mapping[str, FileSpec] | None = None,
        *,
        stale_client: bool = False,
    ) -> InteractionHandle:
        """Run ``/name`` ("cmd", "cmd sub" or "cmd group sub") as a member or DM user.

        ``stale_client`` plays a Discord app whose cached command list predates the
        command's ``contexts``, so it can still send a server-only command from a DM.
        """
        self._check_listener(member, channel)
        values = {**(options or {}), **(attachments or {})}
        return await self._dispatched(
            self.desk.slash(member, channel, name, values, stale_client=stale_client)
        )

    async def autocomplete(
        self,
        member: Actor,
        channel: Channel | None,
        name: str,
        options: Mapping[str, Any],
        focused: str,
    ) -> InteractionHandle:
        """Type into option ``focused`` of ``/name`` (an autocomplete interaction)."""
        self._check_listener(member, channel)
        return await self._dispatched(
            self.desk.slash(member, channel, name, options, focused=focused)
        )

    async def click(self, member: Actor, message: Message, custom_id: str) -> InteractionHandle:
        """Press the button ``custom_id`` of a message."""
        self._check_listener(member, None)
        return await self._dispatched(self.desk.click(member, message, custom_id))

    async def select(
        self, member: Actor, message: Message, custom_id: str, values: Sequence[Any]
    ) -> InteractionHandle:
        """Choose ``values`` in the select menu ``custom_id`` of a message."""
        self._check_listener(member, None)
        return await self._dispatched(self.desk.select(member, message, custom_id, values))

    async def submit_modal(
        self,
        member: Actor,
        channel: Channel | None,
        custom_id: str,
        values: Mapping[str, Any],
        message: Message | None = None,
    ) -> InteractionHandle:
        """Submit the modal ``custom_id`` the bot showed this member, with field values."""
        self._check_listener(member, channel)
        return await self._dispatched(
            self.desk.submit_modal(member, channel, custom_id, values, message)
        )

    # --------------------------------------------------------------- faults

    def inject_fault(
        self,
        status: int,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        times: int = 1,
        retry_after: float = 0.05,
        scope: str = "user",
    ) -> None:
        """Make the next ``times`` matching REST requests fail with ``status``.

        ``path_prefix`` is relative to the API base (``/channels/123/messages``). A 429
        carries ``Retry-After``, ``X-RateLimit-*`` and ``Via`` headers and Discord's
        ``{"message", "retry_after", "global", "code"}`` body, so discord.py retries it.
        """
        if status not in (429, 500, 502, 503, 504):
            raise ValueError(f"unsupported fault status {status}")
        if scope not in ("user", "global", "shared"):
            raise ValueError(f"unknown rate limit scope {scope!r}")
        self.rest.faults.append(Fault(status, method, path_prefix, times, retry_after, scope))

    def advance_time(self, seconds: float) -> None:
        """Move interaction time forward: response deadlines and 15-minute tokens expire."""
        self.desk.advance(seconds)

    async def drop_gateway(self, code: int = 4000, resume: bool = True) -> None:
        """Close every gateway connection; with ``resume=False`` RESUME is refused."""
        await self.gateway.drop(code, resume=resume)
