"""`duty-tui report ...`: returns and extracts. Each area adds its report (duty_tui.core.cli.root.REPORTS)."""

from __future__ import annotations

import typer

from duty_tui.core.cli.context import SubApp

report = SubApp("report", typer.Typer(help="Reports, returns and extracts.", no_args_is_help=True))
