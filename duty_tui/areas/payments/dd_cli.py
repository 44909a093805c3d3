"""Direct debit commands: `duty-tui dd notice-by DATE` (CONTRACTS.md) and the mandate, notice, collection
and returns batch jobs (docs/CLI.md, docs/RENTS_DIRECT_DEBIT.md)."""

from __future__ import annotations

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
