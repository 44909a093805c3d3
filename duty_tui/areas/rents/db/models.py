"""Rents tables (docs/RENTS_DEBIT.md): charges, the rent weeks posted, void rent loss.

``rent_charge``: one charge of a property (basic rent, service charges: paid by whoever is its
tenant) or of a tenancy (personal charges: contents insurance, TV licence …) — exactly one of
``property_id`` / ``tenancy_id`` (``ck_rent_charge_owner``). An amount in pence, a frequency,
``effective_from`` and ``effective_to`` (inclusive; None: open; ``ck_rent_charge_dates`` refuses an
end before the start). A change ends the current row (effective_to, ended_by/at/why) and starts a
new one, so the history is the rows; ``version`` guards the end against a newer change.

``rent_week_posted``: each property's rent weeks the debit run has posted — the primary key
(property, week start) is the "only once": a run claims its weeks with INSERT … ON CONFLICT DO
NOTHING and posts only the weeks it claimed, so a re-run or a second run at the same moment posts
nothing twice. Each ledger row also carries ``external_id`` ``debit:<tenancy ref>:<week>:<code>``
(UNIQUE in the ledger), a second guard.

``rent_void_loss``: the rent a property's charges would have raised on the days of a posted week
when no tenancy was live — counted, never charged to anyone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class RentCharge(SQLModel, table=True):
    """A property's or a tenancy's charge of one type, for a span of dates."""

    __tablename__ = "rent_charge"
    __table_args__ = (
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="ck_rent_charge_dates"),
        CheckConstraint("(property_id IS NULL) <> (tenancy_id IS NULL)", name="ck_rent_charge_owner"),
        CheckConstraint("amount_pence >= 0", name="ck_rent_charge_amount"),
        Index("ix_rent_charge_property", "property_id", "effective_from"),
        Index("ix_rent_charge_tenancy", "tenancy_id", "effective_from"),
    )
    id: int | None = Field(default=None, primary_key=True)
    property_id: int | None = Field(default=None, foreign_key="property.id")
    tenancy_id: int | None = Field(default=None, foreign_key="tenancy.id")
    charge_code: str = Field(max_length=24)
    amount_pence: int
    frequency: str = Field(max_length=16)
    effective_from: date
    effective_to: date | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    ended_by: int | None = Field(default=None, foreign_key="staff_user.id")
    ended_at: datetime | None = None
    ended_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = Field(default=1)


class RentWeekPosted(SQLModel, table=True):
    """A property's rent week the debit run has posted (its key is the "only once")."""

    __tablename__ = "rent_week_posted"
    property_id: int = Field(foreign_key="property.id", primary_key=True)
    week_start: date = Field(primary_key=True)
    posted_at: datetime


class RentVoidLoss(SQLModel, table=True):
    """Rent not raised because a property had no live tenancy on some days of a posted week."""

    __tablename__ = "rent_void_loss"
    __table_args__ = (UniqueConstraint("property_id", "week_start", "charge_code", name="ux_rent_void_loss"),)
    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id")
    week_start: date
    charge_code: str = Field(max_length=24)
    days: int
    amount_pence: int
