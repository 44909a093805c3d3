"""The rent reconciliation, `duty-tui report rents` and `duty-tui rent export` on SQLite and PostgreSQL
(docs/RENTS_RECONCILIATION.md, docs/CLI.md). The fixture's figures are worked out by hand in ``_seed``."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import UTC, date, datetime

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.rents.domain.recon import KIND_LINES, LINES, UNCLASSIFIED, line_of
from duty_tui.areas.rents.services.export import EXPORT_HEADER, export_transactions
from duty_tui.areas.rents.services.reconciliation import figure_rows, rent_reconciliation
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

FROM, TO = date(2026, 3, 9), date(2026, 3, 15)


def ctx_for(engine, username: str = "income") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def _seed(engine) -> None:
    """The builders' office, PR000001 and PR000002 in office MAIN (PR000003 in none), and, by hand:

    - before 09/03 (the builders' rows): MAIN RNT000001 +110.50 +110.50 −68.50 = 152.50, RNT000002 +95 −115
      = −20: opening £132.50 on 5 rows; no office RNT000003 +125 −125 = 0 (2 rows); no property FTA000001 £640;
    - 09–15/03: MAIN rent +110.50, cash −50, housing benefit −95, adjustment −10, an unknown kind +7:
      −£37.50, closing £95.00; no office Universal Credit −£125, closing −£125; all: opening £772.50,
      closing £610.00;
    - 16/03 (after the period): RNT000001 rent +110.50, in the kept balance but not in the closing.
    """
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        s.execute(text("UPDATE property SET office_id = (SELECT id FROM office) WHERE ref IN ('PR000001', 'PR000002')"))
        ids = dict(s.execute(text("SELECT ref, id FROM account")).all())
        for ref, day, kind, method, pence in (
            ("RNT000001", 9, "rent_debit", None, 11050), ("RNT000001", 10, "payment", "cash", -5000),
            ("RNT000002", 11, "housing_benefit", "housing_benefit", -9500),
            ("RNT000003", 12, "universal_credit", "universal_credit", -12500),
            ("RNT000001", 13, "adjustment", None, -1000), ("RNT000002", 14, "mystery_kind", None, 700),
            ("RNT000001", 16, "rent_debit", None, 11050),
        ):
            s.add(LedgerEntry(account_id=ids[ref], effective_date=date(2026, 3, day), kind=kind, method=method,
                              amount_pence=pence, posted_at=datetime(2026, 3, day, 9, tzinfo=UTC)))


def _events(engine, action: str) -> list[dict]:
    with engine.connect() as c:
        return [json.loads(d) if isinstance(d, str) else d for (d,) in c.execute(text(
            "SELECT detail FROM audit_event WHERE action = :a ORDER BY id"), {"a": action}).all()]


def test_every_house_kind_is_on_a_line_and_an_unknown_one_is_unclassified():
    known = {"payment", "rent_debit", "reversal", "refund", "housing_benefit", "universal_credit", "adjustment",
             "write_off", "court_costs", "former_tenant_debt", "rechargeable_repair", "service_charge",
             "suspense_transfer", "opening_balance", "transfer"}  # payments' words.py, income, the demo
    assert known <= set(KIND_LINES) and all(line_of(k) != UNCLASSIFIED for k in known)
    assert line_of("mystery_kind") == UNCLASSIFIED and {line for line, _ in LINES} >= set(KIND_LINES.values())


def test_reconciliation_by_office_figures_by_hand_and_the_identity_holds(engine):
    _seed(engine)
    recon = rent_reconciliation(ctx_for(engine), date_from=FROM, date_to=TO)
    assert [g.code for g in recon.groups] == ["MAIN", "no_office", "no_property"] and recon.group_by == "office"
    main = recon.group("MAIN")
    assert (main.label, main.opening_pence, main.opening_rows) == ("Test Office", 13250, 5)
    assert [(f.line, f.kind, f.method, f.rows, f.pence) for f in main.figures] == [
        ("charges", "rent_debit", None, 1, 11050), ("payments", "payment", "cash", 1, -5000),
        ("housing_benefit", "housing_benefit", "housing_benefit", 1, -9500),
        ("adjustments", "adjustment", None, 1, -1000), (UNCLASSIFIED, "mystery_kind", None, 1, 700)]
    assert (main.closing_pence, main.kept_pence, main.difference_pence) == (9500, 9500, 0)
    assert [f.kind for f in main.unclassified] == ["mystery_kind"]
    none = recon.group("no_office")
    assert (none.opening_pence, none.opening_rows, none.line_pence("other_credits"), none.closing_pence) == (
        0, 2, -12500, -12500)
    assert (recon.group("no_property").opening_pence, recon.group("no_property").closing_pence) == (64000, 64000)
    total = recon.total
    assert (total.opening_pence, total.closing_pence, total.kept_pence, total.difference_pence) == (77250, 61000,
                                                                                                   61000, 0)
    for group in (*recon.groups, total):  # opening + every line = closing, and nothing is dropped
        assert group.opening_pence + sum(group.line_pence(line) for line, _ in LINES) == group.closing_pence
    assert (main.void_loss_pence, main.void_rows) == (0, 0)  # no void weeks: nothing beside the identity
    assert _events(engine, "rents.reconciliation_viewed")[-1]["closing_pence"] == 61000


def test_a_kept_balance_out_of_step_shows_as_a_difference_with_its_explanation(engine):
    from duty_tui.areas.rents.domain.recon import explain_difference

    _seed(engine)
    with session_scope(engine, write=True) as s:
        s.execute(text("UPDATE account_balance SET balance_pence = balance_pence + 100 WHERE account_id = "
                       "(SELECT id FROM account WHERE ref = 'RNT000001')"))
    recon = rent_reconciliation(ctx_for(engine), date_from=FROM, date_to=TO)
    main = recon.group("MAIN")
    assert (main.closing_pence, main.kept_pence, main.difference_pence) == (9500, 9600, -100)
    assert "account reconcile" in explain_difference(main) and recon.total.difference_pence == -100


def test_the_rows_behind_a_figure_paged_and_audited(engine):
    _seed(engine)
    ctx = ctx_for(engine, "leader")
    page = figure_rows(ctx, date_from=FROM, date_to=TO, group="MAIN", line="payments", kind="payment", method="cash")
    assert page.total == 1 and [(r.account_ref, r.amount_pence) for r in page.rows] == [("RNT000001", -5000)]
    odd = figure_rows(ctx, date_from=FROM, date_to=TO, group="MAIN", line=UNCLASSIFIED)
    assert [(r.kind, r.amount_pence) for r in odd.rows] == [("mystery_kind", 700)]
    opening = figure_rows(ctx, date_from=FROM, date_to=TO, group="MAIN", line="opening", limit=2, offset=2)
    assert opening.total == 5 and len(opening.rows) == 2
    everything = figure_rows(ctx, date_from=FROM, date_to=TO, group="all", line="charges")
    assert sum(r.amount_pence for r in everything.rows) == 11050
    assert _events(engine, "rents.reconciliation_rows_viewed")[0]["shown"] == [page.rows[0].id]


def test_refused_without_the_permission_or_with_a_bad_period(engine):
    _seed(engine)
    with pytest.raises(PermissionDenied, match="statistics.view or rents.manage"):
        rent_reconciliation(ctx_for(engine, "reception"), date_from=FROM, date_to=TO)
    with pytest.raises(InputError, match="swap the dates"):
        rent_reconciliation(ctx_for(engine), date_from=TO, date_to=FROM)
    with pytest.raises(InputError, match="not a line"):
        figure_rows(ctx_for(engine), date_from=FROM, date_to=TO, group="MAIN", line="cash")
    with pytest.raises(PermissionDenied):
        export_transactions(ctx_for(engine, "reception"), date_from=FROM, date_to=TO, stream=io.StringIO())
    assert not _events(engine, "rents.transactions_exported")


def _read(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_cli_report_rents_writes_private_csv_files(engine, db_url, tmp_path, capsys):
    _seed(engine)
    out = tmp_path / "rents"
    assert run(["--db", db_url, "report", "rents", "--from", "2026-03-09", "--to", "15/03/2026", "--out", str(out),
                "--rows", "--as", "income"]) == 0
    err = capsys.readouterr().err
    assert "3 files in" in err and "closing £610.00, difference £0.00" in err and "(as income)" in err
    assert sorted(p.name for p in out.iterdir()) == ["reconciliation.csv", "reconciliation_rows.csv", "rent_roll.csv"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())
    recon = _read(out / "reconciliation.csv")
    closing = {r["group"]: r["pence"] for r in recon if r["item"] == "closing"}
    assert closing == {"MAIN": "9500", "no_office": "-12500", "no_property": "64000", "all": "61000"}
    assert any(r["line"] == UNCLASSIFIED and r["kind"] == "mystery_kind" for r in recon)
    rows = _read(out / "reconciliation_rows.csv")
    assert len(rows) == 6 and sum(int(r["amount_pence"]) for r in rows if r["group"] == "MAIN") == -3750
    roll = _read(out / "rent_roll.csv")
    assert [(r["tenancy_ref"], r["account_ref"], r["rent_group"], r["weekly_rent_pence"]) for r in roll] == [
        ("T00001", "RNT000001", "MAIN", "11050"), ("T00002", "RNT000002", "MAIN", "9500"),
        ("T00003", "RNT000003", "no_office", "12500")]
    assert _events(engine, "rents.report_written")[-1]["files"][0] == "reconciliation.csv"


def test_cli_report_rents_exit_codes(engine, db_url, tmp_path, capsys):
    _seed(engine)
    out = tmp_path / "out"
    code = run(["--db", db_url, "report", "rents", "--from", "2026-02-30", "--to", "nonsense", "--out", str(out)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 2 and "--from" in lines[0] and "--to" in lines[1]
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    assert run(["--db", db_url, "report", "rents", "--from", "2026-03-09", "--to", "2026-03-15",
                "--out", str(full)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert run(["--db", db_url, "report", "rents", "--from", "2026-03-09", "--to", "2026-03-15",
                "--out", str(out), "--as", "reception"]) == 2
    assert "rents.manage" in capsys.readouterr().err and not out.exists()


def test_export_streams_one_row_per_ledger_row_with_the_documented_columns(engine, db_url, tmp_path, capsys):
    _seed(engine)
    buffer = io.StringIO()
    assert export_transactions(ctx_for(engine), date_from=FROM, date_to=TO, stream=buffer) == 6
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == EXPORT_HEADER
    assert [(r["effective_date"], r["account_ref"], r["tenancy_ref"], r["kind"], r["amount_pence"]) for r in rows][:2] \
        == [("2026-03-09", "RNT000001", "T00001", "rent_debit", "11050"), ("2026-03-10", "RNT000001", "T00001",
                                                                         "payment", "-5000")]
    out = tmp_path / "ledger.csv"
    assert run(["--db", db_url, "rent", "export", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out),
                "--as", "leader"]) == 0
    assert "15 ledger rows" in capsys.readouterr().err and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(_read(out)) == 15
    assert run(["--db", db_url, "rent", "export", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out)]) == 2
    assert "already there" in capsys.readouterr().err
    assert run(["--db", db_url, "rent", "export", "--from", "2026-03-09", "--to", "2026-03-09"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == ",".join(EXPORT_HEADER) and len(captured.out.splitlines()) == 2
    assert [e["out"] for e in _events(engine, "rents.transactions_exported")] == ["stdout", str(out), "stdout"]
