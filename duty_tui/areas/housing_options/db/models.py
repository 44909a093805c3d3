"""Housing options (homelessness) tables: the case detail behind a ``work_case``.

A homelessness case is a ``work_case`` row (case_type "homelessness", team options,
due_at = the nearest clock) so it shows on dashboards and queues, plus these detail rows:
the approach facts (null = not yet known), every stage move, the personalised housing plan,
notices issued, s193B proposals, s202 reviews and temporary accommodation placements.
Tri-state facts are nullable booleans; the duty engine reads them as the contract does.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel


def _text() -> Column:
    return Column(Text, nullable=True)


class HomelessCase(SQLModel, table=True):
    """The facts of one homelessness approach and where its duties stand."""

    __tablename__ = "homeless_case"
    __table_args__ = (
        Index("ix_homeless_case_assessed", "assessed_on"),
        Index("ix_homeless_case_stage", "stage"),
        Index("ix_homeless_case_person", "person_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="work_case.id", unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    household_id: int | None = Field(default=None, foreign_key="household.id")
    jurisdiction: str = Field(default="england", max_length=16)
    stage: str = Field(default="triage", max_length=16)
    approach_date: date
    # How they came: self, duty_to_refer (s213B) or partner_agency.
    route: str = Field(default="self", max_length=16)
    referral_body: str | None = Field(default=None, max_length=40)
    referral_details: str | None = Field(default=None, sa_column=_text())
    referral_consent: bool | None = None
    referral_received_on: date | None = None
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    # Where they are and what is happening.
    current_accommodation: str | None = Field(default=None, max_length=32)
    last_settled_accommodation: str | None = Field(default=None, max_length=32)
    loss_reason: str | None = Field(default=None, max_length=32)
    loss_date: date | None = None
    s21_expiry: date | None = None
    notice_type: str | None = Field(default=None, max_length=32)
    nowhere_tonight: bool = Field(default=False)
    rough_sleeping: bool = Field(default=False)
    domestic_abuse_risk: bool = Field(default=False)
    da_risk_in_connected_area: bool = Field(default=False)
    safeguarding: bool = Field(default=False)
    safeguarding_notes: str | None = Field(default=None, sa_column=_text())
    # Triage facts (null = not yet known).
    eligible: bool | None = None
    eligibility_notes: str | None = Field(default=None, sa_column=_text())
    homeless: bool | None = None
    priority_need: str | None = Field(default=None, max_length=400)  # JSON list, null = not known
    intentional: bool | None = None
    local_connection: str | None = Field(default=None, max_length=16)
    relief_start: date | None = None
    # Household as typed at intake ("partner 34, child 7").
    household_text: str | None = Field(default=None, max_length=400)
    adults: int = Field(default=1)
    children: int = Field(default=0)
    pregnant: bool = Field(default=False)
    support_needs_assessed: bool = Field(default=False)
    notes: str | None = Field(default=None, sa_column=_text())
    # Decisions and duty dates.
    assessed_on: date | None = None
    assessment_duty: str | None = Field(default=None, max_length=16)  # prevention, relief, not_owed, ineligible
    prevention_start: date | None = None
    prevention_end: date | None = None
    prevention_outcome: str | None = Field(default=None, max_length=48)
    prevention_accommodation: str | None = Field(default=None, max_length=32)
    relief_end: date | None = None
    relief_outcome: str | None = Field(default=None, max_length=48)
    relief_accommodation: str | None = Field(default=None, max_length=32)
    final_decision: str | None = Field(default=None, max_length=32)
    final_decision_on: date | None = None
    main_duty_end: date | None = None
    main_duty_outcome: str | None = Field(default=None, max_length=48)
    plan_agreed_on: date | None = None
    plan_review_on: date | None = None
    closed_on: date | None = None
    version: int = Field(default=1)


class HomelessSupportNeed(SQLModel, table=True):
    """One support need of the household (data/housing_options/support_needs.toml)."""

    __tablename__ = "homeless_support_need"
    id: int | None = Field(default=None, primary_key=True)
    homeless_case_id: int = Field(foreign_key="homeless_case.id", index=True)
    need: str = Field(max_length=40)


class HomelessMember(SQLModel, table=True):
    """Someone in the applicant's household at the approach (H-CLIC People)."""

    __tablename__ = "homeless_member"
    id: int | None = Field(default=None, primary_key=True)
    homeless_case_id: int = Field(foreign_key="homeless_case.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    relationship: str = Field(max_length=24)
    age: int | None = None
    date_of_birth: date | None = None
    pregnant: bool = Field(default=False)


class HomelessMove(SQLModel, table=True):
    """A stage move: from, to, the day it took effect, why, and who recorded it."""

    __tablename__ = "homeless_move"
    __table_args__ = (Index("ix_homeless_move_on", "on_date", "from_stage"),)
    id: int | None = Field(default=None, primary_key=True)
    homeless_case_id: int = Field(foreign_key="homeless_case.id", index=True)
    at: datetime
    on_date: date
    from_stage: str = Field(max_length=16)
    to_stage: str = Field(max_length=16)
    reason: str = Field(max_length=48)
    final_decision: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_column=_text())
    officer_id: int | None = Field(default=None, foreign_key="staff_user.id")


