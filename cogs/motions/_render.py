"""How the motion bank reads in Discord, in the language ``lang`` it is shown in."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.domain.drafts import Draft, StoredArticle
from bot.domain.motions import Match, Motion, MotionState
from bot.i18n import t
from bot.services.motions import BankPage, Listed, Submitted, Upvoted
from bot.ui.picker import clip
from bot.ui.style import BRAND
from cogs.motions._views import PICKER


def _quoted(text: str) -> str:
    return f"“{discord.utils.escape_markdown(text)}”"


def _upvotes(count: int, lang: str) -> str:
    if count == 1:
        return t("bank.upvotes_one", lang)
    return t("bank.upvotes_many", lang, count=count)


def _date(moment: datetime) -> str:
    return f"<t:{round(moment.timestamp())}:D>"


def state_text(entry: Listed, lang: str) -> str:
    """A motion's place in the bank, in a few words."""
    motion = entry.motion
    if entry.resting_until is not None:
        return t("bank.state_resting", lang, date=_date(entry.resting_until))
    if motion.state is MotionState.PENDING:
        return t("bank.state_pending", lang)
    if motion.state is MotionState.DEBATED:
        if motion.times_debated == 1:
            return t("bank.state_debated_once", lang)
        return t("bank.state_debated_many", lang, count=motion.times_debated)
    if motion.state is MotionState.REJECTED:
        return t("bank.state_rejected", lang)
    return t("bank.state_approved", lang)


def bank_embed(shown: BankPage, lang: str) -> discord.Embed:
    """A page of the bank: each motion's number, upvotes, place and text."""
    embed = discord.Embed(title=t("bank.title", lang), colour=BRAND)
    if not shown.entries:
        embed.description = t("bank.empty", lang)
        return embed
    embed.description = t("bank.intro", lang)
    for entry in shown.entries:
        motion = entry.motion
        embed.add_field(
            name=clip(f"#{motion.id} · ▲ {motion.votes} · {state_text(entry, lang)}", 256),
            value=clip(_quoted(motion.text), 1024),
            inline=False,
        )
    if shown.total == 1:
        footer = t("bank.footer_one", lang, page=shown.page, pages=shown.pages)
    else:
        footer = t("bank.footer_many", lang, page=shown.page, pages=shown.pages, total=shown.total)
    embed.set_footer(text=footer)
    return embed


def _similar_lines(similar: list[Match], lang: str) -> list[str]:
    if not similar:
        return []
    ids = ", ".join(f"#{m.motion_id}" for m in similar)
    return [
        "",
        t("bank.similar_head", lang),
        *(
            t("bank.similar_line", lang, motion_id=m.motion_id, motion=_quoted(m.text))
            for m in similar
        ),
        t("bank.similar_hint", lang, ids=ids),
    ]


def submitted_text(submitted: Submitted, lang: str) -> str:
    """What a member reads once their motion is stored, with any near-duplicates."""
    motion = submitted.motion
    lines = [
        t("bank.submitted", lang, motion_id=motion.id, motion=_quoted(motion.text)),
        *_similar_lines(submitted.similar, lang),
    ]
    return "\n".join(lines)


def upvoted_text(upvoted: Upvoted, lang: str) -> str:
    """The private confirmation of a durable upvote, or of its withdrawal."""
    motion = upvoted.motion
    upvotes = _upvotes(motion.votes, lang)
    if upvoted.added:
        return t("bank.upvoted", lang, motion_id=motion.id, upvotes=upvotes)
    return t("bank.unvoted", lang, motion_id=motion.id, upvotes=upvotes)


def approved_text(motion: Motion, lang: str) -> str:
    """The announcement of an approved motion."""
    return t("bank.approved", lang, motion_id=motion.id, motion=_quoted(motion.text))


def rejected_text(motion: Motion, reason: str | None, lang: str) -> str:
    """The moderator's confirmation of a rejection."""
    if reason:
        return t("bank.rejected_because", lang, motion_id=motion.id, reason=_quoted(reason))
    return t("bank.rejected", lang, motion_id=motion.id)


def picker_embed(draft: Draft, stored: StoredArticle, lang: str) -> discord.Embed:
    """The article and its candidate motions, the chosen one marked."""
    footer = t("bank.picker_footer", lang, draft_id=draft.id)
    return PICKER.embed(draft, stored, footer=footer, lang=lang)
