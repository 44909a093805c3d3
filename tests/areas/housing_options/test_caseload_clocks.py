"""Issue 11, B12: the options caseload at 80x24 names the clock that is overdue, shows whole names, and
puts cases owed interim accommodation with no placement recorded at the top, flagged in words.

On SQLite and PostgreSQL, keys pressed at a person's pace.
"""

from __future__ import annotations

import pytest
from builders import NOW, seed_office
from pilot import SIZE, build_app, human, screen_text, settle, sign_in
from textual.widgets import DataTable

from duty_tui.areas.housing_options.services.applicant import register_applicant
from duty_tui.areas.housing_options.services.approach import save_approach
from duty_tui.areas.housing_options.services.common import housing_reference
from duty_tui.areas.housing_options.services.placements import place_in_ta
from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

ROUGH = {"approach_date": "10/03/2026", "eligible": "yes", "rough_sleeping": True, "priority_state": "grounds",
         "priority_grounds": ["vulnerable"], "loss_reason": "family_friends", "current_accommodation": "rough_sleeping",
         "last_settled_accommodation": "living_with_family"}
LATE = {"approach_date": "05/01/2026", "eligible": "yes", "homeless": "yes", "priority_state": "none",
        "loss_reason": "family_friends", "current_accommodation": "living_with_friends",
        "last_settled_accommodation": "living_with_family"}
LONG_NAME = "Oluwaseun Adebayo-Okonkwo"


def office(engine) -> dict[str, str]:
    """A rough sleeper owed interim accommodation with nowhere recorded; another placed in TA; a case whose
    relief ended eight days ago, for an applicant with a long name."""
    seed_office(engine)
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="t", clock=lambda: NOW)
    ctx = base.as_actor(find_actor(base, "options"))
    long_ref = register_applicant(ctx, "Oluwaseun", "Adebayo-Okonkwo", "01/02/1990", None)
    late = save_approach(ctx, LATE, person_ref=long_ref)
    placed = save_approach(ctx, ROUGH, person_ref="P0000001")
    place_in_ta(ctx, placed.case_ref, "Room 4, Station Hotel", next(iter(housing_reference(ctx).ta_types)))
    unplaced = save_approach(ctx, ROUGH, person_ref="P0000003")
    return {"late": late.case_ref, "placed": placed.case_ref, "unplaced": unplaced.case_ref}


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_the_caseload_names_the_overdue_clock_whole_names_and_interim_owed_first(engine):
    office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "options")
        await human(pilot, "f6")
        await settle(app, pilot)
        await human(pilot, "escape", "f12")  # no applicant yet: to the caseload
        await settle(app, pilot)
        table = app.screen.query_one("#caseload", DataTable)
        lines = screen_text(app).splitlines()
        text = "\n".join(lines)
        rows = [line for line in lines if "C000000" in line or any(n in line for n in ("Smyth", "Smith", "Oluwa"))]

        # Owed interim accommodation, nothing recorded: first, and said in words (not only a mark).
        assert "Jon Smyth" in rows[0] and "IA!" in rows[0]
        count = str(app.screen.query_one("#caseload-status").render())
        assert "1 owed interim accommodation, no placement (IA!, first)" in count
        assert "INTERIM ACCOMMODATION OWED (s188): no placement recorded" in text  # the highlighted case
        placed = next(line for line in rows if "John Smith" in line)
        assert "IA!" not in placed  # placed in TA: not flagged

        # The overdue clock by name, with its date and how late: not a bare "!!" beside another date.
        late = next(line for line in rows if "Oluwa" in line)
        assert "!!" in late and "relief ends 02/03/2026 (overdue 8 days)" in late

        # Whole names at 80 columns.
        assert LONG_NAME in late

        # The cursor stays on its case after opening it and coming back.
        await human(pilot, "down", "down")
        kept = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        await human(pilot, "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "OptionsCaseScreen"
        await human(pilot, "escape")
        await settle(app, pilot)
        table = app.screen.query_one("#caseload", DataTable)
        assert table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value == kept
