"""front desk: contact reasons, callers queue, follow-ups, case timeline, complaints, repairs, safeguarding

Revision ID: frontdesk_0001
Revises: 0001
Create Date: 2026-11-22

The front desk's own tables, plus columns on ``contact`` (third party, anonymous,
identity check, agency) and ``work_case`` (the clock behind ``due_at``, escalation, creator). Columns are
added without recreating the tables (no new foreign keys on them), so other areas'
references to ``work_case`` and ``contact`` are untouched on SQLite.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "frontdesk_0001"
down_revision = "0001"
branch_labels = ("frontdesk",)
depends_on = None


def upgrade() -> None:
    op.create_table('change_signal',
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('channel')
    )
    op.create_table('frontdesk_sequence',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('complaint_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ack_due', sa.Date(), nullable=False),
    sa.Column('acknowledged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('response_due', sa.Date(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('extended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('responded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('response_summary', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['work_case.id'], ),
    sa.ForeignKeyConstraint(['handler_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'stage', name='uq_complaint_stage')
    )
    with op.batch_alter_table('complaint_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_stage_case_id'), ['case_id'], unique=False)

    op.create_table('repair_detail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('target_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('hazard', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('awaab', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('aware_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('emergency_due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('made_safe_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('investigate_due', sa.Date(), nullable=True),
    sa.Column('investigated_on', sa.Date(), nullable=True),
    sa.Column('significant', sa.Boolean(), nullable=True),
    sa.Column('summary_due', sa.Date(), nullable=True),
    sa.Column('summary_sent_on', sa.Date(), nullable=True),
    sa.Column('safety_works_due', sa.Date(), nullable=True),
    sa.Column('safety_works_done_on', sa.Date(), nullable=True),
    sa.Column('further_start_due', sa.Date(), nullable=True),
    sa.Column('further_started_on', sa.Date(), nullable=True),
    sa.Column('further_begun_by', sa.Date(), nullable=True),
    sa.Column('further_begun_on', sa.Date(), nullable=True),
    sa.Column('completed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['work_case.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['work_case.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_case_at', ['case_id', 'at'], unique=False)

    op.create_table('contact_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('reason_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contact_id', 'reason_code', name='uq_contact_reason')
    )
    with op.batch_alter_table('contact_reason', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_reason_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_reason_reason_code'), ['reason_code'], unique=False)

    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('done_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['work_case.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['done_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_assignee_due', ['assignee_id', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_follow_up_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_follow_up_team_due', ['team_id', 'due_at'], unique=False)

    op.create_table('reception_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('ticket', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('caller_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('reason_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('needs', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('interpreter_language', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('arrived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('called_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('called_by', sa.Integer(), nullable=True),
    sa.Column('desk', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['called_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('visit_date', 'ticket', name='uq_reception_visit_ticket')
    )
    with op.batch_alter_table('reception_visit', schema=None) as batch_op:
        batch_op.create_index('ix_reception_visit_date_status', ['visit_date', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reception_visit_person_id'), ['person_id'], unique=False)

    op.create_table('safeguarding_concern',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject_person_id', sa.Integer(), nullable=True),
    sa.Column('subject_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('raised_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('raised_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['work_case.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['raised_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['subject_person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('safeguarding_concern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_concern_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('anonymous', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('third_party_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('third_party_org', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('third_party_relationship', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('third_party_phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('id_check_method', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('id_check_result', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True))

    with op.batch_alter_table('work_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('clock_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('clock_started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('created_by', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('work_case', schema=None) as batch_op:
        batch_op.drop_column('created_by')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('clock_started_at')
        batch_op.drop_column('clock_name')
        batch_op.drop_column('clock_kind')

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('agency_code')
        batch_op.drop_column('id_check_result')
        batch_op.drop_column('id_check_method')
        batch_op.drop_column('third_party_phone')
        batch_op.drop_column('third_party_relationship')
        batch_op.drop_column('third_party_org')
        batch_op.drop_column('third_party_name')
        batch_op.drop_column('anonymous')
        batch_op.drop_column('logged_at')

    with op.batch_alter_table('safeguarding_concern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_concern_case_id'))

    op.drop_table('safeguarding_concern')
    with op.batch_alter_table('reception_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_visit_person_id'))
        batch_op.drop_index('ix_reception_visit_date_status')

    op.drop_table('reception_visit')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_team_due')
        batch_op.drop_index('ix_follow_up_status_due')
        batch_op.drop_index(batch_op.f('ix_follow_up_person_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_contact_id'))
        batch_op.drop_index('ix_follow_up_assignee_due')

    op.drop_table('follow_up')
    with op.batch_alter_table('contact_reason', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_reason_reason_code'))
        batch_op.drop_index(batch_op.f('ix_contact_reason_contact_id'))

    op.drop_table('contact_reason')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_case_at')

    op.drop_table('case_event')
    op.drop_table('repair_detail')
    with op.batch_alter_table('complaint_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_stage_case_id'))

    op.drop_table('complaint_stage')
    op.drop_table('frontdesk_sequence')
    op.drop_table('change_signal')
