"""Issue 11 B17: the demo's callers have arrived before the moment of the run, and its summary line
counts what the database really holds once every area has written its rows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from pilot import build_app, human, quick_sign_in, settle, wait_for
from sqlalchemy import text
from textual.widgets import DataTable

from duty_tui.areas.frontdesk.demo import generate_frontdesk
from duty_tui.areas.frontdesk.tui.callers import CallersScreen
from duty_tui.core.cli import run
from duty_tui.core.db.engine import make_engine
from duty_tui.core.demo import generator

TODAY = date(2026, 3, 10)  # a Tuesday in GMT
EARLY = datetime(2026, 3, 10, 9, 40, tzinfo=UTC)  # the demo is run at twenty to ten


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_the_demo_run_at_twenty_to_ten_has_no_caller_from_the_future(engine):
    generator.generate(engine, size="small", seed=5, today=TODAY, office_name="Demo", jurisdiction="england")
    generate_frontdesk(engine, seed=5, today=TODAY, size="small", jurisdiction="england", now=EARLY)
    with engine.connect() as c:
        latest = c.execute(text("SELECT max(arrived_at), max(called_at), max(finished_at) FROM reception_visit "
                                "WHERE visit_date = :d"), {"d": TODAY}).one()
    assert all(str(moment)[:19] <= "2026-03-10 09:40:00" for moment in latest if moment is not None)

    app = build_app(engine, now=EARLY, terminal="demo-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot, "reception")
        await human(pilot, "f8")
        await settle(app, pilot)
        assert isinstance(app.screen, CallersScreen)
        waiting = app.screen.query_one("#waiting", DataTable)
        staff = app.screen.query_one("#with-staff", DataTable)
        assert await wait_for(app, pilot, lambda: waiting.row_count + staff.row_count > 0)
        board = app.screen.board
        assert board.waiting and all(v.arrived_at <= EARLY for v in board.waiting + board.called)
        # Waiting times are real: someone who arrived before "now" has waited, not 0 min from the future.
        assert all(str(waiting.get_row_at(i)[2]) != "0 min" for i in range(waiting.row_count))
        called_times = [str(staff.get_row_at(i)[3]) for i in range(staff.row_count)]
        assert all(t <= "09:40" for t in called_times), called_times


def test_the_summary_line_counts_what_the_database_holds(sqlite_url, capsys):
    assert run(["--db", sqlite_url, "demo", "--size", "small", "--seed", "4", "--no-tui"]) == 0
    finished = datetime.now(UTC)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    said = {words: int(number.replace(",", "")) for number, words in re.findall(r"([\d,]+) ([a-z][a-z ]+?)(?:,|$)",
                                                                              line.split(" s: ", 1)[1])}
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as c:
            count = lambda table: c.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: E731
            assert said["cases"] == count("work_case") > 450  # every area's cases, not the base office's alone
            assert said["contacts"] == count("contact") and said["people"] == count("person")
            assert said["homelessness cases"] == count("homeless_case")
            assert said["reception visits"] == count("reception_visit")
            assert said["ledger rows"] == count("ledger_entry")
            latest = c.execute(text("SELECT max(arrived_at) FROM reception_visit")).scalar()
    finally:
        engine.dispose()
    assert latest is None or datetime.fromisoformat(str(latest)).replace(tzinfo=UTC) <= finished


LATE = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)  # the demo is run mid-afternoon


def test_the_demo_run_mid_afternoon_still_opens_on_a_live_queue(engine):
    """Most of the day's callers were seen hours ago; the last few arrived minutes before the run, so F8 has
    someone waiting to call (found trying the demo at the desk: an afternoon run had an empty queue)."""
    generator.generate(engine, size="small", seed=5, today=TODAY, office_name="Demo", jurisdiction="england")
    generate_frontdesk(engine, seed=5, today=TODAY, size="small", jurisdiction="england", now=LATE)
    with engine.connect() as c:
        waiting = c.execute(text("SELECT count(*) FROM reception_visit WHERE visit_date = :d "
                                 "AND status = 'waiting'"), {"d": TODAY}).scalar()
        latest = c.execute(text("SELECT max(arrived_at) FROM reception_visit WHERE visit_date = :d"),
                           {"d": TODAY}).scalar()
    assert waiting >= 1, "nobody waiting at 15:30"
    assert "2026-03-10 15:2" in str(latest)[:16] and str(latest)[:19] <= "2026-03-10 15:30:00"
