"""Income: rent arrears recovery (docs/INCOME.md) — the law it stands on (`duty-tui arrears assess`: a
notice's legal dates, the pre-action protocol and the court gate), the recovery policy, and the arrears
worklist (`duty-tui arrears worklist`, and its screen from the command palette) with recovery steps and
pauses recorded in its own tables.

Notices and the court pack come next (issue 14).
This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area, PaletteScreen

AREA = Area(
    name="income",
    title="Income (arrears recovery)",
    package="duty_tui.areas.income",
    palette=(
        PaletteScreen("Arrears worklist", "Rent accounts in arrears, the next recovery step for each and why",
                      "duty_tui.areas.income.tui.worklist:ArrearsWorklistScreen"),
        PaletteScreen("Former tenant arrears", "Former tenant accounts owing, letters of claim, moving a final balance",
                      "duty_tui.areas.income.tui.former_tenants:FormerTenantsScreen"),
    ),
    cli_groups=("duty_tui.areas.income.cli:arrears",),
    demo="duty_tui.areas.income.demo:generate_income",
    models="duty_tui.areas.income.db.models",
    migrations=True,
)
