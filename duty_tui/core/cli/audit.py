"""`duty-tui audit verify` (docs/CLI.md): walk the audit chain, against anchors published earlier."""

from __future__ import annotations

from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp, cli_state, open_engine
from duty_tui.core.domain.errors import InputError

audit = SubApp("audit", typer.Typer(help="The audit trail.", no_args_is_help=True))


@audit.app.command("verify")
def audit_verify(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print {ok, events, head_id, head_hash, first_broken, "
                                                         "problem} on stdout; keep head_id:head_hash offsite.")] = False,
    anchor: Annotated[list[str] | None, typer.Option("--anchor", help="ID:HASH published earlier (head_id:head_hash "
                                                                         "from --json); event ID must still have it.")] = None,
) -> None:
    """Walk the audit chain: exit 0 when intact, 1 naming the first broken event."""
    from duty_tui.core.services.audit import parse_anchor, verify_chain
    from duty_tui.core.services.audit_late import seal_waiting
    from duty_tui.core.services.outputs import dump_json, one_line

    anchors: dict[int, str] = {}
    problems: list[str] = []
    for value in anchor or []:
        try:
            anchor_id, digest = parse_anchor(value)
        except ValueError as exc:
            problems.append(f"--anchor: {exc}")
            continue
        anchors[anchor_id] = digest
    if problems:
        raise InputError(problems[0], problems=problems)
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    seal_waiting(engine)
    report = verify_chain(engine, anchors=anchors)
    broken = [(report.first_broken_id, report.problem), *report.later] if not report.ok else []
    if as_json:
        typer.echo(dump_json({"ok": report.ok, "events": report.events, "head_id": report.head_id,
                              "head_hash": report.head_hash, "first_broken": report.first_broken_id,
                              "problem": report.problem,
                              "problems": [{"event": e, "problem": p} for e, p in broken],
                              "more_problems": report.more}))
    if report.ok:
        typer.echo(f"audit chain intact: {report.events:,} events; head {report.head_id}:{report.head_hash}"
                   + (f" (matches {len(anchors)} anchor{'s' if len(anchors) != 1 else ''})" if anchors else ""),
                   err=True)
        return
    for number, (event_id, problem) in enumerate(broken):
        # Problems quote stored values (a garbage time, a garbled head): shown inert, one line each.
        where = f" at event {event_id}" if event_id is not None else ""
        lead = "audit chain broken" if number == 0 else "also broken"
        typer.echo(f"{lead}{where}: {one_line(problem)}", err=True)
    if report.more:
        typer.echo(f"… and {report.more:,} more problems not listed", err=True)
    raise typer.Exit(1)
