"""Index people's folded forenames, so a one-word search that matches a forename ("aisha") is a range scan.

Revision ID: core_0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

revision = "core_0002"
down_revision = "0001"
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    op.create_index("ix_person_forename_key", "person", ["forename_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_person_forename_key", table_name="person")
