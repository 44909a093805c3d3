"""Issue 11, B3: F9 pressed in the applicant picker just after F6 crashed the app (NoMatches '#pick-new'):
the key reached the dialog before it was mounted. Keys that arrive that early are held and acted on once
the dialog is up; letters typed then go into the search box. 80x24.
"""

from __future__ import annotations

import pytest
from builders import seed_office
from pilot import SIZE, build_app, screen_text, settle, sign_in
from textual import events
from textual.widgets import Input


def keys_on_arrival(app, *names: str) -> None:
    """Post ``names`` the moment the applicant picker is pushed, before it is mounted: what a fast
    typist's F9 does while F6 is still opening the approach (1.3-1.7 s on a real desk)."""
    push = app.push_screen

    def push_then_type(screen, *args, **kwargs):
        result = push(screen, *args, **kwargs)
        if type(screen).__name__ == "PersonPickDialog":
            for name in names:
                app.post_message(events.Key(name, name if len(name) == 1 else None))
        return result

    app.push_screen = push_then_type


@pytest.mark.sqlite_only  # the area's both-database journey is test_housing_tui's triage
async def test_f9_straight_after_f6_opens_the_new_applicant_fields_instead_of_crashing(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "options")
        keys_on_arrival(app, "f9")
        await pilot.press("f6")
        await settle(app, pilot)
        # Still running: the new-applicant form is up over the picker, the cursor in its first box.
        assert type(app.screen).__name__ == "NewApplicantDialog"
        assert type(app.screen_stack[-2]).__name__ == "PersonPickDialog"
        assert app.focused is app.screen.form.input("forename")
        assert "New applicant" in screen_text(app)


@pytest.mark.sqlite_only
async def test_letters_typed_before_the_picker_is_up_go_into_its_search_box(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "options")
        keys_on_arrival(app, "s", "m", "y", "down", "enter")
        await pilot.press("f6")
        await pilot.pause(0.3)
        await settle(app, pilot)
        # "smy", then Enter before the results came: acted on when they did (one match, so chosen).
        assert type(app.screen).__name__ == "ApproachScreen"
        assert "Jon Smyth" in screen_text(app)


@pytest.mark.sqlite_only
async def test_letters_typed_before_the_picker_is_up_are_kept_in_order(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "options")
        keys_on_arrival(app, "s", "m", "i", "t")
        await pilot.press("f6")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PersonPickDialog"
        assert app.screen.query_one("#pick-query", Input).value == "smit"
        assert "John Smith" in screen_text(app)
