"""front desk: index a case's callbacks and appointments

Revision ID: frontdesk_0004
Revises: frontdesk_0003
Create Date: 2026-12-03

A case's page reads ``follow_up WHERE case_id = ?``; without this index it was a full scan.
tests/core/db/test_hot_query_plans.py plans the hot reads on both databases.
"""

from alembic import op

revision = "frontdesk_0004"
down_revision = "frontdesk_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_follow_up_case_id", "follow_up", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_follow_up_case_id", table_name="follow_up")
