"""The Direct debits screen at 80x24: a mandate added from the keyboard, field by field with Tab; a sort
code and account number failing the modulus check is refused naming the rule and the fix, with nothing
typed lost; then the mandate is listed, paused, and its history shown."""

from __future__ import annotations

import pytest
from builders import NOW, seed_office
from pilot import SIZE, build_app, human, screen_text, settle, sign_in, wait_for
from textual.widgets import Static

from duty_tui.areas.payments.tui.direct_debits import DirectDebitsScreen


@pytest.mark.sqlite_only  # the screen; the services under it run on both databases (test_dd_service.py)
async def test_add_a_mandate_from_the_keyboard_refused_then_fixed_then_paused(engine):
    seed_office(engine)
    app = build_app(engine, now=NOW)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "leader", paste_over=8)
        app.push_screen(DirectDebitsScreen())
        await settle(app, pilot)
        assert "No direct debit mandates yet" in screen_text(app)
        await human(pilot, "a")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "FormDialog"
        await human(pilot, "=RNT000001", "tab", "=SMITHDD01", "tab", "=J SMITH", "tab", "=089999", "tab",
                    "=66374959", "tab", "=1", "tab", "tab", "=400", "tab", "=25", "tab", "=01/04/2026")
        await human(pilot, "f9")
        await settle(app, pilot)
        refused = await wait_for(app, pilot, lambda: "modulus check" in screen_text(app))
        assert refused, screen_text(app)
        assert type(app.screen).__name__ == "FormDialog"
        assert "statement" in screen_text(app)
        assert app.screen.form.values()["reference"] == "SMITHDD01"  # nothing typed is lost
        app.screen.form.input("account_number").value = ""
        app.screen.form.input("account_number").focus()
        await human(pilot, "=66374958", "f9")
        closed = await wait_for(app, pilot, lambda: type(app.screen).__name__ == "DirectDebitsScreen")
        assert closed, screen_text(app)
        await settle(app, pilot)
        shown = screen_text(app)
        assert "SMITHDD01" in shown and "£425.00" in shown and "active" in shown
        await human(pilot, "p")
        paused = await wait_for(app, pilot, lambda: "now paused" in screen_text(app, widgets=Static))
        assert paused, screen_text(app)
        await settle(app, pilot)
        await human(pilot, "enter")
        await settle(app, pilot)
        history = screen_text(app, widgets=Static)
        assert "added (active)" in history and "paused (paused)" in history, history


@pytest.mark.sqlite_only
async def test_d_on_an_account_opens_its_direct_debits_with_the_account_filled_in(engine):
    from duty_tui.areas.payments.tui.account import AccountScreen

    seed_office(engine)
    app = build_app(engine, now=NOW)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "leader", paste_over=8)
        app.push_screen(AccountScreen("RNT000001"))
        await settle(app, pilot)
        await human(pilot, "d")
        opened = await wait_for(app, pilot, lambda: type(app.screen).__name__ == "DirectDebitsScreen")
        assert opened, screen_text(app)
        await settle(app, pilot)
        await human(pilot, "a")
        await settle(app, pilot)
        assert app.screen.form.values()["account"] == "RNT000001"
