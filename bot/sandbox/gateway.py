"""The local Discord's gateway: sessions, shards, zlib-stream and RESUME.

Theory of operation: a websocket connects, gets HELLO, then IDENTIFYs (a new session
for one shard: READY, then one GUILD_CREATE per guild of that shard) or RESUMEs (the
events of the session after the client's sequence number are replayed, then RESUMED).
A session outlives its connection: events dispatched while it is disconnected are
numbered and kept, which is what makes a RESUME after a network blip lossless. Every
frame of a connection goes through one writer task so that sequence numbers and the
shared zlib stream stay in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.sandbox.state import (
    INTENT_DIRECT_MESSAGE_REACTIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_SCHEDULED_EVENTS,
    INTENT_GUILD_VOICE_STATES,
    INTENT_GUILDS,
    Payload,
    World,
)
from bot.sandbox.waiting import Notifier

_log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE_UPDATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = (
    6,
    7,
    8,
    9,
    10,
    11,
)

# How many dispatched events a session keeps for RESUME.
REPLAY_LIMIT = 5000
MEMBER_CHUNK_SIZE = 1000

_GUILD_EVENTS = {
    "GUILD_CREATE",
    "GUILD_UPDATE",
    "GUILD_DELETE",
    "GUILD_ROLE_CREATE",
    "GUILD_ROLE_UPDATE",
    "GUILD_ROLE_DELETE",
    "CHANNEL_CREATE",
    "CHANNEL_UPDATE",
    "CHANNEL_DELETE",
    "THREAD_CREATE",
    "THREAD_UPDATE",
    "THREAD_DELETE",
}
_MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"}


def required_intent(event: str, guild_id: int | None) -> int:
    """The intent a session needs to receive an event (0: always sent)."""
    if event in _GUILD_EVENTS:
        return INTENT_GUILDS
    if event.startswith("GUILD_MEMBER_"):
        return INTENT_GUILD_MEMBERS
    if event.startswith("GUILD_SCHEDULED_EVENT_"):
        return INTENT_GUILD_SCHEDULED_EVENTS
    if event in _MESSAGE_EVENTS:
        return INTENT_DIRECT_MESSAGES if guild_id is None else INTENT_GUILD_MESSAGES
    if event.startswith("MESSAGE_REACTION_"):
        if guild_id is None:
            return INTENT_DIRECT_MESSAGE_REACTIONS
        return INTENT_GUILD_MESSAGE_REACTIONS
    if event == "VOICE_STATE_UPDATE":
        return INTENT_GUILD_VOICE_STATES
    return 0


@dataclass(eq=False)
class Connection:
    """One websocket and the single task that writes to it."""

    ws: web.WebSocketResponse
    compressor: Any | None
    queue: asyncio.Queue[dict[str, Any] | tuple[int, str]] = field(default_factory=asyncio.Queue)
    session: Session | None = None
    writer: asyncio.Task[None] | None = None
    dropped: bool = False

    def send(self, frame: dict[str, Any]) -> None:
        """Queue a frame for sending."""
        self.queue.put_nowait(frame)

    def close_after_pending(self, code: int, reason: str) -> None:
        """Close once the frames already queued are sent."""
        self.queue.put_nowait((code, reason))

    async def write_loop(self) -> None:
        """Send queued frames in order, compressed when the client asked for zlib-stream."""
        while True:
            item = await self.queue.get()
            if isinstance(item, tuple):
                await self.ws.close(code=item[0], message=item[1].encode())
                return
            text = json.dumps(item, separators=(",", ":"))
            try:
                if self.compressor is not None:
                    # One compressor per connection; each message ends with a sync flush
                    # (00 00 ff ff), which is how discord.py spots a complete message.
                    data = self.compressor.compress(text.encode())
                    data += self.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return


@dataclass(eq=False)
class Session:
    """A gateway session (one shard of one client), resumable across connections."""

    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    seq: int = 0
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=REPLAY_LIMIT))
    connection: Connection | None = None
    resumable: bool = True
    ready_guild_ids: list[int] = field(default_factory=list)

    @property
    def compression(self) -> str | None:
        """``"zlib-stream"`` when the current connection compresses, else None."""
        if self.connection is None or self.connection.compressor is None:
            return None
        return "zlib-stream"

    def owns(self, guild_id: int | None) -> bool:
        """Whether this shard receives the guild's events (DMs go to shard 0)."""
        if guild_id is None:
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Number an event, keep it for RESUME and send it if connected."""
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.log.append(frame)
        if self.connection is not None:
            self.connection.send(frame)


class Gateway:
    """The websocket endpoint and every session on it."""

    def __init__(
        self,
        world: World,
        notifier: Notifier,
        *,
        token: str,
        heartbeat_interval: float,
    ) -> None:
        self.world = world
        self.notifier = notifier
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self.url = ""
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identify_count = 0
        self.resume_count = 0

    def live_sessions(self) -> list[Session]:
        """Sessions with an open connection."""
        return [s for s in self.sessions.values() if s.connection is not None]

    def receives(self, guild_id: int | None) -> bool:
        """Whether some session would receive this guild's (or DM) events now."""
        return any(s.owns(guild_id) for s in self.live_sessions())

    def dispatch(self, event: str, payload: Payload, guild_id: int | None) -> None:
        """Send an event to every session whose shard owns the guild and wants the event."""
        intent = required_intent(event, guild_id)
        for session in list(self.sessions.values()):
            if not session.resumable or not session.owns(guild_id):
                continue
            if intent and not session.intents & intent:
                continue
            data = payload(session.intents) if callable(payload) else payload
            session.dispatch(event, data)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one gateway websocket connection."""
        ws = web.WebSocketResponse(max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        compress = request.query.get("compress") == "zlib-stream"
        connection = Connection(ws, zlib.compressobj() if compress else None)
        connection.writer = asyncio.create_task(connection.write_loop())
        self.connections.add(connection)
        if request.query.get("encoding", "json") != "json":
            connection.close_after_pending(4002, "Only the json encoding is supported.")
        else:
            connection.send(
                {
                    "op": HELLO,
                    "d": {
                        "heartbeat_interval": int(self.heartbeat_interval * 1000),
                        "_trace": ["local-discord"],
                    },
                    "s": None,
                    "t": None,
                }
            )
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self._receive(connection, message.data)
                elif message.type is WSMsgType.BINARY:
                    connection.close_after_pending(4002, "Error while decoding payload.")
        finally:
            self._disconnected(connection)
        return ws

    def _disconnected(self, connection: Connection) -> None:
        self.connections.discard(connection)
        if connection.writer is not None:
            connection.writer.cancel()
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None
            # A clean close by the client ends its session, as on Discord; anything
            # else (a drop, a 4000) leaves it resumable.
            if not connection.dropped and connection.ws.close_code in (1000, 1001):
                self.sessions.pop(session.session_id, None)
        self.notifier.notify()

    def _receive(self, connection: Connection, text: str) -> None:
        try:
            frame = json.loads(text)
            op = frame["op"]
            data = frame.get("d")
        except (ValueError, KeyError, TypeError):
            connection.close_after_pending(4002, "Error while decoding payload.")
            return
        if op == HEARTBEAT:
            connection.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            self._identify(connection, data)
        elif op == RESUME:
            self._resume(connection, data)
        elif connection.session is None:
            connection.close_after_pending(4003, "Not authenticated.")
        elif op == REQUEST_GUILD_MEMBERS:
            self._request_members(connection.session, data)
        elif op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE):
            # Accepted like Discord does; the emulator models no presence and no voice
            # connection (LocalDiscord.join_voice puts members, not the bot, in voice).
            pass
        else:
            connection.close_after_pending(4001, "Unknown opcode.")

    def _identify(self, connection: Connection, data: Any) -> None:
        if connection.session is not None:
            connection.close_after_pending(4005, "Already authenticated.")
            return
        if not isinstance(data, dict) or data.get("token") != self.token:
            connection.close_after_pending(4004, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            connection.close_after_pending(4013, "Invalid intent(s).")
            return
        shard = data.get("shard") or [0, 1]
        if (
            not isinstance(shard, list)
            or len(shard) != 2
            or not all(isinstance(x, int) for x in shard)
            or not 0 <= shard[0] < shard[1]
        ):
            connection.close_after_pending(4010, "Invalid shard.")
            return
        session = Session(secrets.token_hex(16), shard[0], shard[1], intents)
        self.sessions[session.session_id] = session
        session.connection = connection
        connection.session = session
        self.identify_count += 1
        world = self.world
        guilds = [g for g in world.guilds.values() if session.owns(g.id)]
        session.ready_guild_ids = [g.id for g in guilds]
        ready: dict[str, Any] = {
            "v": 10,
            "user": world.bot.private_payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "auth": {},
            "user_settings": {},
            "_trace": ["local-discord"],
        }
        if "shard" in data:
            ready["shard"] = shard
        session.dispatch("READY", ready)
        for guild in guilds:
            session.dispatch("GUILD_CREATE", world.guild_create(guild, intents))
        self.notifier.notify()

    def _resume(self, connection: Connection, data: Any) -> None:
        if not isinstance(data, dict) or data.get("token") != self.token:
            connection.close_after_pending(4004, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        replay = [] if session is None else [f for f in session.log if f["s"] > (seq or 0)]
        lost = (
            session is not None
            and isinstance(seq, int)
            and seq < session.seq
            and (not replay or replay[0]["s"] != seq + 1)
        )
        if session is None or not session.resumable or not isinstance(seq, int) or lost:
            if session is not None:
                self.sessions.pop(session.session_id, None)
            connection.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if session.connection is not None and session.connection is not connection:
            old = session.connection
            old.dropped = True
            old.close_after_pending(4000, "Session resumed elsewhere.")
        session.connection = connection
        connection.session = session
        for frame in replay:
            connection.send(frame)
        session.dispatch("RESUMED", {"_trace": ["local-discord"]})
        self.resume_count += 1
        self.notifier.notify()

    def _request_members(self, session: Session, data: Any) -> None:
        if not isinstance(data, dict):
            return
        raw_ids = data.get("guild_id")
        guild_ids = raw_ids if isinstance(raw_ids, list) else [raw_ids]
        for raw in guild_ids:
            guild = self.world.guilds.get(int(str(raw))) if str(raw).isdigit() else None
            if guild is None or not session.owns(guild.id):
                continue
            members = list(guild.members.values())
            not_found: list[str] = []
            user_ids = data.get("user_ids")
            if user_ids is not None:
                listed = user_ids if isinstance(user_ids, list) else [user_ids]
                wanted = [int(str(u)) for u in listed if str(u).isdigit()]
                not_found = [str(u) for u in wanted if u not in guild.members]
                members = [guild.members[u] for u in wanted if u in guild.members]
            else:
                query = str(data.get("query") or "").lower()
                members = [
                    m
                    for m in members
                    if m.user.username.lower().startswith(query)
                    or (m.nick or "").lower().startswith(query)
                ]
                limit = data.get("limit")
                if isinstance(limit, int) and limit > 0:
                    members = members[:limit]
            chunks = [
                members[i : i + MEMBER_CHUNK_SIZE]
                for i in range(0, len(members), MEMBER_CHUNK_SIZE)
            ] or [[]]
            for index, chunk in enumerate(chunks):
                payload: dict[str, Any] = {
                    "guild_id": str(guild.id),
                    "members": [m.payload() for m in chunk],
                    "chunk_index": index,
                    "chunk_count": len(chunks),
                }
                if data.get("nonce") is not None:
                    payload["nonce"] = data["nonce"]
                if not_found and index == 0:
                    payload["not_found"] = not_found
                if data.get("presences"):
                    payload["presences"] = []
                session.dispatch("GUILD_MEMBERS_CHUNK", payload)

    async def drop(self, code: int, *, resume: bool) -> None:
        """Close every connection like a network blip; sessions stay resumable if asked."""
        closing = []
        for connection in list(self.connections):
            connection.dropped = True
            if connection.session is not None and not resume:
                connection.session.resumable = False
            if connection.writer is not None:
                connection.writer.cancel()
            closing.append(connection.ws.close(code=code, message=b"dropped by LocalDiscord"))
        for close in closing:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await close
        self.notifier.notify()

    async def close(self) -> None:
        """Close every connection (going away) and forget all sessions."""
        await self.drop(1001, resume=False)
        self.sessions.clear()
