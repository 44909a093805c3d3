"""Income: rent arrears recovery — for now the law it stands on, `duty-tui arrears assess` (docs/INCOME.md):
a notice's legal dates, the pre-action protocol and the court gate, the claim's hearing window.

The worklist, the recovery policy, notices, the court pack and the screens come next (issue 14).
This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area

AREA = Area(
    name="income",
    title="Income (arrears recovery)",
    package="duty_tui.areas.income",
    cli_groups=("duty_tui.areas.income.cli:arrears",),
    has_tui=False,
)
