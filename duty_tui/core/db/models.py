"""SQLModel tables, identical on SQLite and PostgreSQL (created only through Alembic).

Conventions:
- Money is integer pence. A ledger row's ``amount_pence`` is positive for a
  charge (the holder owes more) and negative for a credit (a payment).
- Every table that staff edit carries ``version``; services update with
  ``WHERE version = :seen`` so a save over a newer change is refused.
- ``ledger_entry`` and ``audit_event`` are append-only.
- Timestamps are timezone-aware and stored as UTC (SQLModel's UTCDateTime);
  staff see UK time (domain.local_time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Table, Text, UniqueConstraint, false, func
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime


def _text() -> Column:
    return Column(Text, nullable=True)


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core ``Table`` (for bulk inserts and report queries), typed."""
    return model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table=True classes but does not declare it


class Office(SQLModel, table=True):
    """A front office: receipts are numbered per office."""

    __tablename__ = "office"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=120)
    jurisdiction: str = Field(default="england", max_length=24)
    next_receipt_no: int = Field(default=1)
    version: int = Field(default=1)


class Team(SQLModel, table=True):
    """A team that work is routed to (income, repairs, options, ...)."""

    __tablename__ = "team"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120)
    office_id: int | None = Field(default=None, foreign_key="office.id")
    version: int = Field(default=1)


class StaffUser(SQLModel, table=True):
    """A member of staff who signs in; the role decides what they may see and do."""

    __tablename__ = "staff_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=32)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    office_id: int | None = Field(default=None, foreign_key="office.id")
    password_hash: str | None = Field(default=None, max_length=255)
    os_user: str | None = Field(default=None, max_length=64, unique=True)
    active: bool = Field(default=True)
    failed_logins: int = Field(default=0)
    last_failed_at: datetime | None = None
    version: int = Field(default=1)


class Person(SQLModel, table=True):
    """Someone we hold a record of: tenant, applicant, household member, caller."""

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_surname_forename", "surname_key", "forename_key"),
        Index("ix_person_surname_sound", "surname_sound"),
        Index("ix_person_forename_sound", "forename_sound"),
        Index("ix_person_forename_key", "forename_key"),  # migration core_0002
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    title: str | None = Field(default=None, max_length=16)
    forename: str = Field(max_length=80)
    middle_names: str | None = Field(default=None, max_length=120)
    surname: str = Field(max_length=80)
    preferred_name: str | None = Field(default=None, max_length=80)
    date_of_birth: date | None = None
    ni_number: str | None = Field(default=None, max_length=9)
    phone_main: str | None = Field(default=None, max_length=32)
    phone_alt: str | None = Field(default=None, max_length=32)
    phone_main_key: str | None = Field(default=None, max_length=16, index=True)
    phone_alt_key: str | None = Field(default=None, max_length=16, index=True)
    email: str | None = Field(default=None, max_length=254)
    preferred_contact: str | None = Field(default=None, max_length=16)
    language: str | None = Field(default=None, max_length=40)
    interpreter_needed: bool = Field(default=False)
    # Search keys, kept in step with the name by the services (domain.search_keys).
    surname_key: str = Field(default="", max_length=80)
    forename_key: str = Field(default="", max_length=80)
    surname_sound: str = Field(default="", max_length=8)
    forename_sound: str = Field(default="", max_length=8)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    version: int = Field(default=1)


class Property(SQLModel, table=True):
    """A dwelling the landlord owns or manages."""

    __tablename__ = "property"
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    uprn: str | None = Field(default=None, max_length=12, index=True)
    address_line1: str = Field(max_length=120)
    address_line2: str | None = Field(default=None, max_length=120)
    town: str = Field(max_length=80)
    postcode: str = Field(max_length=8)
    postcode_key: str = Field(max_length=8, index=True)
    street_key: str = Field(default="", max_length=120, index=True)
    property_type: str = Field(max_length=24)
    bedrooms: int = Field(default=1)
    status: str = Field(default="let", max_length=16)
    office_id: int | None = Field(default=None, foreign_key="office.id")
    version: int = Field(default=1)


class Household(SQLModel, table=True):
    """People who live together and are housed together."""

    __tablename__ = "household"
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    property_id: int | None = Field(default=None, foreign_key="property.id", index=True)
    version: int = Field(default=1)


