"""Type-ahead at machine pace: a burst of keys (one terminal read) goes where it was meant to go.

The known case: ``leader⏎password⏎`` typed in one burst at the sign-in box used to put the
password, in clear, into the username box. 80x24."""

from __future__ import annotations

import pytest
from builders import PASSWORD, seed_office
from pilot import build_app, settle
from textual import events
from textual.widgets import Input

from duty_tui.core.tui.screens.home import HomeScreen
from duty_tui.core.tui.screens.login import LoginScreen

SIZE = (80, 24)


def burst(app, text: str) -> None:
    """Post every key at once, as a terminal read delivers them (no pause for the app between keys)."""
    for char in text:
        if char == "\r":
            app.post_message(events.Key("enter", "\r"))
        else:
            app.post_message(events.Key(char, char))


@pytest.mark.sqlite_only  # the keys, not the data
async def test_a_burst_after_enter_on_the_username_goes_to_the_password_and_signs_in(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        burst(app, "leader\r" + PASSWORD)
        await settle(app, pilot)
        assert app.screen.query_one("#username", Input).value == "leader"  # no password in clear here
        assert app.screen.query_one("#password", Input).value == PASSWORD
        burst(app, "\r")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
