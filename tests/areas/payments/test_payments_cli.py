"""`duty-tui account list|show` and `duty-tui payments import` exactly per docs/CLI.md, on both databases;
two imports of one file at once post each row once."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from builders import seed_office
from pay_helpers import ctx_for
from sqlalchemy import text

from duty_tui.areas.payments.services.importing import import_payment_file, reallocate_suspense, suspense_items
from duty_tui.core.cli import run

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
                                             "balance_pence": -2000, "weekly_charges_pence": 0}
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
    # A quote opened and never closed would swallow the rest of the file into one value.
    (HEADER + '2026-03-09,RNT000001,5,cash,"A1\n2026-03-09,RNT000002,6,cash,A2\n',
     'line 2: a quote (") opened on this line is never closed'),
    (HEADER + '2026-03-09,RNT000001,5,cash,"A1\n2026-03-09,RNT000002,6,cash,A2"\n2026-03-09,RNT000002,6,cash,A3\n',
     "line 2: a quoted value runs on to line 3"),
    (HEADER + "1989-12-31,RNT000001,5,cash,A\n", "line 2: date '1989-12-31' is before 1990; check the year"),
    (HEADER + "0026-03-09,RNT000001,5,cash,A\n", "line 2: date '0026-03-09' is before 1990"),
    (HEADER + "9999-12-31,RNT000001,5,cash,A\n", "line 2: date '9999-12-31' is in the future"),
    (HEADER + "2026-03-09,RNT\u202e100000,5,cash,A\n",
     "line 2: account_ref 'RNT\\u202e100000' holds a control or formatting character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    (HEADER + "2026-03-09,RNT000001,5,cash,AP\u2066-1\u2069\n",
     "line 2: external_id 'AP\\u2066-1\\u2069' holds a control or formatting character (U+2066 LEFT-TO-RIGHT ISOLATE)"),
    (HEADER + "2026-03-09,RNT000001,5,cash,A\u200b1\n", "(U+200B ZERO WIDTH SPACE)"),
    (HEADER + "2026-03-09,RNT000001,5,cash,A\x071\n", "line 2: external_id 'A\\x071' holds a control or formatting "
                                                     "character (U+0007)"),
    (HEADER + "2026-03-09,=HYPERLINK(1),5,cash,A\n", "line 2: account_ref '=HYPERLINK(1)' starts with '='"),
])
def test_a_bad_file_posts_nothing_and_names_the_line(engine, db_url, capsys, tmp_path, body, expected):
    seed_office(engine)
    before = _ledger_count(engine)
    code, out, err = _cli(capsys, "--db", db_url, "payments", "import", str(_write(tmp_path, body)), "--as", "income")
    assert code == 2 and out == ""
    assert expected in err and "Traceback" not in err
    assert _ledger_count(engine) == before


def test_a_known_external_id_is_skipped_only_when_the_row_repeats_what_was_imported(engine, db_url, capsys, tmp_path):
    seed_office(engine)
    first = HEADER + "2026-03-09,RNT000001,50.00,allpay,AP-1\n2026-03-09,NOSUCH9,12.00,paypoint,PP-7\n"
    code, out, err = _cli(capsys, "--db", db_url, "payments", "import", str(_write(tmp_path, first)), "--as", "income")
    assert (code, out.strip()) == (0, "posted 1, skipped 0 (already imported), to suspense 1, total £62.00"), err
    # A true repeat (the same file again, with one new row) is skipped; the new row is posted.
    again = _write(tmp_path, first + "2026-03-09,RNT000002,5.00,allpay,AP-2\n", name="again.csv")
    code, out, err = _cli(capsys, "--db", db_url, "payments", "import", str(again), "--as", "income")
    assert (code, out.strip()) == (0, "posted 1, skipped 2 (already imported), to suspense 0, total £5.00"), err
    before = _ledger_count(engine)
    # The same ids with another amount, date or account: problems, exit 2, nothing posted (not even AP-3).
    changed = _write(tmp_path, HEADER + "2026-03-09,RNT000001,55.00,allpay,AP-1\n"
                                        "2026-03-08,NOSUCH9,12.00,paypoint,PP-7\n"
                                        "2026-03-09,RNT000003,7.00,allpay,AP-3\n"
                                        "2026-03-09,RNT000003,5.00,bank_transfer,AP-2\n", name="changed.csv")
    code, out, err = _cli(capsys, "--db", db_url, "payments", "import", str(changed), "--as", "income")
    assert code == 2 and out == ""
    tail = ": a provider never reuses a transaction id — check the file with them"
    assert err.splitlines() == [
        "duty-tui: line 2: external_id 'AP-1' was imported on 09/03/2026 for RNT000001 £50.00; this row differs "
        "(amount £55.00)" + tail,
        "duty-tui: line 3: external_id 'PP-7' was imported on 09/03/2026 for NOSUCH9 £12.00; this row differs "
        "(date 08/03/2026)" + tail,
        "duty-tui: line 5: external_id 'AP-2' was imported on 09/03/2026 for RNT000002 £5.00; this row differs "
        "(account RNT000003, method bank_transfer)" + tail,
    ]
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


def test_two_imports_at_once_take_turns_and_never_collide_or_use_executemany(engine, tmp_path):
    """The cause of the driver noise, checked directly: psycopg runs a DB-API executemany in pipeline
    mode, and an error arriving while the pipeline is still sending (the second of two imports hitting
    the first's external_ids, or a connection cut) made psycopg log 'error ignored terminating
    <psycopg.Pipeline ...>' on stderr. Now the import sends one INSERT ... SELECT FROM unnest(...) per
    part on PostgreSQL (never executemany), and two imports at once take turns (an advisory lock on
    PostgreSQL, the write lock on SQLite): the second waits, then skips every row, without a single
    database error."""
    from sqlalchemy import event

    seed_office(engine)
    import_payment_file(ctx_for(engine, "income"), (HEADER + "2026-03-09,NOSUCH1,1.00,allpay,FIRST-1\n").encode(),
                        "first.csv")  # the suspense account exists, as after the first night
    manys: list[str] = []
    errors: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if executemany:
            manys.append(statement[:60])

    def failed(context):
        errors.append(str(context.original_exception).splitlines()[0])

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "handle_error", failed)
    try:
        for round_no in range(5):
            data = (HEADER + "".join(f"2026-03-09,{'RNT000001' if i % 3 else 'XX' + str(i)},1.{i % 100:02d},allpay,"
                                     f"TURN-{round_no}-{i}\n" for i in range(1500))).encode()
            contexts = [ctx_for(engine, "income"), ctx_for(engine, "leader")]
            barrier = threading.Barrier(2)
            results, crashes = [], []

            def work(ctx):
                barrier.wait()
                try:
                    results.append(import_payment_file(ctx, data, f"turn-{round_no}.csv"))
                except Exception as exc:  # pragma: no cover - reported below
                    crashes.append(exc)

            threads = [threading.Thread(target=work, args=(c,)) for c in contexts]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            assert not crashes, crashes
            assert sorted((r.posted + r.suspense, r.skipped) for r in results) == [(0, 1500), (1500, 0)]
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "handle_error", failed)
    if engine.dialect.name == "postgresql":
        assert manys == []  # psycopg would run it in pipeline mode (SQLite's driver has none)
    assert errors == []


def test_two_import_processes_at_once_post_each_row_once_and_print_only_our_lines(engine, db_url, tmp_path,
                                                                                   capsys):
    """Two real `duty-tui payments import` processes on the same nightly file at the same moment (two
    schedulers, or a re-run while the first is still going): each row posted once, both exit 0, the
    summary on stdout, and nothing at all on stderr — no driver noise such as psycopg's
    'error ignored terminating <psycopg.Pipeline ...>' from an insert aborted mid-pipeline.

    On PostgreSQL the test holds a SHARE lock on ledger_entry (reads go on, inserts wait) until both
    processes are waiting on a lock, so they really meet at the same moment, then lets them go."""
    import subprocess
    import sys

    seed_office(engine)
    # The suspense account exists already (as it does after the first night), so the two imports meet on
    # the ledger rows themselves, not on creating it.
    code, _, _ = _cli(capsys, "--db", db_url, "payments", "import",
                      str(_write(tmp_path, HEADER + "2026-03-09,NOSUCH1,1.00,allpay,FIRST-1\n", name="first.csv")),
                      "--as", "income")
    assert code == 0
    postgres = engine.dialect.name == "postgresql"
    rows_in_file = 4000
    for round_no in range(2):
        body = "".join(f"2026-03-09,{'RNT000001' if i % 4 else 'UNKNOWN' + str(i)},1.{i % 100:02d},allpay,"
                       f"PROC-{round_no}-{i}\n" for i in range(rows_in_file))
        path = _write(tmp_path, HEADER + body, name=f"nightly-{round_no}.csv")
        with engine.connect() as gate:
            if postgres:
                gate.execute(text("LOCK TABLE ledger_entry IN SHARE MODE"))
            runs = [subprocess.Popen([sys.executable, "-m", "duty_tui", "--db", db_url, "payments", "import",
                                      str(path), "--as", user], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True) for user in ("income", "leader")]
            if postgres:
                _wait_until_waiting_on_a_lock(engine, 2)
            gate.commit()
            finished = [(run.wait(timeout=300), *run.communicate()) for run in runs]
        for code, out, err in finished:
            assert code == 0, err
            assert err == ""
            assert re.fullmatch(r"posted \d+, skipped \d+ \(already imported\), to suspense \d+, total £[\d,]+\.\d\d\n",
                                out), out
        counts = sorted(tuple(int(n) for n in re.findall(r"(?:posted|skipped|suspense) (\d+)", out))
                        for _, out, _ in finished)
        assert counts == [(0, rows_in_file, 0), (rows_in_file * 3 // 4, 0, rows_in_file // 4)]
        with engine.connect() as c:
            assert c.execute(text("SELECT COUNT(*), COUNT(DISTINCT external_id) FROM ledger_entry "
                                  "WHERE external_id LIKE :p"), {"p": f"PROC-{round_no}-%"}).one() == \
                (rows_in_file, rows_in_file)


def _wait_until_waiting_on_a_lock(engine, sessions: int) -> None:
    """Until ``sessions`` other sessions of this database wait on a lock (bounded; PostgreSQL only)."""
    import time

    deadline = time.monotonic() + 60
    with engine.connect() as watch:
        while time.monotonic() < deadline:
            waiting = watch.execute(text(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()")).scalar()
            watch.rollback()
            if waiting >= sessions:
                return
            time.sleep(0.05)
    raise AssertionError(f"{sessions} imports never both reached the database")


def test_docs_and_roles_agree_on_who_may_import_payment_files():
    """A council's nightly import is a batch job: data/roles.toml (what the program enforces) gives the
    batch role payments.import, and docs/PAYMENTS.md names exactly the roles that have it."""
    from duty_tui.core.config.reference import load_reference
    from duty_tui.core.config.settings import Settings

    roles = load_reference(Settings().data_dir).roles
    granted = {code for code, role in roles.items() if "payments.import" in role.permissions}
    assert "batch" in granted
    docs = (Path(__file__).resolve().parents[3] / "docs" / "PAYMENTS.md").read_text(encoding="utf-8")
    flowing = re.sub(r"\s*\n\s*", " ", docs)
    found = re.search(r"Needs `payments\.import`, which `data/roles\.toml` gives these roles: ([^.]+)\.", flowing)
    assert found, "docs/PAYMENTS.md no longer says which roles may import payment files"
    assert set(re.findall(r"`(\w+)`", found.group(1))) == granted
    assert "the `batch` role (what a command run without `--as` acts as, audited as `os:<user>`) may import " \
           "payment files" in flowing
    assert "lacks it" not in flowing
