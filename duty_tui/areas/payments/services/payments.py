"""Payments: take a payment (receipt numbers gap-free per office, never posted twice),
receipts, reversals, statements, accounts — plus the arrangement queries the person
view and the income queue use.

Every use case is one function, one transaction, permission checked first, audit
event in the same transaction. Money is integer pence; the ledger is append-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from duty_tui.areas.payments.db.models import CashUp, Payment
from duty_tui.areas.payments.domain.reference import PaymentsPolicy
from duty_tui.areas.payments.domain.rules import (
    SplitLine,
    check_no_card_data,
    clean_cheque_no,
    clean_free_text,
    clean_last4,
    clean_terminal_ref,
)
from duty_tui.areas.payments.services.arrangements import (  # noqa: F401  (re-exported for the person view)
    ArrangementStatus,
    arrangement_status_for_person,
    broken_arrangements,
)
from duty_tui.areas.payments.services.common import (
    account_by_ref,
    accounts_of_person,
    balance_of,
    balances,
    by_whom,
    clean_ref,
    holder_person,
    lock_account,
    lock_office,
    office_for,
    person_by_ref,
    policy,
    require_open,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Office, Person, StaffUser
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account, record_account_id
from duty_tui.core.services.context import ServiceContext

ACCOUNT_TYPE_NAMES = {
    "rent": "Rent", "former_tenant": "Former tenant arrears", "rechargeable_repairs": "Rechargeable repairs",
    "court_costs": "Court costs", "service_charge": "Service charge", "suspense": "Suspense",
}
KIND_NAMES = {
    "payment": "Payment", "rent_debit": "Rent", "reversal": "Reversal", "refund": "Refund",
    "housing_benefit": "Housing Benefit", "universal_credit": "Universal Credit", "adjustment": "Adjustment",
    "write_off": "Write-off", "court_costs": "Court costs", "former_tenant_debt": "Former tenant debt",
    "rechargeable_repair": "Rechargeable repair", "service_charge": "Service charge",
    "suspense_transfer": "Moved from suspense",
}
NOT_REVERSIBLE = ("reversal", "suspense_transfer")


def account_type_name(code: str) -> str:
    """'former_tenant' -> 'Former tenant arrears'."""
    return ACCOUNT_TYPE_NAMES.get(code, code.replace("_", " ").capitalize())


def kind_name(code: str) -> str:
    """A ledger row kind as staff say it."""
    return KIND_NAMES.get(code, code.replace("_", " ").capitalize())


def receipt_label(office_code: str, receipt_no: int) -> str:
    """How a receipt number is printed: office code and six digits, e.g. MAIN-000123."""
    return f"{office_code}-{receipt_no:06d}"


# =========================================================================== lookups


@dataclass(frozen=True)
class PayableAccount:
    """An account a payment could go to."""

    ref: str
    account_type: str
    holder: str
    balance_pence: int
    closed: bool
    person_ref: str | None
    person_name: str | None

    @property
    def type_name(self) -> str:
        """The account type as staff say it."""
        return account_type_name(self.account_type)


@dataclass(frozen=True)
class AccountLookup:
    """The accounts found for a person or a search, and a line saying how."""

    accounts: list[PayableAccount]
    message: str
    person_ref: str | None = None
    person_name: str | None = None


def _usual_first(found: list[PayableAccount], split_priority: tuple[str, ...] | list[str]) -> list[PayableAccount]:
    """A person's accounts in the order a payment usually goes: open before closed, then the policy's
    split order (rent first), then ref — so the highlighted first row is the rent account, not court costs."""
    order = {kind: i for i, kind in enumerate(split_priority)}
    return sorted(found, key=lambda a: (a.closed, order.get(a.account_type, len(order)), a.ref))


def _payable(session, accounts: list[Account], today: date) -> list[PayableAccount]:
    sums = balances(session, [a.id for a in accounts])
    out = []
    for account in accounts:
        person = holder_person(session, account)
        out.append(PayableAccount(account.ref, account.account_type, account.holder_name, sums[account.id],
                                  account.closed_on is not None and account.closed_on <= today,
                                  person.ref if person else None,
                                  f"{person.forename} {person.surname}" if person else None))
    return out


_ACCOUNT_REF = re.compile(r"^[A-Z]{2,4}\d{3,}$")


def find_payable_accounts(ctx: ServiceContext, *, person_ref: str | None = None,
                          query: str | None = None) -> AccountLookup:
    """Accounts to take a payment on: a person's, an account ref's holder's, or a search's people's."""
    if not (ctx.can("payment.take") or ctx.can("account.view")):
        ctx.require("payment.take")
    today = ctx.today()
    if person_ref:
        with session_scope(ctx.engine, write=True) as session:
            person = person_by_ref(session, person_ref)
            accounts = [a for a in accounts_of_person(session, person) if a.account_type != "suspense"]
            found = _usual_first(_payable(session, accounts, today), policy(ctx).split_priority)
            audit.record(session, ctx, "account.lookup", "person", person.ref, {"accounts": len(found)})
            name = f"{person.forename} {person.surname}"
            message = (f"{len(found)} account{'s' if len(found) != 1 else ''} for {name} ({person.ref})"
                       if found else f"{name} ({person.ref}) holds no accounts; search by account ref instead")
            return AccountLookup(found, message, person.ref, name)
    wanted = (query or "").strip()
    if len(wanted) < 2:
        raise InputError("type an account ref (e.g. RNT000123), a person ref, or at least two letters of a name")
    compact = clean_ref(wanted)
    if _ACCOUNT_REF.match(compact) and not compact.startswith("P"):
        with session_scope(ctx.engine, write=True) as session:
            account = session.exec(select(Account).where(Account.ref == compact)).first()
            if account is not None:
                person = holder_person(session, account)
                others = []
                if person is not None:
                    others = [a for a in accounts_of_person(session, person)
                              if a.id != account.id and a.account_type != "suspense"]
                # The account asked for stays first; the holder's others follow in the usual order.
                found = (_payable(session, [account], today)
                         + _usual_first(_payable(session, others, today), policy(ctx).split_priority))
                audit.record(session, ctx, "account.lookup", "account", account.ref, {"accounts": len(found)})
                return AccountLookup(found, f"account {account.ref}"
                                     + (f" and the other accounts of {person.forename} {person.surname}"
                                        if len(found) > 1 and person else ""),
                                     person.ref if person else None,
                                     f"{person.forename} {person.surname}" if person else None)
    if re.match(r"^P\d{4,}$", compact):
        return find_payable_accounts(ctx, person_ref=compact)
    from duty_tui.core.services.search import find_people

    hits = find_people(ctx, wanted, limit=10)
    if not hits:
        return AccountLookup([], f"no one found for {wanted!r}; try an account ref, a postcode or a phone number")
    with session_scope(ctx.engine) as session:
        people = {p.ref: p for p in session.exec(select(Person).where(Person.ref.in_([h.ref for h in hits]))).all()}  # type: ignore[attr-defined]
        accounts: list[Account] = []
        seen: set[int] = set()
        for hit in hits:
            person = people.get(hit.ref)
            if person is None:
                continue
            for account in accounts_of_person(session, person):
                if account.id not in seen and account.account_type != "suspense":
                    seen.add(account.id)
                    accounts.append(account)
        found = _payable(session, accounts, today)
    return AccountLookup(found, f"{len(found)} account{'s' if len(found) != 1 else ''} of {len(hits)} "
                                f"{'person' if len(hits) == 1 else 'people'} found for {wanted!r}")


