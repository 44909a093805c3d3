"""Arrears statistics and `duty-tui report arrears` on SQLite and PostgreSQL (docs/INCOME_REPORTS.md,
docs/CLI.md). The fixture's figures are worked out by hand in ``_seed``'s docstring."""

from __future__ import annotations

import csv
import json
import stat
from datetime import UTC, date, datetime

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.income.db.models import ArrearsNotice, CourtHearing, Eviction, PossessionClaim, RecoveryAction
from duty_tui.areas.income.services.statistics import (
    CSV_FILES,
    arrears_statistics,
    percent_tenths,
    percent_words,
    write_arrears_report,
)
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

FEB_1, FEB_28 = date(2026, 2, 1), date(2026, 2, 28)


def ctx_for(engine, username: str = "income") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def _seed(engine) -> None:
    """The builders' office (today 10/03/2026) and, worked out by hand:

    - open rent accounts in arrears: RNT000001 £152.50 (latest step letter_1), RNT000003 £500.00 (latest
      update_court_outcome, after a reminder), RNT000009 £10.00 (no tenancy, no step): 3 accounts, £662.50;
    - RNT000002 closed on 01/03/2026 owing £280.00 (its tenancy ended), FTA000001 £640.00: former £920.00;
    - live tenancies T00001 £110.50 + T00003 £125.00 = £235.50 a week, £12,246.00 a year (× 52);
      current 66250 / 1224600 = 5.41% -> 5.4%; former 92000 / 1224600 = 7.51% -> 7.5%; total 12.9%;
    - February 2026: NOSP 1 (10/02; another on 31/01 is outside), s128 1 (28/02, the last day), claims 1
      (01/02, the first day; another 01/03), suspended order 1 (an outright order on 02/03 and an
      adjournment are not counted), evictions 1 (evicted 20/02; one stayed is not).
    """
    seed_office(engine)
    created = datetime(2026, 3, 1, tzinfo=UTC)
    with session_scope(engine, write=True) as s:
        ids = dict(s.execute(text("SELECT ref, id FROM account")).all())
        extra = Account(ref="RNT000009", account_type="rent", holder_name="Ms N Tenancy", opened_on=date(2025, 1, 1))
        s.add(extra)
        s.flush()
        ids["RNT000009"] = extra.id
        for ref, pence in (("RNT000003", 50000), ("RNT000002", 30000), ("RNT000009", 1000)):
            s.add(LedgerEntry(account_id=ids[ref], effective_date=date(2026, 3, 6), posted_at=NOW, kind="rent_debit",
                              amount_pence=pence))
        s.execute(text("UPDATE account SET closed_on = :d WHERE ref = 'RNT000002'"), {"d": date(2026, 3, 1)})
        s.execute(text("UPDATE tenancy SET status = 'ended', end_date = :d WHERE ref = 'T00002'"), {"d": date(2026, 3, 1)})
        for ref, code, on in (("RNT000001", "reminder", date(2026, 2, 1)), ("RNT000001", "letter_1", date(2026, 2, 9)),
                              ("RNT000003", "reminder", date(2026, 3, 1)),
                              ("RNT000003", "update_court_outcome", date(2026, 3, 5)),
                              ("RNT000002", "letter_2", date(2026, 2, 1))):
            s.add(RecoveryAction(account_id=ids[ref], action=code, taken_on=on, created_at=created))
        account = ids["RNT000003"]
        for kind, served in (("nosp", date(2026, 2, 10)), ("nosp", date(2026, 1, 31)), ("s128", FEB_28)):
            s.add(ArrearsNotice(account_id=account, kind=kind, served_on=served, method="by_hand",
                                proceedings_from=date(2026, 4, 1), arrears_pence=50000, weekly_rent_pence=12500,
                                tenants="Ms A Khan", created_at=created))
        claims = [PossessionClaim(account_id=account, issued_on=on, created_at=created) for on in (FEB_1, date(2026, 3, 1))]
        s.add_all(claims)
        s.flush()
        for outcome, on in (("suspended_order", date(2026, 2, 15)), ("outright_order", date(2026, 3, 2)),
                            ("adjourned_generally", date(2026, 2, 16))):
            s.add(CourtHearing(claim_id=claims[0].id, account_id=account, hearing_on=on, outcome=outcome,
                               outcome_on=on, created_at=created))
        for outcome, on in (("evicted", date(2026, 2, 20)), ("stayed", date(2026, 2, 21))):
            s.add(Eviction(claim_id=claims[0].id, account_id=account, warrant_applied_on=FEB_1, eviction_on=on,
                           outcome=outcome, outcome_on=on, created_at=created))


