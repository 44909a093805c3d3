"""The court screen (docs/INCOME_COURT.md, "The screen"), driven through the real app at 80x24, keyboard only.
The services behind it are tested on both databases (test_court.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import NOW, seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from sqlalchemy import text

from duty_tui.areas.income.db.models import ArrearsNotice, RecoveryAction
from duty_tui.areas.income.tui.court import CourtScreen
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry


def _seed(engine) -> None:
    """RNT000003 (Ms A Khan) owing £500, a NOSP in force from 6 Feb 2026, the apply_for_possession step taken."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        account = dict(s.execute(text("SELECT ref, id FROM account")).all())["RNT000003"]
        s.add(LedgerEntry(account_id=account, effective_date=date(2026, 3, 6), posted_at=NOW - timedelta(days=4),
                          kind="rent_debit", amount_pence=50000))
        s.add(ArrearsNotice(account_id=account, kind="nosp", served_on=date(2026, 1, 5), method="by_hand",
                            proceedings_from=date(2026, 2, 6), lapses_on=date(2027, 2, 6), arrears_pence=37500,
                            weekly_rent_pence=12500, tenants="Ms Aisha Khan", created_at=NOW))
        s.add(RecoveryAction(account_id=account, action="apply_for_possession", taken_on=date(2026, 3, 2),
                             created_at=NOW))


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


async def _open(app, pilot) -> CourtScreen:
    screen = CourtScreen("rnt000003")
    app.push_screen(screen)
    await settle(app, pilot, 3)
    assert app.screen is screen
    return screen


@pytest.mark.sqlite_only  # the screen, not the data
async def test_cpr_55_5_3_an_officer_records_a_claim_the_early_hearing_is_refused_and_the_typing_kept(engine):
    from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog
    from duty_tui.core.tui.kit.form_screen import FormDialog

    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open(app, pilot)
        assert "No possession claim is recorded on RNT000003" in _flat(app)
        await pilot.press("c")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog) and "RNT000003" in dialog.form_title
        dialog.form.set_value("issued_on", "09/03/2026")
        dialog.form.set_value("claim_number", "K00SN123")
        dialog.form.set_value("costs", "355.00")
        dialog.form.set_value("hearing_on", "20/03/2026")  # 11 days after issue: refused by the service
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert app.screen is dialog and "the earliest hearing is 06/04/2026" in _flat(app)
        assert dialog.form.values()["claim_number"] == "K00SN123"  # nothing typed is lost
        dialog.form.input("hearing_on").focus()
        await pilot.press(*["backspace"] * 10, *keys("20/04/2026"))
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert app.screen is screen
        shown = _flat(app)
        assert "Claim recorded on RNT000003" in shown and "posted to CCT000001" in shown
        assert [k.split(":")[0] for k in screen.table.keys] == ["claim", "hearing"]
        # p: the court pack through the send-document dialog; Escape closes it
        await pilot.press("p")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, SendDocumentDialog)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is not screen
    with engine.connect() as c:
        assert c.execute(text("SELECT hearing_on FROM court_hearing")).scalar() in (date(2026, 4, 20), "2026-04-20")


@pytest.mark.sqlite_only
async def test_reception_sees_the_court_record_but_may_not_record_a_claim(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        screen = await _open(app, pilot)
        for key in ("c", "h", "d", "w"):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.screen is screen
            assert "may not record the court" in _flat(app)
