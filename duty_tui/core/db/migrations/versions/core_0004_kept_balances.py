"""Kept balances: account_balance, maintained by triggers on ledger_entry in the same transaction.

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-12-04

Until now every balance was a SUM over the account's ledger rows, and "every account owing more
than £x" summed the whole ledger (1.9 s on the office demo, ~17 s at council scale, holding a read
the whole time). Now ``account_balance`` holds each account's balance, row count, when it last
moved and its last payment, kept by an AFTER INSERT and an AFTER DELETE trigger on ``ledger_entry``
(duty_tui/core/db/kept_balance.py says what each keeps and why triggers). The upgrade fills it
from the ledger as it stands, in the same transaction; ``duty-tui account reconcile`` proves it.
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

from duty_tui.core.db import kept_balance

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_balance",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("balance_pence", sa.BigInteger(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=True),
        sa.Column("last_payment_on", sa.Date(), nullable=True),
        sa.Column("last_payment_pence", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_index("ix_account_balance_balance", "account_balance", ["balance_pence"], unique=False)
    connection = op.get_bind()
    dialect = connection.dialect.name
    for statement in kept_balance.sqlite_ddl() if dialect == "sqlite" else kept_balance.postgresql_ddl():
        op.execute(statement)
    kept_balance.rebuild(connection)


def downgrade() -> None:
    for statement in kept_balance.drop_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_account_balance_balance", table_name="account_balance")
    op.drop_table("account_balance")