# =========================================================================== take a payment


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
class ReceiptLine:
    """One account a payment went to."""

    account_ref: str
    account_type: str
    holder: str
    amount_pence: int
    balance_after_pence: int


@dataclass(frozen=True)
class ReceiptView:
    """A receipt: everything printed on it."""

    office_code: str
    office_name: str
    receipt_no: int
    taken_at: datetime
    business_date: date
    taken_by: str
    method: str
    method_name: str
    channel: str
    total_pence: int
    lines: tuple[ReceiptLine, ...]
    till_code: str | None = None
    card_last4: str | None = None
    terminal_ref: str | None = None
    cheque_no: str | None = None
    paid_by: str | None = None
    reference: str | None = None
    replayed: bool = False
    reversed_lines: tuple[str, ...] = field(default=())
    how_paid: str = ""
    """The method and where it was taken, as the receipt says it ('Card by phone (gateway)')."""

    @property
    def label(self) -> str:
        """The printed receipt number, e.g. MAIN-000123."""
        return receipt_label(self.office_code, self.receipt_no)


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


def _receipt_view(session, rules: PaymentsPolicy, office: Office, payment: Payment, *, replayed: bool,
                  balances_after: dict[str, int] | None = None) -> ReceiptView:
    rows = session.exec(
        select(LedgerEntry, Account).join(Account, Account.id == LedgerEntry.account_id)
        .where(LedgerEntry.office_id == office.id, LedgerEntry.receipt_no == payment.receipt_no,
               LedgerEntry.reverses_id.is_(None))  # type: ignore[union-attr]
        .order_by(LedgerEntry.id)  # type: ignore[arg-type]
    ).all()
    if balances_after is None:
        now = balances(session, [a.id for _, a in rows])
        balances_after = {a.ref: now[a.id] for _, a in rows}
    reversed_ids = set(session.exec(select(LedgerEntry.reverses_id).where(
        LedgerEntry.reverses_id.in_([e.id for e, _ in rows]))).all()) if rows else set()  # type: ignore[union-attr]
    taker = session.get(StaffUser, payment.taken_by) if payment.taken_by else None
    return ReceiptView(
        office_code=office.code, office_name=office.name, receipt_no=payment.receipt_no, taken_at=payment.taken_at,
        business_date=payment.business_date, taken_by=taker.display_name if taker else "—", method=payment.method,
        method_name=rules.method_name(payment.method), channel=payment.channel, total_pence=payment.total_pence,
        lines=tuple(ReceiptLine(a.ref, a.account_type, a.holder_name, -e.amount_pence, balances_after[a.ref])
                    for e, a in rows),
        till_code=payment.till_code, card_last4=payment.card_last4, terminal_ref=payment.terminal_ref,
        cheque_no=payment.cheque_no, paid_by=payment.paid_by, reference=payment.reference, replayed=replayed,
        reversed_lines=tuple(a.ref for e, a in rows if e.id in reversed_ids),
        how_paid=rules.how_paid(payment.method, payment.channel),
    )


