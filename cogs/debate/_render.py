"""How a debate looks in Discord."""

from __future__ import annotations

import discord

from bot.domain.debate import DebateState, JoinOutcome, JoinResult, Preference, Signup
from bot.services.articles import SourceView
from bot.services.debates import LobbySnapshot
from bot.ui.style import BRAND

SIDE_COLOURS = {
    Preference.FOR: discord.Colour(0x2563EB),
    Preference.AGAINST: discord.Colour(0xDC2626),
    Preference.EITHER: discord.Colour(0x6B7280),
}
SIDE_LABELS = {
    Preference.FOR: "For",
    Preference.AGAINST: "Against",
    Preference.EITHER: "Either side",
}
SIDE_ICONS = {Preference.FOR: "🟦", Preference.AGAINST: "🟥", Preference.EITHER: "⬜"}
STATE_LABELS = {
    DebateState.LOBBY: "Lobby open",
    DebateState.RUNNING: "Under way",
    DebateState.FINISHED: "Finished",
    DebateState.CANCELLED: "Cancelled",
}


def _names(signups: tuple[Signup, ...]) -> str:
    return "\n".join(f"<@{s.user_id}>" for s in signups) or "—"


def lobby_embed(snapshot: LobbySnapshot) -> discord.Embed:
    """The lobby: the motion, the format, and who joined which side."""
    debate, lobby, fmt = snapshot.debate, snapshot.lobby, snapshot.format
    embed = discord.Embed(
        title=f"Debate #{debate.id} · {fmt.name} · {STATE_LABELS[debate.state]}",
        description=f"**{discord.utils.escape_markdown(debate.motion)}**",
        colour=BRAND if debate.state.is_active else discord.Colour.dark_grey(),
    )
    for preference in Preference:
        signups = lobby.with_preference(preference)
        embed.add_field(
            name=f"{SIDE_ICONS[preference]} {SIDE_LABELS[preference]} ({len(signups)})",
            value=_names(signups),
            inline=True,
        )
    if debate.state is DebateState.LOBBY:
        sides = (
            f"{fmt.min_per_side}–{fmt.max_per_side}"
            if fmt.min_per_side != fmt.max_per_side
            else str(fmt.max_per_side)
        )
        footer = (
            f"{len(lobby.signups)}/{fmt.max_debaters} debaters · {sides} per side · "
            "join with the buttons below"
        )
    else:
        footer = f"{len(lobby.signups)} signed up"
    embed.set_footer(text=footer)
    return embed


def joined_text(debate_id: int, result: JoinResult, preference: Preference) -> str:
    """What the member who clicked a Join button is told."""
    side = SIDE_LABELS[preference]
    if result.outcome is JoinOutcome.SWITCHED and result.previous is not None:
        return (
            f"You switched from **{SIDE_LABELS[result.previous]}** to **{side}** "
            f"in debate #{debate_id}."
        )
    return (
        f"You joined debate #{debate_id}: **{side}**. Sides are assigned when the debate "
        "starts; press **Leave** if you change your mind."
    )


def left_text(debate_id: int, removed: Signup) -> str:
    """What the member who left is told."""
    return (
        f"You left debate #{debate_id} (you had joined {SIDE_LABELS[removed.preference]}). "
        "You can still watch and vote."
    )


def source_embed(view: SourceView) -> discord.Embed:
    """The article behind a debate: its title, link and key sentences."""
    article = view.article.article
    embed = discord.Embed(
        title=(article.title or view.article.origin)[:256],
        url=article.url or None,
        description="\n\n".join(
            f"> {discord.utils.escape_markdown(s)[:1000]}" for s in view.key_sentences
        )[:4096]
        or "(no key sentences)",
        colour=BRAND,
    )
    byline = " · ".join(p for p in (article.author, article.site, article.date) if p)
    if byline:
        embed.set_author(name=byline[:256])
    source = article.url or view.article.filename or "pasted text"
    embed.set_footer(text=f"Debate #{view.debate.id} · source: {source}"[:2048])
    return embed
