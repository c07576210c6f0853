"""Agora's texts for Discord: the language of an answer, and the commands' translations.

An answer is in the member's Discord locale when Agora speaks it, else in the server's
language (``/config``), else in English. Messages everyone in a channel reads (lobbies,
announcements) are in the server's language.

Slash commands are translated by ``CatalogueTranslator`` from keys derived from where a
string sits in the command tree: ``command.debate.new.description``,
``command.debate.new.option.motion.name``, ``choice.markdown``. English comes from the
commands themselves; the catalogue's English copy must match them (the tests check it).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.domain.votes import Choice
from bot.i18n import ENGLISH, catalogue, t

log = logging.getLogger("agora.i18n")


def _command_path(command: Any) -> str:
    return ".".join(str(command.qualified_name).split())


def _choice_slug(value: object) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", str(value).lower()).strip("-")


def command_key(context: app_commands.TranslationContext[Any, Any]) -> str | None:
    """The catalogue key of the command string ``context`` describes (None: not one)."""
    data = context.data
    match context.location:
        case Where.command_name | Where.group_name:
            return f"command.{_command_path(data)}.name"
        case Where.command_description | Where.group_description:
            return f"command.{_command_path(data)}.description"
        case Where.parameter_name:
            return f"command.{_command_path(data.command)}.option.{data.display_name}.name"
        case Where.parameter_description:
            return f"command.{_command_path(data.command)}.option.{data.display_name}.description"
        case Where.choice_name:
            return f"choice.{_choice_slug(data.value)}"
    return None


class CatalogueTranslator(app_commands.Translator):
    """Translates every command name, description, option and choice from the catalogue."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext[Any, Any],
    ) -> str | None:
        """The text for ``locale`` if Agora speaks it and it is not English (the default)."""
        language = catalogue().speaks(locale)
        if language is None or language == ENGLISH:
            return None
        key = command_key(context)
        if key is None:
            return None
        return catalogue().translations(key).get(language)


async def server_language(client: discord.Client, guild_id: int | None) -> str:
    """The language the server chose for Agora (English if none, or if it cannot be read)."""
    services = getattr(client, "services", None)
    if guild_id is None or services is None:
        return ENGLISH
    try:
        settings = await services.guilds.get(guild_id)
    except Exception:
        # An answer in English beats no answer: the error handler relies on this.
        log.warning("Could not read the language of server %s", guild_id, exc_info=True)
        return ENGLISH
    return catalogue().language(getattr(settings, "language", None))


async def language_of(interaction: discord.Interaction[Any]) -> str:
    """The language to answer this member in: theirs, else the server's, else English."""
    own = catalogue().speaks(interaction.locale)
    if own is not None:
        return own
    return await server_language(interaction.client, interaction.guild_id)


async def tr(interaction: discord.Interaction[Any], key: str, /, **values: object) -> str:
    """The text of ``key`` for the member behind ``interaction``."""
    return catalogue().text(key, await language_of(interaction), **values)


def choice_label(choice: Choice, lang: str) -> str:
    """ "For", "Against" or "Undecided", in ``lang``: one name for a vote everywhere."""
    match choice:
        case Choice.FOR:
            return t("side.for", lang)
        case Choice.AGAINST:
            return t("side.against", lang)
    return t("vote.undecided", lang)
