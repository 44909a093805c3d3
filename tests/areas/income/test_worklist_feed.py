"""The worklist knows the court, evictions, benefit claims, orders' terms and Universal Credit
(docs/INCOME_WORKLIST_FEED.md): the pure judging once, the worklist on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.income.db.models import BenefitClaim, CourtHearing, Eviction, ManagedPayment, PossessionClaim
from duty_tui.areas.income.domain.feed import (
    CourtFacts,
    engine_inputs,
    load_terms,
    load_terms_file,
    months_rent_owed,
    terms_check,
    uc_managed_payment_due,
)
from duty_tui.areas.income.domain.policy import UPDATE_EVICTION_OUTCOME, Action
from duty_tui.areas.income.services import worklist as worklist_module
from duty_tui.areas.income.services.actions import record_action
from duty_tui.areas.income.services.worklist import arrears_worklist, worklist_total
from duty_tui.core.cli import run
from duty_tui.core.config.preview import packaged_folder
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.domain.errors import EnvironmentProblem
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)  # NOW's day
KEYS = ["ref", "holder", "balance_pence", "weeks_in_arrears", "days_since_last_payment", "last_action",
        "last_action_date", "next_action", "next_action_due", "paused_until"]


# --- pure ---------------------------------------------------------------------------------------

def test_terms_are_kept_within_the_tolerance_and_breached_beyond_it():
    since, today = date(2026, 1, 5), date(2026, 2, 2)  # 4 whole weeks
    check = terms_check(weekly_rent_pence=10000, terms_weekly_pence=500, since=since, today=today,
                        received_pence=42000, tolerance_days=5)
    assert (check.state, check.weeks, check.due_pence, check.behind_pence) == ("kept", 4, 42000, 0)
    # 5 days' worth of (rent + terms) is 7,500p: behind by exactly that is kept, a penny more is breached
    edge = dict(weekly_rent_pence=10000, terms_weekly_pence=500, since=since, today=today, tolerance_days=5)
    assert terms_check(**edge, received_pence=42000 - 7500).state == "kept"
    assert terms_check(**edge, received_pence=42000 - 7501).state == "breached"
    assert terms_check(**{**edge, "tolerance_days": 0}, received_pence=41999).state == "breached"
    # part of a week counts nothing yet: six days after the order nothing is due
    assert terms_check(**{**edge, "today": since + timedelta(days=6)}, received_pence=0).state == "kept"


def test_a_uc_managed_payment_is_due_at_two_months_rent_with_uc_recorded_and_no_request():
    two = Fraction(2)
    assert months_rent_owed(86667, 10000) == Fraction(86667 * 12, 10000 * 52) and months_rent_owed(1, 0) is None
    due = dict(weekly_rent_pence=10000, uc_recorded=True, requested=False, months_owed=two)
    assert uc_managed_payment_due(balance_pence=86667, **due)  # 2 months = 10000 × 52 ÷ 6 = 86,666.7p
    assert not uc_managed_payment_due(balance_pence=86666, **due)
    assert not uc_managed_payment_due(balance_pence=90000, **{**due, "uc_recorded": False})
    assert not uc_managed_payment_due(balance_pence=90000, **{**due, "requested": True})
    assert not uc_managed_payment_due(balance_pence=90000, **{**due, "weekly_rent_pence": 0})


def test_engine_inputs_from_hearings_evictions_and_claims():
    base = dict(arrangement="kept", history=(), today=TODAY, weekly_rent_pence=10000, tolerance_days=5)
    plain = engine_inputs(CourtFacts(), **base)
    assert (plain.agreement, plain.court_date, plain.eviction_date, plain.benefit_claim_pending) == ("kept", None,
                                                                                                     None, False)
    hearing = CourtFacts(hearing_on=TODAY - timedelta(days=14), outcome="suspended_order",
                         outcome_on=TODAY - timedelta(days=14), terms_weekly_pence=500, received_since_order_pence=0)
    breached = engine_inputs(hearing, **base)  # the order's terms decide, not the arrangement
    assert breached.agreement == "breached" and breached.court_outcome == "suspended_order"
    assert "are breached" in breached.notes[0]
    assert engine_inputs(replace(hearing, terms_weekly_pence=None), **base).agreement == "none"
    unknown = engine_inputs(replace(hearing, outcome="adjourned_sine_die"), **base)
    assert unknown.court_outcome is None and "not one the policy knows" in unknown.notes[0]
    evicted = engine_inputs(CourtFacts(eviction_on=TODAY - timedelta(days=3), eviction_outcome="evicted",
                                       eviction_outcome_on=TODAY - timedelta(days=3)), **base)
    assert evicted.eviction_date == TODAY - timedelta(days=3)
    assert evicted.history == (Action(UPDATE_EVICTION_OUTCOME, TODAY - timedelta(days=3)),)
    stayed = engine_inputs(CourtFacts(eviction_on=TODAY + timedelta(days=3), eviction_outcome="stayed"), **base)
    assert stayed.eviction_date is None
    claim = engine_inputs(CourtFacts(pending_claim="universal_credit", pending_claim_made_on=date(2026, 3, 1)), **base)
    assert claim.benefit_claim_pending and "universal credit claim made on 01/03/2026 awaits" in claim.notes[0]


def test_the_terms_file_is_checked_with_file_line_and_key(tmp_path: Path):
    shipped = load_terms(packaged_folder("data"))
    assert shipped.breach_tolerance_days == 5 and shipped.managed_payment_months_owed == 2
    assert shipped.court_source and shipped.uc_source
    good = (packaged_folder("data") / "income" / "terms.toml").read_text(encoding="utf-8")
    for bad, words in ((good.replace("breach_tolerance_days = 5", "breach_tolerance_days = -1"),
                        ":11: court.breach_tolerance_days: a whole number"),
                       (good.replace("managed_payment_months_owed = 2", "managed_payment_months_owed = \"2\""),
                        "managed_payment_months_owed: a number of months"),
                       (good.replace("[court]", "[court]\ngrace = 3"), "court.grace: unknown key"),
                       (good + "\n[extra]\n", "extra: unknown table")):
        path = tmp_path / "terms.toml"
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(EnvironmentProblem, match=words) as caught:
            load_terms_file(path)
        assert str(path) in str(caught.value) and "fix it there" in str(caught.value)


# --- the worklist, both databases -----------------------------------------------------------------

def ctx_for(engine, username: str = "income") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def at(ctx: ServiceContext, day: date) -> ServiceContext:
    moment = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)
    return replace(ctx, clock=lambda: moment)


def _seed(engine) -> dict[str, int]:
    """The builders' office, RNT000003 (secure, £125 a week) owing £500 and RNT000002 £280; the accounts' ids."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        ids = dict(s.execute(text("SELECT ref, id FROM account")).all())
        for ref, pence in (("RNT000003", 50000), ("RNT000002", 30000)):
            s.add(LedgerEntry(account_id=ids[ref], effective_date=date(2026, 3, 6), posted_at=NOW - timedelta(days=4),
                              kind="rent_debit", amount_pence=pence))
    return ids


