"""The queue, case and statistics screens driven from the keyboard (SQLite; services are tested on both)."""

from __future__ import annotations

from datetime import UTC, datetime

from builders import seed_office
from fd_helpers import ctx_for
from pilot import build_app, keys, quick_sign_in, screen_text, settle
from textual.widgets import DataTable, Static

from duty_tui.areas.frontdesk.services import contacts, routing
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.areas.frontdesk.tui.case import CaseScreen
from duty_tui.areas.frontdesk.tui.queues import QueuesScreen
from duty_tui.areas.frontdesk.tui.stats import StatsScreen

SIZE = (80, 24)


async def test_take_and_close_from_the_queue_and_acknowledge_a_complaint(sqlite_engine):
    engine = sqlite_engine
    seed_office(engine)
    when = datetime(2026, 4, 2, 11, 0, tzinfo=UTC)
    contacts.log_contact(ctx_for(engine, now=when), ContactDraft(
        channel="phone", reasons=("complaint.new",), outcome="routed", person_ref="P0000003", notes="Repair not done"))
    app = build_app(engine, now=datetime(2026, 4, 7, 9, 0, tzinfo=UTC))
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        app.push_screen(QueuesScreen(team="repairs"))
        await settle(app, pilot)
        screen = app.screen
        assert [r.ref for r in screen.rows] == ["C0000001"]
        assert "!!" in str(screen.query_one("#queue-table", DataTable).get_row_at(0)[0])  # overdue, in text
        await pilot.press("t")
        await settle(app, pilot)
        assert "is yours" in str(screen.query_one("#queue-message", Static).render())
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press("w")  # the kit's choice: a first letter chooses (Work completed); ↑/↓ step
        await settle(app, pilot)
        assert app.screen.values()["outcome"] == "completed"
        await pilot.press("tab", *keys("fixed"), "f9")
        await settle(app, pilot)
        assert screen.rows == [] and "closed" in str(screen.query_one("#queue-message", Static).render())

        app.push_screen(CaseScreen("C0000003"))
        await settle(app, pilot)
        case = app.screen
        assert "Stage 1 acknowledgement" in screen_text(app)
        await pilot.press("k")
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        assert "acknowledgement recorded" in str(case.query_one("#case-message", Static).render())
        clocks = case.query_one("#clocks-table", DataTable)
        acknowledged = [str(c) for c in clocks.get_row_at(0)]
        assert acknowledged[1] == "Stage 1 acknowledge" and acknowledged[3].startswith("done")
        assert case.detail.row.clock_name == "Stage 1 response"
    detail = routing.case_detail(ctx_for(engine, "leader"), "C0000001")
    assert detail.outcome == "completed" and detail.row.assignee_username == "leader"


async def test_statistics_screen_draws_bars_with_numbers(sqlite_engine):
    engine = sqlite_engine
    seed_office(engine)
    ctx = ctx_for(engine)
    for reason, outcome in (("rent.payment", "resolved"), ("rent.balance", "resolved"), ("rent.arrears", "routed")):
        contacts.log_contact(ctx, ContactDraft(channel="phone", reasons=(reason,), outcome=outcome,
                                                        person_ref="P0000001"))
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        app.push_screen(StatsScreen())
        await settle(app, pilot)
        text = screen_text(app)
        assert "Contacts 3" in text and "resolved at first contact 2 (67%)" in text
        assert "Phone" in text and "█" in text and "100%" in text
        await pilot.press("w")
        await settle(app, pilot)
        assert "Contacts 4" in screen_text(app)  # seed_office's contact three days ago
