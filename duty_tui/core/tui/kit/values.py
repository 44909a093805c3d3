"""Reading and writing what is typed in the kit's fields: the one way drafts, forms and retries do it.

``read_values``/``write_values`` work on any screen or form (by DOM id); ``initial_value`` is what a
field holds as built from its spec, before anyone types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from textual.widget import Widget
from textual.widgets import Input

from duty_tui.core.tui.kit.choices import Check, Choice, ManyChoice
from duty_tui.core.tui.kit.fields import FormField, LinesInput

__all__ = ["FIELD_WIDGETS", "field_value", "initial_value", "read_values", "write_values"]

FIELD_WIDGETS = (Input, LinesInput, Choice, ManyChoice, Check)


def field_value(widget: Widget) -> Any:
    """A field widget's value as drafts keep it."""
    return widget.value  # type: ignore[attr-defined]  # every field widget has a value


def read_values(root: Widget | Any) -> dict[str, Any]:
    """Every identified field under ``root`` (a screen or a form) and its value; passwords never.

    The one way anything reads a form's typing: drafts, "was anything typed?", retries.
    """
    values: dict[str, Any] = {}
    for widget in root.query("*"):
        key = widget.id
        if not key or not isinstance(widget, FIELD_WIDGETS) and not getattr(widget, "FORM_VALUE", False):
            continue
        if isinstance(widget, Input) and widget.password:
            continue
        values[key] = field_value(widget)
    return values


def initial_value(spec: FormField) -> Any:
    """What a field's widget holds when built from its spec (before anyone types), as ``values()`` reads it."""
    if spec.kind == "check":
        return bool(spec.value)
    if spec.kind == "many":
        return list(spec.value or ())
    if spec.kind == "choice":
        return spec.value if spec.value in {str(v) for v, _ in spec.options} else None
    if spec.kind == "widget":
        return None
    value = spec.value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if spec.kind == "money" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value // 100}.{value % 100:02d}"
    return "" if value is None else str(value)


def write_values(root: Widget | Any, values: Mapping[str, Any],
                 find: Callable[[str], Widget | None] | None = None) -> list[str]:
    """Put values back into the fields under ``root``; returns the keys that had nowhere to go.

    ``find``: how to look a DOM id up (a ``Form`` passes its own index; default: a query).
    """
    missing: list[str] = []
    for key, value in values.items():
        if find is not None:
            widget = find(key)
        else:
            found = root.query(f"#{key}") if key.replace("-", "").replace("_", "").isalnum() else None
            widget = found.first() if found else None
        if widget is None:
            missing.append(key)
            continue
        try:
            if isinstance(widget, (Input, LinesInput)):
                widget.value = "" if value is None else str(value)
            elif isinstance(widget, Check):
                widget.value = bool(value)
            elif isinstance(widget, ManyChoice):
                widget.value = list(value or [])
            elif isinstance(widget, FIELD_WIDGETS) or getattr(widget, "FORM_VALUE", False):
                widget.value = value  # type: ignore[attr-defined]  # a field widget: it has a value
            else:
                missing.append(key)
        except ValueError:  # a choice no longer offered (reference data changed)
            missing.append(key)
    return missing
