"""The lettings statistics screen (docs/LETTINGS_RETURNS.md, "The screen"), through the real app at 80x24,
keyboard only: opened from the palette, a period typed in place, the re-let figures shown. The figures
themselves are tested on both databases (test_returns.py)."""

from __future__ import annotations

import pytest
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from textual.widgets import DataTable, Input

from duty_tui.areas.lettings.tui.returns_statistics import LettingsStatisticsScreen

from .returns_rows import seed_lets


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


@pytest.mark.sqlite_only  # the screen, not the data
async def test_february_relet_times_from_the_palette_at_80x24(engine):
    seed_lets(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*keys("lettings statistics"))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, LettingsStatisticsScreen)
        assert screen.query_one("#ls-from", Input).value == "01/04/2025"  # the financial year so far (today 10/03/2026)
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is screen.query_one("#ls-from", Input)
        await pilot.press("ctrl+a", "ctrl+k", *keys("01/02/2026"), "tab", "ctrl+a", "ctrl+k", *keys("28/02/2026"),
                          "enter")
        await settle(app, pilot, 3)
        assert screen.measures is not None and screen.measures.date_from.isoformat() == "2026-02-01"
        flat = _flat(app)
        assert "Average re-let days" in flat and "14.5" in flat and "Lets by band" in flat
        assert "not counted: first let" in flat
        table = screen.query_one("#ls-table", DataTable)
        assert table.region.x + table.region.width <= 80
        await pilot.press("ctrl+a", "ctrl+k", *keys("01/01/2026"), "enter")  # To before From: said, kept
        await settle(app, pilot)
        assert screen.query_one("#ls-to", Input).value == "01/01/2026"
        assert screen.measures.date_to.isoformat() == "2026-02-28"
