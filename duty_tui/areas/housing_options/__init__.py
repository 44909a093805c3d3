"""Housing options: homelessness approaches under Part 7 (England) and the Scottish duties — triage,
assessment, the relief and prevention duties with their clocks, letters, and the statutory returns
(docs/HOUSING.md).

This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area, AreaKey, PaletteScreen

_TUI = "duty_tui.areas.housing_options.tui"

AREA = Area(
    name="housing_options",
    title="Housing options",
    package="duty_tui.areas.housing_options",
    keys=(
        AreaKey("f6", "approach", "Approach", "homeless-approach",
                "Triage a homelessness approach, for the person on screen if any",
                f"{_TUI}.approach:ApproachScreen", "homelessness.assess",
                "triage homelessness approaches", "Homelessness approach: triage"),
    ),
    palette=(
        PaletteScreen("Options caseload", "Open homelessness cases with every clock, soonest first",
                      f"{_TUI}.cases:OptionsCasesScreen"),
        PaletteScreen("Homelessness statistics", "The quarter's live-table figures", f"{_TUI}.stats:HomelessnessStatsScreen"),
    ),
    cli_groups=("duty_tui.areas.housing_options.cli:triage",),
    reports=(("homelessness", "duty_tui.areas.housing_options.cli:report_homelessness"),),
    demo="duty_tui.areas.housing_options.demo:generate_housing",
    models="duty_tui.areas.housing_options.db.models",
    migrations=True,
    case_screens=(("homelessness", f"{_TUI}.case:OptionsCaseScreen"),),
    hooks=(
        ("contact.urgent_approach", "duty_tui.areas.housing_options.services.urgent:urgent_approach_in"),
        ("person.summary", "duty_tui.areas.housing_options.services.summary:homelessness_summary"),
        ("audit.person_records", "duty_tui.areas.housing_options.services.records:person_records"),
    ),
    screen_aliases=(
        ("duty_tui.tui.screens.approach:ApproachScreen", f"{_TUI}.approach:ApproachScreen"),
    ),
)
