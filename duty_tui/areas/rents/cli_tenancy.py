"""`duty-tui rent end-tenancy`, `rent transfers`, `rent transfer-decide`, `rent sundry-charge` (docs/CLI.md,
docs/RENTS_TENANCY_END.md). Bad input exits 2 with one line saying what to fix; `--json` output alone on
stdout, summaries on stderr.
"""

from __future__ import annotations

from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine, service_context
from duty_tui.core.domain.errors import InputError

AS_USER = typer.Option("--as", help="Act as this staff user (rents.manage).")


def _day(value: str, option: str):
    from duty_tui.core.domain.validators import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _svc(ctx: typer.Context, as_user: str | None):
    settings = cli_state(ctx).settings()
    return service_context(settings, open_engine(settings), as_user)


def end_tenancy_command(
    ctx: typer.Context,
    tenancy: Annotated[str, typer.Argument(metavar="TENANCY_REF", help="The tenancy ref, e.g. T00012.")],
    on: Annotated[str, typer.Option("--on", metavar="DATE", help="The tenancy's last day (YYYY-MM-DD or "
                                                                 "DD/MM/YYYY).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it ended (notice given, abandoned, evicted, died…).")],
    credit: Annotated[str, typer.Option("--credit", help="A credit final balance: refund, transfer:ACCOUNT_REF "
                                                         "or hold.")] = "hold",
    preview: Annotated[bool, typer.Option("--preview", help="Work out the final balance; post nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the final balance as JSON.")] = False,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """End a tenancy at its account (once): charges to the end date, credits after it, the final balance moved."""
    from duty_tui.areas.rents.services.tenancy_end import end_tenancy, preview_end
    from duty_tui.core.services.outputs import dump_json

    day = _day(on, "--on")
    svc = _svc(ctx, as_user)
    result = preview_end(svc, tenancy, day, credit=credit) if preview else end_tenancy(svc, tenancy, day, reason,
                                                                                       credit=credit)
    if as_json:
        typer.echo(dump_json(result.as_json()))
    typer.echo(result.message, err=True)


def transfers_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the transfers waiting as a JSON list.")] = False,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Credit transfers waiting for a second person's decision, oldest first."""
    from duty_tui.areas.rents.services.transfers import list_transfers
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import dump_json

    found = list_transfers(_svc(ctx, as_user))
    if as_json:
        typer.echo(dump_json([t.as_json() for t in found]))
    else:
        for t in found:
            typer.echo(f"{t.ref}  {t.from_account} → {t.to_account}  {format_pence(t.amount_pence):>10}  {t.reason}")
    typer.echo(f"{len(found)} credit transfers waiting for a decision", err=True)


def transfer_decide_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The transfer ref, e.g. CT000001.")],
    authorise: Annotated[bool, typer.Option("--authorise", help="Authorise it (posts the two rows).")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject it (say why with --note).")] = False,
    note: Annotated[str | None, typer.Option("--note", help="Why (needed to reject).")] = None,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Authorise or reject a credit transfer someone else asked for (two people for every transfer)."""
    from duty_tui.areas.rents.services.transfers import decide_transfer

    if authorise == reject:
        raise InputError("give exactly one of --authorise or --reject")
    done = decide_transfer(_svc(ctx, as_user), ref, authorise=authorise, note=note)
    typer.echo(f"transfer {done.ref} {done.status}", err=True)


def sundry_charge_command(
    ctx: typer.Context,
    who: Annotated[str, typer.Argument(metavar="PERSON_OR_ACCOUNT", help="A person ref or one of their accounts.")],
    kind: Annotated[str, typer.Option("--kind", help="court_costs or rechargeable_repairs.")],
    amount: Annotated[str, typer.Option("--amount", metavar="£", help="The amount in pounds, e.g. 355.00.")],
    description: Annotated[str, typer.Option("--description", help="What the charge is for.")],
    source_ref: Annotated[str | None, typer.Option("--source-ref", help="A court claim or repair job "
                                                                         "number.")] = None,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Charge court costs or a rechargeable repair to the person's own account of that type (opened if none)."""
    from duty_tui.areas.rents.services.sundry import charge_sundry
    from duty_tui.core.domain.money import format_pence, parse_pounds

    try:
        pence = parse_pounds(amount)
    except ValueError as exc:
        raise InputError(f"--amount: {exc}") from None
    done = charge_sundry(_svc(ctx, as_user), who, kind, pence, description, source_ref=source_ref)
    opened = " (account opened)" if done.account_opened else ""
    typer.echo(f"charged {format_pence(done.amount_pence)} {kind.replace('_', ' ')} to {done.account_ref}{opened}",
               err=True)
