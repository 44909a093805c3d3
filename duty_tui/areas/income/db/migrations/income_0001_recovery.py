"""income: recovery actions and pauses on rent accounts

Revision ID: income_0001
Revises: 0001
Create Date: 2026-12-04

``recovery_action`` (the steps taken, latest per account through
``ix_recovery_action_account_taken``) and ``recovery_pause`` (at most one active pause per
account: the partial UNIQUE index ``ux_recovery_pause_active`` where ``lifted_at IS NULL``).
Both are new tables, so there are no existing rows to check. The worklist reads the kept
balances (``account_balance``, core_0004), so this branch depends on that revision.
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "income_0001"
down_revision = "0001"
branch_labels = ("income",)
depends_on = "core_0004"

_S = AutoString
_T = UTCDateTime
ACTIVE = sa.text("lifted_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "recovery_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("action", _S(length=40), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("taken_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", _T(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["taken_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recovery_action_account_taken", "recovery_action", ["account_id", "taken_on", "id"])
    op.create_table(
        "recovery_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reason", _S(length=40), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", _T(), nullable=False),
        sa.Column("lifted_at", _T(), nullable=True),
        sa.Column("lifted_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["set_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["lifted_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recovery_pause_account", "recovery_pause", ["account_id"])
    op.create_index("ux_recovery_pause_active", "recovery_pause", ["account_id"], unique=True,
                    postgresql_where=ACTIVE, sqlite_where=ACTIVE)


def downgrade() -> None:
    op.drop_index("ux_recovery_pause_active", table_name="recovery_pause")
    op.drop_index("ix_recovery_pause_account", table_name="recovery_pause")
    op.drop_table("recovery_pause")
    op.drop_index("ix_recovery_action_account_taken", table_name="recovery_action")
    op.drop_table("recovery_action")
