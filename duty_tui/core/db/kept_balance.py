"""Kept balances: each account's balance held in ``account_balance`` by the database itself.

A balance is the sum of the account's ledger rows. Summing on every read costs a
scan of the account's rows (and, for "every account owing more than £x", of the
whole ledger: seconds at council scale), so the database keeps the sum as rows
are posted: a trigger on ``ledger_entry`` updates the account's ``account_balance``
row in the same transaction as the ledger row, on SQLite and PostgreSQL alike.
No service can forget it, a rolled-back payment rolls its balance back with it,
and two terminals posting to one account at once cannot lose an update (SQLite
has one writer at a time; on PostgreSQL the upsert takes the balance row's lock
until commit, so the second poster adds to what the first committed).

Kept with the balance:
- ``row_count``: how many ledger rows it sums (a second check for ``reconcile``);
- ``changed_at``: when it last moved (the latest ``posted_at`` among its rows);
- ``last_payment_on`` / ``last_payment_pence``: the latest money received that
  has not been reversed — a row of a *received* kind (RECEIVED_KINDS: the
  tenant's own payments, housing benefit, universal credit paid to the landlord)
  with a negative amount — by effective date, the amount as a positive number.
  Posting a reversal of such a row looks again for the one before it.

Ledger rows are never changed or deleted in use (the ledger is append-only);
the demo reset and a GDPR purge of long-closed accounts delete rows, and the
delete trigger takes them back out. ``duty-tui account reconcile`` proves
balance = sum of rows for every account; ``rebuild`` recomputes every kept
balance from the ledger (the ledger is the record), for bulk loads that
suspend the triggers and for a repair.

On PostgreSQL the trigger function is SECURITY DEFINER, owned by the tables'
owner, and the app role may only SELECT ``account_balance`` (duty_tui.core.db.grants):
a terminal's login can move a balance only by posting a ledger row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text

TABLE = "account_balance"
RECEIVED_KINDS = ("payment", "housing_benefit", "universal_credit")
"""Ledger row kinds that are money received from or for the tenant (with a negative amount)."""

SQLITE_TRIGGERS = ("ledger_entry_keeps_balance", "ledger_entry_delete_keeps_balance")
PG_TRIGGERS = ("ledger_entry_keeps_balance", "ledger_entry_delete_keeps_balance")
PG_FUNCTIONS = ("duty_ledger_keeps_balance", "duty_ledger_delete_keeps_balance")

_KINDS = ", ".join(f"'{k}'" for k in RECEIVED_KINDS)


def _received(row: str) -> str:
    return f"{row}.kind IN ({_KINDS}) AND {row}.amount_pence < 0"


def _last_payment(account: str) -> str:
    """(effective_date, -amount) of the account's latest unreversed money received; no row when none."""
    return (f"SELECT p.effective_date, -p.amount_pence FROM ledger_entry p WHERE p.account_id = {account} "
            f"AND {_received('p')} AND NOT EXISTS (SELECT 1 FROM ledger_entry r WHERE r.reverses_id = p.id) "
            "ORDER BY p.effective_date DESC, p.id DESC LIMIT 1")


def _newer_payment(new: str, kept: str) -> str:
    """True when the new row is money received on or after the kept last payment."""
    return f"{_received(new)} AND ({kept}.last_payment_on IS NULL OR {new}.effective_date >= {kept}.last_payment_on)"


