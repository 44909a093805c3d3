"""`duty-tui payments import FILE`: nightly payment files from allpay, PayPoint and the bank (docs/CLI.md).

The whole file is checked first; any problem: exit 2, one ``line N: ...`` per
problem on stderr, nothing posted. Otherwise every new row is posted at once;
rows already imported (same ``external_id``) are skipped; unknown refs go to
suspense. Summary on stderr, or the JSON object alone on stdout with ``--json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duty_tui.errors import InputError, PermissionDenied

app = typer.Typer(help="Payments: payment-file import.", no_args_is_help=True, add_completion=False)


@app.callback()
def _payments() -> None:
    """Payments: import payment files (allpay, PayPoint, bank)."""


@app.command("import")
def payments_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with date, account_ref, amount, method, external_id columns.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {posted, skipped, suspense, total_pence} on stdout.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (needs payments.import).")] = None,
) -> None:
    """Import a payment file: all rows or none; already-imported rows skipped; unknown refs to suspense."""
    from duty_tui.cli import _context, _engine, _state
    from duty_tui.services.outputs import dump_json
    from duty_tui.services.payments_import import import_payment_file

    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{file}: is a folder, not a CSV file") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read it ({exc.strerror or exc})") from None
    settings = _state(ctx).settings()
    engine = _engine(settings)
    svc = _context(settings, engine, as_user)
    try:
        summary = import_payment_file(svc, data, file.name)
    except PermissionDenied as exc:
        raise PermissionDenied(f"{exc.message}; run it --as a user whose role has payments.import") from None
    if as_json:
        typer.echo(dump_json(summary.as_json()))
    else:
        typer.echo(summary.line())