def _claim(engine, account_id: int, issued: date = date(2026, 1, 5)) -> int:
    with session_scope(engine, write=True) as s:
        claim = PossessionClaim(account_id=account_id, issued_on=issued, created_at=NOW)
        s.add(claim)
        s.flush()
        assert claim.id is not None
        return claim.id


def _add(engine, *rows) -> None:
    with session_scope(engine, write=True) as s:
        s.add_all(rows)


def _row(page, ref):
    return next(r for r in page.rows if r.ref == ref)


def _refs(ctx, tab: str) -> list[str]:
    return [r.ref for r in arrears_worklist(ctx, tab=tab).rows]


def test_a_hearing_holds_recovery_is_in_the_court_tab_then_asks_for_the_outcome(engine):
    ids = _seed(engine)
    ctx = ctx_for(engine)
    claim = _claim(engine, ids["RNT000003"])
    _add(engine, CourtHearing(claim_id=claim, account_id=ids["RNT000003"], hearing_on=TODAY + timedelta(days=10),
                              created_at=NOW))
    row = _row(arrears_worklist(ctx), "RNT000003")
    assert (row.next_action, row.blocked_by, row.court_date) == ("none", ("court_date_set",), TODAY + timedelta(days=10))
    assert _refs(ctx, "court") == ["RNT000003"] and "RNT000003" not in _refs(ctx, "immediate")
    later = at(ctx, TODAY + timedelta(days=11))
    assert _row(arrears_worklist(later), "RNT000003").next_action == "update_court_outcome"
    assert _refs(later, "court") == [] and "RNT000003" in _refs(later, "immediate")
    # a hearing of a claim closed before it was heard (withdrawn) no longer holds anything
    with engine.begin() as c:
        c.execute(text("UPDATE possession_claim SET closed_on = :d, closed_reason = 'withdrawn'"), {"d": TODAY})
    assert _row(arrears_worklist(later), "RNT000003").next_action == "letter_1"


