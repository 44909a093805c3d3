"""The arrears worklist screen (docs/INCOME.md, "The worklist screen"), driven through the real app at
80x24, keyboard only. The worklist's service is tested on both databases (test_worklist.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import NOW, seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from sqlalchemy import text

from duty_tui.areas.income.tui.recovery import RecoveryAccountScreen
from duty_tui.areas.income.tui.worklist import ArrearsWorklistScreen
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.tui.kit.dialogs import ConfirmDialog
from duty_tui.core.tui.screens.person import PersonScreen


def _seed(engine) -> None:
    """The builders' office, with RNT000003 (Aisha Khan's) owing £500 and RNT000002 £280: letter 1 due today."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        ids = dict(s.execute(text("SELECT ref, id FROM account")).all())
        for ref, pence in (("RNT000003", 50000), ("RNT000002", 30000)):
            s.add(LedgerEntry(account_id=ids[ref], effective_date=date(2026, 3, 6), posted_at=NOW - timedelta(days=4),
                              kind="rent_debit", amount_pence=pence))


async def _open_from_palette(app, pilot) -> ArrearsWorklistScreen:
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await pilot.press(*keys("arrears worklist"))
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot, 3)
    assert isinstance(app.screen, ArrearsWorklistScreen)
    return app.screen


def _steps(engine) -> list[tuple]:
    with engine.connect() as c:
        return c.execute(text("SELECT a.ref, r.action FROM recovery_action r JOIN account a ON a.id = r.account_id"
                              )).all()


@pytest.mark.sqlite_only  # the screen, not the data
async def test_an_income_officer_works_the_immediate_tab_records_a_step_and_opens_the_person(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open_from_palette(app, pilot)
        assert screen.table.keys[0] == "RNT000003"  # largest first
        shown = screen_text(app)
        assert "[1 Immediate]" in shown and "500.00" in shown and "letter 1" in shown
        assert "Next: Send the first arrears letter, due 10/03/2026" in shown
        assert "Why: Owes £500.00, 4.0 weeks' rent; last paid 8 days ago" in shown  # the policy's sentence
        # the other tabs: all has every account; evictions says why it is empty
        await pilot.press("5")
        await settle(app, pilot)
        assert screen.table.keys == [] and "no account in arrears has an eviction booked" in " ".join(
            screen_text(app).split()).lower()
        await pilot.press("6")
        await settle(app, pilot)
        assert set(screen.table.keys) == {"RNT000001", "RNT000002", "RNT000003"}
        await pilot.press("1")
        await settle(app, pilot)
        # a: asks, naming the step and the account; y records it and the account moves on
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog) and "RNT000003" in app.screen.question
        assert "letter_1" in app.screen.question
        await pilot.press("y")
        await settle(app, pilot, 3)
        assert ("RNT000003", "letter_1") in _steps(engine)
        assert "Recorded on RNT000003" in screen_text(app)
        assert "RNT000003" not in screen.table.keys  # the next step is not due yet
        # Enter opens the account's recovery: why, and the step just recorded; h there opens the person
        await pilot.press("6")
        await settle(app, pilot)
        assert screen.table.move_to_key("RNT000003")
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, RecoveryAccountScreen) and app.screen.ref == "RNT000003"
        shown = " ".join(screen_text(app).split())
        assert "RNT000003" in shown and "Ms A Khan" in shown and "owes £500.00" in shown
        assert "Why: " in shown and "Step: letter 1" in shown and "10/03/2026" in shown
        assert "10/03/2026 Step: letter 1 (by Ian Income)" in shown  # the highlighted line in full
        await pilot.press("h")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, PersonScreen) and app.screen.ref == "P0000004"
        # (two screens stand on the dashboard at most: the person takes the account screen's place)
        await pilot.press("escape")
        await settle(app, pilot, 3)
        assert app.screen is screen
        # h on the worklist opens the holder straight away
        assert screen.table.move_to_key("RNT000003")
        await pilot.press("h")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, PersonScreen) and app.screen.ref == "P0000004"


