"""The cogs hold no sentence a member reads: every such text comes from the catalogue.

A string in a cog that looks like a sentence (a word, then a space and another word, or a
final punctuation mark) fails this test unless it is one of the strings members never read
in that form: docstrings, log messages, ``custom_id`` templates, catalogue keys, the English
of commands in their decorators (the ``Translator`` translates them from the catalogue), and
the messages of internal errors (a member sees those only as an error id), and enum values.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from bot.i18n import ENGLISH, catalogue

ROOT = Path(__file__).resolve().parents[1]
COGS = ROOT / "cogs"

LOOKUPS = {"t": 0, "tr": 1}
"""Catalogue look-ups and the position of their key."""
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
COMMAND_CALLS = {"command", "describe", "Group", "Choice", "choices", "rename", "context_menu"}
"""app_commands calls whose English the Translator translates from the catalogue."""
INTERNAL_ERRORS = {
    "AssertionError",
    "KeyError",
    "LookupError",
    "NotImplementedError",
    "RuntimeError",
    "TypeError",
    "ValueError",
}
ID_KEYWORDS = {"custom_id", "template", "filename", "url"}
"""Keyword arguments whose value is an identifier, not a sentence."""


@cache
def command_texts() -> frozenset[str]:
    """The English of every command, group, option and choice (their names, descriptions,
    and paths such as "debate new"): the Translator translates these from the catalogue."""
    texts = set()
    for key in catalogue().keys(ENGLISH):
        if key.startswith(("command.", "choice.")):
            texts.add(catalogue().template(key, ENGLISH))
        if key.startswith("command.") and key.endswith(".name") and ".option." not in key:
            path = key.removeprefix("command.").removesuffix(".name").split(".")
            texts.add(" ".join(path))
    return frozenset(texts)


WORDS = re.compile(r"[A-Za-z]{2,}")
SENTENCE = re.compile(r"[A-Za-z][,;]?\s+\S*[A-Za-z]|[A-Za-z)\]*`][.!?:…]\s*$")


def looks_like_a_sentence(text: str) -> bool:
    """True for text a member would read as words: "Debate started.", "Join {side}"."""
    if "://" in text or text.startswith("agora:") or text in command_texts():
        return False
    return bool(WORDS.search(text)) and bool(SENTENCE.search(text.strip()))


def _static_text(node: ast.Constant | ast.JoinedStr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
    )


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_logging(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in LOG_METHODS
        and isinstance(func.value, ast.Name)
        and func.value.id in {"log", "logger", "logging"}
    )


def _is_super_init(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and _name(func.value.func) == "super"
    )


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes below which no string is checked."""
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant | ast.JoinedStr):
            exempt.add(id(node))  # a docstring, or an attribute's docstring
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            exempt.update(id(d) for d in node.decorator_list)
            if isinstance(node, ast.ClassDef):
                exempt.update(id(k) for k in node.keywords)  # template=...
                if any(_name(base).endswith("Enum") for base in node.bases):
                    exempt.add(id(node))  # an enum's values are identifiers
        elif isinstance(node, ast.Call):
            name = _name(node.func)
            if _is_logging(node) or _is_super_init(node) or name in COMMAND_CALLS:
                exempt.add(id(node))
            elif name in {"compile", "fullmatch", "match", "search", "sub"}:
                exempt.update(id(arg) for arg in node.args[:1])
            elif name in LOOKUPS and len(node.args) > LOOKUPS[name]:
                exempt.add(id(node.args[LOOKUPS[name]]))
            exempt.update(id(k.value) for k in node.keywords if k.arg in ID_KEYWORDS)
        elif (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and _name(node.exc.func) in INTERNAL_ERRORS
        ):
            exempt.add(id(node))
    return exempt


def literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of each sentence-like string of a module outside the exempt places."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    exempt = _exempt_nodes(tree)

    def visit(node: ast.AST) -> Iterator[tuple[int, str]]:
        if id(node) in exempt:
            return
        if isinstance(node, ast.JoinedStr | ast.Constant):
            if isinstance(node, ast.JoinedStr) or isinstance(node.value, str):
                text = _static_text(node)
                if looks_like_a_sentence(text):
                    yield node.lineno, text
            return
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(tree)


def offenders() -> dict[str, list[str]]:
    """Every cog module with literals members read, and those literals."""
    found: dict[str, list[str]] = {}
    for path in sorted(COGS.rglob("*.py")):
        hits = [f"  line {line}: {text[:90]!r}" for line, text in literals(path)]
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    return found


def test_the_cogs_hold_no_sentence_a_member_reads() -> None:
    found = offenders()
    report = "\n".join(f"{path}\n" + "\n".join(hits) for path, hits in found.items())
    assert not found, (
        "These texts in cogs are not in the message catalogue; move them to "
        f"bot/i18n/<language>/*.toml and look them up with t() or tr():\n{report}"
    )


def test_the_scan_finds_sentences_and_spares_the_rest(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        '"""A docstring."""\n'
        "import logging\n"
        'log = logging.getLogger("agora.x")\n'
        "def f(x, lang):\n"
        '    """Its docstring."""\n'
        '    log.warning("Could not do %s", x)\n'
        '    t("lobby.joined", lang)\n'
        '    b = Button(custom_id=f"agora:join:{x}")\n'
        '    sep = " · "\n'
        '    raise RuntimeError(f"channel {x} is not a text channel")\n'
        '    return f"Debate #{x} has started"\n'
        "def g():\n"
        '    return "Close vote"\n'
        "def h():\n"
        '    return "Finished."\n',
        encoding="utf-8",
    )
    assert [text for _, text in literals(module)] == [
        "Debate #{} has started",
        "Close vote",
        "Finished.",
    ]
