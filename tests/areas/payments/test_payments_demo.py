"""The payments demo rows on top of a small demo office: receipts for the base counter payments,
arrangements (some broken), refund requests that can be authorised, yesterday's cash-ups, suspense items,
direct debit mandates that the collection run collects."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pay_helpers import at, ctx_for
from sqlalchemy import text

from duty_tui.areas.payments.demo import generate_payments
from duty_tui.areas.payments.domain.bacs_calendar import collection_date
from duty_tui.areas.payments.services.arrangements import broken_arrangements
from duty_tui.areas.payments.services.cashup import cashups_to_sign_off
from duty_tui.areas.payments.services.dd_runs import notices_due, run_collections
from duty_tui.areas.payments.services.direct_debit import list_mandates
from duty_tui.areas.payments.services.importing import suspense_items
from duty_tui.areas.payments.services.refunds import authorise_refund, pending_refunds
from duty_tui.core.demo import generator

TODAY = date(2026, 3, 10)


def test_demo_payments_on_a_small_office(engine):
    generator.generate(engine, size="small", seed=3, today=TODAY, office_name="Demo", jurisdiction="england")
    counts = generate_payments(engine, seed=3, today=TODAY, size="small", jurisdiction="england")
    assert counts["payment receipts"] > 100 and counts["arrangements"] == 12
    assert 0 < counts["broken arrangements"] < 12
    assert counts["refund requests"] > 0 and counts["cash-ups"] > 0 and counts["suspense items"] == 4
    assert counts["direct debit mandates"] == 8
    with engine.connect() as c:
        receipts = c.execute(text("SELECT COUNT(DISTINCT receipt_no) FROM ledger_entry "
                                  "WHERE receipt_no IS NOT NULL")).scalar()
        assert c.execute(text("SELECT COUNT(*) FROM payment")).scalar() == receipts
        assert c.execute(text("SELECT next_receipt_no FROM office")).scalar() == receipts + 1
    now = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    income = at(ctx_for(engine, "income"), now)
    leader = at(ctx_for(engine, "leader"), now)
    assert len(broken_arrangements(income)) == counts["broken arrangements"]
    refunds = pending_refunds(income)
    for refund in refunds:
        actor = leader if refund.requested_by_id != leader.actor.id else income
        assert authorise_refund(actor, refund.ref, refund.version).status == "authorised"  # the credit is proven
    assert any(c.status == "counted" for c in cashups_to_sign_off(leader))
    assert sum(1 for i in suspense_items(income) if i.external_id and i.external_id.startswith("DEMO-SUS")) == 4
    # The payments step's new direct debits (the latest weeks' collections are dd_demo_history's: test_dd_demo.py):
    # noticed, lodged, collected on their first date by the collection run.
    mandates = [m for m in list_mandates(leader) if m.reference.endswith("DD")]
    assert sorted(m.status for m in mandates).count("active") == 6 and not notices_due(leader)
    first = min(m.first_collection for m in mandates if m.status == "active")
    run = run_collections(leader, collection_date(first))
    new = [code for reference, code, _ in run.collected if reference.endswith("DD")]
    assert new and all(code == "01" for code in new)
