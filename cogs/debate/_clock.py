"""How a running debate looks: the sides, the phase message and its clock buttons.

A phase message names the phase, who has the floor and a ``<t:deadline:R>`` countdown that
Discord keeps current by itself, so the message is edited only when something changes.
Button ids carry the clock version they were drawn for: a press on an outdated message
(or the second of a double click) is refused instead of acting twice.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, ClassVar, Protocol

import discord

from bot.domain.clock import ClockEvent, ClockState, PhaseStarted
from bot.domain.sides import Side, Sides
from bot.services.clock import Floor
from bot.ui.access import Access
from bot.ui.errors import guard
from bot.ui.style import BRAND, ICONS, side_icon
from cogs.debate._views import debate_cog

EXTEND_SECONDS = 60


def duration(span: timedelta | int) -> str:
    """A span as members read it: "45 s", "6 min", "1 min 30 s"."""
    seconds = round(span.total_seconds()) if isinstance(span, timedelta) else span
    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def sides_embed(here: Floor, sides: Sides) -> discord.Embed:
    """Who debates on which side, and why: the start announcement."""
    embed = discord.Embed(
        title=f"Debate #{here.debate.id} has started",
        description=f"**{discord.utils.escape_markdown(here.debate.motion)}**",
        colour=BRAND,
    )
    for side in Side:
        lines = [f"<@{a.user_id}> · {a.reason}" for a in sides.assignments if a.side is side]
        embed.add_field(
            name=f"{side_icon(side)} {side.label}", value="\n".join(lines) or "—", inline=False
        )
    if sides.reserves:
        embed.add_field(
            name="Reserves", value=" ".join(f"<@{u}>" for u in sides.reserves), inline=False
        )
    order = " → ".join(p.name for p in here.format.phases)
    embed.add_field(name=f"{here.format.name} · order of play", value=order[:1024], inline=False)
    embed.set_footer(text=f"Side draw seed {sides.seed} (kept for audit)")
    return embed


def _holders(here: Floor) -> str:
    speakers = here.speakers()
    if not speakers:
        phase = here.format.phases[here.clock.phase_index]
        return "The floor is open to the audience." if phase.speaker.value == "audience" else ""
    named = []
    for user in speakers:
        side = here.lineup.side_of(user)
        named.append(f"<@{user}> ({side.label})" if side else f"<@{user}>")
    verb = "has" if len(named) == 1 else "have"
    return f"🎙️ {' and '.join(named)} {verb} the floor."


def phase_text(here: Floor, started: PhaseStarted | None = None) -> str:
    """The phase message: phase, speaker, countdown, and what comes next."""
    clock, fmt = here.clock, here.format
    if clock.state is ClockState.FINISHED:
        return f"🏁 **Debate #{here.debate.id}: the speeches are over.**"
    index = clock.phase_index
    phase = fmt.phases[index]
    lines = [f"**{index + 1}/{len(fmt.phases)} · {phase.name}** · {phase.describe()}"]
    holders = _holders(here)
    if holders:
        lines.append(holders)
    if clock.state is ClockState.PAUSED and clock.remaining is not None:
        lines.append(f"{ICONS.paused} Paused with {duration(clock.remaining)} left.")
    elif clock.deadline is not None:
        stamp = round(clock.deadline.timestamp())
        lines.append(f"{ICONS.time} Ends <t:{stamp}:R> (<t:{stamp}:T>).")
    if started is not None and started.late_by >= timedelta(seconds=2):
        lines.append(
            f"⚠️ This phase started {duration(started.late_by)} late: I was offline when the "
            "last one ended. A moderator can **Skip** if the room has moved on."
        )
    if index + 1 < len(fmt.phases):
        lines.append(f"Next: {fmt.phases[index + 1].name}")
    return "\n".join(lines)


def done_text(here: Floor, index: int) -> str:
    """What an earlier phase message says once its phase is over."""
    phase = here.format.phases[min(index, len(here.format.phases) - 1)]
    return f"~~{index + 1}/{len(here.format.phases)} · {phase.name}~~ · over"


def warning_text(here: Floor, mark: int) -> str:
    """A warning at one of the format's marks."""
    speakers = " ".join(f"<@{u}>" for u in here.speakers())
    return f"⏳ {duration(mark)} left{' for ' + speakers if speakers else ''}."


def mentions(here: Floor) -> discord.AllowedMentions:
    """Ping only the members who hold the floor."""
    return discord.AllowedMentions(
        users=[discord.Object(u) for u in here.speakers()], roles=False, everyone=False
    )


class ClockActions(Protocol):
    """What the clock buttons ask the debate's conductor to do."""

    def move(
        self, interaction: discord.Interaction[Any], debate_id: int, event: ClockEvent, version: int
    ) -> Awaitable[None]:
        """Move the debate's clock."""
        ...


_LABELS = {
    ClockEvent.YIELD: ("Yield", discord.ButtonStyle.primary),
    ClockEvent.PAUSE: ("Pause", discord.ButtonStyle.secondary),
    ClockEvent.RESUME: ("Resume", discord.ButtonStyle.success),
    ClockEvent.EXTEND: (f"+{EXTEND_SECONDS // 60} min", discord.ButtonStyle.secondary),
    ClockEvent.SKIP: ("Skip", discord.ButtonStyle.secondary),
    ClockEvent.END: ("End", discord.ButtonStyle.danger),
}


class ClockButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:clock:(?P<debate>[0-9]{1,19}):(?P<event>[a-z]+):(?P<version>[0-9]{1,9})",
):
    """One of the clock's controls, drawn for one version of the clock."""

    # Yield is also for the member who holds the floor.
    access: ClassVar[Access] = Access.DEBATE_MODERATOR

    def __init__(self, debate_id: int, event: ClockEvent, version: int) -> None:
        label, style = _LABELS[event]
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                custom_id=f"agora:clock:{debate_id}:{event.value}:{version}",
            )
        )
        self.debate_id = debate_id
        self.event = event
        self.version = version

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ClockButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["debate"]), ClockEvent(match["event"]), int(match["version"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the cog."""
        actions: ClockActions = debate_cog(interaction).conductor
        await guard(
            interaction, actions.move(interaction, self.debate_id, self.event, self.version)
        )


def controls(here: Floor) -> discord.ui.View | None:
    """The buttons under the current phase message; none once the clock has finished."""
    clock = here.clock
    if clock.state is ClockState.FINISHED:
        return None
    pause = ClockEvent.PAUSE if clock.state is ClockState.RUNNING else ClockEvent.RESUME
    events = [ClockEvent.YIELD, pause, ClockEvent.EXTEND, ClockEvent.SKIP, ClockEvent.END]
    if clock.state is ClockState.PAUSED:
        events.remove(ClockEvent.YIELD)
    view = discord.ui.View(timeout=None)
    for event in events:
        view.add_item(ClockButton(here.debate.id, event, clock.version))
    return view
