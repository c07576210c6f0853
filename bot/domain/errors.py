"""Typed errors of the game rules.

The domain raises them; one error handler in the UI turns each into a clear ephemeral
reply. An operation that raises leaves every object it was given unchanged.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the game refused an action; the user can fix it."""


class EmptyMotion(DomainError):
    """The motion has no text."""


class MotionTooLong(DomainError):
    """The motion is longer than the limit."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"motion has {length} characters, limit {limit}")
        self.length = length
        self.limit = limit


class UnknownFormat(DomainError):
    """No debate format has that name."""

    def __init__(self, key: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown format {key!r}")
        self.key = key
        self.known = known


class InvalidFormat(DomainError):
    """A format definition breaks a rule."""

    LISTED = 10  # problems ``explain`` shows before "… and K more"

    def __init__(self, key: str, problems: tuple[str, ...]) -> None:
        super().__init__(f"format {key!r}: " + "; ".join(problems))
        self.key = key
        self.problems = problems

    def explain(self) -> str:
        """The sentence a member sees: the problems, ten at most."""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"The format '{self.key}' has {count} {noun}:"]
        lines += [f"• {p}" for p in self.problems[: self.LISTED]]
        if count > self.LISTED:
            lines.append(f"… and {count - self.LISTED} more")
        return "\n".join(lines)


class DebateNotFound(DomainError):
    """No debate has that id in this server."""

    def __init__(self, debate_id: int) -> None:
        super().__init__(f"debate {debate_id} not found")
        self.debate_id = debate_id


class NoDebateHere(DomainError):
    """The channel has no debate that is open or running."""


class DebateAlreadyActive(DomainError):
    """The channel already has a debate that is open or running."""

    def __init__(self, debate_id: int) -> None:
        super().__init__(f"debate {debate_id} is active in this channel")
        self.debate_id = debate_id


class DebateClosed(DomainError):
    """The debate no longer takes sign-ups."""

    def __init__(self, debate_id: int, state: str) -> None:
        super().__init__(f"debate {debate_id} is {state}")
        self.debate_id = debate_id
        self.state = state


class AlreadyJoined(DomainError):
    """The member already signed up with that preference."""

    def __init__(self, preference: str) -> None:
        super().__init__(f"already joined ({preference})")
        self.preference = preference


class NotJoined(DomainError):
    """The member is not signed up for the debate."""


class LobbyFull(DomainError):
    """Every debater place is taken."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"lobby is full ({limit} debaters)")
        self.limit = limit


class NotModerator(DomainError):
    """Only a moderator of the debate may do that."""


class NotServerModerator(NotModerator):
    """Only the server's moderators (Manage Server, or its moderator role) may do that:
    actions on the server's seasons, motion bank or debate nights, not on one debate."""

    def __init__(self, action: str) -> None:
        super().__init__(f"only a moderator may {action}")
        self.action = action

    def explain(self) -> str:
        """The sentence a member sees."""
        return (
            "Only members with the **Manage Server** permission or the server's moderator "
            f"role can {self.action}. Ask one of them."
        )


class IllegalTransition(DomainError):
    """The debate cannot make that move from its current state."""

    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"cannot {event} a debate that is {state}")
        self.state = state
        self.event = event


class DraftNotFound(DomainError):
    """No motion draft has that id in this server."""

    def __init__(self, draft_id: int) -> None:
        super().__init__(f"draft {draft_id} not found")
        self.draft_id = draft_id


class TooManySources(DomainError):
    """A debate was asked for with more than one of motion, article and file."""

    def __init__(self, given: tuple[str, ...]) -> None:
        super().__init__("more than one source: " + ", ".join(given))
        self.given = given


class NothingPasted(DomainError):
    """The article form came back with neither text nor file, or with both."""

    def __init__(self, which: str) -> None:
        super().__init__(f"{which} of text and file")
        self.which = which
