"""Trust: subject access exports and retention under UK GDPR (`duty-tui gdpr`, docs/PRIVACY.md).

The trust work that every area stands on — sign-in, the audit trail, drafts, conflicts, private
files — is in the core; this area is what a council may choose to run: the GDPR commands.
This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area

AREA = Area(
    name="trust",
    title="Trust (GDPR)",
    package="duty_tui.areas.trust",
    cli_groups=("duty_tui.areas.trust.cli:gdpr",),
    has_tui=False,
)
