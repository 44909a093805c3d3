"""The front desk's pilot journeys, keyboard only at 80x24, as a receptionist would.

The two-terminal journey runs on SQLite and PostgreSQL (the change notifications differ);
the others run on SQLite, their services being tested on both backends in
test_frontdesk_services.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from builders import seed_office
from fd_helpers import ctx_for
from pilot import KeyCounter, build_app, keys, quick_sign_in, screen_text, settle, sign_in, wait_for
from sqlmodel import select
from textual.widgets import DataTable, Input, Static, TextArea

from duty_tui.areas.frontdesk.services import contacts as contact_service
from duty_tui.areas.frontdesk.tui.callers import CallersScreen
from duty_tui.areas.frontdesk.tui.case import CaseScreen
from duty_tui.areas.frontdesk.tui.contact import LogContactScreen
from duty_tui.areas.frontdesk.tui.queues import QueuesScreen
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.models import Contact
from duty_tui.core.tui.screens.home import HomeScreen

SIZE = (80, 24)


def last_contact(engine) -> Contact:
    with session_scope(engine) as s:
        return s.exec(select(Contact).order_by(Contact.id.desc())).first()


def text_of(widget: Static) -> str:
    return str(widget.render())


def cells(table: DataTable, row: int) -> list[str]:
    return [str(c) for c in table.get_row_at(row)]


async def search_and_choose(app, pilot, k: KeyCounter, text: str) -> None:
    """Type, Enter (one match: chosen; several: into the matches), Enter on the best match."""
    await k.type_free(text)
    await pilot.pause(0.2)
    await settle(app, pilot)
    await k.press("enter")
    await settle(app, pilot)
    if app.focused is not None and app.focused.id == "who-results":
        await k.press("enter")
        await settle(app, pilot)


async def choose_option(app, pilot, select_id: str, label_start: str) -> None:
    """In a choice, move to the option whose label starts with ``label_start`` (arrows: the choice is made)."""
    choice = app.screen.query_one(f"#{select_id}")
    if app.focused is not choice:
        choice.focus()
        await pilot.pause()
    labels = [label for _value, label in choice.options]
    target = next(i for i, label in enumerate(labels) if label.startswith(label_start))
    values = [value for value, _label in choice.options]
    current = values.index(choice.value) if choice.value in values else -1
    step = "down" if target >= current else "up"
    for _ in range(abs(target - current)):
        await pilot.press(step)
    assert choice.value == values[target]
    await settle(app, pilot)


async def open_queue(app, pilot, team_name: str) -> None:
    await pilot.press("f7")
    await settle(app, pilot)
    assert isinstance(app.screen, QueuesScreen)
    names = [c.name for c in app.screen.choices]
    current = next(i for i, c in enumerate(app.screen.choices) if (c.kind, c.code) == (app.screen.kind, app.screen.code))
    await pilot.press("q")
    await settle(app, pilot)
    target = names.index(team_name)
    for _ in range(abs(target - current)):
        await pilot.press("down" if target > current else "up")
    await pilot.press("enter")
    await settle(app, pilot)


# --- the dozen-key routine contact ---------------------------------------------------------------


async def test_a_routine_contact_takes_at_most_twelve_keys_beyond_search_and_notes(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        k = KeyCounter(pilot)
        await k.press("f4")
        await settle(app, pilot)
        assert isinstance(app.screen, LogContactScreen)
        await search_and_choose(app, pilot, k, "T00002")  # known caller, by tenancy ref
        assert app.screen.caller.ref == "P0000002"
        await k.press(*keys("pay"), "enter")  # Rent › How to pay
        await k.press("tab")
        assert isinstance(app.focused, TextArea)
        await k.type_free("How to pay")
        await k.press("f9")  # outcome: resolved at first contact (the default)
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
    assert k.count <= 12, k.count
    contact = last_contact(sqlite_engine)
    assert (contact.reason, contact.outcome, contact.channel) == ("rent.payment", "resolved", "phone")
    assert contact.notes == "How to pay"


# --- balance enquiry after the identity check --------------------------------------------------------


async def test_balance_enquiry_for_a_known_tenant_after_the_identity_check(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot)
        k = KeyCounter(pilot)
        await k.press("f4")
        await settle(app, pilot)
        await search_and_choose(app, pilot, k, "T00001")
        screen = app.screen
        # The caller's cautionary alert is the first thing on the form.
        alerts = screen.query_one("#contact-alerts", Static)
        assert alerts.display and "Violent or aggressive" in text_of(alerts)
        assert screen.query_one("#contact-alerts").region.y < screen.query_one("#caller").region.y
        await k.press(*keys("bal"), "enter")
        assert screen.query_one("#identity").display
        assert "£152.50" not in text_of(screen.query_one("#id-result", Static))  # nothing before the check
        await k.press("tab", "tab")  # the check method (tenancy reference), then the answer
        assert app.focused.id == "id-answer"
        await k.press(*keys("T00002"), "enter")  # wrong: the caller does not know it
        await settle(app, pilot)
        result = text_of(screen.query_one("#id-result", Static))
        assert "NOT match" in result and "£" not in result
        await k.press(*keys("t00001"), "enter")
        await settle(app, pilot)
        result = text_of(screen.query_one("#id-result", Static))
        assert "Identity confirmed" in result and "£152.50 arrears" in result
        assert isinstance(app.focused, TextArea)
        await k.type_free("Told balance")
        await k.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
    contact = last_contact(sqlite_engine)
    assert (contact.reason, contact.id_check_method, contact.id_check_result) == ("rent.balance", "tenancy_ref", "passed")


# --- anonymous caller signposted -----------------------------------------------------------------------


async def test_anonymous_caller_signposted_to_citizens_advice(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.press("shift+tab")
        assert app.focused.id == "caller-kind"
        await choose_option(app, pilot, "caller-kind", "Anonymous")
        assert not app.screen.query_one("#caller-picker").display
        await pilot.press("tab")
        assert app.focused.id == "reason-filter"
        await pilot.press(*keys("zzz"), "enter")  # no such reason: nothing added
        assert app.screen.reasons == []
        await pilot.press("ctrl+u", *keys("other"), "enter", "tab")
        await pilot.press(*keys("Debt advice"))
        await pilot.press("tab")
        assert app.focused.id == "outcome"
        await choose_option(app, pilot, "outcome", "Signposted")
        await pilot.press("tab")
        assert app.focused.id == "agency"
        await choose_option(app, pilot, "agency", "Citizens Advice")
        assert "0800 144 8848" in text_of(app.screen.query_one("#agency-info", Static))
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
    contact = last_contact(sqlite_engine)
    assert contact.anonymous and contact.person_id is None
    assert (contact.outcome, contact.agency_code, contact.reason) == ("signposted", "citizens_advice", "general.other")


# --- damp and mould: Awaab's Law on the repairs queue -----------------------------------------------------


async def test_damp_and_mould_shows_awaabs_law_dates_on_the_repairs_queue(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot)
        k = KeyCounter(pilot)
        await k.press("f4")
        await settle(app, pilot)
        await search_and_choose(app, pilot, k, "aisha khan")
        assert app.screen.caller.ref == "P0000004"
        assert "interpreter" in text_of(app.screen.query_one("#contact-alerts", Static)).lower()
        await pilot.press(*keys("damp"), "enter")
        assert app.screen.query_one("#repair").display
        assert app.screen.query_one("#outcome").value == "routed"
        await pilot.press("tab", "tab", *keys("back bedroom"), "tab")
        await pilot.press(*keys("Black mould"))
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)

        await open_queue(app, pilot, "Repairs")
        queue = app.screen
        table = queue.query_one("#queue-table", DataTable)
        refs = [r.ref for r in queue.rows]
        row = refs.index("C0000003")
        for _ in range(row - table.cursor_row):
            await pilot.press("down")
        detail = text_of(queue.query_one("#queue-detail", Static))
        assert "Awaab's Law: investigate" in detail and "Tue 24/03/2026" in detail
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CaseScreen)
        clocks = app.screen.query_one("#clocks-table", DataTable)
        steps = {cells(clocks, i)[1]: cells(clocks, i) for i in range(clocks.row_count)}
        assert steps["Awaab's Law: Investigate"][2] == "Tue 24/03/2026"
        assert "after investigation" in steps["Awaab's Law: Written summary"][3]
        assert "Awaab's Law: Safety work" in steps
        assert "Awaab's Law: Further work: begun" in steps


# --- stage 1 complaint across the Easter bank holidays ----------------------------------------------------


async def test_stage1_complaint_acknowledgement_date_skips_the_bank_holidays(sqlite_engine):
    seed_office(sqlite_engine)
    thursday_before_easter = datetime(2026, 4, 2, 11, 0, tzinfo=UTC)
    app = build_app(sqlite_engine, now=thursday_before_easter)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot)
        k = KeyCounter(pilot)
        await k.press("f4")
        await settle(app, pilot)
        await search_and_choose(app, pilot, k, "jon smyth")
        assert app.screen.caller.ref == "P0000003"
        await pilot.press(*keys("new comp"), "enter", "tab")
        await pilot.press(*keys("Repair not done"))
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        messages = " ".join(n.message for n in app._notifications)
        assert "Stage 1 acknowledgement by Mon 13/04/2026" in messages  # not Thu 9 Apr: Good Friday, Easter Monday

        await open_queue(app, pilot, "Complaints & feedback")
        table = app.screen.query_one("#queue-table", DataTable)
        assert "due in 5 working days" in table.row_values(table.keys[0])["due"]
        await pilot.press("enter")
        await settle(app, pilot)
        clocks = app.screen.query_one("#clocks-table", DataTable)
        steps = {cells(clocks, i)[1]: cells(clocks, i)[2] for i in range(clocks.row_count)}
        assert steps["Stage 1 acknowledge"] == "Mon 13/04/2026"
        assert steps["Stage 1 respond"] == "Mon 27/04/2026"


# --- two arrivals, one called from a second terminal -----------------------------------------------------


async def test_two_arrivals_and_one_called_from_a_second_terminal(engine):
    seed_office(engine)
    other = make_engine(engine.url.render_as_string(hide_password=False))
    desk1 = build_app(engine, terminal="desk-1")
    desk2 = build_app(other, terminal="desk-2")
    try:
        async with desk1.run_test(size=SIZE) as p1, desk2.run_test(size=SIZE) as p2:
            await quick_sign_in(desk1, p1)
            await quick_sign_in(desk2, p2, username="leader")
            await p1.press("f8")
            await settle(desk1, p1)
            await p2.press("f8")
            await settle(desk2, p2)
            assert isinstance(desk1.screen, CallersScreen) and isinstance(desk2.screen, CallersScreen)

            await p1.press("a")
            await settle(desk1, p1)
            await p1.press(*keys("Ms Khan"), "tab", "tab")
            await choose_option(desk1, p1, "f-reason", "Rent › Balance")
            await p1.press("tab", *keys("wheelchair user"), "tab", *keys("Urdu"), "f9")
            await settle(desk1, p1)
            await p1.press("a")
            await settle(desk1, p1)
            await p1.press("tab", *keys("A17"), "f9")  # a ticket number only
            await settle(desk1, p1)
            assert desk1.screen.query_one("#waiting", DataTable).row_count == 2

            # The second terminal shows both without anyone pressing refresh.
            waiting2 = desk2.screen.query_one("#waiting", DataTable)
            assert await wait_for(desk2, p2, lambda: waiting2.row_count == 2)
            first = waiting2.row_values(waiting2.keys[0])
            assert first["ticket"] == "001" and first["name"] == "Ms Khan" and "Interpreter: Urdu" in first["needs"]

            await p2.press("n")  # call the longest-waiting to desk 2's desk
            await settle(desk2, p2)
            assert "Called 001 Ms Khan" in text_of(desk2.screen.query_one("#callers-message", Static))

            staff1 = desk1.screen.query_one("#with-staff", DataTable)
            assert await wait_for(desk1, p1, lambda: staff1.row_count == 1)
            called = staff1.row_values(staff1.keys[0])
            assert (called["ticket"], called["name"], called["by"]) == ("001", "Ms Khan", "Lee Leader")
            assert [cells(desk1.screen.query_one("#waiting", DataTable), 0)[0]] == ["A17"]

            # Desk 1 tries to call Ms Khan too: told she has already been called.
            desk1.screen.call(desk1.screen.board.called[0].id)
            await settle(desk1, p1)
            assert "already called" in text_of(desk1.screen.query_one("#callers-message", Static))
    finally:
        other.dispose()


# --- bad input --------------------------------------------------------------------------------------------


async def test_bad_input_is_explained_inline_and_nothing_typed_is_lost(sqlite_engine, monkeypatch):
    from duty_tui.core.domain.errors import EnvironmentProblem

    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        screen = app.screen
        problems = screen.query_one("#contact-problems", Static)
        form = screen.contact_form
        await pilot.press("f9")  # nothing chosen: each problem beside its field
        assert "choose at least one reason" in form.shown("reason-filter")
        assert "choose the person" in form.shown("who")

        await pilot.press(*keys("P9999999"), "enter")  # an unknown person, typed in full
        await settle(app, pilot)
        assert "No one found for 'P9999999'" in text_of(screen.query_one("#who-status", Static))  # beside the box

        await pilot.press("ctrl+u")
        await search_and_choose(app, pilot, KeyCounter(pilot), "T00002")
        await pilot.press(*keys("pay"), "enter")
        screen.query_one("#when", Input).value = "tomorrow 10:00"
        screen.query_one("#notes", TextArea).text = "x" * 4001
        await pilot.press("f9")
        assert "in the future" in form.shown("when") and "over the limit of 4,000" in form.shown("notes")
        assert isinstance(app.screen, LogContactScreen)

        # Escape asks before discarding; "n" keeps everything.
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Discard this contact" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is screen and screen.query_one("#notes", TextArea).text == "x" * 4001

        # A save that fails (the database is locked) says why and keeps the form filled.
        screen.query_one("#when", Input).value = ""
        screen.query_one("#notes", TextArea).text = "Caller asked how to pay"

        def locked(ctx, draft):
            raise EnvironmentProblem("database is locked by another program; try again")

        monkeypatch.setattr(contact_service, "log_contact", locked)
        await pilot.press("f9")
        await settle(app, pilot)
        assert app.screen is screen and "locked" in text_of(problems)
        assert screen.query_one("#notes", TextArea).text == "Caller asked how to pay"
        assert screen.reasons == ["rent.payment"] and screen.caller.ref == "P0000002"

        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
    assert last_contact(sqlite_engine).notes == "Asked balance"  # only seed_office's contact


async def test_a_safeguarding_concern_from_a_contact_goes_to_the_safeguarding_queue(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        await search_and_choose(app, pilot, KeyCounter(pilot), "aisha khan")
        await pilot.press(*keys("pay"), "enter", *keys("child at"), "enter")
        assert app.screen.query_one("#safeguarding-subject").display
        await pilot.press("tab", *keys("Zara Khan"), "tab", *keys("Left alone"))
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Safeguarding: same day by Tue 10/03/2026" in " ".join(n.message for n in app._notifications)
    ctx = ctx_for(sqlite_engine, "leader")
    from duty_tui.areas.frontdesk.services.routing import queue_page

    page = queue_page(ctx, "team", "safeguarding")
    assert page.total == 1 and page.rows[0].priority == "urgent" and page.due_today == 1
