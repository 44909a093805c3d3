"""Screens and dialogs that hold a form: the Escape rule (``FormScreen``) and the form in a dialog (``FormDialog``).

Escape closes a form at once when nothing was typed, and asks first when something was (the one
form rule, kit/form.py). ``FormDialog`` puts a ``Form`` in a modal dialog that dismisses with a
typed value; ``text_dialog`` is the one-line case and ``refill`` keeps typing from a refused save.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.validation import Validator
from textual.widget import Widget
from textual.widgets import Static

from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form import Form
from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain

__all__ = ["FormDialog", "FormScreen", "refill", "text_dialog"]


# ----------------------------------------------------------------------------- leaving a form


class FormScreen:
    """Mixin for a screen or dialog holding a Form: Escape closes at once, or asks when something was typed.

    The screen says how to tell (``form_dirty``, default: its Form's ``dirty()``) and how to close
    (``close_form``, default: pop the screen, or dismiss a dialog with None).
    """

    DISCARD_QUESTION: ClassVar[str] = "Discard what you typed? It is not saved."
    DISCARD_YES: ClassVar[str] = "Discard"
    DISCARD_NO: ClassVar[str] = "No, keep typing"

    def form_dirty(self) -> bool:
        """True when something was typed that closing would lose."""
        forms = self.query(Form)  # type: ignore[attr-defined]  # a mixin: the Screen it joins has query
        return any(form.dirty() for form in forms)

    def close_form(self) -> None:
        """Close without saving."""
        from textual.screen import ModalScreen

        if isinstance(self, ModalScreen):
            self.dismiss(None)
        else:
            self.app.pop_screen()  # type: ignore[attr-defined]  # a mixin: the Screen it joins has app

    def leave_form(self, question: str | None = None) -> None:
        """Escape: close at once when nothing was typed; otherwise ask (the one confirm dialog)."""
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        if not self.form_dirty():
            self.close_form()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.close_form()

        self.app.push_screen(ConfirmDialog(question or self.DISCARD_QUESTION, yes=self.DISCARD_YES,  # type: ignore[attr-defined]  # as above
                                           no=self.DISCARD_NO), answered)


# ----------------------------------------------------------------------------- the dialog

T = TypeVar("T")


class FormDialog(FormScreen, DutyModal[T], Generic[T]):
    """A titled form in a dialog: F9 (or Enter in the last field) saves, Esc closes (asking if typed).

    Dismisses with ``result(values)`` — the parsed values, or what ``result`` makes of them (a
    dataclass) — or None when closed. ``check(values)`` adds rules across fields: it returns
    {field id: what to fix}. ``refilled=True``: the form holds typing kept from a refused save,
    so Escape asks before discarding it.

    ``save(ctx, values)``: the dialog saves itself — in a worker, once (F9 twice is one save) —
    and stays open until the service has saved, dismissing with what ``save`` returned. A
    refusal (``DutyError``) is said beside the fields its problems name (``"ticket: taken"``)
    and under the form, and everything typed stays for the next F9.
    """

    @dataclass
    class SavedResult(Message):
        """The dialog's own save (``save=``) finished."""

        result: Any

    SCOPE_NAME = "form"
    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > #form-box { width: 76; max-width: 100%; height: auto; max-height: 100%; border: thick $primary;
                             background: $surface; padding: 0 1; }
    FormDialog #form-title { text-style: bold; color: $primary; }
    FormDialog #form-intro { color: $text-muted; height: auto; }
    FormDialog #form-scroll { height: auto; max-height: 16; }
    FormDialog #form-problems { color: $error; text-style: bold; height: auto; }
    FormDialog #form-problems.-empty { display: none; }
    FormDialog #form-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("f9", "save", "Save", id="form-save", priority=True, tooltip="Save this form (checks it first)"),
        Binding("escape", "cancel", "Cancel", id="form-cancel",
                tooltip="Close without saving (asks first when something was typed)"),
    ]

    def __init__(self, title: str, fields: Sequence[FormField | Widget], *, intro: str = "", submit: str = "Save",
                 result: Callable[[dict[str, Any]], T] | None = None,
                 check: Callable[[dict[str, Any]], Mapping[str, str]] | None = None, refilled: bool = False,
                 labels: str | None = None, label_width: int = 16, focus: str | None = None,
                 save: Callable[[Any, dict[str, Any]], Any] | None = None, saving: str = "Saving…",
                 not_saved: str = "Not saved yet") -> None:
        super().__init__()
        self.saver = save
        self.saving_text = saving
        self.not_saved_text = not_saved
        self._saving = False
        self.form_title = title
        self.fields = list(fields)
        self.intro = intro
        self.submit_label = submit
        self.result = result
        self.cross_check = check
        self.refilled = refilled
        specs = [f for f in self.fields if isinstance(f, FormField)]
        self.labels = labels or ("left" if all(len(f.label) < label_width - 1 or f.kind == "check" for f in specs)
                                 else "above")
        self.label_width = label_width
        self.first_focus = focus

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(plain(self.form_title), id="form-title")
            if self.intro:
                yield Static(plain(self.intro), id="form-intro")
            with VerticalScroll(id="form-scroll"):
                yield Form(self.fields, prefix="f-", labels=self.labels, label_width=self.label_width, id="form")
            yield Static("", id="form-problems", classes="-empty")
            yield Static(plain(f"F9 {self.submit_label.lower()} · Enter next (last: {self.submit_label.lower()}) · "
                               "Esc close"), id="form-keys")

    @property
    def form(self) -> Form:
        """The dialog's form."""
        return self.query_one("#form", Form)

    def on_mount(self) -> None:
        if self.refilled:
            self.form.mark_all_typed()
        if self.first_focus:
            self.form.input(self.first_focus).focus()
        else:
            self.form.focus_first()

    def values(self) -> dict[str, Any]:
        """What is typed now (raw), keyed by field id."""
        return self.form.values()

    def say(self, text: str) -> None:
        """A message for the whole form (under the fields)."""
        box = self.query_one("#form-problems", Static)
        box.update(plain(text))
        box.set_class(not text, "-empty")

    @on(Form.Submitted)
    def _submitted(self, event: Form.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Check; dismiss with the result when every field is right."""
        form = self.form
        if form.validate():
            self.say("")
            return
        values = form.parsed()
        if self.cross_check is not None:
            problems = dict(self.cross_check(values))
            if problems:
                unplaced = form.show_problems(problems)
                self.say("\n".join(unplaced))
                return
        self.say("")
        if self.saver is not None:
            if self._saving:
                return  # F9 twice: one save
            self._saving = True
            self.say(self.saving_text)
            self._save_in_worker(values)
            return
        self.dismiss(self.result(values) if self.result is not None else values)  # type: ignore[arg-type]  # without a result function T is the values dict

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-save")
    def _save_in_worker(self, values: dict[str, Any]) -> None:
        saver = self.saver
        assert saver is not None
        self.post_message(self.SavedResult(saver(self.duty_app.ctx, values)))

    @on(SavedResult)
    def _saved_result(self, message: SavedResult) -> None:
        message.stop()
        self._saving = False
        self.dismiss(message.result)

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import DutyError, PermissionDenied

        if self.saver is None:
            super().on_worker_error(error)
            return
        self._saving = False
        if isinstance(error, PermissionDenied):  # nothing typed in the form can fix it
            self.say(f"{self.not_saved_text.removesuffix(' yet')}: {error.message}. Esc leaves the form.")
            return
        if isinstance(error, DutyError):
            by_field: dict[str, str] = {}
            elsewhere: list[str] = []
            for problem in list(getattr(error, "problems", None) or [error.message]):
                name, _, text = problem.partition(": ")
                if text and self.form.has(name):
                    by_field[name] = text
                else:
                    elsewhere.append(problem)
            unplaced = self.form.show_problems(by_field)
            self.say("\n".join([*unplaced, *elsewhere,
                                f"{self.not_saved_text}: fix it and press F9 again (what you typed is still here)."]))
            return
        self.say("Not saved: something went wrong (the details are in the log). What you typed is still here; "
                 "press F9 to try again.")
        super().on_worker_error(error)

    def action_cancel(self) -> None:
        """Close; asks first when something was typed."""
        self.leave_form("Discard what you typed in this form?")


def refill(fields: Sequence[FormField], values: Mapping[str, Any] | None) -> list[FormField]:
    """The same fields holding ``values`` (typing kept from a refused save)."""
    if not values:
        return list(fields)
    return [replace(f, value=values[f.id]) if f.id in values else f for f in fields]


def text_dialog(title: str, label: str, *, placeholder: str = "", value: str = "", intro: str = "",
                submit: str = "OK", max_length: int = 200, validators: Sequence[Validator] = (),
                required: bool = True) -> FormDialog[str]:
    """A form of one line of text (why a refund is rejected, why a plan ends): dismisses with the text."""
    return FormDialog(title, [FormField("text", label, placeholder=placeholder, value=value, required=required,
                                        max_length=max_length, validators=tuple(validators))],
                      intro=intro, submit=submit, result=lambda values: values["text"], refilled=bool(value))
