"""Issue 11, the list parts of B16 on the money screens, at 80x24 and at a person's pace, on SQLite and PostgreSQL:
a statement's dates and money are read whole, and its cursor stays on the row it was on after the period is
shown again (F9) and after a return from its arrangements (g, Escape); the arrangements list keeps its plan.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from builders import seed_office
from pay_helpers import cash, ctx_for
from pilot import SIZE, build_app, human, screen_text, settle, sign_in

from duty_tui.areas.payments.services.arrangements import create_arrangement
from duty_tui.areas.payments.tui.account import AccountScreen


def current(app, table_id: str) -> str | None:
    """The highlighted row's key."""
    table = app.screen.query_one(table_id)
    if not table.row_count:
        return None
    return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_a_statement_keeps_its_row_and_reads_whole_at_80_columns(engine):
    seed_office(engine)
    reception = ctx_for(engine, "reception")
    for pence in (1000, 2000, 3000, 4000):
        cash(reception, "RNT000001", pence)
    create_arrangement(ctx_for(engine, "income"), "RNT000001", 500, "weekly", date(2026, 3, 16))
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "income", paste_over=8)
        app.push_screen(AccountScreen("RNT000001"))
        await settle(app, pilot)
        lines = [line for line in screen_text(app).splitlines() if re.search(r"#\d+", line)]
        assert len(lines) >= 4
        for line in lines:  # a UK date and two whole amounts on every row
            assert re.search(r"\d\d/\d\d/\d{4}", line) and len(re.findall(r"£[\d,]+\.\d\d", line)) == 2, line

        await human(pilot, "up", "up")
        kept = current(app, "#acct-rows")
        assert kept is not None
        await human(pilot, "f9")  # the period again
        await settle(app, pilot)
        assert current(app, "#acct-rows") == kept

        await human(pilot, "home")  # the oldest row (main jumped back to the newest on F9)
        first = current(app, "#acct-rows")
        await human(pilot, "f9")
        await settle(app, pilot)
        assert current(app, "#acct-rows") == first
        await human(pilot, "down", "down")
        kept = current(app, "#acct-rows")

        await human(pilot, "g")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ArrangementsScreen"
        plan = current(app, "#arr-table")
        assert plan is not None and plan in screen_text(app)
        await human(pilot, "f9")
        await settle(app, pilot)
        assert current(app, "#arr-table") == plan
        await human(pilot, "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert current(app, "#acct-rows") == kept
