"""How a debate's export reaches the member: a file attached to a private answer."""

from __future__ import annotations

import io
from typing import Literal

import discord

from bot.domain.errors import NoDebateHere
from bot.domain.export import DebateExport, NothingToExportHere, to_json, to_markdown
from bot.i18n import ENGLISH, t
from bot.services.debates import DebateService

ExportFormat = Literal["markdown", "json"]

_SUFFIX: dict[str, str] = {"markdown": "md", "json": "json"}


async def debate_here(debates: DebateService, channel_id: int) -> int:
    """The debate of this thread, or this channel's latest; ``NothingToExportHere`` if none."""
    try:
        return (await debates.around(channel_id=channel_id)).id
    except NoDebateHere:
        raise NothingToExportHere(channel_id) from None


def display_names(
    guild: discord.Guild | None, viewer: discord.abc.User, export: DebateExport
) -> dict[int, str]:
    """Display names of the members the record names, as far as the bot knows them: those
    it has cached (it does not ask Discord for the members list) and the member asking."""
    people = export.people()
    found = (guild.get_member(user_id) for user_id in people) if guild is not None else ()
    names = {m.id: m.display_name for m in found if m is not None}
    if viewer.id in people:
        names[viewer.id] = viewer.display_name
    return names


def export_file(export: DebateExport, kind: ExportFormat, names: dict[int, str]) -> discord.File:
    """The record as ``debate-<id>.md`` or ``debate-<id>.json``."""
    text = to_json(export) if kind == "json" else to_markdown(export, names)
    return discord.File(
        io.BytesIO(text.encode("utf-8")), filename=f"debate-{export.debate_id}.{_SUFFIX[kind]}"
    )


def export_text(export: DebateExport, lang: str = ENGLISH) -> str:
    """What the member reads above the file, in ``lang``."""
    speeches = len(export.transcript)
    said = (
        t("export.messages_one", lang)
        if speeches == 1
        else t("export.messages_many", lang, count=speeches)
    )
    if export.in_progress:
        return t("export.in_progress", lang, debate_id=export.debate_id, said=said)
    if export.decision is not None:
        return t("export.record_verdict", lang, debate_id=export.debate_id, said=said)
    return t("export.record", lang, debate_id=export.debate_id, said=said)
