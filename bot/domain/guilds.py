"""A server's own choices about how Agora runs its debates."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.votes import VotingRules


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
    debaters_may_vote: bool = False
    voter_role_id: int | None = None
    voter_min_days: int = 0
    voters_in_voice: bool = False

    def voting_rules(self, voice_channel_id: int | None) -> VotingRules:
        """Who may vote in a debate held (if at all) in ``voice_channel_id``."""
        return VotingRules(
            debaters_may_vote=self.debaters_may_vote,
            required_role_id=self.voter_role_id,
            min_days_in_server=self.voter_min_days,
            voice_channel_id=voice_channel_id if self.voters_in_voice else None,
        )
