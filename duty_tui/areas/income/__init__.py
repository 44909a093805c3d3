"""Income: rent arrears recovery (docs/INCOME.md) — the law it stands on (`duty-tui arrears assess`: a
notice's legal dates, the pre-action protocol and the court gate), the recovery policy, the arrears
worklist (`duty-tui arrears worklist`; w on the dashboard) and each account's recovery: steps and pauses,
notices served, the pre-action protocol as a gate, benefit claims and UC managed payments, the court
and the court pack (`duty-tui arrears court-pack`), former tenants' arrears, and the statistics
(`duty-tui report arrears`).
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
        PaletteScreen("Former tenant arrears", "Former tenant accounts owing, letters of claim, moving a final balance",
                      "duty_tui.areas.income.tui.former_tenants:FormerTenantsScreen"),
    ),
    worktray=Worktray("Arrears worklist", "duty_tui.areas.income.tui.worklist:ArrearsWorklistScreen", "arrears.manage"),
    cli_groups=("duty_tui.areas.income.cli:arrears",),
    reports=(("arrears", "duty_tui.areas.income.cli_report:report_arrears"),),
    demo="duty_tui.areas.income.demo:generate_income",
    models="duty_tui.areas.income.db.models",
    migrations=True,
    hooks=(("account.close_to_former_tenant",
            "duty_tui.areas.income.services.former_tenants:close_to_former_tenant_hook"),),
)
