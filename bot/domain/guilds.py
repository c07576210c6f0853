"""A server's own choices about how Agora runs its debates.

Every setting has a default, so a server that never opened ``/config`` plays by the
defaults. Who may change the settings is decided here too: the server's moderators
(Manage Server, or its moderator role), except the moderator role itself, which only
members with Manage Server may hand out, so a moderator cannot make more moderators.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.debate import Actor
from bot.domain.errors import DomainError, NotServerModerator
from bot.domain.votes import VotingRules


class TurnMode(StrEnum):
    """What happens to a message posted out of turn in a debate's thread."""

    STRICT = "strict"
    """Removed, with a short notice pointing to the audience thread."""
    SOFT = "soft"
    """Kept and marked with a reaction."""


DEFAULT_TIMEZONE = "UTC"
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch"}
"""The languages a server may choose for Agora's messages, by code, in their own words."""
DEFAULT_LANGUAGE = "en"
COMMON_TIMEZONES: tuple[str, ...] = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
"""The time zones ``/config`` offers (Discord lists at most 25 options); any other IANA
zone can still be given by name to ``/schedule create``."""


class SettingsRefused(NotServerModerator):
    """The member may not see or change these settings."""

    def __init__(self, action: str, *, managers_only: bool = False) -> None:
        super().__init__(action)
        self.managers_only = managers_only

    def explain(self) -> str:
        """The sentence a member sees."""
        who = "the **Manage Server** permission"
        if not self.managers_only:
            who += " or the server's moderator role"
        return f"Only members with {who} can {self.action}. Ask one of them."


class UnknownLanguage(DomainError):
    """Not a language Agora speaks."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown language {code!r}")
        self.code = code

    def explain(self) -> str:
        """The sentence a member sees."""
        known = ", ".join(f"`{code}` ({name})" for code, name in LANGUAGES.items())
        return f"Agora does not speak “{self.code[:20]}”. Choose one of: {known}."


def checked_language(code: str) -> str:
    """``code`` if Agora speaks it; ``UnknownLanguage`` otherwise."""
    if code not in LANGUAGES:
        raise UnknownLanguage(code)
    return code


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """A server's settings; the defaults until a moderator changes them."""

    guild_id: int
    moderator_role_id: int | None = None
    turns: TurnMode = TurnMode.STRICT
    debaters_may_vote: bool = False
    voter_role_id: int | None = None
    voter_min_days: int = 0
    voters_in_voice: bool = False
    debate_channel_id: int | None = None
    """Where the server holds its debates; None: wherever a debate is opened."""
    default_format: str | None = None
    """The format of a debate opened without one; None: Agora's default."""
    timezone: str = DEFAULT_TIMEZONE
    """The server's IANA time zone: the default of new debate nights."""
    language: str = DEFAULT_LANGUAGE
    """The language of Agora's messages in the server."""

    def voting_rules(self, voice_channel_id: int | None) -> VotingRules:
        """Who may vote in a debate held (if at all) in ``voice_channel_id``."""
        return VotingRules(
            debaters_may_vote=self.debaters_may_vote,
            required_role_id=self.voter_role_id,
            min_days_in_server=self.voter_min_days,
            voice_channel_id=voice_channel_id if self.voters_in_voice else None,
        )

    def moderates(self, actor: Actor) -> bool:
        """Whether ``actor`` is one of the server's moderators."""
        role = self.moderator_role_id
        return actor.manages_server or (role is not None and role in actor.role_ids)


def check_may_configure(settings: GuildSettings, actor: Actor, changes: frozenset[str]) -> None:
    """Refuse, with ``SettingsRefused``, an ``actor`` who may not change the settings named
    in ``changes``: the server's moderators may, but only members with Manage Server choose
    the moderator role."""
    if "moderator_role_id" in changes and not actor.manages_server:
        raise SettingsRefused("choose the moderator role", managers_only=True)
    if not settings.moderates(actor):
        raise SettingsRefused("see or change Agora's settings")