def test_a_suspended_order_kept_holds_and_a_breach_beyond_the_tolerance_asks_for_the_breach_letter(engine):
    ids = _seed(engine)
    ctx = ctx_for(engine)
    order_on = TODAY - timedelta(days=28)  # 4 whole weeks ago: due 4 × (£125 + £5) = £520
    claim = _claim(engine, ids["RNT000003"])
    _add(engine, CourtHearing(claim_id=claim, account_id=ids["RNT000003"], hearing_on=order_on,
                              outcome="suspended_order", outcome_on=order_on, terms_weekly_pence=500,
                              created_at=NOW),
         *(LedgerEntry(account_id=ids["RNT000003"], effective_date=order_on + timedelta(days=7 * w), posted_at=NOW,
                       kind="payment", method="cash", amount_pence=-13000) for w in range(3)))
    # paid £390 + the housing benefit of 4 March (£125) = £515: £5 behind, within 5 days' worth (£92.86)
    row = _row(arrears_worklist(ctx), "RNT000003")
    assert (row.agreement, row.next_action, row.court_outcome) == ("kept", "none", "suspended_order")
    assert "are kept: £520.00 due, £515.00 received" in row.why
    assert _refs(ctx, "kept") == ["RNT000003"]
    later = at(ctx, TODAY + timedelta(days=7))  # £650 due, £515 received: £135 behind
    row = _row(arrears_worklist(later), "RNT000003")
    assert (row.agreement, row.next_action, row.next_action_due) == ("breached", "breach_letter", later.today())
    assert _refs(later, "kept") == []
    record_action(later, "RNT000003", "breach_letter")
    assert _row(arrears_worklist(later), "RNT000003").next_action == "breach_visit"
    # a payment reversed does not count
    with session_scope(engine, write=True) as s:
        first = s.execute(text("SELECT id FROM ledger_entry WHERE kind = 'payment' AND amount_pence = -13000 "
                               "ORDER BY id")).scalars().first()
        s.add(LedgerEntry(account_id=ids["RNT000003"], effective_date=TODAY, posted_at=NOW, kind="reversal",
                          amount_pence=13000, reverses_id=first))
    assert "£385.00 received" in _row(arrears_worklist(ctx), "RNT000003").why


def test_an_eviction_date_is_in_the_evictions_tab_and_holds_until_its_outcome(engine):
    ids = _seed(engine)
    ctx = ctx_for(engine)
    claim = _claim(engine, ids["RNT000003"])
    _add(engine, Eviction(claim_id=claim, account_id=ids["RNT000003"], warrant_applied_on=TODAY - timedelta(days=20),
                          eviction_on=TODAY + timedelta(days=5), created_at=NOW))
    row = _row(arrears_worklist(ctx), "RNT000003")
    assert (row.next_action, row.blocked_by, row.eviction_date) == ("none", ("eviction_date_set",),
                                                                    TODAY + timedelta(days=5))
    assert _refs(ctx, "evictions") == ["RNT000003"] and _refs(ctx, "court") == []
    later = at(ctx, TODAY + timedelta(days=6))
    assert _row(arrears_worklist(later), "RNT000003").next_action == "update_eviction_outcome"
    with engine.begin() as c:
        c.execute(text("UPDATE eviction SET outcome = 'evicted', outcome_on = :d"), {"d": TODAY + timedelta(days=5)})
    assert _row(arrears_worklist(later), "RNT000003").blocked_by == ("no_further_step",)
    with engine.begin() as c:  # stayed: no longer booked, recovery goes on
        c.execute(text("UPDATE eviction SET outcome = 'stayed'"))
    assert _refs(ctx, "evictions") == [] and _row(arrears_worklist(ctx), "RNT000003").next_action == "letter_1"


