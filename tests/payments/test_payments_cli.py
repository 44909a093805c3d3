"""`duty-tui account list|show` and `duty-tui payments import` exactly per CONTRACTS.md, on both databases;
two imports of one file at once post each row once."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from builders import seed_office
from pay_helpers import ctx_for
from sqlalchemy import text

from duty_tui.cli import run
from duty_tui.services.payments_import import import_payment_file, reallocate_suspense, suspense_items

HEADER = "date,account_ref,amount,method,external_id\n"


def _cli(capsys, *args):
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path: Path, body: str, name: str = "pay.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


def _ledger_count(engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT COUNT(*) FROM ledger_entry")).scalar())


# ------------------------------------------------------------------- account list / show


def test_account_list_and_show_json(engine, db_url, capsys):
    seed_office(engine)
    code, out, _ = _cli(capsys, "--db", db_url, "account", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert listed[1] == {"ref": "RNT000001", "type": "rent", "holder": "Mr J Smith", "balance_pence": 15250}
    assert {a["ref"] for a in listed} == {"FTA000001", "RNT000001", "RNT000002", "RNT000003"}
    code, out, _ = _cli(capsys, "account", "list", "--json", "--arrears-over", "152.49", "--db", db_url)
    assert code == 0 and [a["ref"] for a in json.loads(out)] == ["FTA000001", "RNT000001"]
    code, out, _ = _cli(capsys, "--db", db_url, "account", "list", "--arrears-over", "0")
    assert code == 0 and "RNT000001" in out and "RNT000002" not in out
    code, out, _ = _cli(capsys, "--db", db_url, "account", "show", "RNT000002", "--json")
    assert code == 0 and json.loads(out) == {"ref": "RNT000002", "type": "rent", "holder": "Mr J Smith",
                                             "balance_pence": -2000}
    code, out, err = _cli(capsys, "--db", db_url, "account", "show", "RNT999999", "--json")
    assert code == 2 and out == "" and "RNT999999" in err and "Traceback" not in err
    code, _, err = _cli(capsys, "--db", db_url, "account", "list", "--arrears-over", "lots")
    assert code == 2 and "--arrears-over" in err


# ------------------------------------------------------------------- payments import


def test_import_posts_skips_on_second_run_and_sends_unknown_refs_to_suspense(engine, db_url, capsys, tmp_path):
    seed_office(engine)
    path = _write(tmp_path, HEADER
                  + "2026-03-09,RNT000001,50.00,allpay,AP-1\n"
                  + '09/03/2026,RNT000002,"£1,000.50",bank_transfer,BK-1\n'
                  + "2026-03-09,RNT123456,12.34,paypoint,PP-1\n")
    code, out, err = _cli(capsys, "--db", db_url, "payments", "import", str(path), "--as", "income")
    assert code == 0, err
    assert out.strip() == "posted 2, skipped 0 (already imported), to suspense 1, total £1,062.84"
    code, out, err = _cli(capsys, "--db", db_url, "payments", "import", str(path), "--json", "--as", "income")
    assert code == 0 and json.loads(out) == {"posted": 0, "skipped": 3, "suspense": 0, "total_pence": 0}
    with engine.connect() as c:
        balances = dict(c.execute(text("SELECT a.ref, SUM(l.amount_pence) FROM ledger_entry l JOIN account a "
                                       "ON a.id = l.account_id GROUP BY a.ref")).all())
    assert balances["RNT000001"] == 15250 - 5000 and balances["RNT000002"] == -2000 - 100050
    assert balances["SUS000001"] == -1234
    items = suspense_items(ctx_for(engine, "income"))
    assert [(i.given_ref, i.amount_pence, i.external_id) for i in items] == [("RNT123456", 1234, "PP-1")]


def test_import_then_reallocate_from_suspense(engine, db_url, capsys, tmp_path):
    seed_office(engine)
    path = _write(tmp_path, HEADER + "2026-03-09,RNT00003,25.00,bank_transfer,BK-9\n")  # a typo'd ref
    code, out, _ = _cli(capsys, "--db", db_url, "payments", "import", str(path), "--json", "--as", "leader")
    assert json.loads(out)["suspense"] == 1
    income = ctx_for(engine, "income")
    [item] = suspense_items(income)
    with pytest.raises(Exception, match="suspense.allocate"):
        reallocate_suspense(ctx_for(engine, "reception"), item.entry_id, "RNT000003")
    moved = reallocate_suspense(income, item.entry_id, "RNT000003", "ref typed without a zero")
    assert moved.account_ref == "RNT000003" and moved.balance_after_pence == -2500
    assert suspense_items(income) == []
    with pytest.raises(Exception, match="already moved"):
        reallocate_suspense(income, item.entry_id, "RNT000001")
    with engine.connect() as c:
        assert c.execute(text("SELECT SUM(l.amount_pence) FROM ledger_entry l JOIN account a ON a.id = l.account_id "
                              "WHERE a.ref = 'SUS000001'")).scalar() == 0
        actions = [r[0] for r in c.execute(text("SELECT action FROM audit_event ORDER BY id")).all()]
    assert "payments.import" in actions and "suspense.allocate" in actions


@pytest.mark.parametrize("body, expected", [
    (HEADER + "2026-03-09,RNT000001,50.00,allpay,AP-1\n2026-03-09,RNT000001,1.005,allpay,AP-2\n",
     "line 3: amount '1.005' has more than two decimal places"),
    ("date,account_ref,method,external_id\n2026-03-09,RNT000001,cash,A\n", "line 1: missing column amount"),
    (HEADER + "2026-03-09,RNT000001,5,cash,A\n2026-03-09,RNT000002,6,cash,A\n",
     "line 3: external_id 'A' is also on line 2"),
    (HEADER + "2026-03-09,RNT000001,0,cash,A\n", "line 2: amount must be more than £0.00"),
    (HEADER + "31/02/2026,RNT000001,5,cash,A\n", "line 2: date '31/02/2026' is not a date"),
    (HEADER + "2026-03-09,RNT000001,5,cheese,A\n", "line 2: method 'cheese' is not known"),
])
def test_a_bad_file_posts_nothing_and_names_the_line(engine, db_url, capsys, tmp_path, body, expected):
    seed_office(engine)
    before = _ledger_count(engine)
    code, out, err = _cli(capsys, "--db", db_url, "payments", "import", str(_write(tmp_path, body)), "--as", "income")
    assert code == 2 and out == ""
    assert expected in err and "Traceback" not in err
    assert _ledger_count(engine) == before


def test_wrong_encoding_missing_file_and_permission(engine, db_url, capsys, tmp_path):
    seed_office(engine)
    latin = _write(tmp_path, HEADER + "2026-03-09,RNT000001,£5,cash,A\n", encoding="latin-1")
    code, _, err = _cli(capsys, "--db", db_url, "payments", "import", str(latin), "--as", "income")
    assert code == 2 and "line 2: the file is not UTF-8" in err
    code, _, err = _cli(capsys, "--db", db_url, "payments", "import", str(tmp_path / "nope.csv"), "--as", "income")
    assert code == 2 and "no such file" in err
    good = _write(tmp_path, HEADER + "2026-03-09,RNT000001,5,cash,A\n", name="good.csv")
    code, _, err = _cli(capsys, "--db", db_url, "payments", "import", str(good), "--as", "reception")
    assert code == 2 and "payments.import" in err
    assert _ledger_count(engine) == 8  # nothing posted by the refusals above
    # A nightly script without --as acts as the batch role, which data/roles.toml lets import.
    code, _, err = _cli(capsys, "--db", db_url, "payments", "import", str(good))
    assert code == 0, err
    assert _ledger_count(engine) == 9


def test_two_imports_of_one_file_at_once_post_each_row_once(engine, tmp_path):
    seed_office(engine)
    rows = "".join(f"2026-03-09,{'RNT000001' if i % 3 else 'XX' + str(i)},1.{i % 100:02d},allpay,RACE-{i}\n"
                   for i in range(400))
    data = (HEADER + rows).encode()
    contexts = [ctx_for(engine, "income"), ctx_for(engine, "leader")]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def work(ctx):
        barrier.wait()
        try:
            results.append(import_payment_file(ctx, data, "race.csv"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in contexts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted((r.posted + r.suspense, r.skipped) for r in results) == [(0, 400), (400, 0)]
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE external_id LIKE 'RACE-%'")).scalar() == 400
        assert c.execute(text("SELECT COUNT(DISTINCT external_id) FROM ledger_entry "
                              "WHERE external_id LIKE 'RACE-%'")).scalar() == 400
        assert c.execute(text("SELECT COUNT(*) FROM account WHERE account_type = 'suspense'")).scalar() == 1
