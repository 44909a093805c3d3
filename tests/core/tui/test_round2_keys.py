"""Issue 11 round 2 (R1): keys found by staff in the merged app at 80x24.

The person picker's "new person" starts with what was typed; money boxes take only money and
leave bindings working; an area a role cannot use says so at once.
"""

from __future__ import annotations

import pytest
from builders import PASSWORD, seed_office
from pilot import SIZE, build_app, human, keys, screen_text, settle, sign_in, wait_for
from textual import events
from textual.widgets import Input, TabbedContent

from duty_tui.core.tui.kit.form import Form


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


@pytest.mark.sqlite_only  # the keys, not the data (the cash payment journey runs on both databases)
async def test_the_amount_box_takes_only_money_and_slash_still_finds(engine):
    from duty_tui.areas.payments.tui.payment import TakePaymentScreen

    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception")
        await pilot.press("f5")
        await wait_for(app, pilot, lambda: isinstance(app.screen, TakePaymentScreen))
        await settle(app, pilot)
        await human(pilot, "=RNT000001")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")  # choose the highlighted account: the cursor goes to the amount
        await settle(app, pilot)
        screen = app.screen
        amount = screen.query_one("#pay-amount", Input)
        assert screen.focused is amount
        await human(pilot, "=12x.5.05")  # a letter, a second point, a third pence digit: refused
        await settle(app, pilot)
        assert amount.value == "12.50"
        assert "digit" in screen_text(app) or "point" in screen_text(app)  # said beside the box
        await human(pilot, "=c")  # a letter the screen binds (cash-up) is not a cash-up from the amount
        await settle(app, pilot)
        assert app.screen is screen and amount.value == "12.50"
        assert "'c' cannot go in an amount" in screen_text(app)
        await pilot.press("slash")  # Find works from the amount box ...
        await settle(app, pilot)
        assert screen.focused is screen.query_one("#pay-find", Input)
        assert amount.value == "12.50"  # ... and is not typed into it


# ----------------------------------------------------------------------------- type-ahead (machine pace)

def burst(app, *names: str) -> None:
    """Post keys at once, as one terminal read delivers them (no pause for the app between them)."""
    characters = {"tab": "\t", "enter": "\r"}
    for name in names:
        app.post_message(events.Key(name, name if len(name) == 1 else characters.get(name)))


@pytest.mark.sqlite_only  # the keys, not the data
async def test_f4_typed_behind_the_password_opens_the_contact_form_once_signed_in(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        burst(app, *"reception", "enter", *PASSWORD, "enter", "f4")
        await wait_for(app, pilot, lambda: type(app.screen).__name__ == "LogContactScreen")
        await settle(app, pilot)  # let the contact form finish mounting before the app closes
        assert type(app.screen).__name__ == "LogContactScreen"  # held while the password was checked, then F4


@pytest.mark.sqlite_only
async def test_username_tab_password_typed_at_launch_land_in_their_boxes(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, *"options", "tab", *"demo")
        await settle(app, pilot)
        assert app.screen.query_one("#username", Input).value == "options"
        assert app.screen.query_one("#password", Input).value == "demo"


@pytest.mark.sqlite_only
async def test_f2_a_full_ref_enter_and_a_tab_key_typed_at_once_open_that_person_on_that_tab(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception")
        burst(app, "f2", *"P0000004", "enter", "3")
        await wait_for(app, pilot, lambda: type(app.screen).__name__ == "PersonScreen"
                       and app.screen.view is not None)
        await settle(app, pilot)
        assert app.screen.ref == "P0000004"
        assert app.screen.query_one(TabbedContent).active == "accounts"  # the 3 was not lost


# ----------------------------------------------------------------------------- areas a role cannot use

@pytest.mark.sqlite_only  # permissions from data/roles.toml, not the database
async def test_f8_for_a_role_without_the_callers_board_says_so_at_once_and_is_not_offered(engine):
    from duty_tui.core.tui.screens.home import HomeScreen

    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "income")
        assert isinstance(app.screen, HomeScreen)
        offered = {binding.action for binding in (b.binding for b in app.screen.active_bindings.values())}
        assert "open_area('callers')" not in offered  # not in the footer
        assert "open_area('approach')" not in offered
        assert "open_area('payment')" in offered  # what the role does use is still there
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Callers waiting" not in titles and "Take a payment" in titles  # nor the palette
        await pilot.press("f8")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)  # no empty board "Loading the queue…" for ever
        text = " ".join(n.message for n in app._notifications)  # the toast (drawn on its own layer)
        assert "may not use the callers board" in text and "callers.manage" in text
        await pilot.press("f6")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "may not triage homelessness approaches" in " ".join(n.message for n in app._notifications)
