"""The objects a local Discord holds (users, guilds, channels, messages...) and their JSON.

Every ``payload()`` returns the shape Discord's API returns for that object (see the
``*Response`` schemas of Discord's OpenAPI description); ids are strings there, as on the
wire, and ints in the dataclasses.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.snowflake import iso


class Perm(enum.IntFlag):
    """Discord's permission bits (the subset a debate bot and its tests care about)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    CREATE_EVENTS = 1 << 44
    SEND_VOICE_MESSAGES = 1 << 46
    SEND_POLLS = 1 << 49


ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    Perm.CREATE_INSTANT_INVITE
    | Perm.ADD_REACTIONS
    | Perm.STREAM
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.MENTION_EVERYONE
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.CONNECT
    | Perm.SPEAK
    | Perm.USE_VAD
    | Perm.CHANGE_NICKNAME
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.REQUEST_TO_SPEAK
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.CREATE_PRIVATE_THREADS
    | Perm.USE_EXTERNAL_STICKERS
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.USE_EMBEDDED_ACTIVITIES
    | Perm.CREATE_EVENTS
    | Perm.SEND_VOICE_MESSAGES
    | Perm.SEND_POLLS
)

BOT_PERMISSIONS = (
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.MANAGE_THREADS
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.MANAGE_MESSAGES
    | Perm.MANAGE_EVENTS
    | Perm.CREATE_EVENTS
    | Perm.MANAGE_ROLES
    | Perm.CONNECT
    | Perm.SPEAK
    | Perm.MUTE_MEMBERS
    | Perm.MOVE_MEMBERS
    | Perm.USE_APPLICATION_COMMANDS
)


class ChannelType(enum.IntEnum):
    """Discord's channel types."""

    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_STAGE_VOICE = 13
    GUILD_FORUM = 15


THREAD_TYPES = frozenset({10, 11, 12})
VOICE_TYPES = frozenset({2, 13})

# Message flags Discord documents and the emulator acts on.
FLAG_HAS_THREAD = 1 << 5
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


@dataclass(eq=False)
class User:
    """A Discord user (a person, or the bot itself)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    locale: str = "en-US"
    dm_open: bool = True

    @property
    def name(self) -> str:
        """The name Discord shows: the global display name, else the username."""
        return self.global_name or self.username

    def payload(self) -> dict[str, Any]:
        """The user as a ``UserResponse``."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "avatar": None,
            "discriminator": "0",
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "global_name": self.global_name,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data

    def private_payload(self) -> dict[str, Any]:
        """The user as its owner sees it (``UserPIIResponse``), e.g. ``GET /users/@me``."""
        return {
            **self.payload(),
            "mfa_enabled": False,
            "locale": self.locale,
            "premium_type": 0,
            "email": None,
            "verified": True,
        }


