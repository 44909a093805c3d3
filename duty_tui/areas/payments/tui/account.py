"""One account: its statement for any period (screen, text, PDF), and from here a reversal,
a refund request or its arrangements."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Label, Static

from duty_tui.areas.payments.domain.reference import load_policy
from duty_tui.areas.payments.services.statements import StatementRow, StatementView
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_balance, format_pence
from duty_tui.core.domain.validators import parse_date
from duty_tui.core.tui.kit.fields import FormField, TextInput
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form_screen import FormDialog
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.validators import DateValidator, NoCardDataValidator
from duty_tui.core.tui.kit.workers import Done, Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain


@dataclass(frozen=True)
class RefundForm:
    """What the refund request form returns."""

    amount_pence: int
    method: str
    payee: str
    reason: str


STATEMENT_COLUMNS = (
    Column("date", "Date", priority=0, never_cut=True),
    Column("row", "Row", priority=1, never_cut=True),
    Column("details", "Details", min=12, ideal=28, priority=2),
    Column("amount", "Amount", priority=0, never_cut=True, justify="right"),
    Column("balance", "Balance", priority=0, never_cut=True, justify="right"),
)
"""A statement's rows: dates and money are read whole; the details are shortened first."""

class AccountScreen(DutyScreen):
    """An account's statement: every row with its running balance; reverse, refund, arrangements."""

    watches = {"account": "account_ref"}  # kit/changes.py: a payment, reversal or refund reloads the statement

    SCOPE_NAME = "account"
    TITLE = "Account"
    DEFAULT_CSS = """
    AccountScreen .acct-row { height: 1; margin: 0 1; }
    AccountScreen .acct-row Label { padding: 0 1 0 0; }
    AccountScreen #acct-from, AccountScreen #acct-to { width: 12; }
    AccountScreen #acct-summary { height: auto; margin: 0 1; text-style: bold; }
    AccountScreen #acct-rows { height: 1fr; margin: 0 1; }
    AccountScreen #acct-message { height: auto; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="account-back", tooltip="Back to the previous screen"),
        Binding("x", "reverse", "Reverse", id="account-reverse",
                tooltip="Reverse the highlighted row (team leaders): a new row naming it, with a reason"),
        Binding("f", "refund", "Refund", id="account-refund",
                tooltip="Request a refund of proven credit (another person authorises it)"),
        Binding("g", "arrangements", "Arrangements", id="account-arrangements",
                tooltip="Arrangements to pay on this account, each instalment checked"),
        Binding("d", "direct_debits", "Direct debits", id="account-direct-debits",
                tooltip="This account's direct debit mandates: add, change, pause, cancel"),
        Binding("p", "print", "Print/send", id="account-print",
                tooltip="Send this statement: a printer, email, or a file (a download in a browser)"),
        Binding("r", "receipt", "Receipt", id="account-receipt",
                tooltip="Show the receipt of the highlighted payment (to print it again)"),
        Binding("f9", "reload", "Period", id="account-reload", tooltip="Show the period typed in From/To"),
    ]

    def __init__(self, account_ref: str, start: date | None = None, end: date | None = None) -> None:
        super().__init__()
        self.account_ref = account_ref
        self.start = start
        self.end = end
        self.view: StatementView | None = None

    @property
    def payment_account_ref(self) -> str:
        """F5 from this statement takes a payment for this account (the app asks)."""
        return self.account_ref

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="acct-row"):
            yield Label("From")
            yield TextInput(id="acct-from", max_length=10, compact=True, validators=[DateValidator(False)])
            yield Label(" To")
            yield TextInput(id="acct-to", max_length=10, compact=True, validators=[DateValidator(False)])
            yield Label("  Enter or F9 shows the period")
        yield Static(plain(f"Loading {self.account_ref}…"), id="acct-summary")
        yield ListTable(STATEMENT_COLUMNS, id="acct-rows", zebra_stripes=True)
        yield Static("x reverse · r receipt · f refund · g arrangements · p print · Esc back", id="acct-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        today = self.duty_app.ctx.today()
        self.end = self.end or today
        self.start = self.start or self.end - timedelta(weeks=13)
        self.query_one("#acct-from", Input).value = self.start.strftime("%d/%m/%Y")
        self.query_one("#acct-to", Input).value = self.end.strftime("%d/%m/%Y")
        table = self.query_one("#acct-rows", ListTable)
        self.load()
        table.focus()

    def _message(self, text: str) -> None:
        self.query_one("#acct-message", Static).update(plain(text))

    @work(thread=True, exclusive=True, exit_on_error=False, group="account")
    def load(self) -> None:
        from duty_tui.areas.payments.services.statements import account_statement

        view = account_statement(self.duty_app.ctx, self.account_ref, self.start, self.end)
        self.post_message(Loaded(view))

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        self._show(message.view)

    def _show(self, view: StatementView) -> None:
        self.view = view
        self.title = plain(f"{view.account_ref} {view.type_name} — {view.holder}").plain
        self.query_one("#acct-summary", Static).update(plain(
            f"{view.account_ref} {view.type_name} · {view.holder}"
            + (f" · CLOSED {view.closed_on:%d/%m/%Y}" if view.closed_on else "")
            + f"\nOpening {format_pence(view.opening_pence)} · closing {format_pence(view.closing_pence)}"
              f" · today {format_balance(view.balance_now_pence)}"))
        table = self.query_one("#acct-rows", ListTable)
        rows = [ListRow(str(row.entry_id), {
            "date": f"{row.effective_date:%d/%m/%Y}", "row": f"#{row.entry_id}{' R' if row.reversed_by else ''}",
            "details": row.description + (f" · {row.receipt}" if row.receipt else ""),
            "amount": format_pence(row.amount_pence), "balance": format_pence(row.balance_pence)})
            for row in view.rows]
        # The cursor stays on its row after a reversal or a refund; the first time, on the newest row.
        table.set_rows(rows, keep=table.current_key or (rows[-1].key if rows else None))

    def highlighted(self) -> StatementRow | None:
        """The statement row under the cursor."""
        key = self.query_one("#acct-rows", ListTable).current_key
        if self.view is None or key is None:
            return None
        return next((r for r in self.view.rows if str(r.entry_id) == key), None)

    # ------------------------------------------------------------------ period and print
    @on(Input.Submitted, "#acct-from")
    @on(Input.Submitted, "#acct-to")
    def _period_typed(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """Load the period typed in From and To."""
        try:
            self.start = parse_date(self.query_one("#acct-from", Input).value)
            self.end = parse_date(self.query_one("#acct-to", Input).value)
        except ValueError as exc:
            self._message(str(exc))
            return
        if self.start > self.end:
            self._message("From is after To; swap the dates.")
            return
        self._message("")
        self.load()

    def on_record_changed(self, changes) -> None:
        """A payment, reversal or refund on this account (here or at another desk): load the statement
        again for the same period, keeping the line that says what was just done."""
        self.load()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_print(self) -> None:
        """Send this statement: a printer, email, a download in a browser, or a file (one dialog)."""
        view = self.view
        if view is None:
            self._message("Wait for the statement to load, then p.")
            return
        from duty_tui.areas.payments.services.printing import statement_document
        from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog

        def sent(outcome) -> None:
            self._message(outcome.message if outcome is not None else "Statement not sent; p sends it.")

        self.app.push_screen(SendDocumentDialog(f"statement {view.account_ref}", lambda: statement_document(view)),
                             sent)

    # ------------------------------------------------------------------ receipt again
    def action_receipt(self) -> None:
        """Open the highlighted payment's receipt (printable again)."""
        row = self.highlighted()
        if row is None or not row.receipt:
            self._message("Highlight a payment that has a receipt number.")
            return
        office_code, _, number = row.receipt.rpartition("-")
        self.load_receipt(office_code, int(number))

    @work(thread=True, exclusive=True, exit_on_error=False, group="account-receipt")
    def load_receipt(self, office_code: str, receipt_no: int) -> None:
        from duty_tui.areas.payments.services.receipts import get_receipt
        from duty_tui.areas.payments.tui import receipt as payment_receipt  # noqa: F401  (imported here, off the UI thread)

        try:
            receipt = get_receipt(self.duty_app.ctx, receipt_no, office_code)
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))
            return
        self.post_message(self.ReceiptLoaded(receipt))

    @dataclass
    class ReceiptLoaded(Message):
        """The receipt asked for, to show again."""

        receipt: Any

    @on(ReceiptLoaded)
    def _receipt_ready(self, message: ReceiptLoaded) -> None:
        from duty_tui.areas.payments.tui.receipt import ReceiptScreen

        self.app.push_screen(ReceiptScreen(message.receipt))

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.load()

    # ------------------------------------------------------------------ reverse
    def action_reverse(self) -> None:
        """Reverse the highlighted row, with a reason."""
        if not self.duty_app.ctx.can("payment.reverse"):
            self._message("Your role may not reverse payments (payment.reverse); ask a team leader.")
            return
        row = self.highlighted()
        if row is None:
            self._message("Highlight the row to reverse.")
            return
        if not row.can_reverse:
            self._message(f"Row #{row.entry_id} cannot be reversed"
                          + (f": it was reversed by #{row.reversed_by}." if row.reversed_by else "."))
            return
        rules = load_policy(self.duty_app.settings.data_dir)
        reasons = [(r.code, r.name) for r in rules.reversal_reasons.values()]
        description = (f"#{row.entry_id} {row.effective_date:%d/%m/%Y} {row.description} "
                       f"{format_pence(row.amount_pence)}" + (f" ({row.receipt})" if row.receipt else ""))

        def answered(result: dict | None) -> None:
            if result is not None:
                self._message("Reversing…")
                self.reverse(row.entry_id, result["reason"], result["note"])

        self.app.push_screen(FormDialog("Reverse a ledger row", [
            FormField("reason", "Reason", "choice", tuple(reasons), required=True, prompt="choose a reason"),
            FormField("note", "Note", placeholder="what happened (needed for 'Other')", max_length=150,
                      validators=(NoCardDataValidator("note"),)),
        ], intro=description, submit="Reverse"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="account-change")
    def reverse(self, entry_id: int, reason: str, note: str) -> None:
        from duty_tui.areas.payments.services.reversals import reverse_entry

        try:
            done = reverse_entry(self.duty_app.ctx, entry_id, reason, note or None)
        except DutyError as exc:
            self.post_message(Done("\n".join(getattr(exc, "problems", None) or [exc.message]), reload=False))
            return
        self.post_message(Done(f"Reversed #{entry_id} with row #{done.entry_id}; balance now "
                               f"{format_balance(done.balance_after_pence)}."))

    # ------------------------------------------------------------------ refund
    def action_refund(self) -> None:
        """Request a refund of this account's proven credit."""
        if not self.duty_app.ctx.can("refund.request"):
            self._message("Your role may not request refunds (refund.request).")
            return
        self._message("Checking the credit…")
        self.check_credit()

    @work(thread=True, exclusive=True, exit_on_error=False, group="account-change")
    def check_credit(self) -> None:
        from duty_tui.areas.payments.services.refunds import refund_position

        position = refund_position(self.duty_app.ctx, self.account_ref)
        self.post_message(self.CreditChecked(position))

    @dataclass
    class CreditChecked(Message):
        """How much of the account's credit may be refunded."""

        position: Any

    @on(CreditChecked)
    def _credit_checked(self, message: CreditChecked) -> None:
        self._ask_refund(message.position)

    def _ask_refund(self, position) -> None:
        if position.available_pence <= 0:
            self._message(f"No refund possible: credit {format_pence(position.credit_now_pence)}, proven "
                          f"{format_pence(position.proven_pence)}, already requested "
                          f"{format_pence(position.requested_pence)}.")
            return
        rules = load_policy(self.duty_app.settings.data_dir)
        methods = [(m, rules.method_name(m)) for m in rules.refund_methods]
        text = (f"Credit {format_pence(position.credit_now_pence)}; proven against the ledger "
                f"{format_pence(position.proven_pence)}; already requested {format_pence(position.requested_pence)}; "
                f"up to {format_pence(position.available_pence)} may be refunded.")
        key = uuid.uuid4().hex

        def answered(form: RefundForm | None) -> None:
            if form is not None:
                self._message("Requesting…")
                self.request(form, key)
            else:
                self._message("")

        self.app.push_screen(FormDialog(f"Request a refund from {self.account_ref}", [
            FormField("amount", "Amount £", "money", value=position.available_pence, required=True),
            FormField("method", "Paid by", "choice", tuple(methods), value=methods[0][0], required=True),
            FormField("payee", "Payee", value=position.holder, required=True, max_length=120,
                      validators=(NoCardDataValidator("payee"),)),
            FormField("reason", "Reason", placeholder="why (e.g. tenancy ended, HB overpaid)", required=True,
                      max_length=200, validators=(NoCardDataValidator("reason"),)),
        ], intro=text + " No cash refunds; another person must authorise.", submit="Request",
            result=lambda v: RefundForm(v["amount"], v["method"], v["payee"], v["reason"])), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="account-change")
    def request(self, form: RefundForm, key: str) -> None:
        from duty_tui.areas.payments.services.refunds import request_refund

        try:
            refund = request_refund(self.duty_app.ctx, self.account_ref, form.amount_pence, form.method, form.payee,
                                    form.reason, idempotency_key=key)
        except DutyError as exc:
            self.post_message(Done("\n".join(getattr(exc, "problems", None) or [exc.message]), reload=False))
            return
        self.post_message(Done(f"Refund {refund.ref} of {format_pence(refund.amount_pence)} "
                               "requested; another person must authorise it.", reload=False))

    # ------------------------------------------------------------------ arrangements
    def action_direct_debits(self) -> None:
        """This account's direct debit mandates."""
        from duty_tui.areas.payments.tui.direct_debits import DirectDebitsScreen

        self.app.push_screen(DirectDebitsScreen(self.account_ref))

    def action_arrangements(self) -> None:
        """Open this account's arrangements."""
        from duty_tui.areas.payments.tui.arrangements import ArrangementsScreen

        self.app.push_screen(ArrangementsScreen(self.account_ref))
