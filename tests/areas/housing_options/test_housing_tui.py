"""Pilot journeys at 80x24, keyboard only: an options officer triages three approaches, issues the
s184 letter and sees the relief-end date on the queue.

The triage journey runs on SQLite and PostgreSQL (the area's end-to-end check on both); the
other journeys are ``sqlite_only`` (the services they drive are tested on both databases).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import seed_office
from pilot import SIZE, build_app, keys, settle, sign_in
from textual.widgets import Input, Static

from duty_tui.core.tui.kit import ListTable
from duty_tui.core.tui.kit.choices import ManyChoice


def panel(app) -> str:
    return str(app.screen.query_one("#assessment", Static).render())


def message(app, key: str) -> str:
    return str(app.screen.query_one(f"#msg-{key}", Static).render())


async def answer(app, pilot, field: str, *presses: str) -> None:
    app.screen.query_one(f"#{field}").focus()
    await pilot.press(*presses)
    await pilot.pause()


async def tick_ground(app, pilot, list_id: str, value: str) -> None:
    ticks = app.screen.query_one(f"#{list_id}", ManyChoice)
    ticks.focus()
    index = [v for v, _label in ticks.options].index(value)
    await pilot.press(*["up"] * len(ticks.options), *["down"] * index, "space")
    await pilot.pause()


async def test_officer_triages_three_approaches_issues_the_letter_and_sees_relief_end(engine, tmp_path) -> None:
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "options", rounds=1)

        # 1. A rough sleeper with a vulnerability: F6 with no one on screen asks who it is.
        await pilot.press("f6")
        await settle(app, pilot, rounds=1)
        assert type(app.screen).__name__ == "PersonPickDialog"
        await pilot.press(*keys("jon smyth"))
        await pilot.pause(0.3)
        await settle(app, pilot, rounds=1)
        await pilot.press("down", "enter")
        await settle(app, pilot, rounds=1)
        assert type(app.screen).__name__ == "ApproachScreen" and app.screen.person_ref == "P0000003"
        assert "Jon Smyth" in str(app.screen.query_one("#applicant", Static).render())
        assert "NOT YET KNOWN" in panel(app)
        await pilot.press("tab", "y")  # eligible: yes
        await answer(app, pilot, "rough_sleeping", "space")
        assert "relief duty (s189B) from 10/03/2026 to 05/05/2026" in panel(app)
        assert "Priority need?" in panel(app)  # outstanding, with what it would change
        await tick_ground(app, pilot, "priority_grounds", "vulnerable")
        text = panel(app)
        assert "HOMELESS" in text and "interim accommodation (s188) from 10/03/2026" in text
        assert "Intentionally homeless?" in text and "main housing duty" in text
        await pilot.press("f9")
        await settle(app, pilot, rounds=1)
        assert app.screen.case_ref and app.screen.stage == "relief"
        rough_case = app.screen.case_ref

        # The queue shows the relief-end date.
        await pilot.press("f12")
        await settle(app, pilot, rounds=1)
        table = app.screen.query_one("#caseload", ListTable)
        row = table.row_values(rough_case)
        assert "05/05/2026" in row["relief"] and row["person"] == "Jon Smyth"

        # Open the case and issue the s184 letter: preview, then issue; a PDF is saved.
        table.move_cursor(row=table.get_row_index(rough_case))
        await pilot.press("enter")
        await settle(app, pilot, rounds=1)
        assert type(app.screen).__name__ == "OptionsCaseScreen"
        assert "relief ends" in str(app.screen.query_one("#case-clocks", Static).render())
        await pilot.press("l")
        await settle(app, pilot, rounds=1)
        await pilot.press("f9")  # the letter chooser defaults to the s184 decision
        await settle(app, pilot, rounds=1)
        assert type(app.screen).__name__ == "LetterDialog"
        letter = str(app.screen.query_one("#letter-text", Static).render())
        assert "section 184" in letter and "30 March 2026" in letter
        await pilot.press("i")
        await settle(app, pilot, rounds=1)
        await settle(app, pilot, rounds=1)
        assert type(app.screen).__name__ == "SendDocumentDialog"  # issued: now send it (here, a file)
        await pilot.press("enter")
        await settle(app, pilot, rounds=1)
        timeline = app.screen.query_one("#timeline", ListTable)  # every cell whole, shown or shortened for width
        rows = [" ".join(timeline.row_values(key).values()) for key in timeline.keys]
        assert any("Letter: Decision on your homelessness application" in r and "30/03/2026" in r for r in rows), rows
        pdfs = list(Path(tmp_path / "xdg" / "data").rglob("*.pdf"))
        assert pdfs and pdfs[0].read_bytes().startswith(b"%PDF")
        await pilot.press("escape")  # back to the caseload
        await settle(app, pilot, rounds=1)
        await pilot.press("escape")  # back to the first approach screen
        await settle(app, pilot, rounds=1)
        await pilot.press("escape")
        await settle(app, pilot, rounds=1)

        # 2. A family with a section 21 notice: from the person view, F6 starts with them.
        from duty_tui.core.tui.screens.person import PersonScreen

        app.push_screen(PersonScreen("P0000004"))
        await settle(app, pilot, rounds=1)
        await pilot.press("f6")
        await settle(app, pilot, rounds=1)
        assert app.screen.person_ref == "P0000004"
        assert app.screen.query_one("#household", Input).value == "child 11"  # from the household record
        await answer(app, pilot, "eligible", "y")
        await answer(app, pilot, "homeless", "n")
        await answer(app, pilot, "s21_expiry", *keys("20/04/2026"))
        await tick_ground(app, pilot, "priority_grounds", "dependent_children")
        text = panel(app)
        assert "THREATENED" in text and "prevention duty (s195) from 10/03/2026" in text
        assert "interim accommodation" not in text  # never for someone only threatened
        await pilot.press("f9")
        await settle(app, pilot, rounds=1)
        assert app.screen.stage == "prevention"
        await pilot.press("escape")
        await settle(app, pilot, rounds=1)
        await pilot.press("escape")
        await settle(app, pilot, rounds=1)

        # 3. Someone not eligible: advice only.
        app.push_screen(PersonScreen("P0000002"))
        await settle(app, pilot, rounds=1)
        await pilot.press("f6")
        await settle(app, pilot, rounds=1)
        await answer(app, pilot, "eligible", "n")
        await answer(app, pilot, "homeless", "y")
        text = panel(app)
        assert "NOT ELIGIBLE" in text and "advice (s179)" in text and "relief" not in text.split("Why:")[0]
        await pilot.press("f9")
        await settle(app, pilot, rounds=1)
        assert app.screen.stage == "closed"


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_bad_answers_are_shown_at_the_field_and_unsaved_answers_are_not_lost(engine) -> None:
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "options", rounds=1)
        from duty_tui.areas.housing_options.tui.approach import ApproachScreen

        app.push_screen(ApproachScreen(person_ref="P0000001"))
        await settle(app, pilot, rounds=1)
        await answer(app, pilot, "loss_date", *keys("01/03/2026"))
        assert "after the approach date" in message(app, "loss_date")
        await answer(app, pilot, "homeless", "n")
        await answer(app, pilot, "rough_sleeping", "space")
        assert "sleeping rough is homeless" in message(app, "homeless").lower() or \
            "sleeping rough" in message(app, "homeless")
        await tick_ground(app, pilot, "priority_grounds", "aged_16_17")
        assert "was 64" in message(app, "priority_grounds")
        await pilot.press("f9")  # refused: nothing saved, everything kept
        await settle(app, pilot, rounds=1)
        assert app.screen.case_ref is None
        assert app.screen.query_one("#loss_date", Input).value == "01/03/2026"
        await pilot.press("escape")  # unsaved answers: asks first
        await settle(app, pilot, rounds=1)
        assert "Confirm" in type(app.screen).__name__
        await pilot.press("n")
        await settle(app, pilot, rounds=1)
        assert isinstance(app.screen, ApproachScreen)
