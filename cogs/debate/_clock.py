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
from bot.domain.formats import Phase, PhaseKind, Speaker
from bot.domain.sides import Side, Sides
from bot.i18n import ENGLISH, t
from bot.services.clock import Floor
from bot.ui.access import Access
from bot.ui.errors import guard
from bot.ui.style import BRAND, ICONS, side_icon
from cogs.debate._views import debate_cog

EXTEND_SECONDS = 60


def duration(span: timedelta | int, lang: str = ENGLISH) -> str:
    """A span as members read it, in ``lang``: "45 s", "6 min", "1 min 30 s"."""
    seconds = round(span.total_seconds()) if isinstance(span, timedelta) else span
    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return t("phase.seconds", lang, seconds=rest)
    if not rest:
        return t("phase.minutes", lang, minutes=minutes)
    return t("phase.minutes_seconds", lang, minutes=minutes, seconds=rest)


def _side_name(side: Side, lang: str) -> str:
    return t("side.for", lang) if side is Side.FOR else t("side.against", lang)


_REASONS = (
    (re.compile(r"preferred (?P<side>For|Against)"), "preferred"),
    (re.compile(r"devil's advocate: preferred (?P<side>For|Against)"), "devil_preferred"),
    (re.compile(r"moved: (?P<side>For|Against) was full"), "moved_full"),
    (re.compile(r"devil's advocate: (?P<side>For|Against) was full"), "devil_full"),
    (re.compile(r"either side: (?P<side>For|Against) had room"), "either_room"),
    (re.compile(r"either side: balances ratings"), "either_ratings"),
    (re.compile(r"either side: drawn by lot"), "either_lot"),
    (re.compile(r"rotated: (?P<side>For|Against) last time"), "rotated_once"),
    (re.compile(r"rotated: (?P<side>For|Against) twice in a row"), "rotated_twice"),
    (re.compile(r"rotated: (?P<side>For|Against) (?P<count>\w+) times in a row"), "rotated_many"),
)
_NUMBERS = {"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def reason_text(reason: str, lang: str = ENGLISH) -> str:
    """Why a debater got their side, in ``lang``: the side draw states its reasons in English
    (one of a few fixed shapes), which are read back here; an unknown shape stays English."""
    if lang == ENGLISH:
        return reason
    for pattern, kind in _REASONS:
        found = pattern.fullmatch(reason)
        if found is None:
            continue
        named = found.groupdict()
        side = _side_name(Side.FOR if named.get("side") == "For" else Side.AGAINST, lang)
        match kind:
            case "preferred":
                return t("sides.preferred", lang, side=side)
            case "devil_preferred":
                return t("sides.devil_preferred", lang, side=side)
            case "moved_full":
                return t("sides.moved_full", lang, side=side)
            case "devil_full":
                return t("sides.devil_full", lang, side=side)
            case "either_room":
                return t("sides.either_room", lang, side=side)
            case "either_ratings":
                return t("sides.either_ratings", lang)
            case "either_lot":
                return t("sides.either_lot", lang)
            case "rotated_once":
                return t("sides.rotated_once", lang, side=side)
            case "rotated_twice":
                return t("sides.rotated_twice", lang, side=side)
        count = named["count"]
        return t("sides.rotated_many", lang, side=side, count=_NUMBERS.get(count, count))
    return reason


def sides_embed(here: Floor, sides: Sides, lang: str = ENGLISH) -> discord.Embed:
    """Who debates on which side, and why, in ``lang``: the start announcement."""
    embed = discord.Embed(
        title=t("sides.title", lang, debate_id=here.debate.id),
        description=f"**{discord.utils.escape_markdown(here.debate.motion)}**",
        colour=BRAND,
    )
    for side in Side:
        lines = [
            f"<@{a.user_id}> · {reason_text(a.reason, lang)}"
            for a in sides.assignments
            if a.side is side
        ]
        embed.add_field(
            name=f"{side_icon(side)} {_side_name(side, lang)}",
            value="\n".join(lines) or "—",
            inline=False,
        )
    if sides.reserves:
        embed.add_field(
            name=t("sides.reserves", lang),
            value=" ".join(f"<@{u}>" for u in sides.reserves),
            inline=False,
        )
    order = " → ".join(p.name for p in here.format.phases)
    embed.add_field(
        name=t("sides.order", lang, format=here.format.name), value=order[:1024], inline=False
    )
    embed.set_footer(text=t("sides.seed", lang, seed=sides.seed))
    return embed


def _speaker_side(speaker: Speaker) -> Side | None:
    return {Speaker.FOR: Side.FOR, Speaker.AGAINST: Side.AGAINST}.get(speaker)


def _who(phase: Phase, lang: str) -> str:
    own = _speaker_side(phase.speaker)
    side = _side_name(own, lang) if own else ""
    other = _side_name(own.other if own else Side.FOR, lang)
    match phase.kind:
        case PhaseKind.PREP:
            return t("phase.prep_side", lang, side=side) if side else t("phase.prep", lang)
        case PhaseKind.QUESTIONS:
            return t("phase.questions", lang)
        case PhaseKind.CROSS_EXAMINATION:
            if side:
                return t("phase.cross_side", lang, side=side, other=other)
            return t("phase.cross", lang)
    if side:
        return t("phase.speaks", lang, side=side)
    if phase.speaker is Speaker.AUDIENCE:
        return t("phase.audience_speaks", lang)
    return t("phase.both_speak", lang)


def describe(phase: Phase, lang: str = ENGLISH) -> str:
    """One line about a phase, in ``lang``: "6 min · For speaks · protected first and last
    minute" (``Phase.describe`` in English)."""
    parts = [duration(phase.seconds, lang), _who(phase, lang)]
    if phase.protected == 60:
        parts.append(t("phase.protected_minute", lang))
    elif phase.protected:
        parts.append(t("phase.protected", lang, span=duration(phase.protected, lang)))
    return t("phase.about_joiner", lang).join(parts)


def _holders(here: Floor, lang: str) -> str:
    speakers = here.speakers()
    if not speakers:
        phase = here.format.phases[here.clock.phase_index]
        if phase.speaker is Speaker.AUDIENCE:
            return t("phase.audience_floor", lang)
        return ""
    named = []
    for user in speakers:
        side = here.lineup.side_of(user)
        named.append(
            t("phase.holder_side", lang, user=f"<@{user}>", side=_side_name(side, lang))
            if side
            else f"<@{user}>"
        )
    names = t("error.joiner_and", lang).join(named)
    if len(named) == 1:
        return t("phase.floor_one", lang, names=names)
    return t("phase.floor_many", lang, names=names)


def phase_text(here: Floor, started: PhaseStarted | None = None, lang: str = ENGLISH) -> str:
    """The phase message, in ``lang``: phase, speaker, countdown, and what comes next."""
    clock, fmt = here.clock, here.format
    if clock.state is ClockState.FINISHED:
        return t("phase.finished", lang, debate_id=here.debate.id)
    index = clock.phase_index
    phase = fmt.phases[index]
    lines = [
        t(
            "phase.header",
            lang,
            number=index + 1,
            count=len(fmt.phases),
            name=phase.name,
            about=describe(phase, lang),
        )
    ]
    holders = _holders(here, lang)
    if holders:
        lines.append(holders)
    if clock.state is ClockState.PAUSED and clock.remaining is not None:
        lines.append(
            t("phase.paused", lang, icon=ICONS.paused, left=duration(clock.remaining, lang))
        )
    elif clock.deadline is not None:
        stamp = round(clock.deadline.timestamp())
        lines.append(t("phase.ends", lang, icon=ICONS.time, stamp=stamp))
    if started is not None and started.late_by >= timedelta(seconds=2):
        lines.append(t("phase.late", lang, late=duration(started.late_by, lang)))
    if index + 1 < len(fmt.phases):
        lines.append(t("phase.next", lang, name=fmt.phases[index + 1].name))
    return "\n".join(lines)


def done_text(here: Floor, index: int, lang: str = ENGLISH) -> str:
    """What an earlier phase message says once its phase is over, in ``lang``."""
    phase = here.format.phases[min(index, len(here.format.phases) - 1)]
    return t("phase.done", lang, number=index + 1, count=len(here.format.phases), name=phase.name)


def warning_text(here: Floor, mark: int, lang: str = ENGLISH) -> str:
    """A warning at one of the format's marks, in ``lang``."""
    speakers = " ".join(f"<@{u}>" for u in here.speakers())
    left = duration(mark, lang)
    if speakers:
        return t("phase.warning_for", lang, left=left, speakers=speakers)
    return t("phase.warning", lang, left=left)


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


_STYLES = {
    ClockEvent.YIELD: discord.ButtonStyle.primary,
    ClockEvent.PAUSE: discord.ButtonStyle.secondary,
    ClockEvent.RESUME: discord.ButtonStyle.success,
    ClockEvent.EXTEND: discord.ButtonStyle.secondary,
    ClockEvent.SKIP: discord.ButtonStyle.secondary,
    ClockEvent.END: discord.ButtonStyle.danger,
}


def button_label(event: ClockEvent, lang: str = ENGLISH) -> str:
    """A clock button's label, in ``lang``."""
    match event:
        case ClockEvent.YIELD:
            return t("clock.yield", lang)
        case ClockEvent.PAUSE:
            return t("clock.pause", lang)
        case ClockEvent.RESUME:
            return t("clock.resume", lang)
        case ClockEvent.EXTEND:
            return t("clock.extend", lang, minutes=EXTEND_SECONDS // 60)
        case ClockEvent.SKIP:
            return t("clock.skip", lang)
    return t("clock.end", lang)


class ClockButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"agora:clock:(?P<debate>[0-9]{1,19}):(?P<event>[a-z]+):(?P<version>[0-9]{1,9})",
):
    """One of the clock's controls, drawn for one version of the clock."""

    # Yield is also for the member who holds the floor.
    access: ClassVar[Access] = Access.DEBATE_MODERATOR

    def __init__(
        self, debate_id: int, event: ClockEvent, version: int, lang: str = ENGLISH
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=button_label(event, lang),
                style=_STYLES[event],
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


def controls(here: Floor, lang: str = ENGLISH) -> discord.ui.View | None:
    """The buttons under the current phase message, in ``lang``; none once the clock has
    finished."""
    clock = here.clock
    if clock.state is ClockState.FINISHED:
        return None
    pause = ClockEvent.PAUSE if clock.state is ClockState.RUNNING else ClockEvent.RESUME
    events = [ClockEvent.YIELD, pause, ClockEvent.EXTEND, ClockEvent.SKIP, ClockEvent.END]
    if clock.state is ClockState.PAUSED:
        events.remove(ClockEvent.YIELD)
    view = discord.ui.View(timeout=None)
    for event in events:
        view.add_item(ClockButton(here.debate.id, event, clock.version, lang))
    return view
