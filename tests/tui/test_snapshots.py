"""Snapshots of the main screens at 80x24 (pytest-textual-snapshot), on a fixed office and clock.

Look at the report (snapshot_report.html) before accepting a changed snapshot:
    .venv/bin/pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from builders import NOW, PASSWORD, seed_office
from textual.widgets import Input

from duty_tui.config import Settings
from duty_tui.services.context import ServiceContext
from duty_tui.tui.app import make_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def snap_app(sqlite_engine):
    seed_office(sqlite_engine)
    settings = Settings(db_url=str(sqlite_engine.url), office_name="Riverside Housing Options")
    ctx = ServiceContext.create(sqlite_engine, settings, terminal="snapshot", clock=lambda: NOW)
    return make_app(settings, ctx=ctx, demo=False)


async def _steady(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def _keys(text: str) -> list[str]:
    return ["space" if c == " " else c for c in text]


async def _sign_in(pilot, username: str = "leader") -> None:
    await _steady(pilot)
    await pilot.press(*_keys(username), "enter", *_keys(PASSWORD), "enter")
    await _steady(pilot)


def test_login_screen(snap_compare, snap_app):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_steady)


def test_dashboard(snap_compare, snap_app):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_sign_in)


def test_search_results_tell_two_john_smiths_apart(snap_compare, snap_app):
    async def run_before(pilot):
        await _sign_in(pilot)
        await pilot.press("f2", *_keys("jon smtih"))
        await pilot.pause(0.3)
        await _steady(pilot)

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run_before)


def test_person_view_team_leader(snap_compare, snap_app):
    async def run_before(pilot):
        await _sign_in(pilot)
        await pilot.press("f2", *_keys("P0000001"))
        await pilot.pause(0.3)
        await _steady(pilot)
        await pilot.press("down", "enter")
        await _steady(pilot)

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run_before)


def test_person_view_reception_masked(snap_compare, snap_app):
    async def run_before(pilot):
        await _sign_in(pilot, "reception")
        await pilot.press("f2", *_keys("P0000001"))
        await pilot.pause(0.3)
        await _steady(pilot)
        await pilot.press("down", "enter")
        await _steady(pilot)
        await pilot.press("6")
        await _steady(pilot)

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run_before)
