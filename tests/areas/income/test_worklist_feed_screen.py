"""The worklist screen with court facts and the UC flag (docs/INCOME_WORKLIST_FEED.md), at 80x24, keyboard only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import NOW, seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from sqlalchemy import text

from duty_tui.areas.income.tui.worklist import ArrearsWorklistScreen
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry


def _seed(engine) -> None:
    """The builders' office, with RNT000003 owing £500 and RNT000002 £280: letter 1 due today."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        ids = dict(s.execute(text("SELECT ref, id FROM account")).all())
        for ref, pence in (("RNT000003", 50000), ("RNT000002", 30000)):
            s.add(LedgerEntry(account_id=ids[ref], effective_date=date(2026, 3, 6), posted_at=NOW - timedelta(days=4),
                              kind="rent_debit", amount_pence=pence))


def ctx_income(engine):
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext

    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, "income"))


async def _open_from_palette(app, pilot) -> ArrearsWorklistScreen:
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await pilot.press(*keys("arrears worklist"))
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot, 3)
    assert isinstance(app.screen, ArrearsWorklistScreen)
    return app.screen


@pytest.mark.sqlite_only
async def test_the_first_page_comes_before_its_count_the_uc_flag_and_the_hearing_are_shown(engine, monkeypatch):
    from duty_tui.areas.income.db.models import BenefitClaim, CourtHearing, PossessionClaim
    from duty_tui.areas.income.services import worklist as service
    from duty_tui.areas.income.tui import worklist as tui

    _seed(engine)
    with session_scope(engine, write=True) as s:
        ids = dict(s.execute(text("SELECT ref, id FROM account")).all())
        # RNT000003 owes £1,100 (over 2 months of £125 a week) with Universal Credit recorded
        s.add(LedgerEntry(account_id=ids["RNT000003"], effective_date=date(2026, 3, 9), posted_at=NOW,
                          kind="rent_debit", amount_pence=60000))
        s.add(BenefitClaim(account_id=ids["RNT000003"], kind="universal_credit", made_on=date(2025, 6, 1),
                           decided_on=date(2025, 7, 1), outcome="awarded", created_at=NOW))
        claim = PossessionClaim(account_id=ids["RNT000002"], issued_on=date(2026, 2, 2), created_at=NOW)
        s.add(claim)
        s.flush()
        s.add(CourtHearing(claim_id=claim.id, account_id=ids["RNT000002"], hearing_on=date(2026, 3, 30),
                           created_at=NOW))
    monkeypatch.setattr(tui, "PAGE", 1)  # one row a page, read one at a time: the page is full before the end
    monkeypatch.setattr(service, "MIN_BATCH", 1)
    counted: list[str] = []
    real_total = service.worklist_total

    def counting_total(ctx, **kwargs):
        counted.append(kwargs["tab"])
        return real_total(ctx, **kwargs)

    monkeypatch.setattr(service, "worklist_total", counting_total)
    page = service.arrears_worklist(ctx_income(engine), tab="immediate", limit=1)
    assert page.more_than and page.total == 1  # the page was full before the end: "more than 1"
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open_from_palette(app, pilot)
        await settle(app, pilot, 3)
        assert screen.table.keys == ["RNT000003"] and counted == ["immediate"]  # then counted in the background
        shown = " ".join(screen_text(app).split())
        assert "showing 1 of 2 accounts in arrears" in shown  # RNT000002 waits for its hearing: counted exactly
        assert "UC" in [str(cell) for cell in screen.table.get_row_at(0)] and "UC: ask for a managed payment" in shown
        await pilot.press("4")
        await settle(app, pilot, 3)
        assert screen.table.keys == ["RNT000002"]
        assert "Hearing 30/03/2026" in screen_text(app)
