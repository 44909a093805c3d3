"""The desk's "where am I on the list" at 80x24, keyboard only (issue 16 "Done when"): from search to
the person to their register application in under 10 keys (search text not counted), and the
register officer's band decision form (a band without reasons refused, what was typed kept)."""

from __future__ import annotations

from datetime import date

import pytest
from builders import seed_office
from pilot import SIZE, KeyCounter, build_app, quick_sign_in, screen_text, settle, wait_for

from duty_tui.areas.lettings.domain.register import QualificationFacts
from duty_tui.areas.lettings.services.register import NewApplication, create_application
from duty_tui.areas.lettings.services.register_decisions import decide_band, decide_qualification
from duty_tui.areas.lettings.tui.application import ApplicationScreen
from duty_tui.core.services.auth import find_actor
from duty_tui.core.tui.screens.person import PersonScreen
from duty_tui.core.tui.screens.search import SearchScreen

QUALIFIES = QualificationFacts(5, False, None, None, 0, False, False)


def _banded_khan(app) -> str:
    ctx = app.ctx.as_actor(find_actor(app.ctx, "leader"))
    ref = create_application(ctx, NewApplication("P0000004", applied_on=date(2025, 11, 3), current_bedrooms=1,
                                                 child_sexes=(("P0000005", "f"),)))
    decide_qualification(ctx, ref, QUALIFIES)
    decide_band(ctx, ref, "C", date(2026, 1, 12), "Overcrowded: one bedroom short (s166A(3)(c))")
    return ref


@pytest.mark.sqlite_only  # a Pilot journey: the services under it run on both databases (test_register.py)
async def test_desk_answers_where_am_i_on_the_list_in_under_10_keys(engine):
    seed_office(engine)
    app = build_app(engine)
    ref = _banded_khan(app)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        k = KeyCounter(pilot)
        await k.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        await k.type_free("aisha khan")
        await pilot.pause(0.3)
        await settle(app, pilot)
        await k.press("down", "enter")
        await wait_for(app, pilot, lambda: isinstance(app.screen, PersonScreen) and app.screen.view is not None)
        await k.press("l")
        await wait_for(app, pilot, lambda: isinstance(app.screen, ApplicationScreen) and app.screen.view is not None)
        text = screen_text(app)
        assert k.count < 10, k.count
        assert ref in text and "ACTIVE" in text and "from 12/01/2026" in text
        assert "1st of 1 in band C needing 2 bedroom(s)" in text and "1 short where they live" in text
        assert "Band" in text and "b Band" not in text  # the desk reads; it does not decide
        await k.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, PersonScreen)


@pytest.mark.sqlite_only
async def test_officer_band_form_refuses_a_band_without_reasons_and_keeps_the_typing(engine):
    seed_office(engine)
    app = build_app(engine)
    ctx = app.ctx.as_actor(find_actor(app.ctx, "leader"))
    ref = create_application(ctx, NewApplication("P0000004", applied_on=date(2025, 11, 3),
                                                 child_sexes=(("P0000005", "f"),)))
    decide_qualification(ctx, ref, QUALIFIES)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        app.push_screen(ApplicationScreen(person_ref="P0000004"))
        await wait_for(app, pilot, lambda: isinstance(app.screen, ApplicationScreen) and app.screen.view is not None)
        await pilot.press("b")
        await settle(app, pilot)
        form = app.screen
        form.form.input("band").value = "A"
        form.form.input("reasons").value = "   "
        await pilot.press("f9")
        await settle(app, pilot)
        assert app.screen is form  # refused: still open
        form.form.input("reasons").value = "Lacks a bathroom"
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: isinstance(app.screen, ApplicationScreen) and app.screen.view is not None
                       and app.screen.view.band is not None)
        assert "Band" in screen_text(app) and app.screen.view.band == "A"


@pytest.mark.sqlite_only
async def test_officer_makes_an_application_from_the_person_in_the_form(engine):
    """n on a person with no application: the form (children's sexes asked), F9 makes it; a child left
    out is refused beside the form with everything typed kept."""
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        app.push_screen(PersonScreen("P0000004"))
        await wait_for(app, pilot, lambda: isinstance(app.screen, PersonScreen) and app.screen.view is not None)
        await pilot.press("l")
        await wait_for(app, pilot, lambda: isinstance(app.screen, ApplicationScreen) and "no register application"
                       in screen_text(app))
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        form.form.input("current_bedrooms").value = "1"
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: "pairs children by sex" in screen_text(app))
        assert app.screen is form and form.form.input("current_bedrooms").value == "1"
        form.form.input("children").value = "P0000005=f"
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: isinstance(app.screen, ApplicationScreen) and app.screen.view is not None)
        text = screen_text(app)
        assert "Application LA0000001 made." in text and "2 bedroom(s) · 1 short" in text and "NEW" in text
