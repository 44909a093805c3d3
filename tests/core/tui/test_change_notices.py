"""Change notices in the app: a save reloads every open screen showing that record — on this
terminal at once, on another terminal (its own engine, so only the database carries it) within
2 seconds — with no `r` pressed. 80x24."""

from __future__ import annotations

import time

from builders import seed_office
from pilot import build_app, quick_sign_in, settle

from duty_tui.areas.frontdesk.services import contacts
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.areas.payments.tui.account import AccountScreen
from duty_tui.core.db.engine import make_engine
from duty_tui.core.tui.screens.person import PersonScreen
from duty_tui.core.tui.widgets.table import DutyTable

SIZE = (80, 24)


def _rows(app, table_id: str) -> int:
    return app.screen.query_one(table_id, DutyTable).row_count


async def _until(app, pilot, condition, seconds: float) -> float:
    """Pump ``app`` until ``condition()``; the seconds it took (AssertionError after ``seconds``)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        if condition():
            return time.monotonic() - start
    raise AssertionError(f"not reloaded within {seconds} s")


async def test_a_contact_saved_on_one_terminal_reloads_the_person_view_here_at_once_and_there_within_2s(engine):
    seed_office(engine)
    other = make_engine(engine.url.render_as_string(hide_password=False))
    desk1, desk2 = build_app(engine, terminal="desk-1"), build_app(other, terminal="desk-2")
    try:
        async with desk1.run_test(size=SIZE) as p1, desk2.run_test(size=SIZE) as p2:
            await quick_sign_in(desk1, p1, "reception")
            await quick_sign_in(desk2, p2, "leader")
            for app, pilot in ((desk1, p1), (desk2, p2)):
                app.push_screen(PersonScreen("P0000004"))
                await settle(app, pilot)
            before = _rows(desk1, "#contacts"), _rows(desk2, "#contacts")
            cases_before = _rows(desk2, "#cases-table")
            # Desk 1 saves a contact (what its contact screen's worker calls), acting as its own user.
            contacts.log_contact(desk1.ctx, ContactDraft(
                channel="phone", reasons=("repairs.report",), outcome="routed", person_ref="P0000004"))
            await settle(desk1, p1)
            assert _rows(desk1, "#contacts") == before[0] + 1  # this terminal: at once, no key pressed
            await _until(desk2, p2, lambda: _rows(desk2, "#contacts") == before[1] + 1, 2.0)
            assert _rows(desk2, "#cases-table") == cases_before + 1  # the case it opened is listed too
    finally:
        other.dispose()


async def test_a_payment_reloads_the_statement_on_show_and_the_person_view_underneath_when_back(engine):
    from duty_tui.areas.payments.domain.rules import SplitLine
    from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment

    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        app.push_screen(PersonScreen("P0000001"))
        await settle(app, pilot)
        app.push_screen(AccountScreen("RNT000001"))
        await settle(app, pilot)
        loads = {"person": 0}
        person = app.screen_stack[-2]
        original = person.load

        def counting_load():
            loads["person"] += 1
            return original()

        person.load = counting_load
        statement_rows = _rows(app, "#acct-rows")
        # Cash at the counter, as this terminal's payment screen's worker takes it.
        take_payment(app.ctx, PaymentRequest("k-change-1", "cash", (SplitLine("RNT000001", 1234),), till_code="TILL1"))
        await settle(app, pilot)
        assert _rows(app, "#acct-rows") == statement_rows + 1  # the statement on show reloaded at once
        assert loads["person"] == 0  # the person view underneath waits until it is shown again
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, PersonScreen) and loads["person"] == 1
