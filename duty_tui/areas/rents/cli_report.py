"""`duty-tui report rents --from DATE --to DATE --out DIR [--rows]`: the rent reconciliation and the rent roll
as CSV files (docs/CLI.md, docs/RENTS_RECONCILIATION.md). Registered in the rents area's ``AREA.reports``.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine, report_period, service_context
from duty_tui.core.domain.errors import PermissionDenied


def report_rents(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="The period's first day (YYYY-MM-DD or DD/MM/YYYY).")],
    date_to: Annotated[str, typer.Option("--to", help="The period's last day, inclusive.")],
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder for the CSV files (created if needed).")],
    rows: Annotated[bool, typer.Option("--rows", help="Also write every ledger row of the period with its group "
                                                      "and line (reconciliation_rows.csv).")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (statistics.view or "
                                                             "rents.manage).")] = None,
) -> None:
    """The rent reconciliation by rent group (opening + charges − payments − benefit − credits ± adjustments =
    closing) and the rent roll of live tenancies: CSV files in DIR."""
    from duty_tui.areas.rents.services.rent_report import write_rents_report
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import one_line

    start, end = report_period(date_from, date_to, out)
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    svc = service_context(settings, engine, as_user)
    try:
        recon, files = write_rents_report(svc, date_from=start, date_to=end, out_dir=out, rows=rows)
    except PermissionDenied as exc:
        raise PermissionDenied(f"{exc.message}; run it --as a user whose role may read them (a rents "
                               "assistant, team leader, income officer or admin)") from None
    total = recon.total
    typer.echo(
        f"{len(files)} files in {one_line(out)}: {recon.date_from:%d/%m/%Y} to {recon.date_to:%d/%m/%Y}, "
        f"{len(recon.groups)} rent groups by {recon.group_by}: opening {format_pence(total.opening_pence)}, "
        f"closing {format_pence(total.closing_pence)}, difference {format_pence(total.difference_pence)} "
        f"(as {one_line(svc.actor.username if svc.actor else getpass.getuser())})",
        err=True,
    )
