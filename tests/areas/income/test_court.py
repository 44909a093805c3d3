"""The court on SQLite and PostgreSQL: a possession claim, its hearings and outcomes, the warrant, the eviction,
court costs posted once, and the court pack (docs/INCOME_COURT.md; CPR 55.5(3); PD 55A para 2.3A)."""

from __future__ import annotations

import csv
import io
import json
import stat
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from builders import NOW, seed_office
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.income.db.models import ArrearsNotice, BenefitClaim, ProtocolStep, RecoveryAction
from duty_tui.areas.income.services.court import (
    apply_warrant,
    close_claim,
    record_claim,
    record_eviction_outcome,
    record_outcome,
    set_eviction_date,
    set_hearing,
)
from duty_tui.areas.income.services.court_pack import court_pack, court_pack_files, court_record
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)  # NOW's day
ISSUED = date(2026, 3, 9)


def ctx_for(engine, username: str = "income") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def at(ctx: ServiceContext, day: date) -> ServiceContext:
    moment = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)
    return replace(ctx, clock=lambda: moment)


def _ids(engine) -> dict[str, int]:
    with engine.connect() as c:
        return dict(c.execute(text("SELECT ref, id FROM account")).all())


def seed(engine, *, apply_step: bool = True, notice: dict | None = None) -> None:
    """The builders' office; Ms A Khan's RNT000003 (secure, £125 a week) with three years of history, a NOSP
    served 5 Jan 2026 (proceedings from 6 Feb 2026) and the policy's apply_for_possession step on 2 Feb 2026."""
    seed_office(engine)
    account = _ids(engine)["RNT000003"]
    with session_scope(engine, write=True) as s:
        rows = [(date(2023, 6, 5), "rent_debit", 12500), (date(2023, 6, 9), "payment", -12500),
                (date(2024, 1, 1), "rent_debit", 12500), (date(2024, 9, 2), "rent_debit", 12500),
                (date(2025, 6, 2), "payment", -5000), (date(2025, 12, 1), "rent_debit", 12500),
                (date(2026, 1, 5), "rent_debit", 12500), (date(2026, 2, 2), "rent_debit", 12500)]
        for on, kind, pence in rows:
            s.add(LedgerEntry(account_id=account, effective_date=on, posted_at=NOW - timedelta(days=1), kind=kind,
                              amount_pence=pence))
        s.add(ArrearsNotice(**{"account_id": account, "kind": "nosp", "served_on": date(2026, 1, 5),
                               "method": "by_hand", "proceedings_from": date(2026, 2, 6),
                               "lapses_on": date(2027, 2, 6), "arrears_pence": 45000, "weekly_rent_pence": 12500,
                               "tenants": "Ms Aisha Khan", "created_at": NOW, **(notice or {})}))
        s.add(ProtocolStep(account_id=account, step="vulnerability_considered", done_on=date(2026, 1, 20),
                           evidence="visit: no vulnerability found", created_at=NOW))
        s.add(BenefitClaim(account_id=account, kind="universal_credit", made_on=date(2025, 11, 3),
                           decided_on=date(2025, 12, 15), outcome="awarded", created_at=NOW))
        if apply_step:
            s.add(RecoveryAction(account_id=account, action="apply_for_possession", taken_on=date(2026, 2, 2),
                                 created_at=NOW))


def _events(engine, action: str) -> list[dict]:
    with engine.connect() as c:
        return [json.loads(d) if isinstance(d, str) else d for (d,) in c.execute(text(
            "SELECT detail FROM audit_event WHERE action = :a ORDER BY id"), {"a": action}).all()]


def _costs_rows(engine) -> list[tuple]:
    with engine.connect() as c:
        return c.execute(text("SELECT a.ref, a.account_type, l.amount_pence, l.kind FROM ledger_entry l "
                              "JOIN account a ON a.id = l.account_id WHERE l.kind = 'court_costs'")).all()


def _actions(engine) -> list[str]:
    with engine.connect() as c:
        return [a for (a,) in c.execute(text("SELECT action FROM recovery_action ORDER BY id")).all()]


def test_record_claim_only_after_the_policy_s_apply_for_possession_step(engine):
    seed(engine, apply_step=False)
    ctx = ctx_for(engine)
    with pytest.raises(InputError, match="record the recovery step 'apply_for_possession'"):
        record_claim(ctx, "RNT000003", issued_on=ISSUED)
    with pytest.raises(PermissionDenied):
        record_claim(ctx_for(engine, "reception"), "RNT000003", issued_on=ISSUED)
    with pytest.raises(NotFound):
        record_claim(ctx, "RNT999999", issued_on=ISSUED)
    with pytest.raises(InputError, match="in the future"):
        record_claim(ctx, "RNT000003", issued_on=TODAY + timedelta(days=1))


