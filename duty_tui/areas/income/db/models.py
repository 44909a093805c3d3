"""Income tables: the recovery steps taken on rent accounts, and pauses of recovery.

``recovery_action``: one row per step an officer took (a code from the recovery policy,
``data/income/recovery.toml``, or ``update_court_outcome`` / ``update_eviction_outcome``), on the
day it was taken. Rows are never changed; the latest per account is found through
``ix_recovery_action_account_taken`` (account, day taken, id).

``recovery_pause``: recovery held until a date, with a reason from the policy's pause reasons. A
pause is *active* until it is lifted (``lifted_at`` set); an account has at most one active pause —
a partial UNIQUE index over ``account_id`` where ``lifted_at IS NULL`` (``ux_recovery_pause_active``),
so two officers pausing one account at the same moment cannot both succeed. A pause whose date has
passed no longer holds recovery; the next pause on the account lifts it first.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

ACTIVE_PAUSE = text("lifted_at IS NULL")
"""The rows ``ux_recovery_pause_active`` covers: at most one active pause per account."""


class RecoveryAction(SQLModel, table=True):
    """A recovery step taken on a rent account (a reminder, a letter, a notice, ...)."""

    __tablename__ = "recovery_action"
    __table_args__ = (Index("ix_recovery_action_account_taken", "account_id", "taken_on", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    action: str = Field(max_length=40)
    taken_on: date
    taken_by: int | None = Field(default=None, foreign_key="staff_user.id")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime


class RecoveryPause(SQLModel, table=True):
    """Recovery on an account held until a date (it resumes on that day), with its reason."""

    __tablename__ = "recovery_pause"
    __table_args__ = (
        Index("ux_recovery_pause_active", "account_id", unique=True, postgresql_where=ACTIVE_PAUSE,
              sqlite_where=ACTIVE_PAUSE),
        Index("ix_recovery_pause_account", "account_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    reason: str = Field(max_length=40)
    until: date
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    set_by: int | None = Field(default=None, foreign_key="staff_user.id")
    set_at: datetime
    lifted_at: datetime | None = None
    lifted_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


# --- notices, the pre-action protocol, benefit claims, the court (income_0002) -----------------------

class ArrearsNotice(SQLModel, table=True):
    """A notice served on a tenancy for rent arrears: a NOSP (HA 1985 s83), a notice of proceedings
    for an introductory tenancy (HA 1996 s128) or a Scottish section 14 notice (H(S)A 2001 s14).

    ``proceedings_from`` is the date specified in the notice (the earliest day proceedings may begin),
    worked out by the law engine and never earlier than it allows; ``lapses_on`` the day it stops
    being in force; ``review_by`` the last day an introductory tenant may ask for a review (s129).
    ``tenants`` names every joint tenant the notice was served on, one per line. A notice is never
    changed after service except to record a review, the s11 notification or its withdrawal."""

    __tablename__ = "arrears_notice"
    __table_args__ = (Index("ix_arrears_notice_account", "account_id", "served_on"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    kind: str = Field(max_length=10)  # nosp / s128 / s14
    served_on: date
    method: str = Field(max_length=30)  # by_hand / first_class_post / letterbox / other
    served_by: int | None = Field(default=None, foreign_key="staff_user.id")
    proceedings_from: date
    lapses_on: date | None = None
    review_by: date | None = None
    review_requested_on: date | None = None
    review_decided_on: date | None = None
    review_outcome: str | None = Field(default=None, max_length=20)  # upheld / overturned
    la_notified_on: date | None = None  # Scotland: the local authority told (2003 Act s11)
    arrears_pence: int
    weekly_rent_pence: int
    tenants: str = Field(sa_column=Column(Text, nullable=False))
    particulars: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    withdrawn_on: date | None = None
    created_at: datetime
    version: int = Field(default=1)


class ProtocolStep(SQLModel, table=True):
    """A step of the pre-action protocol done for an account (England: Pre-Action Protocol for
    Possession Claims by Social Landlords; Scotland: H(S)A 2001 s14A), with the day and the evidence.
    ``step`` is a code from docs/CLI.md (`arrears assess`) (``contact_made`` ... ``s14a_payment_plan``). Never changed:
    a step done again is a new row."""

    __tablename__ = "protocol_step"
    __table_args__ = (Index("ix_protocol_step_account", "account_id", "step"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    step: str = Field(max_length=40)
    done_on: date
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime


class BenefitClaim(SQLModel, table=True):
    """A housing benefit or universal credit housing-costs claim made for an account's tenant.
    Pending while ``decided_on`` is empty (no claim may be issued meanwhile: the protocol)."""

    __tablename__ = "benefit_claim"
    __table_args__ = (Index("ix_benefit_claim_account", "account_id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    kind: str = Field(max_length=20)  # housing_benefit / universal_credit
    made_on: date
    evidence: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_on: date | None = None
    outcome: str | None = Field(default=None, max_length=20)  # awarded / refused / withdrawn
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    version: int = Field(default=1)


class ManagedPayment(SQLModel, table=True):
    """A Universal Credit alternative payment arrangement (managed payment to the landlord) asked of
    the DWP for an account, and its state (requested / approved / refused / ended) since ``state_on``."""

    __tablename__ = "managed_payment"
    __table_args__ = (Index("ix_managed_payment_account", "account_id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    requested_on: date
    state: str = Field(max_length=20)
    state_on: date
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    version: int = Field(default=1)


class PossessionClaim(SQLModel, table=True):
    """A claim for possession issued for an account's arrears (England: Possession Claims Online,
    forms N5/N119), on the notice it relies on. Closed when it ends (withdrawn, struck out, the
    tenancy ended, ...)."""

    __tablename__ = "possession_claim"
    __table_args__ = (Index("ix_possession_claim_account", "account_id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    notice_id: int | None = Field(default=None, foreign_key="arrears_notice.id")
    issued_on: date
    claim_number: str | None = Field(default=None, max_length=20)
    court_name: str | None = Field(default=None, max_length=80)
    costs_pence: int = Field(default=0)
    closed_on: date | None = None
    closed_reason: str | None = Field(default=None, max_length=40)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    version: int = Field(default=1)


class CourtHearing(SQLModel, table=True):
    """A hearing of a possession claim and, once heard, its outcome (policy COURT_OUTCOMES): for an
    order on terms, the weekly sum on top of the rent; for an outright order, the possession date."""

    __tablename__ = "court_hearing"
    __table_args__ = (Index("ix_court_hearing_account", "account_id", "hearing_on"),
                      Index("ix_court_hearing_on", "hearing_on"))
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="possession_claim.id")
    account_id: int = Field(foreign_key="account.id")
    hearing_on: date
    outcome: str | None = Field(default=None, max_length=40)
    outcome_on: date | None = None
    terms_weekly_pence: int | None = None
    terms_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    possession_on: date | None = None
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    version: int = Field(default=1)


class Eviction(SQLModel, table=True):
    """A warrant of possession applied for on a claim, the eviction date the bailiffs gave, and what
    happened (evicted / stayed / cancelled / tenant left)."""

    __tablename__ = "eviction"
    __table_args__ = (Index("ix_eviction_account", "account_id", "eviction_on"),
                      Index("ix_eviction_on", "eviction_on"))
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="possession_claim.id")
    account_id: int = Field(foreign_key="account.id")
    warrant_applied_on: date
    eviction_on: date | None = None
    outcome: str | None = Field(default=None, max_length=40)
    outcome_on: date | None = None
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    version: int = Field(default=1)
