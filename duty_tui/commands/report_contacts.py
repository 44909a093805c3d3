"""`duty-tui report contacts --from DATE --to DATE [--csv]` (docs/CLI.md)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from duty_tui.errors import InputError


def _date(value: str, option: str):
    from duty_tui.domain.validators import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def register(app: typer.Typer) -> None:
    """Add `report contacts` to the report sub-app."""

    @app.command("contacts")
    def report_contacts(
        ctx: typer.Context,
        date_from: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD or DD/MM/YYYY), UK time.")],
        date_to: Annotated[str, typer.Option("--to", help="Last day, inclusive.")],
        csv_out: Annotated[bool, typer.Option("--csv", help="CSV with a header row (the default and only format).")] = True,
        as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
    ) -> None:
        """Contacts in the period, one CSV row each (date, channel, reason, outcome, team, ...), to stdout."""
        from duty_tui.cli import _context, _engine, _state
        from duty_tui.reports.contacts import contacts_csv

        problems = []
        start = end = None
        try:
            start = _date(date_from, "--from")
        except InputError as exc:
            problems.append(exc.message)
        try:
            end = _date(date_to, "--to")
        except InputError as exc:
            problems.append(exc.message)
        if start and end and end < start:
            problems.append("--to is before --from; swap the dates")
        if problems:
            raise InputError(problems[0], problems=problems)
        settings = _state(ctx).settings()
        engine = _engine(settings)
        svc = _context(settings, engine, as_user)
        count = contacts_csv(svc, start, end, sys.stdout)
        sys.stdout.flush()
        typer.echo(f"{count:,} contacts from {start:%d/%m/%Y} to {end:%d/%m/%Y}", err=True)
