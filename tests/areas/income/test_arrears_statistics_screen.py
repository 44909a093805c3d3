"""The arrears statistics screen (docs/INCOME_REPORTS.md, "The screen"), driven through the real app at 80x24,
keyboard only. The figures themselves are tested on both databases (test_arrears_statistics.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from test_arrears_statistics import _seed
from textual.widgets import DataTable, Input
from textual_plotext import PlotextPlot

from duty_tui.areas.income.services.statistics import CSV_FILES, rent_year_start
from duty_tui.areas.income.tui.statistics import ArrearsStatisticsScreen
from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog


async def _open_from_palette(app, pilot) -> ArrearsStatisticsScreen:
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await pilot.press(*keys("arrears statistics"))
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot, 3)
    assert isinstance(app.screen, ArrearsStatisticsScreen)
    return app.screen


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


@pytest.mark.sqlite_only  # the screen, not the data
async def test_the_chart_and_the_table_at_80x24_then_another_period_typed(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open_from_palette(app, pilot)
        assert screen.query_one("#as-from", Input).value == "07/04/2025"  # the rent year so far (today 10/03/2026)
        assert screen.query_one("#as-to", Input).value == "10/03/2026"
        shown = screen_text(app)
        # the chart: a bar for each stage with accounts, labelled by its step's code
        assert "£ owed by latest step" in shown and "letter 1" in shown and "court outc" in shown
        assert "█" in shown
        chart = screen.query_one("#as-chart", PlotextPlot)
        assert chart.region.width >= 30 and chart.region.height == 3 + 3  # three stages have accounts
        # the table beside it, and the summary under it
        table = screen.query_one("#as-table", DataTable)
        assert table.region.x + table.region.width <= 80 and table.row_count == len(screen.stats.by_stage) + 13
        assert "Letter 1" in shown or "First letter" in shown
        assert [str(cell) for cell in table.get_row("total")] == ["All in arrears", "3", "662.50"]
        flat = _flat(app)
        assert "Rent roll £12,246.00 a year: arrears 5.4%, 12.9% with former tenants" in flat
        assert "Former tenants £920.00 (2 accounts) · 2 live tenancies" in flat
        assert "07/04/2025–10/03/2026: 3 notices · 2 claims · 2 orders · 1 evictions" in flat
        # the period: Tab to From, type February, Enter reads again
        await pilot.press("tab")
        assert app.focused is screen.query_one("#as-from", Input)
        await pilot.press("ctrl+a", "ctrl+k", *keys("01/02/2026"), "tab", "ctrl+a", "ctrl+k", *keys("28/02/2026"),
                          "enter")
        await settle(app, pilot, 3)
        assert screen.stats.date_from.isoformat() == "2026-02-01"
        assert "01/02/2026–28/02/2026: 2 notices · 1 claims · 1 orders · 1 evictions" in _flat(app)
        # a mistake is said on the message line and what was typed stays
        await pilot.press("ctrl+a", "ctrl+k", *keys("31/01/2026"), "enter")
        await settle(app, pilot)
        assert "swap the dates" in _flat(app) and screen.query_one("#as-to", Input).value == "31/01/2026"
        assert screen.stats.date_to.isoformat() == "2026-02-28"  # not read again
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ArrearsStatisticsScreen)


@pytest.mark.sqlite_only
async def test_x_saves_the_csv_files_privately_and_s_opens_the_send_dialog(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open_from_palette(app, pilot)
        await pilot.press("x")
        await settle(app, pilot, 3)
        assert "Saved 4 CSV files in" in _flat(app)
        reports = Path(os.environ["XDG_DATA_HOME"]) / "duty-tui" / "reports"
        (folder,) = list(reports.iterdir())
        assert folder.name.startswith("arrears_20250407_20260310_")
        assert sorted(p.name for p in folder.iterdir()) == sorted(CSV_FILES)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
        await pilot.press("s")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, SendDocumentDialog)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


@pytest.mark.sqlite_only
async def test_a_role_without_statistics_is_told_so_and_keeps_the_screen(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        screen = ArrearsStatisticsScreen()
        await app.push_screen(screen)
        await settle(app, pilot, 3)
        assert screen.stats is None and app.screen is screen
        said = str(screen.query_one("#as-message").render())
        assert "statistics.view" in said or "may not" in said, said


def test_the_rent_year_starts_on_the_first_monday_of_april():
    from datetime import date

    assert rent_year_start(date(2026, 3, 10)) == date(2025, 4, 7)
