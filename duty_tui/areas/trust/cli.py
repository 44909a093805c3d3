"""`duty-tui gdpr sar PERSON_REF --out DIR` and `duty-tui gdpr purge [--dry-run]` (docs/CLI.md).

Both need the gdpr.export permission (`--as USER`; the batch role does not have it).
Exit 2 for wrong input (unknown ref, a non-empty --out folder), 3 for the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp, cli_state, open_engine, service_context
from duty_tui.core.services.outputs import dump_json

gdpr = SubApp("gdpr", typer.Typer(help="Subject access exports and retention (UK GDPR).", no_args_is_help=True,
                                  add_completion=False))

_SHOWN_REFS = 50
"""Refs listed per record type in the text output (all of them with --json)."""


@gdpr.app.callback()
def _gdpr() -> None:
    """Subject access exports and retention (UK GDPR)."""


@gdpr.app.command("sar")
def sar(
    ctx: typer.Context,
    person_ref: Annotated[str, typer.Argument(help="The person's ref, e.g. P0012345.")],
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder for report.txt and sar.json.")],
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (needs gdpr.export).")] = None,
) -> None:
    """Everything held about one person, as a readable report and JSON, in DIR."""
    from duty_tui.areas.trust.services.gdpr import check_out_dir, subject_access

    check_out_dir(out)
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    summary = subject_access(service_context(settings, engine, as_user), person_ref, out)
    total = sum(summary.counts.values())
    typer.echo(f"subject access export for {summary.person_ref}: {total:,} records written to "
               + ", ".join(str(f) for f in summary.files), err=True)


@gdpr.app.command("purge")
def purge(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be anonymised; change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object: record type -> {count, refs}.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (needs gdpr.export).")] = None,
) -> None:
    """Anonymise what is past retention (data/trust/retention.toml) as of today."""
    from duty_tui.areas.trust.services.gdpr_purge import purge as run_purge

    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    result = run_purge(service_context(settings, engine, as_user), dry_run=dry_run)
    if as_json:
        typer.echo(dump_json({"dry_run": dry_run, "as_of": result.as_of.isoformat(),
                               "records": {k: {"count": len(v), "refs": list(v)} for k, v in result.found.items()},
                               "stale_drafts": result.stale_drafts}))
    else:
        verb = "would anonymise" if dry_run else "anonymised"
        for record_type, refs in result.found.items():
            line = f"{record_type}: {verb} {len(refs):,}"
            if dry_run and refs:
                shown = ", ".join(refs[:_SHOWN_REFS])
                more = f" and {len(refs) - _SHOWN_REFS:,} more (--json lists all)" if len(refs) > _SHOWN_REFS else ""
                line += f": {shown}{more}"
            typer.echo(line)
        typer.echo(f"unfinished forms (drafts) untouched for 14 days: {'would remove' if dry_run else 'removed'} "
                   f"{result.stale_drafts:,}")
    total = sum(len(v) for v in result.found.values())
    if dry_run:
        typer.echo(f"dry run as of {result.as_of}: {total:,} records past retention; nothing changed", err=True)
    else:
        typer.echo(f"purge as of {result.as_of}: {total:,} records anonymised"
                   + ("" if total else " (nothing past retention)"), err=True)