def test_a_pending_benefit_claim_holds_recovery_with_the_reason_and_is_in_the_paused_tab(engine):
    ids = _seed(engine)
    ctx = ctx_for(engine)
    _add(engine, BenefitClaim(account_id=ids["RNT000002"], kind="housing_benefit", made_on=date(2026, 3, 2),
                              created_at=NOW))
    row = _row(arrears_worklist(ctx), "RNT000002")
    assert (row.next_action, row.blocked_by, row.benefit_claim) == ("none", ("benefit_claim_pending",),
                                                                    "housing_benefit")
    assert "housing benefit claim made on 02/03/2026 awaits a decision" in row.why
    assert _refs(ctx, "paused") == ["RNT000002"] and "RNT000002" not in _refs(ctx, "immediate")
    assert worklist_total(ctx, tab="paused") == 1
    with engine.begin() as c:
        c.execute(text("UPDATE benefit_claim SET decided_on = :d, outcome = 'awarded'"), {"d": TODAY})
    assert _row(arrears_worklist(ctx), "RNT000002").next_action != "none" and _refs(ctx, "paused") == []


def test_uc_recorded_at_two_months_rent_with_no_request_is_flagged_but_not_in_the_json(engine, db_url, capsys):
    ids = _seed(engine)
    ctx = ctx_for(engine)
    # RNT000003 owes £500 + £600 = £1,100 of £125 a week: 2.03 months' rent (2 months = £1,083.33)
    _add(engine, LedgerEntry(account_id=ids["RNT000003"], effective_date=TODAY, posted_at=NOW, kind="rent_debit",
                             amount_pence=60000))
    assert not _row(arrears_worklist(ctx), "RNT000003").uc_managed_payment  # no UC recorded
    _add(engine, BenefitClaim(account_id=ids["RNT000003"], kind="universal_credit", made_on=date(2025, 6, 1),
                              decided_on=date(2025, 7, 1), outcome="awarded", created_at=NOW),
         BenefitClaim(account_id=ids["RNT000001"], kind="universal_credit", made_on=date(2025, 6, 1),
                      decided_on=date(2025, 7, 1), outcome="awarded", created_at=NOW))
    page = arrears_worklist(ctx)
    row = _row(page, "RNT000003")
    assert row.uc_managed_payment and "ask the DWP for one" in row.why
    assert not _row(page, "RNT000001").uc_managed_payment  # UC, but £152.50 is under 2 months' rent
    assert run(["--db", db_url, "arrears", "worklist", "--json"]) == 0
    assert all(list(item) == KEYS for item in json.loads(capsys.readouterr().out))  # the contract's keys only
    _add(engine, ManagedPayment(account_id=ids["RNT000003"], requested_on=TODAY, state="requested", state_on=TODAY,
                                created_at=NOW))
    assert not _row(arrears_worklist(ctx), "RNT000003").uc_managed_payment
    # UC recorded by a payment instead: a ledger row of method universal_credit on RNT000002 (£280, £95 a week)
    _add(engine, LedgerEntry(account_id=ids["RNT000002"], effective_date=TODAY, posted_at=NOW, kind="rent_debit",
                             amount_pence=60000),
         LedgerEntry(account_id=ids["RNT000002"], effective_date=TODAY, posted_at=NOW, kind="payment",
                     method="universal_credit", amount_pence=-100))
    assert _row(arrears_worklist(ctx), "RNT000002").uc_managed_payment


