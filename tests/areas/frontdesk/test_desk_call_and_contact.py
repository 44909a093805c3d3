"""Issue 11 B5: after n (call next) at reception, c logs the contact for the caller just called to
THIS desk — never another desk's — says whose visit it is, and carries the arrival's name into the
caller box."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import NOW, seed_office
from fd_helpers import ctx_for
from pilot import build_app, human, quick_sign_in, settle, wait_for
from textual.widgets import DataTable, Input, Static

from duty_tui.areas.frontdesk.services import callers as queue_callers
from duty_tui.areas.frontdesk.services.caller_brief import caller_brief
from duty_tui.areas.frontdesk.tui.callers import CallersScreen
from duty_tui.areas.frontdesk.tui.contact import LogContactScreen
from duty_tui.core.tui.kit.choices import Choice


def test_the_caller_at_a_desk_is_never_another_desks(engine):
    seed_office(engine)
    khan = queue_callers.add_arrival(ctx_for(engine, now=NOW - timedelta(minutes=20)), name="Ms Khan")
    ali = queue_callers.add_arrival(ctx_for(engine, now=NOW - timedelta(minutes=10)), name="Mr Ali")
    queue_callers.call_next(ctx_for(engine, "leader"), "Desk 2")  # Ms Khan, to the other desk
    queue_callers.call_next(ctx_for(engine), "Desk 1")  # Mr Ali, here
    called = queue_callers.callers_board(ctx_for(engine)).called
    khan_view = next(v for v in called if v.id == khan.id)
    assert queue_callers.caller_at_desk(called, "Desk 1").id == ali.id
    assert queue_callers.caller_at_desk(called, "Desk 1", highlighted=khan_view).id == ali.id  # not hers
    assert queue_callers.caller_at_desk(called, "Desk 2", last_called_id=ali.id).id == khan.id
    assert queue_callers.caller_at_desk(called, "Desk 3") is None


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_c_after_n_logs_the_contact_for_the_caller_called_to_this_desk(engine):
    seed_office(engine)
    queue_callers.add_arrival(ctx_for(engine, now=NOW - timedelta(minutes=20)), name="Ms Khan")
    queue_callers.add_arrival(ctx_for(engine, now=NOW - timedelta(minutes=10)), name="Mr Ali")
    # A known tenant with a reason that is routed: the form opens with her cases and the routing together.
    queue_callers.add_arrival(ctx_for(engine, now=NOW - timedelta(minutes=5)), person_ref="P0000004",
                              reason_code="service.request")
    queue_callers.call_next(ctx_for(engine, "leader"), "Desk 2")  # another desk has Ms Khan
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot)
        await human(pilot, "f8")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CallersScreen)
        staff = screen.query_one("#with-staff", DataTable)
        assert await wait_for(app, pilot, lambda: staff.row_count == 1)

        await human(pilot, "n")  # Mr Ali, to this terminal's desk (Desk 1)
        assert await wait_for(app, pilot, lambda: staff.row_count == 2)
        assert "Called 002 Mr Ali to Desk 1" in str(screen.query_one("#callers-message", Static).render())
        await human(pilot, "tab")  # into the With staff list: its first row is Ms Khan, at Desk 2
        assert [str(c) for c in staff.get_row_at(staff.cursor_row)][:3] == ["001", "Ms Khan", "Desk 2"]
        await human(pilot, "c")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, LogContactScreen))
        contact = app.screen
        visit = next(v for v in screen.board.called if v.name == "Mr Ali")
        assert contact.visit_id == visit.id  # Mr Ali's visit, not Ms Khan's
        assert contact.sub_title == "visit of 002 Mr Ali at Desk 1"
        assert contact.query_one("#who", Input).value == "Mr Ali"
        assert "Logging the contact for 002 Mr Ali's visit at Desk 1" in str(
            screen.query_one("#callers-message", Static).render())

        # Seen; the next caller is a known tenant with a routed reason: her record loads in the form, no crash.
        await human(pilot, "escape")  # only the arrival's name in the caller box: nothing typed, no question
        assert await wait_for(app, pilot, lambda: app.screen is screen)
        assert "Back from the contact for 002 Mr Ali at Desk 1: s seen" in str(
            screen.query_one("#callers-message", Static).render())  # not still "Logging the contact …"
        await human(pilot, "n")
        assert await wait_for(app, pilot, lambda: staff.row_count == 3)
        await human(pilot, "c")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, LogContactScreen)
                              and app.screen.caller is not None)
        assert app.screen.sub_title == "visit of 003 Aisha Khan at Desk 1"
        assert app.screen.caller.ref == "P0000004" and app.screen.reasons == ["service.request"]
        await settle(app, pilot)
        assert isinstance(app.screen, LogContactScreen)


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_routing_lists_that_arrive_as_the_routing_section_is_built_do_not_crash(engine):
    """Found at the desk in tmux: a called tenant with a routed reason opens the form with the routing section
    being built while her cases and the staff list arrive; filling a Select not yet composed raised NoMatches."""
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot)
        app.push_screen(LogContactScreen("P0000004"))
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, LogContactScreen)
                              and app.screen.caller is not None and app.screen.staff)
        contact = app.screen
        brief = caller_brief(ctx_for(engine), "P0000004")
        # As the workers' messages can land: the section just added to the screen, not yet composed.
        contact._show_section("routed", True)
        contact._staff_ready(contact.StaffLoaded(contact.staff))
        contact._caller_ready(contact.CallerLoaded(brief))
        await settle(app, pilot)
        assert isinstance(app.screen, LogContactScreen)
        officer = contact.query_one("#route-officer", Choice)
        assert len(officer.options) == len(contact.staff)  # every officer ("(the team)" is the blank)
        cases = contact.query_one("#add-to-case", Choice)
        assert len(cases.options) == len(brief.open_cases)