def counter_closed(session, office_id: int, till_code: str, day: date) -> CashUp | None:
    """The first cash-up of this till on this day, if it has been cashed up (no more counter payments)."""
    return session.exec(select(CashUp).where(CashUp.office_id == office_id, CashUp.till_code == till_code,
                                             CashUp.business_date == day).order_by(CashUp.id)).first()  # type: ignore[arg-type]


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
        office_id = office_for(session, ctx).id
        refs = [line.account_ref for line in checked.lines]
        found = {a.ref: a for a in session.exec(select(Account).where(Account.ref.in_(refs))).all()}  # type: ignore[attr-defined]
        accounts: list[Account] = []
        for ref in refs:
            account = found.get(ref) or account_by_ref(session, ref)  # NotFound names the ref
            require_open(account, today, doing="take the payment")
            accounts.append(account)
        person_id = None
        if person_ref:
            person = session.exec(select(Person).where(Person.ref == clean_ref(person_ref))).first()
            person_id = person.id if person else None

        office = lock_office(session, office_id)  # serialises receipt numbers (and cash-ups) for this office
        existing = session.exec(select(Payment).where(Payment.idempotency_key == key)).first()
        if existing is not None:
            return _replayed(session, ctx, rules, existing)
        if checked.till_code is not None:
            closed = counter_closed(session, office.id, checked.till_code, checked.effective_date)
            if closed is not None:
                raise InputError(
                    f"{checked.till_code} was cashed up for {checked.effective_date:%d/%m/%Y} (cash-up {closed.ref}); "
                    "it takes no more counter payments today: use another till, or correct it with a reversal on a "
                    "later day")
        receipt_no = office.next_receipt_no
        office.next_receipt_no = receipt_no + 1
        session.add(office)
        payment = Payment(
            office_id=office.id, receipt_no=receipt_no, idempotency_key=key, business_date=checked.effective_date,
            taken_at=now, taken_by=actor_id, channel=checked.channel, method=checked.method,
            total_pence=checked.total_pence, till_code=checked.till_code, card_last4=checked.card_last4,
            card_status="approved" if checked.method == "card" else None, terminal_ref=checked.terminal_ref,
            cheque_no=checked.cheque_no, paid_by=checked.paid_by, reference=checked.reference, person_id=person_id,
            terminal=ctx.terminal[:128],
        )
        session.add(payment)
        for line, account in zip(checked.lines, accounts, strict=True):
            session.add(LedgerEntry(
                account_id=account.id, effective_date=checked.effective_date, posted_at=now, kind=checked.ledger_kind,
                method=checked.method, amount_pence=-line.amount_pence,
                reference=(checked.reference or checked.terminal_ref or checked.cheque_no),
                receipt_no=receipt_no, office_id=office.id, created_by=actor_id, terminal=ctx.terminal[:64],
                till_code=checked.till_code,
            ))
        try:
            session.flush()
        except IntegrityError:
            raise _AlreadyPosted() from None
        after = balances(session, [a.id for a in accounts])
        label = receipt_label(office.code, receipt_no)
        for account in accounts:
            record_account(session, account)
        audit.record(session, ctx, "payment.take", "payment", label, {
            "total_pence": checked.total_pence, "method": checked.method, "channel": checked.channel,
            "till": checked.till_code, "accounts": {line.account_ref: line.amount_pence for line in checked.lines},
        })
        # The receipt is built from what was just written: no more queries while the lock is held.
        return ReceiptView(
            office_code=office.code, office_name=office.name, receipt_no=receipt_no, taken_at=now,
            business_date=checked.effective_date,
            taken_by=ctx.actor.display_name if ctx.actor else "—", method=checked.method,
            method_name=rules.method_name(checked.method), channel=checked.channel, total_pence=checked.total_pence,
            lines=tuple(ReceiptLine(a.ref, a.account_type, a.holder_name, line.amount_pence, after[a.id])
                        for line, a in zip(checked.lines, accounts, strict=True)),
            till_code=checked.till_code, card_last4=checked.card_last4, terminal_ref=checked.terminal_ref,
            cheque_no=checked.cheque_no, paid_by=checked.paid_by, reference=checked.reference, replayed=False,
            how_paid=rules.how_paid(checked.method, checked.channel))


