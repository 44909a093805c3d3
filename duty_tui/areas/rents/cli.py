"""Rents' commands: `duty-tui rent …` (docs/CLI.md, docs/RENTS_DEBIT.md).

`rent calendar`: the rent year beginning in a year (pure: reads the calendar data, never the
database). `rent debit`: the weekly debit run. `rent seed-charges`: basic-rent charges from the
tenancies' weekly rent. `rent charges`: a tenancy's charges in force and its weekly total. Bad input
exits 2 with one line saying what to fix; `--json` output alone on stdout, summaries on stderr.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp, cli_state
from duty_tui.core.domain.errors import InputError

rent = SubApp("rent", typer.Typer(
    help="The rent account: the rent calendar, charges, the weekly debit run.",
    no_args_is_help=True,
    add_completion=False,
))


@rent.app.callback()
def _rent() -> None:
    """The rent account: the rent calendar, charges, the weekly debit run."""
    # The callback keeps each command a named subcommand here, as it is under `duty-tui rent`.


def _day(value: str, option: str) -> date:
    from duty_tui.core.domain.validators import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


@rent.app.command("calendar")
def calendar_command(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", metavar="YYYY",
                                             help="The calendar year the rent year begins in (default: the "
                                                  "rent year holding today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {year, starts, ends, weeks, charged_weeks, "
                                                         "free_weeks}.")] = False,
) -> None:
    """The rent year beginning in YYYY: its first and last day, its weeks, charged weeks and rent-free weeks."""
    from datetime import UTC, datetime

    from duty_tui.areas.rents.domain.calendar import rent_year, rent_year_of
    from duty_tui.areas.rents.domain.reference import load_calendar
    from duty_tui.core.domain.local_time import local_date
    from duty_tui.core.services.outputs import dump_json

    if year is not None and not 1900 <= year <= 2200:
        raise InputError(f"--year {year}: give the four-digit year the rent year begins in, 1900-2200")
    rules = load_calendar(cli_state(ctx).settings().data_dir)
    found = rent_year(rules, year) if year is not None else rent_year_of(rules, local_date(datetime.now(UTC)))
    if as_json:
        typer.echo(dump_json(found.as_json()))
        return
    free = ", ".join(str(n) for n in found.free_weeks) or "none"
    typer.echo(f"{found.label}: {found.starts:%d/%m/%Y} to {found.ends:%d/%m/%Y}, {found.weeks} weeks "
               f"({found.charged_weeks} charged); rent-free weeks: {free}")


@rent.app.command("debit")
def debit_command(
    ctx: typer.Context,
    through: Annotated[str, typer.Option("--through", metavar="DATE",
                                         help="Post rent weeks starting on or before this day (YYYY-MM-DD or "
                                              "DD/MM/YYYY; at most a year ahead).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {posted, tenancies, total_pence}.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Post every live tenancy's charges for each rent week up to DATE not yet posted (once, however often run)."""
    from duty_tui.areas.rents.services.debit import run_debit
    from duty_tui.core.cli.context import open_engine, service_context
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import dump_json

    day = _day(through, "--through")
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    summary = run_debit(service_context(settings, engine, as_user), day)
    if as_json:
        typer.echo(dump_json(summary.as_json()))
    typer.echo(f"posted {summary.posted:,} charges for {summary.tenancies:,} tenancies, weeks {summary.week_span}, "
               f"total {format_pence(summary.total_pence)}", err=True)
    if summary.void_loss_pence:
        typer.echo(f"void loss {format_pence(summary.void_loss_pence)} on {summary.void_properties:,} properties "
                   "(recorded, not charged)", err=True)


@rent.app.command("seed-charges")
def seed_charges_command(
    ctx: typer.Context,
    from_day: Annotated[str, typer.Option("--from", metavar="DATE",
                                          help="The day the basic-rent charges start (YYYY-MM-DD or DD/MM/YYYY); "
                                               "usually the first day of a rent week.")],
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Basic-rent charges from each let property's tenancy weekly rent, where the property has none yet."""
    from duty_tui.areas.rents.services.charges import seed_basic_rent
    from duty_tui.core.cli.context import open_engine, service_context

    day = _day(from_day, "--from")
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    made = seed_basic_rent(service_context(settings, engine, as_user), day)
    typer.echo(f"made {made:,} basic-rent charges from {day:%d/%m/%Y}", err=True)


@rent.app.command("charges")
def charges_command(
    ctx: typer.Context,
    tenancy: Annotated[str, typer.Argument(metavar="TENANCY", help="The tenancy ref, e.g. T00012.")],
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="Charges in force on this day "
                                                                      "(default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {tenancy, on, weekly_total_pence, charges}.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """A tenancy's charges in force (its property's and its own) and their weekly total."""
    from duty_tui.areas.rents.services.charges import current_charges
    from duty_tui.core.cli.context import open_engine, service_context
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import dump_json, one_line

    day = _day(on, "--on") if on else None
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    found = current_charges(service_context(settings, engine, as_user), tenancy, day)
    if as_json:
        typer.echo(dump_json({"tenancy": found.tenancy_ref, "on": found.on.isoformat(),
                              "weekly_total_pence": found.weekly_total_pence,
                              "charges": [line.as_json() for line in found.lines]}))
        return
    for line in found.lines:
        typer.echo(f"{one_line(line.words)[:28]:<28} {line.per:<8} {format_pence(line.amount_pence):>10} "
                   f"{line.frequency:<11} {format_pence(line.weekly_pence):>9}/wk  from {line.effective_from:%d/%m/%Y}")
    typer.echo(f"{found.tenancy_ref}: weekly charges {format_pence(found.weekly_total_pence)} on {found.on:%d/%m/%Y}",
               err=True)


from duty_tui.areas.rents.cli_export import export_command  # noqa: E402  (kept in its own module)

rent.app.command("export")(export_command)

from duty_tui.areas.rents import cli_tenancy  # noqa: E402  (kept in its own module)

rent.app.command("end-tenancy")(cli_tenancy.end_tenancy_command)
rent.app.command("transfers")(cli_tenancy.transfers_command)
rent.app.command("transfer-decide")(cli_tenancy.transfer_decide_command)
rent.app.command("sundry-charge")(cli_tenancy.sundry_charge_command)
from duty_tui.areas.rents.cli_review import review as review_app  # noqa: E402  (kept in its own module)

rent.app.add_typer(review_app, name="review")

if __name__ == "__main__":
    rent.app()

from duty_tui.areas.rents.cli_import import import_charges_command  # noqa: E402  (kept in its own module)

rent.app.command("import-charges")(import_charges_command)
