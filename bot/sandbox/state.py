"""Everything the local Discord knows, and the changes REST calls and test helpers make.

``World`` is the single owner of users, guilds, channels, messages, files and commands.
Its methods check what Discord checks (unknown ids, permissions, limits) by raising
``ApiError``, and announce every visible change through ``emit`` (a gateway dispatch)
and ``changed`` (wakes tests waiting for a reply).
"""

from __future__ import annotations

import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.sandbox.errors import ApiError, FormErrors, missing_access, missing_permissions, unknown
from bot.sandbox.messages import MessageDraft, Upload
from bot.sandbox.models import (
    EVERYONE_PERMISSIONS,
    FLAG_EPHEMERAL,
    FLAG_HAS_THREAD,
    THREAD_TYPES,
    VOICE_TYPES,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Perm,
    Role,
    ScheduledEvent,
    User,
    VoiceState,
)
from bot.sandbox.snowflake import SnowflakeFactory, iso, parse_iso

# A gateway payload, or a function of the receiving session's intents giving one.
Payload = dict[str, Any] | Callable[[int], dict[str, Any]]

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_VOICE_STATES = 1 << 7
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_DIRECT_MESSAGE_REACTIONS = 1 << 13
INTENT_MESSAGE_CONTENT = 1 << 15
INTENT_GUILD_SCHEDULED_EVENTS = 1 << 16

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
_CUSTOM_EMOJI = re.compile(r"^(?:a:)?(\w{2,32}):(\d+)$")


@dataclass(slots=True)
class StoredFile:
    """The bytes behind an attachment URL."""

    filename: str
    content_type: str
    data: bytes


