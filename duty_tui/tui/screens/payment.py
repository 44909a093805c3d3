"""F5: take a payment — for the person on screen, or any account found by ref, person ref or name.

The posting key is made when the form opens: pressing F9 twice, or posting again
after a timeout, returns the first receipt instead of posting twice. A failed post
keeps everything typed. No card number or security code is accepted anywhere.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from duty_tui.domain.money import format_balance, format_pence, parse_pounds
from duty_tui.domain.payments import AccountBalance, SplitLine, check_split, parse_split, suggest_split
from duty_tui.domain.validators import parse_date
from duty_tui.errors import DatabaseUnavailable, DutyError, EnvironmentProblem
from duty_tui.payments_reference import load_policy
from duty_tui.services.payments import AccountLookup, PayableAccount, PaymentRequest, ReceiptView
from duty_tui.tui.dialogs.confirm import ConfirmDialog
from duty_tui.tui.dialogs.payments_forms import DateValidator, MoneyValidator, NoCardDataValidator
from duty_tui.tui.drafts import DraftForm, collect_values
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.kit.person_picker import PersonPicker
from duty_tui.tui.text import plain
from duty_tui.tui.kit.list_table import Column, ListRow, ListTable

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


PALETTE = (
    ("Payments: cash up my till", "Count my till for today (c on the list)", "open('cashup')"),
    ("Payments: cash-ups to sign off", "Cash-ups waiting for a second person (o on the list)", "open('signoff')"),
    ("Payments: suspense", "Move unmatched money to the right account (u on the list)", "open('suspense')"),
    ("Payments: refunds to authorise", "Refund requests waiting for a decision (r on the list)", "open('refunds')"),
    ("Payments: broken arrangements", "Arrangements that are behind (b on the list)", "open('broken')"),
    ("Payments: open the highlighted account", "Statement, reversals, refunds, arrangements (v)", "view_account"),
    ("Payments: post the payment", "Check, confirm and post (F9)", "post"),
)


class PaymentCommands(Provider):
    """Every payments action in the command palette (ctrl+p) while the payment screen is open."""

    async def discover(self) -> Hits:
        for name, help_text, action in PALETTE:
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in PALETTE:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)

    def _runner(self, action: str):
        screen = self.screen

        async def run() -> None:
            await screen.run_action(action)

        return run


class TakePaymentScreen(DraftForm, DutyScreen):
    """Take a payment: choose the account(s), amount and method, confirm, get a receipt."""

    COMMANDS = {PaymentCommands}

    SCOPE_NAME = "payment"
    TITLE = "Take a payment"
    DEFAULT_CSS = """
    TakePaymentScreen .pay-row { height: 1; margin: 0 1; }
    TakePaymentScreen .pay-row Label { padding: 0 1 0 0; }
    TakePaymentScreen #payer-picker { margin: 0 1; }
    TakePaymentScreen #pay-people { max-height: 5; }
    TakePaymentScreen #pay-status { height: auto; color: $text-muted; }
    TakePaymentScreen #pay-accounts { height: 7; margin: 0 1; }
    TakePaymentScreen #pay-amount { width: 12; }
    TakePaymentScreen #pay-method { width: 1fr; }
    TakePaymentScreen #pay-till { width: 12; }
    TakePaymentScreen #pay-last4 { width: 7; }
    TakePaymentScreen #pay-terminal { width: 1fr; }
    TakePaymentScreen #pay-cheque { width: 10; }
    TakePaymentScreen #pay-paid-by { width: 1fr; }
    TakePaymentScreen #pay-reference { width: 1fr; }
    TakePaymentScreen #pay-date { width: 12; }
    TakePaymentScreen #pay-split { width: 1fr; }
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
        with Horizontal(classes="pay-row"):
            yield Label("Amount £")
            yield Input(id="pay-amount", max_length=12, compact=True, placeholder="0.00",
                        validators=[MoneyValidator(rules.counter_limit_pence)])
            yield Label(" Method")
            yield Select([(m.name, m.code) for m in rules.form_methods.values()], id="pay-method", compact=True,
                         value=next(iter(rules.form_methods)), allow_blank=False)
        with Horizontal(classes="pay-row"):
            yield Label("Till")
            yield Select([(t, t) for t in rules.tills], id="pay-till", compact=True, value=rules.tills[0],
                         allow_blank=False)
            yield Label(" Card last 4")
            yield Input(id="pay-last4", max_length=8, compact=True, placeholder="1234",
                        validators=[NoCardDataValidator("card last four")])
            yield Label(" Terminal ref")
            yield Input(id="pay-terminal", max_length=40, compact=True, placeholder="auth code from slip/gateway",
                        validators=[NoCardDataValidator("terminal/gateway reference")])
        with Horizontal(classes="pay-row"):
            yield Label("Cheque no")
            yield Input(id="pay-cheque", max_length=12, compact=True, placeholder="100234")
            yield Label(" Paid by")
            yield Input(id="pay-paid-by", max_length=120, compact=True, placeholder="if not the holder",
                        validators=[NoCardDataValidator("paid by")])
            yield Label(" Ref")
            yield Input(id="pay-reference", max_length=64, compact=True, validators=[NoCardDataValidator("reference")])
        with Horizontal(classes="pay-row"):
            yield Label("Date")
            yield Input(id="pay-date", max_length=10, compact=True, placeholder="today",
                        validators=[DateValidator(optional=True)])
            yield Label(" Split")
            yield Input(id="pay-split", max_length=200, compact=True,
                        placeholder="blank = all to the highlighted account; or RNT000001 60, FTA000001 40")
        yield Static("", id="pay-paying")
        yield Static("", id="pay-message")
        yield Static("Enter/F9 post · / find · on the list: v account, a split, c cash-up · F1 keys", id="pay-hint")
        yield Footer()

    @property
    def rules(self):
        """The payments policy (data/payments.toml)."""
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
        from duty_tui.services.payments import find_payable_accounts

        try:
            found = find_payable_accounts(self.duty_app.ctx, person_ref=person_ref, query=query)
        except DutyError as exc:
            self.app.call_from_thread(self._status, exc.message)
            return
        self.app.call_from_thread(self._show_accounts, found)

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

    def _message(self, text: str) -> None:
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
    @on(Input.Submitted, "#pay-amount")
    @on(Input.Submitted, "#pay-last4")
    @on(Input.Submitted, "#pay-terminal")
    @on(Input.Submitted, "#pay-cheque")
    @on(Input.Submitted, "#pay-paid-by")
    @on(Input.Submitted, "#pay-reference")
    @on(Input.Submitted, "#pay-date")
    @on(Input.Submitted, "#pay-split")
    def _enter_in_the_form(self) -> None:
        """Enter anywhere in the form does what F9 does (and asks to confirm: a second Enter posts nothing)."""
        self.action_post()

    @on(Select.Changed, "#pay-method")
    def _method_changed(self) -> None:
        choice = self.rules.form_methods.get(str(self.query_one("#pay-method", Select).value))
        if choice is None:
            return
        card = choice.method == "card"
        self.query_one("#pay-till", Select).disabled = not choice.counter
        self.query_one("#pay-last4", Input).disabled = not card
        self.query_one("#pay-terminal", Input).disabled = not card
        self.query_one("#pay-cheque", Input).disabled = choice.method != "cheque"
        self.query_one("#pay-date", Input).disabled = choice.counter

    def _value(self, selector: str) -> str:
        widget = self.query_one(selector, Input)
        return "" if widget.disabled else widget.value

    def action_auto_split(self) -> None:
        """Fill the split from the amount: owed balances first, in the policy's order."""
        try:
            pence = parse_pounds(self.query_one("#pay-amount", Input).value)
        except ValueError as exc:
            self._message(f"Type the amount first: {exc}")
            self.query_one("#pay-amount", Input).focus()
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
        """The payment as typed, checked as the service will check it; None (and a message) when wrong."""
        from duty_tui.services.payments import check_payment_request

        rules = self.rules
        problems: list[str] = []
        try:
            pence = parse_pounds(self.query_one("#pay-amount", Input).value, limit_pence=rules.counter_limit_pence)
        except ValueError as exc:
            self._message(str(exc))
            self.query_one("#pay-amount", Input).focus()
            return None
        split_text = self._value("#pay-split").strip()
        if split_text:
            try:
                lines = check_split(pence, parse_split(split_text), [a.ref for a in self.accounts if not a.closed])
            except ValueError as exc:
                self._message(str(exc))
                self.query_one("#pay-split", Input).focus()
                return None
        else:
            account = self.highlighted()
            if account is None:
                self._message("Choose the account first: find it, then highlight it in the list.")
                self.query_one("#pay-find", Input).focus()
                return None
            lines = [SplitLine(account.ref, pence)]
        effective: date | None = None
        if self._value("#pay-date").strip():
            try:
                effective = parse_date(self._value("#pay-date"))
            except ValueError as exc:
                problems.append(str(exc))
        request = PaymentRequest(
            idempotency_key=self.idempotency_key, form_method=str(self.query_one("#pay-method", Select).value),
            lines=tuple(lines), till_code=None if self.query_one("#pay-till", Select).disabled
            else str(self.query_one("#pay-till", Select).value),
            card_last4=self._value("#pay-last4") or None, terminal_ref=self._value("#pay-terminal") or None,
            cheque_no=self._value("#pay-cheque") or None, reference=self._value("#pay-reference") or None,
            paid_by=self._value("#pay-paid-by") or None, effective_date=effective, person_ref=self.person_ref)
        try:
            check_payment_request(rules, request, self.duty_app.ctx.today())
        except DutyError as exc:
            problems.extend(getattr(exc, "problems", [exc.message]))
        if problems:
            self._message("\n".join(problems))
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

    @work(thread=True, exclusive=True, exit_on_error=False, group="payment-post")
    def post(self, request: PaymentRequest) -> None:
        from duty_tui.services.payments import take_payment

        try:
            receipt = take_payment(self.duty_app.ctx, request)
        except DatabaseUnavailable as exc:
            # The database went away: post this confirmed payment when it answers (same key: once only).
            self.app.call_from_thread(self._wait_for_database, exc.message)
            return
        except EnvironmentProblem as exc:
            # The database did not answer: the payment may or may not have been committed.
            self.app.call_from_thread(self._unsure, exc.message)
            return
        except DutyError as exc:
            self.app.call_from_thread(self._failed, getattr(exc, "problems", None) or [exc.message])
            return
        except BaseException:
            self.app.call_from_thread(self._post_crashed)
            raise
        self.app.call_from_thread(self._posted, receipt)

    _confirmed: PaymentRequest | None = None

    def _wait_for_database(self, message: str) -> None:
        self._posting = False
        self._message(f"{message}\nThe payment you confirmed is kept and will be posted as soon as the database "
                      "answers — once only, whatever happens. Keep the customer's card slip.")
        self.duty_app.retry_when_database_back(message, self._database_back)

    def _database_back(self) -> None:
        if self.is_mounted and self._confirmed is not None and not self._posting:
            self._posting = True
            self._message("The database is back: posting the payment you confirmed…")
            self.post(self._confirmed)


        self._posting = False
        self._message("The payment may not have been posted. Press F9 again: it will never be posted twice.")

    def _unsure(self, message: str) -> None:
        self._posting = False
        self._message(f"{message}\nThe payment may not have been posted. Press F9 again when the database answers: "
                      "the same payment is never posted twice.")

    def _failed(self, problems: list[str]) -> None:
        self._posting = False
        self._message("\n".join(problems) + "\nNothing was posted; fix it and press F9 again.")

    def _posted(self, receipt: ReceiptView) -> None:
        from duty_tui.tui.screens.payment_receipt import ReceiptScreen

        self._posting = False
        self._confirmed = None
        self.idempotency_key = uuid.uuid4().hex  # the next payment is a new one
        for selector in TYPED_FIELDS:
            self.query_one(selector, Input).value = ""
        self._message("")
        note = " (already posted: this is the same payment)" if receipt.replayed else ""
        self._status(f"Receipt {receipt.label} for {format_pence(receipt.total_pence)}{note}.")
        keep = self.highlighted().ref if self.highlighted() else None
        self.refresh_accounts(keep)
        self.app.push_screen(ReceiptScreen(receipt))

    @work(thread=True, exclusive=True, exit_on_error=False, group="payment-lookup")
    def refresh_accounts(self, keep_ref: str | None) -> None:
        from duty_tui.services.payments import find_payable_accounts

        if self.person_ref:
            found = find_payable_accounts(self.duty_app.ctx, person_ref=self.person_ref)
        elif keep_ref:
            found = find_payable_accounts(self.duty_app.ctx, query=keep_ref)
        else:
            return
        self.app.call_from_thread(self._show_accounts, found, keep_ref or "")

    # ------------------------------------------------------------------ drafts
    DRAFT_KIND = "payment"
    CARD_FIELDS = ("pay-last4", "pay-terminal")

    def dirty(self) -> bool:
        """A payment half typed (and not yet posted)."""
        return self._typed()

    def draft_title(self) -> str:
        account = self.highlighted()
        return f"Payment (not posted) to {account.ref if account else self.account_ref or 'an account not chosen'}"

    def draft_args(self) -> dict:
        account = self.highlighted()
        return {"person_ref": self.person_ref, "account_ref": account.ref if account else self.account_ref}

    def draft_values(self) -> dict:
        """What was typed, never card data: the card fields are left out, and any field holding what
        looks like a card number or security code is dropped (PCI DSS: never stored, not even here)."""
        from duty_tui.domain.payments import check_no_card_data

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
        from duty_tui.tui.drafts import apply_values

        values = dict(values)
        self.idempotency_key = values.pop("_idempotency_key", None) or self.idempotency_key
        apply_values(self, {k: v for k, v in values.items() if k != "pay-find" and v not in (None, "")})
        self._message("This payment was kept as a draft and has NOT been posted. Check it, retype the card "
                      "details if any, and press F9.")

    # ------------------------------------------------------------------ elsewhere
    def _typed(self) -> bool:
        return any(self.query_one(s, Input).value.strip() for s in TYPED_FIELDS)

    def action_close(self) -> None:
        """Close, asking first if a payment is half typed."""
        if self._posting:
            self._message("Posting… wait for the receipt before closing.")
            return
        if not self._typed():
            self.app.pop_screen()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.pop_screen()

        self.app.push_screen(ConfirmDialog("Discard this payment? What you typed will be lost.",
                                           yes="Yes, discard", no="No, keep it"), answered)

    def action_view_account(self) -> None:
        """Open the highlighted account's statement (reverse, refund, arrangements from there)."""
        from duty_tui.tui.screens.payment_account import AccountScreen

        account = self.highlighted()
        if account is None:
            self._message("Highlight an account in the list first.")
            return
        self.app.push_screen(AccountScreen(account.ref))

    def action_open(self, what: str) -> None:
        """Open another payments screen: cash-up, sign-off, suspense, refunds, broken arrangements."""
        if what == "cashup":
            from duty_tui.tui.screens.payment_cashup import CashUpScreen

            self.app.push_screen(CashUpScreen())
        elif what == "signoff":
            from duty_tui.tui.screens.payment_signoff import CashUpSignOffScreen

            self.app.push_screen(CashUpSignOffScreen())
        elif what == "suspense":
            from duty_tui.tui.screens.payment_suspense import SuspenseScreen

            self.app.push_screen(SuspenseScreen())
        elif what == "refunds":
            from duty_tui.tui.screens.payment_refunds import RefundsScreen

            self.app.push_screen(RefundsScreen())
        elif what == "broken":
            from duty_tui.tui.screens.payment_arrangements import ArrangementsScreen

            self.app.push_screen(ArrangementsScreen(None))

    def on_worker_error(self, error: BaseException | None) -> None:
        self._posting = False
        super().on_worker_error(error)
