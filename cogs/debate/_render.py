"""How a debate looks in Discord."""

from __future__ import annotations

import discord

from bot.domain.debate import DebateState, JoinOutcome, JoinResult, Preference, Signup
from bot.i18n import ENGLISH, t
from bot.services.articles import SourceView
from bot.services.debates import LobbySnapshot
from bot.ui.style import BRAND, side_icon


def side_label(preference: Preference, lang: str) -> str:
    """ "For", "Against" or "Either side", in ``lang``."""
    match preference:
        case Preference.FOR:
            return t("side.for", lang)
        case Preference.AGAINST:
            return t("side.against", lang)
    return t("side.either", lang)


def state_label(state: DebateState, lang: str) -> str:
    """Where the debate stands, in a word or two, in ``lang``."""
    match state:
        case DebateState.LOBBY:
            return t("lobby.state_lobby", lang)
        case DebateState.RUNNING:
            return t("lobby.state_running", lang)
        case DebateState.FINISHED:
            return t("lobby.state_finished", lang)
    return t("lobby.state_cancelled", lang)


def _names(signups: tuple[Signup, ...]) -> str:
    return "\n".join(f"<@{s.user_id}>" for s in signups) or "—"


def lobby_embed(snapshot: LobbySnapshot, lang: str = ENGLISH) -> discord.Embed:
    """The lobby, in ``lang``: the motion, the format, and who joined which side."""
    debate, lobby, fmt = snapshot.debate, snapshot.lobby, snapshot.format
    embed = discord.Embed(
        title=t(
            "lobby.title",
            lang,
            debate_id=debate.id,
            format=fmt.name,
            state=state_label(debate.state, lang),
        ),
        description=f"**{discord.utils.escape_markdown(debate.motion)}**",
        colour=BRAND if debate.state.is_active else discord.Colour.dark_grey(),
    )
    for preference in Preference:
        signups = lobby.with_preference(preference)
        embed.add_field(
            name=f"{side_icon(preference)} {side_label(preference, lang)} ({len(signups)})",
            value=_names(signups),
            inline=True,
        )
    if debate.state is DebateState.LOBBY:
        sides = (
            f"{fmt.min_per_side}–{fmt.max_per_side}"
            if fmt.min_per_side != fmt.max_per_side
            else str(fmt.max_per_side)
        )
        footer = t(
            "lobby.footer_open",
            lang,
            signed=len(lobby.signups),
            most=fmt.max_debaters,
            sides=sides,
        )
    else:
        footer = t("lobby.footer_closed", lang, signed=len(lobby.signups))
    embed.set_footer(text=footer)
    return embed


def joined_text(debate_id: int, result: JoinResult, preference: Preference, lang: str) -> str:
    """What the member who clicked a Join button is told, in ``lang``."""
    side = side_label(preference, lang)
    if result.outcome is JoinOutcome.SWITCHED and result.previous is not None:
        previous = side_label(result.previous, lang)
        return t("lobby.switched", lang, previous=previous, side=side, debate_id=debate_id)
    return t("lobby.joined", lang, debate_id=debate_id, side=side)


def left_text(debate_id: int, removed: Signup, lang: str) -> str:
    """What the member who left is told, in ``lang``."""
    return t("lobby.left", lang, debate_id=debate_id, side=side_label(removed.preference, lang))


def source_embed(view: SourceView, lang: str = ENGLISH) -> discord.Embed:
    """The article behind a debate, in ``lang``: its title, link and key sentences."""
    article = view.article.article
    embed = discord.Embed(
        title=(article.title or view.article.origin)[:256],
        url=article.url or None,
        description="\n\n".join(
            f"> {discord.utils.escape_markdown(s)[:1000]}" for s in view.key_sentences
        )[:4096]
        or t("source.no_key_sentences", lang),
        colour=BRAND,
    )
    byline = " · ".join(p for p in (article.author, article.site, article.date) if p)
    if byline:
        embed.set_author(name=byline[:256])
    source = article.url or view.article.filename or t("source.pasted_text", lang)
    embed.set_footer(text=t("source.footer", lang, debate_id=view.debate.id, source=source)[:2048])
    return embed
