"""The pre-action protocol screen (docs/INCOME_PROTOCOL.md), driven through the real app at 80x24,
keyboard only. The services are tested on both databases (test_protocol.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import NOW, seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from sqlalchemy import select, text

from duty_tui.areas.income.db.models import ArrearsNotice, ManagedPayment, ProtocolStep
from duty_tui.areas.income.tui.protocol import ProtocolScreen, StepForm
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry, table_of
from duty_tui.core.tui.kit.form_screen import FormDialog


def _seed(engine) -> None:
    """RNT000003 owes £500 with a notice seeking possession in force, and four protocol steps done."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        account_id = s.execute(text("SELECT id FROM account WHERE ref = 'RNT000003'")).scalar()
        s.add(LedgerEntry(account_id=account_id, effective_date=date(2026, 1, 5), posted_at=NOW - timedelta(days=60),
                          kind="rent_debit", amount_pence=50000))
        s.add(ArrearsNotice(account_id=account_id, kind="nosp", served_on=date(2026, 1, 12), method="by_hand",
                            proceedings_from=date(2026, 2, 15), arrears_pence=40000, weekly_rent_pence=12500,
                            tenants="Ms A Khan", created_at=NOW - timedelta(days=57)))
        for n, step in enumerate(("contact_made", "payment_plan_offered", "benefits_help_offered",
                                  "advice_signposted")):
            s.execute(text("INSERT INTO protocol_step (account_id, step, done_on, evidence, created_at) "
                           "VALUES (:a, :s, :d, :e, :c)"),
                      {"a": account_id, "s": step, "d": date(2026, 2, 1 + n), "e": f"letter L{n}", "c": NOW})


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


def _rows(engine, model) -> list:
    table = table_of(model)
    with engine.connect() as c:
        return list(c.execute(select(table).order_by(table.c.id)).all())


async def _open(app, pilot) -> ProtocolScreen:
    app.push_screen(ProtocolScreen("RNT000003"))
    await settle(app, pilot, 3)
    assert isinstance(app.screen, ProtocolScreen)
    return app.screen


@pytest.mark.sqlite_only  # the screen, not the data
async def test_protocol_screen_checklist_gate_and_a_step_recorded_keeping_what_was_typed_when_refused(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open(app, pilot)
        shown = _flat(app)
        assert "RNT000003 Ms A Khan · secure tenancy · England" in shown
        assert ("✗ Cannot apply for possession yet: record these protocol steps first: rent statements provided, "
                "vulnerability considered.") in shown
        assert "✓ contact made 01/02/2026 letter L0" in shown and "· rent statements provided outstanding" in shown
        assert "esc Back" in shown and "s Step" in shown and "m UC move" in shown  # the footer says the keys
        # s: the first outstanding step is offered with the evidence that counts for it
        await pilot.press("s")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, StepForm) and dialog.form.value("step") == "statements_provided"
        await pilot.press("tab", "tab")  # to the evidence box: what counts is said under it
        await settle(app, pilot)
        assert "Evidence that counts: Which statement was sent" in _flat(app)
        await pilot.press("shift+tab", "shift+tab", "down")  # the next outstanding step: its hint follows
        await settle(app, pilot)
        assert dialog.form.value("step") == "vulnerability_considered"
        # a day in the future, evidence typed: the service refuses; what was typed stays
        await pilot.press("tab", *["backspace"] * 10, *keys("11/03/2026"), "tab", *keys("Capacity checked at visit"))
        await settle(app, pilot)
        assert "Evidence that counts: What was considered and found" in _flat(app)
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert app.screen is dialog and "is in the future" in _flat(app)
        assert dialog.form.value("evidence") == "Capacity checked at visit"
        # the cursor is in the refused field: mended by keystrokes, as a person does
        await pilot.press(*["backspace"] * 10, *keys("09/03/2026"), "f9")
        await settle(app, pilot, 3)
        assert app.screen is screen and "Recorded on RNT000003: vulnerability considered, 09/03/2026." in _flat(app)
        assert [(r.step, r.done_on, r.evidence) for r in _rows(engine, ProtocolStep)][-1] == (
            "vulnerability_considered", date(2026, 3, 9), "Capacity checked at visit")
        assert "✓ vulnerability considered 09/03/2026 Capacity checked at visit" in _flat(app)
        assert "first: rent statements provided." in _flat(app)
        # Esc leaves
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ProtocolScreen)


@pytest.mark.sqlite_only
async def test_protocol_screen_benefit_claim_holds_the_gate_until_decided_and_uc_managed_payment_moves_on(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "income")
        screen = await _open(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("f9")  # nothing chosen: the form says so and stays
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog) and "choose one" in app.screen.form.shown("kind")
        await pilot.press("down", "f9")
        await settle(app, pilot, 3)
        assert app.screen is screen and "housing benefit claim made 10/03/2026" in _flat(app)
        assert "a housing benefit claim made 10/03/2026 is awaiting decision" in _flat(app)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("down", "f9")  # awarded, today
        await settle(app, pilot, 3)
        assert app.screen is screen and "claim awarded 10/03/2026" in _flat(app)
        assert "is awaiting decision" not in _flat(app)
        # u: a UC managed payment requested; m: approved
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press("tab", *keys("APA1 sent"), "f9")
        await settle(app, pilot, 3)
        assert app.screen is screen and "UC managed payment 10/03/2026 requested 10/03/2026" in _flat(app)
        await pilot.press("m")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog) and app.screen.form.value("state") == "approved"
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert "UC managed payment 10/03/2026 approved 10/03/2026" in _flat(app)
        assert [(r.state, r.note) for r in _rows(engine, ManagedPayment)] == [("approved", "APA1 sent")]


@pytest.mark.sqlite_only
async def test_protocol_screen_refuses_recording_to_a_role_without_arrears_manage(engine):
    _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        screen = await _open(app, pilot)
        for key in ("s", "b", "u"):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.screen is screen and "may not record the pre-action protocol" in _flat(app)
        assert len(_rows(engine, ProtocolStep)) == 4
