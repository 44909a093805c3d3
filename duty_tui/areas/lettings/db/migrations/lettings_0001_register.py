"""lettings: the housing register, homes to let, bidding cycles, adverts, bids, offers, viewings, sign-ups

Revision ID: lettings_0001
Revises: 0001
Create Date: 2026-12-04

A new branch (``lettings``) of all-new tables, so no existing rows to check
(duty_tui/areas/lettings/db/models.py says what each holds). Database guarantees: one application
ref, reasons on every assessment (CHECK), one checklist item per application, a bid's slot within
its cycle's limit and unique among the applicant's live bids in the cycle (``ux_lettings_bid_slot``),
one bid per advert and applicant, one live offer per advert (``ux_lettings_offer_live``), one sign-up
per offer and one void per new tenancy. Generated with Alembic's autogenerate against the models and
checked by hand.
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "lettings_0001"
down_revision = "0001"
branch_labels = ("lettings",)
depends_on = None


def _lettings_application() -> None:
    op.create_table('lettings_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', AutoString(length=16), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', AutoString(length=16), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('band', AutoString(length=16), nullable=True),
    sa.Column('band_effective_on', sa.Date(), nullable=True),
    sa.Column('bedroom_need', sa.Integer(), nullable=True),
    sa.Column('current_home', AutoString(length=200), nullable=True),
    sa.Column('current_bedrooms', sa.Integer(), nullable=True),
    sa.Column('current_tenure', AutoString(length=32), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('local_connection', AutoString(length=200), nullable=True),
    sa.Column('annual_income_pence', sa.Integer(), nullable=True),
    sa.Column('savings_pence', sa.Integer(), nullable=True),
    sa.Column('arrears_elsewhere_pence', sa.Integer(), nullable=True),
    sa.Column('arrears_agreement', sa.Boolean(), nullable=False),
    sa.Column('homeless_duty', AutoString(length=16), nullable=True),
    sa.Column('accessible_need', AutoString(length=24), nullable=True),
    sa.Column('unreasonable_refusals', sa.Integer(), nullable=False),
    sa.Column('status_reason', AutoString(length=200), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('new', 'active', 'under_review', 'suspended', 'cancelled', 'disqualified', 'housed')", name='ck_lettings_application_status'),
    sa.CheckConstraint('band IS NULL OR band_effective_on IS NOT NULL', name='ck_lettings_application_band_date'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    op.create_index('ix_lettings_application_band', 'lettings_application', ['band', 'band_effective_on', 'applied_on'], unique=False)
    op.create_index(op.f('ix_lettings_application_household_id'), 'lettings_application', ['household_id'], unique=False)
    op.create_index(op.f('ix_lettings_application_person_id'), 'lettings_application', ['person_id'], unique=False)


def _lettings_assessment() -> None:
    op.create_table('lettings_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', AutoString(length=16), nullable=False),
    sa.Column('outcome', AutoString(length=32), nullable=False),
    sa.Column('band', AutoString(length=16), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('rule_codes', AutoString(length=200), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('review_by', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('eligibility', 'qualification', 'band', 'medical', 'welfare')", name='ck_lettings_assessment_kind'),
    sa.CheckConstraint('length(trim(reasons)) > 0', name='ck_lettings_assessment_reasons'),
    sa.ForeignKeyConstraint(['application_id'], ['lettings_application.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_lettings_assessment_application_id'), 'lettings_assessment', ['application_id'], unique=False)


def _lettings_check() -> None:
    op.create_table('lettings_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('item', AutoString(length=32), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('verified_by', sa.Integer(), nullable=True),
    sa.Column('verified_at', UTCDateTime(), nullable=True),
    sa.Column('note', AutoString(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['lettings_application.id'], ),
    sa.ForeignKeyConstraint(['verified_by'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'item', name='ux_lettings_check')
    )
    op.create_index(op.f('ix_lettings_check_application_id'), 'lettings_check', ['application_id'], unique=False)


def _lettings_s5_referral() -> None:
    op.create_table('lettings_s5_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('association', AutoString(length=120), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=False),
    sa.Column('outcome', AutoString(length=32), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['lettings_application.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_lettings_s5_referral_application_id'), 'lettings_s5_referral', ['application_id'], unique=False)


def _lettings_cycle() -> None:
    op.create_table('lettings_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', AutoString(length=16), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('bid_limit', sa.Integer(), nullable=False),
    sa.CheckConstraint('bid_limit >= 1', name='ck_lettings_cycle_limit'),
    sa.CheckConstraint('closes_on >= opens_on', name='ck_lettings_cycle_dates'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )


def _lettings_property() -> None:
    op.create_table('lettings_property',
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('has_lift', sa.Boolean(), nullable=False),
    sa.Column('adapted', AutoString(length=24), nullable=True),
    sa.Column('max_occupants', sa.Integer(), nullable=True),
    sa.Column('notes', AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], ),
    sa.PrimaryKeyConstraint('property_id')
    )


def _lettings_void() -> None:
    op.create_table('lettings_void',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('previous_tenancy_id', sa.Integer(), nullable=True),
    sa.Column('void_type', AutoString(length=16), nullable=False),
    sa.Column('tenancy_ended_on', sa.Date(), nullable=False),
    sa.Column('keys_back_on', sa.Date(), nullable=True),
    sa.Column('ready_on', sa.Date(), nullable=True),
    sa.Column('let_on', sa.Date(), nullable=True),
    sa.Column('new_tenancy_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("void_type IN ('relet', 'first_let', 'mutual_exchange', 'succession', 'major_works', 'decant')", name='ck_lettings_void_type'),
    sa.CheckConstraint('let_on IS NULL OR let_on >= tenancy_ended_on', name='ck_lettings_void_dates'),
    sa.ForeignKeyConstraint(['new_tenancy_id'], ['tenancy.id'], ),
    sa.ForeignKeyConstraint(['previous_tenancy_id'], ['tenancy.id'], ),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('new_tenancy_id')
    )
    op.create_index('ix_lettings_void_property', 'lettings_void', ['property_id', 'tenancy_ended_on'], unique=False)


def _lettings_advert() -> None:
    op.create_table('lettings_advert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', AutoString(length=16), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('void_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('min_bedrooms', sa.Integer(), nullable=False),
    sa.Column('max_bedrooms', sa.Integer(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('accessible_need', AutoString(length=24), nullable=True),
    sa.Column('local_policy', AutoString(length=200), nullable=True),
    sa.Column('direct_match_application_id', sa.Integer(), nullable=True),
    sa.Column('weekly_rent_pence', sa.Integer(), nullable=False),
    sa.Column('status', AutoString(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'open', 'closed', 'offered', 'let', 'withdrawn')", name='ck_lettings_advert_status'),
    sa.CheckConstraint('min_bedrooms <= max_bedrooms', name='ck_lettings_advert_bedrooms'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['cycle_id'], ['lettings_cycle.id'], ),
    sa.ForeignKeyConstraint(['direct_match_application_id'], ['lettings_application.id'], ),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], ),
    sa.ForeignKeyConstraint(['void_id'], ['lettings_void.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    op.create_index(op.f('ix_lettings_advert_cycle_id'), 'lettings_advert', ['cycle_id'], unique=False)
    op.create_index(op.f('ix_lettings_advert_void_id'), 'lettings_advert', ['void_id'], unique=False)


def _lettings_bid() -> None:
    op.create_table('lettings_bid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('advert_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('cycle_limit', sa.Integer(), nullable=False),
    sa.Column('status', AutoString(length=16), nullable=False),
    sa.Column('assisted', sa.Boolean(), nullable=False),
    sa.Column('placed_by', sa.Integer(), nullable=True),
    sa.Column('placed_at', UTCDateTime(), nullable=False),
    sa.Column('skip_reason', AutoString(length=200), nullable=True),
    sa.CheckConstraint("status IN ('placed', 'withdrawn', 'skipped', 'offered', 'refused', 'housed')", name='ck_lettings_bid_status'),
    sa.CheckConstraint('slot >= 1 AND slot <= cycle_limit', name='ck_lettings_bid_slot'),
    sa.ForeignKeyConstraint(['advert_id'], ['lettings_advert.id'], ),
    sa.ForeignKeyConstraint(['application_id'], ['lettings_application.id'], ),
    sa.ForeignKeyConstraint(['cycle_id'], ['lettings_cycle.id'], ),
    sa.ForeignKeyConstraint(['placed_by'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('advert_id', 'application_id', name='ux_lettings_bid')
    )
    op.create_index(op.f('ix_lettings_bid_advert_id'), 'lettings_bid', ['advert_id'], unique=False)
    op.create_index(op.f('ix_lettings_bid_application_id'), 'lettings_bid', ['application_id'], unique=False)
    op.create_index('ux_lettings_bid_slot', 'lettings_bid', ['cycle_id', 'application_id', 'slot'], unique=True, sqlite_where=sa.text("status <> 'withdrawn'"), postgresql_where=sa.text("status <> 'withdrawn'"))


def _lettings_offer() -> None:
    op.create_table('lettings_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', AutoString(length=16), nullable=False),
    sa.Column('advert_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=True),
    sa.Column('status', AutoString(length=16), nullable=False),
    sa.Column('offered_on', sa.Date(), nullable=False),
    sa.Column('respond_by', sa.Date(), nullable=True),
    sa.Column('is_final', sa.Boolean(), nullable=False),
    sa.Column('review_by', sa.Date(), nullable=True),
    sa.Column('affordability_note', AutoString(length=200), nullable=True),
    sa.Column('refusal_reason', AutoString(length=200), nullable=True),
    sa.Column('refusal_reasonable', sa.Boolean(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status <> 'refused' OR refusal_reason IS NOT NULL", name='ck_lettings_offer_refusal'),
    sa.CheckConstraint("status IN ('live', 'accepted', 'refused', 'withdrawn')", name='ck_lettings_offer_status'),
    sa.ForeignKeyConstraint(['advert_id'], ['lettings_advert.id'], ),
    sa.ForeignKeyConstraint(['application_id'], ['lettings_application.id'], ),
    sa.ForeignKeyConstraint(['bid_id'], ['lettings_bid.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    op.create_index(op.f('ix_lettings_offer_advert_id'), 'lettings_offer', ['advert_id'], unique=False)
    op.create_index(op.f('ix_lettings_offer_application_id'), 'lettings_offer', ['application_id'], unique=False)
    op.create_index('ux_lettings_offer_live', 'lettings_offer', ['advert_id'], unique=True, sqlite_where=sa.text("status = 'live'"), postgresql_where=sa.text("status = 'live'"))


def _lettings_review_request() -> None:
    op.create_table('lettings_review_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', AutoString(length=16), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('decide_by', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('outcome', AutoString(length=32), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['lettings_application.id'], ),
    sa.ForeignKeyConstraint(['assessment_id'], ['lettings_assessment.id'], ),
    sa.ForeignKeyConstraint(['offer_id'], ['lettings_offer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_lettings_review_request_application_id'), 'lettings_review_request', ['application_id'], unique=False)
    op.create_index(op.f('ix_lettings_review_request_assessment_id'), 'lettings_review_request', ['assessment_id'], unique=False)


def _lettings_signup() -> None:
    op.create_table('lettings_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('appointment_at', UTCDateTime(), nullable=True),
    sa.Column('tenancy_id', sa.Integer(), nullable=True),
    sa.Column('tenancy_start', sa.Date(), nullable=True),
    sa.Column('signed_by', sa.Integer(), nullable=True),
    sa.Column('countersigned_by', sa.Integer(), nullable=True),
    sa.Column('signed_at', UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['countersigned_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['offer_id'], ['lettings_offer.id'], ),
    sa.ForeignKeyConstraint(['signed_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['tenancy_id'], ['tenancy.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('offer_id'),
    sa.UniqueConstraint('tenancy_id')
    )


def _lettings_viewing() -> None:
    op.create_table('lettings_viewing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', UTCDateTime(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('outcome', AutoString(length=32), nullable=True),
    sa.Column('note', AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['offer_id'], ['lettings_offer.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_lettings_viewing_offer_id'), 'lettings_viewing', ['offer_id'], unique=False)


def upgrade() -> None:
    _lettings_application()
    _lettings_assessment()
    _lettings_check()
    _lettings_s5_referral()
    _lettings_cycle()
    _lettings_property()
    _lettings_void()
    _lettings_advert()
    _lettings_bid()
    _lettings_offer()
    _lettings_review_request()
    _lettings_signup()
    _lettings_viewing()


def downgrade() -> None:
    for table in ('lettings_viewing', 'lettings_signup', 'lettings_review_request', 'lettings_offer', 'lettings_bid', 'lettings_advert', 'lettings_void', 'lettings_s5_referral', 'lettings_check', 'lettings_assessment', 'lettings_application', 'lettings_property', 'lettings_cycle'):
        op.drop_table(table)
