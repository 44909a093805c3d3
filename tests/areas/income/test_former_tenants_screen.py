"""The former tenant arrears screen (docs/INCOME_FORMER_TENANTS.md), driven through the real app at 80x24,
keyboard only. The services under it are tested on both databases (test_former_tenants.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle, wait_for
from sqlalchemy import text

from duty_tui.areas.income.tui.former_tenants import FormerTenantAccountScreen, FormerTenantsScreen
from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog
from duty_tui.core.tui.kit.dialogs import ConfirmDialog
from duty_tui.core.tui.kit.form_screen import FormDialog


def shown(app) -> str:
    return " ".join(screen_text(app).split())


async def _open(app, pilot) -> FormerTenantsScreen:
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await pilot.press(*keys("former tenant arrears"))
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot, 3)
    assert isinstance(app.screen, FormerTenantsScreen)
    return app.screen


def _moves(engine) -> list[tuple]:
    with engine.connect() as c:
        return c.execute(text("SELECT external_id, amount_pence FROM ledger_entry WHERE external_id LIKE "
                              "'former-tenant:%' ORDER BY id")).all()


@pytest.mark.sqlite_only  # the screen, not the data
async def test_an_income_officer_moves_a_final_balance_sends_the_letter_of_claim_and_records_it(engine, tmp_path):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open(app, pilot)
        assert screen.table.keys == ["FTA000001"] and "640.00" in shown(app)
        assert "no letter of claim sent yet (l)" in shown(app)
        # m: a former tenant account is refused in the form, and what was typed stays
        await pilot.press("m")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        await pilot.press(*keys("FTA000001"), "enter", "enter", *keys("Notice given"), "enter")
        await settle(app, pilot, 3)
        assert app.screen is dialog and "FTA000001 is a former tenant account" in shown(app)
        assert dialog.form.values()["account"] == "FTA000001"
        # mended by keystrokes: the ref cleared and typed again, F9 checks it; the balance is shown first
        dialog.form.input("account").focus()
        await pilot.press("end", *["backspace"] * 9, *keys("RNT000001"), "f9")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, ConfirmDialog)
        question = app.screen.question
        assert "Move £152.50 from RNT000001 (Mr J Smith) to a new former tenant account" in question
        assert "Tenancy T00001 ends 10/03/2026" in question and "Why: Notice given" in question
        assert _moves(engine) == []
        await pilot.press("y")
        await settle(app, pilot, 3)
        assert app.screen is screen and "moved to former tenant account FTA000002" in shown(app)
        assert [m[1] for m in _moves(engine)] == [-15250, 15250]
        assert screen.table.keys == ["FTA000001", "FTA000002"]
        # l: the letter of claim through the send dialog (saved as a file here), then recorded
        assert screen.table.move_to_key("FTA000002")
        await pilot.press("l")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, SendDocumentDialog)
                              and app.screen.options is not None)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, FormDialog) and "Record the letter of claim" in app.screen.form_title
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert app.screen is screen
        assert "reply due by 09/04/2026" in shown(app) and "09/04/26" in shown(app)
        saved = [p for p in Path(tmp_path / "xdg" / "data").rglob("letter_of_claim_FTA000002*.txt")]
        assert saved and "LETTER OF CLAIM" in saved[0].read_text(encoding="utf-8")
        # Enter: the account in full, the limitation date marked to confirm
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, FormerTenantAccountScreen)
        assert "Limitation — to confirm" in shown(app) and "from RNT000001" in shown(app)
        assert "sent first class post" in shown(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


@pytest.mark.sqlite_only
async def test_reception_sees_the_list_but_may_not_move_a_balance(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        screen = await _open(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert app.screen is screen and "may not record arrears recovery" in shown(app)
        assert _moves(engine) == []
