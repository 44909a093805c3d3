"""`duty-tui report arrears --from DATE --to DATE --out DIR`: the arrears statistics as CSV files (docs/CLI.md,
docs/INCOME_REPORTS.md). Registered in the income area's ``AREA.reports``.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine, report_period, service_context
from duty_tui.core.domain.errors import PermissionDenied


def report_arrears(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="The period's first day (YYYY-MM-DD or DD/MM/YYYY).")],
    date_to: Annotated[str, typer.Option("--to", help="The period's last day, inclusive.")],
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder for the CSV files (created if needed).")],
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (needs statistics.view).")] = None,
) -> None:
    """Arrears by recovery stage, as a share of the rent roll, former-tenant arrears, and the period's notices,
    claims, possession orders and evictions: four CSV files in DIR."""
    from duty_tui.areas.income.services.statistics import percent_words, write_arrears_report
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import one_line

    start, end = report_period(date_from, date_to, out)
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    svc = service_context(settings, engine, as_user)
    try:
        stats, files = write_arrears_report(svc, date_from=start, date_to=end, out_dir=out)
    except PermissionDenied as exc:
        raise PermissionDenied(f"{exc.message}; run it --as a user whose role may see statistics (an income "
                               "officer, team leader or admin)") from None
    roll = stats.rent_roll
    typer.echo(
        f"{len(files)} files in {one_line(out)}: {stats.current_accounts:,} rent accounts in arrears owing "
        f"{format_pence(stats.current_pence)} ({percent_words(roll.current_tenths)} of the annual rent roll "
        f"{format_pence(roll.annual_pence)}); former tenants {format_pence(roll.former_arrears_pence)}; "
        f"{stats.date_from:%d/%m/%Y} to {stats.date_to:%d/%m/%Y}: {stats.count('notice_served')} notices, "
        f"{stats.count('claim_issued')} claims, {stats.count('possession_order')} orders, "
        f"{stats.count('eviction')} evictions "
        f"(as {one_line(svc.actor.username if svc.actor else getpass.getuser())})",
        err=True,
    )
