"""Agreements that know when they are broken (issue 14 item 7): the expected-balance rule at the
tolerance's edges, rent charged since the start, the lump sum, court-ordered kind, the state history
recorded once under two concurrent readers, and the CHECK constraints — the services on both databases."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from builders import NOW, seed_office
from pay_helpers import at, cash, ctx_for
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from duty_tui.areas.payments.db.models import Arrangement
from duty_tui.areas.payments.domain.agreement import (
    Expected,
    Movement,
    behind_on,
    check_agreement,
    lump_sum_problems,
    state_changes,
)
from duty_tui.areas.payments.services import arrangements as arrangements_service
from duty_tui.areas.payments.services.arrangements import (
    AgreementTerms,
    agreement_states,
    arrangement_status_for_person,
    arrangements_for_account,
    broken_arrangements,
    create_arrangement,
    end_arrangement,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services.audit import verify_chain

D = date(2026, 3, 2)  # a Monday
WEEKLY = [Expected(n + 1, D + timedelta(days=7 * n), 2000) for n in range(4)]


# ------------------------------------------------------------------- the rule, pure


def test_an_unpaid_instalment_is_kept_on_day_5_and_breached_on_day_6():
    assert check_agreement(WEEKLY, [], D + timedelta(days=5), 5, total_pence=8000, start=D).status == "kept"
    day6 = check_agreement(WEEKLY, [], D + timedelta(days=6), 5, total_pence=8000, start=D)
    assert day6.status == "broken" and day6.behind_pence == 2000 and day6.missed == 1
    assert day6.label == "!! BROKEN: £20.00 behind the expected balance, 1 payment missed"
    paid_on_day6 = check_agreement(WEEKLY, [Movement(D + timedelta(days=6), -2000)], D + timedelta(days=6), 5,
                                   total_pence=8000, start=D)
    assert paid_on_day6.status == "kept" and [i.state for i in paid_on_day6.items[:2]] == ["missed", "upcoming"]


def test_rent_charged_since_the_start_must_be_paid_too_after_the_tolerance():
    rent = Movement(D + timedelta(days=1), 11050, rent=True)
    instalment_only = [rent, Movement(D, -2000)]
    # The instalment is paid; the rent charged on day 1 is not yet expected on day 6 (its day 5)…
    assert check_agreement(WEEKLY, instalment_only, D + timedelta(days=6), 5, total_pence=8000,
                           start=D).status == "kept"
    # …and is on day 7 (its day 6): the balance is £110.50 above the expected one.
    late = check_agreement(WEEKLY, instalment_only, D + timedelta(days=7), 5, total_pence=8000, start=D)
    assert late.status == "broken" and late.behind_pence == 11050
    both = instalment_only + [Movement(D + timedelta(days=3), -11050)]
    assert check_agreement(WEEKLY, both, D + timedelta(days=7), 5, total_pence=8000, start=D).status == "kept"
    assert behind_on(WEEKLY, both, D + timedelta(days=7), 5) == 0


def test_the_lump_sum_is_expected_on_its_own_day():
    plan = [*WEEKLY, Expected(0, D + timedelta(days=10), 5000)]
    paid_instalments = [Movement(D, -2000), Movement(D + timedelta(days=7), -2000)]
    on_edge = check_agreement(plan, paid_instalments, D + timedelta(days=15), 5, total_pence=13000, start=D)
    assert on_edge.status == "kept"
    missed = check_agreement(plan, paid_instalments, D + timedelta(days=16), 5, total_pence=13000, start=D)
    assert missed.status == "broken" and missed.behind_pence == 5000
    assert [(i.seq, i.state) for i in missed.items if i.seq == 0] == [(0, "missed")]
    cleared = paid_instalments + [Movement(D + timedelta(days=9), -5000 - 4000)]
    assert check_agreement(plan, cleared, D + timedelta(days=16), 5, total_pence=13000,
                           start=D).status == "completed"


def test_state_changes_are_found_on_the_day_they_happened_whoever_looks_later():
    paid_late = [Movement(D + timedelta(days=9), -4000)]  # the first instalment paid with the second
    changes = state_changes(WEEKLY, paid_late, D + timedelta(days=20), 5, total_pence=8000, start=D,
                            last_state="made", last_since=D - timedelta(days=1))
    assert changes == [(D + timedelta(days=6), "breached"), (D + timedelta(days=9), "back_on_track"),
                       (D + timedelta(days=20), "breached")]
    # Looking again after the first was recorded finds only the later ones.
    assert state_changes(WEEKLY, paid_late, D + timedelta(days=20), 5, total_pence=8000, start=D,
                         last_state="breached", last_since=D + timedelta(days=6))[0] == (D + timedelta(days=9),
                                                                                            "back_on_track")


def test_lump_sum_problems_say_what_to_fix():
    today = date(2026, 3, 10)
    assert lump_sum_problems(None, None, 10000, today) == []
    assert "both its amount and the day" in lump_sum_problems(5000, None, 10000, today)[0]
    assert "more than £0.00" in lump_sum_problems(0, today, 10000, today)[0]
    assert "take it as a payment" in lump_sum_problems(10000, today, 10000, today)[0]
    assert "in the past" in lump_sum_problems(5000, today - timedelta(days=1), 10000, today)[0]


# ------------------------------------------------------------------- the services, both databases


def _history(engine, ref: str) -> list[tuple[str, str]]:
    with engine.connect() as c:
        return [(str(state), str(since)[:10]) for state, since in c.execute(text(
            "SELECT s.state, s.since FROM arrangement_state s JOIN arrangement a ON a.id = s.arrangement_id "
            "WHERE a.ref = :r ORDER BY s.since, s.id"), {"r": ref}).all()]


def _audited(engine, action: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = :a"), {"a": action}).scalar())


def test_kept_on_day_5_breached_on_day_6_and_the_breach_recorded_once(engine):
    office = seed_office(engine)
    income = ctx_for(engine, "income")
    made = create_arrangement(income, "RNT000001", 2000, "weekly", NOW.date())
    assert made.kind == "informal" and [h.state for h in made.history] == ["made"]
    day5 = at(income, NOW + timedelta(days=5))
    assert arrangement_status_for_person(day5, office.smith_1961)[0].status == "kept"
    assert broken_arrangements(day5) == []
    day6 = at(income, NOW + timedelta(days=6))
    [status] = arrangement_status_for_person(day6, office.smith_1961)
    assert status.status == "broken" and status.shortfall_pence == 2000
    [detail] = arrangements_for_account(day6, "RNT000001")  # a second read: nothing new to record
    assert [(h.state, h.since) for h in detail.history] == [("breached", date(2026, 3, 16)),
                                                            ("made", date(2026, 3, 10))]
    assert detail.history[0].note == "£20.00 behind the expected balance"
    assert _history(engine, made.ref) == [("made", "2026-03-10"), ("breached", "2026-03-16")]
    assert _audited(engine, "arrangement.state") == 1
    # Paid up: back on track from the day of the payment.
    cash(at(ctx_for(engine, "reception"), NOW + timedelta(days=7)), "RNT000001", 2000)
    day8 = at(income, NOW + timedelta(days=8))
    assert arrangements_for_account(day8, "RNT000001")[0].history[0].state == "back_on_track"
    assert _history(engine, made.ref)[-1] == ("back_on_track", "2026-03-17")
    ended = end_arrangement(day8, made.ref, "replaced", detail.version)
    assert ended.status == "ended" and _history(engine, made.ref)[-1] == ("ended", "2026-03-18")
    assert verify_chain(engine).ok


def test_rent_charged_after_the_start_breaks_a_plan_whose_instalments_are_paid(engine):
    seed_office(engine)
    income = ctx_for(engine, "income")
    made = create_arrangement(income, "RNT000001", 2000, "weekly", NOW.date())
    with session_scope(engine, write=True) as s:
        account_id = s.exec(select(Account.id).where(Account.ref == "RNT000001")).one()
        s.add(LedgerEntry(account_id=account_id, effective_date=NOW.date() + timedelta(days=6), posted_at=NOW,
                          kind="rent_debit", amount_pence=11050))
    reception = ctx_for(engine, "reception")
    cash(reception, "RNT000001", 2000)
    cash(at(reception, NOW + timedelta(days=7)), "RNT000001", 2000)
    assert arrangements_for_account(at(income, NOW + timedelta(days=11)), "RNT000001")[0].status == "kept"
    late = arrangements_for_account(at(income, NOW + timedelta(days=12)), "RNT000001")[0]
    # £110.50 rent now expected, less the £20.00 paid ahead of the plan (the second instalment is not yet).
    assert late.status == "broken" and late.shortfall_pence == 11050 - 2000 and late.ref == made.ref


def test_lump_sum_and_court_ordered_kind(engine):
    office = seed_office(engine)
    income = ctx_for(engine, "income")
    due = NOW.date() + timedelta(days=3)
    made = create_arrangement(income, "RNT000001", 2000, "weekly", NOW.date() + timedelta(days=1), terms=AgreementTerms(
        "court_ordered", court_hearing_id=12, lump_sum_pence=5000, lump_sum_due=due))
    assert (made.kind, made.court_hearing_id, made.lump_sum_pence, made.lump_sum_due) == ("court_ordered", 12,
                                                                                           5000, due)
    assert made.kind_name == "court-ordered (hearing #12)" and "+ £50.00 lump sum by 13/03/2026" in made.plan
    assert sum(i.amount_pence for i in made.instalments if i.seq) == 15250 - 5000  # the instalments pay the rest
    cash(at(ctx_for(engine, "reception"), NOW + timedelta(days=1)), "RNT000001", 2000)  # the instalment, not the sum
    assert arrangements_for_account(at(income, NOW + timedelta(days=8)), "RNT000001")[0].status == "kept"
    broken = arrangements_for_account(at(income, NOW + timedelta(days=9)), "RNT000001")[0]
    assert broken.status == "broken" and broken.shortfall_pence == 5000
    assert "the court order's terms are broken: see the income worklist" in broken.label
    with session_scope(engine) as s:  # the income area's worklist sees the order's terms breached
        account_id = s.exec(select(Account.id).where(Account.ref == "RNT000001")).one()
        assert agreement_states(at(income, NOW + timedelta(days=9)), s, [account_id]) == {account_id: "breached"}
    assert office.smith_1961


@pytest.mark.parametrize(("terms", "says"), [
    (AgreementTerms(lump_sum_pence=5000), "needs both its amount and the day"),
    (AgreementTerms(court_hearing_id=3), "only a court-ordered arrangement names a court hearing"),
    (AgreementTerms("by_handshake"), "kind 'by_handshake': choose informal or court_ordered"),
    (AgreementTerms(lump_sum_pence=15250, lump_sum_due=NOW.date()), "take it as a payment, or lower it"),
])
def test_bad_terms_are_refused_with_what_to_fix(engine, terms, says):
    seed_office(engine)
    with pytest.raises(InputError, match=says):
        create_arrangement(ctx_for(engine, "income"), "RNT000001", 2000, "weekly", NOW.date(), terms=terms)


@pytest.mark.parametrize(("columns", "values"), [
    ("lump_sum_pence", "5000"),  # a lump sum with no due day
    ("lump_sum_due", "'2026-03-20'"),  # a due day with no lump sum
    ("lump_sum_pence, lump_sum_due", "0, '2026-03-20'"),  # a lump sum of nothing
    ("kind", "'verbal'"),
    ("court_hearing_id", "7"),  # a hearing on an informal arrangement
])
def test_the_database_refuses_what_the_checks_forbid(engine, columns, values):
    seed_office(engine)
    made = create_arrangement(ctx_for(engine, "income"), "RNT000001", 2000, "weekly", NOW.date())
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(text(f"INSERT INTO arrangement (ref, account_id, amount_pence, frequency, start_date, total_pence, "
                       f"status, created_at, version, {columns}) SELECT 'AR999999', account_id, 100, 'weekly', "
                       f"start_date, 100, 'ended', created_at, 1, {values} FROM arrangement WHERE ref = :r"),
                  {"r": made.ref})
    with engine.begin() as c:  # both together are fine, and so is a hearing on a court-ordered one
        c.execute(text("INSERT INTO arrangement (ref, account_id, amount_pence, frequency, start_date, total_pence, "
                       "status, created_at, version, kind, court_hearing_id, lump_sum_pence, lump_sum_due) "
                       "SELECT 'AR999998', account_id, 100, 'weekly', start_date, 100, 'ended', created_at, 1, "
                       "'court_ordered', 7, 50, start_date FROM arrangement WHERE ref = :r"), {"r": made.ref})
    with pytest.raises(IntegrityError), engine.begin() as c:  # the history's states are a closed list
        c.execute(text("INSERT INTO arrangement_state (arrangement_id, state, since, detected_at) "
                       "SELECT id, 'forgotten', start_date, created_at FROM arrangement WHERE ref = :r"),
                  {"r": made.ref})


def test_two_terminals_reading_at_once_record_the_breach_once(engine, monkeypatch):
    seed_office(engine)
    income = ctx_for(engine, "income")
    made = create_arrangement(income, "RNT000001", 2000, "weekly", NOW.date())
    day6 = at(income, NOW + timedelta(days=6))
    # Both terminals have read (and seen "made" as the latest state) before either records what it found.
    both_read = threading.Barrier(2, timeout=30)
    record = arrangements_service.record_found

    def record_after_both_read(ctx, found):
        both_read.wait()
        return record(ctx, found)

    monkeypatch.setattr(arrangements_service, "record_found", record_after_both_read)
    results: list[object] = []

    def read() -> None:
        try:
            results.append(arrangements_for_account(day6, "RNT000001")[0].status)
        except Exception as exc:  # pragma: no cover - reported by the assert below
            results.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == ["broken", "broken"]
    assert _history(engine, made.ref) == [("made", "2026-03-10"), ("breached", "2026-03-16")]
    assert _audited(engine, "arrangement.state") == 1  # audited by the terminal whose insert landed
    with session_scope(engine) as s:
        assert s.exec(select(Arrangement.kind).where(Arrangement.ref == made.ref)).one() == "informal"
    assert verify_chain(engine).ok


def test_arrangements_check_records_the_changes_once(engine, db_url, capsys):
    """The nightly job: every active arrangement checked, the changes recorded; run again, nothing new."""
    import json

    from duty_tui.core.cli import run

    seed_office(engine)
    made = create_arrangement(ctx_for(engine, "income"), "RNT000001", 2000, "weekly", NOW.date())
    assert run(["--db", db_url, "arrangements", "check", "--json", "--as", "income"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["active"] == 1 and first["broken"] == 1 and first["recorded"] >= 1  # months on, nothing paid
    assert _history(engine, made.ref)[:2] == [("made", "2026-03-10"), ("breached", "2026-03-16")]
    assert run(["--db", db_url, "arrangements", "check", "--as", "income"]) == 0
    err = capsys.readouterr().err
    assert "1 active arrangements checked: 1 broken; 0 changes of state recorded" in err
    assert _audited(engine, "arrangement.state") == 1