@pytest.mark.parametrize(("notice", "said"), [
    ({"proceedings_from": date(2026, 3, 20)}, "allows proceedings only from 20/03/2026"),
    ({"lapses_on": date(2026, 3, 1)}, "lapsed on 01/03/2026"),
    ({"withdrawn_on": date(2026, 2, 1)}, "was withdrawn on 01/02/2026"),
])
def test_ha_1985_s83_claim_refused_when_no_notice_is_in_force_naming_the_dates(engine, notice, said):
    seed(engine, notice=notice)
    with pytest.raises(InputError, match=f"no notice is in force on 09/03/2026 .*{said}"):
        record_claim(ctx_for(engine), "RNT000003", issued_on=ISSUED)
    assert _costs_rows(engine) == []


def test_cpr_55_5_3_hearing_less_than_28_days_refused_names_earliest(engine):
    seed(engine)
    with pytest.raises(InputError, match=r"less than 28 days .*CPR 55.5\(3\)\(a\).*the earliest hearing is 06/04/2026"):
        record_claim(ctx_for(engine), "RNT000003", issued_on=ISSUED, hearing_on=date(2026, 4, 5))
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM possession_claim")).scalar() == 0


def test_cpr_55_5_3_hearing_after_8_weeks_allowed_with_a_warning_and_serve_by_21_days_before(engine):
    seed(engine)
    done = record_claim(ctx_for(engine), "RNT000003", issued_on=ISSUED, hearing_on=date(2026, 5, 5))
    assert done.warning and "more than 56 days" in done.warning and "04/05/2026" in done.warning
    assert done.serve_by == date(2026, 4, 14) and done.hearing_id is not None
    assert done.notice_id and _events(engine, "arrears.claim_recorded")[-1]["hearing_on"] == "2026-05-05"


def test_court_costs_posted_once_to_a_new_court_costs_account_a_retry_does_not_post_twice(engine):
    seed(engine)
    ctx = ctx_for(engine)
    done = record_claim(ctx, "rnt 000003", issued_on=ISSUED, claim_number="K00SN123", court_name="Swindon",
                        costs_pence=35500, hearing_on=date(2026, 4, 20))
    assert done.warning is None and done.costs_account_ref == "CCT000001"
    assert _costs_rows(engine) == [("CCT000001", "court_costs", 35500, "court_costs")]
    with engine.connect() as c:  # the kept balance did the rest
        assert c.execute(text("SELECT b.balance_pence FROM account_balance b JOIN account a ON a.id = b.account_id "
                              "WHERE a.ref = 'CCT000001'")).scalar() == 35500
    with pytest.raises(ConflictError, match="already has an open claim, issued 09/03/2026"):
        record_claim(ctx, "RNT000003", issued_on=ISSUED, costs_pence=35500)
    # the claim closed and the same claim recorded again: the ledger's UNIQUE external_id refuses the costs,
    # and with them the whole transaction (no second claim)
    close_claim(ctx, done.claim_id, closed_on=TODAY, reason="other", version=1)
    with pytest.raises(ConflictError, match="already recorded; nothing was posted twice"):
        record_claim(ctx, "RNT000003", issued_on=ISSUED, costs_pence=35500)
    assert len(_costs_rows(engine)) == 1
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM possession_claim")).scalar() == 1
        account = c.execute(text("SELECT id FROM account WHERE ref = 'CCT000001'")).scalar()
        with pytest.raises(IntegrityError):  # the database's guarantee, not only the service's
            c.execute(text("INSERT INTO ledger_entry (account_id, effective_date, posted_at, kind, amount_pence, "
                           "external_id) VALUES (:a, :d, :p, 'court_costs', 35500, 'court-costs:RNT000003:2026-03-09')"),
                      {"a": account, "d": ISSUED, "p": NOW})
        c.rollback()
    # a later claim reuses the tenancy's court costs account
    later = at(ctx, TODAY + timedelta(days=1))
    record_claim(later, "RNT000003", issued_on=TODAY, costs_pence=10000)
    assert [r[0] for r in _costs_rows(engine)] == ["CCT000001", "CCT000001"]


