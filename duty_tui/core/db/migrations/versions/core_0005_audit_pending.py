"""Audit events that wait for a busy head (PostgreSQL): audit_pending, audit_event.pending_id, and the
owner's function that removes sealed pending rows.

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-12-04

With every terminal's audited act going through one head row, an act that found the head busy
waited for it while still holding its own row locks (a payment: the office's receipt counter), so
under load payments queued behind every search's audit event (issue 13 measured a payment p95 of
15.7 s with 30 terminals searching). Now such an act commits its events into ``audit_pending`` with
no shared lock, and a sealing pass chains them into ``audit_event`` right after the commit
(duty_tui/core/services/audit_late.py; docs/AUDIT.md). SQLite has one writer at a time and never
uses the table; it exists on both so the schema is the same.
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "core_0005"
down_revision = "core_0004"
branch_labels = None
depends_on = None

DROP_SEALED = """CREATE FUNCTION duty_audit_drop_sealed(ids bigint[]) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH gone AS (
    DELETE FROM audit_pending p WHERE p.id = ANY(ids)
      AND EXISTS (SELECT 1 FROM audit_event e WHERE e.pending_id = p.id)
    RETURNING 1)
  SELECT count(*)::integer FROM gone
$$"""
"""Deletes only pending rows already sealed into audit_event: the app role may not DELETE the table."""


def upgrade() -> None:
    op.create_table(
        "audit_pending",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", AutoString(length=64), nullable=False),
        sa.Column("terminal", AutoString(length=128), nullable=False),
        sa.Column("action", AutoString(length=48), nullable=False),
        sa.Column("entity", AutoString(length=32), nullable=True),
        sa.Column("entity_id", AutoString(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("staged_at", UTCDateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("pending_id", sa.BigInteger(), nullable=True))
        batch.create_unique_constraint("uq_audit_event_pending_id", ["pending_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP_SEALED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS duty_audit_drop_sealed(bigint[])")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint("uq_audit_event_pending_id", type_="unique")
        batch.drop_column("pending_id")
    op.drop_table("audit_pending")
