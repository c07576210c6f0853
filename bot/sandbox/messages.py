"""Message bodies as Discord checks and stores them: limits, embeds and components.

The limits are Discord's documented ones; a body over any of them is refused with
``400 Invalid Form Body`` (code 50035) and Discord's nested ``errors`` object, so a bot
that would be refused by Discord is refused here too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import ApiError, FormErrors
from bot.sandbox.models import FLAG_COMPONENTS_V2, FLAG_EPHEMERAL

CONTENT_LIMIT = 2000
EMBED_LIMIT = 10
EMBED_TOTAL_LIMIT = 6000
ROW_LIMIT = 5
ROW_WIDTH = 5
V2_COMPONENT_LIMIT = 40
V2_TEXT_LIMIT = 4000
CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80

# Flags a bot may set when sending: SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS,
# IS_VOICE_MESSAGE, IS_COMPONENTS_V2.
SENDABLE_FLAGS = (1 << 2) | FLAG_EPHEMERAL | (1 << 12) | (1 << 13) | FLAG_COMPONENTS_V2

_V2_TOP_LEVEL = frozenset({1, 9, 10, 12, 13, 14, 17})
_SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
_MODAL_TOP_LEVEL = frozenset({1, 10, 18})


@dataclass(slots=True)
class Upload:
    """A file sent as ``files[n]`` in a multipart body."""

    index: int
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class MessageDraft:
    """The checked fields of a message body; ``None`` means the field was absent."""

    content: str | None = None
    embeds: list[dict[str, Any]] | None = None
    components: list[dict[str, Any]] | None = None
    flags: int | None = None
    attachments: list[dict[str, Any]] | None = None
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    tts: bool = False
    nonce: str | int | None = None


def _strip_none(value: Any) -> Any:
    # Discord leaves unset optional fields out of what it returns rather than echoing nulls.
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def parse_message(body: Any, uploads: list[Upload], *, editing: bool) -> MessageDraft:
    """Check a create/edit message body against Discord's limits and normalise it."""
    if not isinstance(body, dict):
        raise ApiError(400, 50109, "The request body contains invalid JSON.")
    errors = FormErrors()
    draft = MessageDraft()

    content = body.get("content")
    if content is not None:
        if not isinstance(content, str):
            content = str(content)
        if len(content) > CONTENT_LIMIT:
            errors.max_length(("content",), CONTENT_LIMIT)
        draft.content = content
    elif "content" in body and editing:
        draft.content = ""

    flags = body.get("flags")
    if flags is not None:
        if not isinstance(flags, int) or flags & ~SENDABLE_FLAGS:
            errors.add(("flags",), "MESSAGE_FLAGS_INVALID", "Invalid message flags.")
        draft.flags = int(flags) if isinstance(flags, int) else 0
    v2 = bool((draft.flags or 0) & FLAG_COMPONENTS_V2)

    embeds = body.get("embeds")
    if embeds is not None:
        draft.embeds = _check_embeds(embeds, errors)
    elif "embeds" in body and editing:
        draft.embeds = []

    components = body.get("components")
    if components is not None:
        draft.components = _check_components(components, errors, v2=v2)
    elif "components" in body and editing:
        draft.components = []

    if v2 and (draft.content or draft.embeds):
        errors.add(
            ("content",),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used when using components v2.",
        )

    attachments = body.get("attachments")
    if attachments is not None:
        if not isinstance(attachments, list):
            errors.add(("attachments",), "BASE_TYPE_BAD_TYPE", "Must be an array.")
        else:
            draft.attachments = [a for a in attachments if isinstance(a, dict)]

    if body.get("poll") is not None:
        # Polls need vote bookkeeping the emulator does not model; say so instead of
        # storing a message the bot would believe has a working poll.
        raise ApiError(400, 50035, "Invalid Form Body: polls are not supported by LocalDiscord")

    mentions = body.get("allowed_mentions")
    draft.allowed_mentions = mentions if isinstance(mentions, dict) else None
    reference = body.get("message_reference")
    draft.message_reference = reference if isinstance(reference, dict) else None
    draft.tts = bool(body.get("tts", False))
    nonce = body.get("nonce")
    if isinstance(nonce, str) and len(nonce) > 25:
        errors.max_length(("nonce",), 25)
    draft.nonce = nonce if isinstance(nonce, str | int) else None

    errors.raise_if_any()
    if not editing:
        empty = (
            not (draft.content or "").strip()
            and not draft.embeds
            and not draft.components
            and not uploads
            and not body.get("sticker_ids")
        )
        if empty:
            raise ApiError(400, 50006, "Cannot send an empty message")
    return draft