def sqlite_ddl() -> list[str]:
    """The SQLite triggers (created by migration core_0004)."""
    insert, delete = SQLITE_TRIGGERS
    return [
        f"""CREATE TRIGGER {insert} AFTER INSERT ON ledger_entry
BEGIN
  INSERT INTO {TABLE} (account_id, balance_pence, row_count, changed_at) VALUES (NEW.account_id, 0, 0, NEW.posted_at)
    ON CONFLICT (account_id) DO NOTHING;
  UPDATE {TABLE} SET
    balance_pence = balance_pence + NEW.amount_pence,
    row_count = row_count + 1,
    changed_at = CASE WHEN changed_at IS NULL OR NEW.posted_at > changed_at THEN NEW.posted_at ELSE changed_at END,
    last_payment_on = CASE WHEN {_newer_payment('NEW', TABLE)} THEN NEW.effective_date ELSE last_payment_on END,
    last_payment_pence = CASE WHEN {_newer_payment('NEW', TABLE)} THEN -NEW.amount_pence ELSE last_payment_pence END
  WHERE account_id = NEW.account_id;
  UPDATE {TABLE} SET (last_payment_on, last_payment_pence) = ({_last_payment(f'{TABLE}.account_id')})
  WHERE NEW.reverses_id IS NOT NULL
    AND account_id = (SELECT o.account_id FROM ledger_entry o WHERE o.id = NEW.reverses_id);
END""",
        f"""CREATE TRIGGER {delete} AFTER DELETE ON ledger_entry
BEGIN
  UPDATE {TABLE} SET balance_pence = balance_pence - OLD.amount_pence, row_count = row_count - 1
  WHERE account_id = OLD.account_id;
  UPDATE {TABLE} SET (last_payment_on, last_payment_pence) = ({_last_payment(f'{TABLE}.account_id')})
  WHERE ({_received('OLD')} OR OLD.reverses_id IS NOT NULL)
    AND account_id IN (OLD.account_id, (SELECT o.account_id FROM ledger_entry o WHERE o.id = OLD.reverses_id));
END""",
    ]


def postgresql_ddl() -> list[str]:
    """The PostgreSQL trigger functions and triggers (created by migration core_0004)."""
    insert, delete = PG_TRIGGERS
    on_insert, on_delete = PG_FUNCTIONS
    return [
        f"""CREATE FUNCTION {on_insert}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO {TABLE} AS b (account_id, balance_pence, row_count, changed_at, last_payment_on, last_payment_pence)
  VALUES (NEW.account_id, NEW.amount_pence, 1, NEW.posted_at,
          CASE WHEN {_received('NEW')} THEN NEW.effective_date END,
          CASE WHEN {_received('NEW')} THEN -NEW.amount_pence END)
  ON CONFLICT (account_id) DO UPDATE SET
    balance_pence = b.balance_pence + EXCLUDED.balance_pence,
    row_count = b.row_count + 1,
    changed_at = GREATEST(b.changed_at, EXCLUDED.changed_at),
    last_payment_on = CASE WHEN {_newer_payment('NEW', 'b')} THEN NEW.effective_date ELSE b.last_payment_on END,
    last_payment_pence = CASE WHEN {_newer_payment('NEW', 'b')} THEN -NEW.amount_pence
                         ELSE b.last_payment_pence END;
  IF NEW.reverses_id IS NOT NULL THEN
    UPDATE {TABLE} SET (last_payment_on, last_payment_pence) = ({_last_payment(f'{TABLE}.account_id')})
    WHERE account_id = (SELECT o.account_id FROM ledger_entry o WHERE o.id = NEW.reverses_id);
  END IF;
  RETURN NULL;
END $$""",
        f"""CREATE FUNCTION {on_delete}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE {TABLE} SET balance_pence = balance_pence - OLD.amount_pence, row_count = row_count - 1
  WHERE account_id = OLD.account_id;
  IF ({_received('OLD')}) OR OLD.reverses_id IS NOT NULL THEN
    UPDATE {TABLE} SET (last_payment_on, last_payment_pence) = ({_last_payment(f'{TABLE}.account_id')})
    WHERE account_id IN (OLD.account_id, (SELECT o.account_id FROM ledger_entry o WHERE o.id = OLD.reverses_id));
  END IF;
  RETURN NULL;
END $$""",
        f"CREATE TRIGGER {insert} AFTER INSERT ON ledger_entry FOR EACH ROW EXECUTE FUNCTION {on_insert}()",
        f"CREATE TRIGGER {delete} AFTER DELETE ON ledger_entry FOR EACH ROW EXECUTE FUNCTION {on_delete}()",
    ]


