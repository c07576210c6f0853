"""The debate formats that ship with Agora, one TOML file each."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from bot.domain.formats import DebateFormat, parse_format

DEFAULT_FORMAT = "oxford"


@cache
def builtin_formats() -> dict[str, DebateFormat]:
    """Every shipped format by key (the file name without ``.toml``), checked."""
    formats: dict[str, DebateFormat] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            key = entry.name.removesuffix(".toml")
            formats[key] = parse_format(key, tomllib.loads(entry.read_text(encoding="utf-8")))
    return formats
