"""The arrears worklist, recovery steps and pauses on SQLite and PostgreSQL (docs/INCOME.md, docs/CLI.md
`duty-tui arrears worklist`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from builders import NOW, seed_office
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from duty_tui.areas import AREAS
from duty_tui.areas.income.services.actions import lift_pause, pause, record_action
from duty_tui.areas.income.services.worklist import arrears_worklist
from duty_tui.core import registry
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)  # NOW's day
KEYS = ["ref", "holder", "balance_pence", "weeks_in_arrears", "days_since_last_payment", "last_action",
        "last_action_date", "next_action", "next_action_due", "paused_until"]


def ctx_for(engine, username: str = "income", *, now: datetime = NOW) -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: now)
    return ctx.as_actor(find_actor(ctx, username))


def at(ctx: ServiceContext, day: date) -> ServiceContext:
    moment = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)
    return replace(ctx, clock=lambda: moment)


def _seed(engine) -> None:
    """The builders' office, with RNT000003 owing £500 (4 weeks of a secure rent) and RNT000002 £280."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        ids = dict(s.execute(text("SELECT ref, id FROM account")).all())
        for ref, pence in (("RNT000003", 50000), ("RNT000002", 30000)):
            s.add(LedgerEntry(account_id=ids[ref], effective_date=date(2026, 3, 6), posted_at=NOW - timedelta(days=4),
                              kind="rent_debit", amount_pence=pence))


def _events(engine, action: str) -> list[dict]:
    with engine.connect() as c:
        return [json.loads(d) if isinstance(d, str) else d for (d,) in c.execute(text(
            "SELECT detail FROM audit_event WHERE action = :a ORDER BY id"), {"a": action}).all()]


def _row(page, ref):
    return next(r for r in page.rows if r.ref == ref)


