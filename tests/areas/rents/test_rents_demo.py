"""The demo office's current rent is charged by the rents area's own debit run (issue 15 item 9).

The core simulation hands the latest weeks of tenancies live across them to ``duty_tui.areas.rents.demo``,
which sets their charges (several types, last April's review with its notices) and runs
``services.debit.run_debit``; the balances must come out to the pence they were without the hand-over.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from duty_tui.areas.rents.db.models import RentCharge, RentReview, RentTenancyEnd, RentVariationNotice, RentWeekPosted
from duty_tui.core import registry
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.demo import generator
from duty_tui.core.demo.rent_ledger import debit_cutover
from duty_tui.core.domain.local_time import UK
from duty_tui.core.services.auth import sign_in
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)  # a Tuesday (as the core demo tests)


def _generate(engine) -> None:
    generator.generate(engine, size="small", seed=0, today=TODAY, office_name="Demo Housing", jurisdiction="england")


def _balances(engine) -> dict[int, int]:
    with engine.connect() as connection:
        return dict(connection.execute(select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_pence))
                                       .group_by(LedgerEntry.account_id)).all())


def test_demo_rent_from_the_cutover_is_posted_by_the_debit_run_to_the_same_balances(
        sqlite_engine, sqlite_template_path, tmp_path, monkeypatch) -> None:
    """The rule: the latest weeks' rent rows are the debit run's (rent_week_posted claims, external ids
    debit:<tenancy>:<week>:<charge>), charges of at least four types, last April's applied review with a
    notice per tenancy, and every account's balance the same pence as the simulation alone gives."""
    _generate(sqlite_engine)
    cutover = debit_cutover(TODAY)
    with sqlite_engine.connect() as c:
        weeks = sorted(w for (w,) in c.execute(select(RentWeekPosted.week_start).distinct()))
        assert weeks[-1] == date(2026, 3, 9) and cutover in weeks
        run_rows = c.execute(select(LedgerEntry.external_id, LedgerEntry.effective_date)
                             .where(LedgerEntry.kind == "rent_debit", LedgerEntry.effective_date >= cutover)).all()
        by_run = [r for r in run_rows if r.external_id and r.external_id.startswith("debit:")]
        assert len(by_run) > 1000 and len(by_run) > 0.8 * len(run_rows)
        assert all(r.effective_date.weekday() == 0 for r in by_run)
        assert not c.execute(select(LedgerEntry.id).where(LedgerEntry.kind == "rent_debit",
                                                          LedgerEntry.effective_date < cutover,
                                                          LedgerEntry.external_id.like("debit:%"))).first()
        codes = {code for (code,) in c.execute(select(RentCharge.charge_code).distinct())}
        assert {"basic_rent", "service_charge", "cleaning"} <= codes and len(codes) >= 4
        review = c.execute(select(RentReview)).one()
        assert review.status == "applied" and review.effective_from == date(2025, 4, 7)
        assert (review.effective_from - review.notices_on).days >= 28
        notices = c.execute(select(func.count()).select_from(RentVariationNotice)).scalar_one()
        tenancies = len({r.external_id.split(":")[1] for r in by_run})
        assert notices == tenancies
        ends = c.execute(select(RentTenancyEnd.account_id, RentTenancyEnd.final_balance_pence,
                                RentTenancyEnd.outcome, RentTenancyEnd.outcome_ref)).all()
        assert 5 <= len(ends) <= 12
        for account_id, final, outcome, outcome_ref in ends:  # the end matches the ledger's move of the balance
            moved = c.execute(select(LedgerEntry.amount_pence).where(
                LedgerEntry.account_id == account_id,
                LedgerEntry.reference == f"Balance transferred to {outcome_ref}")).scalar_one()
            assert (outcome, final) == ("former_tenant", -moved) and final > 0
    with_run = _balances(sqlite_engine)

    other = tmp_path / "plain.db"
    shutil.copyfile(sqlite_template_path, other)
    plain = make_engine(f"sqlite:///{other}")
    offered = registry.hook
    monkeypatch.setattr(registry, "hook", lambda name: None if name == "demo.post_rent" else offered(name))
    try:
        _generate(plain)
        assert _balances(plain) == with_run
    finally:
        plain.dispose()


def test_the_rents_demo_user_signs_in_as_a_rents_assistant(sqlite_engine) -> None:
    _generate(sqlite_engine)
    clock = datetime.combine(TODAY, time(10, 30), tzinfo=UK).astimezone(UTC)
    ctx = ServiceContext.create(sqlite_engine, Settings(db_url=str(sqlite_engine.url)), clock=lambda: clock)
    actor = sign_in(ctx, "rents", "demo")
    assert actor.role == "rents_assistant" and "rents.manage" in actor.permissions
    with session_scope(sqlite_engine) as session:
        assert session.execute(select(func.count()).select_from(RentCharge)).scalar_one() > 0
