"""Issue 11, B11, at 80x24 and at a person's pace, on SQLite and PostgreSQL: a team queue shows who has each
case; reassign lists the chosen team's officers with their open work; a team leader opens one officer's
queue; complaint keys are offered on complaints only; statuses read as words.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import NOW, seed_office
from fd_helpers import ctx_for
from pilot import SIZE, build_app, human, screen_text, settle, sign_in
from sqlmodel import select

from duty_tui.areas.frontdesk.services import contacts
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, StaffUser, Team


def office(engine) -> str:
    """The seeded office, one more income case (Ian Income's, in progress) and a complaint; the complaint's ref."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        income = s.exec(select(Team).where(Team.code == "income")).one()
        ian = s.exec(select(StaffUser).where(StaffUser.username == "income")).one()
        s.add(Case(ref="C0000009", case_type="arrears", status="in_progress", team_id=income.id, assignee_id=ian.id,
                   summary="Arrears: payment plan missed", priority="normal", opened_at=NOW - timedelta(days=2),
                   due_at=NOW + timedelta(days=1)))
    contacts.log_contact(ctx_for(engine), ContactDraft(
        channel="phone", reasons=("complaint.new",), outcome="routed", person_ref="P0000003", notes="Repair not done"))
    with session_scope(engine) as s:
        return s.exec(select(Case.ref).where(Case.case_type == "complaint")).one()


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_a_team_leader_works_the_income_queue(engine):
    complaint = office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "leader")
        await human(pilot, "f7")
        await settle(app, pilot)

        # Who has each case, and the status in words.
        lines = screen_text(app).splitlines()
        assert "Assigned to" in next(line for line in lines if "Due" in line and "Person" in line)
        smith = next(line for line in lines if "C0000002" in line or "John Smith" in line)
        ian = next(line for line in lines if "Ian Income" in line)
        assert "Lee Leader" in smith and "Arrears" in ian
        for _ in range(3):
            detail = str(app.screen.query_one("#queue-detail").render())
            if "C0000009" in detail:
                break
            await human(pilot, "down")
        assert "C0000009" in detail and "in progress" in detail and "in_progress" not in detail

        # Reassign: the team first, then that team's officers, each with their open work.
        await human(pilot, "a")
        await settle(app, pilot)
        assert "to which team?" in screen_text(app)
        await human(pilot, "enter")  # Income (the case's own team, already highlighted)
        await settle(app, pilot)
        officer = app.screen.query_one("#f-officer")
        officer.focus()  # the kit's choice lists its options while it has the cursor
        await settle(app, pilot)
        offered = screen_text(app)
        assert "Ian Income — 1 open" in offered and "Lee Leader — 1 open" in offered
        assert "Olu Options" not in offered and "Rita Reception" not in offered  # other teams' officers
        await human(pilot, "escape")  # nothing typed: the form closes at once
        await settle(app, pilot)
        if type(app.screen).__name__ != "QueuesScreen":
            await human(pilot, "escape")
            await settle(app, pilot)
        assert type(app.screen).__name__ == "QueuesScreen"

        # One officer's queue, from the queue chooser.
        await human(pilot, "q")
        await settle(app, pilot)
        choices = screen_text(app)
        assert "Income › Ian Income — 1 open" in choices
        names = [str(o.prompt) for o in app.screen.query_one("#choose-list").options]
        target = next(i for i, name in enumerate(names) if "› Ian Income" in name)
        current = app.screen.query_one("#choose-list").highlighted or 0
        await human(pilot, *(["down"] * (target - current)), "enter")
        await settle(app, pilot)
        bar = str(app.screen.query_one("#queue-bar").render())
        assert bar.startswith("Ian Income: 1 open")
        assert "C0000009" in str(app.screen.query_one("#queue-detail").render())

        # Complaint keys only on a complaint.
        await human(pilot, "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        assert "Acknowledge" not in footer(app) and "Respond" not in footer(app)
        await human(pilot, "k")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CaseScreen"  # no complaint form for an arrears case
        from duty_tui.areas.frontdesk.tui.case import CaseScreen

        await human(pilot, "escape")  # back to the queue, then the complaint case
        await settle(app, pilot)
        app.push_screen(CaseScreen(complaint))
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        assert "Acknowledge" in footer(app)
