"""Agora's message catalogue: every sentence a member reads, in every language Agora speaks.

One folder per language (``en/``, ``de/``), each with one TOML file per part of the bot
(``core.toml``, ``motions.toml``...: a key may be in one file only), keys such as ``lobby.joined``,
values with ``str.format`` placeholders by name (``{motion}``). English is complete by
definition; every other language must have the same keys with the same placeholders,
which ``Catalogue.load`` checks for the placeholders and the tests check for the keys.

A text is looked up in the first language of a fallback chain that Agora speaks: the
member's Discord locale (``de``, ``en-US``, ``pt-BR``: only the base language counts),
then the server's language, then English. Plurals are separate keys (``…one``/``…many``).

Call sites pass the key as a string literal (``t("lobby.joined", lang, side=...)``) so the
tests can find every key in use by reading the source.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

ENGLISH = "en"
"""The language of last resort, complete by definition."""


class CatalogueError(ValueError):
    """A language file breaks a rule of the catalogue."""


def placeholders(template: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` in ``template``."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(field.split(".", 1)[0].split("[", 1)[0])
    return frozenset(names)


def base_language(locale: object) -> str:
    """``de`` for ``de``, ``en`` for ``en-US`` or ``en_GB``: the part before the region."""
    code = str(getattr(locale, "value", locale) or "")
    return code.replace("_", "-").split("-", 1)[0].lower()


def _flatten(table: Mapping[str, Any], prefix: str, into: dict[str, str], where: str) -> None:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            _flatten(value, f"{key}.", into, where)
        elif isinstance(value, str):
            into[key] = value
        else:
            raise CatalogueError(f"{where}: {key} must be text, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every language's texts by key."""

    texts: Mapping[str, Mapping[str, str]]
    """Language code -> key -> template."""

    @classmethod
    def from_tables(cls, tables: Mapping[str, Mapping[str, Any]]) -> Catalogue:
        """A catalogue from parsed TOML tables by language; ``CatalogueError`` if a key of
        another language is not in English, or its placeholders differ from English's."""
        texts: dict[str, dict[str, str]] = {}
        for language, table in tables.items():
            flat: dict[str, str] = {}
            _flatten(table, "", flat, f"{language}.toml")
            texts[language] = flat
        if ENGLISH not in texts:
            raise CatalogueError("the catalogue has no English")
        english = texts[ENGLISH]
        problems = []
        for language, flat in texts.items():
            for key, template in flat.items():
                try:
                    names = placeholders(template)
                except ValueError as error:
                    problems.append(f"{language}.toml: {key}: {error}")
                    continue
                if key not in english:
                    problems.append(f"{language}.toml: {key} is not in en.toml")
                elif names != placeholders(english[key]):
                    problems.append(
                        f"{language}.toml: {key} has placeholders {sorted(names)}, "
                        f"en.toml has {sorted(placeholders(english[key]))}"
                    )
        if problems:
            raise CatalogueError("\n".join(problems))
        return cls(texts)

    @classmethod
    def load(cls) -> Catalogue:
        """The catalogue shipped with Agora: a folder per language beside this module, its
        TOML files merged (``CatalogueError`` if two files of a language share a key)."""
        tables: dict[str, dict[str, Any]] = {}
        for folder in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
            if not folder.is_dir() or folder.name.startswith(("_", ".")):
                continue
            merged: dict[str, str] = {}
            for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                if not entry.name.endswith(".toml"):
                    continue
                flat: dict[str, str] = {}
                where = f"{folder.name}/{entry.name}"
                _flatten(tomllib.loads(entry.read_text(encoding="utf-8")), "", flat, where)
                if twice := sorted(flat.keys() & merged.keys()):
                    raise CatalogueError(f"{where}: {', '.join(twice)} defined in two files")
                merged |= flat
            tables[folder.name] = merged
        return cls.from_tables(tables)

    @property
    def languages(self) -> tuple[str, ...]:
        """The codes of the languages Agora speaks, English first."""
        return (ENGLISH, *sorted(code for code in self.texts if code != ENGLISH))

    def speaks(self, locale: object) -> str | None:
        """The language Agora speaks for ``locale`` (``de-AT`` -> ``de``), or None."""
        code = base_language(locale)
        return code if code in self.texts else None

    def language(self, *locales: object) -> str:
        """The first of ``locales`` Agora speaks (None entries are skipped), else English."""
        for locale in locales:
            if locale is not None and (code := self.speaks(locale)) is not None:
                return code
        return ENGLISH

    def template(self, key: str, language: str) -> str:
        """The raw text of ``key`` in ``language`` (English where that language lacks it)."""
        own = self.texts.get(language, {}).get(key)
        return own if own is not None else self.texts[ENGLISH][key]

    def text(self, key: str, /, *locales: object, **values: object) -> str:
        """The text of ``key`` in the first of ``locales`` Agora speaks (else English),
        with ``values`` in its placeholders."""
        return self.template(key, self.language(*locales)).format(**values)

    def translations(self, key: str) -> dict[str, str]:
        """``key`` in every language other than English that has it."""
        return {
            language: texts[key]
            for language, texts in self.texts.items()
            if language != ENGLISH and key in texts
        }

    def keys(self, language: str = ENGLISH) -> frozenset[str]:
        """Every key of ``language``."""
        return frozenset(self.texts.get(language, {}))

    def missing(self, keys: Iterable[str]) -> dict[str, list[str]]:
        """For each language, the ``keys`` it lacks."""
        wanted = sorted(set(keys))
        return {
            language: [key for key in wanted if key not in texts]
            for language, texts in self.texts.items()
        }


@cache
def catalogue() -> Catalogue:
    """Agora's catalogue, loaded and checked once."""
    return Catalogue.load()


def t(key: str, /, *locales: object, **values: object) -> str:
    """The text of ``key`` in the first of ``locales`` Agora speaks, else English."""
    return catalogue().text(key, *locales, **values)
