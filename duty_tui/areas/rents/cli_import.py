"""`duty-tui rent import-charges FILE|- [--dry-run] [--json]`: charges in from an existing rents system
(docs/RENTS_IMPORT.md). Checked whole first; any problem: nothing written, one line per problem on
stderr (the list as JSON on stdout with --json), exit 2. The summary on stderr; --json alone on stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine, service_context
from duty_tui.core.domain.errors import InputError


def _read(path: str) -> str:
    from duty_tui.core.services.outputs import one_line

    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{one_line(path)}: cannot read the file ({exc.strerror}); check the path") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{one_line(path)}: not UTF-8 text; save the CSV as UTF-8 and try again") from None


def import_charges_command(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE|-", help="The charges CSV (docs/RENTS_IMPORT.md); - reads "
                                                              "stdin.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count only; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print {lines, started, unchanged, ended, dry_run}, or "
                                                         "{problems: [...]} when refused.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (rents.manage).")] = None,
) -> None:
    """Charges in: a CSV of charges checked whole, then applied all-or-nothing (each line ends the current one)."""
    from duty_tui.areas.rents.services.charge_import import import_charges
    from duty_tui.core.services.outputs import dump_json

    text = _read(file)
    settings = cli_state(ctx).settings()
    svc = service_context(settings, open_engine(settings), as_user)
    try:
        summary = import_charges(svc, text, file_name=file, dry_run=dry_run)
    except InputError as exc:
        if as_json:
            typer.echo(dump_json({"problems": exc.problems}))
        raise
    if as_json:
        typer.echo(dump_json(summary.as_json()))
    would = "would start" if dry_run else "started"
    typer.echo(f"{summary.lines:,} lines read: {would} {summary.started:,} charges, ended {summary.ended:,}, "
               f"{summary.unchanged:,} unchanged" + (" (dry run: nothing written)" if dry_run else "")
               + (" — the file was already imported: nothing changed" if summary.lines and summary.unchanged
                  == summary.lines and not dry_run else ""), err=True)
