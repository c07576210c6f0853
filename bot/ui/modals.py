"""Reading what a member submitted in a modal, whatever the layout of its components."""

from __future__ import annotations

from typing import Any

FILE_UPLOAD = 19  # the component type of a modal's file field


def modal_values(data: Any) -> dict[str, str]:
    """Every text field of a modal submission, by custom id, whatever the layout."""
    values: dict[str, str] = {}
    stack = list(data.get("components", [])) if data else []
    while stack:
        component = stack.pop()
        if "value" in component and "custom_id" in component:
            values[component["custom_id"]] = component["value"]
        stack.extend(component.get("components", []))
        if "component" in component:
            stack.append(component["component"])
    return values


def modal_files(data: Any) -> list[dict[str, Any]]:
    """The attachments uploaded in a modal submission, as Discord resolved them."""
    resolved = data.get("resolved", {}).get("attachments", {})
    files: list[dict[str, Any]] = []
    stack = list(data.get("components", []))
    while stack:
        component = stack.pop()
        if component.get("type") == FILE_UPLOAD:
            files.extend(
                resolved[str(i)] for i in component.get("values", []) if str(i) in resolved
            )
        stack.extend(component.get("components", []))
        if "component" in component:
            stack.append(component["component"])
    return files