def _check_embeds(embeds: Any, errors: FormErrors) -> list[dict[str, Any]]:
    if not isinstance(embeds, list):
        errors.add(("embeds",), "BASE_TYPE_BAD_TYPE", "Must be an array.")
        return []
    if len(embeds) > EMBED_LIMIT:
        errors.max_length(("embeds",), EMBED_LIMIT)
    total = 0
    result: list[dict[str, Any]] = []
    for i, raw in enumerate(embeds):
        if not isinstance(raw, dict):
            errors.add(("embeds", i), "DICT_TYPE_CONVERT", "Only dictionaries may be used.")
            continue
        embed = _strip_none(copy.deepcopy(raw))
        embed.setdefault("type", "rich")
        total += _check_embed(embed, i, errors)
        result.append(embed)
    if total > EMBED_TOTAL_LIMIT:
        errors.add(
            ("embeds",),
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_LIMIT}",
        )
    return result


def _text_len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _check_embed(embed: dict[str, Any], i: int, errors: FormErrors) -> int:
    path: tuple[str | int, ...] = ("embeds", i)
    size = 0
    for key, limit in (("title", 256), ("description", 4096)):
        n = _text_len(embed.get(key))
        if n > limit:
            errors.max_length((*path, key), limit)
        size += n
    fields = embed.get("fields", [])
    if isinstance(fields, list):
        if len(fields) > 25:
            errors.max_length((*path, "fields"), 25)
        for j, item in enumerate(fields):
            if not isinstance(item, dict):
                continue
            item.setdefault("inline", False)
            for key, limit in (("name", 256), ("value", 1024)):
                n = _text_len(item.get(key))
                if key not in item or n == 0:
                    errors.required((*path, "fields", j, key))
                if n > limit:
                    errors.max_length((*path, "fields", j, key), limit)
                size += n
    for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
        part = embed.get(key)
        if isinstance(part, dict):
            n = _text_len(part.get(sub))
            if n > limit:
                errors.max_length((*path, key, sub), limit)
            size += n
    return size


