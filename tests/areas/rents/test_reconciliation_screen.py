"""The rent reconciliation screen (docs/RENTS_RECONCILIATION.md, "The screen"), through the real app at 80x24,
keyboard only. The figures themselves are tested on both databases (test_reconciliation.py)."""

from __future__ import annotations

import pytest
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from test_reconciliation import _seed
from textual.widgets import DataTable, Input

from duty_tui.areas.rents.tui.reconciliation import FigureRowsScreen, RentReconciliationScreen, last_week


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


@pytest.mark.sqlite_only  # the screen, not the data
async def test_a_week_by_rent_group_then_the_rows_behind_a_figure(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*keys("rent reconciliation"))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, RentReconciliationScreen)
        assert screen.query_one("#rr-from", Input).value == "02/03/2026"  # the last whole week (today 10/03/2026)
        # Tab to From, type the week of 09/03, Enter reads it
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is screen.query_one("#rr-from", Input)
        await pilot.press("ctrl+a", "ctrl+k", *keys("09/03/2026"), "tab", "ctrl+a", "ctrl+k", *keys("15/03/2026"),
                          "enter")
        await settle(app, pilot, 3)
        assert screen.recon is not None and screen.recon.date_from.isoformat() == "2026-03-09"
        flat = _flat(app)
        assert "Opening balance · Test Office" in flat and "closing £610.00, no difference" in flat
        table = screen.query_one("#rr-table", DataTable)
        assert table.region.x + table.region.width <= 80
        # a mistake is said and what was typed stays
        await pilot.press("ctrl+a", "ctrl+k", *keys("01/03/2026"), "enter")
        await settle(app, pilot)
        assert "swap the dates" in _flat(app) and screen.query_one("#rr-to", Input).value == "01/03/2026"
        # Enter on the cash figure lists its row
        await pilot.press("tab")
        assert app.focused is table
        cash = next(k for k, v in screen.figures.items() if v[2:] == ("payment", "cash"))
        table.move_cursor(row=table.get_row_index(cash))  # the cursor set, then the key pressed
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, FigureRowsScreen)
        assert "RNT000001" in _flat(app) and "Rows 1–1 of 1" in _flat(app) and "-50.00" in _flat(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert "No more rows" in _flat(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, RentReconciliationScreen)


def test_last_week_is_monday_to_sunday_before_today():
    from datetime import date

    assert last_week(date(2026, 3, 10)) == (date(2026, 3, 2), date(2026, 3, 8))
    assert last_week(date(2026, 3, 9)) == (date(2026, 3, 2), date(2026, 3, 8))
