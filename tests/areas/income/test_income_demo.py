"""The income demo on a small office, SQLite and PostgreSQL (docs/INCOME_DEMO.md): every stage of recovery is
there, the notices are dated by the law engine, hearings are at least 28 days after issue, orders on terms are
kept and broken by the ledger, court costs are charged, and the same seed gives the same rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import text

from duty_tui.areas.income.demo import TABLES, generate_income
from duty_tui.areas.income.demo_court import ISSUE_FEE, NOTICE_CODE, RENT_MONDAY
from duty_tui.areas.income.domain.arrears_input import STEPS, AccountFacts, Notice, Rent
from duty_tui.areas.income.domain.law import assess_account
from duty_tui.areas.income.domain.law_table import load_law
from duty_tui.core.config.preview import packaged_folder
from duty_tui.core.demo import generator

TODAY = date(2026, 3, 10)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _build(engine, jurisdiction: str = "england") -> dict[str, int]:
    generator.generate(engine, size="small", seed=3, today=TODAY, office_name="Demo", jurisdiction=jurisdiction)
    return generate_income(engine, seed=3, today=TODAY, size="small", jurisdiction=jurisdiction)


def _rows(c, sql: str, **params) -> list:
    return c.execute(text(sql), params).all()


def _snapshot(engine) -> dict[str, list]:
    with engine.connect() as c:
        out = {t: [tuple(str(v) for v in r[1:]) for r in _rows(c, f"SELECT * FROM {t} ORDER BY id")] for t in TABLES}
        out["ledger"] = [tuple(map(str, r)) for r in _rows(
            c, "SELECT account_id, effective_date, kind, amount_pence FROM ledger_entry ORDER BY id")]
    return out


def test_every_stage_is_there_dated_by_the_law_and_the_ledger_and_the_same_seed_gives_the_same_rows(engine):
    counts = _build(engine)
    for kind in ("notices", "protocol steps", "benefit claims", "managed payments", "possession claims", "hearings",
                 "evictions", "court costs charges", "payments to court orders", "recovery steps"):
        assert counts[kind] > 0, kind
    with engine.connect() as c:
        _stages_present(c)
        _notices_follow_the_law(c)
        _claims_follow_the_rules(c)
        _orders_kept_and_broken_by_the_ledger(c)
        kept = dict(_rows(c, "SELECT account_id, balance_pence FROM account_balance"))
        summed = dict(_rows(c, "SELECT account_id, SUM(amount_pence) FROM ledger_entry GROUP BY account_id"))
        assert {k: int(v) for k, v in kept.items()} == {k: int(v) for k, v in summed.items()}
    first = _snapshot(engine)
    generator.reset(engine)
    assert _build(engine) == counts
    assert _snapshot(engine) == first


def _stages_present(c) -> None:
    today = TODAY.isoformat()
    lapsed = _rows(c, "SELECT n.id FROM arrears_notice n WHERE n.lapses_on <= :t AND NOT EXISTS "
                      "(SELECT 1 FROM possession_claim p WHERE p.account_id = n.account_id)", t=today)
    assert lapsed, "a lapsed notice with no claim"
    assert {k for (k,) in _rows(c, "SELECT DISTINCT kind FROM arrears_notice")} >= {"nosp", "s128"}
    steps = defaultdict(set)
    for account, step in _rows(c, "SELECT account_id, step FROM protocol_step"):
        steps[account].add(step)
    claimed = {a for (a,) in _rows(c, "SELECT account_id FROM possession_claim")}
    full = set(STEPS["england"])
    assert any(s == full for s in steps.values()) and any(0 < len(s) < len(full) for s in steps.values())
    assert all(steps[a] == full for a in claimed)  # every claim stands on the whole protocol
    assert {d is None for (d,) in _rows(c, "SELECT decided_on FROM benefit_claim")} == {True, False}
    assert {s for (s,) in _rows(c, "SELECT state FROM managed_payment")} >= {"requested", "approved", "refused"}
    outcomes = defaultdict(int)
    for outcome, on in _rows(c, "SELECT outcome, hearing_on FROM court_hearing"):
        outcomes[outcome or ("to come" if str(on) > today else "not recorded")] += 1
    for outcome in ("to come", "suspended_order", "outright_order", "adjourned_generally"):
        assert outcomes[outcome] > 0, outcome
    evictions = _rows(c, "SELECT eviction_on, outcome FROM eviction")
    assert any(on is not None and str(on) > today and o is None for on, o in evictions), "an eviction booked"
    assert any(o == "evicted" for _, o in evictions), "an eviction carried out"


def test_a_scottish_office_serves_s14_notices_tells_the_council_and_has_orders_on_terms(engine):
    counts = _build(engine, "scotland")
    assert counts["notices"] and counts["possession claims"] and counts["evictions"]
    with engine.connect() as c:
        _notices_follow_the_law(c, "scotland")
        _claims_follow_the_rules(c)
        assert {k for (k,) in _rows(c, "SELECT DISTINCT kind FROM arrears_notice")} == {"s14"}
        told = _rows(c, "SELECT n.la_notified_on, p.issued_on FROM possession_claim p "
                        "JOIN arrears_notice n ON n.id = p.notice_id")
        assert told and all(_day(on) == _day(issued) for on, issued in told)  # 2003 Act s11, on raising proceedings
        assert {o for (o,) in _rows(c, "SELECT outcome FROM court_hearing")} >= {"adjourned_on_terms",
                                                                                 "outright_order"}
        assert not _rows(c, "SELECT 1 FROM recovery_action WHERE action = 'apply_for_warrant'")  # not Scottish policy
        steps = {s for (s,) in _rows(c, "SELECT DISTINCT step FROM protocol_step")}
        assert steps == set(STEPS["scotland"])


def _notices_follow_the_law(c, jurisdiction: str = "england") -> None:
    law = load_law(packaged_folder("data"))
    steps = {(a, code, _day(on)) for a, code, on in _rows(c, "SELECT account_id, action, taken_on FROM recovery_action")}
    rows = _rows(c, "SELECT n.account_id, n.kind, n.served_on, n.proceedings_from, n.lapses_on, n.review_by, "
                    "n.weekly_rent_pence, n.tenants, a.holder_name, t.tenancy_type FROM arrears_notice n "
                    "JOIN account a ON a.id = n.account_id JOIN tenancy t ON t.id = a.tenancy_id")
    assert rows
    for account, kind, served, proceedings, lapses, review, weekly, tenants, holder, tenancy_type in rows:
        served = _day(served)
        rent = Rent(weekly, "weekly", RENT_MONDAY)
        facts = AccountFacts(as_of=served, jurisdiction=jurisdiction, tenancy_type=tenancy_type, rent=rent)
        earliest = assess_account(facts, law).earliest_if_served_today
        assert _day(proceedings) == earliest, (account, served)
        dated = assess_account(AccountFacts(as_of=served, jurisdiction=jurisdiction, tenancy_type=tenancy_type,
                                            rent=rent, notice=Notice(served, _day(proceedings))), law).notice
        assert dated is not None and dated.valid
        assert (lapses and _day(lapses)) == dated.lapses and (review and _day(review)) == dated.review_request_by
        assert kind == {"secure": "nosp", "flexible": "nosp", "introductory": "s128",
                        "scottish_secure": "s14"}[tenancy_type]
        assert (account, NOTICE_CODE[tenancy_type], served) in steps  # the notice step on the day of service
        assert len(tenants.splitlines()) == (2 if " & " in holder else 1), (tenants, holder)


def _claims_follow_the_rules(c) -> None:
    claims = _rows(c, "SELECT p.id, p.account_id, p.issued_on, p.costs_pence, n.proceedings_from, r.tenancy_id "
                      "FROM possession_claim p JOIN arrears_notice n ON n.id = p.notice_id "
                      "JOIN account r ON r.id = p.account_id")
    assert claims and len(claims) == _rows(c, "SELECT COUNT(*) FROM possession_claim")[0][0]
    costs = defaultdict(list)
    for tenancy, day, amount in _rows(c, "SELECT a.tenancy_id, l.effective_date, l.amount_pence FROM ledger_entry l "
                                         "JOIN account a ON a.id = l.account_id WHERE a.account_type = 'court_costs' "
                                         "AND l.kind = 'court_costs'"):
        costs[tenancy].append((_day(day), amount))
    hearings = {claim: _day(on) for claim, on in _rows(c, "SELECT claim_id, hearing_on FROM court_hearing")}
    for claim, _account, issued, cost, proceedings, tenancy in claims:
        issued = _day(issued)
        assert _day(proceedings) <= issued  # proceedings begun on or after the notice's date
        assert hearings[claim] >= issued + timedelta(days=28)  # CPR 55.5(3)(a)
        assert (issued, cost) in costs[tenancy] and cost == ISSUE_FEE  # posted on the tenant's court costs account


def _orders_kept_and_broken_by_the_ledger(c) -> None:
    orders = _rows(c, "SELECT account_id, hearing_on, terms_weekly_pence FROM court_hearing "
                      "WHERE outcome = 'suspended_order'")
    verdicts = set()
    for account, heard, terms in orders:
        heard = _day(heard)
        charged, net = _rows(c, "SELECT COALESCE(SUM(CASE WHEN kind = 'rent_debit' THEN amount_pence END), 0), "
                                "COALESCE(SUM(amount_pence), 0) FROM ledger_entry WHERE account_id = :a "
                                "AND effective_date > :h AND effective_date <= :t",
                             a=account, h=heard, t=TODAY)[0]
        received = int(charged) - int(net)
        verdicts.add(received >= int(charged) + terms * ((TODAY - heard).days // 7))
    assert verdicts == {True, False}, "orders on terms both kept and broken, by the ledger"