def _events(engine, action: str) -> list[dict]:
    with engine.connect() as c:
        return [json.loads(d) if isinstance(d, str) else d for (d,) in c.execute(text(
            "SELECT detail FROM audit_event WHERE action = :a ORDER BY id"), {"a": action}).all()]


def test_percentages_are_worked_out_from_integers_half_up_to_one_place():
    assert percent_tenths(66250, 1224600) == 54 and percent_words(54) == "5.4%"
    assert percent_tenths(1, 2000) == 1  # 0.05% is half: up
    assert percent_tenths(1, 2001) == 0  # just under half: down
    assert percent_tenths(5, 0) is None and percent_words(None) == "n/a"
    assert percent_tenths(3, 3) == 1000 and percent_words(1000) == "100.0%"


def test_the_figures_by_stage_rent_roll_former_tenants_and_the_period_s_events(engine):
    _seed(engine)
    stats = arrears_statistics(ctx_for(engine), date_from=FEB_1, date_to=FEB_28)
    stages = {s.code: (s.accounts, s.arrears_pence) for s in stats.by_stage}
    assert stages["none"] == (1, 1000) and stages["letter_1"] == (1, 15250)
    assert stages["update_court_outcome"] == (1, 50000) and stages["reminder"] == (0, 0)
    codes = [s.code for s in stats.by_stage]  # none first, then the policy's order, then the court's
    assert codes[:4] == ["none", "reminder", "letter_1", "letter_2"]
    assert codes[-2:] == ["update_court_outcome", "update_eviction_outcome"] and len(codes) == len(set(codes))
    assert (stats.current_accounts, stats.current_pence) == (3, 66250)
    roll = stats.rent_roll
    assert (roll.live_tenancies, roll.weekly_pence, roll.annual_pence) == (2, 23550, 1224600)
    assert (roll.current_tenths, roll.former_tenths, roll.total_tenths) == (54, 75, 129)
    assert [(f.group, f.accounts, f.arrears_pence) for f in stats.former] == [
        ("former_tenant_accounts", 1, 64000), ("closed_rent_accounts", 1, 28000)]
    events = {(e.event, e.kind): e.count for e in stats.events}
    assert events == {("notice_served", "nosp"): 1, ("notice_served", "s128"): 1, ("notice_served", "s14"): 0,
                      ("claim_issued", "possession_claim"): 1, ("possession_order", "suspended_order"): 1,
                      ("possession_order", "outright_order"): 0, ("eviction", "evicted"): 1}
    march = arrears_statistics(ctx_for(engine), date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert (march.count("claim_issued"), march.count("possession_order"), march.count("notice_served")) == (1, 1, 0)
    seen = _events(engine, "arrears.statistics_viewed")
    assert seen[0] == {"from": "2026-02-01", "to": "2026-02-28", "as_of": "2026-03-10", "accounts_in_arrears": 3,
                       "arrears_pence": 66250}


def test_a_bad_period_and_a_role_without_statistics_are_refused(engine):
    _seed(engine)
    with pytest.raises(InputError, match="before from") as refused:
        arrears_statistics(ctx_for(engine), date_from=FEB_28, date_to=FEB_1)
    assert refused.value.problems == ["to: 01/02/2026 is before from (28/02/2026); swap the dates"]
    with pytest.raises(InputError) as missing:
        arrears_statistics(ctx_for(engine), date_from=None, date_to=None)
    assert len(missing.value.problems) == 2
    with pytest.raises(PermissionDenied):
        arrears_statistics(ctx_for(engine, "reception"), date_from=FEB_1, date_to=FEB_28)
    assert _events(engine, "arrears.statistics_viewed") == []


def test_an_empty_office_has_no_rent_roll_and_says_n_a(engine):
    seed_office(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE tenancy SET status = 'ended', end_date = :d"), {"d": date(2026, 1, 1)})
    stats = arrears_statistics(ctx_for(engine), date_from=FEB_1, date_to=FEB_28)
    assert stats.rent_roll.annual_pence == 0 and stats.rent_roll.current_tenths is None
    assert dict(stats.csv_tables()[1][2])["current_arrears_percent"] == ""


def _read(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_cli_writes_four_private_csv_files_and_audits_the_report(engine, db_url, tmp_path, capsys):
    _seed(engine)
    out = tmp_path / "arrears"
    assert run(["--db", db_url, "report", "arrears", "--from", "2026-02-01", "--to", "28/02/2026", "--out",
                str(out), "--as", "income"]) == 0
    _, err = capsys.readouterr()
    assert "4 files in" in err and "3 rent accounts in arrears owing £662.50 (5.4% of the annual rent roll" in err
    assert "1 evictions" in err and "(as income)" in err
    assert sorted(p.name for p in out.iterdir()) == sorted(CSV_FILES)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())
    stages = {r["stage"]: r for r in _read(out / "arrears_by_stage.csv")}
    assert stages["letter_1"]["accounts"] == "1" and stages["letter_1"]["arrears_pence"] == "15250"
    assert stages["total"]["arrears_pence"] == "66250"
    roll = {r["measure"]: r["value"] for r in _read(out / "rent_roll.csv")}
    assert roll["annual_rent_roll_pence"] == "1224600" and roll["current_arrears_percent"] == "5.4"
    assert roll["total_arrears_percent"] == "12.9" and roll["weeks_a_year"] == "52"
    former = {r["group"]: r for r in _read(out / "former_tenants.csv")}
    assert former["total"]["arrears_pence"] == "92000"
    events = _read(out / "period_events.csv")
    assert {(r["event"], r["kind"], r["count"]) for r in events} >= {("eviction", "evicted", "1"),
                                                                     ("notice_served", "nosp", "1")}
    assert all((r["date_from"], r["date_to"]) == ("2026-02-01", "2026-02-28") for r in events)
    written = _events(engine, "arrears.report_written")
    assert len(written) == 1 and written[0]["files"] == list(CSV_FILES)


def test_cli_exit_codes_for_bad_dates_a_full_folder_and_a_role_that_may_not(engine, db_url, tmp_path, capsys):
    _seed(engine)
    out = tmp_path / "out"
    code = run(["--db", db_url, "report", "arrears", "--from", "2026-02-30", "--to", "yesterday", "--out", str(out)])
    _, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 2 and "--from" in lines[0] and "--to" in lines[1] and "Traceback" not in err
    assert run(["--db", db_url, "report", "arrears", "--from", "2026-03-01", "--to", "2026-02-01",
                "--out", str(out)]) == 2
    assert "swap the dates" in capsys.readouterr().err and not out.exists()
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    assert run(["--db", db_url, "report", "arrears", "--from", "2026-02-01", "--to", "2026-02-28",
                "--out", str(full)]) == 2
    assert "not empty" in capsys.readouterr().err and [p.name for p in full.iterdir()] == ["keep.txt"]
    assert run(["--db", db_url, "report", "arrears", "--from", "2026-02-01", "--to", "2026-02-28",
                "--out", str(out), "--as", "reception"]) == 2
    assert "statistics" in capsys.readouterr().err and not out.exists()  # refused: no folder left behind
    assert run(["--db", db_url, "report", "arrears", "--from", "2026-02-01", "--to", "2026-02-28",
                "--out", str(out)]) == 0  # the batch role may see statistics
    assert len(list(out.iterdir())) == 4


def test_write_arrears_report_refuses_a_bad_period_before_making_the_folder(engine, tmp_path):
    _seed(engine)
    with pytest.raises(InputError):
        write_arrears_report(ctx_for(engine), date_from=FEB_28, date_to=FEB_1, out_dir=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_the_printable_document_holds_every_stage_and_the_summary_lines(engine):
    from duty_tui.areas.income.services.statistics import statistics_document

    _seed(engine)
    document = statistics_document(arrears_statistics(ctx_for(engine), date_from=FEB_1, date_to=FEB_28))
    assert document.kind == "reports" and document.name == "arrears_statistics_20260201_20260228"
    assert document.pdf.startswith(b"%PDF") and (document.entity, document.entity_id) == ("statistics", "arrears")
    body = document.text or ""
    assert "Arrears statistics at 10/03/2026" in body and "Court outcome recorded" in body and "£662.50" in body
    assert "current arrears 5.4%, with former tenants 12.9%" in body
    assert ("01/02/2026–28/02/2026: notices served 2 (NOSP 1, s128 1, s14 0), claims issued 1, possession orders 1 "
            "(suspended 1, outright 0), evictions 1") in body
