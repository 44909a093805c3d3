"""front desk: a postal address for people we do not house (applicants' correspondence addresses)

Revision ID: frontdesk_0003
Revises: frontdesk_0002
Create Date: 2026-12-03

A homelessness applicant may have no tenancy with us, so their letters had no address. The
new-applicant form records one here; letters use an open temporary accommodation placement
first, then the latest ``person_address`` row, then the tenancy's property.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "frontdesk_0003"
down_revision = "frontdesk_0002"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "person_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=16), nullable=False),
        sa.Column("line1", _S(length=120), nullable=False),
        sa.Column("line2", _S(length=120), nullable=True),
        sa.Column("town", _S(length=80), nullable=False),
        sa.Column("postcode", _S(length=8), nullable=False),
        sa.Column("postcode_key", _S(length=8), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_person_address_person", "person_address", ["person_id", "since"], unique=False)
    op.create_index("ix_person_address_postcode_key", "person_address", ["postcode_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_person_address_postcode_key", table_name="person_address")
    op.drop_index("ix_person_address_person", table_name="person_address")
    op.drop_table("person_address")
