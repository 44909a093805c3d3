"""rents: charges, the rent weeks posted by the debit run, void rent loss

Revision ID: rents_0001
Revises: 0001
Create Date: 2026-12-04

``rent_charge`` (a property's or tenancy's charges with their history: CHECKs for the dates, the
owner and the amount), ``rent_week_posted`` (the debit run's "only once": primary key property and
week) and ``rent_void_loss``. All new tables, so no existing rows to check. No charges are made
here: ``duty-tui rent seed-charges`` creates basic-rent charges from the tenancies' weekly rent
from a date the council chooses (docs/RENTS_DEBIT.md). The run posts to the ledger, whose kept
balances are core_0004's, so this branch depends on it.
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "rents_0001"
down_revision = "0001"
branch_labels = ("rents",)
depends_on = "core_0004"

_S = AutoString
_T = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "rent_charge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=True),
        sa.Column("tenancy_id", sa.Integer(), nullable=True),
        sa.Column("charge_code", _S(length=24), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("frequency", _S(length=16), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _T(), nullable=False),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("ended_at", _T(), nullable=True),
        sa.Column("ended_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="ck_rent_charge_dates"),
        sa.CheckConstraint("(property_id IS NULL) <> (tenancy_id IS NULL)", name="ck_rent_charge_owner"),
        sa.CheckConstraint("amount_pence >= 0", name="ck_rent_charge_amount"),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"]),
        sa.ForeignKeyConstraint(["tenancy_id"], ["tenancy.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["ended_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rent_charge_property", "rent_charge", ["property_id", "effective_from"])
    op.create_index("ix_rent_charge_tenancy", "rent_charge", ["tenancy_id", "effective_from"])
    op.create_table(
        "rent_week_posted",
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("posted_at", _T(), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"]),
        sa.PrimaryKeyConstraint("property_id", "week_start"),
    )
    op.create_table(
        "rent_void_loss",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("charge_code", _S(length=24), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("property_id", "week_start", "charge_code", name="ux_rent_void_loss"),
    )


def downgrade() -> None:
    op.drop_table("rent_void_loss")
    op.drop_table("rent_week_posted")
    op.drop_index("ix_rent_charge_tenancy", table_name="rent_charge")
    op.drop_index("ix_rent_charge_property", table_name="rent_charge")
    op.drop_table("rent_charge")
