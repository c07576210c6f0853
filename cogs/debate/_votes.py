"""How the audience votes look: the poll messages, their buttons, and the result.

Running tallies stay hidden until the reveal; a poll message shows only how many voted
(kept current by ``PollBoard``).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable
from datetime import datetime
from typing import Any, ClassVar, Protocol

import discord

from bot.charts import results_chart
from bot.domain.formats import VoteRule
from bot.domain.sides import Side
from bot.domain.votes import Choice, Tally, VotePhase
from bot.i18n import ENGLISH, t
from bot.services.votes import Outcome
from bot.ui.access import Access
from bot.ui.errors import guard
from bot.ui.i18n import choice_label
from bot.ui.style import BRAND, ICONS, side_colour
from cogs.debate._views import debate_cog

log = logging.getLogger("agora.votes")

CHOICE_STYLES = {
    Choice.FOR: discord.ButtonStyle.primary,
    Choice.AGAINST: discord.ButtonStyle.danger,
    Choice.UNDECIDED: discord.ButtonStyle.secondary,
}


class VoteActions(Protocol):
    """What the vote buttons ask the debate's conductor to do."""

    def vote(
        self,
        interaction: discord.Interaction[Any],
        debate_id: int,
        phase: VotePhase,
        choice: Choice,
    ) -> Awaitable[None]:
        """Cast the clicking member's vote."""
        ...

    def close_vote(
        self, interaction: discord.Interaction[Any], debate_id: int, phase: VotePhase
    ) -> Awaitable[None]:
        """Close the poll (moderators)."""
        ...


