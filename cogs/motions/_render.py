"""How the motion bank reads in Discord."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.domain.drafts import Draft, StoredArticle
from bot.domain.motions import Match, Motion, MotionState
from bot.services.motions import BankPage, Listed, Submitted, Upvoted
from bot.ui.picker import clip
from bot.ui.style import BRAND
from cogs.motions._views import PICKER


def _quoted(text: str) -> str:
    return f"“{discord.utils.escape_markdown(text)}”"


def _upvotes(count: int) -> str:
    return "1 upvote" if count == 1 else f"{count} upvotes"


def _date(moment: datetime) -> str:
    return f"<t:{round(moment.timestamp())}:D>"


def state_text(entry: Listed) -> str:
    """A motion's place in the bank, in a few words."""
    motion = entry.motion
    if entry.resting_until is not None:
        return f"💤 debated, rests until {_date(entry.resting_until)}"
    if motion.state is MotionState.PENDING:
        return "⏳ waiting for a moderator"
    if motion.state is MotionState.DEBATED:
        times = "once" if motion.times_debated == 1 else f"{motion.times_debated} times"
        return f"🔁 debated {times}, back in the bank"
    if motion.state is MotionState.REJECTED:
        return "🚫 rejected"
    return "✅ approved"


def bank_embed(shown: BankPage) -> discord.Embed:
    """A page of the bank: each motion's number, upvotes, place and text."""
    embed = discord.Embed(title="Motion bank", colour=BRAND)
    if not shown.entries:
        embed.description = (
            "The bank is empty. Submit a motion with `/motion submit`; once a moderator "
            "approves it, members upvote it towards a debate night."
        )
        return embed
    embed.description = (
        "Approved motions first, most upvoted first: the top one opens the next debate night. "
        "Press ▲ to upvote a motion, and again to take your upvote back."
    )
    for entry in shown.entries:
        motion = entry.motion
        embed.add_field(
            name=clip(f"#{motion.id} · ▲ {motion.votes} · {state_text(entry)}", 256),
            value=clip(_quoted(motion.text), 1024),
            inline=False,
        )
    noun = "motion" if shown.total == 1 else "motions"
    embed.set_footer(text=f"Page {shown.page} of {shown.pages} · {shown.total} {noun}")
    return embed


def _similar_lines(similar: list[Match]) -> list[str]:
    if not similar:
        return []
    ids = ", ".join(f"#{m.motion_id}" for m in similar)
    return [
        "",
        "⚠️ It looks like a motion already in the bank:",
        *(f"• Similar to #{m.motion_id}: {_quoted(m.text)}" for m in similar),
        f"If it is the same motion, upvote {ids} instead (buttons below); a moderator may "
        "reject the copy.",
    ]


def submitted_text(submitted: Submitted) -> str:
    """What a member reads once their motion is stored, with any near-duplicates."""
    motion = submitted.motion
    lines = [
        f"Motion #{motion.id} is in the bank, waiting for a moderator's approval: "
        f"{_quoted(motion.text)}",
        *_similar_lines(submitted.similar),
    ]
    return "\n".join(lines)


def upvoted_text(upvoted: Upvoted) -> str:
    """The private confirmation of a durable upvote, or of its withdrawal."""
    motion = upvoted.motion
    if upvoted.added:
        return (
            f"▲ Your upvote for motion #{motion.id} counts: it has {_upvotes(motion.votes)}. "
            "Press ▲ again to take it back."
        )
    return (
        f"You took back your upvote for motion #{motion.id}: it has {_upvotes(motion.votes)}. "
        "Press ▲ again to upvote it."
    )


def approved_text(motion: Motion) -> str:
    """The announcement of an approved motion."""
    return (
        f"✅ Motion #{motion.id} is approved and in the bank: {_quoted(motion.text)}\n"
        "Upvote it to bring it to a debate night; see the whole bank with `/motion list`."
    )


def rejected_text(motion: Motion, reason: str | None) -> str:
    """The moderator's confirmation of a rejection."""
    because = f" Reason kept with it: {_quoted(reason)}" if reason else ""
    return (
        f"🚫 Motion #{motion.id} is rejected and left out of the bank.{because} "
        f"Changed your mind? `/motion approve id:{motion.id}`."
    )


def picker_embed(draft: Draft, stored: StoredArticle) -> discord.Embed:
    """The article and its candidate motions, the chosen one marked."""
    footer = f"For the motion bank · only you see this · draft #{draft.id}"
    return PICKER.embed(draft, stored, footer=footer)
