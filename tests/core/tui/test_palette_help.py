"""The command palette offers every action by a plain name (and none of Textual's generic entries);
F1 lists the screen's own actions first, in full, and Textual's keys last. 80x24."""

from __future__ import annotations

import pytest
from builders import seed_office
from pilot import build_app, keys, quick_sign_in, screen_text, settle

from duty_tui.areas.payments.tui.account import AccountScreen
from duty_tui.core.tui.screens.help import HelpScreen

SIZE = (80, 24)
TEXTUAL_GENERIC = {"Save screenshot", "Maximize", "Minimize", "Show keys and help panel", "Hide keys and help panel",
                   "Change theme", "Quit the application"}


def _titles(app) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


@pytest.mark.sqlite_only  # the palette and keys, not the data
async def test_the_palette_names_every_payments_screen_and_the_screens_own_actions_and_hides_textuals(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        titles = _titles(app)
        assert {"Cash-up", "Refunds", "Suspense", "Broken arrangements", "Cash-up sign-off"} <= titles
        assert not titles & TEXTUAL_GENERIC
        app.push_screen(AccountScreen("RNT000001"))
        await settle(app, pilot)
        assert "Arrangements" in _titles(app)  # the statement's own `g`, by name
        # Typed as a person would: Ctrl+P, a word, Enter.
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        for key in keys("suspense"):
            await pilot.press(key)
            await pilot.pause(0.08)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "SuspenseScreen"


@pytest.mark.sqlite_only
async def test_f1_shows_the_screens_own_actions_first_in_full_and_textuals_keys_last(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = [description for _key, description, _tip, _on in app.screen.rows]
        assert rows[:3] == ["Refresh", "My work", "Team"]  # the dashboard's own
        assert rows.index("Search") > rows.index("Team")  # then the keys that work everywhere
        framework = [row[1] for row in app.screen.sections["framework"]]
        assert rows[-len(framework):] == framework  # Textual's own keys last
        text = " ".join(screen_text(app).split())
        assert "Reload my work and my team's queue" in text  # the full description, not cut at 80 columns
