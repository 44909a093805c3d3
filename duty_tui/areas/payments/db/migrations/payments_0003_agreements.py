"""payments: agreements that know when they are broken — kind, court hearing, lump sum, state history

Revision ID: payments_0003
Revises: payments_0002
Create Date: 2026-12-04

- ``arrangement.kind``: 'informal' (every existing arrangement) or 'court_ordered';
  ``arrangement.court_hearing_id``: the income area's ``court_hearing.id`` for a court-ordered one,
  a plain integer with no foreign key (the payments area does not depend on the income area);
  ``arrangement.lump_sum_pence`` and ``arrangement.lump_sum_due``: both or neither
  (``ck_arrangement_lump_sum``); ``ck_arrangement_kind``.
- ``arrangement_state``: the history, one row per change of state, UNIQUE over (arrangement_id,
  since, state) so the same change found by two terminals at once is stored once.

SQLite cannot add a CHECK constraint to a table, so the table is rebuilt (batch mode), with the
instalments that point at it held aside meanwhile; the partial UNIQUE index ``ux_arrangement_active``
is dropped first and made again after, so it keeps its WHERE.
Every existing row is informal with no lump sum, so no existing row can break the new checks.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "payments_0003"
down_revision = "payments_0002"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")
LUMP_SUM_RULE = ("(lump_sum_pence IS NULL AND lump_sum_due IS NULL) OR "
                 "(lump_sum_pence IS NOT NULL AND lump_sum_due IS NOT NULL AND lump_sum_pence > 0)")
KIND_RULE = "kind IN ('informal', 'court_ordered') AND (court_hearing_id IS NULL OR kind = 'court_ordered')"
STATE_RULE = "state IN ('made', 'kept', 'breached', 'back_on_track', 'completed', 'ended')"


@contextmanager
def _instalments_set_aside() -> Iterator[None]:
    """SQLite: hold ``arrangement_instalment``'s rows aside while ``arrangement`` is rebuilt.

    The rebuild drops the old table, and with foreign keys on SQLite refuses to drop a table that
    rows still point at (the pragma that turns them off cannot change inside the migration's
    transaction). The rows are copied out, the table emptied, and put back (same ids) after."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    op.execute("CREATE TEMP TABLE payments_0003_instalment AS SELECT * FROM arrangement_instalment")
    op.execute("DELETE FROM arrangement_instalment")
    yield
    op.execute("INSERT INTO arrangement_instalment SELECT * FROM payments_0003_instalment")
    op.execute("DROP TABLE payments_0003_instalment")


def upgrade() -> None:
    op.drop_index("ux_arrangement_active", table_name="arrangement")
    with _instalments_set_aside(), op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", AutoString(length=16), nullable=False, server_default="informal"))
        batch_op.add_column(sa.Column("court_hearing_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lump_sum_pence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lump_sum_due", sa.Date(), nullable=True))
        batch_op.create_check_constraint("ck_arrangement_lump_sum", sa.text(LUMP_SUM_RULE))
        batch_op.create_check_constraint("ck_arrangement_kind", sa.text(KIND_RULE))
    op.create_index("ux_arrangement_active", "arrangement", ["account_id"], unique=True,
                    postgresql_where=ACTIVE, sqlite_where=ACTIVE)
    op.create_table(
        "arrangement_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("arrangement_id", sa.Integer(), nullable=False),
        sa.Column("state", AutoString(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.Column("note", AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(["arrangement_id"], ["arrangement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("arrangement_id", "since", "state", name="uq_arrangement_state"),
        sa.CheckConstraint(STATE_RULE, name="ck_arrangement_state"),
    )
    # Every existing arrangement was made on the day it was created, and an ended one ended on the day
    # it was ended: its history starts there (later changes are found when it is next read).
    day = "date({})" if op.get_bind().dialect.name == "sqlite" else "CAST({} AS DATE)"
    op.execute(sa.text(
        "INSERT INTO arrangement_state (arrangement_id, state, since, detected_at, note) "
        f"SELECT id, 'made', {day.format('created_at')}, created_at, 'recorded by the upgrade' FROM arrangement"))
    op.execute(sa.text(
        "INSERT INTO arrangement_state (arrangement_id, state, since, detected_at, note) "
        f"SELECT id, 'ended', {day.format('ended_at')}, ended_at, 'recorded by the upgrade' FROM arrangement "
        "WHERE status = 'ended' AND ended_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_table("arrangement_state")
    op.drop_index("ux_arrangement_active", table_name="arrangement")
    with _instalments_set_aside(), op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.drop_constraint("ck_arrangement_kind", type_="check")
        batch_op.drop_constraint("ck_arrangement_lump_sum", type_="check")
        batch_op.drop_column("lump_sum_due")
        batch_op.drop_column("lump_sum_pence")
        batch_op.drop_column("court_hearing_id")
        batch_op.drop_column("kind")
    op.create_index("ux_arrangement_active", "arrangement", ["account_id"], unique=True,
                    postgresql_where=ACTIVE, sqlite_where=ACTIVE)
