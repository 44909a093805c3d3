"""The "who has looked at this person" screen at 80x24, keyboard only (SQLite).

A team leader presses w on the person view and sees reception's view of the record with its
terminal, shown inert; reception has no such key.
"""

from __future__ import annotations

from types import SimpleNamespace

from builders import NOW, seed_office
from pilot import SIZE, build_app, settle
from textual.widgets import Static

from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.people import get_person
from duty_tui.core.tui.kit import ListTable
from duty_tui.core.tui.screens.person import PersonScreen
from duty_tui.core.tui.screens.person_access import PersonAccessScreen

HOSTILE_TERMINAL = "[bold red]desk\x1b[2J"


def act_as(app, username):
    """Signed in without the login screen or the dashboard (they have their own tests)."""
    app.ctx = app.ctx.as_actor(find_actor(app.ctx, username))


def reception_looked(engine) -> None:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal=HOSTILE_TERMINAL, clock=lambda: NOW)
    get_person(ctx.as_actor(find_actor(ctx, "reception")), "P0000001")


async def test_leader_presses_w_and_sees_who_looked(sqlite_engine):
    seed_office(sqlite_engine)
    reception_looked(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        act_as(app, "leader")
        app.push_screen(PersonScreen("P0000001"))
        await settle(app, pilot, rounds=1)
        await pilot.press("w")
        await settle(app, pilot, rounds=1)

        screen = app.screen
        assert isinstance(screen, PersonAccessScreen)
        table = screen.query_one("#access-table", ListTable)
        rows = [table.row_values(key) for key in table.keys]
        # newest first: this look, the leader's own view of the person, reception's view
        assert [r["who"] for r in rows] == ["leader", "leader", "reception"]
        assert rows[0]["what"] == "looked at who has viewed this record"
        assert rows[2]["what"] == "viewed the record" and rows[2]["record"] == "person P0000001"
        assert rows[2]["terminal"].startswith("[bold red]desk") and "\x1b" not in rows[2]["terminal"]  # inert
        heading = str(screen.query_one("#access-heading", Static).render())
        assert "John Smith (P0000001)" in heading and "3 events" in heading
        await pilot.press("end")
        detail = str(screen.query_one("#access-detail", Static).render())
        assert "Rita Reception" in detail and "Reception / phone duty" in detail

        await pilot.press("escape")
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, PersonScreen)


def test_the_who_viewed_key_is_offered_only_to_roles_with_audit_view(sqlite_engine):
    """PersonScreen.check_action hides w (footer and key) unless the role has audit.view; no app run needed."""
    seed_office(sqlite_engine)
    base = ServiceContext.create(sqlite_engine, Settings(db_url=str(sqlite_engine.url)), terminal="t", clock=lambda: NOW)

    def offered(username: str) -> bool | None:
        ctx = base.as_actor(find_actor(base, username))

        class Probe(PersonScreen):
            duty_app = SimpleNamespace(ctx=ctx)

        return Probe("P0000001").check_action("who_viewed", ())

    assert offered("leader") is True and offered("admin") is True
    assert offered("reception") is False and offered("income") is False
