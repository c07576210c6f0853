"""One place that turns every failure into a clear ephemeral answer.

Slash commands reach it through the command tree's ``on_error``; buttons and modals wrap
their work in ``guard`` because discord.py only logs what their callbacks raise, which
would leave the member with "This interaction failed".
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.domain import errors as e
from bot.domain.drafts import DraftClosed, NoSuchCandidate
from bot.i18n import ENGLISH, t
from bot.ui.i18n import language_of

log = logging.getLogger("agora.errors")

Render = Callable[[Any, str], str]
"""An error and a language -> the sentence a member sees."""


def _debate_closed(x: e.DebateClosed, lang: str) -> str:
    match x.state:
        case "running":
            return t("error.debate_closed_running", lang, debate_id=x.debate_id)
        case "finished":
            return t("error.debate_closed_finished", lang, debate_id=x.debate_id)
        case "cancelled":
            return t("error.debate_closed_cancelled", lang, debate_id=x.debate_id)
    return t("error.debate_closed", lang, debate_id=x.debate_id)


def _already_joined(x: e.AlreadyJoined, lang: str) -> str:
    match x.preference:
        case "for":
            return t("error.already_joined_for", lang)
        case "against":
            return t("error.already_joined_against", lang)
    return t("error.already_joined_either", lang)


def _invalid_format(x: e.InvalidFormat, lang: str) -> str:
    count = len(x.problems)
    lines = [f"• {p}" for p in x.problems[: x.LISTED]]
    if count > x.LISTED:
        lines.append(t("error.invalid_format_more", lang, count=count - x.LISTED))
    problems = "\n".join(lines)
    if count == 1:
        return t("error.invalid_format_named_one", lang, key=x.key, problems=problems)
    return t("error.invalid_format_named", lang, key=x.key, count=count, problems=problems)


def _code_list(items: tuple[str, ...], lang: str) -> str:
    return t("error.joiner_and", lang).join(f"`{item}`" for item in items)


_MESSAGES: dict[type[e.DomainError], Render] = {
    e.EmptyMotion: lambda _, lang: t("error.empty_motion", lang),
    e.MotionTooLong: lambda x, lang: t(
        "error.motion_too_long", lang, length=x.length, limit=x.limit
    ),
    e.UnknownFormat: lambda x, lang: t(
        "error.unknown_format",
        lang,
        key=discord.utils.escape_markdown(x.key[:40]),
        known=", ".join(f"`{k}`" for k in x.known),
    ),
    e.InvalidFormat: _invalid_format,
    e.DebateNotFound: lambda x, lang: t("error.debate_not_found", lang, debate_id=x.debate_id),
    e.NoDebateHere: lambda _, lang: t("error.no_debate_here", lang),
    e.DebateAlreadyActive: lambda x, lang: t(
        "error.debate_already_active", lang, debate_id=x.debate_id
    ),
    e.DebateClosed: _debate_closed,
    e.AlreadyJoined: _already_joined,
    e.NotJoined: lambda _, lang: t("error.not_joined", lang),
    e.LobbyFull: lambda x, lang: t("error.lobby_full", lang, limit=x.limit),
    e.NotModerator: lambda _, lang: t("error.not_moderator", lang),
    e.IllegalTransition: lambda x, lang: t(
        "error.illegal_transition", lang, event=x.event, state=x.state
    ),
    e.TooManySources: lambda x, lang: t(
        "error.too_many_sources", lang, given=_code_list(x.given, lang)
    ),
    e.NothingPasted: lambda x, lang: (
        t("error.pasted_both", lang) if x.which == "both" else t("error.pasted_neither", lang)
    ),
    e.DraftNotFound: lambda _, lang: t("error.draft_not_found", lang),
    DraftClosed: lambda x, lang: t("error.draft_closed", lang, state=x.state),
    NoSuchCandidate: lambda _, lang: t("error.no_such_candidate", lang),
}
"""Every refusal Agora translates. An error not listed here (nor any of its bases) is
answered with its own ``explain()``, in English."""


def describe(error: e.DomainError, language: str = ENGLISH) -> str:
    """The sentence a member sees for a refused action, in ``language``: the most specific
    of the error's classes decides, by the table above or else by its own ``explain``."""
    for kind in type(error).__mro__:
        render = _MESSAGES.get(kind)
        if render is not None:
            return render(error, language)
        explain = kind.__dict__.get("explain")
        if callable(explain):
            return str(explain(error))
    return t("error.not_possible", language)


def _message_for(error: BaseException, lang: str) -> str | None:
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, e.DomainError):
        return describe(error, lang)
    if isinstance(error, app_commands.NoPrivateMessage):
        return t("error.not_in_dms", lang)
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return t("error.out_of_date", lang)
    if isinstance(error, app_commands.TransformerError):
        return t("error.invalid_value", lang, value=str(error.value)[:100])
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or t("error.not_here", lang)
    return None


async def answer_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer a failed interaction: the reason if the member can fix it, else an error id."""
    lang = await language_of(interaction)
    message = _message_for(error, lang)
    if message is None:
        error_id = secrets.token_hex(4)
        original = getattr(error, "original", error)
        log.error(
            "Unexpected error %s in interaction %s (guild %s, user %s)",
            error_id,
            interaction.id,
            interaction.guild_id,
            interaction.user.id,
            exc_info=(type(original), original, original.__traceback__),
        )
        message = t("error.unexpected", lang, error_id=error_id)
    await reply_ephemeral(interaction, message)


async def reply_ephemeral(interaction: discord.Interaction[Any], message: str) -> None:
    """Send ``message`` to the member alone, whether or not the interaction was answered."""
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
        elif interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not answer interaction %s", interaction.id, exc_info=True)


async def guard(interaction: discord.Interaction[Any], work: Awaitable[None]) -> None:
    """Run a component's work; any failure is answered instead of being left hanging."""
    try:
        await work
    except Exception as error:
        await answer_error(interaction, error)
