"""Income: rent arrears recovery (docs/INCOME.md) — the law it stands on (`duty-tui arrears assess`: a
notice's legal dates, the pre-action protocol and the court gate), the recovery policy, and the arrears
worklist (`duty-tui arrears worklist`, and its screen from the command palette) with recovery steps and
pauses recorded in its own tables.

Notices and the court pack come next (issue 14).
This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area, PaletteScreen, Worktray

AREA = Area(
    name="income",
    title="Income (arrears recovery)",
    package="duty_tui.areas.income",
    palette=(
        PaletteScreen("Arrears worklist", "Rent accounts in arrears, the next recovery step for each and why",
                      "duty_tui.areas.income.tui.worklist:ArrearsWorklistScreen"),
        PaletteScreen("Arrears statistics", "Arrears by recovery stage, against the rent roll, former tenants, "
                      "and a period's notices, orders and evictions; export as CSV",
                      "duty_tui.areas.income.tui.statistics:ArrearsStatisticsScreen"),
    ),
    worktray=Worktray("Arrears worklist", "duty_tui.areas.income.tui.worklist:ArrearsWorklistScreen", "arrears.manage"),
    cli_groups=("duty_tui.areas.income.cli:arrears",),
    reports=(("arrears", "duty_tui.areas.income.cli_report:report_arrears"),),
    demo="duty_tui.areas.income.demo:generate_income",
    models="duty_tui.areas.income.db.models",
    migrations=True,
)
