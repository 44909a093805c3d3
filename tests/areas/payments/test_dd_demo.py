"""Direct debit working in the demo office's past weeks (issue 15 item 9; docs/RENTS_DEMO.md).

A few monthly direct debit payers are handed over from the core simulation to the payments services
(duty_tui.areas.payments.dd_demo_history): mandates with advance notices, collection runs, ARUDD unpaid
items posted and re-presented. Built once for the module (small office, SQLite).
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from duty_tui.areas.payments.db.dd_models import (
    DirectDebitCollection,
    DirectDebitMandate,
    DirectDebitMandateEvent,
    DirectDebitNotice,
    DirectDebitReturn,
)
from duty_tui.areas.payments.dd_demo_history import plan
from duty_tui.areas.payments.domain.bacs_calendar import bacs_calendar, working_days_before
from duty_tui.core import registry
from duty_tui.core.db.engine import make_engine
from duty_tui.core.db.models import AuditEvent, LedgerEntry
from duty_tui.core.demo import generator
from duty_tui.core.demo.dd_handover import HandedOver, dd_cutover
from duty_tui.core.domain.clocks import add_months
from duty_tui.core.domain.local_time import local_date

TODAY = date(2026, 3, 10)  # a Tuesday, as the other demo tests


def _generate(engine) -> None:
    generator.generate(engine, size="small", seed=0, today=TODAY, office_name="Demo Housing", jurisdiction="england")


def _balances(engine) -> dict[int, int]:
    with engine.connect() as connection:
        return dict(connection.execute(select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_pence))
                                       .group_by(LedgerEntry.account_id)).all())


@pytest.fixture(scope="module")
def demo(sqlite_template_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("dd-demo") / "demo.db"
    shutil.copyfile(sqlite_template_path, path)
    engine = make_engine(f"sqlite:///{path}")
    _generate(engine)
    yield engine
    engine.dispose()


def test_mandates_are_set_up_in_the_past_and_collected_by_the_collection_runs(demo) -> None:
    """Handed-over mandates (converted from paper, 0S) are collected by the services' runs from the cutover:
    ledger payments of method direct_debit with external id dd:REFERENCE:DATE, none of the simulation's
    'DD <ref>' rows for those accounts from the cutover, first code 01 then 17, every run audited."""
    with demo.connect() as c:
        mandates = c.execute(select(DirectDebitMandate).where(DirectDebitMandate.reference.like("%DM"))).all()
        assert len(mandates) >= 3 and all(m.lodgement is None and m.status == "active" for m in mandates)
        for m in mandates:
            rows = c.execute(select(LedgerEntry.effective_date, LedgerEntry.external_id, LedgerEntry.reference)
                             .where(LedgerEntry.account_id == m.account_id, LedgerEntry.method == "direct_debit",
                                    LedgerEntry.kind == "payment", LedgerEntry.effective_date >= dd_cutover(TODAY))
                             ).all()
            assert rows and all(r.external_id == f"dd:{m.reference}:{r.effective_date.isoformat()}" for r in rows)
            codes = [code for (code,) in c.execute(select(DirectDebitCollection.transaction_code).where(
                DirectDebitCollection.mandate_id == m.id).order_by(DirectDebitCollection.id))]
            assert codes[0] == "01" and set(codes[1:]) <= {"17", "18"}
            history = {e for (e,) in c.execute(select(DirectDebitMandateEvent.event)
                                               .where(DirectDebitMandateEvent.mandate_id == m.id))}
            assert "added" in history
        runs = c.execute(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.action == "dd.collection_run")).scalar_one()
        dates = c.execute(select(func.count(DirectDebitCollection.collection_date.distinct()))).scalar_one()
        assert runs == dates + 1  # a run per collection date, and the lodgement run before them


def test_unpaid_items_are_posted_as_direct_debit_unpaid_and_the_mandate_says_why(demo) -> None:
    """An ARUDD return (0, refer to payer) reverses its collection's ledger row ("direct debit unpaid"),
    marks the collection unpaid and writes the reason into the mandate's history."""
    with demo.connect() as c:
        returns = c.execute(select(DirectDebitReturn)).all()
        assert len(returns) >= 2 and all(r.report == "arudd" and r.reason_code == "0" for r in returns)
        for r in returns:
            collection = c.execute(select(DirectDebitCollection).where(DirectDebitCollection.id == r.collection_id)).one()
            assert collection.status == "unpaid"
            reversal = c.execute(select(LedgerEntry).where(LedgerEntry.reverses_id == collection.ledger_entry_id)).one()
            assert reversal.kind == "reversal" and reversal.reason.startswith("direct debit unpaid: ARUDD 0")
            assert reversal.amount_pence == collection.amount_pence and reversal.effective_date == r.received_on
            events = c.execute(select(DirectDebitMandateEvent.note).where(
                DirectDebitMandateEvent.mandate_id == r.mandate_id, DirectDebitMandateEvent.event == "unpaid")).all()
            assert len(events) == 1 and "re-presentation on" in events[0].note