def test_outcomes_need_their_terms_or_date_and_record_update_court_outcome(engine):
    seed(engine)
    ctx = ctx_for(engine)
    claim = record_claim(ctx, "RNT000003", issued_on=date(2026, 2, 6), hearing_on=date(2026, 3, 6))
    hearing = claim.hearing_id
    assert hearing is not None
    with pytest.raises(InputError, match="needs its terms"):
        record_outcome(ctx, hearing, outcome="suspended_order", outcome_on=date(2026, 3, 6), version=1)
    with pytest.raises(InputError, match="outright order needs the date for possession"):
        record_outcome(ctx, hearing, outcome="outright_order", outcome_on=date(2026, 3, 6), version=1)
    with pytest.raises(InputError, match="not a court outcome"):
        record_outcome(ctx, hearing, outcome="won", outcome_on=date(2026, 3, 6), version=1)
    with pytest.raises(InputError, match="before the hearing"):
        record_outcome(ctx, hearing, outcome="adjourned_generally", outcome_on=date(2026, 3, 1), version=1)
    done = record_outcome(ctx, hearing, outcome="suspended_order", outcome_on=date(2026, 3, 6),
                          terms_weekly_pence=500, terms_text="rent plus £5 a week", version=1)
    assert (done.outcome, done.terms_weekly_pence, done.version) == ("suspended_order", 500, 2)
    with pytest.raises(ConflictError, match="changed by someone else"):
        record_outcome(ctx, hearing, outcome="adjourned_generally", outcome_on=date(2026, 3, 6), version=1)
    assert _actions(engine)[-1] == "update_court_outcome"
    # a warrant on an order on terms needs the breach the officer states
    with pytest.raises(InputError, match="needs the breach"):
        apply_warrant(ctx, claim.claim_id, applied_on=TODAY)
    warrant = apply_warrant(ctx, claim.claim_id, applied_on=TODAY, breach="nothing paid since 06/03/2026")
    with engine.connect() as c:
        assert c.execute(text("SELECT action, note FROM recovery_action ORDER BY id DESC")).first() == (
            "apply_for_warrant", "Breach: nothing paid since 06/03/2026")
    assert warrant.id is not None
    with pytest.raises(ConflictError, match="already applied for"):
        apply_warrant(ctx, claim.claim_id, applied_on=TODAY, breach="again")
    with pytest.raises(InputError, match="set the eviction date first"):
        record_eviction_outcome(ctx, warrant.id, outcome="evicted", outcome_on=TODAY, version=1)
    dated = set_eviction_date(ctx, warrant.id, eviction_on=date(2026, 4, 2), version=1)
    with pytest.raises(InputError, match="a warrant on this claim has no outcome yet"):
        close_claim(ctx, claim.claim_id, closed_on=TODAY, reason="other", version=1)
    stayed = record_eviction_outcome(ctx, warrant.id, outcome="stayed", outcome_on=TODAY, version=dated.version)
    assert (stayed.outcome, stayed.eviction_on) == ("stayed", date(2026, 4, 2))
    assert _actions(engine)[-1] == "update_eviction_outcome"
    closed = close_claim(ctx, claim.claim_id, closed_on=TODAY, reason="arrears_cleared", version=1)
    assert closed.closed_reason == "arrears_cleared"
    assert [len(_events(engine, a)) for a in ("arrears.court_outcome", "arrears.warrant_applied",
                                               "arrears.eviction_date_set", "arrears.eviction_outcome",
                                               "arrears.claim_closed")] == [1, 1, 1, 1, 1]


def test_a_warrant_on_an_outright_order_only_after_the_date_for_possession_has_passed(engine):
    seed(engine)
    ctx = ctx_for(engine)
    claim = record_claim(ctx, "RNT000003", issued_on=date(2026, 2, 6), hearing_on=date(2026, 3, 6))
    assert claim.hearing_id is not None
    with pytest.raises(InputError, match="record the court's order first"):
        apply_warrant(ctx, claim.claim_id, applied_on=TODAY)
    record_outcome(ctx, claim.hearing_id, outcome="outright_order", outcome_on=date(2026, 3, 6),
                   possession_on=date(2026, 3, 10), version=1)
    with pytest.raises(InputError, match="gives possession on 10/03/2026; a warrant may be applied for from 11/03/2026"):
        apply_warrant(ctx, claim.claim_id, applied_on=TODAY)
    tomorrow = at(ctx, TODAY + timedelta(days=1))
    assert apply_warrant(tomorrow, claim.claim_id, applied_on=TODAY + timedelta(days=1)).outcome is None


def test_an_adjourned_claim_gets_a_later_hearing_and_an_undecided_one_is_moved(engine):
    seed(engine)
    ctx = ctx_for(engine)
    claim = record_claim(ctx, "RNT000003", issued_on=ISSUED)
    with pytest.raises(InputError, match="the earliest hearing is 06/04/2026"):
        set_hearing(ctx, claim.claim_id, hearing_on=date(2026, 3, 30))
    first = set_hearing(ctx, claim.claim_id, hearing_on=date(2026, 4, 13))
    moved = set_hearing(ctx, claim.claim_id, hearing_on=date(2026, 4, 20))
    assert (moved.hearing_id, moved.version) == (first.hearing_id, 2)
    later = at(ctx, date(2026, 4, 20))
    record_outcome(later, first.hearing_id, outcome="adjourned_generally", outcome_on=date(2026, 4, 20), version=2)
    with pytest.raises(InputError, match="not after the last hearing"):
        set_hearing(later, claim.claim_id, hearing_on=date(2026, 4, 20))
    again = set_hearing(later, claim.claim_id, hearing_on=date(2026, 7, 1))  # an adjourned hearing: no 8-week rule
    assert again.hearing_id != first.hearing_id and again.warning is None
    record = court_record(ctx, "RNT000003")
    assert [h.hearing_on for h in record.claims[0].hearings] == [date(2026, 4, 20), date(2026, 7, 1)]
    assert record.open_claim is not None and _events(engine, "arrears.court_viewed")


