"""What the local Discord records of every REST exchange, for tests and spec checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Exchange:
    """One REST request the bot sent and the response the local Discord returned.

    ``path`` is relative to the API base and carries no query string, for example
    ``/channels/123/messages``. ``request_json`` is the decoded JSON body; for a
    multipart request it is the decoded ``payload_json`` part. ``response_json`` is
    ``None`` for an empty (204) response.
    """

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    request_json: Any = None
    request_content_type: str | None = None
    status: int = 200
    response_json: Any = None
    at: float = 0.0