class HouseholdMember(SQLModel, table=True):
    """A person's place in a household."""

    __tablename__ = "household_member"
    __table_args__ = (UniqueConstraint("household_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    relationship: str = Field(max_length=32)
    is_lead: bool = Field(default=False)
    joined_on: date | None = None
    left_on: date | None = None
    version: int = Field(default=1)


class Tenancy(SQLModel, table=True):
    """A tenancy of a property by a household."""

    __tablename__ = "tenancy"
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    tenancy_type: str = Field(max_length=32)
    start_date: date
    end_date: date | None = None
    weekly_rent_pence: int = Field(default=0)
    status: str = Field(default="current", max_length=16)
    version: int = Field(default=1)


class Account(SQLModel, table=True):
    """A money account: rent, former tenant arrears, rechargeable repairs, ..."""

    __tablename__ = "account"
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    account_type: str = Field(max_length=24)
    tenancy_id: int | None = Field(default=None, foreign_key="tenancy.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    holder_name: str = Field(max_length=120)
    opened_on: date
    closed_on: date | None = None
    version: int = Field(default=1)


class LedgerEntry(SQLModel, table=True):
    """One immutable money movement; balance = sum(amount_pence). Append-only.

    The lines of one payment (split across accounts) share its receipt number, so the
    receipt number is unique per office on the payment (``payment.receipt_no``), and
    indexed, not unique, here. ``till_code`` marks counter takings (cash-up);
    ``reason`` says why a reversal, refund or suspense row exists.

    A row is reversed at most once: ``reverses_id`` is UNIQUE (``ux_ledger_reverses``,
    migration payments_0002), so two reversals posted at the same moment from two
    offices cannot both land; the second fails and says who reversed it first.
    """

    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_ledger_account_date", "account_id", "effective_date"),
        Index("ix_ledger_receipt", "office_id", "receipt_no"),
        Index("ux_ledger_reverses", "reverses_id", unique=True),  # one reversal per row (payments_0002)
        Index("ix_ledger_till_date", "till_code", "effective_date"),
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(
        Integer(), "sqlite"), primary_key=True, autoincrement=True))
    account_id: int = Field(foreign_key="account.id")
    effective_date: date
    posted_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    kind: str = Field(max_length=24)
    method: str | None = Field(default=None, max_length=24)
    amount_pence: int
    reference: str | None = Field(default=None, max_length=64)
    receipt_no: int | None = None
    office_id: int | None = Field(default=None, foreign_key="office.id")
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    reverses_id: int | None = Field(default=None, foreign_key="ledger_entry.id")
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    terminal: str | None = Field(default=None, max_length=64)
    till_code: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, max_length=200)


class AccountBalance(SQLModel, table=True):
    """An account's balance, kept by the database as ledger rows are posted (duty_tui.core.db.kept_balance).

    Written only by the triggers on ``ledger_entry`` (migration core_0004), in the same
    transaction as the row; ``duty-tui account reconcile`` proves it equals the sum of the rows.
    An account with no ledger rows has no row here (its balance is 0).
    """

    __tablename__ = "account_balance"
    __table_args__ = (Index("ix_account_balance_balance", "balance_pence"),)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True))
    balance_pence: int = Field(sa_column=Column(BigInteger, nullable=False))
    row_count: int = Field(sa_column=Column(Integer, nullable=False))
    changed_at: datetime | None = None
    last_payment_on: date | None = None
    last_payment_pence: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class Alert(SQLModel, table=True):
    """A cautionary alert or warning marker on a person or a property."""

    __tablename__ = "alert"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    property_id: int | None = Field(default=None, foreign_key="property.id", index=True)
    category: str = Field(max_length=40)
    summary: str = Field(max_length=200)
    detail: str | None = Field(default=None, sa_column=_text())
    restricted: bool = Field(default=False)
    raised_on: date
    review_on: date | None = None
    active: bool = Field(default=True)
    raised_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


class Case(SQLModel, table=True):
    """A piece of routed work with a clock: complaint, repair, homelessness, ..."""

    __tablename__ = "work_case"
    __table_args__ = (
        Index("ix_case_team_status_due", "team_id", "status", "due_at"),
        Index("ix_case_assignee_status_due", "assignee_id", "status", "due_at"),
        Index("ix_work_case_household_id", "household_id"),  # migration core_0003: a person's open cases
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    case_type: str = Field(max_length=32)
    status: str = Field(default="open", max_length=24)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id")
    tenancy_id: int | None = Field(default=None, foreign_key="tenancy.id")
    summary: str = Field(max_length=200)
    priority: str = Field(default="normal", max_length=16)
    opened_at: datetime
    due_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=64)
    # The clock behind due_at (front desk): its kind ("working_days", "hours", ...), what is
    # due ("Stage 1 acknowledgement"), and when it started (when the landlord became aware).
    clock_kind: str | None = Field(default=None, max_length=16)
    clock_name: str | None = Field(default=None, max_length=64)
    clock_started_at: datetime | None = None
    escalated_at: datetime | None = None
    created_by: int | None = None  # staff_user.id (no FK: added without rebuilding work_case on SQLite)
    version: int = Field(default=1)


