"""Snapshots of the main screens at 80x24 (pytest-textual-snapshot), on a fixed office and clock.

Look at the report (snapshot_report.html) before accepting a changed snapshot:
    .venv/bin/pytest tests/core/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from builders import PASSWORD, seed_office
from pilot import build_app, keys
from textual.widgets import Input

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def snap_app(sqlite_engine):
    seed_office(sqlite_engine)
    return build_app(sqlite_engine, "snapshot", office_name="Riverside Housing Options")


async def _steady(pilot) -> None:
    """A snapshot's run_before: pilot.settle's one-round wait, then the cursor stops blinking (a stable picture)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def _sign_in(pilot, username: str = "leader") -> None:
    """pilot.sign_in for a snapshot's run_before (it gets only the pilot): steady, both fields in one press, steady."""
    await _steady(pilot)
    await pilot.press(*keys(username), "enter", *keys(PASSWORD), "enter")
    await _steady(pilot)


def test_login_screen(snap_compare, snap_app):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_steady)


def test_dashboard(snap_compare, snap_app):
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=_sign_in)


def test_search_results_tell_two_john_smiths_apart(snap_compare, snap_app):
    async def run_before(pilot):
        await _sign_in(pilot)
        await pilot.press("f2", *keys("jon smtih"))
        await pilot.pause(0.3)
        await _steady(pilot)

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run_before)


def test_person_view_team_leader(snap_compare, snap_app):
    async def run_before(pilot):
        await _sign_in(pilot)
        await pilot.press("f2", *keys("P0000001"))
        await pilot.pause(0.3)
        await _steady(pilot)
        await pilot.press("down", "enter")
        await _steady(pilot)

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run_before)


def test_person_view_reception_masked(snap_compare, snap_app):
    async def run_before(pilot):
        await _sign_in(pilot, "reception")
        await pilot.press("f2", *keys("P0000001"))
        await pilot.pause(0.3)
        await _steady(pilot)
        await pilot.press("down", "enter")
        await _steady(pilot)
        await pilot.press("6")
        await _steady(pilot)

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run_before)
