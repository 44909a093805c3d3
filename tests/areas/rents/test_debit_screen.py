"""The rent debit run screen (docs/RENTS_DEBIT.md, "The screen"), through the real app at 80x24, keyboard
only: the palette opens it, the preview posts nothing, F9 asks and posts, a second preview finds nothing."""

from __future__ import annotations

import pytest
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle, wait_for
from sqlalchemy import text
from test_debit import _seeded

from duty_tui.areas.rents.tui.debit import RentDebitScreen
from duty_tui.core.tui.kit.dialogs import ConfirmDialog


def _posted(engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE external_id LIKE 'debit:%'")).scalar())


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


@pytest.mark.sqlite_only  # the screen, not the data (test_debit.py runs the figures on both)
async def test_preview_then_post_a_week_at_80x24(engine):
    _seeded(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*keys("rent debit run"))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, RentDebitScreen)
        await wait_for(app, pilot, lambda: screen.previewed is not None)
        flat = _flat(app)
        assert "09/03/2026" in flat  # this rent week's first day (today 10/03/2026)
        assert "To post 6 charges, £661.00" in flat and "Tenancies 3" in flat and _posted(engine) == 0
        assert "2025/26 week 48" in flat and "F9" in flat
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_for(app, pilot, lambda: "Posted 6 charges" in _flat(app))
        assert _posted(engine) == 6
        await pilot.press("f12")
        await wait_for(app, pilot, lambda: screen.previewed is not None)
        assert "To post 0 charges" in _flat(app)
        await pilot.press("f9")  # nothing to post: it says so, and asks nothing
        await settle(app, pilot)
        assert "Nothing to post through" in _flat(app) and isinstance(app.screen, RentDebitScreen)
        assert _posted(engine) == 6
        # a date more than a year ahead: said on the line, the typed date kept
        await pilot.press(*(["backspace"] * 10), *keys("01/01/2099"), "enter")
        await wait_for(app, pilot, lambda: "more than one year ahead" in _flat(app))
        assert "01/01/2099" in _flat(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, RentDebitScreen)
        # the tenant's weekly charges on the person view (the rents hook, through the core)
        from duty_tui.core.tui.screens.person import PersonScreen

        app.push_screen(PersonScreen("P0000004"))
        await wait_for(app, pilot, lambda: "£125.00/wk" in _flat(app))
