"""payments: direct debits — mandates and their history, advance notices, collections, Bacs returns

Revision ID: payments_0004
Revises: payments_0003
Create Date: 2026-12-04

New tables only (docs/RENTS_DIRECT_DEBIT.md): ``dd_mandate`` (UNIQUE reference; checks on status,
basis and collection day), ``dd_mandate_event`` (the history), ``dd_notice`` (UNIQUE per mandate,
collection date and amount), ``dd_collection`` (UNIQUE per mandate and date; a re-presentation names
the collection it re-presents, once), ``dd_return`` (UNIQUE return_key: each ARUDD/ADDACS row once).
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "payments_0004"
down_revision = "payments_0003"
branch_labels = None
depends_on = None

STATUS_RULE = "status IN ('active', 'paused', 'suspended', 'cancelled')"
BASIS_RULE = "basis IN ('charges', 'fixed') AND amount_pence >= 0 AND top_up_pence >= 0"
DAY_RULE = "collection_day BETWEEN 1 AND 28"


def _staff(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=True)


def upgrade() -> None:
    op.create_table(
        "dd_mandate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("reference", AutoString(length=18), nullable=False, unique=True),
        sa.Column("payer_name", AutoString(length=18), nullable=False),
        sa.Column("sort_code", AutoString(length=6), nullable=False),
        sa.Column("account_number", AutoString(length=8), nullable=False),
        sa.Column("collection_day", sa.Integer(), nullable=False),
        sa.Column("basis", AutoString(length=8), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("top_up_pence", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=12), nullable=False),
        sa.Column("lodgement", AutoString(length=2), nullable=True),
        sa.Column("first_collection", sa.Date(), nullable=False),
        sa.Column("collected_once", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _staff("created_by"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(STATUS_RULE, name="ck_dd_mandate_status"),
        sa.CheckConstraint(BASIS_RULE, name="ck_dd_mandate_basis"),
        sa.CheckConstraint(DAY_RULE, name="ck_dd_mandate_day"),
    )
    op.create_index("ix_dd_mandate_account", "dd_mandate", ["account_id"])
    op.create_table(
        "dd_mandate_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mandate_id", sa.Integer(), sa.ForeignKey("dd_mandate.id"), nullable=False),
        sa.Column("event", AutoString(length=24), nullable=False),
        sa.Column("status", AutoString(length=12), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("collection_day", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        _staff("by"),
        sa.Column("note", AutoString(length=200), nullable=True),
    )
    op.create_index("ix_dd_mandate_event_mandate_id", "dd_mandate_event", ["mandate_id"])
    op.create_table(
        "dd_notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mandate_id", sa.Integer(), sa.ForeignKey("dd_mandate.id"), nullable=False),
        sa.Column("kind", AutoString(length=16), nullable=False),
        sa.Column("collection_date", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("notice_by", sa.Date(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        _staff("sent_by"),
        sa.UniqueConstraint("mandate_id", "collection_date", "amount_pence", name="uq_dd_notice"),
    )
    op.create_index("ix_dd_notice_mandate_id", "dd_notice", ["mandate_id"])
    op.create_table(
        "dd_collection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mandate_id", sa.Integer(), sa.ForeignKey("dd_mandate.id"), nullable=False),
        sa.Column("collection_date", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("transaction_code", AutoString(length=2), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), sa.ForeignKey("ledger_entry.id"), nullable=True),
        sa.Column("status", AutoString(length=12), nullable=False),
        sa.Column("represents_id", sa.Integer(), sa.ForeignKey("dd_collection.id"), nullable=True, unique=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("mandate_id", "collection_date", name="uq_dd_collection"),
    )
    op.create_index("ix_dd_collection_mandate_id", "dd_collection", ["mandate_id"])
    op.create_table(
        "dd_return",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("return_key", AutoString(length=64), nullable=False, unique=True),
        sa.Column("report", AutoString(length=8), nullable=False),
        sa.Column("reason_code", AutoString(length=1), nullable=False),
        sa.Column("mandate_id", sa.Integer(), sa.ForeignKey("dd_mandate.id"), nullable=False),
        sa.Column("collection_id", sa.Integer(), sa.ForeignKey("dd_collection.id"), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("act_by", sa.Date(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
        _staff("applied_by"),
        sa.Column("action", AutoString(length=200), nullable=False),
    )
    op.create_index("ix_dd_return_mandate_id", "dd_return", ["mandate_id"])


def downgrade() -> None:
    for table in ("dd_return", "dd_collection", "dd_notice", "dd_mandate_event", "dd_mandate"):
        op.drop_table(table)
