"""Typed dialogs for the payments screens: reversal reason, refund request, arrangement,
suspense reallocation and a one-line reason. Each returns its value, or None on Esc.

Validators use the same checks as the services (domain.money, domain.payments), so a
mistake is shown where it was typed, with what to fix, and nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, Static

from duty_tui.domain.money import parse_pounds
from duty_tui.domain.payments import check_no_card_data
from duty_tui.domain.validators import parse_date
from duty_tui.tui.screens.base import DutyModal
from duty_tui.tui.text import plain

DIALOG_CSS = """
{cls} {{ align: center middle; }}
{cls} > Vertical {{ width: 76; height: auto; max-height: 22; border: thick $primary; background: $surface;
    padding: 0 1; }}
{cls} .dialog-title {{ text-style: bold; color: $primary; }}
{cls} .dialog-row {{ height: 1; margin-top: 1; }}
{cls} .dialog-row Label {{ width: 16; }}
{cls} .dialog-row Input, {cls} .dialog-row Select {{ width: 1fr; }}
{cls} .dialog-message {{ color: $error; height: auto; }}
{cls} .dialog-keys {{ color: $text-muted; margin-top: 1; }}
"""


class MoneyValidator(Validator):
    """Pounds, positive, at most two decimals, at most a limit (domain.money.parse_pounds)."""

    def __init__(self, limit_pence: int | None = None) -> None:
        super().__init__()
        self.limit_pence = limit_pence

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_pounds(value, limit_pence=self.limit_pence)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


class NoCardDataValidator(Validator):
    """Refuses a full card number or a security code in a free-text field."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def validate(self, value: str) -> ValidationResult:
        try:
            check_no_card_data(self.label, value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


class DateValidator(Validator):
    """A date as YYYY-MM-DD or DD/MM/YYYY (blank allowed when ``optional``)."""

    def __init__(self, optional: bool = True) -> None:
        super().__init__()
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        if self.optional and not value.strip():
            return self.success()
        try:
            parse_date(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


def _row(label: str, widget) -> Horizontal:
    return Horizontal(Label(label), widget, classes="dialog-row")


class _FormDialog(DutyModal):
    """Shared behaviour: F9 (or Enter in the last field) confirms, Esc cancels (asking first when
    something was typed), errors shown inline."""

    _initial: dict[str, str] | None = None

    @on(events.Mount)
    def _remember_initial_values(self) -> None:
        self._initial = {str(i.id): i.value for i in self.query(Input)}

    def message(self, text: str) -> None:
        """Show what is wrong (nothing typed is lost)."""
        self.query_one(".dialog-message", Static).update(plain(text))

    def action_cancel(self) -> None:
        """Close without doing anything; ask first if something was typed."""
        from duty_tui.tui.dialogs.confirm import ConfirmDialog

        typed = any(self._initial is not None and i.value != self._initial.get(str(i.id), "")
                    for i in self.query(Input))
        if not typed:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Discard what you typed here?", yes="Yes, discard", no="No, keep it"),
                             answered)


# ----------------------------------------------------------------------------- reversal


class ReverseDialog(_FormDialog):
    """Why a ledger row is reversed: a reason from the policy list and a note."""

    SCOPE_NAME = "reverse"
    DEFAULT_CSS = DIALOG_CSS.format(cls="ReverseDialog")
    BINDINGS = [
        Binding("f9", "confirm", "Reverse", id="reverse-confirm", tooltip="Post the reversal row"),
        Binding("escape", "cancel", "Cancel", id="reverse-cancel", tooltip="Close without reversing"),
    ]

    def __init__(self, description: str, reasons: list[tuple[str, str]]) -> None:
        super().__init__()
        self.description = description
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Reverse a ledger row", classes="dialog-title")
            yield Static(plain(self.description))
            yield _row("Reason", Select([(name, code) for code, name in self.reasons], prompt="choose a reason",
                                        id="reverse-reason", compact=True))
            yield _row("Note", Input(placeholder="what happened (needed for 'Other')", id="reverse-note",
                                     max_length=150, compact=True, validators=[NoCardDataValidator("note")]))
            yield Static("", classes="dialog-message")
            yield Static("F9 reverse · Enter in the note reverses · Esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#reverse-reason", Select).focus()

    @on(Input.Submitted, "#reverse-note")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        """Return the reason and note."""
        reason = self.query_one("#reverse-reason", Select).value
        if reason is Select.BLANK:
            self.message("Choose a reason for the reversal.")
            self.query_one("#reverse-reason", Select).focus()
            return
        note = self.query_one("#reverse-note", Input)
        result = note.validate(note.value)
        if result is not None and not result.is_valid:
            self.message(result.failure_descriptions[0])
            return
        self.dismiss((str(reason), note.value.strip()))


# ----------------------------------------------------------------------------- refund request


@dataclass(frozen=True)
class RefundForm:
    """What the refund request dialog returns."""

    amount_pence: int
    method: str
    payee: str
    reason: str


class RefundRequestDialog(_FormDialog):
    """Ask for a refund of proven credit (someone else authorises it; never cash)."""

    SCOPE_NAME = "refund-request"
    DEFAULT_CSS = DIALOG_CSS.format(cls="RefundRequestDialog")
    BINDINGS = [
        Binding("f9", "confirm", "Request", id="refund-request-confirm", tooltip="Send the refund request"),
        Binding("escape", "cancel", "Cancel", id="refund-request-cancel", tooltip="Close without requesting"),
    ]

    def __init__(self, account_ref: str, position: str, methods: list[tuple[str, str]], available_pence: int,
                 holder: str) -> None:
        super().__init__()
        self.account_ref = account_ref
        self.position = position
        self.methods = methods
        self.available_pence = available_pence
        self.holder = holder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"Request a refund from {self.account_ref}"), classes="dialog-title")
            yield Static(plain(self.position))
            default = f"{self.available_pence // 100}.{self.available_pence % 100:02d}" if self.available_pence else ""
            yield _row("Amount £", Input(value=default, id="refund-amount", max_length=12, compact=True,
                                         validators=[MoneyValidator()]))
            yield _row("Paid by", Select([(name, code) for code, name in self.methods], value=self.methods[0][0],
                                         allow_blank=False, id="refund-method", compact=True))
            yield _row("Payee", Input(value=self.holder, id="refund-payee", max_length=120, compact=True,
                                      validators=[NoCardDataValidator("payee")]))
            yield _row("Reason", Input(placeholder="why (e.g. tenancy ended, HB overpaid)", id="refund-reason",
                                       max_length=200, compact=True, validators=[NoCardDataValidator("reason")]))
            yield Static("", classes="dialog-message")
            yield Static("No cash refunds. Another person must authorise. F9 request · Esc cancel",
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#refund-amount", Input).focus()

    @on(Input.Submitted, "#refund-reason")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        """Check what was typed and return it."""
        amount = self.query_one("#refund-amount", Input).value
        try:
            pence = parse_pounds(amount)
        except ValueError as exc:
            self.message(str(exc))
            self.query_one("#refund-amount", Input).focus()
            return
        for field_id in ("#refund-payee", "#refund-reason"):
            field = self.query_one(field_id, Input)
            result = field.validate(field.value)
            if result is not None and not result.is_valid:
                self.message(result.failure_descriptions[0])
                field.focus()
                return
            if not field.value.strip():
                self.message("Fill in the payee and the reason.")
                field.focus()
                return
        self.dismiss(RefundForm(pence, str(self.query_one("#refund-method", Select).value),
                                self.query_one("#refund-payee", Input).value.strip(),
                                self.query_one("#refund-reason", Input).value.strip()))


# ----------------------------------------------------------------------------- arrangement


@dataclass(frozen=True)
class ArrangementForm:
    """What the arrangement dialog returns."""

    amount_pence: int
    frequency: str
    start_date: date
    note: str


class ArrangementDialog(_FormDialog):
    """Agree an arrangement: an amount, how often, from when."""

    SCOPE_NAME = "arrangement-new"
    DEFAULT_CSS = DIALOG_CSS.format(cls="ArrangementDialog")
    BINDINGS = [
        Binding("f9", "confirm", "Agree", id="arrangement-confirm", tooltip="Agree the arrangement"),
        Binding("escape", "cancel", "Cancel", id="arrangement-cancel", tooltip="Close without agreeing"),
    ]

    def __init__(self, account_ref: str, owed: str | None, frequencies: list[tuple[str, str]], today: date) -> None:
        super().__init__()
        self.account_ref = account_ref
        self.owed = owed
        self.frequencies = frequencies
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"New arrangement on {self.account_ref}"), classes="dialog-title")
            yield Static(plain((f"Owed now: {self.owed}. " if self.owed else "")
                               + "The plan runs until the arrears owed now are paid."))
            yield _row("Amount £", Input(id="arrangement-amount", max_length=12, compact=True,
                                         validators=[MoneyValidator()]))
            yield _row("How often", Select([(name, code) for code, name in self.frequencies],
                                           value=self.frequencies[0][0], allow_blank=False,
                                           id="arrangement-frequency", compact=True))
            yield _row("First due", Input(value=self.today.strftime("%d/%m/%Y"), id="arrangement-start",
                                          max_length=10, compact=True, validators=[DateValidator(False)]))
            yield _row("Note", Input(id="arrangement-note", max_length=200, compact=True,
                                     validators=[NoCardDataValidator("note")]))
            yield Static("", classes="dialog-message")
            yield Static("F9 agree · Esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#arrangement-amount", Input).focus()

    @on(Input.Submitted, "#arrangement-note")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        """Check and return the plan."""
        try:
            pence = parse_pounds(self.query_one("#arrangement-amount", Input).value)
            start = parse_date(self.query_one("#arrangement-start", Input).value)
        except ValueError as exc:
            self.message(str(exc))
            return
        note = self.query_one("#arrangement-note", Input)
        result = note.validate(note.value)
        if result is not None and not result.is_valid:
            self.message(result.failure_descriptions[0])
            return
        self.dismiss(ArrangementForm(pence, str(self.query_one("#arrangement-frequency", Select).value), start,
                                     note.value.strip()))


