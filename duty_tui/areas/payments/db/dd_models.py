"""Direct debit tables (migration payments_0004, docs/RENTS_DIRECT_DEBIT.md): mandates and their history,
advance notices, collections and Bacs returns.

"Only once" is the database's: a notice once per mandate, date and amount (``uq_dd_notice``), a collection
once per mandate and date (``uq_dd_collection``) and its ledger row once (``ledger_entry.external_id``), a
return row once (``dd_return.return_key``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

MANDATE_STATUS_RULE = "status IN ('active', 'paused', 'suspended', 'cancelled')"
MANDATE_BASIS_RULE = "basis IN ('charges', 'fixed') AND amount_pence >= 0 AND top_up_pence >= 0"
MANDATE_DAY_RULE = "collection_day BETWEEN 1 AND 28"


class DirectDebitMandate(SQLModel, table=True):
    """A payer's instruction to collect from their bank account for one rent (or other) account.

    ``amount_pence`` is what each collection takes before the arrears ``top_up_pence``: the account's
    charges (``basis`` 'charges', kept up to date by ``mandate_amount_changed``) or a fixed sum. The
    account number is personal data: stored, shown in full only to rents.manage, masked elsewhere.
    ``lodgement``: the AUDDIS lodgement still to send ('0N' new, '0C' cancel, '0S' convert) or None.
    """

    __tablename__ = "dd_mandate"
    __table_args__ = (
        CheckConstraint(MANDATE_STATUS_RULE, name="ck_dd_mandate_status"),
        CheckConstraint(MANDATE_BASIS_RULE, name="ck_dd_mandate_basis"),
        CheckConstraint(MANDATE_DAY_RULE, name="ck_dd_mandate_day"),
        Index("ix_dd_mandate_account", "account_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    reference: str = Field(max_length=18, unique=True)
    payer_name: str = Field(max_length=18)
    sort_code: str = Field(max_length=6)
    account_number: str = Field(max_length=8)
    collection_day: int  # day of the month wanted (1–28); moved on to the next Bacs working day
    basis: str = Field(max_length=8)  # charges, fixed
    amount_pence: int
    top_up_pence: int = Field(default=0)
    status: str = Field(default="active", max_length=12)
    lodgement: str | None = Field(default=None, max_length=2)
    first_collection: date  # the first wanted collection date (its notice goes 10 Bacs days before)
    collected_once: bool = Field(default=False)  # after the first, transaction code 17, not 01
    created_at: datetime
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


class DirectDebitMandateEvent(SQLModel, table=True):
    """The mandate's history: one row per change (added, amount, day, paused, resumed, cancelled, ADDACS…)."""

    __tablename__ = "dd_mandate_event"
    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(foreign_key="dd_mandate.id", index=True)
    event: str = Field(max_length=24)
    status: str = Field(max_length=12)
    amount_pence: int
    collection_day: int
    at: datetime
    by: int | None = Field(default=None, foreign_key="staff_user.id")
    note: str | None = Field(default=None, max_length=200)


class DirectDebitNotice(SQLModel, table=True):
    """An advance notice owed to or sent to a payer: the collection date and amount, and when it must go."""

    __tablename__ = "dd_notice"
    __table_args__ = (UniqueConstraint("mandate_id", "collection_date", "amount_pence", name="uq_dd_notice"),)
    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(foreign_key="dd_mandate.id", index=True)
    kind: str = Field(max_length=16)  # first, change, represent
    collection_date: date
    amount_pence: int
    notice_by: date
    sent_at: datetime | None = None
    sent_by: int | None = Field(default=None, foreign_key="staff_user.id")


class DirectDebitCollection(SQLModel, table=True):
    """One collection submitted to Bacs and posted to the ledger (a payment of method direct_debit)."""

    __tablename__ = "dd_collection"
    __table_args__ = (UniqueConstraint("mandate_id", "collection_date", name="uq_dd_collection"),)
    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(foreign_key="dd_mandate.id", index=True)
    collection_date: date
    amount_pence: int
    transaction_code: str = Field(max_length=2)  # 01 first, 17 regular, 18 re-presented, 19 final
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entry.id")
    status: str = Field(default="submitted", max_length=12)  # submitted, unpaid
    represents_id: int | None = Field(default=None, foreign_key="dd_collection.id", unique=True)
    submitted_at: datetime


class DirectDebitReturn(SQLModel, table=True):
    """One ARUDD unpaid item or ADDACS amendment read from a returns file, applied once (``return_key``)."""

    __tablename__ = "dd_return"
    id: int | None = Field(default=None, primary_key=True)
    return_key: str = Field(max_length=64, unique=True)
    report: str = Field(max_length=8)  # arudd, addacs
    reason_code: str = Field(max_length=1)
    mandate_id: int = Field(foreign_key="dd_mandate.id", index=True)
    collection_id: int | None = Field(default=None, foreign_key="dd_collection.id")
    received_on: date
    act_by: date
    applied_at: datetime
    applied_by: int | None = Field(default=None, foreign_key="staff_user.id")
    action: str = Field(max_length=200)