def replay_payment(ctx: ServiceContext, idempotency_key: str) -> ReceiptView:
    """The receipt already posted under this key (a second Enter, or a retry after a timeout); audited.

    Only someone who may take payments sees a receipt this way (the form that holds the key is theirs)."""
    ctx.require("payment.take")
    rules = policy(ctx)
    with session_scope(ctx.engine, write=True) as session:
        payment = session.exec(select(Payment).where(Payment.idempotency_key == idempotency_key)).first()
        if payment is None:
            raise NotFound("that payment was not posted; post it again")
        return _replayed(session, ctx, rules, payment)


def _replayed(session: Session, ctx: ServiceContext, rules: PaymentsPolicy, payment: Payment) -> ReceiptView:
    """The receipt of a payment posted earlier under the same key, with the replay audited in this transaction."""
    office = session.get(Office, payment.office_id)
    if office is None:  # payment.office_id is a foreign key: only a damaged database gets here
        raise NotFound(f"the office of receipt {payment.receipt_no} is missing; ask the system administrator")
    view = _receipt_view(session, rules, office, payment, replayed=True)
    audit.record(session, ctx, "payment.replay", "payment", view.label, {"total_pence": payment.total_pence})
    return view


def get_receipt(ctx: ServiceContext, receipt_no: int, office_code: str | None = None) -> ReceiptView:
    """A receipt by number, to view or print again."""
    if not (ctx.can("payment.take") or ctx.can("account.view")):
        ctx.require("account.view")
    rules = policy(ctx)
    with session_scope(ctx.engine) as session:
        office = (session.exec(select(Office).where(Office.code == office_code)).first() if office_code
                  else office_for(session, ctx))
        if office is None:
            raise NotFound(f"no office {office_code!r}")
        payment = session.exec(select(Payment).where(Payment.office_id == office.id,
                                                     Payment.receipt_no == receipt_no)).first()
        if payment is None:
            raise NotFound(f"no receipt {receipt_label(office.code, receipt_no)}")
        return _receipt_view(session, rules, office, payment, replayed=False)


