"""Hostile data is shown INERT (issue 6 item 7; Done-when: a name containing `\\x1b[2J[bold red]`
displays literally). Pilot, SQLite, 80x24.

Each screen is rendered the way Textual writes it to the terminal (the compositor's strips): every
text segment is checked for raw control characters (ESC, CSI, C0/C1, bidi overrides, surrogates),
and the markup in the data must appear literally — had it been interpreted, the brackets would be gone.
"""

from __future__ import annotations

import re
import uuid

from builders import NOW, seed_office
from pilot import SIZE, build_app, settle, sign_in
from rich.cells import cell_len
from sqlmodel import select

from duty_tui.areas.frontdesk.db.models import CaseEvent
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Alert, Case, Contact, Person

EVE = "\x1b[2J[bold red]Eve[/]"
EVE_SHOWN = "\u241b[2J[bold red]Eve[/]"
NOTE = "[link=http://x]click[/link] \u202eevil\u202c \x9b31m Z" + "\u0301" * 30 + " " + "x" * 100_000
_RAW = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def rendered(app) -> tuple[str, list[str]]:
    """The screen as written to the terminal: (all text, one string per line), control segments aside."""
    update = app.screen._compositor.render_update(full=True)
    lines = ["".join(seg.text for strip in line for seg in strip if not seg.control) for line in update.strips]
    return "\n".join(lines), lines


def assert_inert(app, *literals: str) -> str:
    text, lines = rendered(app)
    bad = _RAW.search(text.replace("\n", ""))
    assert bad is None, f"raw {bad.group()!r} reaches the terminal on {type(app.screen).__name__}"
    assert len(lines) == SIZE[1] and all(cell_len(line) == SIZE[0] for line in lines)  # layout intact
    for literal in literals:
        assert literal in text, f"{literal!r} not shown literally on {type(app.screen).__name__}:\n{text}"
    return text


def hostile_office(engine):
    office = seed_office(engine)
    with session_scope(engine, write=True) as s:
        eve = s.exec(select(Person).where(Person.ref == office.smith_1961)).one()
        eve.forename = EVE
        s.add(eve)
        for contact in s.exec(select(Contact)).all():
            contact.notes = NOTE
            s.add(contact)
        for alert in s.exec(select(Alert)).all():
            alert.summary, alert.detail = "[@click=app.quit]alert[/]", NOTE
            s.add(alert)
        for case in s.exec(select(Case)).all():
            case.summary = f"{EVE} case"
            s.add(case)
            s.add(CaseEvent(case_id=case.id, at=NOW, kind="note", summary=f"{EVE} note", detail=NOTE))
    return office


async def test_hostile_data_displays_literally_on_every_screen(sqlite_engine):
    from duty_tui.core.tui.screens.person import PersonScreen
    from duty_tui.core.tui.screens.search import SearchScreen

    office = hostile_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        await sign_in(app, pilot, "leader", rounds=1, settle_first=False)
        assert_inert(app, "\u241b[2J[bold")  # home: my cases list with the hostile name and summary

        app.push_screen(SearchScreen("smith"))
        await pilot.pause(0.3)
        await settle(app, pilot, rounds=1)
        assert_inert(app, EVE_SHOWN)

        app.push_screen(PersonScreen(office.smith_1961))
        await settle(app, pilot, rounds=1)
        text = assert_inert(app, EVE_SHOWN + " Smith", "[@click=app.quit]alert[/]")
        assert "[link=http://x]click[/link]" in text  # the alert's restricted detail, for a team leader
        assert app.screen.title.startswith(EVE_SHOWN)  # the header: no ESC for the terminal
        for tab in "23456":
            await pilot.press(tab)
            await settle(app, pilot, rounds=1)
            assert_inert(app)
        await pilot.press("5")
        assert_inert(app, "[bold red]Eve[/] cas")

        # The same session: queues, callers, a receipt and a case with a 100 KB timeline note.
        from duty_tui.areas.frontdesk.services.callers import add_arrival
        from duty_tui.areas.frontdesk.tui.callers import CallersScreen
        from duty_tui.areas.frontdesk.tui.case import CaseScreen
        from duty_tui.areas.frontdesk.tui.queues import QueuesScreen
        from duty_tui.areas.payments.domain.rules import SplitLine
        from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
        from duty_tui.areas.payments.tui.receipt import ReceiptScreen

        ctx = app.ctx
        add_arrival(ctx, name=EVE, needs="[link=http://x]wheelchair[/link] \u202e")
        receipt = take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine("RNT000001", 1000),),
                                                   till_code="TILL1", paid_by=EVE, reference="\u202e[bold]ref"))
        app.push_screen(QueuesScreen())
        await settle(app, pilot, rounds=1)
        assert_inert(app)

        app.push_screen(CallersScreen())
        await settle(app, pilot, rounds=1)
        assert_inert(app, "\u241b[2J[bold", "[link=http://x]wh")

        app.push_screen(ReceiptScreen(receipt))
        await settle(app, pilot, rounds=1)
        assert_inert(app, EVE_SHOWN, "[bold]ref")

        with session_scope(sqlite_engine) as s:
            ref = s.exec(select(Case.ref)).first()
        app.push_screen(CaseScreen(ref))
        await settle(app, pilot, rounds=1)
        assert_inert(app, "[bold red]Eve[/] case")
        await pilot.press("2")  # the timeline
        await settle(app, pilot, rounds=1)
        assert_inert(app, "[bold red]Eve[/] no")
        for _ in range(2):  # along the timeline: the 100 KB detail shows (cut to PLAIN_LIMIT), inert
            await pilot.press("down")
            await settle(app, pilot, rounds=1)
            assert_inert(app)
