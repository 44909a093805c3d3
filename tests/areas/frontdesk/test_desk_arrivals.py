"""Issue 11 B1: an arrival always gets a free ticket number, even when numbers were typed by hand
or made by the demo today; a taken number typed by hand is explained in the form (naming the next
free one) and the arrival is never said to be kept when it was not saved."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from builders import NOW, seed_office
from fd_helpers import ctx_for
from pilot import build_app, human, quick_sign_in, settle, wait_for
from sqlmodel import select
from textual.widgets import DataTable, Static

from duty_tui.areas.frontdesk.db.models import ReceptionVisit
from duty_tui.areas.frontdesk.services import callers as queue_callers
from duty_tui.areas.frontdesk.tui.arrival import ArrivalDialog
from duty_tui.areas.frontdesk.tui.callers import CallersScreen
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.local_time import local_date


def put_visits(engine, *tickets: str) -> None:
    """Queue rows made the way the demo makes them: straight into the table, no counter."""
    with session_scope(engine, write=True) as s:
        for ticket in tickets:
            s.add(ReceptionVisit(visit_date=local_date(NOW), ticket=ticket, caller_name=f"Demo {ticket}",
                                 arrived_at=NOW - timedelta(minutes=30)))


def test_numbers_typed_by_hand_or_made_by_the_demo_are_stepped_over(engine):
    seed_office(engine)
    put_visits(engine, "001", "002")  # the demo's
    ctx = ctx_for(engine)
    assert queue_callers.add_arrival(ctx, name="Ms Khan").ticket == "003"
    assert queue_callers.add_arrival(ctx, ticket="5").ticket == "005"  # typed as the number called out
    assert queue_callers.add_arrival(ctx, name="Mr Ali").ticket == "004"
    assert queue_callers.add_arrival(ctx, name="Ms Jones").ticket == "006"  # 005 was typed by hand
    with pytest.raises(InputError) as refused:
        queue_callers.add_arrival(ctx, ticket="006", name="Mr Smith")
    assert refused.value.problems == [
        "ticket: 006 is already in today's queue; the next free number is 007 (or leave the ticket blank to be "
        "given it)"]
    with session_scope(engine) as s:  # the refused arrival was not saved
        assert s.exec(select(ReceptionVisit).where(ReceptionVisit.caller_name == "Mr Smith")).first() is None


def test_two_desks_adding_at_once_while_a_third_types_numbers_by_hand_never_collide(engine):
    seed_office(engine)
    url = engine.url.render_as_string(hide_password=False)
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def desk(kind: str) -> None:
        other = make_engine(url)
        try:
            ctx = ctx_for(other, terminal=kind)
            barrier.wait()
            for i in range(6):
                if kind == "hand":  # a desk typing the numbers it expects the others to reach
                    try:
                        results.append(queue_callers.add_arrival(ctx, ticket=f"{i * 2 + 1:03d}").ticket)
                    except InputError:
                        pass  # taken already: refused with a message, never an IntegrityError
                else:
                    results.append(queue_callers.add_arrival(ctx, name=f"{kind} {i}").ticket)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            other.dispose()

    threads = [threading.Thread(target=desk, args=(k,)) for k in ("desk-1", "desk-2", "hand")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(results) == len(set(results)) >= 12  # every automatic arrival saved, no number twice
    with session_scope(engine) as s:
        tickets = s.exec(select(ReceptionVisit.ticket)).all()
    assert sorted(tickets) == sorted(results)


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_adding_an_arrival_after_a_hand_typed_ticket_at_human_pace(engine):
    """F8, a: the demo's and a hand-typed number are taken; the new arrival gets the next free one, and a
    taken number typed by hand is explained in the form, which keeps everything typed."""
    seed_office(engine)
    put_visits(engine, "001")
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot)
        await human(pilot, "f8")
        await settle(app, pilot)
        assert isinstance(app.screen, CallersScreen)

        await human(pilot, "a")
        await settle(app, pilot)
        await human(pilot, "=Ms Khan")
        await human(pilot, "f9")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, CallersScreen))
        waiting = app.screen.query_one("#waiting", DataTable)
        assert await wait_for(app, pilot, lambda: waiting.row_count == 2)
        assert "Added 002 Ms Khan to the queue." in str(app.screen.query_one("#callers-message", Static).render())

        # A number typed by hand that is already taken: said in the form, with the next free number.
        await human(pilot, "a")
        await settle(app, pilot)
        await human(pilot, "=Mr Ali")
        await human(pilot, "tab")
        await human(pilot, "=002")
        await human(pilot, "f9")
        problems = app.screen.query_one("#form-problems", Static)
        assert await wait_for(app, pilot, lambda: "Not added yet" in str(problems.render()))
        assert isinstance(app.screen, ArrivalDialog)
        beside = app.screen.form.shown("ticket")  # said beside the ticket box, which has the cursor
        assert "already in today's queue" in beside and "the next free number is 003" in beside
        assert "nothing was lost" not in (str(problems.render()) + beside).lower()
        assert app.screen.values()["name"] == "Mr Ali"  # the typing is really kept
        assert app.screen.focused.id == "f-ticket"
        await human(pilot, *["backspace"] * 3)
        await human(pilot, "f9")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, CallersScreen))
        assert await wait_for(app, pilot, lambda: waiting.row_count == 3)
        assert [str(waiting.get_row_at(i)[0]) for i in range(3)] == ["001", "002", "003"]


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_a_role_that_may_not_add_arrivals_is_told_before_typing_not_asked_to_fix_the_form(engine):
    """Found at the desk: an income officer could fill the arrival form, then F9 said "fix it and press F9
    again" for a permission no field can fix. Now `a` says so at once; a refusal in the form says Esc."""
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot, "income")
        await human(pilot, "f8")  # not offered to this role: said at once, the board not opened
        assert await wait_for(app, pilot, lambda: any("callers board" in str(n.message) for n in app._notifications),
                              attempts=100, workers=False, check_first=True)
        app.push_screen(CallersScreen())  # opened another way (the palette of an older keymap, a link)
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, CallersScreen) and app.screen.query("#callers-message"),
                              attempts=100, workers=False, check_first=True)
        callers = app.screen
        message = callers.query_one("#callers-message", Static)
        assert await wait_for(app, pilot, lambda: "may not do this" in str(message.render()),
                              attempts=100, workers=False, check_first=True)
        loads = []
        real_load = callers.load
        callers.load = lambda *args, **kwargs: (loads.append(1), real_load(*args, **kwargs))[1]
        await pilot.pause(1.0)  # a second in which nothing should happen
        assert loads == []  # the refused queue is not asked for again and again (it was, in a tight loop)
        await human(pilot, "a")
        assert await wait_for(app, pilot, lambda: "may not add arrivals" in str(message.render()),
                              attempts=100, workers=False, check_first=True)
        assert app.screen is callers and "Income officer" in str(message.render())  # no form to type into

        # Refused after the form opened (the role changed, or it was opened another way): no "fix it".
        app.push_screen(ArrivalDialog(None, ()))
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, ArrivalDialog),
                              attempts=100, workers=False, check_first=True)
        await pilot.pause()
        await human(pilot, "=Mrs Twice")
        await human(pilot, "f9")
        problems = app.screen.query_one("#form-problems", Static)
        assert await wait_for(app, pilot, lambda: "Not added: your role" in str(problems.render()),
                              attempts=100, workers=False, check_first=True)
        text = str(problems.render())
        assert "fix it" not in text and "Esc leaves the form" in text
        assert app.screen.values()["name"] == "Mrs Twice"
