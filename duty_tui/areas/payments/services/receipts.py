"""Receipts: what is printed on one, a receipt read back by number, and the receipt of a payment already
posted under the same key (a second Enter, or a retry after a timeout), each replay audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from duty_tui.areas.payments.db.models import Payment
from duty_tui.areas.payments.domain.reference import PaymentsPolicy
from duty_tui.areas.payments.services.common import balances, office_for, policy
from duty_tui.areas.payments.services.words import receipt_label
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Office, StaffUser
from duty_tui.core.domain.errors import NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext


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


def receipt_view(session, rules: PaymentsPolicy, office: Office, payment: Payment, *, replayed: bool,
                  balances_after: dict[str, int] | None = None) -> ReceiptView:
    """The receipt of a posted payment, its lines' balances as now (or as given in ``balances_after``)."""
    rows = session.exec(
        select(LedgerEntry, Account).join(Account, col(Account.id) == LedgerEntry.account_id)
        .where(LedgerEntry.office_id == office.id, LedgerEntry.receipt_no == payment.receipt_no,
               col(LedgerEntry.reverses_id).is_(None))
        .order_by(col(LedgerEntry.id))
    ).all()
    if balances_after is None:
        now = balances(session, [a.id for _, a in rows])
        balances_after = {a.ref: now[a.id] for _, a in rows}
    reversed_ids = set(session.exec(select(LedgerEntry.reverses_id).where(
        col(LedgerEntry.reverses_id).in_([e.id for e, _ in rows]))).all()) if rows else set()
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


def replay_payment(ctx: ServiceContext, idempotency_key: str) -> ReceiptView:
    """The receipt already posted under this key (a second Enter, or a retry after a timeout); audited.

    Only someone who may take payments sees a receipt this way (the form that holds the key is theirs)."""
    ctx.require("payment.take")
    rules = policy(ctx)
    with session_scope(ctx.engine, write=True) as session:
        payment = session.exec(select(Payment).where(Payment.idempotency_key == idempotency_key)).first()
        if payment is None:
            raise NotFound("that payment was not posted; post it again")
        return replayed_receipt(session, ctx, rules, payment)


def replayed_receipt(session: Session, ctx: ServiceContext, rules: PaymentsPolicy, payment: Payment) -> ReceiptView:
    """The receipt of a payment posted earlier under the same key, with the replay audited in this transaction."""
    office = session.get(Office, payment.office_id)
    if office is None:  # payment.office_id is a foreign key: only a damaged database gets here
        raise NotFound(f"the office of receipt {payment.receipt_no} is missing; ask the system administrator")
    view = receipt_view(session, rules, office, payment, replayed=True)
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
        return receipt_view(session, rules, office, payment, replayed=False)


__all__ = ["ReceiptLine", "ReceiptView", "get_receipt", "receipt_view", "replay_payment", "replayed_receipt"]
