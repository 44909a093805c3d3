"""housing options: homelessness cases, stage moves, plans, notices, s193B, reviews, TA

Revision ID: housing_0001
Revises: 0001
Create Date: 2026-11-23

Tables of the housing options (homelessness) area only; each homelessness case is also
a ``work_case`` row (case_type "homelessness").
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "housing_0001"
down_revision = "0001"
branch_labels = ("housing",)
depends_on = None


def upgrade() -> None:
    op.create_table('homeless_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('jurisdiction', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('approach_date', sa.Date(), nullable=False),
    sa.Column('route', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('referral_body', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('referral_details', sa.Text(), nullable=True),
    sa.Column('referral_consent', sa.Boolean(), nullable=True),
    sa.Column('referral_received_on', sa.Date(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('current_accommodation', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('last_settled_accommodation', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('loss_reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('loss_date', sa.Date(), nullable=True),
    sa.Column('s21_expiry', sa.Date(), nullable=True),
    sa.Column('notice_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('nowhere_tonight', sa.Boolean(), nullable=False),
    sa.Column('rough_sleeping', sa.Boolean(), nullable=False),
    sa.Column('domestic_abuse_risk', sa.Boolean(), nullable=False),
    sa.Column('da_risk_in_connected_area', sa.Boolean(), nullable=False),
    sa.Column('safeguarding', sa.Boolean(), nullable=False),
    sa.Column('safeguarding_notes', sa.Text(), nullable=True),
    sa.Column('eligible', sa.Boolean(), nullable=True),
    sa.Column('eligibility_notes', sa.Text(), nullable=True),
    sa.Column('homeless', sa.Boolean(), nullable=True),
    sa.Column('priority_need', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('intentional', sa.Boolean(), nullable=True),
    sa.Column('local_connection', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('relief_start', sa.Date(), nullable=True),
    sa.Column('household_text', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('children', sa.Integer(), nullable=False),
    sa.Column('pregnant', sa.Boolean(), nullable=False),
    sa.Column('support_needs_assessed', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('assessment_duty', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('prevention_start', sa.Date(), nullable=True),
    sa.Column('prevention_end', sa.Date(), nullable=True),
    sa.Column('prevention_outcome', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True),
    sa.Column('prevention_accommodation', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('relief_end', sa.Date(), nullable=True),
    sa.Column('relief_outcome', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True),
    sa.Column('relief_accommodation', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('final_decision', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('final_decision_on', sa.Date(), nullable=True),
    sa.Column('main_duty_end', sa.Date(), nullable=True),
    sa.Column('main_duty_outcome', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True),
    sa.Column('plan_agreed_on', sa.Date(), nullable=True),
    sa.Column('plan_review_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['work_case.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    op.create_index('ix_homeless_case_assessed', 'homeless_case', ['assessed_on'], unique=False)
    op.create_index('ix_homeless_case_person', 'homeless_case', ['person_id'], unique=False)
    op.create_index('ix_homeless_case_stage', 'homeless_case', ['stage'], unique=False)
    op.create_table('homeless_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homeless_case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('relationship', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('pregnant', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['homeless_case_id'], ['homeless_case.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_homeless_member_homeless_case_id'), 'homeless_member', ['homeless_case_id'], unique=False)
    op.create_table('homeless_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homeless_case_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('from_stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('to_stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('final_decision', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['homeless_case_id'], ['homeless_case.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_homeless_move_homeless_case_id'), 'homeless_move', ['homeless_case_id'], unique=False)
    op.create_index('ix_homeless_move_on', 'homeless_move', ['on_date', 'from_stage'], unique=False)
    op.create_table('homeless_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homeless_case_id', sa.Integer(), nullable=False),
    sa.Column('notice_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('authorised_by', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('review_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('review_last_day', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['authorised_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['homeless_case_id'], ['homeless_case.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_homeless_notice_homeless_case_id'), 'homeless_notice', ['homeless_case_id'], unique=False)
    op.create_table('homeless_placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homeless_case_id', sa.Integer(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('ta_type', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('duty_basis', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['homeless_case_id'], ['homeless_case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_homeless_placement_dates', 'homeless_placement', ['start_on', 'end_on'], unique=False)
    op.create_index(op.f('ix_homeless_placement_homeless_case_id'), 'homeless_placement', ['homeless_case_id'], unique=False)
    op.create_table('homeless_plan_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homeless_case_id', sa.Integer(), nullable=False),
    sa.Column('party', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['homeless_case_id'], ['homeless_case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_homeless_plan_step_homeless_case_id'), 'homeless_plan_step', ['homeless_case_id'], unique=False)
    op.create_table('homeless_support_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homeless_case_id', sa.Integer(), nullable=False),
    sa.Column('need', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['homeless_case_id'], ['homeless_case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_homeless_support_need_homeless_case_id'), 'homeless_support_need', ['homeless_case_id'], unique=False)
    op.create_table('homeless_noncoop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homeless_case_id', sa.Integer(), nullable=False),
    sa.Column('warning_notice_id', sa.Integer(), nullable=False),
    sa.Column('duty_stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('signed_off_by', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['homeless_case_id'], ['homeless_case.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['homeless_notice.id'], ),
    sa.ForeignKeyConstraint(['proposed_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['signed_off_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['warning_notice_id'], ['homeless_notice.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_homeless_noncoop_homeless_case_id'), 'homeless_noncoop', ['homeless_case_id'], unique=False)
    op.create_table('homeless_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homeless_case_id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('late_allowed', sa.Boolean(), nullable=False),
    sa.Column('representations_on', sa.Date(), nullable=True),
    sa.Column('agreed_until', sa.Date(), nullable=True),
    sa.Column('decision_due', sa.Date(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['homeless_case_id'], ['homeless_case.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['homeless_notice.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_homeless_review_homeless_case_id'), 'homeless_review', ['homeless_case_id'], unique=False)
    op.create_index('ix_homeless_review_open', 'homeless_review', ['decided_on', 'decision_due'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_homeless_review_open', table_name='homeless_review')
    op.drop_index(op.f('ix_homeless_review_homeless_case_id'), table_name='homeless_review')
    op.drop_table('homeless_review')
    op.drop_index(op.f('ix_homeless_noncoop_homeless_case_id'), table_name='homeless_noncoop')
    op.drop_table('homeless_noncoop')
    op.drop_index(op.f('ix_homeless_support_need_homeless_case_id'), table_name='homeless_support_need')
    op.drop_table('homeless_support_need')
    op.drop_index(op.f('ix_homeless_plan_step_homeless_case_id'), table_name='homeless_plan_step')
    op.drop_table('homeless_plan_step')
    op.drop_index(op.f('ix_homeless_placement_homeless_case_id'), table_name='homeless_placement')
    op.drop_index('ix_homeless_placement_dates', table_name='homeless_placement')
    op.drop_table('homeless_placement')
    op.drop_index(op.f('ix_homeless_notice_homeless_case_id'), table_name='homeless_notice')
    op.drop_table('homeless_notice')
    op.drop_index('ix_homeless_move_on', table_name='homeless_move')
    op.drop_index(op.f('ix_homeless_move_homeless_case_id'), table_name='homeless_move')
    op.drop_table('homeless_move')
    op.drop_index(op.f('ix_homeless_member_homeless_case_id'), table_name='homeless_member')
    op.drop_table('homeless_member')
    op.drop_index('ix_homeless_case_stage', table_name='homeless_case')
    op.drop_index('ix_homeless_case_person', table_name='homeless_case')
    op.drop_index('ix_homeless_case_assessed', table_name='homeless_case')
    op.drop_table('homeless_case')
