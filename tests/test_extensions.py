"""Every extension loads, and every command it adds obeys Discord's rules."""

from __future__ import annotations

import re
from typing import Any

from discord import app_commands

from bot.app import Agora
from bot.ui.i18n import CatalogueTranslator

# Discord's rule for CHAT_INPUT names: 1-32 characters, lower case where a letter has cases.
NAME = re.compile(r"^[-_\w]{1,32}$")


def _check_named(payload: dict[str, Any], where: str, problems: list[str]) -> None:
    name, description = payload["name"], payload.get("description", "")
    if not NAME.fullmatch(name) or name != name.lower():
        problems.append(f"{where}: name {name!r} must be 1-32 lower-case characters")
    if not 1 <= len(description) <= 100:
        problems.append(f"{where}: description of {name!r} must have 1-100 characters")
    for locale, local_name in (payload.get("name_localizations") or {}).items():
        if not NAME.fullmatch(local_name) or local_name != local_name.lower():
            problems.append(f"{where}: {locale} name {local_name!r} breaks the name rule")
    for locale, local in (payload.get("description_localizations") or {}).items():
        if not 1 <= len(local) <= 100:
            problems.append(f"{where}: {locale} description of {name!r} must have 1-100 characters")


def _check_options(options: list[dict[str, Any]], where: str, problems: list[str]) -> None:
    if len(options) > 25:
        problems.append(f"{where}: more than 25 options")
    seen_optional = False
    for option in options:
        here = f"{where} {option['name']}"
        _check_named(option, here, problems)
        if option["type"] in (1, 2):
            _check_options(option.get("options", []), here, problems)
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(f"{here}: required options must come before optional ones")
        else:
            seen_optional = True
        for choice in option.get("choices", []):
            names = [choice["name"], *(choice.get("name_localizations") or {}).values()]
            if not all(1 <= len(name) <= 100 for name in names):
                problems.append(f"{here}: choice names must have 1-100 characters")


async def test_every_command_obeys_discords_rules(loaded_bot: Agora) -> None:
    commands = loaded_bot.tree.get_commands()
    assert {c.name for c in commands} >= {"debate"}
    problems: list[str] = []
    translator = CatalogueTranslator()
    for command in commands:
        payload = await command.get_translated_payload(loaded_bot.tree, translator)
        assert "de" in payload["name_localizations"], f"/{payload['name']} has no German name"
        _check_named(payload, "/", problems)
        _check_options(payload.get("options", []), f"/{payload['name']}", problems)
    assert problems == []


async def test_every_command_is_for_servers_only(loaded_bot: Agora) -> None:
    for command in loaded_bot.tree.get_commands():
        assert isinstance(command, app_commands.Group | app_commands.Command)
        assert command.guild_only, f"/{command.name} must be usable in servers only"


async def test_the_debate_group_has_its_subcommands(loaded_bot: Agora) -> None:
    debate = loaded_bot.tree.get_command("debate")
    assert isinstance(debate, app_commands.Group)
    assert {c.name for c in debate.commands} == {
        "new",
        "start",
        "status",
        "source",
        "export",
        "judge",
        "ballot",
        "rated",
        "cancel",
    }
