"""Issue 11 round 2 (R1): keys found by staff in the merged app at 80x24.

The person picker's "new person" starts with what was typed; money boxes take only money and
leave bindings working; an area a role cannot use says so at once.
"""

from __future__ import annotations

import pytest
from builders import seed_office
from fd_pilot import SIZE, build_app, keys, screen_text, settle, sign_in, wait_for
from textual.widgets import Input

from duty_tui.tui.kit.form import Form


@pytest.mark.sqlite_only  # the keys, not the data (the approach's both-database journey is test_housing_tui)
async def test_new_person_after_a_one_word_query_carries_it_into_the_surname(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "options")
        await pilot.press("f6")
        await wait_for(app, pilot, lambda: type(app.screen).__name__ == "PersonPickDialog")
        await settle(app, pilot)
        for key in keys("Nowak"):
            await pilot.press(key)
            await pilot.pause(0.08)
        await settle(app, pilot)
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: type(app.screen).__name__ == "NewApplicantDialog")
        await settle(app, pilot)
        typed = app.screen.query_one(Form).values()
        assert typed["surname"] == "Nowak"
        assert typed["forename"] == ""
        assert "Nowak" in screen_text(app)