# =========================================================================== reversals


@dataclass(frozen=True)
class ReversalView:
    """A reversal posted."""

    entry_id: int
    original_id: int
    account_ref: str
    amount_pence: int
    balance_after_pence: int
    reason: str


def already_reversed(session, entry_id: int, reversal: LedgerEntry) -> ConflictError:
    """The loser's message when a row was reversed first by someone else: who, when, which row."""
    return ConflictError(f"row #{entry_id} was already reversed by "
                         f"{by_whom(session, reversal.created_by, reversal.posted_at)} (reversal row #{reversal.id}); "
                         "nothing was changed", record=f"ledger row #{entry_id}",
                         changed_at=reversal.posted_at)


def reverse_entry(ctx: ServiceContext, entry_id: int, reason_code: str, note: str | None = None) -> ReversalView:
    """Reverse one ledger row: a new row of the opposite amount naming the original and a reason."""
    actor = ctx.require("payment.reverse")
    rules = policy(ctx)
    reason = rules.reversal_reasons.get(reason_code)
    problems = []
    if reason is None:
        problems.append(f"choose a reason for the reversal ({', '.join(rules.reversal_reasons)})")
    try:
        clean_note = clean_free_text("note", note, max_length=150)
    except ValueError as exc:
        problems.append(str(exc))
        clean_note = None
    if reason is not None and reason.needs_note and not clean_note:
        problems.append(f"say why in the note ('{reason.name}' needs one)")
    if problems:
        raise InputError(problems[0], problems=problems)
    assert reason is not None
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        office = lock_office(session, office_for(session, ctx).id)
        original = session.get(LedgerEntry, entry_id)
        if original is None:
            raise NotFound(f"no ledger row #{entry_id}")
        # The office lock serialises one office only: the account's row lock makes a reversal
        # (or a move out of suspense) of the same row from another office wait for this one.
        lock_account(session, original.account_id)
        if original.kind in NOT_REVERSIBLE:
            raise InputError(f"row #{entry_id} is a {kind_name(original.kind).lower()} row, which cannot itself be "
                             "reversed; post the original again instead")
        from duty_tui.areas.payments.db.models import SuspenseAllocation

        moved = session.exec(select(SuspenseAllocation).where(
            (SuspenseAllocation.suspense_entry_id == entry_id) | (SuspenseAllocation.in_entry_id == entry_id))).first()
        if moved is not None:
            raise InputError(f"row #{entry_id} was moved out of suspense by "
                             f"{by_whom(session, moved.allocated_by, moved.allocated_at)}; it cannot be reversed "
                             "here (the money would leave the ledger): ask the income team to correct it")
        done = session.exec(select(LedgerEntry).where(LedgerEntry.reverses_id == entry_id)).first()
        if done is not None:
            raise already_reversed(session, entry_id, done)
        account = session.get(Account, original.account_id)
        till = None
        if original.till_code and original.effective_date == today and original.office_id == office.id:
            # Same day, till not yet cashed up: the reversal comes off that till's expected takings.
            if counter_closed(session, office.id, original.till_code, today) is None:
                till = original.till_code
        text = reason.name + (f": {clean_note}" if clean_note else "")
        row = LedgerEntry(account_id=original.account_id, effective_date=today, posted_at=ctx.now(), kind="reversal",
                          method=original.method, amount_pence=-original.amount_pence, reference=reason.code,
                          office_id=office.id, reverses_id=original.id, created_by=actor.id,
                          terminal=ctx.terminal[:64], till_code=till, reason=text[:200])
        try:
            with session.begin_nested():  # a savepoint: if the database refuses the row, say whose it is
                session.add(row)
                session.flush()
        except IntegrityError:
            # ux_ledger_reverses (one reversal per row) refused it: another reversal of this row
            # was committed first. Say whose, from the row that won.
            done = session.exec(select(LedgerEntry).where(LedgerEntry.reverses_id == entry_id)).first()
            if done is None:
                raise
            raise already_reversed(session, entry_id, done) from None
        after = balance_of(session, original.account_id)
        record_account_id(session, original.account_id)
        audit.record(session, ctx, "payment.reverse", "ledger_entry", original.id, {
            "reversal_id": row.id, "account": account.ref, "amount_pence": original.amount_pence,
            "reason": reason.code, "note": clean_note, "receipt_no": original.receipt_no,
        })
        return ReversalView(row.id, original.id, account.ref, row.amount_pence, after, text)


