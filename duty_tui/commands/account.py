"""`duty-tui account list|show`: balances for councils' scripts (docs/CLI.md).

One JSON object per account: ``{"ref", "type", "holder", "balance_pence"}``;
``balance_pence`` is positive when the holder owes money. An unknown ref exits 2.
Both are audited by the service (account.list, account.show). Text output shows stored values
inert on one line; ``--json`` escapes controls and bidi characters (services/outputs.py).
"""

from __future__ import annotations

from typing import Annotated

import typer

from duty_tui.errors import InputError

app = typer.Typer(help="Money accounts and their balances.", no_args_is_help=True, add_completion=False)


@app.callback()
def _account() -> None:
    """Money accounts and their balances (positive = owed)."""


def _line(summary) -> str:
    from duty_tui.domain.money import format_pence
    from duty_tui.services.outputs import one_line

    # The holder's name is stored text: a name holding ESC or an OSC 52 clipboard write prints as symbols.
    return (f"{one_line(summary.ref):<10} {one_line(summary.type):<21} {one_line(summary.holder)[:30]:<30} "
            f"{format_pence(summary.balance_pence):>13}")


def _arrears_over(text: str | None) -> int | None:
    """--arrears-over POUNDS as pence (0 allowed: everyone in arrears)."""
    from duty_tui.domain.money import parse_pounds

    if text is None:
        return None
    raw = text.strip()
    if raw.removeprefix("£").strip() in ("0", "0.0", "0.00"):
        return 0
    try:
        return parse_pounds(raw)
    except ValueError as exc:
        raise InputError(f"--arrears-over: {exc}") from None


@app.command("list")
def account_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of {ref, type, holder, balance_pence}.")] = False,
    arrears_over: Annotated[str | None, typer.Option("--arrears-over", metavar="POUNDS",
                                                        help="Only accounts owing more than this many pounds.")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Every account with its balance, by ref."""
    from duty_tui.cli import _context, _engine, _state
    from duty_tui.services.outputs import dump_json
    from duty_tui.services.payments import list_accounts

    threshold = _arrears_over(arrears_over)
    settings = _state(ctx).settings()
    engine = _engine(settings)
    accounts = list_accounts(_context(settings, engine, as_user), arrears_over_pence=threshold)
    if as_json:
        typer.echo(dump_json([a.as_json() for a in accounts]))
        return
    if not accounts:
        typer.echo("no accounts" + (" over that amount" if threshold is not None else ""), err=True)
        return
    for account in accounts:
        typer.echo(_line(account))


@app.command("show")
def account_show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The account ref, e.g. RNT001234.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object {ref, type, holder, balance_pence}.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """One account and its balance; an unknown ref exits 2."""
    from duty_tui.cli import _context, _engine, _state
    from duty_tui.services.outputs import dump_json
    from duty_tui.services.payments import show_account

    settings = _state(ctx).settings()
    engine = _engine(settings)
    account = show_account(_context(settings, engine, as_user), ref)
    if as_json:
        typer.echo(dump_json(account.as_json()))
        return
    typer.echo(_line(account))