@pytest.mark.sqlite_only
async def test_reception_sees_the_worklist_but_is_refused_recording_and_pausing(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        screen = await _open_from_palette(app, pilot)
        assert screen.table.keys
        for key in ("a", "p"):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.screen is screen
            assert "may not record arrears recovery" in " ".join(screen_text(app).split())
        assert _steps(engine) == []


@pytest.mark.sqlite_only
async def test_p_pauses_with_a_reason_and_a_day_the_service_checks_and_the_account_moves_to_paused(engine):
    from duty_tui.core.tui.kit.form_screen import FormDialog

    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open_from_palette(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog) and "RNT000003" in dialog.form_title
        dialog.form.set_value("reason", "promise_to_pay")
        dialog.form.set_value("until", "10/03/2026")  # today: refused by the service, said in the form
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert app.screen is dialog and "is not after today" in " ".join(screen_text(app).split())
        # Typed as a person mends it: the refused date cleared with backspaces, the new one keyed at once.
        await pilot.press(*["backspace"] * 10, *keys("24/03/2026"))
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert app.screen is screen and "RNT000003 paused until 24/03/2026" in screen_text(app)
        await pilot.press("2")
        await settle(app, pilot)
        assert screen.table.keys == ["RNT000003"]
        assert "Paused until 24/03/2026: a promise to pay" in screen_text(app)


@pytest.mark.sqlite_only
async def test_w_on_the_dashboard_opens_the_arrears_worklist_for_an_income_officer_only(engine):
    from duty_tui.core.tui.screens.home import HomeScreen

    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        assert isinstance(app.screen, HomeScreen) and "Worklist" in screen_text(app)
        await pilot.press("w")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, ArrearsWorklistScreen) and app.screen.table.keys[0] == "RNT000003"
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")  # may not work arrears: w is not offered
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.sqlite_only
async def test_square_brackets_page_through_a_tab_longer_than_a_page(engine, monkeypatch):
    from duty_tui.areas.income.tui import worklist as screen_module

    monkeypatch.setattr(screen_module, "PAGE", 1)  # three accounts in arrears: three pages of one
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open_from_palette(app, pilot)
        await pilot.press("6")
        await settle(app, pilot, 3)
        assert screen.table.keys == ["RNT000003"]
        seen = []
        for _ in range(2):
            await pilot.press("right_square_bracket")
            await settle(app, pilot, 3)
            seen.append(screen.table.keys[0])
        assert seen == ["RNT000002", "RNT000001"]  # largest first, a page at a time
        assert screen.table.cursor_row == 0
        assert "3–3 of 3 accounts in arrears" in " ".join(screen_text(app).split())
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert "That is the last page." in screen_text(app) and screen.table.keys == ["RNT000001"]
        await pilot.press("left_square_bracket")
        await settle(app, pilot, 3)
        assert screen.table.keys == ["RNT000002"]
        await pilot.press("1")  # another tab starts at its first page
        await settle(app, pilot, 3)
        assert screen.first == 0


@pytest.mark.sqlite_only
async def test_f_narrows_to_my_accounts_then_my_team_s_then_all(engine):
    _seed(engine)
    with engine.begin() as c:  # the builders' arrears case (assigned to leader, income team) on Smith's tenancy
        c.execute(text("UPDATE work_case SET tenancy_id = (SELECT tenancy_id FROM account WHERE ref = 'RNT000001') "
                       "WHERE ref = 'C0000002'"))
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open_from_palette(app, pilot)
        await pilot.press("6")
        await settle(app, pilot, 3)
        assert len(screen.table.keys) == 3
        await pilot.press("f")  # mine: no open arrears case is assigned to this officer
        await settle(app, pilot, 3)
        assert screen.table.keys == [] and "Mine (f): " in screen_text(app)
        await pilot.press("f")  # my team's: the income team's case
        await settle(app, pilot, 3)
        assert screen.table.keys == ["RNT000001"] and "My team's (f): " in screen_text(app)
        await pilot.press("f")
        await settle(app, pilot, 3)
        assert len(screen.table.keys) == 3 and "(f)" not in screen_text(app)
