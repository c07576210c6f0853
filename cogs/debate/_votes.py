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
from bot.domain.sides import Side
from bot.domain.votes import Choice, Tally, VotePhase
from bot.i18n import t
from bot.services.votes import Outcome
from bot.ui.access import Access
from bot.ui.errors import guard
from bot.ui.style import BRAND, ICONS, side_colour
from cogs.debate._views import debate_cog

log = logging.getLogger("agora.votes")

PHASE_WORDS = {VotePhase.PRE: "before the debate", VotePhase.POST: "after the debate"}
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

    def __init__(self, debate_id: int, phase: VotePhase, choice: Choice) -> None:
        super().__init__(
            discord.ui.Button(
                label=choice.label,
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

    def __init__(self, debate_id: int, phase: VotePhase) -> None:
        super().__init__(
            discord.ui.Button(
                label="Close vote",
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


def poll_view(debate_id: int, phase: VotePhase) -> discord.ui.View:
    """The buttons of an open poll."""
    view = discord.ui.View(timeout=None)
    for choice in Choice:
        view.add_item(VoteButton(debate_id, phase, choice))
    view.add_item(CloseVoteButton(debate_id, phase))
    return view


def poll_text(phase: VotePhase, voters: int, closes_at: datetime | None, *, open_: bool) -> str:
    """A poll message: what to vote on, how many voted, and when it closes."""
    counted = f"{voters} voted" if voters != 1 else "1 voted"
    if not open_:
        return f"{ICONS.vote} Voting {PHASE_WORDS[phase]} has closed: {counted}."
    lines = [
        f"{ICONS.vote} **Vote {PHASE_WORDS[phase]}**: where do you stand on the motion? "
        "You can change your vote until voting closes; the tallies stay hidden until the result.",
        f"{counted} so far.",
    ]
    if closes_at is not None:
        lines.append(f"Closes <t:{round(closes_at.timestamp())}:R>.")
    elif phase is VotePhase.PRE:
        lines.append("Closes when the first speech ends.")
    return "\n".join(lines)


def choice_label(choice: Choice, lang: str) -> str:
    """ "For", "Against" or "Undecided", in ``lang``."""
    match choice:
        case Choice.FOR:
            return t("side.for", lang)
        case Choice.AGAINST:
            return t("side.against", lang)
    return t("vote.undecided", lang)


def voted_text(phase: VotePhase, choice: Choice, lang: str) -> str:
    """The private confirmation of a durable vote, in ``lang``."""
    label = choice_label(choice, lang)
    if phase is VotePhase.PRE:
        return t("vote.counted_pre", lang, choice=label)
    return t("vote.counted_post", lang, choice=label)


def _shares(tally: Tally) -> str:
    if not tally.total:
        return "no votes"
    return " · ".join(f"{c.label} {tally.share(c):.0f}%" for c in Choice) + f" ({tally.total})"


def result_message(outcome: Outcome) -> tuple[discord.Embed, discord.File]:
    """The verdict as an embed with its chart attached."""
    verdict, swing = outcome.verdict, outcome.swing
    title = f"{verdict.winner.label} wins" if verdict.winner else "No winner"
    embed = discord.Embed(
        title=f"Debate #{outcome.debate.id}: {title}",
        description=f"**{discord.utils.escape_markdown(outcome.debate.motion)}**\n{verdict.reason}",
        colour=side_colour(verdict.winner) if verdict.winner else BRAND,
    )
    embed.add_field(name="Before", value=_shares(outcome.pre), inline=True)
    embed.add_field(name="After", value=_shares(outcome.post), inline=True)
    embed.add_field(
        name=f"Paired swing ({swing.voters} voted both times)",
        value=(
            f"Toward For: {swing.toward(Side.FOR):+d} · Toward Against: "
            f"{swing.toward(Side.AGAINST):+d}\n"
            f"For → Against {swing.for_to_against}, Against → For {swing.against_to_for}, "
            f"Undecided → For {swing.undecided_to_for}, "
            f"Undecided → Against {swing.undecided_to_against}, stayed {swing.stayed}"
        ),
        inline=False,
    )
    embed.set_footer(text=f"{outcome.format.name} · rule: {verdict.rule.value}")
    png = results_chart(
        outcome.debate.motion, outcome.pre, outcome.post, outcome.flows, verdict.reason
    )
    embed.set_image(url="attachment://result.png")
    chart = discord.File(io.BytesIO(png), filename="result.png", description=chart_text(outcome))
    return embed, chart


def chart_text(outcome: Outcome) -> str:
    """What the result chart shows, in words: its text alternative (at most 1024 characters,
    the limit of an attachment's description)."""
    verdict, swing = outcome.verdict, outcome.swing
    winner = f"{verdict.winner.label} wins" if verdict.winner else "No winner"
    text = (
        f"Result chart of debate #{outcome.debate.id}. {winner}: {verdict.reason} "
        f"Share of the vote before: {_shares(outcome.pre)}; after: {_shares(outcome.post)}. "
        f"{swing.voters} voted both times: For to Against {swing.for_to_against}, "
        f"Against to For {swing.against_to_for}, Undecided to For {swing.undecided_to_for}, "
        f"Undecided to Against {swing.undecided_to_against}, stayed {swing.stayed}."
    )
    return text if len(text) <= 1024 else text[:1023] + "…"
