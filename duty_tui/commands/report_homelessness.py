"""`duty-tui report homelessness --quarter YYYYQn --out DIR` (CONTRACTS.md).

Writes the quarter's statistics in the published live-table categories (one CSV per
table), the H-CLIC case-level extract (one CSV per section, mapped through
data/hclic/mapping.toml) and its data-quality report into DIR. Exit 2 for a bad quarter or
an unwritable folder; exit 3 when the database cannot be used.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Optional

import typer

from duty_tui.errors import InputError


def register(app: typer.Typer) -> None:
    """Add `homelessness` to `duty-tui report`."""

    @app.command("homelessness")
    def report_homelessness(
        ctx: typer.Context,
        quarter: Annotated[str, typer.Option("--quarter", help="Calendar quarter, e.g. 2026Q3 (July to September 2026).")],
        out: Annotated[Path, typer.Option("--out", help="Folder to write the CSV files into (created if needed).")],
        as_user: Annotated[Optional[str], typer.Option("--as", help="Act as this staff user.")] = None,
    ) -> None:
        """The quarter's homelessness statistics and H-CLIC extract with its data-quality report."""
        from duty_tui.cli import _context, _engine, _state
        from duty_tui.domain.homelessness_stats import parse_quarter
        from duty_tui.services.housing import write_homelessness_report

        try:
            parse_quarter(quarter)  # a bad quarter is refused before the database is touched
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if out.exists() and not out.is_dir():
            raise InputError(f"--out {out}: is a file; give a folder")
        settings = _state(ctx).settings()
        engine = _engine(settings)
        svc = _context(settings, engine, as_user)
        summary = write_homelessness_report(svc, quarter, out)
        typer.echo(
            f"{summary.quarter.label} ({summary.quarter.words}): {len(summary.files)} files in {out}; "
            f"H-CLIC extract {summary.extract_cases} cases; data quality: {summary.problems} missing mandatory "
            f"field(s) on {summary.cases_with_problems} case(s), {summary.mapping_todo} code(s) still to map "
            f"(as {svc.actor.username if svc.actor else getpass.getuser()})",
            err=True,
        )
