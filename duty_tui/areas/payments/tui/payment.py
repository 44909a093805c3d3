"""F5: take a payment — for the person on screen, or any account found by ref, person ref or name.

The posting key is made when the form opens: pressing F9 twice, or posting again
after a timeout, returns the first receipt instead of posting twice. A failed post
keeps everything typed. No card number or security code is accepted anywhere.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from duty_tui.areas.payments.domain.reference import load_policy
from duty_tui.areas.payments.domain.rules import (
    AccountBalance,
    SplitLine,
    check_split,
    clean_cheque_no,
    clean_last4,
    clean_terminal_ref,
    parse_split,
    suggest_split,
)
from duty_tui.areas.payments.services.accounts import AccountLookup, PayableAccount
from duty_tui.areas.payments.services.receipts import ReceiptView
from duty_tui.areas.payments.services.taking import PaymentRequest
from duty_tui.areas.payments.tui.payment_commands import PaymentCommands
from duty_tui.core.domain.errors import DatabaseUnavailable, DutyError, EnvironmentProblem
from duty_tui.core.domain.money import format_balance, format_pence, parse_pounds
from duty_tui.core.tui.drafts import DraftForm, collect_values
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.dialogs import ConfirmDialog
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form import Form
from duty_tui.core.tui.kit.form_screen import FormScreen
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.person_picker import PersonPicker
from duty_tui.core.tui.kit.validators import NoCardDataValidator
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

_ACCOUNT_REF = re.compile(r"^[A-Z]{2,4}\d{3,}$")


def _is_account_ref(text: str) -> bool:
    """An account ref typed in full (RNT000123): looked up as the account, not only its holder."""
    compact = text.replace(" ", "").upper()
    return bool(_ACCOUNT_REF.match(compact)) and not compact.startswith("P")

ACCOUNT_COLUMNS = (
    Column("ref", "Account", priority=0, never_cut=True),
    Column("type", "Type", min=8, ideal=16, priority=2),
    Column("holder", "Holder", min=10, ideal=20, priority=1),
    Column("balance", "Balance", priority=0, never_cut=True),
)
"""The payable accounts: the ref and the balance are read whole."""

TYPED_FIELDS = ("#pay-amount", "#pay-last4", "#pay-terminal", "#pay-cheque", "#pay-paid-by", "#pay-reference",
                "#pay-split", "#pay-date")


def _card_only(clean):
    """A domain cleaner (clean_last4, ...) as a field check: what to fix, or None."""
    def check(text: str) -> str | None:
        try:
            clean(text)
        except ValueError as exc:
            return str(exc)
        return None

    return check


class TakePaymentScreen(DraftForm, FormScreen, DutyScreen):
    """Take a payment: choose the account(s), amount and method, confirm, get a receipt."""

    COMMANDS = {PaymentCommands}

    SCOPE_NAME = "payment"
    TITLE = "Take a payment"
    DEFAULT_CSS = """
    TakePaymentScreen .pay-row { height: 1; margin: 0 1; }
    TakePaymentScreen #pay-form { margin: 0 1; }
    TakePaymentScreen .pay-row Label { padding: 0 1 0 0; }
    TakePaymentScreen #payer-picker { margin: 0 1; }
    TakePaymentScreen #pay-people { max-height: 5; }
    TakePaymentScreen #pay-status { height: auto; color: $text-muted; }
    TakePaymentScreen #pay-accounts { height: 7; margin: 0 1; }
    TakePaymentScreen #pay-amount { width: 12; }
    TakePaymentScreen #pay-till { width: 16; }
    TakePaymentScreen #pay-last4 { width: 6; }
    TakePaymentScreen #pay-cheque { width: 10; }
    TakePaymentScreen #pay-date { width: 12; }
    TakePaymentScreen #pay-paying { height: auto; margin: 1 1 0 1; text-style: bold; }
    TakePaymentScreen #pay-message { height: auto; margin: 0 1; color: $error; }
    TakePaymentScreen #pay-hint { height: 1; margin: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("f9", "post", "Post", id="payment-post", tooltip="Check the payment, confirm it and post it"),
        Binding("ctrl+s", "post", "Post", id="payment-post-ctrl", show=False,
                tooltip="Post the payment (the same as F9)"),
        Binding("escape", "close", "Back", id="payment-close",
                tooltip="Close the form (asks first when something is typed)"),
        Binding("slash", "find", "Find", id="payment-find", tooltip="Find an account by ref, person ref or name"),
        Binding("v", "view_account", "Account", id="payment-view-account",
                tooltip="Open the highlighted account: statement, reversals, refunds, arrangements"),
        Binding("a", "auto_split", "Split", id="payment-auto-split",
                tooltip="Split the amount over the accounts that owe, in the policy's order"),
        Binding("c", "open('cashup')", "Cash-up", id="payment-cashup", tooltip="Cash up my till at the end of the day"),
        Binding("o", "open('signoff')", "Sign off", id="payment-signoff", show=False,
                tooltip="Cash-ups waiting for a second person's sign-off"),
        Binding("u", "open('suspense')", "Suspense", id="payment-suspense", show=False,
                tooltip="Unmatched money waiting in suspense"),
        Binding("r", "open('refunds')", "Refunds", id="payment-refunds", show=False,
                tooltip="Refund requests waiting for authorisation"),
        Binding("b", "open('broken')", "Broken plans", id="payment-broken", show=False,
                tooltip="Broken arrangements to chase (income queue)"),
    ]

    def __init__(self, person_ref: str | None = None, account_ref: str | None = None) -> None:
        super().__init__()
        self.person_ref = person_ref
        self.account_ref = account_ref
        self.accounts: list[PayableAccount] = []
        self.idempotency_key = uuid.uuid4().hex
        self._posting = False
        self._last_query = ""

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        rules = self.rules
        yield Header()
        yield PersonPicker(id="payer-picker", query_id="pay-find", results_id="pay-people", status_id="pay-status",
                           limit=10, show_header=False, hide_empty=True,
                           placeholder="Find: account ref, or the payer's name, street, postcode, phone or P ref",
                           hint="Find the account: type its ref (RNT000123), or the payer's name, then Enter.")
        yield ListTable(ACCOUNT_COLUMNS, id="pay-accounts", zebra_stripes=True)
        methods = tuple((m.code, m.name) for m in rules.form_methods.values())
        yield Form([
            FormField("pay-amount", "Amount £", "money", limit_pence=rules.counter_limit_pence, required=True, row="a"),
            FormField("pay-method", "Method", "choice", methods, value=methods[0][0], required=True, row="a"),
            FormField("pay-till", "Till", "choice", tuple((t, t) for t in rules.tills), value=rules.tills[0],
                      required=True, inline=False, row="b"),
            # Only the last four digits, ever: a fifth is refused as it is typed (PCI DSS).
            FormField("pay-last4", "Card last 4", restrict=r"[0-9]{0,4}", max_length=4, placeholder="1234",
                      check=_card_only(clean_last4), row="b"),
            FormField("pay-terminal", "Terminal ref", placeholder="auth code from slip/gateway", max_length=40,
                      validators=(NoCardDataValidator("terminal/gateway reference"),),
                      check=_card_only(clean_terminal_ref), row="b"),
            FormField("pay-cheque", "Cheque no", placeholder="100234", max_length=12,
                      check=_card_only(clean_cheque_no), row="c"),
            FormField("pay-paid-by", "Paid by", placeholder="if not the holder", max_length=120,
                      validators=(NoCardDataValidator("paid by"),), row="c"),
            FormField("pay-reference", "Ref", max_length=64, validators=(NoCardDataValidator("reference"),),
                      row="c"),
            FormField("pay-date", "Date", "date", placeholder="today", row="d"),
            FormField("pay-split", "Split", max_length=200, row="d",
                      placeholder="blank = all to the highlighted account; or RNT000001 60, FTA000001 40"),
        ], labels="inline", id="pay-form")
        yield Static("", id="pay-paying")
        yield Static("", id="pay-message")
        yield Static("F9 post · Enter next · / find · list: v account, a split, c cash-up · F1 keys", id="pay-hint")
        yield DutyFooter()

    @property
    def form(self) -> Form:
        """The payment's fields."""
        return self.query_one("#pay-form", Form)

    @property
    def rules(self):
        """The payments policy (data/payments/payments.toml)."""
        return load_policy(self.duty_app.settings.data_dir)

    def on_mount(self) -> None:
        self._method_changed()
        if self.account_ref:
            self.query_one(PersonPicker).set_query(self.account_ref, search=False)
            self.lookup(None, self.account_ref)
        elif self.person_ref:
            self.lookup(self.person_ref, None)
        else:
            self.query_one("#pay-find", Input).focus()
            self._status("Find the account: type its ref (RNT000123), a person ref or a name, then Enter.")

    # ------------------------------------------------------------------ finding accounts
    def action_find(self) -> None:
        """Put the cursor in the find box."""
        self.query_one("#pay-find", Input).focus()

    @on(PersonPicker.Chosen, "#payer-picker")
    def _payer_chosen(self, event: PersonPicker.Chosen) -> None:
        """The payer chosen: their accounts (an account ref typed in full: that account highlighted)."""
        event.stop()
        self.query_one(PersonPicker).clear_results()
        self._status(f"Looking up {event.query or event.ref!r}…")
        if _is_account_ref(event.query):
            self.lookup(None, event.query)
        else:
            self.lookup(event.ref, None)

    @on(PersonPicker.NoneFound, "#payer-picker")
    def _no_payer(self, event: PersonPicker.NoneFound) -> None:
        """No person found: an account ref still finds its account (a suspense or tenancy-only account)."""
        event.stop()
        if _is_account_ref(event.query):
            self._status(f"Looking up {event.query!r}…")
            self.lookup(None, event.query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="payment-lookup")
    def lookup(self, person_ref: str | None, query: str | None) -> None:
        from duty_tui.areas.payments.services.accounts import find_payable_accounts

        try:
            found = find_payable_accounts(self.duty_app.ctx, person_ref=person_ref, query=query)
        except DutyError as exc:
            self.post_message(self.AccountsFound(None, not_found=exc.message))
            return
        self.post_message(self.AccountsFound(found))

    @dataclass
    class AccountsFound(Message):
        """The accounts a lookup found (``keep_ref``: a reload keeps the cursor on that account)."""

        found: AccountLookup | None
        keep_ref: str | None = None
        not_found: str = ""

    @on(AccountsFound)
    def _accounts_found(self, message: AccountsFound) -> None:
        if message.found is None:
            self._status(message.not_found)
        else:
            self._show_accounts(message.found, message.keep_ref)

    def _show_accounts(self, found: AccountLookup, keep_ref: str | None = None) -> None:
        self.accounts = found.accounts
        if found.person_ref:
            self.person_ref = found.person_ref
        table = self.query_one("#pay-accounts", ListTable)
        table.set_rows([ListRow(account.ref, {
            "ref": account.ref, "type": account.type_name, "holder": account.holder,
            "balance": format_balance(account.balance_pence) + (" CLOSED" if account.closed else "")})
            for account in found.accounts], keep=keep_ref or self.account_ref)
        self._status(found.message)
        if found.accounts:
            if keep_ref is None:
                table.focus()
        self._show_paying()

    def _status(self, text: str) -> None:
        self.query_one(PersonPicker).say(text)

    _message_text = ""
    _message_stays = False

    def _message(self, text: str, *, stays: bool = False) -> None:
        """The line under the form; a message about what was typed goes when the typing changes, unless it ``stays``."""
        self._message_text = text
        self._message_stays = stays
        self.query_one("#pay-message", Static).update(plain(text))

    def highlighted(self) -> PayableAccount | None:
        """The account under the list's cursor."""
        ref = self.query_one("#pay-accounts", ListTable).current_key
        return next((a for a in self.accounts if a.ref == ref), None)

    @on(DataTable.RowHighlighted, "#pay-accounts")
    def _highlighted(self) -> None:
        self._show_paying()

    @on(DataTable.RowSelected, "#pay-accounts")
    def _chosen(self) -> None:
        self._show_paying()
        self.query_one("#pay-amount", Input).focus()

    def _show_paying(self) -> None:
        account = self.highlighted()
        paying = self.query_one("#pay-paying", Static)
        if account is None:
            paying.update("")
            return
        text = f"Paying {account.ref} ({account.type_name}) {account.holder}: {format_balance(account.balance_pence)}"
        if account.closed:
            text += " — CLOSED: choose an open account"
        paying.update(plain(text))

    # ------------------------------------------------------------------ the form
    @on(Form.Submitted, "#pay-form")
    def _enter_in_the_last_field(self, event: Form.Submitted) -> None:
        """Enter in the last field does what F9 does (the one form rule), asking to confirm first."""
        event.stop()
        self.action_post()

    @on(Choice.Changed, "#pay-method")
    def _method_changed(self) -> None:
        choice = self.rules.form_methods.get(str(self.query_one("#pay-method", Choice).value))
        if choice is None:
            return
        card = choice.method == "card"
        self.query_one("#pay-till", Choice).disabled = not choice.counter
        self.query_one("#pay-last4", Input).disabled = not card
        self.query_one("#pay-terminal", Input).disabled = not card
        self.query_one("#pay-cheque", Input).disabled = choice.method != "cheque"
        self.query_one("#pay-date", Input).disabled = choice.counter

    @on(Input.Changed, "#pay-form Input")
    @on(Choice.Changed, "#pay-form Choice")
    def _typing_clears_the_message(self) -> None:
        # A message about what was typed goes as soon as the typing changes (the field's own stays until fixed).
        if not self._posting and self._message_text and not self._message_stays:
            self._message("")

    def _value(self, selector: str) -> str:
        widget = self.query_one(selector, Input)
        return "" if widget.disabled else widget.value

    def action_auto_split(self) -> None:
        """Fill the split from the amount: owed balances first, in the policy's order."""
        try:
            pence = parse_pounds(self.query_one("#pay-amount", Input).value)
        except ValueError as exc:
            self.form.show_problems({"pay-amount": f"type the amount first: {exc}"})
            return
        open_accounts = [AccountBalance(a.ref, a.account_type, a.balance_pence) for a in self.accounts if not a.closed]
        try:
            parts = suggest_split(pence, open_accounts, self.rules.split_priority)
        except ValueError as exc:
            self._message(str(exc))
            return
        self.query_one("#pay-split", Input).value = ", ".join(
            f"{p.account_ref} {p.amount_pence // 100}.{p.amount_pence % 100:02d}" for p in parts)
        self._message("")

    def _request(self) -> PaymentRequest | None:
        """The payment as typed, checked as the service will check it; None (and messages) when wrong.

        What is wrong with one field is said beside it; what is wrong with the payment as a whole
        (no account chosen, the service's checks) under the form.
        """
        from duty_tui.areas.payments.services.taking import check_payment_request

        rules = self.rules
        form = self.form
        if form.validate():
            return None
        pence = form.parsed()["pay-amount"]
        split_text = self._value("#pay-split").strip()
        if split_text:
            try:
                lines = check_split(pence, parse_split(split_text), [a.ref for a in self.accounts if not a.closed])
            except ValueError as exc:
                form.show_problems({"pay-split": str(exc)})
                return None
        else:
            account = self.highlighted()
            if account is None:
                self._message("Choose the account first: find it, then highlight it in the list.")
                self.query_one("#pay-find", Input).focus()
                return None
            lines = [SplitLine(account.ref, pence)]
        till = self.query_one("#pay-till", Choice)
        request = PaymentRequest(
            idempotency_key=self.idempotency_key, form_method=str(self.query_one("#pay-method", Choice).value),
            lines=tuple(lines), till_code=None if till.disabled else till.value,
            card_last4=self._value("#pay-last4") or None, terminal_ref=self._value("#pay-terminal") or None,
            cheque_no=self._value("#pay-cheque") or None, reference=self._value("#pay-reference") or None,
            paid_by=self._value("#pay-paid-by") or None,
            effective_date=None if self.query_one("#pay-date", Input).disabled else form.parsed()["pay-date"],
            person_ref=self.person_ref)
        try:
            check_payment_request(rules, request, self.duty_app.ctx.today())
        except DutyError as exc:
            self._message("\n".join(getattr(exc, "problems", [exc.message])))
            return None
        return request

    def action_post(self) -> None:
        """Check, confirm, then post (never twice: the key stays until a receipt comes back)."""
        if self._posting:
            self._message("Posting… wait for the receipt.")
            return
        request = self._request()
        if request is None:
            return
        self._message("")
        choice = self.rules.form_methods[request.form_method]
        total = sum(line.amount_pence for line in request.lines)
        where = f" into {request.till_code}" if request.till_code else ""
        parts = ", ".join(f"{format_pence(line.amount_pence)} to {line.account_ref}" for line in request.lines)
        question = f"Take {format_pence(total)} — {choice.name}{where}?\n{parts}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._posting = True
                self._message("Posting…")
                self._confirmed = request
                self.post(request)

        self.app.push_screen(ConfirmDialog(question, yes="Yes, post it", no="No, go back"), answered)

    @dataclass
    class PostOutcome(Message):
        """How a confirmed payment's post ended: a receipt, or why not."""

        receipt: ReceiptView | None = None
        waiting: str = ""  # the database went away: posted (once) when it answers
        unsure: str = ""  # the database did not answer: it may or may not have been committed
        refused: list[str] = field(default_factory=list)

    @work(thread=True, exclusive=True, exit_on_error=False, group="payment-post")
    def post(self, request: PaymentRequest) -> None:
        from duty_tui.areas.payments.services.taking import take_payment

        try:
            receipt = take_payment(self.duty_app.ctx, request)
        except DatabaseUnavailable as exc:
            self.post_message(self.PostOutcome(waiting=exc.message))
        except EnvironmentProblem as exc:
            self.post_message(self.PostOutcome(unsure=exc.message))
        except DutyError as exc:
            self.post_message(self.PostOutcome(refused=list(getattr(exc, "problems", None) or [exc.message])))
        else:
            self.post_message(self.PostOutcome(receipt=receipt))

    _confirmed: PaymentRequest | None = None

    @on(PostOutcome)
    def _post_outcome(self, outcome: PostOutcome) -> None:
        self._posting = False
        if outcome.receipt is not None:
            self._posted(outcome.receipt)
        elif outcome.waiting:
            # Post this confirmed payment when the database answers (the same key: once only).
            self._message(f"{outcome.waiting}\nThe payment you confirmed is kept and will be posted as soon as the "
                          "database answers — once only, whatever happens. Keep the customer's card slip.", stays=True)
            self.duty_app.retry_when_database_back(outcome.waiting, self._database_back)
        elif outcome.unsure:
            self._message(f"{outcome.unsure}\nThe payment may not have been posted. Press F9 again when the database "
                          "answers: the same payment is never posted twice.", stays=True)
        else:
            self._message("\n".join(outcome.refused) + "\nNothing was posted; fix it and press F9 again.")

    def _database_back(self) -> None:
        if self.is_mounted and self._confirmed is not None and not self._posting:
            self._posting = True
            self._message("The database is back: posting the payment you confirmed…", stays=True)
            self.post(self._confirmed)

    def _posted(self, receipt: ReceiptView) -> None:
        from duty_tui.areas.payments.tui.receipt import ReceiptScreen

        self._posting = False
        self._confirmed = None
        self.idempotency_key = uuid.uuid4().hex  # the next payment is a new one
        for selector in TYPED_FIELDS:
            self.query_one(selector, Input).value = ""
        self.form.mark_clean()
        self._message("")
        note = " (already posted: this is the same payment)" if receipt.replayed else ""
        self._status(f"Receipt {receipt.label} for {format_pence(receipt.total_pence)}{note}.")
        keep = self.highlighted().ref if self.highlighted() else None
        self.refresh_accounts(keep)
        self.app.push_screen(ReceiptScreen(receipt))

    @work(thread=True, exclusive=True, exit_on_error=False, group="payment-lookup")
    def refresh_accounts(self, keep_ref: str | None) -> None:
        from duty_tui.areas.payments.services.accounts import find_payable_accounts

        if self.person_ref:
            found = find_payable_accounts(self.duty_app.ctx, person_ref=self.person_ref)
        elif keep_ref:
            found = find_payable_accounts(self.duty_app.ctx, query=keep_ref)
        else:
            return
        self.post_message(self.AccountsFound(found, keep_ref or ""))

    # ------------------------------------------------------------------ drafts
    DRAFT_KIND = "payment"
    CARD_FIELDS = ("pay-last4", "pay-terminal")

    def dirty(self) -> bool:
        """A payment half typed (and not yet posted)."""
        return self.form.dirty()

    def draft_title(self) -> str:
        account = self.highlighted()
        return f"Payment (not posted) to {account.ref if account else self.account_ref or 'an account not chosen'}"

    def draft_args(self) -> dict:
        account = self.highlighted()
        return {"person_ref": self.person_ref, "account_ref": account.ref if account else self.account_ref}

    def draft_values(self) -> dict:
        """What was typed, never card data: the card fields are left out, and any field holding what
        looks like a card number or security code is dropped (PCI DSS: never stored, not even here)."""
        from duty_tui.areas.payments.domain.rules import check_no_card_data

        values = {}
        for key, value in collect_values(self).items():
            if key in self.CARD_FIELDS:
                continue
            if isinstance(value, str):
                try:
                    check_no_card_data(key, value)
                except ValueError:
                    continue
            values[key] = value
        values["_idempotency_key"] = self.idempotency_key
        return values

    def restore_draft(self, values: dict) -> None:
        from duty_tui.core.tui.drafts import apply_values

        values = dict(values)
        self.idempotency_key = values.pop("_idempotency_key", None) or self.idempotency_key
        apply_values(self, {k: v for k, v in values.items() if k != "pay-find" and v not in (None, "")})
        self._message("This payment was kept as a draft and has NOT been posted. Check it, retype the card "
                      "details if any, and press F9.", stays=True)

    # ------------------------------------------------------------------ elsewhere

    DISCARD_QUESTION = "Discard this payment? What you typed will be lost."
    DISCARD_YES = "Yes, discard"
    DISCARD_NO = "No, keep it"

    def action_close(self) -> None:
        """Close, asking first if a payment is half typed."""
        if self._posting:
            self._message("Posting… wait for the receipt before closing.")
            return
        self.leave_form()

    def action_view_account(self) -> None:
        """Open the highlighted account's statement (reverse, refund, arrangements from there)."""
        from duty_tui.areas.payments.tui.account import AccountScreen

        account = self.highlighted()
        if account is None:
            self._message("Highlight an account in the list first.")
            return
        self.app.push_screen(AccountScreen(account.ref))

    def action_open(self, what: str) -> None:
        """Open another payments screen: cash-up, sign-off, suspense, refunds, broken arrangements."""
        if what == "cashup":
            from duty_tui.areas.payments.tui.cashup import CashUpScreen

            self.app.push_screen(CashUpScreen())
        elif what == "signoff":
            from duty_tui.areas.payments.tui.signoff import CashUpSignOffScreen

            self.app.push_screen(CashUpSignOffScreen())
        elif what == "suspense":
            from duty_tui.areas.payments.tui.suspense import SuspenseScreen

            self.app.push_screen(SuspenseScreen())
        elif what == "refunds":
            from duty_tui.areas.payments.tui.refunds import RefundsScreen

            self.app.push_screen(RefundsScreen())
        elif what == "broken":
            from duty_tui.areas.payments.tui.arrangements import ArrangementsScreen

            self.app.push_screen(ArrangementsScreen(None))

    def on_worker_error(self, error: BaseException | None) -> None:
        if self._posting:
            self._message("The payment may not have been posted. Press F9 again: it will never be posted twice.",
                          stays=True)
        self._posting = False
        super().on_worker_error(error)