def test_unpaid_items_are_represented_once_within_a_month_after_notice(demo) -> None:
    """Each unpaid item is re-presented exactly once (code 18), within a month of its date, on a date its
    'represent' advance notice reached 10 Bacs working days ahead, and collected before today."""
    with demo.connect() as c:
        unpaid = c.execute(select(DirectDebitCollection).where(DirectDebitCollection.status == "unpaid")).all()
        assert unpaid
        for item in unpaid:
            again = c.execute(select(DirectDebitCollection).where(DirectDebitCollection.represents_id == item.id)).all()
            assert len(again) == 1
            (rep,) = again
            assert rep.transaction_code == "18" and rep.amount_pence == item.amount_pence
            assert item.collection_date < rep.collection_date <= add_months(item.collection_date, 1)
            assert rep.collection_date < TODAY
            notice = c.execute(select(DirectDebitNotice).where(
                DirectDebitNotice.mandate_id == item.mandate_id, DirectDebitNotice.kind == "represent")).one()
            assert notice.collection_date == rep.collection_date and notice.sent_at is not None
            assert local_date(notice.sent_at) <= working_days_before(rep.collection_date, 10)


def test_every_collection_had_its_notice_sent_10_bacs_working_days_before(demo) -> None:
    """Every regular collection takes the amount of the latest notice sent for a date on or before it, and that
    notice went at least 10 Bacs working days before the collection it was for (first and change notices)."""
    with demo.connect() as c:
        collections = c.execute(select(DirectDebitCollection).where(DirectDebitCollection.represents_id.is_(None))
                                ).all()
        assert len(collections) >= 6
        changes = 0
        for item in collections:
            notice = c.execute(select(DirectDebitNotice).where(
                DirectDebitNotice.mandate_id == item.mandate_id, DirectDebitNotice.kind != "represent",
                DirectDebitNotice.sent_at.is_not(None), DirectDebitNotice.collection_date <= item.collection_date)
                .order_by(DirectDebitNotice.collection_date.desc(), DirectDebitNotice.id.desc())).first()
            assert notice is not None and notice.amount_pence == item.amount_pence
            assert local_date(notice.sent_at) <= working_days_before(notice.collection_date, 10)
            assert bacs_calendar().is_working_day(item.collection_date)
            changes += notice.kind == "change"
        assert changes > 0  # an amount changed during the weeks, with its own notice


def test_the_balances_are_the_simulations_alone(demo, sqlite_template_path, tmp_path, monkeypatch) -> None:
    """Every handed-over direct debit is collected for the same pence, and every unpaid one re-presented and
    paid, so each account's balance is the pence the simulation gives without the hand-over."""
    other = tmp_path / "plain.db"
    shutil.copyfile(sqlite_template_path, other)
    plain = make_engine(f"sqlite:///{other}")
    offered = registry.hook
    monkeypatch.setattr(registry, "hook", lambda name: None if name == "demo.collect_direct_debits" else offered(name))
    try:
        _generate(plain)
        assert _balances(plain) == _balances(demo)
    finally:
        plain.dispose()


def test_the_plan_is_the_same_for_the_same_accounts_and_day() -> None:
    """Deterministic: the same handed-over accounts and day give the same steps, in time order, the mandates
    added first, the lodgement run before any collection, and the returned item's re-presentation run after it."""
    handed = [HandedOver(7, "RNT000007", "Ms A Payer", 1, ((date(2026, 1, 2), 40_000), (date(2026, 2, 2), 40_000),
                                                            (date(2026, 3, 2), 42_500)))]
    steps = plan(handed, TODAY)
    assert steps == plan(handed, TODAY) and steps == sorted(steps)
    kinds = [s.what for s in steps]
    assert kinds[0] == "add" and kinds[1] == "lodge" and kinds.count("arudd") == 1 and kinds.count("change") == 1
    returned = next(s for s in steps if s.what == "arudd")
    assert any(s.what == "collect" and s.at > returned.at and s.on > returned.on for s in steps)


def test_void_homes_have_their_rent_recorded_as_void_loss_by_the_debit_run(demo) -> None:
    """The rents demo gives a home empty through the debit run's weeks its charges: the run records each week's
    rent as void loss (rent_void_loss, whole weeks) and charges it to no one."""
    from duty_tui.areas.rents.db.models import RentCharge, RentVoidLoss
    from duty_tui.core.demo.rent_ledger import debit_cutover

    with demo.connect() as c:
        lost = c.execute(select(RentVoidLoss.property_id, RentVoidLoss.week_start, RentVoidLoss.days,
                                RentVoidLoss.amount_pence, RentVoidLoss.charge_code)).all()
        homes = {row.property_id for row in lost}
        assert 1 <= len(homes) <= 2
        weeks = {row.week_start for row in lost}
        assert min(weeks) == debit_cutover(TODAY) and max(weeks) == date(2026, 3, 9)
        for row in lost:
            charged = c.execute(select(RentCharge.amount_pence).where(
                RentCharge.property_id == row.property_id, RentCharge.charge_code == row.charge_code)).scalar_one()
            assert row.days == 7 and row.amount_pence == charged
