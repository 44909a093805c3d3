"""Taking a payment: every check that needs no database, then the posting — receipt numbers gap-free
per office, the same key never posted twice, no counter payment into a till already cashed up.

The rest of the payment desk lives beside it: finding accounts (``accounts``), receipts
(``receipts``), reversals (``reversals``), statements (``statements``), arrangements, refunds,
cash-up and imports.

Every use case is one function, one transaction, permission checked first, audit
event in the same transaction. Money is integer pence; the ledger is append-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from duty_tui.areas.payments.db.models import Payment
from duty_tui.areas.payments.domain.reference import PaymentsPolicy
from duty_tui.areas.payments.domain.rules import (
    SplitLine,
    check_no_card_data,
    clean_cheque_no,
    clean_free_text,
    clean_last4,
    clean_terminal_ref,
)
from duty_tui.areas.payments.services.cashup import counter_closed
from duty_tui.areas.payments.services.common import (
    account_by_ref,
    balances,
    clean_ref,
    office_for,
    policy,
    require_open,
    stored_id,
    take_receipt_number,
)
from duty_tui.areas.payments.services.receipts import ReceiptLine, ReceiptView, replay_payment
from duty_tui.areas.payments.services.words import receipt_label
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Person
from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account
from duty_tui.core.services.context import ServiceContext


@dataclass(frozen=True)
class PaymentRequest:
    """What the take-payment form sends. ``idempotency_key`` is made when the form opens."""

    idempotency_key: str
    form_method: str
    lines: tuple[SplitLine, ...]
    till_code: str | None = None
    card_last4: str | None = None
    terminal_ref: str | None = None
    cheque_no: str | None = None
    reference: str | None = None
    paid_by: str | None = None
    effective_date: date | None = None
    person_ref: str | None = None


@dataclass(frozen=True)
class CheckedPayment:
    """A request that passed every check that needs no database."""

    method: str
    channel: str
    lines: tuple[SplitLine, ...]
    total_pence: int
    till_code: str | None
    card_last4: str | None
    terminal_ref: str | None
    cheque_no: str | None
    reference: str | None
    paid_by: str | None
    effective_date: date
    ledger_kind: str


def _method_details(method: str, request: PaymentRequest,
                    problems: list[str]) -> tuple[str | None, str | None, str | None]:
    """(card last four, terminal reference, cheque number) as the method needs them; a problem with any of
    them (or one given for another method, or anything that looks like card data) is added to ``problems``."""
    card_last4 = terminal_ref = cheque_no = None
    if method == "card":
        try:
            card_last4 = clean_last4(request.card_last4)
        except ValueError as exc:
            problems.append(str(exc))
        try:
            terminal_ref = clean_terminal_ref(request.terminal_ref)
        except ValueError as exc:
            problems.append(str(exc))
    else:
        for label, value in (("card last four", request.card_last4),
                             ("terminal/gateway reference", request.terminal_ref)):
            if (value or "").strip():
                try:
                    check_no_card_data(label, value)
                    problems.append(f"{label} is only for card payments; clear it")
                except ValueError as exc:
                    problems.append(str(exc))
    if method == "cheque":
        try:
            cheque_no = clean_cheque_no(request.cheque_no)
        except ValueError as exc:
            problems.append(str(exc))
    elif (request.cheque_no or "").strip():
        try:
            check_no_card_data("cheque number", request.cheque_no)
            problems.append("cheque number is only for cheques; clear it")
        except ValueError as exc:
            problems.append(str(exc))
    return card_last4, terminal_ref, cheque_no


def check_payment_request(rules: PaymentsPolicy, request: PaymentRequest, today: date) -> CheckedPayment:
    """Every check on a payment that needs no database; InputError lists each problem."""
    problems: list[str] = []
    key = (request.idempotency_key or "").strip()
    if not 8 <= len(key) <= 64:
        problems.append("the payment form has no posting key; close it and open it again")
    choice = rules.form_methods.get(request.form_method)
    if choice is None:
        problems.append(f"method {request.form_method!r} is not one the form offers; choose one from the list")
    lines = tuple(request.lines)
    if not lines:
        problems.append("choose the account the payment is for")
    total = sum(line.amount_pence for line in lines)
    for line in lines:
        if line.amount_pence <= 0:
            problems.append(f"the amount for {line.account_ref} must be more than £0.00")
    if len({line.account_ref for line in lines}) != len(lines):
        problems.append("an account appears twice in the split; give each account once")
    if total > rules.counter_limit_pence:
        problems.append(f"{format_pence(total)} is over the limit of {format_pence(rules.counter_limit_pence)} for "
                        "one payment; take it in parts or ask the income team")
    till = (request.till_code or "").strip().upper() or None
    card_last4 = terminal_ref = cheque_no = None
    effective = request.effective_date or today
    if choice is not None:
        if choice.counter:
            if till is None:
                problems.append("choose the till the money goes into")
            elif till not in rules.tills:
                problems.append(f"till {till!r} is not one of {', '.join(rules.tills)}")
            if effective != today:
                problems.append("a counter payment is dated today (it goes into today's till); clear the date, or "
                                "record money that did not pass the counter with another method")
        else:
            till = None
        card_last4, terminal_ref, cheque_no = _method_details(choice.method, request, problems)
    if effective > today:
        problems.append(f"the date {effective:%d/%m/%Y} is in the future; a payment is dated the day it was received")
    elif effective < today - timedelta(days=rules.backdate_days):
        problems.append(f"the date {effective:%d/%m/%Y} is more than {rules.backdate_days} days ago; ask the income "
                        "team to post older money")
    reference = paid_by = None
    try:
        reference = clean_free_text("reference", request.reference, max_length=64)
    except ValueError as exc:
        problems.append(str(exc))
    try:
        paid_by = clean_free_text("paid by", request.paid_by, max_length=120)
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        raise InputError(problems[0], problems=problems)
    assert choice is not None
    return CheckedPayment(choice.method, choice.channel, lines, total, till, card_last4, terminal_ref, cheque_no,
                          reference, paid_by, effective, rules.methods[choice.method].ledger_kind)


class _AlreadyPosted(Exception):
    """Raised inside the transaction when another post with the same key won the race."""


def take_payment(ctx: ServiceContext, request: PaymentRequest) -> ReceiptView:
    """Post a payment and return its receipt. The same idempotency key never posts twice."""
    actor = ctx.require("payment.take")
    rules = policy(ctx)
    today = ctx.today()
    checked = check_payment_request(rules, request, today)
    key = request.idempotency_key.strip()
    try:
        return _post_payment(ctx, rules, checked, key, request.person_ref, actor.id, today)
    except _AlreadyPosted:
        return replay_payment(ctx, key)


def _post_payment(ctx: ServiceContext, rules: PaymentsPolicy, checked: CheckedPayment, key: str,
                  person_ref: str | None, actor_id: int | None, today: date) -> ReceiptView:
    now = ctx.now()
    with session_scope(ctx.engine, write=True) as session:
        # Reads that need no lock first, so the office row is held for as short a time as possible.
        office = office_for(session, ctx)
        office_id, office_code, office_name = stored_id(office), office.code, office.name
        refs = [line.account_ref for line in checked.lines]
        found = {a.ref: a for a in session.exec(select(Account).where(col(Account.ref).in_(refs))).all()}
        accounts: list[Account] = []
        for ref in refs:
            account = found.get(ref) or account_by_ref(session, ref)  # NotFound names the ref
            require_open(account, today, doing="take the payment")
            accounts.append(account)
        person_id = None
        if person_ref:
            person = session.exec(select(Person).where(Person.ref == clean_ref(person_ref))).first()
            person_id = person.id if person else None

        # Who hears of it (the change notices' reads and statements), before the lock: they go out at the commit.
        for account in accounts:
            record_account(session, account)

        # The "only once" rules are the database's: the receipt number is taken by one statement that
        # also locks the office row to the commit (receipt numbers and cash-ups take turns on it), and
        # the same key posted twice fails at the payment's insert (UNIQUE) and is replayed, never read first.
        receipt_no = take_receipt_number(session, office_id)
        payment = Payment(
            office_id=office_id, receipt_no=receipt_no, idempotency_key=key, business_date=checked.effective_date,
            taken_at=now, taken_by=actor_id, channel=checked.channel, method=checked.method,
            total_pence=checked.total_pence, till_code=checked.till_code, card_last4=checked.card_last4,
            card_status="approved" if checked.method == "card" else None, terminal_ref=checked.terminal_ref,
            cheque_no=checked.cheque_no, paid_by=checked.paid_by, reference=checked.reference, person_id=person_id,
            terminal=ctx.terminal[:128],
        )
        session.add(payment)
        try:
            session.flush()
        except IntegrityError:
            raise _AlreadyPosted() from None
        if checked.till_code is not None:  # after the key (a retry of a payment posted before the cash-up replays)
            closed = counter_closed(session, office_id, checked.till_code, checked.effective_date)
            if closed is not None:
                raise InputError(
                    f"{checked.till_code} was cashed up for {checked.effective_date:%d/%m/%Y} (cash-up {closed.ref}); "
                    "it takes no more counter payments today: use another till, or correct it with a reversal on a "
                    "later day")
        # In account order: each row's trigger locks its account's kept balance to the commit
        # (duty_tui.core.db.kept_balance), so two split payments over the same accounts lock them in
        # the same order and cannot deadlock.
        for line, account in sorted(zip(checked.lines, accounts, strict=True), key=lambda pair: stored_id(pair[1])):
            session.add(LedgerEntry(
                account_id=stored_id(account), effective_date=checked.effective_date, posted_at=now, kind=checked.ledger_kind,
                method=checked.method, amount_pence=-line.amount_pence,
                reference=(checked.reference or checked.terminal_ref or checked.cheque_no),
                receipt_no=receipt_no, office_id=office_id, created_by=actor_id, terminal=ctx.terminal[:64],
                till_code=checked.till_code,
            ))
        session.flush()
        after = balances(session, [stored_id(a) for a in accounts])
        label = receipt_label(office_code, receipt_no)
        audit.record(session, ctx, "payment.take", "payment", label, {
            "total_pence": checked.total_pence, "method": checked.method, "channel": checked.channel,
            "till": checked.till_code, "accounts": {line.account_ref: line.amount_pence for line in checked.lines},
        })
        # The receipt is built from what was just written: no more queries while the lock is held.
        return ReceiptView(
            office_code=office_code, office_name=office_name, receipt_no=receipt_no, taken_at=now,
            business_date=checked.effective_date,
            taken_by=ctx.actor.display_name if ctx.actor else "—", method=checked.method,
            method_name=rules.method_name(checked.method), channel=checked.channel, total_pence=checked.total_pence,
            lines=tuple(ReceiptLine(a.ref, a.account_type, a.holder_name, line.amount_pence, after[stored_id(a)])
                        for line, a in zip(checked.lines, accounts, strict=True)),
            till_code=checked.till_code, card_last4=checked.card_last4, terminal_ref=checked.terminal_ref,
            cheque_no=checked.cheque_no, paid_by=checked.paid_by, reference=checked.reference, replayed=False,
            how_paid=rules.how_paid(checked.method, checked.channel))


__all__ = ["CheckedPayment", "PaymentRequest", "check_payment_request", "take_payment"]
