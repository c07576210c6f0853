"""Bringing a format's TOML in: from an uploaded file, or from a form.

The form carries the format's key in its ``custom_id``, so its submission is handled by
the cog from that alone, after a restart too.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from importlib import resources

import discord

from bot.domain.errors import DomainError
from bot.domain.formats import MAX_SOURCE_CHARS
from bot.i18n import ENGLISH, t

MAX_FILE_BYTES = MAX_SOURCE_CHARS
FORM_MAX_CHARS = 4000  # Discord's limit for one text input
FORM_TIMEOUT = 15 * 60  # the interaction token lives this long anyway
EXAMPLE = "quick.toml"
FORMAT_FORM = re.compile(r"agora:format:(?P<key>[a-z][a-z0-9-]{1,39})")


class Why(StrEnum):
    """What is wrong with an uploaded file."""

    NOT_TOML = "not toml"
    TOO_BIG = "too big"
    NOT_UTF8 = "not utf-8"


class UploadProblem(DomainError):
    """The uploaded file cannot be a format; ``explain`` says how to fix it."""

    def __init__(self, filename: str, why: Why, *, size: int = 0, line: int = 0) -> None:
        super().__init__(f"{filename}: {why}")
        self.filename = filename
        self.why = why
        self.size = size
        self.line = line

    def explain(self) -> str:
        """The sentence a member sees, in English."""
        return upload_problem_text(self, ENGLISH)


def _size(size: int, lang: str) -> str:
    return t("formats.upload.bytes", lang, count=f"{size:,}")


def upload_problem_text(problem: UploadProblem, lang: str) -> str:
    """What is wrong with the file and how to fix it, in ``lang``."""
    match problem.why:
        case Why.NOT_TOML:
            reason = t("formats.upload.not_toml", lang)
        case Why.TOO_BIG:
            reason = t(
                "formats.upload.too_big",
                lang,
                size=_size(problem.size, lang),
                limit=_size(MAX_FILE_BYTES, lang),
            )
        case _:
            reason = t("formats.upload.not_utf8", lang, line=problem.line)
    name = discord.utils.escape_markdown(problem.filename[:60])
    return t("formats.upload.refused", lang, name=name, reason=reason)


def check_upload(filename: str, size: int) -> None:
    """Refuse, before downloading it, a file that cannot be a format."""
    if not filename.lower().endswith(".toml"):
        raise UploadProblem(filename, Why.NOT_TOML)
    if size > MAX_FILE_BYTES:
        raise UploadProblem(filename, Why.TOO_BIG, size=size)


def decode_upload(filename: str, data: bytes) -> str:
    """The file's text; it must be UTF-8 and within the size limit."""
    check_upload(filename, len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UploadProblem(filename, Why.NOT_UTF8, line=line) from None


@cache
def example_source() -> str:
    """A short, valid format to start the form from: the built-in Quick format."""
    return resources.files("bot.formats").joinpath(EXAMPLE).read_text(encoding="utf-8")


class FormatForm(discord.ui.Modal):
    """Write a format's TOML by hand, starting from an example."""

    def __init__(self, key: str, lang: str) -> None:
        super().__init__(
            title=t("formats.form.title", lang, key=key)[:45],
            custom_id=f"agora:format:{key}",
            timeout=FORM_TIMEOUT,
        )
        example = example_source()
        self.add_item(
            discord.ui.TextInput(
                label=t("formats.form.label", lang),
                custom_id="source",
                style=discord.TextStyle.paragraph,
                default=example if len(example) <= FORM_MAX_CHARS else None,
                min_length=1,
                max_length=FORM_MAX_CHARS,
            )
        )
