"""Lettings: the housing register and letting a home (issue 16, docs/LETTINGS.md). Being built in
steps: so far the policy data (``data/lettings/``), bedroom need and shortlist ranking, and their
two commands (`duty-tui lettings bedroom-need`, `duty-tui lettings rank`), and the tables
(``db/models.py``, migration lettings_0001).

This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area, PaletteScreen

_TUI = "duty_tui.areas.lettings.tui"

AREA = Area(
    name="lettings",
    title="Lettings (the housing register)",
    package="duty_tui.areas.lettings",
    cli_groups=("duty_tui.areas.lettings.cli:lettings",),
    models="duty_tui.areas.lettings.db.models",
    migrations=True,
    has_tui=True,
    hooks=(
        ("person.register_screen", f"{_TUI}.application:application_screen_for"),
    ),
    palette=(
        PaletteScreen("Adverts", "This cycle's homes to let: shortlist, offer, refusal and re-offer, viewing, "
                      "sign-up (lettings.manage)", "duty_tui.areas.lettings.tui.adverts:AdvertsScreen"),
        PaletteScreen("Lettings statistics", "Re-let times, void rent loss and lets by band and route for a period",
                      "duty_tui.areas.lettings.tui.returns_statistics:LettingsStatisticsScreen"),
    ),
    reports=(("lettings", "duty_tui.areas.lettings.cli_returns:report_lettings"),),
    demo="duty_tui.areas.lettings.demo:generate_lettings",
)
