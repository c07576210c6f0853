"""One place that turns every failure into a clear ephemeral answer.

Slash commands reach it through the command tree's ``on_error``; buttons and modals wrap
their work in ``guard`` because discord.py only logs what their callbacks raise, which
would leave the member with "This interaction failed".
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.articles import errors as a
from bot.domain import errors as e
from bot.domain import votes as v
from bot.domain.clock import ClockEvent, ClockState, ExtensionRefused, IllegalClockMove, StaleClock
from bot.domain.debate import DebateState
from bot.domain.drafts import DraftClosed, NoSuchCandidate
from bot.domain.export import ExportNotFound, NotExportable, NothingToExportHere
from bot.domain.guilds import LANGUAGES, SettingsRefused, UnknownLanguage
from bot.domain.ratings import (
    InvalidSeasonName,
    NoSeasonRunning,
    RatedLocked,
    SeasonAlreadyRunning,
    UnknownSeason,
)
from bot.domain.sides import NotEnoughDebaters
from bot.domain.thesis import NoSentences, NotEnglish, ThesisError
from bot.domain.turns import NotStarted, NotYourTurn
from bot.i18n import ENGLISH, t
from bot.services.articles import NoArticle
from bot.ui.access import ManagerAction, NotServerManager
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


def _vote_move(x: v.IllegalVoteMove, lang: str) -> str:
    if x.vote_state is v.VoteState.CLOSED:
        return t("error.vote_move_closed", lang)
    if x.vote_state is v.VoteState.OPEN:
        return t("error.vote_move_open", lang)
    return t("error.vote_move_not_opened", lang)


def _too_new(x: v.TooNewToVote, lang: str) -> str:
    wait = (
        t("error.wait_one", lang)
        if x.min_days == 1
        else t("error.wait_many", lang, count=x.min_days)
    )
    if x.days == 0:
        joined = t("error.joined_today", lang)
    elif x.days == 1:
        joined = t("error.joined_one", lang)
    else:
        joined = t("error.joined_many", lang, count=x.days)
    return t("error.too_new", lang, wait=wait, joined=joined)


def _clock_action(event: ClockEvent, lang: str) -> str:
    match event:
        case ClockEvent.YIELD:
            return t("error.clock_yield", lang)
        case ClockEvent.SKIP:
            return t("error.clock_skip", lang)
        case ClockEvent.PAUSE:
            return t("error.clock_pause", lang)
        case ClockEvent.RESUME:
            return t("error.clock_resume", lang)
        case ClockEvent.EXTEND:
            return t("error.clock_extend", lang)
    return t("error.clock_end", lang)


def _clock_move(x: IllegalClockMove, lang: str) -> str:
    action = _clock_action(x.clock_event, lang)
    match x.clock_state:
        case ClockState.FINISHED:
            return t("error.clock_finished", lang, action=action)
        case ClockState.PAUSED:
            state = t("error.clock_paused", lang)
        case _:
            state = t("error.clock_running", lang)
    return t("error.clock_state", lang, action=action, state=state)


def _extension(x: ExtensionRefused, lang: str) -> str:
    if x.allowed < 1:
        return t("error.extended_fully", lang)
    return t("error.extension_range", lang, allowed=x.allowed)


def _not_enough(x: NotEnoughDebaters, lang: str) -> str:
    per_side, total = x.min_per_side, 2 * x.min_per_side
    if x.missing == 1:
        return t("error.not_enough_one", lang, per_side=per_side, total=total)
    return t("error.not_enough_many", lang, per_side=per_side, total=total, missing=x.missing)


def _not_exportable(x: NotExportable, lang: str) -> str:
    if x.state is DebateState.CANCELLED:
        return t("error.export_cancelled", lang, debate_id=x.debate_id)
    return t("error.export_not_started", lang, debate_id=x.debate_id)


# Some errors carry a detail in English only (a reason, an action): English keeps it, other
# languages say the same without it.


def _server_moderator(x: e.NotServerModerator, lang: str) -> str:
    if lang == ENGLISH:
        return t("error.server_moderator", lang, action=x.action)
    return t("error.server_moderator_any", lang)


def _settings_refused(x: SettingsRefused, lang: str) -> str:
    if not x.managers_only:
        return _server_moderator(x, lang)
    if lang == ENGLISH:
        return t("error.settings_managers", lang, action=x.action)
    return t("error.settings_managers_any", lang)


def _bad_url(x: a.BadUrl, lang: str) -> str:
    if lang == ENGLISH:
        return t("error.bad_url", lang, reason=x.reason)
    return t("error.bad_url_any", lang)


def _blocked(x: a.BlockedAddress, lang: str) -> str:
    if lang == ENGLISH:
        article = "an" if x.reason[:1] in "aeiou" else "a"
        return t("error.blocked_address", lang, host=x.host, reason=f"{article} {x.reason}")
    return t("error.blocked_address_any", lang, host=x.host)


def _binary(x: a.BinaryContent, lang: str) -> str:
    if lang == ENGLISH:
        return t("error.binary_content", lang, what=x.what)
    return t("error.binary_content_any", lang)


def _fetch_failed(x: a.FetchFailed, lang: str) -> str:
    if x.status is not None:
        return t("error.fetch_status", lang, status=x.status, reason=x.reason)
    if lang == ENGLISH:
        return t("error.fetch_failed", lang, reason=x.reason)
    return t("error.fetch_failed_any", lang)


def _season_name(x: InvalidSeasonName, lang: str) -> str:
    if lang == ENGLISH:
        return t("error.season_name", lang, why=x.why)
    return t("error.season_name_any", lang)


def _unknown_season(x: UnknownSeason, lang: str) -> str:
    known = ", ".join(x.known) if x.known else t("error.no_seasons_yet", lang)
    return t("error.unknown_season", lang, name=x.name, known=known)


def _unknown_language(x: UnknownLanguage, lang: str) -> str:
    known = ", ".join(f"`{code}` ({name})" for code, name in LANGUAGES.items())
    return t("error.unknown_language", lang, code=x.code[:20], known=known)


def _megabytes(limit: int, lang: str) -> str:
    return t("error.megabytes", lang, count=limit / 1_000_000)


_MESSAGES: dict[type[Exception], Render] = {
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
    # the audience vote and the judges
    v.IllegalVoteMove: _vote_move,
    v.VoteClosed: lambda x, lang: (
        t("error.vote_closed", lang)
        if x.state is v.VoteState.CLOSED
        else t("error.vote_not_open", lang)
    ),
    v.VoteRefused: lambda _, lang: t("error.vote_refused", lang),
    v.DebatersCannotVote: lambda _, lang: t("error.debaters_cannot_vote", lang),
    v.MissingVoterRole: lambda x, lang: t("error.voter_role", lang, role_id=x.role_id),
    v.TooNewToVote: _too_new,
    v.NotInVoiceChannel: lambda x, lang: t("error.voice_channel", lang, channel_id=x.channel_id),
    v.NotAJudge: lambda _, lang: t("error.not_a_judge", lang),
    v.JudgingClosed: lambda _, lang: t("error.judging_closed", lang),
    # the floor and the clock
    NotYourTurn: lambda _, lang: t("error.not_your_turn", lang),
    NotStarted: lambda _, lang: t("error.not_started", lang),
    IllegalClockMove: _clock_move,
    StaleClock: lambda _, lang: t("error.stale_clock", lang),
    ExtensionRefused: _extension,
    NotEnoughDebaters: _not_enough,
    # exports
    ExportNotFound: lambda x, lang: t("error.export_not_found", lang, debate_id=x.debate_id),
    NotExportable: _not_exportable,
    NothingToExportHere: lambda _, lang: t("error.nothing_to_export", lang),
    # articles and the motions drawn from them
    NoArticle: lambda _, lang: t("error.no_article", lang),
    ThesisError: lambda _, lang: t("error.no_thesis", lang),
    NoSentences: lambda _, lang: t("error.no_sentences", lang),
    NotEnglish: lambda _, lang: t("error.not_english", lang),
    a.ArticleError: lambda _, lang: t("error.article", lang),
    a.EmptyDocument: lambda _, lang: t("error.empty_document", lang),
    a.LoginWall: lambda _, lang: t("error.login_wall", lang),
    a.BinaryContent: _binary,
    a.UndecodableText: lambda _, lang: t("error.undecodable", lang),
    a.TooLarge: lambda x, lang: t("error.too_large", lang, size=_megabytes(x.limit, lang)),
    a.UnsupportedType: lambda x, lang: t("error.unsupported_type", lang, kind=x.kind),
    a.NoTextLayer: lambda _, lang: t("error.no_text_layer", lang),
    a.BrokenPdf: lambda _, lang: t("error.broken_pdf", lang),
    a.BadUrl: _bad_url,
    a.BlockedAddress: _blocked,
    a.HostNotFound: lambda x, lang: t("error.host_not_found", lang, host=x.host),
    a.TooManyRedirects: lambda x, lang: t("error.too_many_redirects", lang, limit=x.limit),
    a.FetchTimeout: lambda x, lang: t("error.fetch_timeout", lang, seconds=x.seconds),
    a.FetchFailed: _fetch_failed,
    # the server's moderators, settings and seasons
    e.NotServerModerator: _server_moderator,
    SettingsRefused: _settings_refused,
    UnknownLanguage: _unknown_language,
    SeasonAlreadyRunning: lambda x, lang: t("error.season_running", lang, name=x.name),
    NoSeasonRunning: lambda _, lang: t("error.no_season_running", lang),
    UnknownSeason: _unknown_season,
    InvalidSeasonName: _season_name,
    RatedLocked: lambda _, lang: t("error.rated_locked", lang),
}
"""Every refusal Agora translates. An error not listed here (nor any of its bases) is
answered with its own ``explain()``, in English."""


def register(messages: Mapping[type[Exception], Render]) -> None:
    """Add translations of errors defined outside the domain's core (a feature's own errors):
    ``{ErrorClass: render}``, where ``render(error, language)`` returns the sentence. A class
    registered twice keeps its latest render."""
    _MESSAGES.update(messages)


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
    if isinstance(error, NotServerManager):
        if error.action is ManagerAction.ADD_FORMATS:
            return t("error.manager_add_formats", lang)
        return t("error.manager_change_settings", lang)
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
