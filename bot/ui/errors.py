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

log = logging.getLogger("agora.errors")

_STATE_WORDS = {
    "running": "has already started",
    "finished": "is over",
    "cancelled": "was cancelled",
}
_PREFERENCE_WORDS = {"for": "**For**", "against": "**Against**", "either": "**either side**"}

_MESSAGES: dict[type[e.DomainError], Callable[[Any], str]] = {
    e.EmptyMotion: lambda _: (
        "The motion is empty. Write the statement to debate, for example "
        "`/debate new motion: This House would ban homework`."
    ),
    e.MotionTooLong: lambda x: (
        f"The motion has {x.length} characters; the limit is {x.limit}. "
        "Shorten it to one sentence and try again."
    ),
    e.UnknownFormat: lambda x: (
        f"There is no debate format called “{discord.utils.escape_markdown(x.key[:40])}”. "
        f"Choose one of: {', '.join(f'`{k}`' for k in x.known)}."
    ),
    e.InvalidFormat: lambda x: (
        "That format has problems:\n" + "\n".join(f"• {p}" for p in x.problems[:15])
    ),
    e.DebateNotFound: lambda x: (
        f"Debate #{x.debate_id} does not exist in this server. Start a new one with `/debate new`."
    ),
    e.NoDebateHere: lambda _: (
        "There is no open debate in this channel. Start one with `/debate new`."
    ),
    e.DebateAlreadyActive: lambda x: (
        f"Debate #{x.debate_id} is already open in this channel. Cancel it with "
        "`/debate cancel`, or start yours in another channel."
    ),
    e.DebateClosed: lambda x: (
        f"Debate #{x.debate_id} {_STATE_WORDS.get(x.state, 'is closed')} and takes no more "
        "sign-ups. Start a new one with `/debate new`."
    ),
    e.AlreadyJoined: lambda x: (
        f"You have already joined {_PREFERENCE_WORDS.get(x.preference, x.preference)}. "
        "To switch, press another Join button; to withdraw, press **Leave**."
    ),
    e.NotJoined: lambda _: (
        "You have not joined this debate, so there is nothing to leave. "
        "Press a Join button to take part."
    ),
    e.LobbyFull: lambda x: (
        f"The lobby is full ({x.limit} debaters). Wait for someone to leave, "
        "or stay in the audience and vote."
    ),
    e.NotModerator: lambda _: (
        "Only the member who created this debate, a member with the server's moderator "
        "role, or someone with the Manage Server permission can do that: ask one of them."
    ),
    e.IllegalTransition: lambda x: f"You cannot {x.event} a debate that is {x.state}.",
    e.TooManySources: lambda x: (
        f"You gave {' and '.join(f'`{g}`' for g in x.given)}: give just one. A `motion` opens "
        "the debate at once; an `article` link or a `file` gets you motions to choose from."
    ),
    e.NothingPasted: lambda x: (
        "Paste the article's text or upload it as a file, not both."
        if x.which == "both"
        else "The form was empty: paste the article's text or upload it as a file."
    ),
    e.DraftNotFound: lambda _: (
        "That list of motions no longer exists. Start again with `/debate new`."
    ),
    DraftClosed: lambda x: (
        f"That list of motions was already {x.state}. Start again with `/debate new`."
    ),
    NoSuchCandidate: lambda _: "Pick one of the motions in the list.",
}

NOT_IN_DMS = (
    "Agora's commands work in a server channel, not in direct messages. Use them in your server."
)
OUT_OF_DATE = (
    "This command has changed since your Discord app loaded it. "
    "Wait a minute and try again, or restart Discord."
)


def describe(error: e.DomainError) -> str:
    """The sentence a member sees for a refused action."""
    explain = getattr(error, "explain", None)
    if callable(explain):
        return str(explain())
    for kind in type(error).__mro__:
        render = _MESSAGES.get(kind)
        if render is not None:
            return render(error)
    return "That is not possible right now."


def _message_for(error: BaseException) -> str | None:
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, e.DomainError):
        return describe(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return NOT_IN_DMS
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return OUT_OF_DATE
    if isinstance(error, app_commands.TransformerError):
        value = str(error.value)[:100]
        return f"“{value}” is not a valid value for that option. Pick one from the list."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this command here."
    return None


async def answer_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer a failed interaction: the reason if the member can fix it, else an error id."""
    message = _message_for(error)
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
        message = (
            "Sorry, something went wrong on our side. It has been logged as "
            f"`{error_id}`; please tell a moderator if it keeps happening."
        )
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