def _actions(interaction: discord.Interaction[Any]) -> VoteActions:
    actions: VoteActions = debate_cog(interaction).conductor
    return actions


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:vote:(?P<debate>[0-9]{1,19}):(?P<phase>pre|post):(?P<choice>for|against|undecided)",
):
    """Vote For, Against or Undecided in one of a debate's polls."""

    access: ClassVar[Access] = Access.MEMBER

    def __init__(
        self, debate_id: int, phase: VotePhase, choice: Choice, lang: str = ENGLISH
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=choice_label(choice, lang),
                style=CHOICE_STYLES[choice],
                custom_id=f"agora:vote:{debate_id}:{phase.value}:{choice.value}",
            )
        )
        self.debate_id, self.phase, self.choice = debate_id, phase, choice

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["debate"]), VotePhase(match["phase"]), Choice(match["choice"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the vote to the cog."""
        await guard(
            interaction,
            _actions(interaction).vote(interaction, self.debate_id, self.phase, self.choice),
        )


class CloseVoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:closevote:(?P<debate>[0-9]{1,19}):(?P<phase>pre|post)",
):
    """Close a poll now (moderators)."""

    access: ClassVar[Access] = Access.DEBATE_MODERATOR

    def __init__(self, debate_id: int, phase: VotePhase, lang: str = ENGLISH) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("poll.close_button", lang),
                style=discord.ButtonStyle.secondary,
                custom_id=f"agora:closevote:{debate_id}:{phase.value}",
            )
        )
        self.debate_id, self.phase = debate_id, phase

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CloseVoteButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["debate"]), VotePhase(match["phase"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the cog."""
        await guard(
            interaction, _actions(interaction).close_vote(interaction, self.debate_id, self.phase)
        )


def poll_view(debate_id: int, phase: VotePhase, lang: str = ENGLISH) -> discord.ui.View:
    """The buttons of an open poll, in ``lang``."""
    view = discord.ui.View(timeout=None)
    for choice in Choice:
        view.add_item(VoteButton(debate_id, phase, choice, lang))
    view.add_item(CloseVoteButton(debate_id, phase, lang))
    return view


def poll_text(
    phase: VotePhase,
    voters: int,
    closes_at: datetime | None,
    *,
    open_: bool,
    lang: str = ENGLISH,
) -> str:
    """A poll message, in ``lang``: what to vote on, how many voted, and when it closes."""
    counted = t("poll.voted_one", lang) if voters == 1 else t("poll.voted_many", lang, count=voters)
    pre = phase is VotePhase.PRE
    if not open_:
        if pre:
            return t("poll.closed_pre", lang, icon=ICONS.vote, counted=counted)
        return t("poll.closed_post", lang, icon=ICONS.vote, counted=counted)
    lines = [
        t("poll.open_pre", lang, icon=ICONS.vote)
        if pre
        else t("poll.open_post", lang, icon=ICONS.vote),
        t("poll.so_far", lang, counted=counted),
    ]
    if closes_at is not None:
        lines.append(t("poll.closes_at", lang, stamp=round(closes_at.timestamp())))
    elif pre:
        lines.append(t("poll.closes_first_speech", lang))
    return "\n".join(lines)


def voted_text(phase: VotePhase, choice: Choice, lang: str) -> str:
    """The private confirmation of a durable vote, in ``lang``."""
    label = choice_label(choice, lang)
    if phase is VotePhase.PRE:
        return t("vote.counted_pre", lang, choice=label)
    return t("vote.counted_post", lang, choice=label)


def _side_name(side: Side, lang: str) -> str:
    return t("side.for", lang) if side is Side.FOR else t("side.against", lang)


def _percent(x: float, lang: str) -> str:
    return t("verdict.percent", lang, percent=x)


def _points(x: float, lang: str) -> str:
    """A signed gain in percentage points, e.g. "+12.5 points", "-3 points"."""
    value = f"{x:+.1f}".removesuffix(".0")
    if value in ("+0", "-0"):
        value = "0"
    value = value.replace(".", t("verdict.decimal_point", lang))
    if abs(x) == 1:
        return t("verdict.point_one", lang, value=value)
    return t("verdict.point_many", lang, value=value)


def _oxford_text(outcome: Outcome, lang: str) -> str:
    pre, post = outcome.pre, outcome.post
    if pre.total == 0 and post.total == 0:
        return t("verdict.oxford_nobody_both", lang)
    if pre.total == 0:
        return t("verdict.oxford_nobody_before", lang)
    if post.total == 0:
        return t("verdict.oxford_nobody_after", lang)
    moves = t("verdict.moves_joiner", lang).join(
        t(
            "verdict.move",
            lang,
            side=choice_label(c, lang),
            before=_percent(pre.share(c), lang),
            after=_percent(post.share(c), lang),
            points=_points(float((post.fraction(c) - pre.fraction(c)) * 100), lang),
        )
        for c in (Choice.FOR, Choice.AGAINST)
    )
    winner = outcome.verdict.winner
    if winner is None:
        return t("verdict.oxford_tie", lang, moves=moves)
    return t("verdict.oxford_win", lang, side=_side_name(winner, lang), moves=moves)


def _majority_text(outcome: Outcome, lang: str) -> str:
    post, winner = outcome.post, outcome.verdict.winner
    if post.for_ + post.against == 0:
        if post.total == 0:
            return t("verdict.majority_nobody", lang)
        return t("verdict.majority_no_side", lang)
    if winner is None:
        if post.for_ == 1:
            return t("verdict.majority_tie_one", lang)
        return t("verdict.majority_tie_many", lang, count=post.for_)
    high, low = max(post.for_, post.against), min(post.for_, post.against)
    side = _side_name(winner, lang)
    if high == 1:
        return t("verdict.majority_win_one", lang, side=side, low=low)
    return t("verdict.majority_win_many", lang, side=side, high=high, low=low)


def _judges_text(outcome: Outcome, lang: str) -> str:
    verdict = outcome.verdict
    if lang == ENGLISH:
        return verdict.reason  # the judges' counts are the domain's alone
    if verdict.winner is None:
        if verdict.reason == t("verdict.judges_nobody", ENGLISH):
            return t("verdict.judges_nobody", lang)
        return t("verdict.judges_tie", lang)
    margin = round(verdict.margin)
    side = _side_name(verdict.winner, lang)
    if margin == 1:
        return t("verdict.judges_win_one", lang, side=side)
    return t("verdict.judges_win_many", lang, side=side, margin=margin)


def verdict_text(outcome: Outcome, lang: str = ENGLISH) -> str:
    """The sentence that says who won and why, in ``lang`` (in English, the domain's own)."""
    match outcome.verdict.rule:
        case VoteRule.OXFORD:
            return _oxford_text(outcome, lang)
        case VoteRule.MAJORITY:
            return _majority_text(outcome, lang)
    return _judges_text(outcome, lang)


def _rule_name(rule: VoteRule, lang: str) -> str:
    match rule:
        case VoteRule.OXFORD:
            return t("result.rule_oxford", lang)
        case VoteRule.MAJORITY:
            return t("result.rule_majority", lang)
    return t("result.rule_judges", lang)


def _shares(tally: Tally, lang: str) -> str:
    if not tally.total:
        return t("result.no_votes", lang)
    shares = " · ".join(
        t("result.share", lang, choice=choice_label(c, lang), percent=tally.share(c))
        for c in Choice
    )
    return t("result.shares_total", lang, shares=shares, total=tally.total)


def _winner(outcome: Outcome, lang: str) -> str:
    winner = outcome.verdict.winner
    if winner is None:
        return t("result.no_winner", lang)
    return t("result.winner", lang, side=_side_name(winner, lang))


def result_message(outcome: Outcome, lang: str = ENGLISH) -> tuple[discord.Embed, discord.File]:
    """The verdict as an embed with its chart attached, in ``lang``."""
    verdict, swing = outcome.verdict, outcome.swing
    debate_id = outcome.debate.id
    reason = verdict_text(outcome, lang)
    embed = discord.Embed(
        title=(
            t("result.title_win", lang, debate_id=debate_id, side=_side_name(verdict.winner, lang))
            if verdict.winner
            else t("result.title_none", lang, debate_id=debate_id)
        ),
        description=f"**{discord.utils.escape_markdown(outcome.debate.motion)}**\n{reason}",
        colour=side_colour(verdict.winner) if verdict.winner else BRAND,
    )
    embed.add_field(name=t("result.before", lang), value=_shares(outcome.pre, lang), inline=True)
    embed.add_field(name=t("result.after", lang), value=_shares(outcome.post, lang), inline=True)
    embed.add_field(
        name=t("result.swing_name", lang, voters=swing.voters),
        value=t(
            "result.swing_value",
            lang,
            toward_for=f"{swing.toward(Side.FOR):+d}",
            toward_against=f"{swing.toward(Side.AGAINST):+d}",
            for_to_against=swing.for_to_against,
            against_to_for=swing.against_to_for,
            undecided_to_for=swing.undecided_to_for,
            undecided_to_against=swing.undecided_to_against,
            stayed=swing.stayed,
        ),
        inline=False,
    )
    embed.set_footer(
        text=t(
            "result.footer", lang, format=outcome.format.name, rule=_rule_name(verdict.rule, lang)
        )
    )
    png = results_chart(
        outcome.debate.motion, outcome.pre, outcome.post, outcome.flows, reason, lang
    )
    embed.set_image(url="attachment://result.png")
    chart = discord.File(
        io.BytesIO(png), filename="result.png", description=chart_text(outcome, lang)
    )
    return embed, chart


def chart_text(outcome: Outcome, lang: str = ENGLISH) -> str:
    """What the result chart shows, in words and in ``lang``: its text alternative (at most
    1024 characters, the limit of an attachment's description)."""
    swing = outcome.swing
    text = t(
        "result.chart",
        lang,
        debate_id=outcome.debate.id,
        winner=_winner(outcome, lang),
        reason=verdict_text(outcome, lang),
        before=_shares(outcome.pre, lang),
        after=_shares(outcome.post, lang),
        voters=swing.voters,
        for_to_against=swing.for_to_against,
        against_to_for=swing.against_to_for,
        undecided_to_for=swing.undecided_to_for,
        undecided_to_against=swing.undecided_to_against,
        stayed=swing.stayed,
    )
    return text if len(text) <= 1024 else text[:1023] + "…"
