"""The serve-a-notice screen (docs/INCOME_NOTICES.md, "The screen"), driven through the real app at 80x24,
keyboard only. The services are tested on both databases (test_notices.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import NOW, person, seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from sqlalchemy import text

from duty_tui.areas.income.tui.notice import ServeNoticeScreen
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import HouseholdMember, LedgerEntry
from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog
from duty_tui.core.tui.kit.dialogs import ConfirmDialog


def _seed(engine) -> None:
    """The builders' office; RNT000003 (Ms Aisha Khan and her joint tenant Mr Omar Khan, secure) owes £500."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        account = s.execute(text("SELECT id FROM account WHERE ref = 'RNT000003'")).scalar()
        s.add(LedgerEntry(account_id=account, effective_date=date(2026, 3, 6), posted_at=NOW - timedelta(days=4),
                          kind="rent_debit", amount_pence=50000))
        omar = person("P0000006", "Omar", "Khan", date(1985, 2, 3), title="Mr")
        s.add(omar)
        s.flush()
        household = s.execute(text("SELECT id FROM household WHERE ref = 'H0000003'")).scalar()
        s.add(HouseholdMember(household_id=household, person_id=omar.id, relationship="joint tenant"))
        s.execute(text("UPDATE person SET title = 'Ms' WHERE ref = 'P0000004'"))


def _notices(engine) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT kind, method, particulars FROM arrears_notice")).all()]


async def _open(app, pilot, results: list) -> ServeNoticeScreen:
    await quick_sign_in(app, pilot, "income")
    app.push_screen(ServeNoticeScreen("rnt000003"), results.append)
    await settle(app, pilot, 3)
    assert isinstance(app.screen, ServeNoticeScreen)
    return app.screen


@pytest.mark.sqlite_only  # the screen, not the data
async def test_s83_nosp_served_from_the_screen_a_too_early_date_refused_naming_the_earliest_and_kept(engine):
    _seed(engine)
    app = build_app(engine)
    results: list = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, results)
        shown = " ".join(screen_text(app).split())
        for words in ("RNT000003 · Notice seeking possession", "Tenants: Ms Aisha Khan, Mr Omar Khan",
                      "Owes £500.00 · rent £125.00 a week · 4.00 weeks", "earliest date 12/04/2026",
                      "Served on", "How served", "Date specified", "Particulars", "f9 Serve"):
            assert words in shown, words  # everything, the footer's serve key too, at 80x24
        form = screen.form
        assert (form.value("served_on"), form.value("proceedings_from")) == ("10/03/2026", "12/04/2026")
        # served on Sunday 08/03 instead: the dates are read again and the date specified follows the earliest
        await pilot.press(*["backspace"] * 10, *keys("08/03/2026"))
        await settle(app, pilot, 3)
        assert form.value("proceedings_from") == "05/04/2026"
        assert "Served 08/03/2026: earliest date 05/04/2026" in " ".join(screen_text(app).split())
        await pilot.press(*["backspace"] * 10, *keys("10/03/2026"))
        await settle(app, pilot, 3)
        assert form.value("proceedings_from") == "12/04/2026"
        # Tab to the date specified; a day too early is refused beside the field, naming the earliest
        await pilot.press("tab", "tab", *["backspace"] * 10, *keys("11/04/2026"), "f9")
        await settle(app, pilot, 3)
        assert "the earliest valid date is 12/04/2026" in form.shown("proceedings_from")
        assert form.value("proceedings_from") == "11/04/2026" and _notices(engine) == []
        await pilot.press(*["backspace"] * 10, *keys("12/04/2026"), "tab", *keys("Nothing paid since January"))
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, SendDocumentDialog)  # the letter is offered at once
        assert _notices(engine) == [("nosp", "by_hand", "Nothing paid since January")]
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, (SendDocumentDialog, ServeNoticeScreen))
        assert len(results) == 1 and results[0].proceedings_from == date(2026, 4, 12)
        assert results[0].tenants == ("Ms Aisha Khan", "Mr Omar Khan")


@pytest.mark.sqlite_only
async def test_escape_leaves_at_once_when_nothing_was_typed_and_asks_when_something_was(engine):
    _seed(engine)
    app = build_app(engine)
    results: list = []
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, results)
        await pilot.press("escape")
        await settle(app, pilot)
        assert results == [None] and not isinstance(app.screen, ServeNoticeScreen)
        screen = await _open(app, pilot, results)
        await pilot.press("tab", "tab", "tab", *keys("promised"))
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # no, stay: the typing is still there
        await settle(app, pilot)
        assert app.screen is screen and screen.form.value("particulars") == "promised"
        assert _notices(engine) == []


@pytest.mark.sqlite_only
async def test_a_tenancy_without_s14a_steps_says_why_no_s14_notice_can_be_served(engine):
    _seed(engine)
    with session_scope(engine, write=True) as s:
        s.execute(text("UPDATE tenancy SET tenancy_type = 'scottish_secure' WHERE ref = 'T00003'"))
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, [])
        shown = " ".join(screen_text(app).split())
        assert "no notice can be served on 10/03/2026" in shown and "s14a_information" in shown
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert "Not served" in " ".join(screen_text(app).split()) and _notices(engine) == []
