"""payments: receipts, refunds, arrangements, cash-ups, imports, suspense; ledger till and reason

Revision ID: payments_0001
Revises: 0001
Create Date: 2026-11-23

The lines of a split payment share one receipt number, so the receipt number's
uniqueness per office moves from ``ledger_entry`` to the new ``payment`` table
(``uq_payment_receipt``); ``ledger_entry`` keeps a plain index on it.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "payments_0001"
down_revision = "0001"
branch_labels = ("payments",)
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("till_code", _S(length=16), nullable=True))
        batch_op.add_column(sa.Column("reason", _S(length=200), nullable=True))
        batch_op.drop_constraint("uq_ledger_receipt", type_="unique")
        batch_op.create_index("ix_ledger_receipt", ["office_id", "receipt_no"], unique=False)
        batch_op.create_index("ix_ledger_reverses", ["reverses_id"], unique=False)
        batch_op.create_index("ix_ledger_till_date", ["till_code", "effective_date"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("receipt_no", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", _S(length=64), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("taken_at", _T(), nullable=False),
        sa.Column("taken_by", sa.Integer(), nullable=True),
        sa.Column("channel", _S(length=16), nullable=False),
        sa.Column("method", _S(length=24), nullable=False),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column("till_code", _S(length=16), nullable=True),
        sa.Column("card_last4", _S(length=4), nullable=True),
        sa.Column("card_status", _S(length=16), nullable=True),
        sa.Column("terminal_ref", _S(length=40), nullable=True),
        sa.Column("cheque_no", _S(length=12), nullable=True),
        sa.Column("paid_by", _S(length=120), nullable=True),
        sa.Column("reference", _S(length=64), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("terminal", _S(length=128), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["taken_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        sa.UniqueConstraint("office_id", "receipt_no", name="uq_payment_receipt"),
    )
    op.create_index("ix_payment_taken_by_date", "payment", ["taken_by", "business_date"], unique=False)

    op.create_table(
        "refund_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _S(length=16), nullable=False),
        sa.Column("idempotency_key", _S(length=64), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("method", _S(length=24), nullable=False),
        sa.Column("payee", _S(length=120), nullable=False),
        sa.Column("reason", _S(length=200), nullable=False),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", _T(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", _T(), nullable=True),
        sa.Column("decision_note", _S(length=200), nullable=True),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["ledger_entry_id"], ["ledger_entry.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_refund_request_account_id", "refund_request", ["account_id"], unique=False)
    op.create_index("ix_refund_status", "refund_request", ["status"], unique=False)

    op.create_table(
        "arrangement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _S(length=16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("frequency", _S(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("note", _S(length=200), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _T(), nullable=False),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("ended_at", _T(), nullable=True),
        sa.Column("end_reason", _S(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["ended_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("ix_arrangement_account_id", "arrangement", ["account_id"], unique=False)
    op.create_index("ix_arrangement_status", "arrangement", ["status"], unique=False)

    op.create_table(
        "arrangement_instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("arrangement_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["arrangement_id"], ["arrangement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("arrangement_id", "seq", name="uq_instalment_seq"),
    )
    op.create_index("ix_arrangement_instalment_arrangement_id", "arrangement_instalment", ["arrangement_id"],
                    unique=False)

    op.create_table(
        "cashup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _S(length=16), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("till_code", _S(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("counted_at", _T(), nullable=False),
        sa.Column("expected_pence", sa.Integer(), nullable=False),
        sa.Column("counted_pence", sa.Integer(), nullable=False),
        sa.Column("variance_pence", sa.Integer(), nullable=False),
        sa.Column("variance_reason", sa.Text(), nullable=True),
        sa.Column("signed_off_by", sa.Integer(), nullable=True),
        sa.Column("signed_off_at", _T(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["signed_off_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("office_id", "till_code", "user_id", "business_date", name="uq_cashup_till_user_day"),
    )
    op.create_index("ix_cashup_till_day", "cashup", ["office_id", "till_code", "business_date"], unique=False)

    op.create_table(
        "cashup_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cashup_id", sa.Integer(), nullable=False),
        sa.Column("method", _S(length=24), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("expected_pence", sa.Integer(), nullable=False),
        sa.Column("counted_pence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cashup_id"], ["cashup.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cashup_id", "method", name="uq_cashup_line_method"),
    )
    op.create_index("ix_cashup_line_cashup_id", "cashup_line", ["cashup_id"], unique=False)

    op.create_table(
        "cashup_denomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cashup_id", sa.Integer(), nullable=False),
        sa.Column("denomination_pence", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cashup_id"], ["cashup.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cashup_id", "denomination_pence", name="uq_cashup_denomination"),
    )
    op.create_index("ix_cashup_denomination_cashup_id", "cashup_denomination", ["cashup_id"], unique=False)

    op.create_table(
        "payment_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", _S(length=255), nullable=False),
        sa.Column("file_sha256", _S(length=64), nullable=False),
        sa.Column("imported_at", _T(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("rows_in_file", sa.Integer(), nullable=False),
        sa.Column("posted", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("suspense", sa.Integer(), nullable=False),
        sa.Column("total_pence", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["imported_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_payment_import_file_sha256", "payment_import", ["file_sha256"], unique=False)

    op.create_table(
        "suspense_allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suspense_entry_id", sa.Integer(), nullable=False),
        sa.Column("target_account_id", sa.Integer(), nullable=False),
        sa.Column("out_entry_id", sa.Integer(), nullable=False),
        sa.Column("in_entry_id", sa.Integer(), nullable=False),
        sa.Column("allocated_by", sa.Integer(), nullable=True),
        sa.Column("allocated_at", _T(), nullable=False),
        sa.Column("note", _S(length=200), nullable=True),
        sa.ForeignKeyConstraint(["suspense_entry_id"], ["ledger_entry.id"]),
        sa.ForeignKeyConstraint(["target_account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["out_entry_id"], ["ledger_entry.id"]),
        sa.ForeignKeyConstraint(["in_entry_id"], ["ledger_entry.id"]),
        sa.ForeignKeyConstraint(["allocated_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("suspense_entry_id"),
    )


def downgrade() -> None:
    op.drop_table("suspense_allocation")
    op.drop_index("ix_payment_import_file_sha256", table_name="payment_import")
    op.drop_table("payment_import")
    op.drop_index("ix_cashup_denomination_cashup_id", table_name="cashup_denomination")
    op.drop_table("cashup_denomination")
    op.drop_index("ix_cashup_line_cashup_id", table_name="cashup_line")
    op.drop_table("cashup_line")
    op.drop_index("ix_cashup_till_day", table_name="cashup")
    op.drop_table("cashup")
    op.drop_index("ix_arrangement_instalment_arrangement_id", table_name="arrangement_instalment")
    op.drop_table("arrangement_instalment")
    op.drop_index("ix_arrangement_status", table_name="arrangement")
    op.drop_index("ix_arrangement_account_id", table_name="arrangement")
    op.drop_table("arrangement")
    op.drop_index("ix_refund_status", table_name="refund_request")
    op.drop_index("ix_refund_request_account_id", table_name="refund_request")
    op.drop_table("refund_request")
    op.drop_index("ix_payment_taken_by_date", table_name="payment")
    op.drop_table("payment")
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_till_date")
        batch_op.drop_index("ix_ledger_reverses")
        batch_op.drop_index("ix_ledger_receipt")
        batch_op.create_unique_constraint("uq_ledger_receipt", ["office_id", "receipt_no"])
        batch_op.drop_column("reason")
        batch_op.drop_column("till_code")
