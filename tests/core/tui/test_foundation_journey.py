"""The foundation journey, driven through the real app at 80x24 with Pilot.

Log in, search a misspelt surname, tell two similar people apart, open the
household and see tenancy, balance, alerts and history — keyboard only.

That journey runs on SQLite and PostgreSQL (the end-to-end check on both); the other
journeys are ``sqlite_only`` (the services they drive are tested on both databases).
"""

from __future__ import annotations

import pytest
from builders import seed_office
from pilot import SIZE, build_app, keys, settle, sign_in
from textual.widgets import DataTable, Input, Static

from duty_tui.core.config.settings import Settings
from duty_tui.core.tui.app import make_app
from duty_tui.core.tui.screens.home import HomeScreen
from duty_tui.core.tui.screens.login import LoginScreen
from duty_tui.core.tui.screens.person import PersonScreen
from duty_tui.core.tui.screens.search import SearchScreen


def text_of(widget: Static) -> str:
    return str(widget.render())


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_wrong_password_keeps_username_and_says_so(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, LoginScreen)
        await sign_in(app, pilot, "leader", password="nope", rounds=1, settle_first=False)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#username", Input).value == "leader"
        assert app.screen.query_one("#password", Input).value == ""
        assert "wrong username or password" in text_of(app.screen.query_one("#login-message", Static))


async def test_login_search_misspelt_tell_apart_open_household(engine):
    office = seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        await sign_in(app, pilot, "leader", rounds=1, settle_first=False)
        assert isinstance(app.screen, HomeScreen)
        mine = app.screen.query_one("#mine-table", DataTable)
        assert mine.row_count == 1  # the arrears case assigned to the leader

        await pilot.press("f2")
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*keys("jon smtih"))  # misspelt
        await pilot.pause(0.3)
        await settle(app, pilot, rounds=1)
        results = app.screen.query_one("#results", DataTable)
        refs = [str(results.coordinate_to_cell_key((row, 0)).row_key.value) for row in range(results.row_count)]
        assert {office.smith_1961, office.smith_1987, office.smyth_1975} <= set(refs)
        # Two John Smiths are told apart by birth year and address.
        rows = {ref: [str(c) for c in results.get_row(ref)] for ref in refs}
        assert rows[office.smith_1961][2] == "1961" and rows[office.smith_1987][2] == "1987"
        assert rows[office.smith_1961][5] != rows[office.smith_1987][5]

        await pilot.press("down")  # into the results
        target = refs.index(office.smith_1961)
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, PersonScreen)
        screen = app.screen
        alerts = text_of(screen.query_one("#alerts", Static))
        assert "ALERT" in alerts and "Violent or aggressive" in alerts
        assert "knife" in alerts  # a team leader may read restricted detail
        overview = text_of(screen.query_one("#overview-body", Static))
        assert "T00001" in overview and "12 Mill Lane" in overview
        assert "£152.50 arrears" in overview
        await pilot.press("4")
        history = screen.query_one("#contacts", DataTable)
        assert history.row_count == 1
        await pilot.press("2")
        assert screen.query_one("#members", DataTable).row_count == 1


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_reception_sees_alert_exists_but_not_restricted_detail(engine):
    office = seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        await sign_in(app, pilot, "reception", rounds=1, settle_first=False)
        app.push_screen(PersonScreen(office.smith_1961))
        await settle(app, pilot, rounds=1)
        alerts = text_of(app.screen.query_one("#alerts", Static))
        assert "Violent or aggressive" in alerts
        assert "knife" not in alerts and "Restricted" in alerts
        await pilot.press("6")
        details = text_of(app.screen.query_one("#details-body", Static))
        assert "AB123456C" not in details and "**/**/1961" in details


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
@pytest.mark.parametrize("key", ["f1"])
async def test_help_lists_keys_in_force(engine, key):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        await sign_in(app, pilot, "leader", rounds=1, settle_first=False)
        await pilot.press(key)
        await settle(app, pilot, rounds=1)
        actions = {description for _key, description, _tooltip, _enabled in app.screen.rows}
        assert {"Search", "Refresh"} <= actions
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_fast_start_connects_after_first_paint_then_signs_in(engine, monkeypatch):
    """The CLI's path: the app is built without a database layer and connects after the first paint."""
    seed_office(engine)
    settings = Settings(db_url=str(engine.url))
    app = make_app(settings, fast=True, demo=False)
    assert app.ctx is None and not app.ready.is_set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, LoginScreen)
        await sign_in(app, pilot, "leader", rounds=1, settle_first=False)
        assert app.ready.is_set()
        assert isinstance(app.screen, HomeScreen)
        assert app.actor is not None and app.actor.username == "leader"


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_os_user_signs_in_without_password(engine):
    """--auth os on an SSH host: the OS account linked to a staff user is signed in directly."""
    seed_office(engine)
    from sqlalchemy import update

    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import StaffUser
    from duty_tui.core.services.context import os_identity

    with session_scope(engine, write=True) as session:  # this process's OS account is the receptionist
        session.exec(update(StaffUser).where(StaffUser.username == "reception").values(os_user=os_identity()))
    app = build_app(engine, auth="os")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, HomeScreen)
        assert app.actor.username == "reception"


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_unlinked_os_user_falls_back_to_password(engine, monkeypatch):
    seed_office(engine)  # links os-<username> accounts only: this process's OS account is a stranger
    monkeypatch.setenv("LOGNAME", "os-reception")  # the environment is not who we are
    app = build_app(engine, auth="os")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, LoginScreen)
        assert "not linked" in text_of(app.screen.query_one("#login-message", Static))
        await sign_in(app, pilot, "leader", rounds=1, settle_first=False)
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_hostile_name_displays_literally(engine):
    """Markup and escape sequences in stored data are shown as text, never obeyed."""
    from sqlmodel import select

    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import Person

    office = seed_office(engine)
    with session_scope(engine, write=True) as session:
        person = session.exec(select(Person).where(Person.ref == office.smith_1987)).one()
        person.forename = "\x1b[2J[bold red]John"
        session.add(person)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        await sign_in(app, pilot, "leader", rounds=1, settle_first=False)
        app.push_screen(PersonScreen(office.smith_1987))
        await settle(app, pilot, rounds=1)
        identity = text_of(app.screen.query_one("#identity", Static))
        assert "␛[2J[bold red]John Smith" in identity
        assert "\x1b" not in identity


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_enter_on_an_account_opens_its_statement(engine):
    """From the person view's accounts tab, Enter opens the account's statement screen."""
    pytest.importorskip("duty_tui.areas.payments.tui.account")
    from duty_tui.areas.payments.tui.account import AccountScreen

    office = seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=1)
        await sign_in(app, pilot, "leader", rounds=1, settle_first=False)
        app.push_screen(PersonScreen(office.smith_1961))
        await settle(app, pilot, rounds=1)
        await pilot.press("3")
        await pilot.press("enter")
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, AccountScreen)
