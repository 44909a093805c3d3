"""Opening a case on the screen its area gives cases of its type (duty_tui.core.registry ``case_screens``)."""

from __future__ import annotations

from textual.app import App

from duty_tui.core import registry


def open_case(app: App, ref: str, case_type: str, *, person_ref: str | None = None) -> bool:
    """Push the case's screen: its area's own for its type, else the one for any case; False when this
    build has neither (the caller then shows the person instead)."""
    path = registry.case_screen(case_type)
    if path is None:
        return False
    app.push_screen(registry.load(path)(ref, person_ref=person_ref))
    return True
