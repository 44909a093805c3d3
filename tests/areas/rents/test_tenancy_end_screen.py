"""The "End a tenancy" and "Credit transfers" screens (docs/RENTS_TENANCY_END.md) through the real app at
80x24, keyboard only: the palette opens it, the preview posts nothing, F9 asks and ends it, and the final
balance moved to the former-tenant account is on screen."""

from __future__ import annotations

import pytest
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle, wait_for
from test_tenancy_end import _balance, _seeded

from duty_tui.areas.rents.tui.tenancy_end import TenancyEndScreen
from duty_tui.core.tui.kit.dialogs import ConfirmDialog


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


@pytest.mark.sqlite_only  # the screen, not the data (test_tenancy_end.py runs the figures on both)
async def test_preview_then_end_a_tenancy_and_see_the_balance_moved_at_80x24(engine):
    _seeded(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*keys("end a tenancy"))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, TenancyEndScreen)
        await pilot.press(*keys("T00001"), "tab", "tab", *keys("notice given"), "enter")
        await wait_for(app, pilot, lambda: screen.previewed is not None)
        flat = _flat(app)
        assert "Credited £78.93 back" in flat and "former tenant account" in flat
        assert _balance(engine, "RNT000001") == 15250 + 2 * 11050           # the preview posted nothing
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_for(app, pilot, lambda: screen.done is not None)
        flat = _flat(app)
        assert screen.done.outcome_ref and screen.done.outcome_ref in flat and "moved to former tenant" in flat
        assert _balance(engine, "RNT000001") == 0


@pytest.mark.sqlite_only
async def test_a_second_person_authorises_a_credit_transfer_at_80x24(engine):
    from datetime import date

    from test_tenancy_end import ctx_for

    from duty_tui.areas.rents.services.sundry import charge_sundry
    from duty_tui.areas.rents.services.tenancy_end import end_tenancy
    from duty_tui.areas.rents.tui.tenancy_end import CreditTransfersScreen

    ctx = _seeded(engine, debit=False)
    court = charge_sundry(ctx, "P0000002", "court_costs", 5000, "Possession claim costs")
    asked = end_tenancy(ctx_for(engine), "T00002", date(2026, 3, 1), "moved", credit=f"transfer:{court.account_ref}")
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "admin")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*keys("credit transfers"))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, CreditTransfersScreen)
        assert asked.outcome_ref in _flat(app) and "£20.00" in _flat(app)
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: "authorised" in _flat(app))
        assert _balance(engine, court.account_ref) == 3000