# ----------------------------------------------------------------------------- reallocation and reasons


class ReallocateDialog(_FormDialog):
    """Which account unmatched money belongs to, and why."""

    SCOPE_NAME = "reallocate"
    DEFAULT_CSS = DIALOG_CSS.format(cls="ReallocateDialog")
    BINDINGS = [
        Binding("f9", "confirm", "Move", id="reallocate-confirm", tooltip="Move the money to the account"),
        Binding("escape", "cancel", "Cancel", id="reallocate-cancel", tooltip="Close without moving"),
    ]

    def __init__(self, description: str, suggestion: str = "") -> None:
        super().__init__()
        self.description = description
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Move money out of suspense", classes="dialog-title")
            yield Static(plain(self.description))
            yield _row("To account", Input(value=self.suggestion, placeholder="e.g. RNT000123", id="reallocate-ref",
                                           max_length=16, compact=True))
            yield _row("Note", Input(placeholder="how you matched it", id="reallocate-note", max_length=200,
                                     compact=True, validators=[NoCardDataValidator("note")]))
            yield Static("", classes="dialog-message")
            yield Static("F9 move · Enter in the note moves · Esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#reallocate-ref", Input).focus()

    @on(Input.Submitted, "#reallocate-ref")
    def _ref_done(self) -> None:
        self.query_one("#reallocate-note", Input).focus()

    @on(Input.Submitted, "#reallocate-note")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        """Return the account ref and note."""
        ref = self.query_one("#reallocate-ref", Input).value.strip()
        if not ref:
            self.message("Type the account ref the money belongs to.")
            self.query_one("#reallocate-ref", Input).focus()
            return
        note = self.query_one("#reallocate-note", Input)
        result = note.validate(note.value)
        if result is not None and not result.is_valid:
            self.message(result.failure_descriptions[0])
            return
        self.dismiss((ref, note.value.strip()))


class ReasonDialog(_FormDialog):
    """One line of text: why (rejecting a refund, ending an arrangement)."""

    SCOPE_NAME = "reason"
    DEFAULT_CSS = DIALOG_CSS.format(cls="ReasonDialog")
    BINDINGS = [
        Binding("f9", "confirm", "OK", id="reason-confirm", tooltip="Go ahead with this reason"),
        Binding("escape", "cancel", "Cancel", id="reason-cancel", tooltip="Close without doing it"),
    ]

    def __init__(self, title: str, prompt: str) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), classes="dialog-title")
            yield _row("Reason", Input(placeholder=self.prompt, id="reason-text", max_length=200, compact=True,
                                       validators=[NoCardDataValidator("reason")]))
            yield Static("", classes="dialog-message")
            yield Static("Enter or F9 OK · Esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#reason-text", Input).focus()

    @on(Input.Submitted, "#reason-text")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        """Return the reason."""
        field = self.query_one("#reason-text", Input)
        if not field.value.strip():
            self.message("Say why.")
            return
        result = field.validate(field.value)
        if result is not None and not result.is_valid:
            self.message(result.failure_descriptions[0])
            return
        self.dismiss(field.value.strip())
