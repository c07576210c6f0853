"""The local Discord's REST API under ``/api/v10``: routing, auth, faults, rate limits.

Every request goes through ``RestApi.handle``: match a route (404/405 otherwise, with
Discord's bodies), apply an injected fault if one matches, check the bot token (webhook
and interaction routes are authorised by the token in their URL instead), charge the
rate-limit bucket, run the handler and record the exchange. Bodies are always sent
with ``Content-Type: application/json`` exactly, as discord.py only parses JSON then.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from bot.sandbox.errors import ApiError, FormErrors, missing_access, missing_permissions, unknown
from bot.sandbox.interactions import InteractionDesk
from bot.sandbox.messages import Upload, parse_message
from bot.sandbox.models import THREAD_TYPES, Channel, ChannelType, Guild, Message, Perm
from bot.sandbox.records import Exchange
from bot.sandbox.state import World

JSON = "application/json"
# Distinct emoji a message can carry.
MAX_REACTIONS = 20
NO_CONTENT = object()


@dataclass(slots=True)
class Created:
    """A handler result sent with ``201 Created``."""

    body: Any


_SNOWFLAKE_PARAMS = frozenset(
    {
        "application_id",
        "channel_id",
        "command_id",
        "event_id",
        "guild_id",
        "interaction_id",
        "role_id",
        "user_id",
        "webhook_id",
    }
)


@dataclass(slots=True)
class ApiRequest:
    """One REST request, decoded."""

    method: str
    path: str
    params: dict[str, str]
    query: Mapping[str, str]
    body: Any
    uploads: list[Upload]

    def snowflake(self, name: str) -> int:
        """A path parameter as an int (the router has checked it is a snowflake)."""
        return int(self.params[name])

    def flag(self, name: str) -> bool:
        """A boolean query parameter as Discord reads it."""
        return self.query.get(name, "").lower() in ("1", "true")


@dataclass(slots=True)
class Fault:
    """An injected failure for the next ``times`` matching requests."""

    status: int
    method: str | None
    path_prefix: str | None
    times: int
    retry_after: float
    scope: str

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


@dataclass(slots=True)
class Bucket:
    """A rate-limit bucket: requests counted in fixed windows."""

    name: str
    window_start: float = 0.0
    used: int = 0


Handler = Callable[[ApiRequest], Awaitable[Any]]


@dataclass(slots=True)
class Route:
    """A REST route: method, path template and handler."""

    method: str
    template: str
    handler: Handler
    token_auth: bool
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        self.pattern = re.compile(f"^{regex}$")


class RestApi:
    """The handlers of the REST API, over a ``World`` and an ``InteractionDesk``."""

    def __init__(
        self,
        world: World,
        desk: InteractionDesk,
        *,
        token: str,
        gateway_url: Callable[[], str],
        shard_count: Callable[[], int],
        on_exchange: Callable[[Exchange], None] | None,
        bucket_limit: int,
        bucket_window: float,
        keep_exchanges: int | None = None,
    ) -> None:
        self.world = world
        self.desk = desk
        self.token = token
        self.gateway_url = gateway_url
        self.shard_count = shard_count
        self.on_exchange = on_exchange
        # The most recent exchanges (all of them when ``keep_exchanges`` is None); the
        # counts per route are kept whatever the cap.
        self.exchanges: deque[Exchange] = deque(maxlen=keep_exchanges)
        self.request_counts: Counter[str] = Counter()
        self.errors: list[BaseException] = []
        self.faults: list[Fault] = []
        self.bucket_limit = bucket_limit
        self.bucket_window = bucket_window
        self.buckets: dict[str, Bucket] = {}
        # The application's flags in GET /applications/@me: the privileged Message Content
        # intent is switched on (GATEWAY_MESSAGE_CONTENT_LIMITED), as the gateway here
        # always sends message content. A test may change them.
        self.application_flags = 1 << 19
        self.routes = self._routes()

    # --------------------------------------------------------------- plumbing

    def _routes(self) -> list[Route]:
        def r(method: str, template: str, handler: Handler, *, token_auth: bool = False) -> Route:
            return Route(method, template, handler, token_auth)

        app = "/applications/{application_id}"
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        chan = "/channels/{channel_id}"
        guild = "/guilds/{guild_id}"
        event = guild + "/scheduled-events/{event_id}"
        # Literal segments (@me) come before the templates they would also match.
        return [
            r("GET", "/users/@me", self.get_me),
            r("POST", "/users/@me/channels", self.open_dm),
            r("GET", "/users/@me/guilds", self.my_guilds),
            r("GET", "/users/{user_id}", self.get_user),
            r("GET", "/oauth2/applications/@me", self.get_application),
            r("GET", "/applications/@me", self.get_application),
            r("GET", "/gateway", self.get_gateway),
            r("GET", "/gateway/bot", self.get_gateway_bot),
            r("GET", app + "/commands", self.list_commands),
            r("PUT", app + "/commands", self.overwrite_commands),
            r("POST", app + "/commands", self.create_command),
            r("GET", app + "/commands/{command_id}", self.get_command),
            r("PATCH", app + "/commands/{command_id}", self.edit_command),
            r("DELETE", app + "/commands/{command_id}", self.delete_command),
            r("GET", app + "/guilds/{guild_id}/commands", self.list_commands),
            r("PUT", app + "/guilds/{guild_id}/commands", self.overwrite_commands),
            r("POST", app + "/guilds/{guild_id}/commands", self.create_command),
            r("GET", app + "/guilds/{guild_id}/commands/{command_id}", self.get_command),
            r("PATCH", app + "/guilds/{guild_id}/commands/{command_id}", self.edit_command),
            r("DELETE", app + "/guilds/{guild_id}/commands/{command_id}", self.delete_command),
            r(
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                self.interaction_callback,
                token_auth=True,
            ),
            r("POST", hook, self.webhook_execute, token_auth=True),
            r("GET", hook + "/messages/{message_id}", self.webhook_get, token_auth=True),
            r("PATCH", hook + "/messages/{message_id}", self.webhook_edit, token_auth=True),
            r("DELETE", hook + "/messages/{message_id}", self.webhook_delete, token_auth=True),
            r("GET", chan, self.get_channel),
            r("PATCH", chan, self.edit_channel),
            r("GET", chan + "/messages", self.list_messages),
            r("POST", chan + "/messages", self.create_message),
            r("GET", chan + "/messages/{message_id}", self.get_message),
            r("PATCH", chan + "/messages/{message_id}", self.edit_message),
            r("DELETE", chan + "/messages/{message_id}", self.delete_message),
            r("POST", chan + "/messages/{message_id}/threads", self.thread_from_message),
            r("PUT", chan + "/messages/{message_id}/reactions/{emoji_name}/@me", self.react),
            r("DELETE", chan + "/messages/{message_id}/reactions/{emoji_name}/@me", self.unreact),
            r("POST", chan + "/threads", self.create_thread),
            r("PUT", chan + "/thread-members/@me", self.join_thread),
            r("POST", chan + "/typing", self.typing),
            r("GET", guild, self.get_guild),
            r("GET", guild + "/channels", self.guild_channels),
            r("GET", guild + "/members", self.list_members),
            r("GET", guild + "/members/{user_id}", self.get_member),
            r("PUT", guild + "/members/{user_id}/roles/{role_id}", self.add_member_role),
            r("DELETE", guild + "/members/{user_id}/roles/{role_id}", self.remove_member_role),
            r("GET", guild + "/roles", self.list_roles),
            r("GET", guild + "/voice-states/@me", self.get_voice_state),
            r("PATCH", guild + "/voice-states/@me", self.edit_voice_state),
            r("GET", guild + "/voice-states/{user_id}", self.get_voice_state),
            r("PATCH", guild + "/voice-states/{user_id}", self.edit_voice_state),
            r("GET", guild + "/scheduled-events", self.list_events),
            r("POST", guild + "/scheduled-events", self.create_event),
            r("GET", event, self.get_event),
            r("PATCH", event, self.edit_event),
            r("DELETE", event, self.delete_event),
            r("GET", event + "/users", self.event_users),
        ]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one request under ``/api/v10``."""
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        query = dict(request.query)
        content_type = request.headers.get("Content-Type")
        body: Any = None
        uploads: list[Upload] = []
        headers: dict[str, str] = {"Via": "1.1 google"}
        try:
            body, uploads = await self._read_body(request)
            route, params = self._match(method, path)
            self.request_counts[f"{route.method} {route.template}"] += 1
            self._apply_fault(method, path, headers)
            if not route.token_auth:
                self._check_auth(request)
            self._charge_bucket(route, params, headers)
            api_request = ApiRequest(method, path, params, query, body, uploads)
            result = await route.handler(api_request)
            if isinstance(result, Created):
                status, response_json = 201, result.body
            elif result is NO_CONTENT:
                status, response_json = 204, None
            else:
                status, response_json = 200, result
        except ApiError as error:
            status = error.status
            response_json = error.body()
            if error.status == 429:
                response_json = {
                    **response_json,
                    "retry_after": float(headers["X-RateLimit-Reset-After"]),
                    "global": headers.get("X-RateLimit-Global") == "true",
                }
        except Exception as error:
            # A bug in the emulator: answer like Discord's 500 and report it from
            # LocalDiscord.close(), since discord.py would just retry and carry on.
            self.errors.append(error)
            status = 500
            response_json = {"message": "500: Internal Server Error", "code": 0}
        response = self._render(status, response_json, headers)
        exchange = Exchange(
            method=method,
            path=path,
            query=query,
            request_json=body,
            request_content_type=content_type,
            status=status,
            response_json=response_json,
            at=time.time(),
        )
        self.exchanges.append(exchange)
        if self.on_exchange is not None:
            try:
                self.on_exchange(exchange)
            except Exception as error:
                # Reported by LocalDiscord.close(): raising here would turn into a 500
                # that discord.py retries, hiding the failure.
                self.errors.append(error)
        return response

    @staticmethod
    def _render(status: int, body: Any, headers: dict[str, str]) -> web.Response:
        if status == 204:
            return web.Response(status=204, headers=headers)
        payload = json.dumps(body, separators=(",", ":")).encode()
        # Bytes plus content_type gives "application/json" with no charset parameter.
        return web.Response(status=status, body=payload, content_type=JSON, headers=headers)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[Upload]]:
        if not request.body_exists:
            return None, []
        if request.content_type == "multipart/form-data":
            return await self._read_multipart(request)
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None

    async def _read_multipart(self, request: web.Request) -> tuple[Any, list[Upload]]:
        reader = await request.multipart()
        body: Any = None
        uploads: list[Upload] = []
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            data = await part.read()
            if name == "payload_json":
                try:
                    body = json.loads(data)
                except ValueError:
                    raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
                continue
            match = re.fullmatch(r"files\[(\d+)\]", name)
            if match is None:
                continue
            uploads.append(
                Upload(
                    int(match.group(1)),
                    part.filename or f"file{match.group(1)}",
                    part.headers.get("Content-Type", "application/octet-stream"),
                    bytes(data),
                )
            )
        return body, uploads

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        path_matched = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            path_matched = True
            if route.method != method:
                continue
            params = found.groupdict()
            errors = FormErrors()
            for name, value in params.items():
                if name in _SNOWFLAKE_PARAMS and not value.isdigit():
                    errors.add((name,), "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
            errors.raise_if_any()
            return route, params
        if path_matched:
            raise ApiError(405, 0, "405: Method Not Allowed")
        raise ApiError(404, 0, "404: Not Found")

    def _check_auth(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise ApiError(401, 0, "401: Unauthorized")

    def _apply_fault(self, method: str, path: str, headers: dict[str, str]) -> None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(method, path):
                fault.times -= 1
                self.faults = [f for f in self.faults if f.times > 0]
                if fault.status == 429:
                    self._rate_limited(fault.retry_after, fault.scope, "fault", headers)
                messages = {
                    500: "500: Internal Server Error",
                    502: "502: Bad Gateway",
                    503: "503: Service Unavailable",
                    504: "504: Gateway Timeout",
                }
                raise ApiError(fault.status, 0, messages.get(fault.status, f"{fault.status}"))

    def _rate_limited(
        self, retry_after: float, scope: str, bucket: str, headers: dict[str, str]
    ) -> None:
        headers.update(
            {
                "Retry-After": str(max(1, math.ceil(retry_after))),
                "X-RateLimit-Limit": str(self.bucket_limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": _bucket_hash(bucket),
                "X-RateLimit-Scope": scope,
            }
        )
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
            # A global limit is not tied to a route's bucket.
            for key in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Bucket"):
                headers.pop(key)
        raise ApiError(429, 0, "You are being rate limited.")

    def _charge_bucket(self, route: Route, params: dict[str, str], headers: dict[str, str]) -> None:
        # Discord buckets by route and its major parameter (channel, guild, webhook
        # with its token, or interaction).
        major = next(
            (
                params[k] + params.get("webhook_token", "")
                for k in ("channel_id", "guild_id", "webhook_id", "interaction_id")
                if k in params
            ),
            "",
        )
        name = f"{route.method} {route.template}"
        key = f"{name}:{major}"
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = Bucket(name)
        now = time.monotonic()
        if now - bucket.window_start >= self.bucket_window:
            bucket.window_start, bucket.used = now, 0
        reset_after = self.bucket_window - (now - bucket.window_start)
        if bucket.used >= self.bucket_limit:
            self._rate_limited(reset_after, "user", name, headers)
        bucket.used += 1
        headers.update(
            {
                "X-RateLimit-Limit": str(self.bucket_limit),
                "X-RateLimit-Remaining": str(self.bucket_limit - bucket.used),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": _bucket_hash(name),
            }
        )

    # ------------------------------------------------------ users and app

    async def get_me(self, request: ApiRequest) -> Any:
        """``GET /users/@me``."""
        return self.world.bot.private_payload()

    async def get_user(self, request: ApiRequest) -> Any:
        """``GET /users/{id}``."""
        return self.world.user(request.snowflake("user_id")).payload()

    async def open_dm(self, request: ApiRequest) -> Any:
        """``POST /users/@me/channels``: the DM channel with a user."""
        body = request.body if isinstance(request.body, dict) else {}
        raw = body.get("recipient_id")
        if raw is None or not str(raw).isdigit():
            errors = FormErrors()
            errors.required(("recipient_id",))
            errors.raise_if_any()
        user = self.world.user(int(str(raw)))
        return self.world.open_dm(user).payload()

    async def my_guilds(self, request: ApiRequest) -> Any:
        """``GET /users/@me/guilds``: the bot's guilds by id (``after``, ``before``, ``limit``)."""
        limit = _int_query(request, "limit", 200, 1, 200)
        after, before = request.query.get("after", "0"), request.query.get("before", "")
        floor = int(after) if after.isdigit() else 0
        ceiling = int(before) if before.isdigit() else None
        bot = self.world.bot.id
        guilds = sorted(
            (
                g
                for g in self.world.guilds.values()
                if bot in g.members and g.id > floor and (ceiling is None or g.id < ceiling)
            ),
            key=lambda g: g.id,
        )
        if ceiling is not None and "after" not in request.query:
            guilds = guilds[-limit:]
        return [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "banner": None,
                "owner": g.owner_id == bot,
                "permissions": str(g.base_permissions(g.members[bot])),
                "features": [],
                **(
                    {"approximate_member_count": len(g.members), "approximate_presence_count": 0}
                    if request.flag("with_counts")
                    else {}
                ),
            }
            for g in guilds[:limit]
        ]

    async def get_application(self, request: ApiRequest) -> Any:
        """``GET /oauth2/applications/@me`` and ``GET /applications/@me``."""
        world = self.world
        return {
            "id": str(world.application_id),
            "name": world.app_name,
            "icon": None,
            "description": "",
            "type": None,
            "bot": world.bot.payload(),
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": hashlib.sha256(str(world.application_id).encode()).hexdigest(),
            "flags": self.application_flags,
            "flags_new": str(self.application_flags),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "owner": world.owner.payload(),
            "approximate_guild_count": len(world.guilds),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "team": None,
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
            "tags": [],
            "integration_types_config": {"0": {}},
        }

    async def get_gateway(self, request: ApiRequest) -> Any:
        """``GET /gateway``."""
        return {"url": self.gateway_url()}

    async def get_gateway_bot(self, request: ApiRequest) -> Any:
        """``GET /gateway/bot``: the URL, recommended shards and start limits."""
        return {
            "url": self.gateway_url(),
            "shards": self.shard_count(),
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }

    # ------------------------------------------------------------ commands

    def _command_scope(self, request: ApiRequest) -> int | None:
        if request.snowflake("application_id") != self.world.application_id:
            raise unknown("Application")
        if "guild_id" not in request.params:
            return None
        guild_id = request.snowflake("guild_id")
        if guild_id not in self.world.guilds:
            raise missing_access()
        return guild_id

    def _command(self, request: ApiRequest) -> tuple[int | None, dict[str, Any]]:
        scope = self._command_scope(request)
        command_id = request.params["command_id"]
        for command in self.world.commands.get(scope, []):
            if command["id"] == command_id:
                return scope, command
        raise unknown("Application Command")

    async def list_commands(self, request: ApiRequest) -> Any:
        """``GET`` global or guild commands."""
        return list(self.world.commands.get(self._command_scope(request), []))

    async def overwrite_commands(self, request: ApiRequest) -> Any:
        """``PUT`` global or guild commands (bulk overwrite, as ``tree.sync()`` does)."""
        return self.world.overwrite_commands(self._command_scope(request), request.body)

    async def create_command(self, request: ApiRequest) -> Any:
        """``POST`` one command: creates it, or replaces the one with its name and type."""
        scope = self._command_scope(request)
        current = self.world.commands.get(scope, [])
        body = request.body if isinstance(request.body, dict) else {}
        key = (body.get("name"), body.get("type") or 1)
        others = [c for c in current if (c["name"], c["type"]) != key]
        replaced = self.world.overwrite_commands(scope, [*others, body])
        # 201 for a new command, 200 when it replaced one with the same name and type.
        return replaced[-1] if len(others) < len(current) else Created(replaced[-1])

    async def get_command(self, request: ApiRequest) -> Any:
        """``GET`` one command."""
        return self._command(request)[1]

    async def edit_command(self, request: ApiRequest) -> Any:
        """``PATCH`` one command."""
        scope, command = self._command(request)
        body = request.body if isinstance(request.body, dict) else {}
        bodies = [{**c, **body} if c is command else c for c in self.world.commands.get(scope, [])]
        result = self.world.overwrite_commands(scope, bodies)
        return next(c for c in result if c["id"] == command["id"])

    async def delete_command(self, request: ApiRequest) -> Any:
        """``DELETE`` one command."""
        scope, command = self._command(request)
        self.world.commands[scope] = [c for c in self.world.commands[scope] if c is not command]
        return NO_CONTENT

    # -------------------------------------------------------- interactions

    async def interaction_callback(self, request: ApiRequest) -> Any:
        """``POST /interactions/{id}/{token}/callback``."""
        result = self.desk.callback(
            request.snowflake("interaction_id"),
            request.params["interaction_token"],
            request.body,
            request.uploads,
            with_response=request.flag("with_response"),
        )
        return NO_CONTENT if result is None else result

    def _webhook_record(self, request: ApiRequest) -> Any:
        return self.desk.for_token(request.snowflake("webhook_id"), request.params["webhook_token"])

    async def webhook_execute(self, request: ApiRequest) -> Any:
        """``POST /webhooks/{app}/{token}``: an interaction followup."""
        record = self._webhook_record(request)
        message = self.desk.followup(record, request.body, request.uploads)
        return message.payload() if request.flag("wait") else NO_CONTENT

    async def webhook_get(self, request: ApiRequest) -> Any:
        """``GET /webhooks/{app}/{token}/messages/{id|@original}``."""
        record = self._webhook_record(request)
        return self.desk.webhook_message(record, request.params["message_id"]).payload()

    async def webhook_edit(self, request: ApiRequest) -> Any:
        """``PATCH /webhooks/{app}/{token}/messages/{id|@original}``."""
        record = self._webhook_record(request)
        message = self.desk.webhook_message(record, request.params["message_id"])
        return self.desk.edit(record, message, request.body, request.uploads).payload()

    async def webhook_delete(self, request: ApiRequest) -> Any:
        """``DELETE /webhooks/{app}/{token}/messages/{id|@original}``."""
        record = self._webhook_record(request)
        message = self.desk.webhook_message(record, request.params["message_id"])
        self.world.delete_message(message)
        self.desk.notifier.notify()
        return NO_CONTENT

    # ------------------------------------------------------------ channels

    def _channel(self, request: ApiRequest) -> Channel:
        channel = self.world.channel(request.snowflake("channel_id"))
        if channel.is_dm:
            return channel
        if not self.world.permissions(self.world.bot, channel) & Perm.VIEW_CHANNEL:
            raise missing_access()
        return channel

    def _own_message(self, request: ApiRequest) -> tuple[Channel, Message]:
        channel = self._channel(request)
        return channel, self.world.message(channel, request.snowflake("message_id"))

    async def get_channel(self, request: ApiRequest) -> Any:
        """``GET /channels/{id}``."""
        return self._channel(request).payload()

    async def edit_channel(self, request: ApiRequest) -> Any:
        """``PATCH /channels/{id}`` (threads: archive, lock, rename)."""
        channel = self._channel(request)
        body = request.body if isinstance(request.body, dict) else {}
        if channel.is_dm:
            raise ApiError(400, 50003, "Cannot execute action on a DM channel")
        if channel.is_thread:
            # The thread's creator may archive or rename it; anything else needs
            # MANAGE_THREADS.
            own = channel.owner_id == self.world.bot.id
            if not own or "locked" in body:
                self.world.require(channel, Perm.MANAGE_THREADS)
        else:
            self.world.require(channel, Perm.MANAGE_CHANNELS)
        return self.world.update_channel(channel, body).payload()

    async def list_messages(self, request: ApiRequest) -> Any:
        """``GET /channels/{id}/messages`` with ``limit``/``before``/``after``/``around``."""
        channel = self._channel(request)
        if not channel.is_dm:
            self.world.require(channel, Perm.READ_MESSAGE_HISTORY)
        limit = _int_query(request, "limit", 50, 1, 100)
        messages = sorted(self.world.visible_messages(channel), key=lambda m: m.id, reverse=True)
        before, after, around = (request.query.get(k) for k in ("before", "after", "around"))
        if around is not None and around.isdigit():
            pivot = int(around)
            newer = [m for m in messages if m.id > pivot][-(limit // 2) :] if limit > 1 else []
            rest = [m for m in messages if m.id <= pivot][: limit - len(newer)]
            selected = newer + rest
        elif after is not None and after.isdigit():
            newer = [m for m in messages if m.id > int(after)]
            selected = newer[-limit:]
        else:
            if before is not None and before.isdigit():
                messages = [m for m in messages if m.id < int(before)]
            selected = messages[:limit]
        return [m.payload() for m in selected]

    async def create_message(self, request: ApiRequest) -> Any:
        """``POST /channels/{id}/messages``."""
        channel = self._channel(request)
        draft = parse_message(request.body, request.uploads, editing=False)
        if channel.is_dm:
            assert channel.recipient is not None
            if not channel.recipient.dm_open:
                raise ApiError(403, 50007, "Cannot send messages to this user")
        else:
            if channel.type in (ChannelType.GUILD_CATEGORY, ChannelType.GUILD_FORUM):
                raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
            needed = Perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else Perm.SEND_MESSAGES
            self.world.require(channel, needed)
            if request.uploads:
                self.world.require(channel, Perm.ATTACH_FILES)
            if draft.message_reference is not None:
                self.world.require(channel, Perm.READ_MESSAGE_HISTORY)
        draft.flags = (draft.flags or 0) & ~(1 << 6)
        message = self.world.create_message(channel, self.world.bot, draft, request.uploads)
        return message.payload()

    async def get_message(self, request: ApiRequest) -> Any:
        """``GET /channels/{id}/messages/{id}``."""
        channel, message = self._own_message(request)
        if not channel.is_dm:
            self.world.require(channel, Perm.READ_MESSAGE_HISTORY)
        return message.payload()

    async def edit_message(self, request: ApiRequest) -> Any:
        """``PATCH /channels/{id}/messages/{id}`` (only the bot's own messages)."""
        _, message = self._own_message(request)
        if message.author_id != self.world.bot.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        draft = parse_message(request.body, request.uploads, editing=True)
        return self.world.edit_message(message, draft, request.uploads).payload()

    async def delete_message(self, request: ApiRequest) -> Any:
        """``DELETE /channels/{id}/messages/{id}`` (others' need MANAGE_MESSAGES)."""
        channel, message = self._own_message(request)
        if message.author_id != self.world.bot.id:
            if channel.is_dm:
                raise ApiError(403, 50003, "Cannot execute action on a DM channel")
            self.world.require(channel, Perm.MANAGE_MESSAGES)
        self.world.delete_message(message)
        return NO_CONTENT

    def _emoji(self, request: ApiRequest) -> str:
        # discord.py percent-encodes the emoji; decode it whether or not the router did.
        return self.world.check_emoji(unquote(request.params["emoji_name"]))

    async def react(self, request: ApiRequest) -> Any:
        """``PUT .../messages/{id}/reactions/{emoji}/@me`` (a new emoji needs ADD_REACTIONS)."""
        channel, message = self._own_message(request)
        emoji = self._emoji(request)
        self.world.require(channel, Perm.READ_MESSAGE_HISTORY)
        if emoji not in message.reactions:
            self.world.require(channel, Perm.ADD_REACTIONS)
            if len(message.reactions) >= MAX_REACTIONS:
                raise ApiError(400, 30010, f"Maximum number of reactions reached ({MAX_REACTIONS})")
        self.world.add_reaction(message, self.world.bot, emoji)
        return NO_CONTENT

    async def unreact(self, request: ApiRequest) -> Any:
        """``DELETE .../messages/{id}/reactions/{emoji}/@me``."""
        _, message = self._own_message(request)
        self.world.remove_reaction(message, self.world.bot, self._emoji(request))
        return NO_CONTENT

    async def typing(self, request: ApiRequest) -> Any:
        """``POST /channels/{id}/typing``."""
        channel = self._channel(request)
        if not channel.is_dm:
            self.world.require(channel, Perm.SEND_MESSAGES)
        return NO_CONTENT

    async def create_thread(self, request: ApiRequest) -> Any:
        """``POST /channels/{id}/threads``: a thread without a starter message."""
        channel = self._channel(request)
        body = request.body if isinstance(request.body, dict) else {}
        thread_type = body.get("type") or ChannelType.PRIVATE_THREAD
        if thread_type not in (11, 12):
            errors = FormErrors()
            errors.add(("type",), "BASE_TYPE_CHOICES", "Value must be one of (11, 12).")
            errors.raise_if_any()
        needed = Perm.CREATE_PUBLIC_THREADS if thread_type == 11 else Perm.CREATE_PRIVATE_THREADS
        thread = self._new_thread(channel, body, thread_type, needed, thread_id=None)
        return Created(thread.payload())

    async def thread_from_message(self, request: ApiRequest) -> Any:
        """``POST /channels/{id}/messages/{id}/threads``: the thread shares the message id."""
        channel, message = self._own_message(request)
        if message.thread is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        body = request.body if isinstance(request.body, dict) else {}
        thread = self._new_thread(
            channel, body, ChannelType.PUBLIC_THREAD, Perm.CREATE_PUBLIC_THREADS, message.id
        )
        self.world.attach_thread(message, thread)
        return Created(thread.payload())

    def _new_thread(
        self,
        channel: Channel,
        body: dict[str, Any],
        thread_type: int,
        needed: Perm,
        thread_id: int | None,
    ) -> Channel:
        if channel.is_dm or channel.type in THREAD_TYPES or channel.type not in (0, 5):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        self.world.require(channel, needed)
        errors = FormErrors()
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.add(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        duration = body.get("auto_archive_duration") or 1440
        if duration not in (60, 1440, 4320, 10080):
            errors.add(
                ("auto_archive_duration",),
                "BASE_TYPE_CHOICES",
                "Value must be one of (60, 1440, 4320, 10080).",
            )
        errors.raise_if_any()
        return self.world.new_thread(
            channel,
            str(name),
            thread_type,
            owner=self.world.bot,
            thread_id=thread_id,
            auto_archive_duration=int(duration),
            invitable=bool(body.get("invitable", True)),
            rate_limit_per_user=_int_or(body.get("rate_limit_per_user"), 0),
        )

    async def join_thread(self, request: ApiRequest) -> Any:
        """``PUT /channels/{id}/thread-members/@me``."""
        channel = self._channel(request)
        if not channel.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        channel.member_ids.add(self.world.bot.id)
        return NO_CONTENT

    # -------------------------------------------------------------- guilds

    def _guild(self, request: ApiRequest) -> Guild:
        return self.world.guild(request.snowflake("guild_id"))

    async def get_guild(self, request: ApiRequest) -> Any:
        """``GET /guilds/{id}`` (``with_counts`` adds approximate counts)."""
        return self._guild(request).payload(counts=request.flag("with_counts"))

    async def guild_channels(self, request: ApiRequest) -> Any:
        """``GET /guilds/{id}/channels`` (threads are not listed, as on Discord)."""
        guild = self._guild(request)
        return [c.payload() for c in guild.channels.values() if not c.is_thread]

    async def list_members(self, request: ApiRequest) -> Any:
        """``GET /guilds/{id}/members`` with ``limit`` (1-1000, default 1) and ``after``."""
        guild = self._guild(request)
        limit = _int_query(request, "limit", 1, 1, 1000)
        after = request.query.get("after", "0")
        floor = int(after) if after.isdigit() else 0
        members = sorted(
            (m for m in guild.members.values() if m.user_id > floor), key=lambda m: m.user_id
        )
        return [m.payload() for m in members[:limit]]

    async def get_member(self, request: ApiRequest) -> Any:
        """``GET /guilds/{id}/members/{user_id}``."""
        guild = self._guild(request)
        return self.world.member(guild, request.snowflake("user_id")).payload()

    def _role_change(self, request: ApiRequest) -> tuple[Guild, Any, Any]:
        guild = self._guild(request)
        member = self.world.member(guild, request.snowflake("user_id"))
        role = guild.roles.get(request.snowflake("role_id"))
        if role is None:
            raise unknown("Role")
        bot = self.world.bot_member(guild)
        have = guild.base_permissions(bot)
        top = max((guild.roles[r].position for r in bot.roles if r in guild.roles), default=0)
        if not have & Perm.MANAGE_ROLES or role.position >= top or role.bot_id is not None:
            raise missing_permissions()
        return guild, member, role

    async def add_member_role(self, request: ApiRequest) -> Any:
        """``PUT /guilds/{id}/members/{user_id}/roles/{role_id}``."""
        guild, member, role = self._role_change(request)
        if role.id not in member.roles:
            member.roles.append(role.id)
            self._member_update(guild, member)
        return NO_CONTENT

    async def remove_member_role(self, request: ApiRequest) -> Any:
        """``DELETE /guilds/{id}/members/{user_id}/roles/{role_id}``."""
        guild, member, role = self._role_change(request)
        if role.id in member.roles:
            member.roles.remove(role.id)
            self._member_update(guild, member)
        return NO_CONTENT

    def _member_update(self, guild: Guild, member: Any) -> None:
        self.world.emit(
            "GUILD_MEMBER_UPDATE", {**member.payload(), "guild_id": str(guild.id)}, guild.id
        )
        self.world.changed()

    async def list_roles(self, request: ApiRequest) -> Any:
        """``GET /guilds/{id}/roles``."""
        guild = self._guild(request)
        return [r.payload() for r in sorted(guild.roles.values(), key=lambda r: r.position)]

    # --------------------------------------------------------------- voice

    def _voice_user(self, request: ApiRequest) -> int:
        if "user_id" in request.params:
            return request.snowflake("user_id")
        return self.world.bot.id

    async def get_voice_state(self, request: ApiRequest) -> Any:
        """``GET /guilds/{id}/voice-states/{user_id|@me}``."""
        guild = self._guild(request)
        return self.world.voice_state(guild, self._voice_user(request)).payload()

    async def edit_voice_state(self, request: ApiRequest) -> Any:
        """``PATCH /guilds/{id}/voice-states/{user_id|@me}``: stage suppress and hand."""
        guild = self._guild(request)
        self.world.update_voice_state(guild, self._voice_user(request), request.body)
        return NO_CONTENT

    # ---------------------------------------------------- scheduled events

    def _event(self, request: ApiRequest) -> tuple[Guild, Any]:
        guild = self._guild(request)
        event = guild.events.get(request.snowflake("event_id"))
        if event is None:
            raise unknown("Guild Scheduled Event")
        return guild, event

    def _require_events(self, guild: Guild, *, manage: bool) -> None:
        have = guild.base_permissions(self.world.bot_member(guild))
        needed = Perm.MANAGE_EVENTS if manage else Perm.CREATE_EVENTS | Perm.MANAGE_EVENTS
        if not have & needed:
            raise missing_permissions()

    async def list_events(self, request: ApiRequest) -> Any:
        """``GET /guilds/{id}/scheduled-events`` (``with_user_count``)."""
        guild = self._guild(request)
        counts = request.flag("with_user_count")
        return [e.payload(with_user_count=counts) for e in guild.events.values()]

    async def create_event(self, request: ApiRequest) -> Any:
        """``POST /guilds/{id}/scheduled-events``."""
        guild = self._guild(request)
        self._require_events(guild, manage=False)
        body = request.body if isinstance(request.body, dict) else {}
        return self.world.create_event(guild, body).payload()

    async def get_event(self, request: ApiRequest) -> Any:
        """``GET /guilds/{id}/scheduled-events/{id}``."""
        _, event = self._event(request)
        return event.payload(with_user_count=request.flag("with_user_count"))

    async def edit_event(self, request: ApiRequest) -> Any:
        """``PATCH /guilds/{id}/scheduled-events/{id}``."""
        guild, event = self._event(request)
        if event.creator.id != self.world.bot.id:
            self._require_events(guild, manage=True)
        body = request.body if isinstance(request.body, dict) else {}
        return self.world.update_event(event, body).payload()

    async def delete_event(self, request: ApiRequest) -> Any:
        """``DELETE /guilds/{id}/scheduled-events/{id}``."""
        guild, event = self._event(request)
        if event.creator.id != self.world.bot.id:
            self._require_events(guild, manage=True)
        self.world.delete_event(guild, event)
        return NO_CONTENT

    async def event_users(self, request: ApiRequest) -> Any:
        """``GET .../scheduled-events/{id}/users`` (``limit``, ``with_member``, paging)."""
        guild, event = self._event(request)
        limit = _int_query(request, "limit", 100, 1, 100)
        with_member = request.flag("with_member")
        ids = sorted(event.interested)
        before, after = request.query.get("before"), request.query.get("after")
        if before is not None and before.isdigit():
            ids = [i for i in ids if i < int(before)][-limit:]
        else:
            floor = int(after) if after is not None and after.isdigit() else 0
            ids = [i for i in ids if i > floor][:limit]
        result = []
        for user_id in ids:
            user = self.world.users[user_id]
            entry: dict[str, Any] = {
                "guild_scheduled_event_id": str(event.id),
                "user_id": str(user_id),
                "user": user.payload(),
                "response": 1,
            }
            member = guild.members.get(user_id)
            if with_member and member is not None:
                entry["member"] = member.payload()
            result.append(entry)
        return result


def _int_query(request: ApiRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    errors = FormErrors()
    try:
        value = int(raw)
    except ValueError:
        errors.add((name,), "NUMBER_TYPE_COERCE", f'Value "{raw}" is not int.')
        errors.raise_if_any()
        raise AssertionError("unreachable") from None
    if not low <= value <= high:
        errors.add(
            (name,),
            "NUMBER_TYPE_MAX" if value > high else "NUMBER_TYPE_MIN",
            f"int value should be between {low} and {high}.",
        )
        errors.raise_if_any()
    return value


def _int_or(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _bucket_hash(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:32]
