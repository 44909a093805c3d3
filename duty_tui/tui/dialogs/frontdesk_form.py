"""A small typed form in a dialog: a few inputs, choices and tick boxes; returns their values or None.

Used by the front desk for reassign, escalate, close, notes, complaint steps, repair steps,
arrivals and periods. F9 or Enter on the last field saves; Esc cancels (asking first if
anything was typed). Problems show inline and the form keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from duty_tui.tui.screens.frontdesk_live import WorkerFailures
from duty_tui.tui.screens.base import DutyModal
from duty_tui.tui.text import plain


@dataclass(frozen=True)
class FormField:
    """One field of a FormDialog."""

    id: str
    label: str
    kind: str = "input"  # input, select, checkbox, text
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for select
    value: Any = ""
    placeholder: str = ""
    required: bool = False
    max_length: int = 0
    check: Callable[[str], str | None] | None = None
    """Returns what to fix, or None when the value is fine (the same rule the service applies)."""


class FormDialog(WorkerFailures, DutyModal[dict[str, Any] | None]):
    """A titled form; dismisses with {field id: value} or None when cancelled."""

    SCOPE_NAME = "frontdesk-form"
    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > Vertical { width: 72; max-width: 100%; height: auto; max-height: 22; border: thick $primary;
                            background: $surface; padding: 0 1; }
    FormDialog #form-title { text-style: bold; padding-bottom: 1; }
    FormDialog #form-intro { color: $text-muted; padding-bottom: 1; }
    FormDialog VerticalScroll { height: auto; max-height: 14; }
    FormDialog Label { padding-top: 0; color: $text-muted; }
    FormDialog Input, FormDialog Select { margin-bottom: 0; }
    FormDialog TextArea { height: 4; }
    FormDialog #form-problems { color: $error; text-style: bold; height: auto; }
    FormDialog #form-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("f9", "save", "Save", id="frontdesk-form-save", tooltip="Save this form"),
        Binding("escape", "cancel", "Cancel", id="frontdesk-form-cancel", tooltip="Close without saving (asks if anything typed)"),
    ]

    def __init__(self, title: str, fields: list[FormField], *, intro: str = "", submit: str = "Save") -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.intro = intro
        self.submit_label = submit
        self._initial: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.form_title), id="form-title")
            if self.intro:
                yield Static(plain(self.intro), id="form-intro")
            with VerticalScroll():
                for field in self.fields:
                    if field.kind == "checkbox":
                        yield Checkbox(field.label, value=bool(field.value), id=f"f-{field.id}")
                        continue
                    yield Label(plain(field.label + (" *" if field.required else "")))
                    if field.kind == "select":
                        yield Select([(plain(label), value) for value, label in field.options],
                                     value=field.value if field.value in {v for v, _ in field.options} else Select.NULL,
                                     allow_blank=not field.required, id=f"f-{field.id}", compact=True)
                    elif field.kind == "text":
                        yield TextArea(str(field.value or ""), id=f"f-{field.id}", placeholder=field.placeholder)
                    else:
                        yield Input(str(field.value or ""), placeholder=field.placeholder, id=f"f-{field.id}",
                                    max_length=field.max_length, compact=True)
            yield Static("", id="form-problems")
            yield Static(plain(f"F9 {self.submit_label} · Enter next/save · Esc cancel"), id="form-keys")

    def on_mount(self) -> None:
        self._initial = self.values()
        first = self.query("Input, Select, TextArea, Checkbox").first()
        first.focus()

    def values(self) -> dict[str, Any]:
        """The current value of every field."""
        out: dict[str, Any] = {}
        for field in self.fields:
            widget = self.query_one(f"#f-{field.id}")
            if isinstance(widget, Checkbox):
                out[field.id] = widget.value
            elif isinstance(widget, Select):
                out[field.id] = widget.value if isinstance(widget.value, str) else ""
            elif isinstance(widget, TextArea):
                out[field.id] = widget.text
            else:
                out[field.id] = widget.value  # type: ignore[attr-defined]
        return out

    def problems(self, values: dict[str, Any]) -> list[str]:
        """What to fix before saving."""
        found = []
        for field in self.fields:
            value = values[field.id]
            text = value if isinstance(value, str) else ""
            if field.required and field.kind != "checkbox" and not text.strip():
                found.append(f"{field.label}: this is needed")
                continue
            if field.check is not None and text.strip():
                problem = field.check(text)
                if problem:
                    found.append(f"{field.label}: {problem}")
        return found

    def show_problems(self, problems: list[str]) -> None:
        """Show problems inline (the form keeps its values)."""
        self.query_one("#form-problems", Static).update(plain("\n".join(problems)))

    def action_save(self) -> None:
        """Check and return the values."""
        values = self.values()
        problems = self.problems(values)
        if problems:
            self.show_problems(problems)
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        """Close; asks first when something was typed."""
        from duty_tui.tui.dialogs.confirm import ConfirmDialog

        if self.values() == self._initial:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Discard what you typed in this form?", yes="Discard"), answered)

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        widgets = list(self.query("Input, Select, TextArea, Checkbox"))
        if event.input is widgets[-1] or all(not isinstance(w, Input) for w in widgets[widgets.index(event.input) + 1:]):
            self.action_save()
        else:
            self.focus_next()