def test_worklist_rows_largest_first_with_the_contract_keys_and_the_policy_s_next_action(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    page = arrears_worklist(ctx)
    assert [r.ref for r in page.rows] == ["RNT000003", "RNT000002", "RNT000001"] and page.total == 3
    first = page.rows[0].as_json()
    assert list(first) == KEYS
    assert first == {"ref": "RNT000003", "holder": "Ms A Khan", "balance_pence": 50000, "weeks_in_arrears": 4.0,
                     "days_since_last_payment": 8, "last_action": None, "last_action_date": None,
                     "next_action": "letter_1", "next_action_due": "2026-03-10", "paused_until": None}
    smith = _row(page, "RNT000001")  # £152.50 of £110.50 a week: 1.38 weeks, paid £68.50 on 4 March
    assert (smith.weeks_in_arrears, smith.days_since_last_payment, smith.next_action) == (1.38, 6, "reminder")
    assert "the reminder" in smith.why and smith.agreement == "none"
    # the former tenant account (FTA000001, £640) and the account in credit are not rent arrears
    assert "FTA000001" not in {r.ref for r in page.rows}
    assert _events(engine, "arrears.worklist")[-1]["shown"] == ["RNT000003", "RNT000002", "RNT000001"]
    assert [r.ref for r in arrears_worklist(ctx, limit=1, offset=1).rows] == ["RNT000002"]
    assert [r.ref for r in arrears_worklist(ctx, sort="ref").rows] == ["RNT000001", "RNT000002", "RNT000003"]


def test_balance_pence_equals_account_show(engine, db_url, capsys):
    from duty_tui.areas.payments.services.accounts import show_account

    _seed(engine)
    ctx = ctx_for(engine)
    for row in arrears_worklist(ctx).rows:
        assert row.balance_pence == show_account(ctx, row.ref).balance_pence
    assert run(["--db", db_url, "arrears", "worklist", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    for item in listed:
        assert list(item) == KEYS
        assert run(["--db", db_url, "account", "show", item["ref"], "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["balance_pence"] == item["balance_pence"]


def test_recording_a_step_moves_the_recommendation_on_and_is_audited(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    record_action(ctx, "rnt 000003", "letter_1", "sent by post")
    row = _row(arrears_worklist(ctx), "RNT000003")
    assert (row.last_action, row.last_action_date) == ("letter_1", TODAY)
    assert (row.next_action, row.next_action_due) == ("letter_2", TODAY + timedelta(days=14))
    later = at(ctx, TODAY + timedelta(days=14))
    record_action(later, "RNT000003", "letter_2")
    row = _row(arrears_worklist(later), "RNT000003")  # 4 weeks owed, a secure tenancy: the NOSP, 7 days on
    assert (row.next_action, row.next_action_due) == ("nosp", TODAY + timedelta(days=21))
    assert [e["action"] for e in _events(engine, "arrears.action_recorded")] == ["letter_1", "letter_2"]
    with pytest.raises(InputError, match="not a recovery step; choose one of reminder, letter_1"):
        record_action(ctx, "RNT000003", "letter_9")
    with pytest.raises(InputError, match="in the future"):
        record_action(ctx, "RNT000003", "reminder", taken_on=TODAY + timedelta(days=1))
    with pytest.raises(InputError, match="former tenant account"):
        record_action(ctx, "FTA000001", "reminder")
    with pytest.raises(NotFound):
        record_action(ctx, "RNT999999", "reminder")
    with pytest.raises(PermissionDenied):
        record_action(ctx_for(engine, "reception"), "RNT000003", "reminder")
    assert len(_events(engine, "arrears.action_recorded")) == 2


def test_a_pause_holds_recovery_and_a_second_active_pause_is_refused_by_the_database(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    until = TODAY + timedelta(days=21)
    pause(ctx, "RNT000003", "promise_to_pay", until, "pays on the 31st")
    page = arrears_worklist(ctx)
    row = _row(page, "RNT000003")
    assert (row.next_action, row.paused_until, row.pause_reason) == ("none", until, "promise_to_pay")
    assert row.as_json()["paused_until"] == until.isoformat()
    assert [r.ref for r in arrears_worklist(ctx, tab="paused").rows] == ["RNT000003"]
    with pytest.raises(ConflictError, match="already paused until 31/03/2026"):
        pause(ctx, "RNT000003", "other", until)
    with engine.connect() as c:  # the database's guarantee, not only the service's check
        account_id = c.execute(text("SELECT id FROM account WHERE ref = 'RNT000003'")).scalar()
        with pytest.raises(IntegrityError):
            c.execute(text("INSERT INTO recovery_pause (account_id, reason, until, set_at, version) "
                           "VALUES (:a, 'other', :u, :t, 1)"), {"a": account_id, "u": until, "t": NOW})
        c.rollback()
    with pytest.raises(InputError, match="not after today"):
        pause(ctx, "RNT000002", "other", TODAY)
    with pytest.raises(InputError, match="not a pause reason"):
        pause(ctx, "RNT000002", "holiday", until)
    lift_pause(ctx, "RNT000003")
    assert _row(arrears_worklist(ctx), "RNT000003").next_action == "letter_1"
    with pytest.raises(InputError, match="not paused"):
        lift_pause(ctx, "RNT000003")
    # a pause whose day has come no longer holds recovery; the next pause ends it
    pause(ctx, "RNT000002", "benefit_claim_pending", TODAY + timedelta(days=7))
    later = at(ctx, TODAY + timedelta(days=8))
    assert _row(arrears_worklist(later), "RNT000002").paused_until is None
    pause(later, "RNT000002", "other", TODAY + timedelta(days=30))
    assert [e["reason"] for e in _events(engine, "arrears.paused")] == [
        "promise_to_pay", "benefit_claim_pending", "other"]
    assert len(_events(engine, "arrears.pause_lifted")) == 1


def test_tabs_immediate_kept_court_and_sorting_by_the_next_action_s_date(engine):
    from duty_tui.areas.payments.services.arrangements import create_arrangement

    _seed(engine)
    ctx = ctx_for(engine)
    assert {r.ref for r in arrears_worklist(ctx, tab="immediate").rows} == {"RNT000001", "RNT000002", "RNT000003"}
    record_action(ctx, "RNT000003", "letter_1")
    immediate = arrears_worklist(ctx, tab="immediate")
    assert {r.ref for r in immediate.rows} == {"RNT000001", "RNT000002"} and immediate.total == 2
    assert [r.ref for r in arrears_worklist(ctx, sort="next_due").rows][-1] == "RNT000003"
    create_arrangement(ctx, "RNT000001", 1000, "weekly", TODAY + timedelta(days=3))
    kept = arrears_worklist(ctx, tab="kept")
    assert [r.ref for r in kept.rows] == ["RNT000001"]
    assert kept.rows[0].agreement == "kept" and kept.rows[0].next_action == "none"
    for tab in ("court", "evictions"):
        empty = arrears_worklist(ctx, tab=tab)
        assert empty.rows == [] and empty.total == 0
    registry.use([each for each in AREAS if each.name != "payments"])  # a build without payments
    try:
        row = _row(arrears_worklist(ctx), "RNT000001")
        assert row.agreement == "none" and row.next_action == "reminder"
    finally:
        registry.use(None)
    with pytest.raises(InputError, match="tab: 'later' is not one of"):
        arrears_worklist(ctx, tab="later")


def test_team_and_officer_follow_the_open_arrears_case(engine):
    _seed(engine)
    with engine.begin() as c:  # the builders' arrears case (assigned to leader, income team) on Smith's tenancy
        c.execute(text("UPDATE work_case SET tenancy_id = (SELECT tenancy_id FROM account WHERE ref = 'RNT000001') "
                       "WHERE ref = 'C0000002'"))
    ctx = ctx_for(engine)
    assert [r.ref for r in arrears_worklist(ctx, officer="leader").rows] == ["RNT000001"]
    assert [r.ref for r in arrears_worklist(ctx, team="INCOME").rows] == ["RNT000001"]
    assert arrears_worklist(ctx, officer="income").rows == []
    assert arrears_worklist(ctx, team="repairs").total == 0
    with pytest.raises(InputError, match="--team: no team 'nope'"):
        arrears_worklist(ctx, team="nope")
    with pytest.raises(InputError, match="--officer: no staff user"):
        arrears_worklist(ctx, officer="ghost")


def test_cli_table_and_exit_codes_for_bad_options(engine, db_url, capsys):
    _seed(engine)
    assert run(["--db", db_url, "arrears", "worklist", "--as", "income", "--limit", "2"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("REF") and "NEXT ACTION" in lines[0] and len(lines) == 3
    assert lines[1].startswith("RNT000003") and "£500.00" in lines[1] and "2 of 3 accounts" in err
    for bad, word in ((["--limit", "0"], "--limit"), (["--limit", "many"], "--limit"),
                      (["--team", "nope"], "--team"), (["--officer", "ghost"], "--officer")):
        code = run(["--db", db_url, "arrears", "worklist", "--json", *bad])
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and word in err and "Traceback" not in err, (bad, err)


def test_demo_steps_and_pauses_fill_the_worklist_deterministically(engine):
    from duty_tui.areas.income.demo import generate_income
    from duty_tui.areas.income.services.actions import action_codes
    from duty_tui.core.demo import generator

    generator.generate(engine, size="small", seed=3, today=TODAY, office_name="Demo", jurisdiction="england")
    counts = generate_income(engine, seed=3, today=TODAY, size="small", jurisdiction="england")
    assert counts["recovery steps"] > 0 and counts["accounts with steps"] > 0
    with engine.connect() as c:
        steps = c.execute(text("SELECT account_id, action, taken_on FROM recovery_action ORDER BY id")).all()
    ctx = ctx_for(engine, "income", now=NOW)
    assert {code for _, code, _ in steps} <= set(action_codes(ctx))
    assert all(str(on) < TODAY.isoformat() for _, _, on in steps)  # taken on past days only (raw SQL: a string on SQLite)
    page = arrears_worklist(ctx, limit=200)
    assert page.rows and any(r.last_action for r in page.rows) and any(r.next_action != "none" for r in page.rows)
    # The same seed gives the same rows: tests/areas/income/test_income_demo.py (the demo now posts ledger rows
    # and opens court costs accounts, so it is rebuilt from an empty database there, not re-run on this one).