@dataclass(eq=False)
class Role:
    """A guild role; the ``@everyone`` role has the guild's id."""

    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        """The role as a ``GuildRoleResponse``."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(int(self.permissions)),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "managed": self.bot_id is not None,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class Member:
    """A user's membership of a guild."""

    guild_id: int
    user: User
    roles: list[int]
    joined_at: float
    nick: str | None = None
    deaf: bool = False
    mute: bool = False

    @property
    def id(self) -> int:
        """The member's user id (a member has no id of its own)."""
        return self.user.id

    @property
    def user_id(self) -> int:
        """The member's user id."""
        return self.user.id

    @property
    def name(self) -> str:
        """The name shown in the guild: nickname, else global name, else username."""
        return self.nick or self.user.name

    def payload(self, *, with_user: bool = True) -> dict[str, Any]:
        """The member as a ``GuildMemberResponse`` (without ``user`` when asked)."""
        data: dict[str, Any] = {
            "avatar": None,
            "banner": None,
            "communication_disabled_until": None,
            "flags": 0,
            "joined_at": iso(self.joined_at),
            "nick": self.nick,
            "pending": False,
            "premium_since": None,
            "roles": [str(r) for r in self.roles],
            "mute": self.mute,
            "deaf": self.deaf,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass(eq=False)
class VoiceState:
    """A member's presence in a voice or stage channel (on a stage, suppressed = audience)."""

    guild_id: int
    member: Member
    channel_id: int
    session_id: str
    suppress: bool = False
    # When the member raised their hand on a stage (epoch seconds), else None.
    request_to_speak_timestamp: float | None = None
    self_mute: bool = False
    self_deaf: bool = False
    self_video: bool = False
    self_stream: bool = False

    @property
    def user_id(self) -> int:
        """The member's user id."""
        return self.member.user_id

    def payload(self, *, in_guild_create: bool = False) -> dict[str, Any]:
        """The state as a ``VoiceStateResponse`` (GUILD_CREATE lists it without guild/member)."""
        data: dict[str, Any] = {
            "channel_id": str(self.channel_id),
            "user_id": str(self.user_id),
            "session_id": self.session_id,
            "deaf": self.member.deaf,
            "mute": self.member.mute,
            "self_deaf": self.self_deaf,
            "self_mute": self.self_mute,
            "self_video": self.self_video,
            "self_stream": self.self_stream,
            "suppress": self.suppress,
            "request_to_speak_timestamp": (
                None
                if self.request_to_speak_timestamp is None
                else iso(self.request_to_speak_timestamp)
            ),
        }
        if not in_guild_create:
            data["guild_id"] = str(self.guild_id)
            data["member"] = self.member.payload()
        return data


@dataclass(eq=False)
class Channel:
    """A guild channel, a thread or a DM channel."""

    id: int
    type: int
    name: str
    guild_id: int | None
    created_at: float
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    permission_overwrites: list[dict[str, Any]] = field(default_factory=list)
    last_message_id: int | None = None
    # Threads only.
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: float | None = None
    message_count: int = 0
    total_message_sent: int = 0
    member_ids: set[int] = field(default_factory=set)
    # DM channels only.
    recipient: User | None = None

    @property
    def is_thread(self) -> bool:
        """Whether this channel is a thread."""
        return self.type in THREAD_TYPES

    @property
    def is_dm(self) -> bool:
        """Whether this is a DM channel."""
        return self.type == ChannelType.DM

    def payload(self) -> dict[str, Any]:
        """The channel as Discord returns it (guild channel, thread or private channel)."""
        if self.is_dm:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": self.type,
                "last_message_id": _sid(self.last_message_id),
                "flags": 0,
                "last_pin_timestamp": None,
                "recipients": [self.recipient.payload()],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "last_message_id": _sid(self.last_message_id),
            "flags": 0,
            "last_pin_timestamp": None,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": _sid(self.parent_id),
            "rate_limit_per_user": self.rate_limit_per_user,
        }
        if self.is_thread:
            data.update(
                {
                    "owner_id": str(self.owner_id),
                    "thread_metadata": {
                        "archived": self.archived,
                        "archive_timestamp": iso(self.archive_timestamp or self.created_at),
                        "auto_archive_duration": self.auto_archive_duration,
                        "locked": self.locked,
                        "create_timestamp": iso(self.created_at),
                        "invitable": self.invitable,
                    },
                    "message_count": self.message_count,
                    "member_count": len(self.member_ids),
                    "total_message_sent": self.total_message_sent,
                    "applied_tags": [],
                }
            )
            return data
        data.update(
            {
                "position": self.position,
                "permission_overwrites": list(self.permission_overwrites),
                "nsfw": self.nsfw,
            }
        )
        if self.type in VOICE_TYPES:
            data.update(
                {"bitrate": 64000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1}
            )
        if self.type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            data["topic"] = self.topic
            data["default_auto_archive_duration"] = 1440
            data["default_thread_rate_limit_per_user"] = 0
        return data


