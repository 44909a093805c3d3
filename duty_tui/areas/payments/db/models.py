"""Payments tables: receipts, refunds, arrangements, cash-ups, imports and suspense allocations.

Money is integer pence. The ledger itself is ``ledger_entry`` (duty_tui.core.db.models);
these tables hold what surrounds it. No card number or security code is ever
stored: a card payment keeps only the terminal or gateway reference, its status
and at most the last four digits.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Payment(SQLModel, table=True):
    """One payment taken by staff: one receipt number, one or more ledger lines (a split).

    ``idempotency_key`` is made when the payment form opens; posting twice with the
    same key (Enter pressed twice, a retry after a timeout) returns the first receipt.
    The ledger lines carry the same ``office_id`` and ``receipt_no``.
    """

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("office_id", "receipt_no", name="uq_payment_receipt"),
        Index("ix_payment_taken_by_date", "taken_by", "business_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    receipt_no: int
    idempotency_key: str = Field(max_length=64, unique=True)
    business_date: date
    taken_at: datetime
    taken_by: int | None = Field(default=None, foreign_key="staff_user.id")
    channel: str = Field(max_length=16)  # counter, phone, office
    method: str = Field(max_length=24)
    total_pence: int
    till_code: str | None = Field(default=None, max_length=16)
    card_last4: str | None = Field(default=None, max_length=4)
    card_status: str | None = Field(default=None, max_length=16)
    terminal_ref: str | None = Field(default=None, max_length=40)
    cheque_no: str | None = Field(default=None, max_length=12)
    paid_by: str | None = Field(default=None, max_length=120)
    reference: str | None = Field(default=None, max_length=64)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    terminal: str | None = Field(default=None, max_length=128)


class RefundRequest(SQLModel, table=True):
    """A refund of a credit balance: requested by one person, authorised by another."""

    __tablename__ = "refund_request"
    __table_args__ = (Index("ix_refund_status", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    amount_pence: int
    method: str = Field(max_length=24)
    payee: str = Field(max_length=120)
    reason: str = Field(max_length=200)
    status: str = Field(default="requested", max_length=16)  # requested, authorised, rejected
    requested_by: int | None = Field(default=None, foreign_key="staff_user.id")
    requested_at: datetime
    decided_by: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=200)
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entry.id")
    version: int = Field(default=1)


ACTIVE_ARRANGEMENT = text("status = 'active'")
"""The rows ``ux_arrangement_active`` covers: at most one active arrangement per account."""


LUMP_SUM_RULE = ("(lump_sum_pence IS NULL AND lump_sum_due IS NULL) OR "
                 "(lump_sum_pence IS NOT NULL AND lump_sum_due IS NOT NULL AND lump_sum_pence > 0)")
"""A lump sum has both its amount (more than £0) and its due day, or neither."""
KIND_RULE = ("kind IN ('informal', 'court_ordered') AND "
             "(court_hearing_id IS NULL OR kind = 'court_ordered')")
"""An arrangement is informal or court-ordered; only a court-ordered one names a hearing."""
STATE_RULE = "state IN ('made', 'kept', 'breached', 'back_on_track', 'completed', 'ended')"
"""The states an arrangement's history records."""


