"""Lettings tables (docs/LETTINGS.md): the housing register, homes to let, bidding, offers, sign-ups.

The register: ``lettings_application`` (a household's application: status, band and its effective
date, bedroom need, the factors considered), ``lettings_assessment`` (each decision — qualification,
band, medical/welfare — with its reasons, which a CHECK makes non-empty, the day it was notified and
the last day to ask for a review), ``lettings_check`` (the verification checklist: requested, received,
verified by whom and when — UNIQUE per application and item), ``lettings_review_request``.

Homes: ``lettings_property`` (what the register needs beyond ``property``: floor, lift, adapted),
``lettings_void`` (a home between tenancies with its dates; its ``void_type`` says whether the re-let
time counts), ``lettings_cycle`` (a bidding cycle and its bid limit), ``lettings_advert``.

Bidding and letting: ``lettings_bid`` (UNIQUE per advert and application; a bid takes a numbered
slot of its cycle — ``ux_lettings_bid_slot`` over live bids and ``ck_lettings_bid_slot`` against the
limit copied from the cycle — so the limit is a database guarantee), ``lettings_offer`` (at most one
live offer per advert: partial UNIQUE ``ux_lettings_offer_live``), ``lettings_viewing``,
``lettings_signup`` (once per offer), ``lettings_s5_referral`` (Scotland: a council's section 5
referral to a housing association).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


APPLICATION_STATUSES = ("new", "active", "under_review", "suspended", "cancelled", "disqualified", "housed")
LIVE_BID = text("status <> 'withdrawn'")
LIVE_STATUSES = ("new", "active", "under_review", "suspended")
"""An application in one of these is live: its household may have no other (ux_lettings_application_live)."""
LIVE_APPLICATION = text(_in("status", LIVE_STATUSES))
"""The rows ``ux_lettings_application_live`` covers: one live application per household (lettings_0002)."""
LIVE_OFFER = text("status = 'live'")


class LettingsApplication(SQLModel, table=True):
    """A household's application to the housing register."""

    __tablename__ = "lettings_application"
    __table_args__ = (
        CheckConstraint(_in("status", APPLICATION_STATUSES), name="ck_lettings_application_status"),
        CheckConstraint("band IS NULL OR band_effective_on IS NOT NULL", name="ck_lettings_application_band_date"),
        Index("ix_lettings_application_band", "band", "band_effective_on", "applied_on"),
        Index("ux_lettings_application_live", "household_id", unique=True, sqlite_where=LIVE_APPLICATION,
              postgresql_where=LIVE_APPLICATION),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(default="new", max_length=16)
    applied_on: date
    band: str | None = Field(default=None, max_length=16)
    band_effective_on: date | None = None
    bedroom_need: int | None = None
    current_home: str | None = Field(default=None, max_length=200)
    current_bedrooms: int | None = None
    current_tenure: str | None = Field(default=None, max_length=32)
    reasons: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    local_connection: str | None = Field(default=None, max_length=200)
    annual_income_pence: int | None = None
    savings_pence: int | None = None
    arrears_elsewhere_pence: int | None = None
    arrears_agreement: bool = Field(default=False)
    homeless_duty: str | None = Field(default=None, max_length=16)
    accessible_need: str | None = Field(default=None, max_length=24)
    unreasonable_refusals: int = Field(default=0)
    status_reason: str | None = Field(default=None, max_length=200)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    version: int = Field(default=1)


class LettingsAssessment(SQLModel, table=True):
    """A decision on an application, with the reasons and the review window (s160ZA(9), s166A(9))."""

    __tablename__ = "lettings_assessment"
    __table_args__ = (
        CheckConstraint(_in("kind", ("eligibility", "qualification", "band", "medical", "welfare")),
                        name="ck_lettings_assessment_kind"),
        CheckConstraint("length(trim(reasons)) > 0", name="ck_lettings_assessment_reasons"),
    )
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="lettings_application.id", index=True)
    kind: str = Field(max_length=16)
    outcome: str = Field(max_length=32)
    band: str | None = Field(default=None, max_length=16)
    effective_on: date
    reasons: str = Field(sa_column=Column(Text, nullable=False))
    rule_codes: str | None = Field(default=None, max_length=200)
    decided_by: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime
    notified_on: date | None = None
    review_by: date | None = None