def drop_ddl(dialect: str) -> list[str]:
    """What undoes ``sqlite_ddl`` / ``postgresql_ddl``."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    return ([f"DROP TRIGGER IF EXISTS {name} ON ledger_entry" for name in PG_TRIGGERS]
            + [f"DROP FUNCTION IF EXISTS {name}()" for name in PG_FUNCTIONS])


def _has_table(connection: Connection) -> bool:
    return inspect(connection).has_table(TABLE)


def rebuild(connection: Connection) -> int:
    """Every kept balance recomputed from the ledger, in the caller's transaction; returns accounts kept."""
    if not _has_table(connection):
        return 0
    connection.execute(text(f"DELETE FROM {TABLE}"))
    connection.execute(text(
        f"INSERT INTO {TABLE} (account_id, balance_pence, row_count, changed_at) "
        "SELECT account_id, SUM(amount_pence), COUNT(*), MAX(posted_at) FROM ledger_entry GROUP BY account_id"))
    connection.execute(text(
        f"UPDATE {TABLE} SET (last_payment_on, last_payment_pence) = ({_last_payment(f'{TABLE}.account_id')})"))
    return int(connection.execute(text(f"SELECT COUNT(*) FROM {TABLE}")).scalar() or 0)


@contextlib.contextmanager
def suspended(connection: Connection) -> Iterator[None]:
    """The triggers off for a bulk load of ledger rows (the caller runs ``rebuild`` after it)."""
    if not _has_table(connection):
        yield
        return
    if connection.dialect.name == "sqlite":
        # SQLite cannot disable a trigger: drop them, and make them again from their definition here
        # (not from what was stored), so a load that failed and was rolled back and then emptied by
        # ``empty_database`` (which suspends them too) still ends with the triggers in place.
        for statement in drop_ddl("sqlite"):
            connection.execute(text(statement))
        try:
            yield
        finally:
            for statement in sqlite_ddl():
                connection.execute(text(statement))
        return
    for name in PG_TRIGGERS:
        connection.execute(text(f"ALTER TABLE ledger_entry DISABLE TRIGGER {name}"))
    try:
        yield
    finally:
        for name in PG_TRIGGERS:
            connection.execute(text(f"ALTER TABLE ledger_entry ENABLE TRIGGER {name}"))


@dataclass(frozen=True)
class Difference:
    """One account whose kept balance is not the sum of its rows."""

    account_id: int
    ref: str
    kept_pence: int
    sum_pence: int
    kept_rows: int
    rows: int


def differences(connection: Connection) -> tuple[int, list[Difference]]:
    """(accounts compared, those whose kept balance or row count differs from their ledger rows)."""
    accounts = int(connection.execute(text("SELECT COUNT(*) FROM account")).scalar() or 0)
    found = connection.execute(text(
        "SELECT a.id, a.ref, COALESCE(k.balance_pence, 0), COALESCE(s.total, 0), COALESCE(k.row_count, 0), "
        "COALESCE(s.rows, 0) FROM account a "
        f"LEFT JOIN {TABLE} k ON k.account_id = a.id "
        "LEFT JOIN (SELECT account_id, SUM(amount_pence) AS total, COUNT(*) AS rows FROM ledger_entry "
        "GROUP BY account_id) s ON s.account_id = a.id "
        "WHERE COALESCE(k.balance_pence, 0) <> COALESCE(s.total, 0) OR COALESCE(k.row_count, 0) <> COALESCE(s.rows, 0) "
        "ORDER BY a.ref")).all()
    return accounts, [Difference(int(i), str(ref), int(kept), int(total), int(kept_rows), int(rows))
                      for i, ref, kept, total, kept_rows, rows in found]


__all__ = ["RECEIVED_KINDS", "TABLE", "Difference", "differences", "drop_ddl", "postgresql_ddl", "rebuild",
           "sqlite_ddl", "suspended"]
