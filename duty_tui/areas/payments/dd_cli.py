"""Direct debit commands: `duty-tui dd notice-by DATE` (docs/CLI.md) and the mandate, notice, collection
and returns batch jobs (docs/CLI.md, docs/RENTS_DIRECT_DEBIT.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp
from duty_tui.core.domain.errors import InputError

dd = SubApp("dd", typer.Typer(help="Direct debits (Bacs): notice dates, mandates, collections, returns.",
                              no_args_is_help=True, add_completion=False))


@dd.app.callback()
def _dd() -> None:
    """Direct debits (Bacs): advance notice dates, mandates, collection files and returns."""


def _date(text: str, name: str):
    from duty_tui.core.domain.validators import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from None


@dd.app.command("notice-by")
def dd_notice_by(
    wanted: Annotated[str, typer.Argument(metavar="DATE", help="The day the collection is wanted (YYYY-MM-DD).")],
    as_json: Annotated[bool, typer.Option("--json", help='Print {"collection": DATE, "notice_by": DATE}.')] = False,
) -> None:
    """The collection date (DATE or the next Bacs working day) and the last day to send its advance notice."""
    from duty_tui.areas.payments.domain.bacs_calendar import notice_by
    from duty_tui.core.services.outputs import dump_json

    found = notice_by(_date(wanted, "DATE"))
    if as_json:
        typer.echo(dump_json(found.as_json()))
        return
    moved = "" if found.collection == found.wanted else f" (moved from {found.wanted.isoformat()}, not a Bacs working day)"
    typer.echo(f"collection {found.collection.isoformat()}{moved}; advance notice by {found.notice_by.isoformat()}")


def _write_private(folder: Path, name: str, data: bytes) -> Path:
    """Write a file readable by this user only (0600): bank details and payers' names are in it."""
    import os

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {folder}: cannot make the folder ({exc.strerror or exc})") from None
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)
    return path


def _context(ctx: typer.Context, as_user: str | None):
    from duty_tui.core.cli.context import cli_state, open_engine, service_context

    settings = cli_state(ctx).settings()
    return service_context(settings, open_engine(settings), as_user)


_AS = typer.Option("--as", help="Act as this staff user (needs rents.manage).")


@dd.app.command("mandates")
def dd_mandates(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The account ref, e.g. RNT000123.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of the account's mandates.")] = False,
    as_user: Annotated[str | None, _AS] = None,
) -> None:
    """An account's direct debit mandates (account numbers masked without rents.manage); the view is audited."""
    from duty_tui.areas.payments.services.direct_debit import account_mandates
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import dump_json, one_line

    mandates = account_mandates(_context(ctx, as_user), ref)
    if as_json:
        typer.echo(dump_json([m.as_json() for m in mandates]))
        return
    if not mandates:
        typer.echo("no direct debit mandates on this account", err=True)
    for m in mandates:
        typer.echo(f"{one_line(m.reference):<18} {m.status:<9} {m.sort_code} {m.account_number} day {m.collection_day:>2} "
                   f"{format_pence(m.amount_pence + m.top_up_pence):>10} {one_line(m.payer_name)}")


@dd.app.command("notices")
def dd_notices(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR",
                                             help="Send every notice waiting: write each as .txt and .pdf here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the notices waiting (or sent) as JSON.")] = False,
    as_user: Annotated[str | None, _AS] = None,
) -> None:
    """The advance notices waiting to be sent; with --out, produce them all and record them sent."""
    from duty_tui.areas.payments.services.dd_runs import notices_due, send_notices
    from duty_tui.core.services.outputs import dump_json

    svc = _context(ctx, as_user)
    due = notices_due(svc)
    listed = [{"reference": n.reference, "account": n.account_ref, "kind": n.kind,
               "collection": n.collection_date.isoformat(), "amount_pence": n.amount_pence,
               "notice_by": n.notice_by.isoformat()} for n in due]
    if out is not None and due:
        for document in send_notices(svc, [n.notice_id for n in due]):
            _write_private(out, document.text_name, (document.text or "").encode("utf-8"))
            _write_private(out, document.pdf_name, document.pdf)
        typer.echo(f"{len(due)} advance notices written to {out} and recorded sent", err=True)
    if as_json:
        typer.echo(dump_json(listed))
    elif out is None:
        for n in listed:
            typer.echo(f"{n['reference']:<18} {n['kind']:<9} collection {n['collection']} notice by {n['notice_by']}")
        if not listed:
            typer.echo("no advance notices waiting", err=True)


@dd.app.command("collect")
def dd_collect(
    ctx: typer.Context,
    on: Annotated[str, typer.Option("--date", metavar="DATE", help="The Bacs collection date (YYYY-MM-DD).")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where to write the Standard 18 and AUDDIS files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {date, collected, total_pence, lodged, skipped}.")] = False,
    as_user: Annotated[str | None, _AS] = None,
) -> None:
    """Collect the direct debits due on DATE: post each once, write the Standard 18 and AUDDIS files (0600)."""
    from duty_tui.areas.payments.services.dd_runs import run_collections
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import dump_json

    day = _date(on, "--date")
    run = run_collections(_context(ctx, as_user), day)
    _write_private(out, f"dd_collection_{day.isoformat()}.txt", run.collection_file.encode("ascii"))
    _write_private(out, f"dd_auddis_{day.isoformat()}.txt", run.auddis_file.encode("ascii"))
    if as_json:
        typer.echo(dump_json(run.as_json()))
        return
    typer.echo(f"{len(run.collected)} collections for {format_pence(run.total_pence)}, {len(run.lodged)} AUDDIS "
               f"lodgements, {len(run.skipped)} skipped; files in {out}", err=True)
    for reference, why in run.skipped:
        typer.echo(f"skipped {reference}: {why}", err=True)


@dd.app.command("returns")
def dd_returns(
    ctx: typer.Context,
    report: Annotated[str, typer.Argument(metavar="arudd|addacs", help="Which Bacs report the file is.")],
    file: Annotated[Path, typer.Argument(help="The report as CSV (columns in docs/RENTS_DIRECT_DEBIT.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {report, applied, skipped, late, actions}.")] = False,
    as_user: Annotated[str | None, _AS] = None,
) -> None:
    """Apply an ARUDD (unpaid) or ADDACS (amendments) file: checked whole, all or nothing, each row once."""
    from duty_tui.areas.payments.services.dd_returns import apply_returns
    from duty_tui.core.services.outputs import dump_json

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: cannot read it ({exc.strerror or exc})") from None
    summary = apply_returns(_context(ctx, as_user), report.lower(), data)
    if as_json:
        typer.echo(dump_json(summary.as_json()))
        return
    for line in summary.applied:
        typer.echo(line)
    typer.echo(f"{len(summary.applied)} applied, {summary.skipped} already applied (skipped), {summary.late} after "
               "their 3-working-day limit", err=True)