# =========================================================================== statements


@dataclass(frozen=True)
class StatementRow:
    """One ledger row on a statement, with the running balance."""

    entry_id: int
    effective_date: date
    posted_at: datetime
    kind: str
    method: str | None
    description: str
    amount_pence: int
    balance_pence: int
    receipt: str | None
    reversed_by: int | None
    reverses_id: int | None

    @property
    def can_reverse(self) -> bool:
        """True when this row may still be reversed."""
        return self.reversed_by is None and self.kind not in NOT_REVERSIBLE


@dataclass(frozen=True)
class StatementView:
    """An account's statement for a period."""

    account_ref: str
    account_type: str
    holder: str
    person_ref: str | None
    closed_on: date | None
    start: date
    end: date
    opening_pence: int
    closing_pence: int
    balance_now_pence: int
    rows: tuple[StatementRow, ...]
    office_name: str
    produced_at: datetime

    @property
    def type_name(self) -> str:
        """The account type as staff say it."""
        return account_type_name(self.account_type)


def _describe(rules: PaymentsPolicy, entry: LedgerEntry, office_codes: dict[int, str]) -> str:
    parts = [kind_name(entry.kind)]
    if entry.method and entry.kind not in ("rent_debit",):
        parts.append(rules.method_name(entry.method))
    if entry.reverses_id:
        parts.append(f"of #{entry.reverses_id}")
    if entry.reason:
        parts.append(entry.reason)
    elif entry.reference and entry.kind != "payment":
        parts.append(entry.reference)
    if entry.external_id:
        parts.append(f"ref {entry.external_id}")
    return " · ".join(parts)


