"""The message catalogue: complete in every language, no key unused, placeholders alike,
and the commands' German translations obey Discord's rules."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.app import Agora
from bot.i18n import ENGLISH, Catalogue, CatalogueError, base_language, catalogue, placeholders
from bot.ui.i18n import CatalogueTranslator

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "cogs").rglob("*.py"))
KEY_ARGUMENT = {"t": 0, "tr": 1}
"""The catalogue's look-ups and the position of their key argument."""
NAME = re.compile(r"^[-_\w]{1,32}$")


def _calls(path: Path) -> Iterator[tuple[int, ast.expr | None]]:
    """(line, key argument) of each catalogue look-up in a module that imports one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in ("bot.i18n", "bot.ui.i18n")
        for alias in node.names
        if alias.name in KEY_ARGUMENT
    }
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        position = KEY_ARGUMENT.get(node.func.id) if node.func.id in imported else None
        if position is not None:
            yield node.lineno, node.args[position] if len(node.args) > position else None


def keys_in_code() -> set[str]:
    """Every key the code looks up; fails on a look-up whose key is not a literal."""
    keys: set[str] = set()
    dynamic: list[str] = []
    for path in SOURCES:
        for line, key in _calls(path):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.add(key.value)
            else:
                dynamic.append(f"{path.relative_to(ROOT)}:{line}")
    assert dynamic == [], "catalogue keys must be string literals where they are looked up"
    return keys


def _walk(command: Any) -> Iterator[Any]:
    yield command
    if isinstance(command, app_commands.Group):
        for sub in command.commands:
            yield from _walk(sub)


def command_texts(tree: app_commands.CommandTree[Any]) -> dict[str, str]:
    """Every key of the command tree with its English text, as the commands declare it."""
    texts: dict[str, str] = {}
    for top in tree.get_commands():
        for command in _walk(top):
            path = ".".join(command.qualified_name.split())
            texts[f"command.{path}.name"] = command.name
            texts[f"command.{path}.description"] = command.description
            if isinstance(command, app_commands.Command):
                for parameter in command.parameters:
                    option = f"command.{path}.option.{parameter.display_name}"
                    texts[f"{option}.name"] = parameter.display_name
                    texts[f"{option}.description"] = parameter.description
                    for choice in parameter.choices:
                        slug = re.sub(r"[^a-z0-9_-]+", "-", str(choice.value).lower()).strip("-")
                        texts[f"choice.{slug}"] = choice.name
    return texts


def test_there_is_english_and_another_language() -> None:
    assert catalogue().languages[0] == ENGLISH
    assert "de" in catalogue().languages


def test_every_key_used_in_the_code_is_in_every_language() -> None:
    used = keys_in_code()
    assert len(used) > 50
    assert catalogue().missing(used) == {language: [] for language in catalogue().languages}


async def test_no_language_has_a_key_nobody_uses(loaded_bot: Agora) -> None:
    used = keys_in_code() | set(command_texts(loaded_bot.tree))
    for language in catalogue().languages:
        assert sorted(catalogue().keys(language) - used) == [], language


def test_every_language_has_the_same_keys() -> None:
    english = catalogue().keys(ENGLISH)
    for language in catalogue().languages:
        assert sorted(english ^ catalogue().keys(language)) == [], language


def test_placeholders_match_across_languages() -> None:
    for language in catalogue().languages:
        for key in catalogue().keys(language):
            assert placeholders(catalogue().template(key, language)) == placeholders(
                catalogue().template(key, ENGLISH)
            ), f"{language}: {key}"


def test_a_language_whose_placeholders_differ_is_refused() -> None:
    with pytest.raises(CatalogueError, match="placeholders"):
        Catalogue.from_tables(
            {"en": {"lobby": {"joined": "You joined {side}."}}, "de": {"lobby": {"joined": "Du."}}}
        )
    with pytest.raises(CatalogueError, match=r"not in en\.toml"):
        Catalogue.from_tables({"en": {"a": "x"}, "de": {"b": "y"}})


def test_the_fallback_chain_is_member_then_server_then_english() -> None:
    tables = {"en": {"hello": "Hello {name}"}, "de": {"hello": "Hallo {name}"}}
    texts = Catalogue.from_tables(tables)
    assert texts.text("hello", "de", "en", name="Ada") == "Hallo Ada"
    assert texts.text("hello", "en-GB", "de", name="Ada") == "Hello Ada"
    assert texts.text("hello", "pt-BR", "de", name="Ada") == "Hallo Ada"
    assert texts.text("hello", "pt-BR", None, name="Ada") == "Hello Ada"
    assert texts.text("hello", discord.Locale.german, name="Ada") == "Hallo Ada"
    assert base_language(discord.Locale.american_english) == "en"


async def test_the_catalogues_english_is_what_the_commands_say(loaded_bot: Agora) -> None:
    declared = command_texts(loaded_bot.tree)
    english = {key: catalogue().template(key, ENGLISH) for key in declared}
    assert english == declared


async def test_german_commands_obey_discords_rules(loaded_bot: Agora) -> None:
    problems: list[str] = []
    for command in loaded_bot.tree.get_commands():
        payload = await command.get_translated_payload(loaded_bot.tree, CatalogueTranslator())
        _check_localised(payload, f"/{payload['name']}", problems)
    assert problems == []


def _check_localised(payload: dict[str, Any], where: str, problems: list[str]) -> None:
    name = payload.get("name_localizations", {}).get("de")
    description = payload.get("description_localizations", {}).get("de")
    if "description" in payload:
        if name is None or description is None:
            problems.append(f"{where}: no German name or description")
        else:
            if not NAME.fullmatch(name) or name != name.lower():
                problems.append(f"{where}: German name {name!r} breaks Discord's rules")
            if not 1 <= len(description) <= 100:
                problems.append(f"{where}: German description has {len(description)} characters")
    names = [
        option.get("name_localizations", {}).get("de") for option in payload.get("options", [])
    ]
    if len(set(names)) != len(names):
        problems.append(f"{where}: German option names repeat: {names}")
    for option in payload.get("options", []):
        _check_localised(option, f"{where} {option['name']}", problems)
        for choice in option.get("choices", []):
            german = choice.get("name_localizations", {}).get("de")
            if german is None or not 1 <= len(german) <= 100:
                problems.append(f"{where} {option['name']}: choice {choice['name']!r}")
