"""A server's own choices about how Agora runs its debates."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TurnMode(StrEnum):
    """What happens to a message posted out of turn in a debate's thread."""

    STRICT = "strict"
    """Removed, with a short notice pointing to the audience thread."""
    SOFT = "soft"
    """Kept and marked with a reaction."""


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """A server's settings; the defaults until a moderator changes them."""

    guild_id: int
    moderator_role_id: int | None = None
    turns: TurnMode = TurnMode.STRICT
