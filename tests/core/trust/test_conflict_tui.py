"""Concurrent edits in the TUI: two terminals, the same record; the second save shows both versions and
keeps every typed value (SQLite, 80x24, keyboard only)."""

from __future__ import annotations

from builders import NOW, seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from sqlmodel import select
from textual.widgets import Input

from duty_tui.areas.frontdesk.db.models import CaseEvent
from duty_tui.areas.frontdesk.tui.case import CaseScreen
from duty_tui.areas.housing_options.services.approach import save_approach
from duty_tui.areas.housing_options.services.case_view import get_housing_case
from duty_tui.areas.housing_options.tui.approach import ApproachScreen
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.models import Case
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.tui.dialogs.conflict import ConflictDialog
from duty_tui.core.tui.kit.form_screen import FormDialog

FAMILY = {"approach_date": "10/03/2026", "eligible": "unknown", "homeless": "no", "s21_expiry": "20/04/2026",
          "priority_state": "grounds", "priority_grounds": ["dependent_children"], "household": "partner 35",
          "loss_reason": "end_ast", "current_accommodation": "private_rented",
          "last_settled_accommodation": "private_rented"}


async def test_two_terminals_saving_the_same_case_show_both_versions_and_keep_the_typing(sqlite_engine):
    seed_office(sqlite_engine)
    other = make_engine(sqlite_engine.url.render_as_string(hide_password=False))
    desk1, desk2 = build_app(sqlite_engine, "desk-1"), build_app(other, "desk-2")
    reason = "tenant in tears on the phone"
    try:
        async with desk1.run_test(size=SIZE) as p1, desk2.run_test(size=SIZE) as p2:
            await quick_sign_in(desk1, p1, "leader", rounds=1)
            await quick_sign_in(desk2, p2, "income", rounds=1)
            desk1.push_screen(CaseScreen("C0000001"))
            desk2.push_screen(CaseScreen("C0000001"))
            await settle(desk1, p1, rounds=1)
            await settle(desk2, p2, rounds=1)
            # Desk 2 starts escalating and types its reason ...
            await p2.press("e")
            await settle(desk2, p2, rounds=1)
            assert isinstance(desk2.screen, FormDialog)
            await p2.press(*keys(reason))
            # ... while desk 1 takes the case.
            await p1.press("t")
            await settle(desk1, p1, rounds=1)
            await p2.press("f9")
            await settle(desk2, p2, rounds=1)
            dialog = desk2.screen
            assert isinstance(dialog, ConflictDialog)
            shown = screen_text(desk2)
            assert "Someone else saved this first" in shown and "Lee Leader" in shown
            assert "Theirs (now saved)" in shown and "Yours (not saved)" in shown
            assert dialog.theirs["Officer"] == "Lee Leader" and dialog.yours["Note"] == reason
            assert "≠" in shown  # differences marked in text, not colour alone
            assert "tenant in tears" in shown

            await p2.press("escape")  # back to my form, unchanged
            await settle(desk2, p2, rounds=1)
            assert isinstance(desk2.screen, FormDialog)
            assert desk2.screen.query_one("#f-reason", Input).value == reason

            await p2.press("f9")  # still the old version: the conflict again
            await settle(desk2, p2, rounds=1)
            assert isinstance(desk2.screen, ConflictDialog)
            await p2.press("r")  # reload theirs, keep my typing: the form holds it, bound to the newer version
            await settle(desk2, p2, rounds=1)
            assert isinstance(desk2.screen, FormDialog)
            assert desk2.screen.query_one("#f-reason", Input).value == reason
            await p2.press("f9")
            await settle(desk2, p2, rounds=1)
            assert isinstance(desk2.screen, CaseScreen)
        with session_scope(sqlite_engine) as s:
            case = s.exec(select(Case).where(Case.ref == "C0000001")).one()
            details = s.exec(select(CaseEvent.detail).where(CaseEvent.case_id == case.id)).all()
            assert case.escalated_at is not None and case.status == "in_progress"  # both saves stand
            assert reason in details
    finally:
        other.dispose()


async def test_two_terminals_saving_the_same_approach_keep_the_second_officers_answers(sqlite_engine):
    seed_office(sqlite_engine)
    base = ServiceContext.create(sqlite_engine, Settings(db_url=str(sqlite_engine.url)), terminal="t",
                                 clock=lambda: NOW)
    saved = save_approach(base.as_actor(find_actor(base, "options")), FAMILY, person_ref="P0000004")
    other = make_engine(sqlite_engine.url.render_as_string(hide_password=False))
    desk1, desk2 = build_app(sqlite_engine, "desk-1"), build_app(other, "desk-2")
    mine = "bailiffs booked for May"
    try:
        async with desk1.run_test(size=SIZE) as p1, desk2.run_test(size=SIZE) as p2:
            await quick_sign_in(desk1, p1, "options", rounds=1)
            await quick_sign_in(desk2, p2, "leader", rounds=1)
            desk1.push_screen(ApproachScreen(case_ref=saved.case_ref))
            desk2.push_screen(ApproachScreen(case_ref=saved.case_ref))
            await settle(desk1, p1, rounds=1)
            await settle(desk2, p2, rounds=1)
            form1, form2 = desk1.screen, desk2.screen
            form1.query_one("#notes").focus()
            await p1.press(*keys("landlord rang"))
            form2.query_one("#notes").focus()
            await p2.press(*keys(mine))
            await p1.press("f9")
            await settle(desk1, p1, rounds=1)
            await p2.press("f9")
            await settle(desk2, p2, rounds=1)
            dialog = desk2.screen
            assert isinstance(dialog, ConflictDialog)
            assert dialog.theirs["Notes"] == "landlord rang" and dialog.yours["Notes"] == mine
            assert "Olu Options" in screen_text(desk2)
            await p2.press("r")  # (Esc is proven on the case journey above)
            await settle(desk2, p2, rounds=1)
            assert desk2.screen is form2 and form2.query_one("#notes").value == mine
            await p2.press("f9")
            await settle(desk2, p2, rounds=1)
            assert desk2.screen is form2 and not form2.dirty
        view = get_housing_case(base.as_actor(find_actor(base, "options")), saved.case_ref)
        assert view.answers["notes"] == mine
    finally:
        other.dispose()