class World:
    """The local Discord's data and the rules for changing it."""

    def __init__(
        self,
        *,
        bot_name: str = "Agora",
        clock: Callable[[], float] = time.time,
        keep_messages: int | None = None,
    ) -> None:
        if keep_messages is not None and keep_messages < 1:
            raise ValueError("keep_messages must be at least 1 (or None to keep them all)")
        self.clock = clock
        # At most this many most recent messages per channel are kept (None: all).
        self.keep_messages = keep_messages
        self.ids = SnowflakeFactory(clock)
        self.application_id = self.ids.next()
        # Newer applications share their id with their bot user.
        self.bot = User(self.application_id, bot_name.lower(), global_name=bot_name, bot=True)
        self.app_name = bot_name
        self.owner = User(self.ids.next(), "app-owner")
        self.users: dict[int, User] = {self.bot.id: self.bot, self.owner.id: self.owner}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, deque[int]] = {}
        self.files: dict[int, StoredFile] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.command_overwrites: dict[int | None, int] = {}
        self.dm_channels: dict[int, Channel] = {}
        self.joined_at: dict[int, float] = {}
        self.base_url = "http://127.0.0.1"
        self.emit: Callable[[str, Payload, int | None], None] = lambda event, data, guild: None
        self.changed: Callable[[], None] = lambda: None

    # ----------------------------------------------------------------- lookups

    def guild(self, guild_id: int) -> Guild:
        """The guild, or Discord's 404 Unknown Guild."""
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise unknown("Guild") from None

    def channel(self, channel_id: int) -> Channel:
        """The channel, or Discord's 404 Unknown Channel."""
        try:
            return self.channels[channel_id]
        except KeyError:
            raise unknown("Channel") from None

    def user(self, user_id: int) -> User:
        """The user, or Discord's 404 Unknown User."""
        try:
            return self.users[user_id]
        except KeyError:
            raise unknown("User") from None

    def member(self, guild: Guild, user_id: int) -> Member:
        """The member, or Discord's 404 Unknown Member (Unknown User for unknown users)."""
        self.user(user_id)
        try:
            return guild.members[user_id]
        except KeyError:
            raise unknown("Member") from None

    def message(self, channel: Channel, message_id: int, *, viewer: int | None = None) -> Message:
        """A message of the channel that ``viewer`` can see, or 404 Unknown Message."""
        message = self.messages.get(message_id)
        if message is None or message.channel_id != channel.id:
            raise unknown("Message")
        if message.visible_to is not None and message.visible_to != viewer:
            raise unknown("Message")
        return message

    def bot_member(self, guild: Guild) -> Member:
        """The bot's own member in the guild."""
        return guild.members[self.bot.id]

    def permissions(self, user: User, channel: Channel) -> int:
        """What the user may do in the channel (a DM grants the usual DM permissions)."""
        if channel.guild_id is None:
            return int(
                Perm.VIEW_CHANNEL
                | Perm.SEND_MESSAGES
                | Perm.EMBED_LINKS
                | Perm.ATTACH_FILES
                | Perm.READ_MESSAGE_HISTORY
                | Perm.ADD_REACTIONS
                | Perm.USE_EXTERNAL_EMOJIS
                | Perm.USE_APPLICATION_COMMANDS
            )
        guild = self.guilds[channel.guild_id]
        member = guild.members.get(user.id)
        return 0 if member is None else guild.channel_permissions(member, channel)

    def require(self, channel: Channel, *needed: Perm) -> None:
        """Raise Discord's 403 unless the bot holds every permission in the channel."""
        have = self.permissions(self.bot, channel)
        if not have & Perm.VIEW_CHANNEL:
            raise missing_access()
        for permission in needed:
            if not have & permission:
                raise missing_permissions()

    # ------------------------------------------------------------ building

    def new_user(self, username: str, *, locale: str = "en-US", bot: bool = False) -> User:
        """Create a user that is in no guild yet."""
        user = User(self.ids.next(), username, global_name=username, locale=locale, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        owner: User,
        *,
        guild_id: int | None,
        bot_permissions: int,
        locale: str,
        system_channel: bool = True,
    ) -> Guild:
        """Create a guild with @everyone, #general, its owner and the bot as members."""
        if guild_id is None:
            guild_id = self.ids.next()
        elif guild_id in self.guilds:
            raise ValueError(f"guild {guild_id} already exists")
        else:
            self.ids.seen(guild_id)
        now = self.clock()
        guild = Guild(guild_id, name, owner.id, now, preferred_locale=locale)
        guild.roles[guild_id] = Role(guild_id, guild_id, "@everyone", int(EVERYONE_PERMISSIONS))
        bot_role = Role(
            self.ids.next(),
            guild_id,
            self.app_name,
            int(bot_permissions),
            position=1,
            bot_id=self.bot.id,
        )
        guild.roles[bot_role.id] = bot_role
        general = Channel(self.ids.next(), ChannelType.GUILD_TEXT, "general", guild_id, now)
        guild.channels[general.id] = general
        self.channels[general.id] = general
        guild.system_channel_id = general.id if system_channel else None
        guild.members[owner.id] = Member(guild_id, owner, [], now)
        guild.members[self.bot.id] = Member(guild_id, self.bot, [bot_role.id], now)
        self.guilds[guild_id] = guild
        self.joined_at[guild_id] = now
        self.emit(
            "GUILD_CREATE",
            lambda intents: self.guild_create(guild, intents, joining=True),
            guild_id,
        )
        self.changed()
        return guild

    def guild_create(self, guild: Guild, intents: int, *, joining: bool = False) -> dict[str, Any]:
        """The GUILD_CREATE a session with these intents receives for the guild.

        After READY, a guild that was announced as unavailable arrives with
        ``unavailable: false``; a guild the bot has just joined arrives without it.
        """
        # Like Discord: without the presence intent, only the bot's own member is sent and
        # a bot that wants the member list must request it (op 8).
        presences = intents & (1 << 8)
        members = list(guild.members.values()) if presences else [guild.members[self.bot.id]]
        payload = guild.gateway_payload(
            members,
            self.joined_at[guild.id],
            voice_states=bool(intents & INTENT_GUILD_VOICE_STATES),
        )
        if joining:
            del payload["unavailable"]
        return payload

    def add_channel(
        self,
        guild: Guild,
        name: str,
        *,
        type: int = 0,
        parent: Channel | None = None,
        topic: str | None = None,
        owner: User | None = None,
    ) -> Channel:
        """Create a channel (or a thread, when ``type`` is 10/11/12 and ``parent`` given)."""
        channel_type = int(type)
        if channel_type in THREAD_TYPES:
            if parent is None:
                raise ValueError("a thread needs a parent channel")
            return self.new_thread(
                parent, name, channel_type, owner=owner or self.bot, thread_id=None
            )
        position = sum(
            1
            for c in guild.channels.values()
            if not c.is_thread and (c.type in VOICE_TYPES) == (channel_type in VOICE_TYPES)
        )
        channel = Channel(
            self.ids.next(),
            channel_type,
            name,
            guild.id,
            self.clock(),
            position=position,
            parent_id=parent.id if parent is not None else None,
            topic=topic,
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        payload = channel.payload()
        self.emit("CHANNEL_CREATE", payload, guild.id)
        self.changed()
        return channel

    def new_thread(
        self,
        parent: Channel,
        name: str,
        thread_type: int,
        *,
        owner: User,
        thread_id: int | None,
        auto_archive_duration: int = 1440,
        invitable: bool = True,
        rate_limit_per_user: int = 0,
    ) -> Channel:
        """Create a thread under ``parent`` and dispatch THREAD_CREATE."""
        assert parent.guild_id is not None
        guild = self.guilds[parent.guild_id]
        thread = Channel(
            thread_id if thread_id is not None else self.ids.next(),
            thread_type,
            name,
            guild.id,
            self.clock(),
            parent_id=parent.id,
            owner_id=owner.id,
            auto_archive_duration=auto_archive_duration,
            invitable=invitable,
            rate_limit_per_user=rate_limit_per_user,
        )
        thread.member_ids.add(owner.id)
        guild.channels[thread.id] = thread
        self.channels[thread.id] = thread
        self.emit("THREAD_CREATE", {**thread.payload(), "newly_created": True}, guild.id)
        self.changed()
        return thread

    def add_role(self, guild: Guild, name: str, *, permissions: int = 0, color: int = 0) -> Role:
        """Create a role above the others but below the bot's own role.

        The bot's role stays the highest, as an admin arranges it so that the bot can
        assign the server's roles.
        """
        position = max(r.position for r in guild.roles.values() if r.bot_id is None) + 1
        role = Role(self.ids.next(), guild.id, name, int(permissions), position, color)
        guild.roles[role.id] = role
        self.emit(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}, guild.id
        )
        for bot_role in guild.roles.values():
            if bot_role.bot_id is not None and bot_role.position <= position:
                bot_role.position = position + 1
                self.emit(
                    "GUILD_ROLE_UPDATE",
                    {"guild_id": str(guild.id), "role": bot_role.payload()},
                    guild.id,
                )
        self.changed()
        return role

    def add_member(
        self,
        guild: Guild,
        user: User,
        *,
        roles: list[Role],
        nick: str | None = None,
    ) -> Member:
        """Add a user to a guild and dispatch GUILD_MEMBER_ADD."""
        if user.id in guild.members:
            raise ValueError(f"{user.username} is already a member of {guild.name}")
        for role in roles:
            if role.guild_id != guild.id:
                raise ValueError(f"role {role.name} belongs to another guild")
        member = Member(guild.id, user, [r.id for r in roles], self.clock(), nick=nick)
        guild.members[user.id] = member
        self.emit("GUILD_MEMBER_ADD", {**member.payload(), "guild_id": str(guild.id)}, guild.id)
        self.changed()
        return member

    # ------------------------------------------------------------ messages

    def store_upload(self, channel_id: int, upload: Upload) -> dict[str, Any]:
        """Keep an uploaded file and return its attachment object (served at its URL)."""
        attachment_id = self.ids.next()
        self.files[attachment_id] = StoredFile(upload.filename, upload.content_type, upload.data)
        url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{quote(upload.filename)}"
        return {
            "id": str(attachment_id),
            "filename": upload.filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type,
        }

    def _attachments(
        self,
        channel: Channel,
        specs: list[dict[str, Any]] | None,
        uploads: list[Upload],
        current: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        # ``attachments`` lists the existing attachments to keep ({"id": existing}) and
        # describes new uploads ({"id": n} for files[n]); new files are appended.
        by_index = {u.index: u for u in uploads}
        kept: list[dict[str, Any]] = []
        described: dict[int, dict[str, Any]] = {}
        if specs is None:
            kept = list(current)
        else:
            current_ids = {a["id"]: a for a in current}
            for spec in specs:
                ident = str(spec.get("id"))
                if ident in current_ids:
                    kept.append(current_ids[ident])
                elif ident.isdigit() and int(ident) in by_index:
                    described[int(ident)] = spec
        added = []
        for upload in uploads:
            attachment = self.store_upload(channel.id, upload)
            spec = described.get(upload.index, {})
            if spec.get("description"):
                attachment["description"] = str(spec["description"])
            if spec.get("filename"):
                attachment["filename"] = str(spec["filename"])
            added.append(attachment)
        return kept + added

    def _mentions(
        self, channel: Channel, content: str, allowed: dict[str, Any] | None
    ) -> tuple[list[User], list[int], bool]:
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse", []))
        allowed_users = _snowflakes((allowed or {}).get("users"))
        allowed_roles = _snowflakes((allowed or {}).get("roles"))
        users: list[User] = []
        for match in _USER_MENTION.finditer(content):
            user = self.users.get(int(match.group(1)))
            wanted = user is not None and ("users" in parse or user.id in allowed_users)
            if wanted and user is not None and user not in users:
                users.append(user)
        roles: list[int] = []
        guild = self.guilds.get(channel.guild_id or 0)
        if guild is not None:
            for match in _ROLE_MENTION.finditer(content):
                role_id = int(match.group(1))
                if role_id in guild.roles and ("roles" in parse or role_id in allowed_roles):
                    roles.append(role_id)
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        return users, roles, everyone

    def create_message(
        self,
        channel: Channel,
        author: User,
        draft: MessageDraft,
        uploads: list[Upload],
        *,
        visible_to: int | None = None,
        message_type: int = 0,
        webhook: bool = False,
        interaction_metadata: dict[str, Any] | None = None,
        interaction: dict[str, Any] | None = None,
        extra_flags: int = 0,
    ) -> Message:
        """Store a new message and dispatch MESSAGE_CREATE unless it is ephemeral."""
        if channel.is_thread:
            self._reopen_thread(channel)
        referenced = None
        if draft.message_reference is not None and draft.message_reference.get("message_id"):
            reference = draft.message_reference
            ref_channel_id = _snowflake(reference.get("channel_id")) or channel.id
            ref = self.messages.get(_snowflake(reference.get("message_id")) or 0)
            if ref is None or ref.channel_id != ref_channel_id or ref.visible_to is not None:
                if draft.message_reference.get("fail_if_not_exists", True):
                    errors = FormErrors()
                    errors.add(
                        ("message_reference",),
                        "REPLIES_UNKNOWN_MESSAGE",
                        "Unknown message",
                    )
                    errors.raise_if_any()
            else:
                referenced = ref
                message_type = 19 if message_type == 0 else message_type
        flags = (draft.flags or 0) | extra_flags
        if visible_to is not None:
            flags |= FLAG_EPHEMERAL
        content = draft.content or ""
        mentions, mention_roles, everyone = self._mentions(channel, content, draft.allowed_mentions)
        message = Message(
            id=self.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            created_at=self.clock(),
            content=content,
            embeds=draft.embeds or [],
            components=draft.components or [],
            flags=flags,
            attachments=self._attachments(channel, draft.attachments, uploads, []),
            visible_to=visible_to if flags & FLAG_EPHEMERAL else None,
            type=message_type,
            webhook_id=self.application_id if webhook else None,
            application_id=self.application_id if webhook else None,
            interaction_metadata=interaction_metadata,
            interaction=interaction,
            mentions=mentions,
            mention_roles=mention_roles,
            mention_everyone=everyone,
            tts=draft.tts,
            nonce=draft.nonce,
            referenced=referenced,
            bot_id=self.bot.id,
        )
        if message.ephemeral and message.visible_to is None:
            # An ephemeral flag outside an interaction response is ignored by Discord.
            message.flags &= ~FLAG_EPHEMERAL
        self.messages[message.id] = message
        kept = self.channel_messages.setdefault(channel.id, deque())
        kept.append(message.id)
        if self.keep_messages is not None:
            while len(kept) > self.keep_messages:
                self._forget(kept.popleft())
        if not message.ephemeral:
            channel.last_message_id = message.id
            if channel.is_thread:
                channel.message_count += 1
                channel.total_message_sent += 1
            self.emit("MESSAGE_CREATE", self._message_event(message), channel.guild_id)
        self.changed()
        return message

    def edit_message(
        self, message: Message, draft: MessageDraft, uploads: list[Upload], *, clear_flags: int = 0
    ) -> Message:
        """Apply an edit (only the fields present) and dispatch MESSAGE_UPDATE."""
        channel = self.channels[message.channel_id]
        if draft.content is not None:
            message.content = draft.content
            users, roles, everyone = self._mentions(
                channel, message.content, draft.allowed_mentions
            )
            message.mentions, message.mention_roles, message.mention_everyone = (
                users,
                roles,
                everyone,
            )
        if draft.embeds is not None:
            message.embeds = draft.embeds
        if draft.components is not None:
            message.components = draft.components
        if draft.flags is not None:
            # Only SUPPRESS_EMBEDS and IS_COMPONENTS_V2 can be changed by an edit.
            changeable = (1 << 2) | (1 << 15)
            message.flags = (message.flags & ~changeable) | (draft.flags & changeable)
        message.flags &= ~clear_flags
        if draft.attachments is not None or uploads:
            message.attachments = self._attachments(
                channel, draft.attachments, uploads, message.attachments
            )
        message.edited_at = self.clock()
        message.revision += 1
        if not message.ephemeral:
            self.emit("MESSAGE_UPDATE", self._message_event(message), message.guild_id)
        self.changed()
        return message

    def delete_message(self, message: Message) -> None:
        """Remove a message and dispatch MESSAGE_DELETE unless it was ephemeral."""
        self.messages.pop(message.id, None)
        ids = self.channel_messages.get(message.channel_id, deque())
        if message.id in ids:
            ids.remove(message.id)
        if not message.ephemeral:
            data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
            self.emit("MESSAGE_DELETE", data, message.guild_id)
        self.changed()

    def _forget(self, message_id: int) -> None:
        # A message pushed out by ``keep_messages``: gone without an event, files too.
        message = self.messages.pop(message_id, None)
        if message is not None:
            for attachment in message.attachments:
                ident = str(attachment.get("id", ""))
                if ident.isdigit():
                    self.files.pop(int(ident), None)

    # ----------------------------------------------------------- reactions

    def check_emoji(self, emoji: str) -> str:
        """The stored key of an emoji from a URL ("🔇", "name:id"), or 400 Unknown Emoji."""
        custom = _CUSTOM_EMOJI.match(emoji)
        if custom is not None:
            return f"{custom.group(1)}:{custom.group(2)}"
        # Anything else must be a unicode emoji; an ASCII-only name is a custom emoji
        # sent without its id, which Discord does not know.
        if not emoji or emoji.isascii() or len(emoji) > 32:
            raise ApiError(400, 10014, "Unknown Emoji")
        return emoji

    def add_reaction(self, message: Message, user: User, emoji: str) -> None:
        """Add a user's reaction (an emoji key) and dispatch MESSAGE_REACTION_ADD."""
        users = message.reactions.setdefault(emoji, set())
        if user.id in users:
            return
        users.add(user.id)
        data = self._reaction_event(message, user, emoji)
        if message.guild_id is not None:
            member = self.guilds[message.guild_id].members.get(user.id)
            if member is not None:
                data["member"] = member.payload()
            data["message_author_id"] = str(message.author_id)
        self.emit("MESSAGE_REACTION_ADD", data, message.guild_id)
        self.changed()

    def remove_reaction(self, message: Message, user: User, emoji: str) -> None:
        """Remove a user's reaction and dispatch MESSAGE_REACTION_REMOVE."""
        users = message.reactions.get(emoji)
        if users is None or user.id not in users:
            return
        users.discard(user.id)
        if not users:
            del message.reactions[emoji]
        self.emit(
            "MESSAGE_REACTION_REMOVE", self._reaction_event(message, user, emoji), message.guild_id
        )
        self.changed()

    def _reaction_event(self, message: Message, user: User, emoji: str) -> dict[str, Any]:
        name, _, ident = emoji.partition(":")
        data: dict[str, Any] = {
            "user_id": str(user.id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "emoji": {"id": ident or None, "name": name},
            "burst": False,
            "type": 0,
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        return data

    def attach_thread(self, message: Message, thread: Channel) -> None:
        """Mark a message as the start of a thread and dispatch MESSAGE_UPDATE."""
        message.thread = thread
        message.flags |= FLAG_HAS_THREAD
        self.emit("MESSAGE_UPDATE", self._message_event(message), message.guild_id)
        self.changed()

    def _message_event(self, message: Message) -> Payload:
        def build(intents: int) -> dict[str, Any]:
            data = message.payload()
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
                member = self.guilds[message.guild_id].members.get(message.author_id)
                if member is not None and message.webhook_id is None:
                    data["member"] = member.payload(with_user=False)
            # Without the message content intent a bot sees the content of its own
            # messages, of DMs and of messages that mention it, and nothing else.
            visible = (
                intents & INTENT_MESSAGE_CONTENT
                or message.author_id == self.bot.id
                or message.guild_id is None
                or any(u.id == self.bot.id for u in message.mentions)
            )
            if not visible:
                data.update(content="", embeds=[], attachments=[], components=[])
            return data

        return build

    def _reopen_thread(self, thread: Channel) -> None:
        if not thread.archived:
            return
        if thread.locked:
            raise ApiError(400, 50083, "Thread is archived")
        thread.archived = False
        thread.archive_timestamp = self.clock()
        self.emit("THREAD_UPDATE", thread.payload(), thread.guild_id)

    def visible_messages(self, channel: Channel) -> list[Message]:
        """The channel's messages the bot can read (not other users' ephemeral ones)."""
        ids = self.channel_messages.get(channel.id, deque())
        return [self.messages[i] for i in ids if self.messages[i].visible_to is None]

    def open_dm(self, user: User) -> Channel:
        """The DM channel between the bot and the user (created on first use)."""
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = Channel(
                self.ids.next(), ChannelType.DM, "", None, self.clock(), recipient=user
            )
            self.dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return channel

    # ------------------------------------------------------------- threads

    def update_channel(self, channel: Channel, body: dict[str, Any]) -> Channel:
        """Apply a ``PATCH /channels/{id}`` body (threads: archive, lock, rename...)."""
        errors = FormErrors()
        if "name" in body:
            name = body["name"]
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                errors.add(
                    ("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
            else:
                channel.name = name
        if channel.is_thread:
            if "archived" in body:
                channel.archived = bool(body["archived"])
                channel.archive_timestamp = self.clock()
            if "locked" in body:
                channel.locked = bool(body["locked"])
            if "auto_archive_duration" in body:
                duration = body["auto_archive_duration"]
                if duration not in (60, 1440, 4320, 10080):
                    errors.add(
                        ("auto_archive_duration",),
                        "BASE_TYPE_CHOICES",
                        "Value must be one of (60, 1440, 4320, 10080).",
                    )
                else:
                    channel.auto_archive_duration = duration
            if "invitable" in body:
                channel.invitable = bool(body["invitable"])
        else:
            if "topic" in body:
                channel.topic = body["topic"]
            if "nsfw" in body:
                channel.nsfw = bool(body["nsfw"])
            if "position" in body and isinstance(body["position"], int):
                channel.position = body["position"]
            if "permission_overwrites" in body and isinstance(body["permission_overwrites"], list):
                overwrites = []
                for i, raw in enumerate(body["permission_overwrites"]):
                    target = _snowflake(raw.get("id")) if isinstance(raw, dict) else None
                    if target is None or not isinstance(raw, dict):
                        errors.required(("permission_overwrites", i, "id"))
                        continue
                    overwrites.append(
                        {
                            "id": str(target),
                            "type": 1 if raw.get("type") in (1, "1") else 0,
                            "allow": str(_snowflake(raw.get("allow")) or 0),
                            "deny": str(_snowflake(raw.get("deny")) or 0),
                        }
                    )
                channel.permission_overwrites = overwrites
        if "rate_limit_per_user" in body and isinstance(body["rate_limit_per_user"], int):
            channel.rate_limit_per_user = body["rate_limit_per_user"]
        errors.raise_if_any()
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        self.emit(event, channel.payload(), channel.guild_id)
        self.changed()
        return channel

    # --------------------------------------------------------------- voice

    def join_voice(self, member: Member, channel: Channel) -> VoiceState:
        """Put a member in a voice or stage channel (on a stage, in the audience)."""
        if channel.type not in VOICE_TYPES or channel.guild_id != member.guild_id:
            raise ValueError(f"#{channel.name} is not a voice or stage channel of the guild")
        guild = self.guilds[member.guild_id]
        state = guild.voice_states.get(member.user_id)
        if state is None:
            state = VoiceState(member.guild_id, member, channel.id, secrets.token_hex(16))
            guild.voice_states[member.user_id] = state
        state.channel_id = channel.id
        state.suppress = channel.type == ChannelType.GUILD_STAGE_VOICE
        state.request_to_speak_timestamp = None
        self._voice_update(state)
        return state

    def leave_voice(self, member: Member) -> None:
        """Take a member out of voice (nothing happens if they are not in voice)."""
        state = self.guilds[member.guild_id].voice_states.pop(member.user_id, None)
        if state is None:
            return
        self.emit(
            "VOICE_STATE_UPDATE",
            {**state.payload(), "channel_id": None, "suppress": False},
            member.guild_id,
        )
        self.changed()

    def request_to_speak(self, member: Member) -> VoiceState:
        """Raise a stage audience member's hand."""
        state = self.guilds[member.guild_id].voice_states.get(member.user_id)
        channel = None if state is None else self.channels[state.channel_id]
        if state is None or channel is None or channel.type != ChannelType.GUILD_STAGE_VOICE:
            raise ValueError(f"{member.name} is not on a stage")
        state.request_to_speak_timestamp = self.clock()
        self._voice_update(state)
        return state

    def voice_state(self, guild: Guild, user_id: int) -> VoiceState:
        """The user's voice state in the guild, or Discord's 404 Unknown Voice State."""
        self.member(guild, user_id)
        state = guild.voice_states.get(user_id)
        if state is None:
            raise unknown("Voice State")
        return state

    def update_voice_state(self, guild: Guild, user_id: int, body: Any) -> None:
        """Apply ``PATCH /guilds/{id}/voice-states/{user_id|@me}`` as Discord checks it.

        ``channel_id`` must name the stage the member is in; changing someone's
        ``suppress`` needs MUTE_MEMBERS, and so does the bot unsuppressing itself.
        Only the bot's own state takes ``request_to_speak_timestamp``.
        """
        if not isinstance(body, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        own = user_id == self.bot.id
        errors = FormErrors()
        channel_id = _snowflake(body.get("channel_id"))
        if channel_id is None:
            errors.required(("channel_id",))
        suppress = body.get("suppress")
        if suppress is not None and not isinstance(suppress, bool):
            errors.add(("suppress",), "BASE_TYPE_BAD_TYPE", "Must be either true or false.")
        raised: float | None = None
        if own and body.get("request_to_speak_timestamp") is not None:
            when = self._event_time(body, "request_to_speak_timestamp", errors, required=False)
            raised = None if when is None else when.timestamp()
        errors.raise_if_any()
        assert channel_id is not None
        self.member(guild, user_id)
        channel = guild.channels.get(channel_id)
        if channel is None:
            raise unknown("Channel")
        if channel.type != ChannelType.GUILD_STAGE_VOICE:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        state = guild.voice_states.get(user_id)
        if state is None or state.channel_id != channel.id:
            raise unknown("Voice State")
        if own:
            if suppress is False:
                self.require(channel, Perm.MUTE_MEMBERS)
            if raised is not None:
                self.require(channel, Perm.REQUEST_TO_SPEAK)
        else:
            self.require(channel, Perm.MUTE_MEMBERS)
        before = (state.suppress, state.request_to_speak_timestamp)
        if suppress is not None:
            state.suppress = suppress
            if not own:
                # Discord clears a raised hand when a moderator moves someone either way.
                state.request_to_speak_timestamp = None
        if own and "request_to_speak_timestamp" in body:
            state.request_to_speak_timestamp = raised
        if (state.suppress, state.request_to_speak_timestamp) != before:
            self._voice_update(state)

    def _voice_update(self, state: VoiceState) -> None:
        self.emit("VOICE_STATE_UPDATE", state.payload(), state.guild_id)
        self.changed()

    # ---------------------------------------------------- scheduled events

    def create_event(self, guild: Guild, body: dict[str, Any]) -> ScheduledEvent:
        """Create a scheduled event from a REST body, checked like Discord does."""
        errors = FormErrors()
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.add(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        entity_type = body.get("entity_type")
        if entity_type not in (1, 2, 3):
            errors.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
        if body.get("privacy_level", 2) != 2:
            errors.add(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of (2,).")
        start = self._event_time(body, "scheduled_start_time", errors, required=True)
        end = self._event_time(body, "scheduled_end_time", errors, required=entity_type == 3)
        if start is not None and start.timestamp() < self.clock():
            errors.add(
                ("scheduled_start_time",),
                "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                "Cannot schedule event in the past.",
            )
        if start is not None and end is not None and end <= start:
            errors.add(
                ("scheduled_end_time",),
                "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                "Cannot schedule event to end before starting.",
            )
        description = body.get("description")
        if isinstance(description, str) and len(description) > 1000:
            errors.max_length(("description",), 1000)
        location = None
        channel_id = None
        if entity_type == 3:
            metadata = body.get("entity_metadata") or {}
            location = metadata.get("location") if isinstance(metadata, dict) else None
            if not isinstance(location, str) or not 1 <= len(location) <= 100:
                errors.required(("entity_metadata", "location"))
        elif entity_type in (1, 2):
            wanted = ChannelType.GUILD_STAGE_VOICE if entity_type == 1 else ChannelType.GUILD_VOICE
            raw = body.get("channel_id")
            channel = guild.channels.get(_snowflake(raw) or 0)
            if channel is None or channel.type != wanted:
                errors.add(("channel_id",), "CHANNEL_TYPE_INVALID", "Invalid channel type.")
            else:
                channel_id = channel.id
        errors.raise_if_any()
        assert start is not None
        assert isinstance(name, str)
        assert isinstance(entity_type, int)
        event = ScheduledEvent(
            self.ids.next(),
            guild.id,
            name,
            self.bot,
            entity_type,
            iso(start.timestamp()),
            None if end is None else iso(end.timestamp()),
            description=description if isinstance(description, str) else None,
            channel_id=channel_id,
            location=location,
        )
        guild.events[event.id] = event
        self.emit("GUILD_SCHEDULED_EVENT_CREATE", event.payload(), guild.id)
        self.changed()
        return event

    def _event_time(
        self, body: dict[str, Any], key: str, errors: FormErrors, *, required: bool
    ) -> Any:
        raw = body.get(key)
        if raw is None:
            if required:
                errors.required((key,))
            return None
        try:
            return parse_iso(str(raw))
        except ValueError:
            errors.add((key,), "DATE_TIME_TYPE_PARSE", "Could not parse the date and time.")
            return None

    def update_event(self, event: ScheduledEvent, body: dict[str, Any]) -> ScheduledEvent:
        """Apply a PATCH to a scheduled event; status moves only the ways Discord allows."""
        errors = FormErrors()
        if "status" in body:
            allowed = {1: {1, 2, 4}, 2: {2, 3}, 3: {3}, 4: {4}}
            if body["status"] not in allowed[event.status]:
                errors.add(
                    ("status",),
                    "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                    "Invalid status transition.",
                )
            else:
                event.status = int(body["status"])
        if "name" in body:
            if not isinstance(body["name"], str) or not 1 <= len(body["name"]) <= 100:
                errors.add(
                    ("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
            else:
                event.name = body["name"]
        if "description" in body:
            event.description = body["description"]
        for key in ("scheduled_start_time", "scheduled_end_time"):
            if body.get(key) is not None:
                when = self._event_time(body, key, errors, required=False)
                if when is not None:
                    setattr(event, key, iso(when.timestamp()))
        entity_type = body.get("entity_type", event.entity_type)
        if entity_type not in (1, 2, 3):
            errors.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
        elif entity_type == 3:
            metadata = body.get("entity_metadata")
            location = metadata.get("location") if isinstance(metadata, dict) else None
            placed = isinstance(location, str) and 1 <= len(location) <= 100
            if not placed and event.entity_type != 3:
                errors.required(("entity_metadata", "location"))
            elif event.entity_type != 3 and body.get("scheduled_end_time") is None:
                errors.required(("scheduled_end_time",))
            elif placed:
                event.channel_id, event.location = None, location
        elif "channel_id" in body or entity_type != event.entity_type:
            wanted = ChannelType.GUILD_STAGE_VOICE if entity_type == 1 else ChannelType.GUILD_VOICE
            guild = self.guilds[event.guild_id]
            channel = guild.channels.get(_snowflake(body.get("channel_id")) or 0)
            if channel is None or channel.type != wanted:
                errors.add(("channel_id",), "CHANNEL_TYPE_INVALID", "Invalid channel type.")
            else:
                event.channel_id, event.location = channel.id, None
        errors.raise_if_any()
        event.entity_type = int(entity_type)
        self.emit("GUILD_SCHEDULED_EVENT_UPDATE", event.payload(), event.guild_id)
        self.changed()
        return event

    def delete_event(self, guild: Guild, event: ScheduledEvent) -> None:
        """Delete a scheduled event and dispatch GUILD_SCHEDULED_EVENT_DELETE."""
        guild.events.pop(event.id, None)
        self.emit("GUILD_SCHEDULED_EVENT_DELETE", event.payload(), guild.id)
        self.changed()

    def mark_interested(self, event: ScheduledEvent, user: User) -> None:
        """Record a user's interest in an event and dispatch ..._USER_ADD."""
        if user.id in event.interested:
            return
        event.interested.append(user.id)
        self.emit(
            "GUILD_SCHEDULED_EVENT_USER_ADD",
            {
                "guild_scheduled_event_id": str(event.id),
                "user_id": str(user.id),
                "guild_id": str(event.guild_id),
            },
            event.guild_id,
        )
        self.changed()

    # ------------------------------------------------------------ commands

    def overwrite_commands(self, guild_id: int | None, bodies: Any) -> list[dict[str, Any]]:
        """Replace the application's commands in a scope (global when ``guild_id`` is None)."""
        if not isinstance(bodies, list):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {"_errors": [{"code": "BASE_TYPE_BAD_TYPE", "message": "Must be an array."}]},
            )
        errors = FormErrors()
        old = {(c["name"], c["type"]): c for c in self.commands.get(guild_id, [])}
        result = []
        seen: set[tuple[str, int]] = set()
        for i, body in enumerate(bodies):
            command = self._command(guild_id, body, errors, (i,))
            key = (command["name"], command["type"])
            if key in seen:
                errors.add(
                    (i, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {command['name']}",
                )
            seen.add(key)
            # Discord keeps a command's id across overwrites when its name and type match.
            if key in old:
                command["id"] = old[key]["id"]
            result.append(command)
        if sum(1 for c in result if c["type"] == 1) > 100:
            errors.add(
                (), "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of commands reached (100)."
            )
        errors.raise_if_any()
        self.commands[guild_id] = result
        self.command_overwrites[guild_id] = self.command_overwrites.get(guild_id, 0) + 1
        self.changed()
        return result

    def _command(
        self,
        guild_id: int | None,
        body: Any,
        errors: FormErrors,
        path: tuple[str | int, ...],
    ) -> dict[str, Any]:
        if not isinstance(body, dict):
            errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used.")
            body = {}
        command_type = body.get("type") or 1
        if command_type not in (1, 2, 3, 4):
            errors.add((*path, "type"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4).")
            command_type = 1
        name = body.get("name")
        if (
            not isinstance(name, str)
            or not _COMMAND_NAME.match(name)
            or (command_type == 1 and name != name.lower())
        ):
            errors.add(
                (*path, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name!r}",
            )
        description = body.get("description") or ""
        if command_type == 1 and not 1 <= len(description) <= 100:
            errors.add(
                (*path, "description"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        options = body.get("options") or []
        checked = self._options(options, errors, (*path, "options"), depth=0)
        permissions = body.get("default_member_permissions")
        contexts = body.get("contexts")
        command: dict[str, Any] = {
            "id": str(self.ids.next()),
            "application_id": str(self.application_id),
            "version": str(self.ids.next()),
            "default_member_permissions": None if permissions is None else str(permissions),
            "type": command_type,
            "name": name if isinstance(name, str) else "",
            "name_localizations": body.get("name_localizations"),
            "description": description,
            "description_localizations": body.get("description_localizations"),
            "contexts": contexts,
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw", False)),
        }
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        else:
            command["dm_permission"] = body.get("dm_permission") is not False
        if checked:
            command["options"] = checked
        return command

    def _options(
        self,
        options: Any,
        errors: FormErrors,
        path: tuple[str | int, ...],
        *,
        depth: int,
    ) -> list[dict[str, Any]]:
        if not isinstance(options, list):
            return []
        if len(options) > 25:
            errors.max_length(path, 25)
        result = []
        seen_optional = False
        for i, raw in enumerate(options):
            if not isinstance(raw, dict):
                continue
            option: dict[str, Any] = {
                k: v
                for k, v in raw.items()
                if v is not None and not (k in ("choices", "channel_types", "options") and not v)
            }
            option_type = option.get("type")
            name = option.get("name")
            if not isinstance(name, str) or not _COMMAND_NAME.match(name) or name != name.lower():
                errors.add((*path, i, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Invalid name.")
            if not 1 <= len(str(option.get("description", ""))) <= 100:
                errors.add(
                    (*path, i, "description"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            if option_type in (1, 2):
                if depth >= (1 if option_type == 2 else 2):
                    errors.add(
                        (*path, i, "type"),
                        "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                        "Subcommands cannot be nested this deep.",
                    )
                option.pop("required", None)
                option["options"] = self._options(
                    raw.get("options") or [], errors, (*path, i, "options"), depth=depth + 1
                )
                if not option["options"]:
                    del option["options"]
            else:
                required = bool(option.get("required", False))
                if required and seen_optional:
                    errors.add(
                        (*path, i, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                seen_optional = seen_optional or not required
                if option.get("autocomplete") and option.get("choices"):
                    errors.add(
                        (*path, i, "autocomplete"),
                        "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                        "Autocomplete cannot be set with choices.",
                    )
                if len(option.get("choices", [])) > 25:
                    errors.max_length((*path, i, "choices"), 25)
            result.append(option)
        return result

    def find_command(self, name: str, guild_id: int | None) -> dict[str, Any]:
        """The registered chat-input command ``name``: the guild's first, then global."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command["type"] == 1:
                    return command
        registered = sorted({c["name"] for scope in scopes for c in self.commands.get(scope, [])})
        raise LookupError(
            f"/{name} is not registered (guild {guild_id} or global); registered: {registered}. "
            "Did the bot sync its command tree?"
        )


def _snowflake(value: Any) -> int | None:
    """An id sent as a string or an int, or None when it is not one."""
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return int(text) if text.isdigit() else None


def _snowflakes(values: Any) -> set[int]:
    """The valid ids of a list sent by the client."""
    if not isinstance(values, list):
        return set()
    return {i for i in (_snowflake(v) for v in values) if i is not None}
