"""Lettings returns' commands (docs/CLI.md, docs/LETTINGS_RETURNS.md): `duty-tui report lettings` (registered
in the area's ``AREA.reports``), `duty-tui lettings core-log` and `duty-tui lettings s5 record|outcome|list`.

Bad input exits 2 with one line saying what to fix; `--json` output alone on stdout, summaries on stderr.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine, report_period, service_context
from duty_tui.core.domain.errors import InputError

AS_USER = "Act as this staff user."
s5 = typer.Typer(help="Scotland: section 5 referrals to housing associations and their target.",
                 no_args_is_help=True, add_completion=False)


def _day(text: str, option: str) -> date:
    from duty_tui.core.domain.validators import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def report_lettings(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="The period's first day (YYYY-MM-DD or DD/MM/YYYY).")],
    date_to: Annotated[str, typer.Option("--to", help="The period's last day, inclusive.")],
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder for the CSV files (created if needed).")],
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (statistics.view).")] = None,
) -> None:
    """Re-let times, void rent loss and lets by band and route for the period: CSV files in DIR."""
    from duty_tui.areas.lettings.services.returns import write_lettings_report
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import one_line

    start, end = report_period(date_from, date_to, out)
    settings = cli_state(ctx).settings()
    found, files = write_lettings_report(service_context(settings, open_engine(settings), as_user),
                                         date_from=start, date_to=end, out_dir=out)
    average = "none counted" if found.average_days is None else f"average {found.average_days} days"
    typer.echo(f"{len(files)} files in {one_line(out)}: {start:%d/%m/%Y} to {end:%d/%m/%Y}, {len(found.lets):,} lets, "
               f"{len(found.counted):,} counted in the re-let time ({average}), void loss of the lets' voids "
               f"{format_pence(found.lets_void_loss_pence)}", err=True)


def core_log_command(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="The period's first day (YYYY-MM-DD or DD/MM/YYYY).")],
    date_to: Annotated[str, typer.Option("--to", help="The period's last day, inclusive.")],
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="A new CSV file for the log; the data-quality "
                                                                   "report is written beside it as NAME.quality.csv.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary (lettings, missing by field, answers "
                                                         "still to complete) as JSON.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (statistics.view).")] = None,
) -> None:
    """The CORE lettings log: one row per new general-needs social letting let in the period, in CORE's field
    order, and a data-quality report of mandatory fields left blank."""
    from duty_tui.areas.lettings.services.core_log import write_core_log
    from duty_tui.core.domain.period import read_period
    from duty_tui.core.services.outputs import dump_json, one_line

    problems: list[str] = []
    start, end = read_period(date_from, date_to, problems)
    if problems or start is None or end is None:
        raise InputError(problems[0], problems=problems)
    settings = cli_state(ctx).settings()
    log = write_core_log(service_context(settings, open_engine(settings), as_user), date_from=start, date_to=end,
                         out=out)
    if as_json:
        typer.echo(dump_json(log.summary()))
    fields = ", ".join(f"{name} ({count})" for name, count in log.by_field()[:8]) or "none"
    typer.echo(f"{log.rows:,} lettings in {one_line(out)}; {len(log.problems):,} mandatory answers missing "
               f"(fields: {fields}); {len(log.to_complete)} council answers or code lists still to complete",
               err=True)


@s5.command("record")
def s5_record(
    ctx: typer.Context,
    application: Annotated[str, typer.Option("--application", help="The application's reference.")],
    association: Annotated[str, typer.Option("--association", help="The housing association referred to.")],
    on: Annotated[str, typer.Option("--on", help="The day the referral was made (YYYY-MM-DD or DD/MM/YYYY).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the referral as JSON.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (lettings.manage).")] = None,
) -> None:
    """Record a section 5 referral; its target day comes from data/lettings/s5.toml (six weeks by default)."""
    from duty_tui.areas.lettings.services.returns_s5 import record_s5
    from duty_tui.core.services.outputs import dump_json

    day = _day(on, "--on")
    settings = cli_state(ctx).settings()
    svc = service_context(settings, open_engine(settings), as_user)
    line = record_s5(svc, application_ref=application, association=association, referred_on=day)
    if as_json:
        typer.echo(dump_json(line.as_json(svc.today())))
    typer.echo(f"referral {line.id}: {line.application_ref} to {line.association}, target {line.target_on:%d/%m/%Y}",
               err=True)


@s5.command("outcome")
def s5_outcome(
    ctx: typer.Context,
    referral: Annotated[int, typer.Argument(help="The referral's number (from `lettings s5 list`).")],
    outcome: Annotated[str, typer.Option("--outcome", help="housed, refused_by_association, withdrawn or not_housed.")],
    on: Annotated[str, typer.Option("--on", help="The day of the outcome.")],
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (lettings.manage).")] = None,
) -> None:
    """Record a referral's outcome (once)."""
    from duty_tui.areas.lettings.services.returns_s5 import record_s5_outcome

    day = _day(on, "--on")
    settings = cli_state(ctx).settings()
    record_s5_outcome(service_context(settings, open_engine(settings), as_user), referral_id=referral,
                      outcome=outcome, on=day)
    typer.echo(f"referral {referral}: {outcome} on {day:%d/%m/%Y}", err=True)


@s5.command("list")
def s5_list(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only referrals without an outcome.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the referrals as a JSON array.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (lettings.manage).")] = None,
) -> None:
    """Section 5 referrals with their target day; overdue ones (past the target, no outcome) are marked."""
    from duty_tui.areas.lettings.services.returns_s5 import list_s5
    from duty_tui.core.services.outputs import dump_json, one_line

    settings = cli_state(ctx).settings()
    svc = service_context(settings, open_engine(settings), as_user)
    lines = list_s5(svc, open_only=open_only)
    today = svc.today()
    if as_json:
        typer.echo(dump_json([line.as_json(today) for line in lines]))
        return
    for line in lines:
        state = line.state(today)
        typer.echo(f"{line.id:>5}  {line.application_ref:<10} {one_line(line.association, limit=30):<30} "
                   f"{line.referred_on:%d/%m/%Y}  target {line.target_on:%d/%m/%Y}  {state.upper()}")
    overdue = sum(1 for line in lines if line.state(today) == "overdue")
    typer.echo(f"{len(lines)} referrals, {overdue} overdue", err=True)