def account_statement(ctx: ServiceContext, account_ref: str, start: date | None = None,
                      end: date | None = None) -> StatementView:
    """The statement of an account for any period (default: the last 13 weeks); audited."""
    ctx.require("account.view")
    rules = policy(ctx)
    today = ctx.today()
    end = end or today
    start = start or end - timedelta(weeks=13)
    if start > end:
        raise InputError(f"the period starts ({start:%d/%m/%Y}) after it ends ({end:%d/%m/%Y}); swap the dates")
    with session_scope(ctx.engine, write=True) as session:
        account = account_by_ref(session, account_ref)
        opening = int(session.exec(select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(
            LedgerEntry.account_id == account.id, LedgerEntry.effective_date < start)).one() or 0)
        entries = session.exec(select(LedgerEntry).where(
            LedgerEntry.account_id == account.id, LedgerEntry.effective_date >= start,
            LedgerEntry.effective_date <= end).order_by(LedgerEntry.effective_date, LedgerEntry.id)).all()  # type: ignore[arg-type]
        ids = [e.id for e in entries]
        reversed_by: dict[int, int] = {}
        for part in [ids[i:i + 500] for i in range(0, len(ids), 500)]:
            for rid, orig in session.exec(select(LedgerEntry.id, LedgerEntry.reverses_id).where(
                    LedgerEntry.reverses_id.in_(part))).all():  # type: ignore[union-attr]
                reversed_by[orig] = rid
        office_codes = {o.id: o.code for o in session.exec(select(Office)).all()}
        rows = []
        running = opening
        for e in entries:
            running += e.amount_pence
            receipt = (receipt_label(office_codes.get(e.office_id, "?"), e.receipt_no)
                       if e.receipt_no is not None and e.office_id else None)
            rows.append(StatementRow(e.id, e.effective_date, e.posted_at, e.kind, e.method,
                                     _describe(rules, e, office_codes), e.amount_pence, running, receipt,
                                     reversed_by.get(e.id), e.reverses_id))
        now_balance = balance_of(session, account.id)
        person = holder_person(session, account)
        office = office_for(session, ctx)
        audit.record(session, ctx, "account.statement", "account", account.ref,
                     {"from": start.isoformat(), "to": end.isoformat()})
        return StatementView(account.ref, account.account_type, account.holder_name, person.ref if person else None,
                             account.closed_on, start, end, opening, running, now_balance, tuple(rows), office.name,
                             ctx.now())


# =========================================================================== accounts (CLI)


@dataclass(frozen=True)
class AccountSummary:
    """One account as ``account list|show`` print it (docs/CLI.md)."""

    ref: str
    type: str
    holder: str
    balance_pence: int

    def as_json(self) -> dict:
        """Exactly the contract's keys."""
        return {"ref": self.ref, "type": self.type, "holder": self.holder, "balance_pence": self.balance_pence}


def list_accounts(ctx: ServiceContext, *, arrears_over_pence: int | None = None) -> list[AccountSummary]:
    """Every account with its balance, by ref; optionally only those owing more than an amount."""
    ctx.require("account.view")
    total = func.coalesce(func.sum(LedgerEntry.amount_pence), 0)
    query = (select(Account.ref, Account.account_type, Account.holder_name, total)
             .join(LedgerEntry, LedgerEntry.account_id == Account.id, isouter=True)
             .group_by(Account.id, Account.ref, Account.account_type, Account.holder_name)
             .order_by(Account.ref))
    if arrears_over_pence is not None:
        query = query.having(total > arrears_over_pence)
    with session_scope(ctx.engine, write=True) as session:
        rows = session.exec(query).all()
        audit.record(session, ctx, "account.list", "account", None,
                     {"arrears_over_pence": arrears_over_pence, "count": len(rows)})
    return [AccountSummary(ref, kind, holder, int(balance or 0)) for ref, kind, holder, balance in rows]


def show_account(ctx: ServiceContext, ref: str) -> AccountSummary:
    """One account and its balance; NotFound (exit 2) for an unknown ref."""
    ctx.require("account.view")
    with session_scope(ctx.engine, write=True) as session:
        account = account_by_ref(session, ref)
        balance = balance_of(session, account.id)
        audit.record(session, ctx, "account.show", "account", account.ref)
        return AccountSummary(account.ref, account.account_type, account.holder_name, balance)


__all__ = [
    "AccountLookup", "AccountSummary", "ArrangementStatus", "PayableAccount", "PaymentRequest", "ReceiptLine",
    "ReceiptView", "ReversalView", "StatementRow", "StatementView", "account_statement", "account_type_name",
    "arrangement_status_for_person", "broken_arrangements", "check_payment_request", "find_payable_accounts",
    "get_receipt", "kind_name", "list_accounts", "receipt_label", "replay_payment", "reverse_entry", "show_account",
    "take_payment",
]
