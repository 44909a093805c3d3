"""`duty-tui report homelessness --quarter YYYYQn --out DIR` (docs/CLI.md).

Writes the quarter's statistics in the published live-table categories (one CSV per
table), the H-CLIC case-level extract (one CSV per section, mapped through
data/hclic/mapping.toml) and its data-quality report into DIR. DIR must be a new or empty
folder and not a symbolic link (services/outputs.py, as for `gdpr sar`). The extract holds
dates of birth and support needs, so the batch role (no --as) is refused. Exit 2 for a bad
quarter, an unusable folder or a role that may not; exit 3 when the database cannot be used.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from duty_tui.errors import InputError, PermissionDenied


def register(app: typer.Typer) -> None:
    """Add `homelessness` to `duty-tui report`."""

    @app.command("homelessness")
    def report_homelessness(
        ctx: typer.Context,
        quarter: Annotated[str, typer.Option("--quarter", help="Calendar quarter, e.g. 2026Q3 (July to September 2026).")],
        out: Annotated[Path, typer.Option("--out", help="A new or empty folder for the CSV files (created if needed).")],
        as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (the extract needs a role "
                                                                   "that may see dates of birth and support needs).")] = None,
    ) -> None:
        """The quarter's homelessness statistics and H-CLIC extract with its data-quality report."""
        from duty_tui.cli import _context, _engine, _state
        from duty_tui.domain.homelessness_stats import parse_quarter
        from duty_tui.services.housing import write_homelessness_report
        from duty_tui.services.outputs import check_out_dir, one_line

        try:
            parse_quarter(quarter)  # a bad quarter is refused before the database is touched
        except ValueError as exc:
            raise InputError(str(exc)) from None
        check_out_dir(out)  # before the database is touched; checked again as the folder is opened
        settings = _state(ctx).settings()
        engine = _engine(settings)
        svc = _context(settings, engine, as_user)
        try:
            summary = write_homelessness_report(svc, quarter, out)
        except PermissionDenied as exc:
            raise PermissionDenied(f"{exc.message}; run it --as a user whose role may (a housing options officer, "
                                   "team leader or admin)") from None
        typer.echo(
            f"{summary.quarter.label} ({summary.quarter.words}): {len(summary.files)} files in {one_line(out)}; "
            f"H-CLIC extract {summary.extract_cases} cases; data quality: {summary.problems} missing mandatory "
            f"field(s) on {summary.cases_with_problems} case(s), {summary.mapping_todo} code(s) still to map "
            f"(as {one_line(svc.actor.username if svc.actor else getpass.getuser())})",
            err=True,
        )
