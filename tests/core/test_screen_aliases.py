"""Drafts kept before the move keep reopening (issue 12).

A draft stores its form's import path ("module:Class", duty_tui/core/tui/drafts.py). The forms moved
from duty_tui/tui/screens into their areas; each Area's ``screen_aliases`` maps the old paths to the
new ones, and ``reopen_draft`` (duty_tui/core/tui/session.py) looks a stored path up there first.
"""

from __future__ import annotations

import importlib

from builders import NOW, seed_office
from pilot import SIZE, build_app, screen_text, settle, sign_in
from textual.widgets import TextArea

from duty_tui.core import registry
from duty_tui.core.config.settings import Settings
from duty_tui.core.services import drafts
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.tui.dialogs.drafts import DraftsDialog
from duty_tui.core.tui.drafts import DraftForm

OLD_PATHS = {
    "duty_tui.tui.screens.contact:LogContactScreen": "duty_tui.areas.frontdesk.tui.contact:LogContactScreen",
    "duty_tui.tui.screens.case:CaseScreen": "duty_tui.areas.frontdesk.tui.case:CaseScreen",
    "duty_tui.tui.screens.approach:ApproachScreen": "duty_tui.areas.housing_options.tui.approach:ApproachScreen",
    "duty_tui.tui.screens.payment:TakePaymentScreen": "duty_tui.areas.payments.tui.payment:TakePaymentScreen",
}
"""Every form a draft could name before the move (0d6bc8b: the DraftForm screens), and where it is now."""

NOTE = "Asked about the arrears letter; wants a call back"


def test_every_form_kept_before_the_move_has_an_alias_to_a_draft_form():
    aliases = {old: new for each in registry.areas() for old, new in each.screen_aliases}
    assert aliases == OLD_PATHS
    for old, new in aliases.items():
        assert registry.screen_alias(old) == new
        module_name, _, class_name = new.partition(":")
        form = getattr(importlib.import_module(module_name), class_name)
        assert isinstance(form, type) and issubclass(form, DraftForm), new
        assert f"{form.__module__}:{form.__qualname__}" == new  # what a draft kept today stores
        # reopen_draft opens only forms inside an area's screens
        assert any(module_name.startswith(f"{each.tui_package}.") for each in registry.areas()), new
    assert registry.screen_alias("duty_tui.areas.frontdesk.tui.contact:LogContactScreen") == (
        "duty_tui.areas.frontdesk.tui.contact:LogContactScreen")  # a path of today stays as it is


async def test_a_contact_kept_under_its_old_path_reopens_with_what_was_typed(sqlite_engine):
    from duty_tui.areas.frontdesk.tui.contact import LogContactScreen

    seed_office(sqlite_engine)
    ctx = ServiceContext.create(sqlite_engine, Settings(db_url=str(sqlite_engine.url)), terminal="desk-1",
                                clock=lambda: NOW)
    ctx = ctx.as_actor(find_actor(ctx, "reception"))
    kept = drafts.DraftIn("k-old", "contact", "Contact: P0000002 before the move",
                          "duty_tui.tui.screens.contact:LogContactScreen", {"person_ref": "P0000002"},
                          {"_reasons": ["rent.payment"], "notes": NOTE}, "P0000002")
    assert drafts.save_draft(ctx, kept)

    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        assert isinstance(app.screen, DraftsDialog)
        assert "Contact: P0000002 before the move" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, LogContactScreen)
        assert screen.caller is not None and screen.caller.ref == "P0000002"
        assert screen.reasons == ["rent.payment"]
        assert screen.query_one("#notes", TextArea).text == NOTE
