"""Discord's JSON errors, raised by the local Discord's handlers and rendered by the router."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error response with Discord's body: ``{"message", "code", ["errors"]}``."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends for this error."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class FormErrors:
    """Collects field errors in Discord's nested ``{"field": {"_errors": [...]}}`` shape."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        """Record an error at ``path`` (keys and list indexes) with Discord's error code."""
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: tuple[str | int, ...], limit: int) -> None:
        """Record a "must be N or fewer in length" error."""
        self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def required(self, path: tuple[str | int, ...]) -> None:
        """Record a "this field is required" error."""
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def raise_if_any(self) -> None:
        """Raise ``Invalid Form Body`` (50035) when any error was recorded."""
        if self.tree:
            raise ApiError(400, 50035, "Invalid Form Body", self.tree)


def unknown(kind: str) -> ApiError:
    """Discord's 404 for an unknown object, e.g. ``unknown("Channel")`` -> 10003."""
    codes = {
        "Account": 10001,
        "Application": 10002,
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "Emoji": 10014,
        "User": 10013,
        "Webhook": 10015,
        "Interaction": 10062,
        "Application Command": 10063,
        "Voice State": 10065,
        "Guild Scheduled Event": 10070,
        "Guild Scheduled Event User": 10071,
    }
    # Discord spells this one in lower case.
    text = "Unknown interaction" if kind == "Interaction" else f"Unknown {kind}"
    return ApiError(404, codes[kind], text)


def missing_permissions() -> ApiError:
    """Discord's 403 for an action the bot lacks the permissions for."""
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    """Discord's 403 for a channel the bot cannot see."""
    return ApiError(403, 50001, "Missing Access")
