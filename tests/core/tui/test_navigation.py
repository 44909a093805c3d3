"""Moving around at 80x24: F-keys open their area's home on the dashboard (replacing, not stacking),
Escape goes back one level, no screen is on the stack twice, and from anywhere at most three
Escapes reach the dashboard."""

from __future__ import annotations

import pytest
from builders import seed_office
from pilot import build_app, keys, quick_sign_in, screen_text, settle, wait_for

from duty_tui.areas.payments.tui.account import AccountScreen
from duty_tui.core.tui.kit.navigation import nav_key
from duty_tui.core.tui.screens.home import HomeScreen
from duty_tui.core.tui.screens.person import PersonScreen

SIZE = (80, 24)
AREAS = {"f2": "SearchScreen", "f4": "LogContactScreen", "f5": "TakePaymentScreen", "f6": "ApproachScreen",
         "f7": "QueuesScreen", "f8": "CallersScreen"}


def _above_home(app) -> list:
    stack = app.screen_stack
    floor = next(i for i, s in enumerate(stack) if isinstance(s, HomeScreen))
    return stack[floor + 1:]


def _check_shape(app) -> None:
    above = _above_home(app)
    keys_ = [nav_key(s) for s in app.screen_stack if not s.is_modal]
    assert len(keys_) == len(set(keys_)), f"a screen is on the stack twice: {keys_}"
    assert len(above) <= 3, f"more than 3 Escapes to the dashboard: {[type(s).__name__ for s in above]}"


async def _escapes_to_home(app, pilot) -> int:
    count = 0
    while not isinstance(app.screen, HomeScreen):
        assert count < 3, f"still on {type(app.screen).__name__} after 3 Escapes"
        await pilot.press("escape")
        await settle(app, pilot)
        count += 1
    return count


@pytest.mark.sqlite_only  # the screens, not the data: one database is enough
async def test_every_f_key_replaces_what_was_open_and_one_escape_goes_home(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        # Walk every F-key, each from another area's screen (dialogs open included): each replaces the last.
        previous = "home"
        for key in ("f2", "f4", "f5", "f6", "f7", "f8", "f6", "f2", "f8", "f4", "f7", "f5"):
            await pilot.press(key)
            await settle(app, pilot)
            names = [type(s).__name__ for s in _above_home(app) if not s.is_modal]
            assert names == [AREAS[key]], f"{previous} then {key}: {names}"
            _check_shape(app)
            previous = key
        assert await _escapes_to_home(app, pilot) == 1
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen) and _above_home(app) == []


@pytest.mark.sqlite_only
async def test_deep_paths_never_need_more_than_three_escapes_and_never_open_a_screen_twice(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        # Search → person → accounts tab → a statement → its arrangements, typed as a person would.
        await pilot.press("f2", *keys("khan"))
        await settle(app, pilot)
        # The search runs after a pause in typing: on a busy machine the results may come a moment later.
        assert await wait_for(app, pilot, lambda: "P0000" in screen_text(app))
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, PersonScreen))
        assert [type(s).__name__ for s in _above_home(app)] == ["PersonScreen"]  # search gave its place
        await pilot.press("3", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("g")
        await settle(app, pilot)
        _check_shape(app)
        assert type(app.screen).__name__ == "ArrangementsScreen"
        # The same person again (from anywhere) goes back to the one already open.
        person = next(s for s in app.screen_stack if isinstance(s, PersonScreen))
        app.push_screen(PersonScreen(person.ref))
        await settle(app, pilot)
        assert app.screen is person
        _check_shape(app)
        await pilot.press("3", "enter")
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press("f1")  # a dialog on top: still at most three Escapes
        await settle(app, pilot)
        _check_shape(app)
        assert await _escapes_to_home(app, pilot) <= 3
        # F4 from a person's view starts a contact for them, on the dashboard.
        app.push_screen(PersonScreen("P0000004"))
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        assert [type(s).__name__ for s in _above_home(app)] == ["LogContactScreen"]
        assert getattr(app.screen, "person_ref", "P0000004") == "P0000004"
