"""The front desk's commands: `duty-tui queue ...` and `duty-tui report contacts` (docs/CLI.md).

`duty-tui queue ...` is the batch face of the team queues and the reception queue:

- ``duty-tui queue show TEAM [--json] [--limit N] [--as USER]``: a team's open cases, soonest due first,
  overdue and due-today marked in text (TEAM may be ``me`` for the acting user's own work);
- ``duty-tui queue callers [--json] [--as USER]``: today's callers waiting at reception.

Both print personal data (names, summaries, person refs), so each is audited before anything is
printed ("case.queue_listed", "callers.listed"), naming the cases and people shown. Text output
shows stored values inert on one line; ``--json`` escapes controls and bidi characters.

``duty-tui report contacts --from DATE --to DATE [--csv]``: the period's contacts as CSV on stdout.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp, cli_state, open_engine, service_context
from duty_tui.core.domain.errors import InputError

queue = SubApp("queue", typer.Typer(help="Team queues and the callers-waiting queue.", no_args_is_help=True))


@queue.app.command("show")
def show(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(help="Team code from data/teams.toml (e.g. repairs), or 'me'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many cases (1-1000).")] = 50,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """A team's open cases, soonest due first."""
    from duty_tui.areas.frontdesk.services.common import calendar_for
    from duty_tui.areas.frontdesk.services.routing import queue_page
    from duty_tui.core.domain.clocks import Deadline, describe_due
    from duty_tui.core.domain.local_time import local_date, to_local
    from duty_tui.core.services.audit import record_read
    from duty_tui.core.services.outputs import dump_json, one_line

    if not 1 <= limit <= 1000:
        raise InputError(f"--limit {limit} is out of range; use 1 to 1000")
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    svc = service_context(settings, engine, as_user)
    if team == "me":
        if svc.actor is None or svc.actor.id is None:
            raise InputError("'me' needs a staff user: add --as USER")
        kind, code = "officer", svc.actor.username
    else:
        kind, code = "team", team
    page = queue_page(svc, kind, code, limit=limit)
    record_read(svc, "case.queue_listed", "queue", f"{kind}:{code}",
                {"limit": limit, "total": page.total, "cases": [r.ref for r in page.rows],
                 "people": sorted({r.person_ref for r in page.rows if r.person_ref})})
    calendar = calendar_for(svc)
    now = svc.now()
    rows = []
    for row in page.rows:
        status = None
        if row.due_at is not None:
            deadline = (Deadline(to_local(row.due_at), "hours") if row.clock_kind == "hours"
                        else Deadline(local_date(row.due_at), "working_days"))
            status = describe_due(deadline, to_local(now) if row.clock_kind == "hours" else local_date(now), calendar)
        rows.append({"ref": row.ref, "type": row.case_type, "status": row.status, "priority": row.priority,
                     "due_at": row.due_at.isoformat() if row.due_at else None, "clock": row.clock_name,
                     "due": status.label if status else "no due date", "marker": status.marker if status else "",
                     "assignee": row.assignee, "person_ref": row.person_ref, "summary": row.summary,
                     "escalated": row.escalated})
    if as_json:
        typer.echo(dump_json(rows))
        return
    typer.echo(f"{one_line(page.title)}: {page.total:,} open, {page.overdue:,} overdue, {page.due_today:,} due today",
               err=True)
    for r in rows:
        typer.echo(f"{one_line(r['marker']):<10} {one_line(r['ref'])}  {one_line(r['due']):<28.28} "
                   f"{one_line(r['type']):<14.14} {one_line(r['summary'])[:60]}")


@queue.app.command("callers")
def callers(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Today's callers waiting at reception and those with staff."""
    from duty_tui.areas.frontdesk.domain.rules import waited_minutes
    from duty_tui.areas.frontdesk.services.callers import callers_board
    from duty_tui.core.services.audit import record_read
    from duty_tui.core.services.outputs import dump_json, one_line

    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    svc = service_context(settings, engine, as_user)
    board = callers_board(svc)
    shown = [*board.waiting, *board.called] if as_json else list(board.waiting)  # what will be printed
    record_read(svc, "callers.listed", "callers", svc.today().isoformat(),
                {"visits": [v.id for v in shown], "named": sum(1 for v in shown if v.name),
                 "people": sorted({v.person_ref for v in shown if v.person_ref})})
    now = svc.now()

    def line(v) -> dict:
        return {"ticket": v.ticket, "name": v.name, "reason": v.reason, "status": v.status, "desk": v.desk,
                "waited_minutes": round(waited_minutes(v.arrived_at, v.called_at or now), 1)}

    if as_json:
        typer.echo(dump_json({"waiting": [line(v) for v in board.waiting], "with_staff": [line(v) for v in board.called],
                              "median_wait_minutes": board.median_wait_minutes,
                              "left_without_being_seen": board.left_without_being_seen}))
        return
    typer.echo(f"waiting {len(board.waiting)}, with staff {len(board.called)}", err=True)
    for v in board.waiting:
        item = line(v)
        typer.echo(f"{one_line(item['ticket']):<6} {one_line(item['name'] or '-'):<20.20} "
                   f"{item['waited_minutes']:>5.0f} min  {one_line(item['reason'] or '')}")


# --- `duty-tui report contacts` ------------------------------------------------------------------

def _date(value: str, option: str) -> date:
    from duty_tui.core.domain.validators import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def report_contacts(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD or DD/MM/YYYY), UK time.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, inclusive.")],
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV with a header row (the default and only format).")] = True,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Contacts in the period, one CSV row each (date, channel, reason, outcome, team, ...), to stdout."""
    from duty_tui.areas.frontdesk.reports import contacts_csv

    problems: list[str] = []
    start: date | None = None
    end: date | None = None
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
    if problems or start is None or end is None:  # both dates read whenever nothing is wrong
        raise InputError(problems[0], problems=problems)
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    svc = service_context(settings, engine, as_user)
    count = contacts_csv(svc, start, end, sys.stdout)
    sys.stdout.flush()
    typer.echo(f"{count:,} contacts from {start:%d/%m/%Y} to {end:%d/%m/%Y}", err=True)