def _varied(engine) -> ServiceContext:
    """The small demo office with the income demo's steps, and court facts on some accounts."""
    from duty_tui.areas.income.demo import generate_income
    from duty_tui.core.demo import generator

    generator.generate(engine, size="small", seed=5, today=TODAY, office_name="Demo", jurisdiction="england")
    generate_income(engine, seed=5, today=TODAY, size="small", jurisdiction="england")
    with engine.connect() as c:
        owing = c.execute(text("SELECT b.account_id FROM account_balance b JOIN account a ON a.id = b.account_id "
                               "WHERE b.balance_pence > 0 AND a.account_type = 'rent' ORDER BY b.account_id")).scalars().all()
    for n, account_id in enumerate(owing[:40]):
        claim = _claim(engine, account_id)
        kind = n % 5
        if kind == 0:
            _add(engine, CourtHearing(claim_id=claim, account_id=account_id, hearing_on=TODAY + timedelta(days=n),
                                      created_at=NOW))
        elif kind == 1:
            _add(engine, CourtHearing(claim_id=claim, account_id=account_id, hearing_on=TODAY - timedelta(days=30),
                                      outcome="suspended_order", outcome_on=TODAY - timedelta(days=30),
                                      terms_weekly_pence=300 * n, created_at=NOW))
        elif kind == 2:
            _add(engine, Eviction(claim_id=claim, account_id=account_id, warrant_applied_on=TODAY - timedelta(days=9),
                                  eviction_on=TODAY + timedelta(days=n - 20), created_at=NOW))
        else:
            _add(engine, BenefitClaim(account_id=account_id, kind="universal_credit", made_on=TODAY - timedelta(days=n),
                                      decided_on=None if kind == 3 else TODAY, created_at=NOW))
    with session_scope(engine) as s:
        username = s.execute(text("SELECT username FROM staff_user ORDER BY id")).scalars().first()
    return ctx_for(engine, username)


def test_the_immediate_tab_read_in_batches_equals_the_full_evaluation(engine, monkeypatch):
    ctx = _varied(engine)
    full = arrears_worklist(ctx, tab="immediate", limit=1000, exact_total=True)
    assert full.total > 20 and not full.more_than
    assert worklist_total(ctx, tab="immediate") == full.total
    for batch in (7, 100):
        monkeypatch.setattr(worklist_module, "MIN_BATCH", batch)
        monkeypatch.setattr(worklist_module, "BATCH", batch)
        for limit, offset in ((1, 0), (5, 3), (50, 0), (13, 40), (200, 0), (10, full.total - 4)):
            page = arrears_worklist(ctx, tab="immediate", limit=limit, offset=offset)
            assert page.rows == full.rows[offset:offset + limit], (batch, limit, offset)
            if page.more_than:
                assert offset + limit <= page.total < full.total
            else:
                assert page.total == full.total
        for sort in ("weeks", "last_payment", "last_action", "ref", "next_due"):
            exact = arrears_worklist(ctx, tab="immediate", sort=sort, limit=30, offset=5, exact_total=True)
            assert arrears_worklist(ctx, tab="immediate", sort=sort, limit=30, offset=5).rows == exact.rows
        # sorted by next due, every tab: accounts due today first, then by due day, nothing due last
        for tab in ("all", "paused", "court", "evictions", "kept"):
            for limit, offset in ((1, 0), (50, 0), (20, full.total - 5), (200, full.total + 10)):
                exact = arrears_worklist(ctx, tab=tab, sort="next_due", limit=limit, offset=offset, exact_total=True)
                page = arrears_worklist(ctx, tab=tab, sort="next_due", limit=limit, offset=offset)
                assert (page.rows, page.total, page.more_than) == (exact.rows, exact.total, False), (batch, tab)


def test_evaluate_account_gives_the_worklist_s_own_row_for_one_account(engine):
    from duty_tui.areas.income.services.worklist import evaluate_account

    ids = _seed(engine)
    ctx = ctx_for(engine)
    _add(engine, BenefitClaim(account_id=ids["RNT000002"], kind="housing_benefit", made_on=date(2026, 3, 2),
                              created_at=NOW))
    page = arrears_worklist(ctx)
    with session_scope(engine) as s:
        for ref in ("RNT000001", "RNT000002", "RNT000003"):
            assert evaluate_account(ctx, s, ids[ref]) == _row(page, ref)
        assert evaluate_account(ctx, s, ids["FTA000001"]) is None  # not a rent account
