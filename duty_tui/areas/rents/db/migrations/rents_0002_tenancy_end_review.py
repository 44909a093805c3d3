"""rents: tenancy ends at the account, credit transfers, sundry charges, the rent review and its notices

Revision ID: rents_0002
Revises: rents_0001
Create Date: 2026-12-04

``rent_tenancy_end`` (once per tenancy: UNIQUE tenancy_id), ``rent_credit_transfer`` (a credit moved to
another debt of the same person, two-person), ``rent_sundry_charge`` (court costs and rechargeable
repairs on their own accounts; UNIQUE ledger row), ``rent_review`` (one applied review per rent year: a
partial UNIQUE index), ``rent_review_line`` and ``rent_variation_notice`` (once per review and tenancy).
All new tables, so no existing rows to check.
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "rents_0002"
down_revision = "rents_0001"
branch_labels = None
depends_on = None

_S = AutoString
_T = UTCDateTime
APPLIED = sa.text("status = 'applied'")


def _tenancy_end_tables() -> None:
    op.create_table(
        "rent_tenancy_end",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenancy_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("charged_pence", sa.Integer(), nullable=False),
        sa.Column("reversed_pence", sa.Integer(), nullable=False),
        sa.Column("final_balance_pence", sa.Integer(), nullable=False),
        sa.Column("outcome", _S(length=16), nullable=False),
        sa.Column("outcome_ref", _S(length=24), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _T(), nullable=False),
        sa.CheckConstraint("outcome IN ('former_tenant', 'refund', 'transfer', 'credit_held', 'nil')",
                           name="ck_rent_tenancy_end_outcome"),
        sa.ForeignKeyConstraint(["tenancy_id"], ["tenancy.id"]),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenancy_id"),
    )
    op.create_index("ix_rent_tenancy_end_account_id", "rent_tenancy_end", ["account_id"])
    op.create_table(
        "rent_credit_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _S(length=16), nullable=False),
        sa.Column("from_account_id", sa.Integer(), nullable=False),
        sa.Column("to_account_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("reason", _S(length=200), nullable=False),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", _T(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", _T(), nullable=True),
        sa.Column("decision_note", _S(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("from_account_id <> to_account_id", name="ck_rent_credit_transfer_accounts"),
        sa.CheckConstraint("amount_pence > 0", name="ck_rent_credit_transfer_amount"),
        sa.CheckConstraint("status IN ('requested', 'authorised', 'rejected')", name="ck_rent_credit_transfer_status"),
        sa.ForeignKeyConstraint(["from_account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["to_account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("ix_rent_credit_transfer_status", "rent_credit_transfer", ["status"])
    op.create_index("ix_rent_credit_transfer_from_account_id", "rent_credit_transfer", ["from_account_id"])
    op.create_table(
        "rent_sundry_charge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("rent_account_id", sa.Integer(), nullable=True),
        sa.Column("kind", _S(length=24), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("description", _S(length=200), nullable=False),
        sa.Column("source_ref", _S(length=32), nullable=True),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _T(), nullable=False),
        sa.CheckConstraint("kind IN ('court_costs', 'rechargeable_repairs')", name="ck_rent_sundry_charge_kind"),
        sa.CheckConstraint("amount_pence > 0", name="ck_rent_sundry_charge_amount"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["rent_account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["ledger_entry_id"], ["ledger_entry.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ledger_entry_id"),
    )
    op.create_index("ix_rent_sundry_charge_account_id", "rent_sundry_charge", ["account_id"])


def _review_tables() -> None:
    op.create_table(
        "rent_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _S(length=16), nullable=False),
        sa.Column("rent_year_start", sa.Date(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("basis", _S(length=16), nullable=False),
        sa.Column("percent_bp", sa.Integer(), nullable=True),
        sa.Column("policy_code", _S(length=32), nullable=False),
        sa.Column("description", _S(length=200), nullable=False),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("notices_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _T(), nullable=False),
        sa.Column("applied_by", sa.Integer(), nullable=True),
        sa.Column("applied_at", _T(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("basis IN ('percent', 'per_property')", name="ck_rent_review_basis"),
        sa.CheckConstraint("status IN ('modelled', 'applied', 'withdrawn')", name="ck_rent_review_status"),
        sa.CheckConstraint("basis <> 'percent' OR percent_bp IS NOT NULL", name="ck_rent_review_percent"),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["applied_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("ux_rent_review_applied", "rent_review", ["rent_year_start"], unique=True,
                    sqlite_where=APPLIED, postgresql_where=APPLIED)
    op.create_table(
        "rent_review_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("charge_code", _S(length=24), nullable=False),
        sa.Column("frequency", _S(length=16), nullable=False),
        sa.Column("old_pence", sa.Integer(), nullable=False),
        sa.Column("new_pence", sa.Integer(), nullable=False),
        sa.Column("capped", sa.Boolean(), nullable=False),
        sa.Column("note", _S(length=200), nullable=True),
        sa.CheckConstraint("old_pence >= 0 AND new_pence >= 0", name="ck_rent_review_line_amounts"),
        sa.ForeignKeyConstraint(["review_id"], ["rent_review.id"]),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "property_id", "charge_code", name="ux_rent_review_line"),
    )
    op.create_index("ix_rent_review_line_review_id", "rent_review_line", ["review_id"])
    op.create_table(
        "rent_variation_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("tenancy_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("old_weekly_pence", sa.Integer(), nullable=False),
        sa.Column("new_weekly_pence", sa.Integer(), nullable=False),
        sa.Column("letter_code", _S(length=32), nullable=False),
        sa.Column("created_at", _T(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["rent_review.id"]),
        sa.ForeignKeyConstraint(["tenancy_id"], ["tenancy.id"]),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "tenancy_id", name="ux_rent_variation_notice"),
    )
    op.create_index("ix_rent_variation_notice_review_id", "rent_variation_notice", ["review_id"])
    op.create_index("ix_rent_variation_notice_tenancy_id", "rent_variation_notice", ["tenancy_id"])


def upgrade() -> None:
    _tenancy_end_tables()
    _review_tables()


def downgrade() -> None:
    for table in ("rent_variation_notice", "rent_review_line", "rent_review", "rent_sundry_charge",
                  "rent_credit_transfer", "rent_tenancy_end"):
        op.drop_table(table)