class HomelessPlanStep(SQLModel, table=True):
    """A step in the personalised housing plan (s189A(4)-(6)): the applicant's or the council's."""

    __tablename__ = "homeless_plan_step"
    id: int | None = Field(default=None, primary_key=True)
    homeless_case_id: int = Field(foreign_key="homeless_case.id", index=True)
    party: str = Field(max_length=16)  # applicant or council
    text: str = Field(sa_column=Column(Text, nullable=False))
    due_on: date | None = None
    done_on: date | None = None
    mandatory: bool = Field(default=False)  # s189A(6)(b): recorded as a step the applicant must take
    created_at: datetime
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


class HomelessNotice(SQLModel, table=True):
    """A decision or duty notice issued (s184 letter, duty notices, s193B warning/notice)."""

    __tablename__ = "homeless_notice"
    id: int | None = Field(default=None, primary_key=True)
    homeless_case_id: int = Field(foreign_key="homeless_case.id", index=True)
    notice_type: str = Field(max_length=32)
    title: str = Field(max_length=200)
    issued_on: date
    issued_at: datetime
    officer_id: int | None = Field(default=None, foreign_key="staff_user.id")
    authorised_by: int | None = Field(default=None, foreign_key="staff_user.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    review_kind: str | None = Field(default=None, max_length=24)
    review_last_day: date | None = None


class HomelessNonCooperation(SQLModel, table=True):
    """A proposed s193B notice, awaiting sign-off by a second officer (SI 2018/223 reg 3)."""

    __tablename__ = "homeless_noncoop"
    id: int | None = Field(default=None, primary_key=True)
    homeless_case_id: int = Field(foreign_key="homeless_case.id", index=True)
    warning_notice_id: int = Field(foreign_key="homeless_notice.id")
    duty_stage: str = Field(max_length=16)
    reasons: str = Field(sa_column=Column(Text, nullable=False))
    proposed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    proposed_at: datetime
    status: str = Field(default="proposed", max_length=16)  # proposed, signed_off, withdrawn
    signed_off_by: int | None = Field(default=None, foreign_key="staff_user.id")
    signed_off_at: datetime | None = None
    notice_id: int | None = Field(default=None, foreign_key="homeless_notice.id")
    version: int = Field(default=1)


class HomelessReview(SQLModel, table=True):
    """A s202 review request and its decision deadline."""

    __tablename__ = "homeless_review"
    __table_args__ = (Index("ix_homeless_review_open", "decided_on", "decision_due"),)
    id: int | None = Field(default=None, primary_key=True)
    homeless_case_id: int = Field(foreign_key="homeless_case.id", index=True)
    notice_id: int | None = Field(default=None, foreign_key="homeless_notice.id")
    kind: str = Field(max_length=24)
    requested_on: date
    late_allowed: bool = Field(default=False)
    representations_on: date | None = None
    agreed_until: date | None = None
    decision_due: date
    reviewer_id: int | None = Field(default=None, foreign_key="staff_user.id")
    outcome: str | None = Field(default=None, max_length=16)  # upheld, overturned, withdrawn
    decided_on: date | None = None
    notes: str | None = Field(default=None, sa_column=_text())
    version: int = Field(default=1)


class HomelessPlacement(SQLModel, table=True):
    """A temporary accommodation placement: address, type, start and end."""

    __tablename__ = "homeless_placement"
    __table_args__ = (Index("ix_homeless_placement_dates", "start_on", "end_on"),)
    id: int | None = Field(default=None, primary_key=True)
    homeless_case_id: int = Field(foreign_key="homeless_case.id", index=True)
    address: str = Field(max_length=200)
    ta_type: str = Field(max_length=24)
    duty_basis: str = Field(max_length=8)  # s188, s190, s193, s200
    start_on: date
    end_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=120)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)
