"""Index what opening a person and a case filter on: a household's cases, a case's contacts.

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-12-03

Opening a person reads ``work_case WHERE person_id = ? OR household_id = ?`` and a case reads
``contact WHERE case_id = ? OR id IN (...)``: without these two indexes each was a full scan of
its table (issue 13 measured 17 ms of a 43 ms person open at council scale on PostgreSQL).
tests/core/db/test_hot_query_plans.py plans the hot reads on both databases.
"""

from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_work_case_household_id", "work_case", ["household_id"], unique=False)
    op.create_index("ix_contact_case_id", "contact", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contact_case_id", table_name="contact")
    op.drop_index("ix_work_case_household_id", table_name="work_case")
