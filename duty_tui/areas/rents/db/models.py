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

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint, text
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


# --- rents_0002: tenancy changes at the account, sundry accounts, the rent review --------------------

class RentTenancyEnd(SQLModel, table=True):
    """A tenancy's end worked out at its account (docs/RENTS_TENANCY_END.md): once per tenancy.

    ``tenancy_id`` is UNIQUE, so a second "end tenancy" (another terminal, a re-run) is refused by the
    database. ``final_balance_pence`` is the rent account's balance once charges to the end date are
    posted and credits after it reversed; ``outcome`` says where it went: ``former_tenant`` (a debt moved
    to the former-tenant account), ``refund`` (a credit to a refund request), ``transfer`` (a credit to
    another debt of the same person, ``rent_credit_transfer``), ``credit_held`` (a credit left for a
    decision), ``nil``. ``outcome_ref`` names the account, refund or transfer.
    """

    __tablename__ = "rent_tenancy_end"
    __table_args__ = (
        CheckConstraint("outcome IN ('former_tenant', 'refund', 'transfer', 'credit_held', 'nil')",
                        name="ck_rent_tenancy_end_outcome"),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenancy_id: int = Field(foreign_key="tenancy.id", unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    ended_on: date
    charged_pence: int = Field(default=0)
    reversed_pence: int = Field(default=0)
    final_balance_pence: int
    outcome: str = Field(max_length=16)
    outcome_ref: str | None = Field(default=None, max_length=24)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime


class RentCreditTransfer(SQLModel, table=True):
    """A credit moved from one account to another debt of the same person: asked by one, authorised by another.

    ``ck_rent_credit_transfer_accounts``: never to the same account; ``amount_pence`` > 0. Status
    requested → authorised | rejected; the authorising person must not be the requester (the service
    checks; ``version`` guards the decision). Posting uses ledger ``external_id``
    ``transfer:<ref>:out`` / ``transfer:<ref>:in`` (UNIQUE), so it is posted once.
    """

    __tablename__ = "rent_credit_transfer"
    __table_args__ = (
        CheckConstraint("from_account_id <> to_account_id", name="ck_rent_credit_transfer_accounts"),
        CheckConstraint("amount_pence > 0", name="ck_rent_credit_transfer_amount"),
        CheckConstraint("status IN ('requested', 'authorised', 'rejected')", name="ck_rent_credit_transfer_status"),
        Index("ix_rent_credit_transfer_status", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    from_account_id: int = Field(foreign_key="account.id", index=True)
    to_account_id: int = Field(foreign_key="account.id")
    amount_pence: int
    reason: str = Field(max_length=200)
    status: str = Field(default="requested", max_length=16)
    requested_by: int | None = Field(default=None, foreign_key="staff_user.id")
    requested_at: datetime
    decided_by: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)


class RentSundryCharge(SQLModel, table=True):
    """A court cost or rechargeable repair charged to its own account (account_type ``court_costs`` /
    ``rechargeable_repairs``, as payments' ACCOUNT_TYPES), never to the rent account. ``ledger_entry_id`` is UNIQUE: one charge, one row."""

    __tablename__ = "rent_sundry_charge"
    __table_args__ = (
        CheckConstraint("kind IN ('court_costs', 'rechargeable_repairs')", name="ck_rent_sundry_charge_kind"),
        CheckConstraint("amount_pence > 0", name="ck_rent_sundry_charge_amount"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    rent_account_id: int | None = Field(default=None, foreign_key="account.id")
    kind: str = Field(max_length=24)
    amount_pence: int
    description: str = Field(max_length=200)
    source_ref: str | None = Field(default=None, max_length=32)
    charged_on: date
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entry.id", unique=True)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime


APPLIED_REVIEW = text("status = 'applied'")
"""The rows ``ux_rent_review_applied`` covers: at most one applied review per rent year."""


class RentReview(SQLModel, table=True):
    """A rent review for a rent year (docs/RENTS_REVIEW.md): modelled, then applied once, or withdrawn.

    ``basis``: ``percent`` (``percent_bp``: basis points, 770 = 7.7%) or ``per_property`` (each line's
    new amount given). ``policy_code`` names the caps/limits policy in data/rents/review.toml used.
    ``notices_on``: the day the notices of variation are given; ``effective_from``: the new rent year's
    first week. A partial UNIQUE index allows one applied review per ``rent_year_start``.
    """

    __tablename__ = "rent_review"
    __table_args__ = (
        CheckConstraint("basis IN ('percent', 'per_property')", name="ck_rent_review_basis"),
        CheckConstraint("status IN ('modelled', 'applied', 'withdrawn')", name="ck_rent_review_status"),
        CheckConstraint("basis <> 'percent' OR percent_bp IS NOT NULL", name="ck_rent_review_percent"),
        Index("ux_rent_review_applied", "rent_year_start", unique=True, sqlite_where=APPLIED_REVIEW,
              postgresql_where=APPLIED_REVIEW),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    rent_year_start: date
    effective_from: date
    basis: str = Field(max_length=16)
    percent_bp: int | None = None
    policy_code: str = Field(max_length=32)
    description: str = Field(max_length=200)
    status: str = Field(default="modelled", max_length=16)
    notices_on: date | None = None
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    applied_by: int | None = Field(default=None, foreign_key="staff_user.id")
    applied_at: datetime | None = None
    version: int = Field(default=1)


class RentReviewLine(SQLModel, table=True):
    """One property's charge under a review: the amount now, the new amount, whether a cap/limit bit."""

    __tablename__ = "rent_review_line"
    __table_args__ = (
        UniqueConstraint("review_id", "property_id", "charge_code", name="ux_rent_review_line"),
        CheckConstraint("old_pence >= 0 AND new_pence >= 0", name="ck_rent_review_line_amounts"),
    )
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="rent_review.id", index=True)
    property_id: int = Field(foreign_key="property.id")
    charge_code: str = Field(max_length=24)
    frequency: str = Field(max_length=16)
    old_pence: int
    new_pence: int
    capped: bool = Field(default=False)
    note: str | None = Field(default=None, max_length=200)


class RentVariationNotice(SQLModel, table=True):
    """A tenant's notice of variation for an applied review: once per review and tenancy (UNIQUE)."""

    __tablename__ = "rent_variation_notice"
    __table_args__ = (UniqueConstraint("review_id", "tenancy_id", name="ux_rent_variation_notice"),)
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="rent_review.id", index=True)
    tenancy_id: int = Field(foreign_key="tenancy.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    given_on: date
    effective_from: date
    old_weekly_pence: int
    new_weekly_pence: int
    letter_code: str = Field(max_length=32)
    created_at: datetime
