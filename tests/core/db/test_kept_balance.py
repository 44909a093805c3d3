"""Kept balances (duty_tui/core/db/kept_balance.py), on SQLite and PostgreSQL: the database keeps each
account's balance, row count and last payment as ledger rows are posted, in the same transaction —
whoever writes the row, however many at once — and `duty-tui account reconcile` proves it.
"""

from __future__ import annotations

import json
import multiprocessing as mp
from datetime import UTC, date, datetime

import pytest
from builders import seed_office
from sqlalchemy import text

from duty_tui.core.cli import run
from duty_tui.core.db import kept_balance
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.services.audit import verify_chain

POSTED = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def _account_id(engine, ref: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT id FROM account WHERE ref = :r"), {"r": ref}).scalar_one())


def _post(connection, account_id: int, pence: int, kind: str = "payment", on: date = date(2026, 3, 9),
          reverses: int | None = None) -> int:
    """A ledger row written with plain SQL (no service): the trigger is what keeps the balance."""
    connection.execute(text(
        "INSERT INTO ledger_entry (account_id, effective_date, posted_at, kind, amount_pence, reverses_id) "
        "VALUES (:a, :d, :p, :k, :m, :r)"), {"a": account_id, "d": on, "p": POSTED, "k": kind, "m": pence,
                                              "r": reverses})
    return int(connection.execute(text("SELECT MAX(id) FROM ledger_entry")).scalar_one())


def _kept(engine, account_id: int) -> tuple:
    with engine.connect() as c:
        return tuple(c.execute(text(
            "SELECT balance_pence, row_count, last_payment_on, last_payment_pence FROM account_balance "
            "WHERE account_id = :a"), {"a": account_id}).one())


def _summed(engine, account_id: int) -> tuple[int, int]:
    with engine.connect() as c:
        total, rows = c.execute(text("SELECT COALESCE(SUM(amount_pence), 0), COUNT(*) FROM ledger_entry "
                                     "WHERE account_id = :a"), {"a": account_id}).one()
    return int(total), int(rows)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_every_row_moves_the_kept_balance_and_the_last_payment_follows_reversals(engine):
    seed_office(engine)
    account = _account_id(engine, "RNT000002")
    before_total, before_rows = _summed(engine, account)
    assert _kept(engine, account)[:2] == (before_total, before_rows)  # the seeded rows, kept as they were written
    with engine.begin() as c:
        _post(c, account, 9_000, kind="rent_debit", on=date(2026, 3, 9))
        first = _post(c, account, -2_500, on=date(2026, 3, 10))
        _post(c, account, -1_000, on=date(2026, 3, 4))  # an older payment keyed late: not the last payment
        _post(c, account, -700, kind="adjustment", on=date(2026, 3, 12))  # a credit, but not money received
    balance, rows, last_on, last_pence = _kept(engine, account)
    assert (balance, rows) == _summed(engine, account) == (before_total + 9_000 - 2_500 - 1_000 - 700, before_rows + 4)
    assert (_day(last_on), last_pence) == (date(2026, 3, 10), 2_500)

    with engine.begin() as c:  # the last payment reversed: the one before it is the last payment again
        _post(c, account, 2_500, kind="reversal", on=date(2026, 3, 11), reverses=first)
    balance, rows, last_on, last_pence = _kept(engine, account)
    assert (balance, rows) == _summed(engine, account)
    assert (_day(last_on), last_pence) != (date(2026, 3, 10), 2_500)
    assert last_on is None or _day(last_on) <= date(2026, 3, 9)

    with pytest.raises(RuntimeError), engine.begin() as c:  # rolled back: its balance change goes with it
        _post(c, account, 123_456, kind="rent_debit")
        raise RuntimeError("the act failed")
    assert _kept(engine, account)[:2] == _summed(engine, account)

    with engine.begin() as c:  # deleting rows (a purge, the demo reset) takes them back out
        c.execute(text("DELETE FROM ledger_entry WHERE account_id = :a AND kind = 'reversal'"), {"a": account})
    balance, rows, last_on, last_pence = _kept(engine, account)
    assert (balance, rows) == _summed(engine, account)
    assert (_day(last_on), last_pence) == (date(2026, 3, 10), 2_500)  # the reversal gone: that payment stands
    with engine.connect() as c:
        assert kept_balance.differences(c)[1] == []


def _poster(url: str, account_ids: list[int], each: int, seed: int, barrier) -> None:
    """One terminal process posting rows as fast as it can, each in its own write transaction."""
    import random

    engine = make_engine(url, create=False)
    rng = random.Random(seed)
    barrier.wait()
    for n in range(each):
        with session_scope(engine, write=True) as session:
            _post(session.connection(), rng.choice(account_ids), (n % 7 + 1) * (1 if n % 2 else -1) * 100 + seed,
                  kind="payment" if n % 2 == 0 else "rent_debit")
    engine.dispose()


def test_four_processes_posting_to_the_same_accounts_at_once_lose_no_update(engine, db_url):
    seed_office(engine)
    ids = [_account_id(engine, ref) for ref in ("RNT000001", "RNT000002")]
    processes, each = 4, 40
    spawn = mp.get_context("spawn")
    barrier = spawn.Barrier(processes)
    workers = [spawn.Process(target=_poster, args=(db_url, ids, each, seed, barrier)) for seed in range(processes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * processes
    with engine.connect() as c:
        compared, differ = kept_balance.differences(c)
        posted = c.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE posted_at = :p"), {"p": POSTED}).scalar_one()
    assert posted == processes * each
    assert compared >= 4 and differ == []
    for account in ids:
        assert _kept(engine, account)[:2] == _summed(engine, account)


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_account_reconcile_proves_agreement_names_a_difference_and_repairs_it(engine, db_url, capsys):
    seed_office(engine)
    code, out, err = _cli(capsys, "--db", db_url, "account", "reconcile", "--json")
    assert code == 0 and json.loads(out) == {"accounts": 4, "differ": []}
    assert "all 4 accounts agree" in err

    account = _account_id(engine, "RNT000001")
    with engine.begin() as c:  # what only the tables' owner could do: move a kept balance by hand
        c.execute(text("UPDATE account_balance SET balance_pence = balance_pence + 1000 WHERE account_id = :a"),
                  {"a": account})
    code, out, err = _cli(capsys, "--db", db_url, "account", "reconcile")
    assert code == 1
    assert out.strip() == "RNT000001: kept £162.50, rows sum to £152.50"
    assert "--repair" in err
    code, out, _ = _cli(capsys, "--db", db_url, "account", "reconcile", "--json")
    assert code == 1 and json.loads(out) == {
        "accounts": 4, "differ": [{"ref": "RNT000001", "kept_pence": 16250, "sum_pence": 15250}]}

    code, _, err = _cli(capsys, "--db", db_url, "account", "reconcile", "--repair", "--as", "reception")
    assert code == 2 and "account.rebuild_balances" in err  # reception may look, not rebuild
    code, out, err = _cli(capsys, "--db", db_url, "account", "reconcile", "--repair", "--as", "admin")
    assert code == 1 and "rebuilt from the ledger" in err
    code, out, _ = _cli(capsys, "--db", db_url, "account", "reconcile", "--json")
    assert code == 0 and json.loads(out)["differ"] == []
    with engine.connect() as c:
        actions = c.execute(text("SELECT action FROM audit_event WHERE action LIKE 'account.%' ORDER BY id")).scalars().all()
    assert "account.balance_rebuilt" in actions and "account.reconcile" in actions
    assert verify_chain(engine).ok


def test_arrears_over_reads_the_kept_balance(engine, db_url, capsys):
    seed_office(engine)
    account = _account_id(engine, "RNT000003")
    with engine.begin() as c:
        _post(c, account, 900_000, kind="rent_debit")
    code, out, _ = _cli(capsys, "--db", db_url, "account", "list", "--json", "--arrears-over", "4000")
    assert code == 0 and [a["ref"] for a in json.loads(out)] == ["RNT000003"]
    assert json.loads(out)[0]["balance_pence"] == _summed(engine, account)[0]
