"""A local Discord (REST API and gateway on loopback) for end-to-end tests and demos."""

from bot.sandbox.emulator import LocalDiscord
from bot.sandbox.errors import ApiError
from bot.sandbox.interactions import InteractionHandle, InteractionRejected
from bot.sandbox.models import (
    BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
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
from bot.sandbox.records import Exchange

__all__ = [
    "BOT_PERMISSIONS",
    "EVERYONE_PERMISSIONS",
    "ApiError",
    "Channel",
    "ChannelType",
    "Exchange",
    "Guild",
    "InteractionHandle",
    "InteractionRejected",
    "LocalDiscord",
    "Member",
    "Message",
    "Perm",
    "Role",
    "ScheduledEvent",
    "User",
    "VoiceState",
]