class CaseNote(SQLModel, table=True):
    """A dated note on a case."""

    __tablename__ = "case_note"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="work_case.id", index=True)
    at: datetime
    author_id: int | None = Field(default=None, foreign_key="staff_user.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    version: int = Field(default=1)


class Contact(SQLModel, table=True):
    """A logged contact (desk, phone, email, letter). The front-desk issue fills this out."""

    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_person_at", "person_id", "at"),
                      Index("ux_contact_save_key", "save_key", unique=True),
                      Index("ix_contact_case_id", "case_id"))  # migration core_0003: a case's contacts
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    channel: str = Field(max_length=24)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    reason: str = Field(max_length=64)
    outcome: str | None = Field(default=None, max_length=32)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    case_id: int | None = Field(default=None, foreign_key="work_case.id")
    notes: str | None = Field(default=None, sa_column=_text())
    # Front desk: when it was typed in (``at`` may be earlier, e.g. a letter opened late),
    # who called (anonymous, or a third party on the person's behalf), the identity check
    # made before disclosure, and the agency signposted to. All reasons: contact_reason.
    logged_at: datetime | None = None
    anonymous: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    third_party_name: str | None = Field(default=None, max_length=120)
    third_party_org: str | None = Field(default=None, max_length=120)
    third_party_relationship: str | None = Field(default=None, max_length=40)
    third_party_phone: str | None = Field(default=None, max_length=32)
    id_check_method: str | None = Field(default=None, max_length=16)
    id_check_result: str | None = Field(default=None, max_length=16)
    agency_code: str | None = Field(default=None, max_length=48)
    version: int = Field(default=1)
    # Made when the form opens: a save retried after the database came back posts once (trust_0001).
    save_key: str | None = Field(default=None, max_length=64)


class AuditEvent(SQLModel, table=True):
    """Who did or saw what, when, from where. Append-only and hash-chained."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(
        Integer(), "sqlite"), primary_key=True, autoincrement=True))
    at: datetime
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    actor: str = Field(max_length=64)
    terminal: str = Field(max_length=128)
    action: str = Field(max_length=48)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=32)
    detail: str | None = Field(default=None, sa_column=_text())
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # PostgreSQL, when the head was busy at commit: the audit_pending row this event was sealed from
    # (core_0005; duty_tui.core.services.audit_late). Not hashed: it says where the event waited.
    pending_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, unique=True))


class AuditPending(SQLModel, table=True):
    """An event committed with its act while the audit head was busy (PostgreSQL), waiting to be sealed.

    The act's transaction inserts it (no shared lock); the next sealing pass — right after that
    commit, or anyone's later — chains it into ``audit_event`` and deletes it in one transaction, so a
    row here is always an event not yet in the chain (duty_tui.core.services.audit_late).
    """

    __tablename__ = "audit_pending"
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(
        Integer(), "sqlite"), primary_key=True, autoincrement=True))
    at: datetime
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    actor: str = Field(max_length=64)
    terminal: str = Field(max_length=128)
    action: str = Field(max_length=48)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=32)
    detail: str | None = Field(default=None, sa_column=_text())
    staged_at: datetime | None = Field(default=None, sa_column=Column(
        UTCDateTime(), nullable=False, server_default=func.current_timestamp()))
    """When it was written (the database's clock): how long it has waited, for ``audit verify``."""


class AuditHead(SQLModel, table=True):
    """The one row that serialises audit writers: the chain's latest hash."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    last_id: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    last_hash: str = Field(max_length=64)


class Setting(SQLModel, table=True):
    """Database-wide facts (e.g. that this database holds the demo office)."""

    __tablename__ = "db_setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)


class PersonAddress(SQLModel, table=True):
    """A postal address for someone who is not housed by us (an applicant's correspondence address).

    Tenants' addresses are their tenancy's property; letters to an applicant go to the open
    temporary accommodation placement, else the latest of these (``until`` empty), else the tenancy's.
    """

    __tablename__ = "person_address"
    __table_args__ = (Index("ix_person_address_person", "person_id", "since"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    kind: str = Field(default="correspondence", max_length=16)
    line1: str = Field(max_length=120)
    line2: str | None = Field(default=None, max_length=120)
    town: str = Field(max_length=80)
    postcode: str = Field(max_length=8)
    postcode_key: str = Field(max_length=8, index=True)
    since: date
    until: date | None = None
    created_at: datetime
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


class ChangeSignal(SQLModel, table=True):
    """A counter per change channel (e.g. "callers"), bumped in the writing transaction.

    SQLite terminals notice a commit through PRAGMA data_version, then read these
    counters to learn which channels changed; PostgreSQL uses NOTIFY instead.
    """

    __tablename__ = "change_signal"
    channel: str = Field(primary_key=True, max_length=32)
    seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    at: datetime | None = None


def import_all_models() -> None:
    """Import the core's other table module and every area's (duty_tui.core.registry) so the metadata is complete."""
    import importlib

    from duty_tui.core import registry

    importlib.import_module("duty_tui.core.db.models_drafts")
    for area in registry.areas():
        if area.models:
            importlib.import_module(area.models)
