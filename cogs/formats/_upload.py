"""Bringing a format's TOML in: from an uploaded file, or from a form.

The form carries the format's key in its ``custom_id``, so its submission is handled by
the cog from that alone, after a restart too.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import discord

from bot.domain.errors import DomainError
from bot.domain.formats import MAX_SOURCE_CHARS

MAX_FILE_BYTES = MAX_SOURCE_CHARS
FORM_MAX_CHARS = 4000  # Discord's limit for one text input
FORM_TIMEOUT = 15 * 60  # the interaction token lives this long anyway
EXAMPLE = "quick.toml"
FORMAT_FORM = re.compile(r"agora:format:(?P<key>[a-z][a-z0-9-]{1,39})")


class UploadProblem(DomainError):
    """The uploaded file cannot be a format; ``explain`` says how to fix it."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason

    def explain(self) -> str:
        """The sentence a member sees."""
        name = discord.utils.escape_markdown(self.filename[:60])
        return f"I cannot use “{name}”: {self.reason}"


def _size(size: int) -> str:
    return f"{size:,} bytes"


def check_upload(filename: str, size: int) -> None:
    """Refuse, before downloading it, a file that cannot be a format."""
    if not filename.lower().endswith(".toml"):
        raise UploadProblem(filename, "a format is a `.toml` file. Rename it, or check the file.")
    if size > MAX_FILE_BYTES:
        raise UploadProblem(
            filename,
            f"it has {_size(size)}; a format may have at most {_size(MAX_FILE_BYTES)}.",
        )


def decode_upload(filename: str, data: bytes) -> str:
    """The file's text; it must be UTF-8 and within the size limit."""
    check_upload(filename, len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UploadProblem(
            filename,
            f"it is not UTF-8 text (line {line}). Save it as UTF-8 in your editor and try again.",
        ) from None


@cache
def example_source() -> str:
    """A short, valid format to start the form from: the built-in Quick format."""
    return resources.files("bot.formats").joinpath(EXAMPLE).read_text(encoding="utf-8")


class FormatForm(discord.ui.Modal):
    """Write a format's TOML by hand, starting from an example."""

    def __init__(self, key: str) -> None:
        super().__init__(
            title=f"Format “{key}”"[:45], custom_id=f"agora:format:{key}", timeout=FORM_TIMEOUT
        )
        example = example_source()
        self.add_item(
            discord.ui.TextInput(
                label="The format, in TOML",
                custom_id="source",
                style=discord.TextStyle.paragraph,
                default=example if len(example) <= FORM_MAX_CHARS else None,
                min_length=1,
                max_length=FORM_MAX_CHARS,
            )
        )
