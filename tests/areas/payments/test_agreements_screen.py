"""The arrangements screen at 80x24 (issue 14 item 7): n agrees a court-ordered arrangement with a lump
sum, typed field by field with Tab as a person does; a refused save keeps everything typed; the plan's
kind and its state history show under it."""

from __future__ import annotations

import pytest
from builders import NOW, seed_office
from pilot import SIZE, build_app, human, screen_text, settle, sign_in, wait_for
from sqlalchemy import text
from textual.widgets import Static

from duty_tui.areas.payments.tui.arrangements import ArrangementsScreen


@pytest.mark.sqlite_only  # the screen; the services under it run on both databases (test_agreements.py)
async def test_agree_a_court_ordered_plan_with_a_lump_sum_from_the_keyboard(engine):
    seed_office(engine)
    app = build_app(engine, now=NOW)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "income", paste_over=8)
        app.push_screen(ArrangementsScreen("RNT000001"))
        await settle(app, pilot)
        await human(pilot, "n")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "FormDialog"
        # Amount, how often (weekly), first due (today), kind (→ court-ordered), hearing, lump sum.
        await human(pilot, "=20", "tab", "tab", "tab", "right", "tab", "=12", "tab", "=50")
        await human(pilot, "f9")  # no day for the lump sum: refused, nothing typed is lost
        await settle(app, pilot)
        assert type(app.screen).__name__ == "FormDialog"
        assert "the day the lump sum is due" in screen_text(app)
        assert app.screen.form.values()["lump"].strip() in ("50", "50.00")
        assert app.screen.focused is app.screen.form.input("lump_due")  # the cursor waits where the fix goes
        await human(pilot, "=13/03/2026", "f9")
        await settle(app, pilot)
        closed = await wait_for(app, pilot, lambda: type(app.screen).__name__ == "ArrangementsScreen")
        assert closed, screen_text(app)
        await settle(app, pilot)
        shown = screen_text(app, widgets=Static)
        assert "agreed (court-ordered (hearing #12))" in shown, shown
        assert "+ £50.00 lump sum by 13/03/2026" in shown
        assert "Court-ordered (hearing #12)." in shown and "History: 10/03/2026 made" in shown
        assert "LS 13/03/26" in shown  # the lump sum among the instalments
    with engine.connect() as c:
        row = c.execute(text("SELECT kind, court_hearing_id, lump_sum_pence, lump_sum_due FROM arrangement")).one()
    assert (row[0], row[1], row[2], str(row[3])[:10]) == ("court_ordered", 12, 5000, "2026-03-13")
