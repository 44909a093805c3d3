"""Front-desk tables: contact reasons, the callers-waiting queue, callbacks and appointments,
case timelines, complaint stages, repairs with Awaab's Law clocks and safeguarding concerns.

Two tables this area's migrations made are the core's (``duty_tui.core.db.models``): ``person_address``
and ``change_signal``; their migrations stay in this branch, where existing databases have them.

Timestamps are aware UTC; plain ``date`` columns hold UK dates (working-day deadlines).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel


def _text() -> Column:
    return Column(Text, nullable=True)


class ContactReason(SQLModel, table=True):
    """One of a contact's reasons (a contact has one or more; ``contact.reason`` holds the first)."""

    __tablename__ = "contact_reason"
    __table_args__ = (UniqueConstraint("contact_id", "reason_code", name="uq_contact_reason"),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    reason_code: str = Field(max_length=64, index=True)
    position: int = Field(default=0)


class ReceptionVisit(SQLModel, table=True):
    """A caller waiting at reception: arrived, called to a desk, seen or left without being seen."""

    __tablename__ = "reception_visit"
    __table_args__ = (
        UniqueConstraint("visit_date", "ticket", name="uq_reception_visit_ticket"),
        Index("ix_reception_visit_date_status", "visit_date", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="office.id")
    visit_date: date
    ticket: str = Field(max_length=16)
    caller_name: str | None = Field(default=None, max_length=120)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    reason_code: str | None = Field(default=None, max_length=64)
    needs: str | None = Field(default=None, max_length=200)
    interpreter_language: str | None = Field(default=None, max_length=40)
    arrived_at: datetime
    status: str = Field(default="waiting", max_length=16)  # waiting, called, seen, left
    called_at: datetime | None = None
    called_by: int | None = Field(default=None, foreign_key="staff_user.id")
    desk: str | None = Field(default=None, max_length=40)
    finished_at: datetime | None = None
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    added_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


class ContactRevision(SQLModel, table=True):
    """One correction of a logged contact: what it said before and after, who changed it, when and why.

    Append-only. Revision 1's ``before`` is the contact as first logged, so the original is always
    kept; ``revision`` is the contact's version that was corrected (unique per contact).
    """

    __tablename__ = "contact_revision"
    __table_args__ = (UniqueConstraint("contact_id", "revision", name="uq_contact_revision"),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    revision: int
    at: datetime
    by: int | None = Field(default=None, foreign_key="staff_user.id")
    why: str = Field(sa_column=Column(Text, nullable=False))
    before: str = Field(sa_column=Column(Text, nullable=False))  # JSON: notes, outcome, channel, reasons
    after: str = Field(sa_column=Column(Text, nullable=False))


class FollowUp(SQLModel, table=True):
    """A callback promised or an appointment booked, from a contact."""

    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_status_due", "status", "due_at"),
        Index("ix_follow_up_assignee_due", "assignee_id", "due_at"),
        Index("ix_follow_up_team_due", "team_id", "due_at"),
        Index("ix_follow_up_case_id", "case_id"),  # migration frontdesk_0004: a case's callbacks
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # callback, appointment
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="work_case.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id")
    due_at: datetime
    phone: str | None = Field(default=None, max_length=32)
    place: str | None = Field(default=None, max_length=80)
    notes: str | None = Field(default=None, max_length=500)
    status: str = Field(default="open", max_length=16)  # open, done, missed, cancelled
    done_at: datetime | None = None
    done_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


class CaseEvent(SQLModel, table=True):
    """One line of a case's timeline: opened, contact, note, status change, clock event. Append-only."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_at", "case_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="work_case.id")
    at: datetime
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    kind: str = Field(max_length=24)
    summary: str = Field(max_length=200)
    detail: str | None = Field(default=None, sa_column=_text())
    contact_id: int | None = Field(default=None, foreign_key="contact.id")


class ComplaintStage(SQLModel, table=True):
    """One stage of a complaint and its clocks (acknowledge, respond, one extension)."""

    __tablename__ = "complaint_stage"
    __table_args__ = (UniqueConstraint("case_id", "stage", name="uq_complaint_stage"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="work_case.id", index=True)
    scheme: str = Field(max_length=16)
    stage: int
    started_at: datetime
    ack_due: date
    acknowledged_at: datetime | None = None
    response_due: date
    extension_days: int = Field(default=0)
    extension_reason: str | None = Field(default=None, sa_column=_text())
    extended_at: datetime | None = None
    handler_id: int | None = Field(default=None, foreign_key="staff_user.id")
    responded_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=32)
    response_summary: str | None = Field(default=None, sa_column=_text())
    version: int = Field(default=1)


class RepairDetail(SQLModel, table=True):
    """A repair reported at the desk: priority target and, for hazards in England, Awaab's Law clocks."""

    __tablename__ = "repair_detail"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="work_case.id", unique=True)
    priority: str = Field(max_length=24)
    target_at: datetime | None = None
    location: str | None = Field(default=None, max_length=120)
    hazard: str = Field(default="none", max_length=16)  # none, damp_mould, emergency
    awaab: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    aware_at: datetime
    emergency_due_at: datetime | None = None
    made_safe_at: datetime | None = None
    investigate_due: date | None = None
    investigated_on: date | None = None
    significant: bool | None = None
    summary_due: date | None = None
    summary_sent_on: date | None = None
    safety_works_due: date | None = None
    safety_works_done_on: date | None = None
    further_start_due: date | None = None
    further_started_on: date | None = None
    further_begun_by: date | None = None
    further_begun_on: date | None = None
    completed_at: datetime | None = None
    version: int = Field(default=1)


class SafeguardingConcern(SQLModel, table=True):
    """A child or adult at risk, raised from a contact; its case goes to the safeguarding lead."""

    __tablename__ = "safeguarding_concern"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="work_case.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    kind: str = Field(max_length=16)  # child, adult
    subject_person_id: int | None = Field(default=None, foreign_key="person.id")
    subject_name: str | None = Field(default=None, max_length=120)
    details: str | None = Field(default=None, sa_column=_text())
    raised_at: datetime
    raised_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


class FrontdeskSequence(SQLModel, table=True):
    """Named counters (e.g. today's reception ticket numbers), allocated inside the writer's transaction."""

    __tablename__ = "frontdesk_sequence"
    key: str = Field(primary_key=True, max_length=48)
    value: int = Field(default=0)
