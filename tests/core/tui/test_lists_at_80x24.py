"""Issue 11, B16 (the list parts) at 80x24, keys at a person's pace, on SQLite and PostgreSQL: the dashboard's
person column and count lines are whole; a capped list says so and how to narrow it ("showing 50 of 62
people: add a postcode or forename to narrow"); the cursor stays on its row after `r` and after a return
from the screen Enter opened.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import NOW, person, seed_office
from pilot import SIZE, build_app, human, screen_text, settle, sign_in
from sqlmodel import select
from textual.widgets import DataTable as ListTable  # the kit's ListTable is one (and main's tables are too)

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Person, Team

LONG_NAME = ("Oluwaseun", "Adebayo-Okonkwo")
FORENAMES = ("Abigail Adam Alice Amir Amy Andrew Anna Ben Beth Bilal Callum Carla Chloe Chris Connor Dan Dawn Dylan "
             "Eddie Ella Emma Ethan Faye Fiona Gareth Gemma George Grace Harry Hannah Ivan Isla Jack Jade Jamal Kate "
             "Kieran Kyle Laura Leon Lily Luke Maria Mason Megan Nadia Neil Nina Oscar Paige Quentin Rhys Rosa Sam "
             "Sophie Tariq Tess Umar Vera Wendy").split()
EXTRA_SMITHS = len(FORENAMES)
EXTRA_CASES = 55


def office(engine) -> None:
    """The seeded office, 60 more Smiths, and 55 more open income cases, each for a person with a long name."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        s.add_all(person(f"P00010{i:02d}", name, "Smith", date(1950 + i % 50, 1 + i % 12, 1))
                  for i, name in enumerate(FORENAMES))
        s.add(person("P0002000", *LONG_NAME, date(1990, 2, 1)))
        s.flush()
        long_id = s.exec(select(Person.id).where(Person.ref == "P0002000")).one()
        income = s.exec(select(Team).where(Team.code == "income")).one()
        s.add_all(Case(ref=f"C00100{i:02d}", case_type="arrears", status="open", team_id=income.id,
                       person_id=long_id, summary=f"Arrears: missed payment {i}", priority="normal",
                       opened_at=NOW - timedelta(days=3), due_at=NOW + timedelta(days=2 + i))
                  for i in range(EXTRA_CASES))


def words(app) -> str:
    """The screen's text with its lines joined (a wrapped line reads whole; a cut one does not)."""
    return " ".join(" ".join(line.split()) for line in screen_text(app).splitlines())


def current(table: ListTable) -> str | None:
    """The highlighted row's key."""
    if not table.row_count:
        return None
    return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_the_dashboard_shows_whole_names_and_whole_count_lines_and_keeps_its_row(engine):
    office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "leader")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        text = words(app)
        # The count line, whole, and saying that the team list is capped and where the rest is.
        assert "Contacts today" in text and "due today" in text
        assert "showing the first 50 of" in text and "F7 for the whole queue" in text

        await human(pilot, "t")
        await settle(app, pilot)
        table = app.screen.query_one("#team-table", ListTable)
        assert app.focused is table
        rows = [line for line in screen_text(app).splitlines() if "C00100" in line]
        assert rows and all(" ".join(LONG_NAME) in line for line in rows)  # the whole name at 80 columns

        # The cursor stays on its case after r ...
        await human(pilot, "down", "down", "down")
        kept = current(table)
        assert kept is not None
        await human(pilot, "r")
        await settle(app, pilot)
        table = app.screen.query_one("#team-table", ListTable)
        assert current(table) == kept
        assert app.focused is table  # r on the team list leaves you on the team list

        # ... and after opening the person and coming back.
        await human(pilot, "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ != "HomeScreen"
        await human(pilot, "escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        table = app.screen.query_one("#team-table", ListTable)
        assert current(table) == kept
        assert app.focused is table


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_a_capped_search_says_how_many_there_are_and_how_to_narrow(engine):
    office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception")
        await human(pilot, "f2", "s", "m", "i", "t", "h")
        await pilot.pause(0.3)
        await settle(app, pilot)
        text = words(app)
        # the two John Smiths, Jon Smyth (a misspelling is fine) and the sixty more
        assert f"showing 50 of {EXTRA_SMITHS + 3} people: add a postcode or forename to narrow" in text

        # Narrowed by a forename: every match shown, no cap.
        await human(pilot, "space", "q", "u", "e", "n", "t", "i", "n")
        await pilot.pause(0.3)
        await settle(app, pilot)
        text = words(app)
        assert "showing" not in text and "Quentin Smith" in text
