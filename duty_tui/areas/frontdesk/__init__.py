"""The front desk: logging contacts, reception arrivals, the callers-waiting queue, team and officer
queues with working-day clocks, complaints and repairs (docs/FRONTDESK.md).

This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area, AreaKey, PaletteScreen

_TUI = "duty_tui.areas.frontdesk.tui"

AREA = Area(
    name="frontdesk",
    title="Front desk",
    package="duty_tui.areas.frontdesk",
    keys=(
        AreaKey("f4", "contact", "Log contact", "log-contact",
                "Log a contact (desk, phone, email, letter), for the person on screen if any",
                f"{_TUI}.contact:LogContactScreen", "contact.log", "log contacts", "Log a contact"),
        AreaKey("f7", "queues", "Queues", "queues", "Team and officer queues, sorted by due",
                f"{_TUI}.queues:QueuesScreen", "case.view", "see case queues", "Team and officer queues"),
        AreaKey("f8", "callers", "Callers", "callers-waiting", "Callers waiting at reception",
                f"{_TUI}.callers:CallersScreen", "callers.manage", "use the callers board", "Callers waiting"),
    ),
    palette=(
        PaletteScreen("Duty statistics", "Contacts by channel, reason and outcome; waiting times; overdue work by team",
                      f"{_TUI}.stats:StatsScreen"),
    ),
    cli_groups=("duty_tui.areas.frontdesk.cli:queue",),
    reports=(("contacts", "duty_tui.areas.frontdesk.cli:report_contacts"),),
    demo="duty_tui.areas.frontdesk.demo:generate_frontdesk",
    demo_takes_now=True,
    models="duty_tui.areas.frontdesk.db.models",
    migrations=True,
    case_screens=(("*", f"{_TUI}.case:CaseScreen"),),
    hooks=(
        ("person.contact_screen", f"{_TUI}.contact_view:ContactViewScreen"),
        ("person.contact_words", "duty_tui.areas.frontdesk.services.records:contact_words"),
        ("audit.person_records", "duty_tui.areas.frontdesk.services.records:person_records"),
    ),
    screen_aliases=(
        ("duty_tui.tui.screens.contact:LogContactScreen", f"{_TUI}.contact:LogContactScreen"),
        ("duty_tui.tui.screens.case:CaseScreen", f"{_TUI}.case:CaseScreen"),
    ),
)
