"""payments: "only once" rules the database keeps — one reversal per ledger row, one active arrangement per account

Revision ID: payments_0002
Revises: payments_0001
Create Date: 2026-12-01

Until now the services checked these with a read before the insert, under the acting
user's office lock; two people in different offices could both pass the check at the
same moment (a payment reversed twice: the balance raised by double the payment). Now
the database refuses the second row:

- ``ux_ledger_reverses``: UNIQUE over ``ledger_entry.reverses_id`` (replaces the plain
  ``ix_ledger_reverses``). NULLs are distinct on SQLite and PostgreSQL alike, so only
  reversal rows are constrained.
- ``ux_arrangement_active``: a partial UNIQUE index over ``arrangement.account_id`` where
  ``status = 'active'``.

Rows that already break a rule would make the index fail with a raw IntegrityError, so
the upgrade first looks for them and, if there are any, stops (nothing changed) with a
message listing them and what to do.
"""

import sqlalchemy as sa
from alembic import op

from duty_tui.core.domain.errors import EnvironmentProblem

revision = "payments_0002"
down_revision = "payments_0001"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")
SHOWN = 20
"""At most this many duplicates are listed (the count says how many more)."""


def _listed(items: list[str]) -> str:
    more = len(items) - SHOWN
    return "; ".join(items[:SHOWN]) + (f"; and {more} more" if more > 0 else "")


def duplicate_reversals(connection) -> list[str]:
    """'row #12 reversed by #15 and #16' for every ledger row reversed more than once."""
    rows = connection.execute(sa.text(
        "SELECT reverses_id, id FROM ledger_entry WHERE reverses_id IN ("
        " SELECT reverses_id FROM ledger_entry WHERE reverses_id IS NOT NULL"
        " GROUP BY reverses_id HAVING COUNT(*) > 1) ORDER BY reverses_id, id")).all()
    found: dict[int, list[int]] = {}
    for original, reversal in rows:
        found.setdefault(original, []).append(reversal)
    return [f"row #{original} reversed by " + " and ".join(f"#{r}" for r in reversals)
            for original, reversals in found.items()]


def duplicate_active_arrangements(connection) -> list[str]:
    """'RNT000001: AR000003 and AR000004' for every account with more than one active arrangement."""
    rows = connection.execute(sa.text(
        "SELECT a.ref, r.ref FROM arrangement r JOIN account a ON a.id = r.account_id "
        "WHERE r.status = 'active' AND r.account_id IN ("
        " SELECT account_id FROM arrangement WHERE status = 'active' GROUP BY account_id HAVING COUNT(*) > 1) "
        "ORDER BY a.ref, r.id")).all()
    found: dict[str, list[str]] = {}
    for account, arrangement in rows:
        found.setdefault(account, []).append(arrangement)
    return [f"{account}: " + " and ".join(refs) for account, refs in found.items()]


def upgrade() -> None:
    connection = op.get_bind()
    problems = []
    reversals = duplicate_reversals(connection)
    if reversals:
        problems.append(
            f"{len(reversals)} ledger row{'s are' if len(reversals) > 1 else ' is'} reversed more than once "
            f"({_listed(reversals)}). Each extra reversal moved the balance a second time. Keep the first reversal; "
            "for each later one a database administrator clears its link (UPDATE ledger_entry SET reverses_id = NULL "
            "WHERE id IN (...)), so it stays in the ledger as a correction, and the income team posts an adjustment "
            "of the opposite amount")
    arrangements = duplicate_active_arrangements(connection)
    if arrangements:
        problems.append(
            f"{len(arrangements)} account{'s have' if len(arrangements) > 1 else ' has'} more than one active "
            f"arrangement ({_listed(arrangements)}). Keep the one agreed with the tenant; a database administrator "
            "ends the others (UPDATE arrangement SET status = 'ended', ended_at = CURRENT_TIMESTAMP, "
            "end_reason = 'duplicate active arrangement' WHERE ref IN (...))")
    if problems:
        raise EnvironmentProblem(
            "database upgrade stopped before payments_0002 (nothing was changed): " + " | ".join(problems)
            + ". Then run duty-tui db upgrade again.")
    op.drop_index("ix_ledger_reverses", table_name="ledger_entry")
    op.create_index("ux_ledger_reverses", "ledger_entry", ["reverses_id"], unique=True)
    op.create_index("ux_arrangement_active", "arrangement", ["account_id"], unique=True,
                    postgresql_where=ACTIVE, sqlite_where=ACTIVE)


def downgrade() -> None:
    op.drop_index("ux_arrangement_active", table_name="arrangement")
    op.drop_index("ux_ledger_reverses", table_name="ledger_entry")
    op.create_index("ix_ledger_reverses", "ledger_entry", ["reverses_id"], unique=False)
