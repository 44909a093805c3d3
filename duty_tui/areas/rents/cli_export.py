"""`duty-tui rent export --from DATE --to DATE [--out FILE]`: the period's ledger rows as CSV for an existing
rents system (docs/CLI.md). Streamed; audited by the service; the file 0600, never over an existing one.
Bad dates or an existing FILE exit 2 with one line per problem before the database is touched.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine, service_context
from duty_tui.core.domain.errors import InputError


def export_command(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="The first day (YYYY-MM-DD or DD/MM/YYYY).")],
    date_to: Annotated[str, typer.Option("--to", help="The last day, inclusive.")],
    out: Annotated[Path | None, typer.Option("--out", metavar="FILE", help="A new file (0600); without it, "
                                                                          "the CSV goes to stdout.")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (statistics.view or "
                                                             "rents.manage).")] = None,
) -> None:
    """Transactions out: one CSV row per ledger row dated in the period (docs/CLI.md lists the columns)."""
    from duty_tui.areas.rents.services.export import export_transactions
    from duty_tui.core.domain.period import read_period
    from duty_tui.core.services.outputs import one_line

    problems: list[str] = []
    start, end = read_period(date_from, date_to, problems)
    if out is not None and (out.exists() or out.is_symlink()):
        problems.append(f"--out {one_line(out)}: a file is already there; give a new file name (an export never "
                        "overwrites)")
    if problems:
        raise InputError(problems[0], problems=problems)
    settings = cli_state(ctx).settings()
    svc = service_context(settings, open_engine(settings), as_user)
    count = export_transactions(svc, date_from=start, date_to=end, out=out, stream=None if out else sys.stdout)
    where = one_line(out) if out else "stdout"
    typer.echo(f"{count:,} ledger rows from {start:%d/%m/%Y} to {end:%d/%m/%Y} written to {where}", err=True)
