"""`duty-tui report ...`: returns and extracts. Each area adds its command from its own module."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="Reports, returns and extracts.", no_args_is_help=True)

# Each module defines register(app) and adds its command(s) (e.g. `report contacts`, `report homelessness`).
REPORT_MODULES = ("duty_tui.commands.report_contacts", "duty_tui.commands.report_homelessness")

for _name in REPORT_MODULES:
    try:
        importlib.import_module(_name).register(app)
    except ModuleNotFoundError as exc:
        if exc.name != _name:
            raise