def test_pd_55a_2_3a_schedule_two_years_running_balance_equals_the_ledger(engine):
    seed(engine)
    ctx = ctx_for(engine)
    record_claim(ctx, "RNT000003", issued_on=ISSUED, costs_pence=35500)  # court costs are not rent: not in the schedule
    pack = court_pack(ctx, "RNT000003")
    schedule = pack.schedule
    assert schedule.starts_on == date(2024, 3, 10)  # two years before today
    # brought forward: the rows before 10/03/2024 (125 - 125 + 125)
    assert schedule.brought_forward_pence == 12500
    with engine.connect() as c:
        kept = c.execute(text("SELECT b.balance_pence FROM account_balance b JOIN account a ON a.id = b.account_id "
                              "WHERE a.ref = 'RNT000003'")).scalar()
    assert schedule.closing_pence == kept == pack.balance_pence
    running = schedule.brought_forward_pence
    for row in schedule.rows:
        running += row.due_pence - row.paid_pence
        assert row.balance_pence == running
    assert schedule.arrears_began_on == date(2024, 1, 1)
    assert (pack.weekly_rent_pence, pack.daily_rent_pence) == (12500, 1786)  # 125 ÷ 7 = 17.857: £17.86
    lines = pack.particulars()
    numbered = [line[:2] for line in lines if line[:1].isdigit()]
    assert numbered == ["1.", "2.", "3.", "4.", "5.", "6.", "7.", "8."]  # the N119's order
    shown = "\n".join(lines)
    assert "9 Mill Lane" in shown and "Aisha Khan" in shown and "secure tenancy which began on 04/01/2013" in shown
    assert "£17.86 a day" in shown and "served on 05/01/2026" in shown and "universal credit claim made" in shown
    assert "apply for possession" in shown and "vulnerability" in shown
    assert _events(engine, "arrears.court_pack")[-1]["schedule_from"] == "2024-03-10"


def test_court_pack_files_are_0600_in_a_0700_folder_and_the_csv_balances(engine, tmp_path):
    seed(engine)
    paths = court_pack_files(ctx_for(engine), "RNT000003", tmp_path)
    assert [p.suffix for p in paths] == [".csv", ".txt", ".pdf"]
    assert stat.S_IMODE(paths[0].parent.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in paths)
    rows = list(csv.reader(io.StringIO(paths[0].read_text())))
    assert rows[0] == ["date", "description", "due", "paid", "balance"] and rows[1][1] == "Balance brought forward"
    assert rows[-1][4] == "575.00" and paths[2].read_bytes().startswith(b"%PDF")
    with pytest.raises(InputError, match="is not a folder"):
        court_pack_files(ctx_for(engine), "RNT000003", tmp_path / "missing")


def test_cli_court_pack_json_and_exit_codes(engine, db_url, tmp_path, capsys):
    seed(engine)
    assert run(["--db", db_url, "arrears", "court-pack", "RNT000003", "--out", str(tmp_path), "--json",
                "--as", "income"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["balance_pence"] == 57500 and data["daily_rent_pence"] == 1786 and len(data["files"]) == 3
    assert data["schedule"][-1]["balance_pence"] == 57500 and data["particulars"][2].startswith("1.")
    for bad in (["RNT999999", "--out", str(tmp_path)], ["FTA000001", "--out", str(tmp_path)],
                ["RNT000003", "--out", str(tmp_path / "nope")]):
        code = run(["--db", db_url, "arrears", "court-pack", *bad, "--as", "income"])
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and "Traceback" not in err, (bad, err)


def test_cpr_55_5_3_does_not_apply_in_scotland_only_a_hearing_before_issue_is_refused(engine):
    seed(engine, notice={"kind": "s14"})
    with engine.begin() as c:
        c.execute(text("UPDATE tenancy SET tenancy_type = 'scottish_secure' WHERE ref = 'T00003'"))
    ctx = ctx_for(engine)
    with pytest.raises(InputError, match="before the claim was issued"):
        record_claim(ctx, "RNT000003", issued_on=ISSUED, hearing_on=date(2026, 3, 1))
    done = record_claim(ctx, "RNT000003", issued_on=ISSUED, hearing_on=date(2026, 3, 19))
    assert (done.serve_by, done.warning, done.costs_account_ref) == (None, None, None)
    assert _costs_rows(engine) == []  # no costs given: nothing posted