class LettingsCheck(SQLModel, table=True):
    """One item of an application's verification checklist (a record of every factor considered)."""

    __tablename__ = "lettings_check"
    __table_args__ = (UniqueConstraint("application_id", "item", name="ux_lettings_check"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="lettings_application.id", index=True)
    item: str = Field(max_length=32)
    requested_on: date | None = None
    received_on: date | None = None
    verified_by: int | None = Field(default=None, foreign_key="staff_user.id")
    verified_at: datetime | None = None
    note: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)


class LettingsReviewRequest(SQLModel, table=True):
    """A request to review a decision: asked on, due by, decided with an outcome."""

    __tablename__ = "lettings_review_request"
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int | None = Field(default=None, foreign_key="lettings_assessment.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="lettings_offer.id")
    application_id: int = Field(foreign_key="lettings_application.id", index=True)
    kind: str = Field(max_length=16)
    requested_on: date
    decide_by: date
    decided_on: date | None = None
    outcome: str | None = Field(default=None, max_length=32)
    reasons: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = Field(default=1)


class LettingsProperty(SQLModel, table=True):
    """What the register needs to know of a home beyond ``property``."""

    __tablename__ = "lettings_property"
    property_id: int = Field(foreign_key="property.id", primary_key=True)
    floor: int = Field(default=0)
    has_lift: bool = Field(default=False)
    adapted: str | None = Field(default=None, max_length=24)
    max_occupants: int | None = None
    notes: str | None = Field(default=None, max_length=200)


VOID_TYPES = ("relet", "first_let", "mutual_exchange", "succession", "major_works", "decant")


class LettingsVoid(SQLModel, table=True):
    """A home between tenancies: its dates and whether its re-let time counts (``void_type``)."""

    __tablename__ = "lettings_void"
    __table_args__ = (
        CheckConstraint(_in("void_type", VOID_TYPES), name="ck_lettings_void_type"),
        CheckConstraint("let_on IS NULL OR let_on >= tenancy_ended_on", name="ck_lettings_void_dates"),
        Index("ix_lettings_void_property", "property_id", "tenancy_ended_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id")
    previous_tenancy_id: int | None = Field(default=None, foreign_key="tenancy.id")
    void_type: str = Field(default="relet", max_length=16)
    tenancy_ended_on: date
    keys_back_on: date | None = None
    ready_on: date | None = None
    let_on: date | None = None
    new_tenancy_id: int | None = Field(default=None, foreign_key="tenancy.id", unique=True)
    version: int = Field(default=1)


class LettingsCycle(SQLModel, table=True):
    """A bidding cycle: its dates and how many bids an applicant may place in it."""

    __tablename__ = "lettings_cycle"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="ck_lettings_cycle_dates"),
        CheckConstraint("bid_limit >= 1", name="ck_lettings_cycle_limit"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    opens_on: date
    closes_on: date
    bid_limit: int = Field(default=3)


ADVERT_STATUSES = ("draft", "open", "closed", "offered", "let", "withdrawn")


class LettingsAdvert(SQLModel, table=True):
    """A home advertised in a cycle with its criteria (or matched directly to an urgent case)."""

    __tablename__ = "lettings_advert"
    __table_args__ = (
        CheckConstraint(_in("status", ADVERT_STATUSES), name="ck_lettings_advert_status"),
        CheckConstraint("min_bedrooms <= max_bedrooms", name="ck_lettings_advert_bedrooms"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    cycle_id: int | None = Field(default=None, foreign_key="lettings_cycle.id", index=True)
    void_id: int = Field(foreign_key="lettings_void.id", index=True)
    property_id: int = Field(foreign_key="property.id")
    min_bedrooms: int
    max_bedrooms: int
    min_age: int | None = None
    accessible_need: str | None = Field(default=None, max_length=24)
    local_policy: str | None = Field(default=None, max_length=200)
    direct_match_application_id: int | None = Field(default=None, foreign_key="lettings_application.id")
    weekly_rent_pence: int = Field(default=0)
    status: str = Field(default="open", max_length=16)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    version: int = Field(default=1)


class LettingsBid(SQLModel, table=True):
    """An applicant's bid on an advert; ``slot`` 1..``cycle_limit`` of their bids in the cycle."""

    __tablename__ = "lettings_bid"
    __table_args__ = (
        UniqueConstraint("advert_id", "application_id", name="ux_lettings_bid"),
        CheckConstraint("slot >= 1 AND slot <= cycle_limit", name="ck_lettings_bid_slot"),
        CheckConstraint(_in("status", ("placed", "withdrawn", "skipped", "offered", "refused", "housed")),
                        name="ck_lettings_bid_status"),
        Index("ux_lettings_bid_slot", "cycle_id", "application_id", "slot", unique=True,
              sqlite_where=LIVE_BID, postgresql_where=LIVE_BID),
    )
    id: int | None = Field(default=None, primary_key=True)
    advert_id: int = Field(foreign_key="lettings_advert.id", index=True)
    application_id: int = Field(foreign_key="lettings_application.id", index=True)
    cycle_id: int = Field(foreign_key="lettings_cycle.id")
    slot: int
    cycle_limit: int
    status: str = Field(default="placed", max_length=16)
    assisted: bool = Field(default=False)
    placed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    placed_at: datetime
    skip_reason: str | None = Field(default=None, max_length=200)


OFFER_STATUSES = ("live", "accepted", "refused", "withdrawn")


class LettingsOffer(SQLModel, table=True):
    """An offer of a home to an applicant: at most one live per advert."""

    __tablename__ = "lettings_offer"
    __table_args__ = (
        CheckConstraint(_in("status", OFFER_STATUSES), name="ck_lettings_offer_status"),
        CheckConstraint("status <> 'refused' OR refusal_reason IS NOT NULL", name="ck_lettings_offer_refusal"),
        Index("ux_lettings_offer_live", "advert_id", unique=True, sqlite_where=LIVE_OFFER,
              postgresql_where=LIVE_OFFER),
    )
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    advert_id: int = Field(foreign_key="lettings_advert.id", index=True)
    application_id: int = Field(foreign_key="lettings_application.id", index=True)
    bid_id: int | None = Field(default=None, foreign_key="lettings_bid.id")
    status: str = Field(default="live", max_length=16)
    offered_on: date
    respond_by: date | None = None
    is_final: bool = Field(default=False)
    review_by: date | None = None
    affordability_note: str | None = Field(default=None, max_length=200)
    refusal_reason: str | None = Field(default=None, max_length=200)
    refusal_reasonable: bool | None = None
    decided_by: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = None
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    version: int = Field(default=1)


class LettingsViewing(SQLModel, table=True):
    """A viewing appointment for an offer."""

    __tablename__ = "lettings_viewing"
    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="lettings_offer.id", index=True)
    starts_at: datetime
    officer_id: int | None = Field(default=None, foreign_key="staff_user.id")
    outcome: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=200)


class LettingsSignup(SQLModel, table=True):
    """The sign-up of an accepted offer: once per offer; the tenancy it created."""

    __tablename__ = "lettings_signup"
    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="lettings_offer.id", unique=True)
    appointment_at: datetime | None = None
    tenancy_id: int | None = Field(default=None, foreign_key="tenancy.id", unique=True)
    tenancy_start: date | None = None
    signed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    countersigned_by: int | None = Field(default=None, foreign_key="staff_user.id")
    signed_at: datetime | None = None
    version: int = Field(default=1)


class LettingsS5Referral(SQLModel, table=True):
    """Scotland: a council's section 5 referral of a homeless household to a housing association."""

    __tablename__ = "lettings_s5_referral"
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="lettings_application.id", index=True)
    association: str = Field(max_length=120)
    referred_on: date
    target_on: date
    outcome: str | None = Field(default=None, max_length=32)
    outcome_on: date | None = None
    version: int = Field(default=1)
