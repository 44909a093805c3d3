"""The rent review screen (docs/RENTS_REVIEW.md) through the real app at 80x24, keyboard only: the palette
opens it, F12 models 4.8% and shows the effect, F9 applies after a confirm, Enter opens one notice."""

from __future__ import annotations

import pytest
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle, wait_for
from test_review import _seeded

from duty_tui.areas.rents.tui.review import RentNoticeScreen, RentReviewScreen
from duty_tui.core.tui.kit.dialogs import ConfirmDialog


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


@pytest.mark.sqlite_only  # the screen, not the data (test_review.py runs the figures on both)
async def test_model_apply_and_open_a_notice_at_80x24(engine):
    _seeded(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*keys("rent review"))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        screen = app.screen
        assert isinstance(screen, RentReviewScreen)
        await pilot.press(*keys("2026"), "tab", *keys("4.8"), "tab", *keys("05/03/2026"))
        await pilot.press("f12")
        await wait_for(app, pilot, lambda: screen.ref is not None)
        assert "3 of 3 charges change" in _flat(app) and "£115.80" in _flat(app)
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_for(app, pilot, lambda: screen.applied)
        assert "3 notices" in _flat(app) and "T00001" in _flat(app)
        await pilot.press("enter")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, RentNoticeScreen))
        assert await wait_for(app, pilot, lambda: "Rent account: RNT000001" in _flat(app)), _flat(app)
        await pilot.press("pagedown")
        assert await wait_for(app, pilot, lambda: "NOTICE OF VARIATION OF RENT" in _flat(app)
                              or "Weekly total" in _flat(app)), _flat(app)