@dataclass(eq=False)
class ScheduledEvent:
    """A guild scheduled event and who is interested in it."""

    id: int
    guild_id: int
    name: str
    creator: User
    entity_type: int
    scheduled_start_time: str
    scheduled_end_time: str | None = None
    description: str | None = None
    channel_id: int | None = None
    location: str | None = None
    status: int = 1
    privacy_level: int = 2
    image: str | None = None
    interested: list[int] = field(default_factory=list)

    def payload(self, *, with_user_count: bool = False) -> dict[str, Any]:
        """The event as a ``ScheduledEventResponse`` (external, stage or voice)."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "description": self.description,
            "channel_id": _sid(self.channel_id),
            "creator_id": str(self.creator.id),
            "creator": self.creator.payload(),
            "image": self.image,
            "scheduled_start_time": self.scheduled_start_time,
            "scheduled_end_time": self.scheduled_end_time,
            "status": self.status,
            "entity_type": self.entity_type,
            "entity_id": None,
            "recurrence_rule": None,
            "privacy_level": self.privacy_level,
            "guild_scheduled_event_exceptions": [],
            "entity_metadata": {"location": self.location} if self.entity_type == 3 else None,
        }
        if with_user_count:
            data["user_count"] = len(self.interested)
        return data


@dataclass(eq=False)
class Message:
    """A message as stored by the local Discord, including ephemeral ones."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    created_at: float
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    attachments: list[dict[str, Any]] = field(default_factory=list)
    visible_to: int | None = None
    type: int = 0
    edited_at: float | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    interaction: dict[str, Any] | None = None
    mentions: list[User] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    tts: bool = False
    nonce: str | int | None = None
    referenced: Message | None = None
    thread: Channel | None = None
    pinned: bool = False
    # Emoji ("🔇", or "name:id" for a custom one) -> ids of the users who reacted, in the
    # order the emoji were first added.
    reactions: dict[str, set[int]] = field(default_factory=dict)
    # The bot's user id: its reactions are the ones the payload marks ``me``.
    bot_id: int | None = None
    # Bumped by every edit; lets tests wait for "the message after the bot's edit".
    revision: int = 0

    @property
    def author_id(self) -> int:
        """The author's user id."""
        return self.author.id

    @property
    def ephemeral(self) -> bool:
        """Whether only ``visible_to`` can see the message."""
        return bool(self.flags & FLAG_EPHEMERAL)

    def payload(self, *, with_reference: bool = True) -> dict[str, Any]:
        """The message as a ``MessageResponse``."""
        data: dict[str, Any] = {
            "type": self.type,
            "content": self.content,
            "mentions": [u.payload() for u in self.mentions],
            "mention_roles": [str(r) for r in self.mention_roles],
            "attachments": [dict(a) for a in self.attachments],
            "embeds": [dict(e) for e in self.embeds],
            "timestamp": iso(self.created_at),
            "edited_timestamp": None if self.edited_at is None else iso(self.edited_at),
            "flags": self.flags,
            "components": list(self.components),
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "pinned": self.pinned,
            "mention_everyone": self.mention_everyone,
            "tts": self.tts,
        }
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.interaction is not None:
            data["interaction"] = self.interaction
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.thread is not None:
            data["thread"] = self.thread.payload()
        if self.reactions:
            data["reactions"] = [
                reaction_payload(emoji, users, me=self.bot_id)
                for emoji, users in self.reactions.items()
            ]
        if self.referenced is not None:
            data["message_reference"] = {
                "type": 0,
                "channel_id": str(self.referenced.channel_id),
                "message_id": str(self.referenced.id),
            }
            if self.referenced.guild_id is not None:
                data["message_reference"]["guild_id"] = str(self.referenced.guild_id)
            if with_reference:
                data["referenced_message"] = self.referenced.payload(with_reference=False)
        return data

    def walk_components(self) -> Iterator[dict[str, Any]]:
        """Every component of the message, depth first (rows, sections, containers...)."""
        stack = list(reversed(self.components))
        while stack:
            component = stack.pop()
            yield component
            children: list[dict[str, Any]] = list(component.get("components", []))
            if "accessory" in component:
                children.append(component["accessory"])
            if "component" in component:
                children.append(component["component"])
            stack.extend(reversed(children))

    def buttons(self) -> list[dict[str, Any]]:
        """All buttons of the message, flattened from its action rows."""
        return [c for c in self.walk_components() if c.get("type") == 2]

    def button(self, label: str | None = None, *, custom_id: str | None = None) -> dict[str, Any]:
        """The one button with this label (or custom id); ``LookupError`` if none."""
        for button in self.buttons():
            if label is not None and button.get("label") != label:
                continue
            if custom_id is not None and button.get("custom_id") != custom_id:
                continue
            return button
        labels = [b.get("label") for b in self.buttons()]
        raise LookupError(f"message {self.id} has no button {label or custom_id!r}; has {labels}")

    def custom_ids(self) -> list[str]:
        """The custom ids of every interactive component of the message."""
        return [str(c["custom_id"]) for c in self.walk_components() if "custom_id" in c]

    def component(self, custom_id: str) -> dict[str, Any]:
        """The component with this custom id; ``LookupError`` if none."""
        for component in self.walk_components():
            if component.get("custom_id") == custom_id:
                return component
        raise LookupError(
            f"message {self.id} has no component {custom_id!r}; has {self.custom_ids()}"
        )