class Arrangement(SQLModel, table=True):
    """An arrangement to pay: an amount every week, fortnight, four weeks or month from a start date.

    An account has at most one active arrangement: a partial UNIQUE index over ``account_id``
    where ``status = 'active'`` (migration payments_0002), so two officers agreeing a plan on
    the same account at the same moment cannot both succeed.

    ``kind`` is informal (agreed with the officer) or court_ordered (the terms of a suspended order or
    an adjournment on terms); a court-ordered one may name its hearing (``court_hearing_id``: the
    income area's ``court_hearing.id``, a plain integer with no foreign key, because the payments area
    does not depend on the income area). An optional lump sum is part of the total: both its amount and
    its due day, or neither (``ck_arrangement_lump_sum``, migration payments_0003).
    """

    __tablename__ = "arrangement"
    __table_args__ = (
        Index("ix_arrangement_status", "status"),
        Index("ux_arrangement_active", "account_id", unique=True, postgresql_where=ACTIVE_ARRANGEMENT,
              sqlite_where=ACTIVE_ARRANGEMENT),
        CheckConstraint(LUMP_SUM_RULE, name="ck_arrangement_lump_sum"),
        CheckConstraint(KIND_RULE, name="ck_arrangement_kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    amount_pence: int
    frequency: str = Field(max_length=16)
    start_date: date
    total_pence: int
    status: str = Field(default="active", max_length=16)  # active, ended
    note: str | None = Field(default=None, max_length=200)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    ended_by: int | None = Field(default=None, foreign_key="staff_user.id")
    ended_at: datetime | None = None
    end_reason: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)
    kind: str = Field(default="informal", max_length=16, sa_column_kwargs={"server_default": "informal"})
    court_hearing_id: int | None = None  # the income area's court_hearing.id; no foreign key (see above)
    lump_sum_pence: int | None = None
    lump_sum_due: date | None = None


class ArrangementState(SQLModel, table=True):
    """One change of an arrangement's state (made, kept, breached, back on track, completed, ended).

    Changes are found when arrangements are read; two terminals reading at once find the same change
    on the same day, and ``uq_arrangement_state`` makes the second insert a no-op (ON CONFLICT DO NOTHING).
    """

    __tablename__ = "arrangement_state"
    __table_args__ = (
        UniqueConstraint("arrangement_id", "since", "state", name="uq_arrangement_state"),
        CheckConstraint(STATE_RULE, name="ck_arrangement_state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    arrangement_id: int = Field(foreign_key="arrangement.id")
    state: str = Field(max_length=16)
    since: date
    detected_at: datetime
    note: str | None = Field(default=None, max_length=200)


class ArrangementInstalment(SQLModel, table=True):
    """One instalment of an arrangement's schedule (checked against the ledger when shown)."""

    __tablename__ = "arrangement_instalment"
    __table_args__ = (UniqueConstraint("arrangement_id", "seq", name="uq_instalment_seq"),)
    id: int | None = Field(default=None, primary_key=True)
    arrangement_id: int = Field(foreign_key="arrangement.id", index=True)
    seq: int
    due_date: date
    amount_pence: int


class CashUp(SQLModel, table=True):
    """One user's end-of-day count of one till; a second person signs it off."""

    __tablename__ = "cashup"
    __table_args__ = (
        UniqueConstraint("office_id", "till_code", "user_id", "business_date", name="uq_cashup_till_user_day"),
        Index("ix_cashup_till_day", "office_id", "till_code", "business_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    office_id: int = Field(foreign_key="office.id")
    till_code: str = Field(max_length=16)
    user_id: int = Field(foreign_key="staff_user.id")
    business_date: date
    status: str = Field(default="counted", max_length=16)  # counted, signed_off
    counted_at: datetime
    expected_pence: int
    counted_pence: int
    variance_pence: int
    variance_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    signed_off_by: int | None = Field(default=None, foreign_key="staff_user.id")
    signed_off_at: datetime | None = None
    version: int = Field(default=1)


class CashUpLine(SQLModel, table=True):
    """Expected (from the ledger) and counted takings for one method in a cash-up."""

    __tablename__ = "cashup_line"
    __table_args__ = (UniqueConstraint("cashup_id", "method", name="uq_cashup_line_method"),)
    id: int | None = Field(default=None, primary_key=True)
    cashup_id: int = Field(foreign_key="cashup.id", index=True)
    method: str = Field(max_length=24)
    payments: int = Field(default=0)
    expected_pence: int
    counted_pence: int


class CashUpDenomination(SQLModel, table=True):
    """How many of one note or coin were counted."""

    __tablename__ = "cashup_denomination"
    __table_args__ = (UniqueConstraint("cashup_id", "denomination_pence", name="uq_cashup_denomination"),)
    id: int | None = Field(default=None, primary_key=True)
    cashup_id: int = Field(foreign_key="cashup.id", index=True)
    denomination_pence: int
    quantity: int


class ImportBatch(SQLModel, table=True):
    """One payment file imported (the rows themselves are ledger rows with an external_id)."""

    __tablename__ = "payment_import"
    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64, index=True)
    imported_at: datetime
    imported_by: int | None = Field(default=None, foreign_key="staff_user.id")
    rows_in_file: int
    posted: int
    skipped: int
    suspense: int
    total_pence: int = Field(sa_column=Column(BigInteger, nullable=False))


class SuspenseAllocation(SQLModel, table=True):
    """Money moved from suspense to the right account: two ledger rows, audited; once per item."""

    __tablename__ = "suspense_allocation"
    id: int | None = Field(default=None, primary_key=True)
    suspense_entry_id: int = Field(foreign_key="ledger_entry.id", unique=True)
    target_account_id: int = Field(foreign_key="account.id")
    out_entry_id: int = Field(foreign_key="ledger_entry.id")
    in_entry_id: int = Field(foreign_key="ledger_entry.id")
    allocated_by: int | None = Field(default=None, foreign_key="staff_user.id")
    allocated_at: datetime
    note: str | None = Field(default=None, max_length=200)


# The direct debit tables live in their own module (migration payments_0004); importing them here puts
# them in the area's metadata with the rest.
from duty_tui.areas.payments.db.dd_models import (  # noqa: E402, F401
    DirectDebitCollection,
    DirectDebitMandate,
    DirectDebitMandateEvent,
    DirectDebitNotice,
    DirectDebitReturn,
)
