"""Issue 11 B13 at 80x24, typed at human pace: a new applicant is added with a postal address and a
household member (a person, not free text), and the triage panel's words are right — a blank loss
date is "not yet known", and an unknown eligibility with no priority need is never "advice only"."""

from __future__ import annotations

import pytest
from builders import seed_office
from pilot import build_app, human, quick_sign_in, settle, wait_for
from textual.widgets import Input, Select, Static

from duty_tui.areas.housing_options.tui.approach import ApproachScreen
from duty_tui.areas.housing_options.tui.new_applicant import NewApplicantDialog


def panel(app) -> str:
    return str(app.screen.query_one("#assessment", Static).render())


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_new_applicant_with_address_and_household_then_the_triage_panel_words(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot, "options")
        await human(pilot, "f6")
        assert await wait_for(app, pilot, lambda: type(app.screen).__name__ == "PersonPickDialog")
        await human(pilot, "=maria lopez")
        await settle(app, pilot)
        await human(pilot, "f9")  # not on the system: add her
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, NewApplicantDialog))
        dialog = app.screen
        assert dialog.values()["forename"] == "Maria" and dialog.values()["surname"] == "Lopez"

        await human(pilot, "tab", "tab")  # to Born
        await human(pilot, "=14/05/1990")
        await human(pilot, "tab", "tab")  # past Phone, to the address
        await human(pilot, "=2 Church Street")
        await human(pilot, "tab", "tab")
        await human(pilot, "=Swindon")
        await human(pilot, "tab")
        await human(pilot, "=SN1 4AA")
        await human(pilot, "tab")  # the household: one person at a time
        await human(pilot, "=Sofia")
        await human(pilot, "tab", "tab")  # surname left blank: the applicant's
        assert dialog.focused.id == "hm-relationship"
        await human(pilot, "enter")
        await settle(app, pilot)
        relationship = dialog.query_one("#hm-relationship", Select)
        labels = [str(prompt) for prompt, _value in relationship._options]
        await human(pilot, *["down"] * labels.index("Child"), "enter")
        await settle(app, pilot)
        assert relationship.value == "child"
        await human(pilot, "tab")
        await human(pilot, "=01/02/2019")
        await human(pilot, "enter")  # adds Sofia to the list
        await settle(app, pilot)
        assert [m.forename for m in dialog.query_one("#f-household").members] == ["Sofia"]
        assert "Added Sofia Lopez" in str(dialog.query_one("#hm-message", Static).render())

        await human(pilot, "f9")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, ApproachScreen) and app.screen.person_ref
                              and app.screen.query_one("#household", Input).value)
        screen = app.screen
        assert "Maria Lopez" in str(screen.query_one("#applicant", Static).render())
        assert screen.query_one("#household", Input).value == "child 7"  # from the records, not typed



@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_the_triage_panel_says_not_yet_known_and_never_advice_only_while_eligibility_is_open(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot, "options")
        app.push_screen(ApproachScreen(person_ref="P0000001"))
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, ApproachScreen)
                              and "John Smith" in str(app.screen.query_one("#applicant", Static).render()))
        screen = app.screen
        # Not homeless now, no loss date: "not yet known", never "no loss expected".
        screen.query_one("#approach_date", Input).focus()
        await human(pilot, "tab", "tab", "n")  # eligible: unknown; Homeless now?: no
        text = panel(app)
        assert "loss date not yet known" in text and "When is the home lost?" in text
        assert "NOT HOMELESS OR THREATENED" not in text and "no loss" not in text.lower()

        # Homeless, eligibility unknown, no priority need: never "advice only" (s189B).
        await human(pilot, "y")
        for _ in range(6):
            await human(pilot, "tab")
        assert screen.focused.id == "priority_state"
        await human(pilot, "n")  # priority need: none
        text = panel(app)
        assert "HOMELESS" in text
        assert "advice only" not in text.replace("if not eligible: advice only", "")
        assert "whatever the priority need" in text
