"""Payments' commands: `duty-tui account list|show` and `duty-tui payments import FILE` (docs/CLI.md).

`account list|show`: balances for councils' scripts.

One JSON object per account: ``{"ref", "type", "holder", "balance_pence"}``;
``balance_pence`` is positive when the holder owes money. An unknown ref exits 2.
Both are audited by the service (account.list, account.show). Text output shows stored values
inert on one line; ``--json`` escapes controls and bidi characters (services/outputs.py).

`arrangements check`: check every active arrangement against its expected balance and record the
changes of state found (docs/INCOME_AGREEMENTS.md), for a nightly job.

`payments import FILE`: nightly payment files from allpay, PayPoint and the bank. The whole file is
checked first; any problem: exit 2, one ``line N: ...`` per problem on stderr, nothing posted.
Otherwise every new row is posted at once; rows already imported (same ``external_id``) are
skipped; unknown refs go to suspense. Summary on stderr, or the JSON object alone on stdout with
``--json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp, cli_state, open_engine, service_context
from duty_tui.core.domain.errors import InputError, PermissionDenied

account = SubApp("account", typer.Typer(help="Money accounts and their balances.", no_args_is_help=True,
                                        add_completion=False))


@account.app.callback()
def _account() -> None:
    """Money accounts and their balances (positive = owed)."""


def _line(summary) -> str:
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import one_line

    # The holder's name is stored text: a name holding ESC or an OSC 52 clipboard write prints as symbols.
    return (f"{one_line(summary.ref):<10} {one_line(summary.type):<21} {one_line(summary.holder)[:30]:<30} "
            f"{format_pence(summary.balance_pence):>13}")


def _arrears_over(text: str | None) -> int | None:
    """--arrears-over POUNDS as pence (0 allowed: everyone in arrears)."""
    from duty_tui.core.domain.money import parse_pounds

    if text is None:
        return None
    raw = text.strip()
    if raw.removeprefix("£").strip() in ("0", "0.0", "0.00"):
        return 0
    try:
        return parse_pounds(raw)
    except ValueError as exc:
        raise InputError(f"--arrears-over: {exc}") from None


@account.app.command("list")
def account_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of {ref, type, holder, balance_pence}.")] = False,
    arrears_over: Annotated[str | None, typer.Option("--arrears-over", metavar="POUNDS",
                                                        help="Only accounts owing more than this many pounds.")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Every account with its balance, by ref."""
    from duty_tui.areas.payments.services.accounts import list_accounts
    from duty_tui.core.services.outputs import dump_json

    threshold = _arrears_over(arrears_over)
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    accounts = list_accounts(service_context(settings, engine, as_user), arrears_over_pence=threshold)
    if as_json:
        typer.echo(dump_json([a.as_json() for a in accounts]))
        return
    if not accounts:
        typer.echo("no accounts" + (" over that amount" if threshold is not None else ""), err=True)
        return
    for account in accounts:
        typer.echo(_line(account))


@account.app.command("show")
def account_show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The account ref, e.g. RNT001234.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object {ref, type, holder, balance_pence, "
                                                         "weekly_charges_pence}.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """One account and its balance; an unknown ref exits 2."""
    from duty_tui.areas.payments.services.accounts import show_account
    from duty_tui.core.services.outputs import dump_json

    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    account = show_account(service_context(settings, engine, as_user), ref)
    if as_json:
        typer.echo(dump_json(account.show_json()))
        return
    typer.echo(_line(account))


@account.app.command("reconcile")
def account_reconcile(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print {accounts, differ: [{ref, kept_pence, sum_pence}]}.")] = False,
    repair: Annotated[bool, typer.Option("--repair", help="Rebuild differing kept balances from the ledger "
                                                          "(needs account.rebuild_balances; on PostgreSQL run as "
                                                          "the tables' owner).")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Prove every account's kept balance equals the sum of its ledger rows; exit 1 naming any that differ."""
    from duty_tui.areas.payments.services.accounts import reconcile_accounts
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import dump_json, one_line

    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    result = reconcile_accounts(service_context(settings, engine, as_user), repair=repair)
    if as_json:
        typer.echo(dump_json(result.as_json()))
    else:
        for d in result.differ:
            rows = f" ({d.kept_rows} rows kept, {d.rows} in the ledger)" if d.kept_rows != d.rows else ""
            typer.echo(f"{one_line(d.ref)}: kept {format_pence(d.kept_pence)}, rows sum to "
                       f"{format_pence(d.sum_pence)}{rows}")
    if not result.differ:
        typer.echo(f"all {result.accounts:,} accounts agree: each kept balance is the sum of its ledger rows", err=True)
        return
    if result.repaired:
        typer.echo(f"{len(result.differ):,} of {result.accounts:,} kept balances differed and were rebuilt from the "
                   "ledger (audited as account.balance_rebuilt); run account reconcile again to check", err=True)
        raise typer.Exit(1)  # they differed: a script learns that, repaired or not
    typer.echo(f"{len(result.differ):,} of {result.accounts:,} kept balances differ from their ledger rows. The "
               "ledger rows are the record: an administrator rebuilds the kept balances with "
               "duty-tui account reconcile --repair (on PostgreSQL as the tables' owner), then finds out how rows "
               "were written without the database's triggers", err=True)
    raise typer.Exit(1)


# --- `duty-tui payments import` ------------------------------------------------------------------

payments = SubApp("payments", typer.Typer(help="Payments: payment-file import.", no_args_is_help=True,
                                          add_completion=False))


@payments.app.callback()
def _payments() -> None:
    """Payments: import payment files (allpay, PayPoint, bank)."""


@payments.app.command("import")
def payments_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with date, account_ref, amount, method, external_id columns.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {posted, skipped, suspense, total_pence} on stdout.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (needs payments.import).")] = None,
) -> None:
    """Import a payment file: all rows or none; already-imported rows skipped; unknown refs to suspense."""
    from duty_tui.areas.payments.services.importing import import_payment_file
    from duty_tui.core.services.outputs import dump_json

    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{file}: is a folder, not a CSV file") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read it ({exc.strerror or exc})") from None
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    svc = service_context(settings, engine, as_user)
    try:
        summary = import_payment_file(svc, data, file.name)
    except PermissionDenied as exc:
        raise PermissionDenied(f"{exc.message}; run it --as a user whose role has payments.import") from None
    if as_json:
        typer.echo(dump_json(summary.as_json()))
    else:
        typer.echo(summary.line())


# --- `duty-tui arrangements check` ---------------------------------------------------------------

arrangements = SubApp("arrangements", typer.Typer(help="Arrangements to pay.", no_args_is_help=True,
                                                  add_completion=False))


@arrangements.app.callback()
def _arrangements() -> None:
    """Arrangements to pay: check them against their expected balance."""


@arrangements.app.command("check")
def arrangements_check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print {active, broken, recorded} on stdout.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Check every active arrangement; record each change of state found (kept, breached, back on track)."""
    from duty_tui.areas.payments.services.arrangements import check_arrangements
    from duty_tui.core.services.outputs import dump_json

    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    found = check_arrangements(service_context(settings, engine, as_user))
    if as_json:
        typer.echo(dump_json(found.as_json()))
        return
    typer.echo(f"{found.active:,} active arrangements checked: {found.broken:,} broken; "
               f"{found.recorded:,} changes of state recorded", err=True)
