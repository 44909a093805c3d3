"""The "Rent charges" screen (docs/RENTS_IMPORT.md, "The screen") through the real app at 80x24, keyboard
only: the palette opens it, a tenancy's charges in force and weekly total show, a charge is added and
changed (the history shows the ended row), and an end before the start is refused naming the rule with
everything typed kept."""

from __future__ import annotations

import pytest
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle, type_text, wait_for
from test_debit import _seeded

from duty_tui.areas.rents.tui.charges import RentChargesScreen


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


async def _fill(app, pilot, screen, **values: str) -> None:
    for key, value in values.items():
        assert app.screen is screen, (app.screen, _flat(app))
        box = screen.query_one(f"#rc-{key}")
        box.value = ""
        box.focus()
        await type_text(app, pilot, value)


@pytest.mark.sqlite_only  # the screen, not the data (test_charge_import.py and test_debit.py run both DBs)
async def test_add_change_see_history_and_a_bad_end_refused_with_text_kept(engine):
    _seeded(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*keys("rent charges"))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, RentChargesScreen)
        await type_text(app, pilot, "T00001")
        await pilot.press("enter")
        await wait_for(app, pilot, lambda: "Weekly total £110.50" in _flat(app))
        await _fill(app, pilot, screen, code="tv_licence", amount="13.75", freq="monthly", date="16/03/2026",
                    reason="asked for by the tenant")
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: "Saved: tv_licence set from 16/03/2026" in _flat(app))
        await _fill(app, pilot, screen, code="basic_rent", amount="120.00", freq="weekly", date="06/04/2026",
                    reason="rent review")
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: "Saved: basic_rent set from 06/04/2026" in _flat(app))
        flat = _flat(app)
        assert "History (ended):" in flat and "02/03/2026-05/04/2026" in flat  # the old basic rent ended
        await _fill(app, pilot, screen, code="tv_licence", date="01/03/2026", reason="moved out early")
        await pilot.press("f12")
        await wait_for(app, pilot, lambda: "Not saved:" in _flat(app))
        assert "before the charge starts (16/03/2026)" in _flat(app)
        assert screen.query_one("#rc-date").value == "01/03/2026"
        assert screen.query_one("#rc-reason").value == "moved out early"
        assert screen.query_one("#rc-code").value == "tv_licence"
