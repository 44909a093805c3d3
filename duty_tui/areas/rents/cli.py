"""Rents' commands: `duty-tui rent …` (docs/CLI.md, docs/RENTS.md)."""

from __future__ import annotations

import typer

from duty_tui.core.cli.context import SubApp

rent = SubApp("rent", typer.Typer(
    help="The rent account: the rent calendar, charges, the weekly debit run.",
    no_args_is_help=True,
    add_completion=False,
))


@rent.app.callback()
def _rent() -> None:
    """The rent account: the rent calendar, charges, the weekly debit run."""
    # The callback keeps each command a named subcommand here, as it is under `duty-tui rent`.
from duty_tui.areas.rents import cli_export  # noqa: E402,F401  (registers `rent export`)
