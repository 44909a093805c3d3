"""What payments offers the core through hooks (duty_tui/areas/payments/__init__.py)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from duty_tui.areas.payments.db.models import Arrangement, DirectDebitMandate, Payment, RefundRequest
from duty_tui.core.db.models import Office, Person


def person_records(session: Session, person_id: int, account_ids: list[int]) -> dict[str, list]:
    """Hook "audit.person_records": receipts the person paid, and refunds, arrangements and direct debit mandates
    on their accounts."""
    paid = session.exec(select(Payment.office_id, Payment.receipt_no).where(Payment.person_id == person_id)).all()
    offices = {o.id: o.code for o in session.exec(select(Office)).all()} if paid else {}
    found: dict[str, list] = {"payment": [f"{offices.get(o, '?')}-{n:06d}" for o, n in paid if n is not None]}
    if account_ids:
        found["refund_request"] = list(session.exec(select(RefundRequest.ref).where(
            col(RefundRequest.account_id).in_(account_ids))).all())
        found["arrangement"] = list(session.exec(select(Arrangement.ref).where(
            col(Arrangement.account_id).in_(account_ids))).all())
        found["dd_mandate"] = list(session.exec(select(DirectDebitMandate.id).where(
            col(DirectDebitMandate.account_id).in_(account_ids))).all())
    return found


def payer_of_receipt(session: Session, office_id: int, receipt_no: int) -> Person | None:
    """Hook "documents.person_about": the person who paid the receipt, when the payment names them."""
    payment = session.exec(select(Payment).where(Payment.office_id == office_id,
                                                 Payment.receipt_no == receipt_no)).first()
    return session.get(Person, payment.person_id) if payment is not None and payment.person_id is not None else None
