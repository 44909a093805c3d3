"""A small typed form for casework actions (move a case, plan step, TA placement, review ...).

``push_screen(HousingFormDialog(title, fields), callback)``: the callback gets a dict of the
values (dates as ``date``, ticks as ``bool``), or None when cancelled. Dates and required
answers are checked here, with the message at the field; the service checks the law.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, Static

from duty_tui.domain.homelessness_intake import parse_form_date
from duty_tui.tui.screens.base import DutyModal
from duty_tui.tui.text import plain


@dataclass(frozen=True)
class FormField:
    """One field: key, label, kind (text, date, select, check), options for a select."""

    key: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (words, value)
    value: Any = None
    required: bool = False
    placeholder: str = ""


class HousingFormDialog(DutyModal):  # dismisses with dict | None
    """A titled form; F9 (or Enter in the last box) to confirm, Esc to cancel."""

    SCOPE_NAME = "housing-form"
    DEFAULT_CSS = """
    HousingFormDialog { align: center middle; }
    HousingFormDialog > Vertical { width: 76; height: auto; max-height: 22; border: thick $primary;
                                   background: $surface; padding: 0 1; }
    HousingFormDialog #form-title { text-style: bold; }
    HousingFormDialog #form-fields { height: auto; max-height: 16; }
    HousingFormDialog .f-row { height: 1; }
    HousingFormDialog .f-label { width: 16; color: $text-muted; }
    HousingFormDialog Input, HousingFormDialog Select { width: 1fr; }
    HousingFormDialog .f-msg { color: $error; padding-left: 16; height: auto; }
    HousingFormDialog .f-msg.empty { display: none; }
    HousingFormDialog #form-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("f9", "confirm", "Confirm", id="housing-form-confirm", priority=True, tooltip="Confirm and save"),
        Binding("escape", "cancel", "Cancel", id="housing-form-cancel", tooltip="Close without saving"),
    ]

    def __init__(self, title: str, fields: list[FormField], *, note: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.form_title), id="form-title")
            if self.note:
                yield Static(plain(self.note), id="form-note")
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    if f.kind == "check":
                        yield Checkbox(f.label, value=bool(f.value), id=f"f-{f.key}", compact=True)
                    else:
                        with Horizontal(classes="f-row"):
                            yield Label(f.label, classes="f-label")
                            if f.kind == "select":
                                yield Select(list(f.options), value=f.value if f.value is not None else Select.NULL,
                                             id=f"f-{f.key}", compact=True, allow_blank=not f.required or f.value is None,
                                             prompt="(choose)")
                            else:
                                value = f.value.strftime("%d/%m/%Y") if isinstance(f.value, date) else (f.value or "")
                                yield Input(str(value), placeholder=f.placeholder or ("DD/MM/YYYY" if f.kind == "date"
                                                                                     else ""),
                                            id=f"f-{f.key}", compact=True, max_length=1000)
                    yield Static("", id=f"fmsg-{f.key}", classes="f-msg empty")
            yield Static("F9 confirm · Esc cancel · Tab next field", id="form-keys")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#f-{self.fields[0].key}").focus()

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self.fields and event.input.id == f"f-{self.fields[-1].key}":
            self.action_confirm()
        else:
            self.focus_next()

    def action_confirm(self) -> None:
        """Check the fields; dismiss with the values when all are right."""
        values: dict[str, Any] = {}
        ok = True
        for f in self.fields:
            message = ""
            widget = self.query_one(f"#f-{f.key}")
            if f.kind == "check":
                values[f.key] = bool(widget.value)  # type: ignore[attr-defined]
            elif f.kind == "select":
                value = widget.value  # type: ignore[attr-defined]
                values[f.key] = None if value in (Select.NULL, Select.BLANK) else value
                if f.required and values[f.key] is None:
                    message = f"choose the {f.label.lower()}"
            elif f.kind == "date":
                try:
                    values[f.key] = parse_form_date(widget.value)  # type: ignore[attr-defined]
                    if f.required and values[f.key] is None:
                        message = f"type the {f.label.lower()} (DD/MM/YYYY)"
                except ValueError as exc:
                    message = str(exc)
            else:
                values[f.key] = widget.value.strip()  # type: ignore[attr-defined]
                if f.required and not values[f.key]:
                    message = f"fill in the {f.label.lower()}"
            box = self.query_one(f"#fmsg-{f.key}", Static)
            box.update(plain(f"✗ {message}") if message else "")
            box.set_class(not message, "empty")
            ok = ok and not message
        if ok:
            self.dismiss(values)


class HousingConfirmDialog(DutyModal):  # dismisses with bool
    """Yes or no (used when the shared ConfirmDialog cannot be loaded)."""

    SCOPE_NAME = "housing-confirm"
    DEFAULT_CSS = """
    HousingConfirmDialog { align: center middle; }
    HousingConfirmDialog > Vertical { width: 60; height: auto; border: thick $warning; background: $surface;
                                      padding: 1 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="housing-confirm-yes", tooltip="Yes, go ahead"),
        Binding("n,escape", "answer(False)", "No", id="housing-confirm-no", tooltip="No, go back"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No, keep it") -> None:
        super().__init__()
        self.question, self.yes_label, self.no_label = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.question))
            yield Static(plain(f"y  {self.yes_label}     n / Esc  {self.no_label}"))

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)


def confirm_dialog(question: str, yes: str = "Yes", no: str = "No, keep it"):
    """The shared ConfirmDialog, or this module's equivalent when it cannot be imported."""
    try:
        from duty_tui.tui.dialogs.confirm import ConfirmDialog
    except TypeError:  # DutyModal not generic in this build
        return HousingConfirmDialog(question, yes, no)
    return ConfirmDialog(question, yes, no)