@dataclass(eq=False)
class Guild:
    """A guild with its roles, channels, members and scheduled events."""

    id: int
    name: str
    owner_id: int
    created_at: float
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    events: dict[int, ScheduledEvent] = field(default_factory=dict)
    voice_states: dict[int, VoiceState] = field(default_factory=dict)
    system_channel_id: int | None = None
    preferred_locale: str = "en-US"
    description: str | None = None

    @property
    def everyone(self) -> Role:
        """The ``@everyone`` role."""
        return self.roles[self.id]

    def base_permissions(self, member: Member) -> int:
        """The member's guild-wide permissions (roles only, no channel overwrites)."""
        if member.user_id == self.owner_id:
            return ALL_PERMISSIONS
        permissions = self.everyone.permissions
        for role_id in member.roles:
            role = self.roles.get(role_id)
            if role is not None:
                permissions |= role.permissions
        if permissions & Perm.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return int(permissions)

    def channel_permissions(self, member: Member, channel: Channel) -> int:
        """The member's permissions in a channel, with overwrites, as Discord computes them."""
        permissions = self.base_permissions(member)
        if permissions == ALL_PERMISSIONS:
            return permissions
        # Threads take their parent's overwrites.
        source = channel
        if channel.is_thread and channel.parent_id in self.channels:
            source = self.channels[channel.parent_id]
        overwrites = {int(o["id"]): o for o in source.permission_overwrites}
        everyone = overwrites.get(self.id)
        if everyone is not None:
            permissions &= ~int(everyone["deny"])
            permissions |= int(everyone["allow"])
        allow = deny = 0
        for role_id in member.roles:
            overwrite = overwrites.get(role_id)
            if overwrite is not None:
                allow |= int(overwrite["allow"])
                deny |= int(overwrite["deny"])
        permissions = (permissions & ~deny) | allow
        own = overwrites.get(member.user_id)
        if own is not None:
            permissions = (permissions & ~int(own["deny"])) | int(own["allow"])
        if not permissions & Perm.VIEW_CHANNEL:
            return 0
        return permissions

    def payload(self, *, counts: bool = False) -> dict[str, Any]:
        """The guild as a ``GuildResponse`` (``GuildWithCountsResponse`` with counts)."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "description": self.description,
            "home_header": None,
            "splash": None,
            "discovery_splash": None,
            "features": [],
            "banner": None,
            "owner_id": str(self.owner_id),
            "application_id": None,
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": _sid(self.system_channel_id),
            "system_channel_flags": 0,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 0,
            "roles": [r.payload() for r in sorted(self.roles.values(), key=_role_order)],
            "default_message_notifications": 1,
            "mfa_level": 0,
            "explicit_content_filter": 0,
            "max_presences": None,
            "max_members": 500000,
            "max_stage_video_channel_users": 50,
            "max_video_channel_users": 25,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "rules_channel_id": None,
            "safety_alerts_channel_id": None,
            "public_updates_channel_id": None,
            "premium_progress_bar_enabled": False,
            "nsfw": False,
            "nsfw_level": 0,
            "emojis": [],
            "stickers": [],
            "incidents_data": None,
        }
        if counts:
            data["approximate_member_count"] = len(self.members)
            data["approximate_presence_count"] = 0
        return data

    def gateway_payload(
        self, members: list[Member], joined_at: float, *, voice_states: bool = True
    ) -> dict[str, Any]:
        """The guild as the gateway's ``GUILD_CREATE`` sends it (channels, members...)."""
        channels = [c for c in self.channels.values() if not c.is_thread]
        threads = [c for c in self.channels.values() if c.is_thread and not c.archived]
        return {
            **self.payload(),
            "joined_at": iso(joined_at),
            "large": len(self.members) >= 250,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": (
                [v.payload(in_guild_create=True) for v in self.voice_states.values()]
                if voice_states
                else []
            ),
            "members": [m.payload() for m in members],
            "channels": [c.payload() for c in channels],
            "threads": [c.payload() for c in threads],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [e.payload() for e in self.events.values()],
            "soundboard_sounds": [],
            "lazy": True,
            "application_command_counts": {},
            "embedded_activities": [],
            "activity_instances": [],
            "hub_type": None,
            "latest_onboarding_question_id": None,
            "max_stage_video_channel_users": 50,
            "version": 0,
        }


def emoji_payload(emoji: str) -> dict[str, Any]:
    """A stored emoji key ("🔇" or "name:id") as Discord's partial emoji object."""
    name, _, ident = emoji.partition(":")
    return {"id": ident or None, "name": name}


def reaction_payload(emoji: str, users: set[int], *, me: int | None) -> dict[str, Any]:
    """One entry of a message's ``reactions`` (a ``MessageReactionResponse``)."""
    return {
        "emoji": emoji_payload(emoji),
        "count": len(users),
        "count_details": {"burst": 0, "normal": len(users)},
        "burst_colors": [],
        "me_burst": False,
        "me": me is not None and me in users,
    }


def _role_order(role: Role) -> tuple[int, int]:
    return (role.position, role.id)
