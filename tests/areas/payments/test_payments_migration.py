"""Migration payments_0002 (one reversal per ledger row, one active arrangement per account), on both
databases: a database that already breaks a rule is not half-upgraded with a raw IntegrityError; the
upgrade stops, changes nothing, and lists the rows and what to do. Done as it says, the upgrade runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from builders import NOW, seed_office
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.sql.sqltypes import UTCDateTime

from duty_tui.areas.payments.db.models import Arrangement
from duty_tui.core.cli import run
from duty_tui.core.db import migrate
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry
from duty_tui.core.domain.errors import EnvironmentProblem


def _revisions(engine) -> set[str]:
    with engine.connect() as c:
        return set(c.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _index_names(engine, table: str) -> set[str]:
    return {i["name"] for i in inspect(engine).get_indexes(table)}


def _break_both_rules(engine) -> tuple[int, list[int], list[str]]:
    """What the old schema let two offices do: a payment reversed twice, two active arrangements."""
    with session_scope(engine, write=True) as s:
        account = s.exec(select(Account).where(Account.ref == "RNT000001")).one()
        paid = LedgerEntry(account_id=account.id, effective_date=NOW.date(), posted_at=NOW, kind="payment",
                           method="cash", amount_pence=-1000)
        s.add(paid)
        s.flush()
        reversals = [LedgerEntry(account_id=account.id, effective_date=NOW.date(), posted_at=NOW, kind="reversal",
                                 method="cash", amount_pence=1000, reverses_id=paid.id) for _ in range(2)]
        s.add_all(reversals)
        # The payments_0001 table's own columns (the model has gained columns since: payments_0003).
        old_arrangement = sa.table("arrangement", *(sa.column(c) for c in (
            "ref", "account_id", "amount_pence", "frequency", "start_date", "total_pence", "status", "version")),
            sa.column("created_at", UTCDateTime()))
        refs = [f"AR00000{i}" for i in (1, 2)]
        s.flush()
        s.execute(sa.insert(old_arrangement), [
            {"ref": ref, "account_id": account.id, "amount_pence": 2000, "frequency": "weekly",
             "start_date": date(2026, 3, 10), "total_pence": 15250, "status": "active", "version": 1,
             "created_at": NOW - timedelta(hours=i)} for i, ref in zip((1, 2), refs, strict=True)])
        return paid.id, [r.id for r in reversals], refs


def test_upgrade_stops_on_rows_that_break_the_new_rules_then_runs_once_they_are_put_right(engine, db_url, capsys):
    seed_office(engine)
    command.downgrade(migrate.alembic_config(engine), "payments_0001")
    assert "payments_0001" in _revisions(engine)
    paid, (first, second), (ar1, ar2) = _break_both_rules(engine)

    with pytest.raises(EnvironmentProblem) as caught:
        migrate.upgrade(engine)
    message = caught.value.message
    assert message.startswith("database upgrade stopped before payments_0002 (nothing was changed): ")
    assert f"1 ledger row is reversed more than once (row #{paid} reversed by #{first} and #{second})" in message
    assert "UPDATE ledger_entry SET reverses_id = NULL WHERE id IN (...)" in message
    assert f"1 account has more than one active arrangement (RNT000001: {ar1} and {ar2})" in message
    assert "Then run duty-tui db upgrade again." in message
    assert "payments_0001" in _revisions(engine)  # nothing changed
    assert "ux_ledger_reverses" not in _index_names(engine, "ledger_entry")
    assert "ux_arrangement_active" not in _index_names(engine, "arrangement")

    # The same through the command line: exit 3, the message, no traceback.
    code = run(["--db", db_url, "db", "upgrade"])
    err = capsys.readouterr().err
    assert code == 3 and f"row #{paid} reversed by #{first} and #{second}" in err
    assert "Traceback" not in err and "IntegrityError" not in err

    # Put right as the message says (the extra reversal stays in the ledger, unlinked; the extra plan ends).
    with engine.begin() as c:
        c.execute(text("UPDATE ledger_entry SET reverses_id = NULL WHERE id IN (:r)"), {"r": second})
        c.execute(text("UPDATE arrangement SET status = 'ended', ended_at = CURRENT_TIMESTAMP, "
                       "end_reason = 'duplicate active arrangement' WHERE ref IN (:a)"), {"a": ar2})
    migrate.upgrade(engine)
    migrate.check_current(engine)
    assert {"ux_ledger_reverses"} <= _index_names(engine, "ledger_entry")
    assert "ix_ledger_reverses" not in _index_names(engine, "ledger_entry")

    # And now the database itself refuses a second reversal and a second active arrangement.
    with pytest.raises(IntegrityError), session_scope(engine, write=True) as s:
        account_id = s.exec(select(Account.id).where(Account.ref == "RNT000001")).one()
        s.add(LedgerEntry(account_id=account_id, effective_date=NOW.date(), posted_at=NOW, kind="reversal",
                          method="cash", amount_pence=1000, reverses_id=paid))
    with pytest.raises(IntegrityError), session_scope(engine, write=True) as s:
        account_id = s.exec(select(Account.id).where(Account.ref == "RNT000001")).one()
        s.add(Arrangement(ref="AR000009", account_id=account_id, amount_pence=500, frequency="weekly",
                          start_date=date(2026, 3, 10), total_pence=15250, created_at=NOW))
    with session_scope(engine, write=True) as s:  # an ended one beside the active one is fine
        account_id = s.exec(select(Account.id).where(Account.ref == "RNT000001")).one()
        s.add(Arrangement(ref="AR000010", account_id=account_id, amount_pence=500, frequency="weekly",
                          start_date=date(2026, 3, 10), total_pence=15250, created_at=NOW, status="ended"))


def test_downgrade_and_upgrade_again_on_a_clean_database(engine):
    seed_office(engine)
    command.downgrade(migrate.alembic_config(engine), "payments_0001")
    assert "ix_ledger_reverses" in _index_names(engine, "ledger_entry")
    assert "ux_arrangement_active" not in _index_names(engine, "arrangement")
    migrate.upgrade(engine)
    assert "ux_ledger_reverses" in _index_names(engine, "ledger_entry")
    assert "ux_arrangement_active" in _index_names(engine, "arrangement")


def _instalments(engine) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(
            "SELECT id, arrangement_id, seq, due_date, amount_pence FROM arrangement_instalment ORDER BY id")).all()]


def test_payments_0003_keeps_existing_arrangements_and_their_one_active_rule(engine):
    """Down to payments_0002 with arrangements in place, then up again: each is informal with no lump sum,
    its history starts with "made" (and "ended" for an ended one), and the partial UNIQUE index still holds."""
    from pay_helpers import ctx_for

    from duty_tui.areas.payments.services.arrangements import (
        arrangements_for_account,
        create_arrangement,
        end_arrangement,
    )

    seed_office(engine)
    income = ctx_for(engine, "income")
    first = create_arrangement(income, "RNT000001", 2000, "weekly", NOW.date())
    end_arrangement(income, first.ref, "replaced", first.version)
    second = create_arrangement(income, "RNT000001", 1000, "weekly", NOW.date())
    instalments = _instalments(engine)
    assert len(instalments) == 8 + 16
    command.downgrade(migrate.alembic_config(engine), "payments_0002")
    assert _instalments(engine) == instalments  # held aside while SQLite rebuilt the table they point at
    assert "arrangement_state" not in inspect(engine).get_table_names()
    assert "ux_arrangement_active" in _index_names(engine, "arrangement")
    migrate.upgrade(engine)
    assert _instalments(engine) == instalments
    with engine.connect() as c:
        rows = c.execute(text("SELECT a.ref, s.state, s.since, s.note FROM arrangement_state s JOIN arrangement a "
                              "ON a.id = s.arrangement_id ORDER BY a.ref, s.id")).all()
        kinds = c.execute(text("SELECT DISTINCT kind FROM arrangement")).scalars().all()
    assert [(r[0], r[1], str(r[2])[:10]) for r in rows] == [
        (first.ref, "made", "2026-03-10"), (first.ref, "ended", "2026-03-10"), (second.ref, "made", "2026-03-10")]
    assert {r[3] for r in rows} == {"recorded by the upgrade"} and kinds == ["informal"]
    assert "ux_arrangement_active" in _index_names(engine, "arrangement")
    with pytest.raises(IntegrityError), session_scope(engine, write=True) as s:  # still one active per account
        account_id = s.exec(select(Account.id).where(Account.ref == "RNT000001")).one()
        s.add(Arrangement(ref="AR000009", account_id=account_id, amount_pence=500, frequency="weekly",
                          start_date=date(2026, 3, 10), total_pence=15250, created_at=NOW))
    [shown, _ended] = arrangements_for_account(income, "RNT000001")
    assert shown.ref == second.ref and shown.kind == "informal" and [h.state for h in shown.history] == ["made"]
