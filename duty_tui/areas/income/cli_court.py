"""`duty-tui arrears court-pack ACCOUNT_REF --out DIR [--json]` (docs/CLI.md, docs/INCOME_COURT.md).

Writes the court pack of a rent account — the rent schedule CSV, the N119 particulars text and one PDF —
in a folder of its own (0700) inside DIR, each file 0600, and prints the paths (stderr) or, with
``--json``, the pack and the paths (stdout). Audited as a read by the service. An unknown ref or a DIR
that is not a folder exits 2; a database problem 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state


def court_pack_command(
    ctx: typer.Context,
    account_ref: str = typer.Argument(..., metavar="ACCOUNT_REF", help="The rent account, e.g. RNT000123."),
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="A folder that exists: the pack's own "
                                                                   "folder is made inside it.")] = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print the pack and the files written as JSON.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """The court pack: rent schedule with running balance, daily rent, steps taken, benefits, N119 particulars."""
    from duty_tui.areas.income.services.court_pack import court_pack, write_pack_files
    from duty_tui.core.cli.context import open_engine, service_context
    from duty_tui.core.domain.errors import InputError
    from duty_tui.core.services.outputs import dump_json

    folder = out.expanduser()
    if not folder.is_dir():
        raise InputError(f"--out: {folder} is not a folder; give a folder that exists")
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    pack = court_pack(service_context(settings, engine, as_user), account_ref)
    paths = write_pack_files(pack, folder)
    if as_json:
        typer.echo(dump_json({**pack.as_json(), "files": [str(p) for p in paths]}))
        return
    for path in paths:
        typer.echo(str(path), err=True)
    typer.echo(f"court pack for {pack.account_ref}: {len(pack.schedule.rows):,} schedule rows from "
               f"{pack.schedule.starts_on:%d/%m/%Y}", err=True)