def _assign_ids(components: list[dict[str, Any]]) -> None:
    # Discord numbers components that have no id, depth first, skipping ids in use.
    used: set[int] = set()
    order: list[dict[str, Any]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if not isinstance(item, dict):
                continue
            order.append(item)
            if isinstance(item.get("id"), int):
                used.add(item["id"])
            walk(item.get("components", []))
            for key in ("accessory", "component"):
                if isinstance(item.get(key), dict):
                    walk([item[key]])

    walk(components)
    next_id = 1
    for item in order:
        if not isinstance(item.get("id"), int):
            while next_id in used:
                next_id += 1
            item["id"] = next_id
            used.add(next_id)


def _check_components(components: Any, errors: FormErrors, *, v2: bool) -> list[dict[str, Any]]:
    if not isinstance(components, list):
        errors.add(("components",), "BASE_TYPE_BAD_TYPE", "Must be an array.")
        return []
    result: list[dict[str, Any]] = _strip_none(copy.deepcopy(components))
    custom_ids: set[str] = set()
    if not v2 and len(result) > ROW_LIMIT:
        errors.max_length(("components",), ROW_LIMIT)
    count = 0
    text = 0
    for i, component in enumerate(result):
        path: tuple[str | int, ...] = ("components", i)
        kind = component.get("type") if isinstance(component, dict) else None
        if v2:
            if kind not in _V2_TOP_LEVEL:
                errors.add(
                    (*path, "type"),
                    "UNION_TYPE_CHOICES",
                    "Value must be one of {1, 9, 10, 12, 13, 14, 17}.",
                )
        elif kind != 1:
            errors.add((*path, "type"), "UNION_TYPE_CHOICES", "Value must be one of {1}.")
        if isinstance(component, dict):
            n, t = _check_component(component, path, errors, custom_ids)
            count += n
            text += t
    if v2 and count > V2_COMPONENT_LIMIT:
        errors.add(
            ("components",),
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
            f"The specified component exceeds the maximum of {V2_COMPONENT_LIMIT} components.",
        )
    if text > V2_TEXT_LIMIT:
        errors.add(
            ("components",),
            "COMPONENT_TEXT_LIMIT_EXCEEDED",
            f"The total text of all text displays exceeds {V2_TEXT_LIMIT} characters.",
        )
    _assign_ids(result)
    return result


def _check_component(
    component: dict[str, Any],
    path: tuple[str | int, ...],
    errors: FormErrors,
    custom_ids: set[str],
) -> tuple[int, int]:
    """Check one component and its children; returns (component count, text length)."""
    kind = component.get("type")
    count = 1
    text = _text_len(component.get("content")) if kind == 10 else 0
    custom_id = component.get("custom_id")
    if custom_id is not None:
        if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_LIMIT:
            errors.max_length((*path, "custom_id"), CUSTOM_ID_LIMIT)
        elif custom_id in custom_ids:
            errors.add(
                (*path, "custom_id"),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        else:
            custom_ids.add(custom_id)
    if kind == 1:
        children = component.get("components", [])
        if not isinstance(children, list) or not children:
            errors.add(
                (*path, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."
            )
            children = []
        if len(children) > ROW_WIDTH:
            errors.max_length((*path, "components"), ROW_WIDTH)
        if any(isinstance(c, dict) and c.get("type") in _SELECT_TYPES for c in children) and (
            len(children) > 1
        ):
            errors.add(
                (*path, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for j, child in enumerate(children):
            if isinstance(child, dict):
                n, t = _check_component(child, (*path, "components", j), errors, custom_ids)
                count += n
                text += t
    elif kind == 2:
        _check_button(component, path, errors)
    elif kind in (5, 6, 7, 8) and isinstance(component.get("default_values"), list):
        # Discord takes a default value's snowflake as a number too, and returns a string.
        for value in component["default_values"]:
            if isinstance(value, dict) and isinstance(value.get("id"), int):
                value["id"] = str(value["id"])
    elif kind == 3:
        options = component.get("options", [])
        if not isinstance(options, list) or not 1 <= len(options) <= 25:
            errors.add(
                (*path, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length."
            )
        else:
            for j, option in enumerate(options):
                for key in ("label", "value", "description"):
                    if _text_len(option.get(key)) > 100:
                        errors.max_length((*path, "options", j, key), 100)
    for key in ("components", "items"):
        if kind != 1 and isinstance(component.get(key), list):
            for j, child in enumerate(component[key]):
                if isinstance(child, dict) and "type" in child:
                    n, t = _check_component(child, (*path, key, j), errors, custom_ids)
                    count += n
                    text += t
    for key in ("accessory", "component"):
        child = component.get(key)
        if isinstance(child, dict):
            n, t = _check_component(child, (*path, key), errors, custom_ids)
            count += n
            text += t
    return count, text


def _check_button(button: dict[str, Any], path: tuple[str | int, ...], errors: FormErrors) -> None:
    style = button.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        errors.add(
            (*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6)."
        )
    label = button.get("label")
    if isinstance(label, str) and len(label) > BUTTON_LABEL_LIMIT:
        errors.max_length((*path, "label"), BUTTON_LABEL_LIMIT)
    if style == 5:
        if not button.get("url"):
            errors.required((*path, "url"))
        if "custom_id" in button:
            errors.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_LINK_HAS_CUSTOM_ID",
                "A link button cannot have a custom id",
            )
    elif style == 6:
        if not button.get("sku_id"):
            errors.required((*path, "sku_id"))
    elif "custom_id" not in button:
        errors.required((*path, "custom_id"))


def check_modal(data: Any) -> dict[str, Any]:
    """Check the ``data`` of a MODAL (type 9) callback and normalise it."""
    errors = FormErrors()
    if not isinstance(data, dict):
        errors.required(("data",))
        errors.raise_if_any()
        raise AssertionError("unreachable")
    modal: dict[str, Any] = _strip_none(copy.deepcopy(data))
    title = modal.get("title")
    if not isinstance(title, str) or not title:
        errors.required(("data", "title"))
    elif len(title) > 45:
        errors.max_length(("data", "title"), 45)
    custom_id = modal.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        errors.required(("data", "custom_id"))
    elif len(custom_id) > CUSTOM_ID_LIMIT:
        errors.max_length(("data", "custom_id"), CUSTOM_ID_LIMIT)
    components = modal.get("components")
    if not isinstance(components, list) or not 1 <= len(components) <= 5:
        errors.add(
            ("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
        )
        components = []
    ids: set[str] = set()
    for i, component in enumerate(components):
        path: tuple[str | int, ...] = ("data", "components", i)
        if not isinstance(component, dict) or component.get("type") not in _MODAL_TOP_LEVEL:
            errors.add((*path, "type"), "UNION_TYPE_CHOICES", "Value must be one of {1, 10, 18}.")
            continue
        _check_component(component, path, errors, ids)
        label = component.get("label")
        if component.get("type") == 18 and (not isinstance(label, str) or len(label) > 45):
            errors.max_length((*path, "label"), 45)
    errors.raise_if_any()
    _assign_ids(components)
    return modal


def check_choices(data: Any) -> list[dict[str, Any]]:
    """Check the ``data`` of an autocomplete result (type 8) and return its choices."""
    errors = FormErrors()
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        errors.required(("data", "choices"))
        errors.raise_if_any()
        raise AssertionError("unreachable")
    if len(choices) > 25:
        errors.max_length(("data", "choices"), 25)
    for i, choice in enumerate(choices):
        if not isinstance(choice, dict):
            errors.required(("data", "choices", i))
            continue
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.add(
                ("data", "choices", i, "name"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            errors.max_length(("data", "choices", i, "value"), 100)
        elif not isinstance(value, str | int | float):
            errors.required(("data", "choices", i, "value"))
    errors.raise_if_any()
    return [_strip_none(dict(c)) for c in choices]
