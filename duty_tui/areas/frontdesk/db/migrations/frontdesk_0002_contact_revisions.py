"""front desk: corrections of logged contacts, each keeping what the contact said before

Revision ID: frontdesk_0002
Revises: frontdesk_0001
Create Date: 2026-12-03

A contact's author (or a team leader) may correct it for a while after it was logged
(data/frontdesk/frontdesk.toml [contact_edits]). Each correction appends a ``contact_revision`` row
holding the fields before and after, who made it, when and why; the first row's ``before``
is the contact as first logged, so the original is never lost. UNIQUE (contact_id,
revision): two corrections of the same version cannot both be recorded.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "frontdesk_0002"
down_revision = "frontdesk_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by", sa.Integer(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contact_id", "revision", name="uq_contact_revision"),
    )
    op.create_index("ix_contact_revision_contact_id", "contact_revision", ["contact_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contact_revision_contact_id", table_name="contact_revision")
    op.drop_table("contact_revision")
