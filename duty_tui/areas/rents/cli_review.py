"""`duty-tui rent review …`: model, show, apply and withdraw a rent review; print a notice of variation
(docs/CLI.md, docs/RENTS_REVIEW.md). Bad input exits 2 with one line naming the rule and the fix;
`--json` output alone on stdout, summaries on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine, service_context
from duty_tui.core.domain.errors import InputError

review = typer.Typer(help="The rent review: model an increase, see its effect, apply it with notices.",
                     no_args_is_help=True, add_completion=False)
AsUser = Annotated[str | None, typer.Option("--as", help="Act as this staff user (rents.manage).")]


def _svc(ctx: typer.Context, as_user: str | None):
    settings = cli_state(ctx).settings()
    return service_context(settings, open_engine(settings), as_user)


def _day(value: str, option: str):
    from duty_tui.core.domain.validators import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _percent_bp(text: str) -> int:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        raise InputError(f"--percent {text!r}: give a percentage such as 4.8") from None
    if value < 0 or value > 100 or value * 100 != int(value * 100):
        raise InputError(f"--percent {text!r}: give 0-100 with at most two decimal places, such as 4.8")
    return int(value * 100)


@review.command("model")
def model_command(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", metavar="YYYY", help="The year the rent year begins in.")],
    percent: Annotated[str | None, typer.Option("--percent", metavar="P", help="An increase for every property "
                                                                             "charge, e.g. 4.8.")] = None,
    amounts: Annotated[Path | None, typer.Option("--amounts", metavar="FILE", help="CSV property_ref,charge_code,"
                                                                                 "new_amount (pounds).")] = None,
    policy: Annotated[str | None, typer.Option("--policy", metavar="CODE", help="The caps policy "
                                                                              "(data/rents/review.toml).")] = None,
    notices_on: Annotated[str | None, typer.Option("--notices-on", metavar="DATE",
                                                   help="The day the notices will be posted.")] = None,
    description: Annotated[str, typer.Option("--description", help="Words for the review.")] = "",
    as_user: AsUser = None,
) -> None:
    """Model an increase for the rent year beginning in YYYY (nothing changes until it is applied)."""
    from duty_tui.areas.rents.services.review import model_review, read_amounts

    if (percent is None) == (amounts is None):
        raise InputError("give --percent P or --amounts FILE (one of them)")
    bp = _percent_bp(percent) if percent is not None else None
    rows = read_amounts(amounts) if amounts is not None else None
    given = _day(notices_on, "--notices-on") if notices_on else None
    ref = model_review(_svc(ctx, as_user), year=year, percent_bp=bp, amounts=rows, policy_code=policy,
                       notices_on=given, description=description)
    typer.echo(ref)
    typer.echo(f"modelled review {ref}; see its effect with `duty-tui rent review show {ref}`", err=True)


@review.command("show")
def show_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The review's ref, e.g. RR2026-01.")],
    largest: Annotated[int, typer.Option("--largest", min=0, max=500, help="How many of the largest "
                                                                        "changes to list.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the effect as JSON.")] = False,
    as_user: AsUser = None,
) -> None:
    """A review's effect: weekly totals old and new by rent group, lines capped, the largest changes."""
    from duty_tui.areas.rents.services.review import review_effect
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import dump_json

    effect = review_effect(_svc(ctx, as_user), ref, largest)
    if as_json:
        typer.echo(dump_json(effect.as_json()))
        return
    for group in effect.groups:
        typer.echo(f"{group.group[:30]:<30} {group.lines:>6} lines {format_pence(group.old_weekly_pence):>14} "
                   f"-> {format_pence(group.new_weekly_pence):>14} a week")
    for line in effect.largest:
        typer.echo(f"  {line.property_ref:<10} {line.charge_code:<20} {format_pence(line.old_pence):>10} -> "
                   f"{format_pence(line.new_pence):>10}{'  capped' if line.capped else ''}")
    typer.echo(f"{effect.ref} ({effect.status}) {effect.rent_year} from {effect.effective_from:%d/%m/%Y}: "
               f"{effect.changed:,} of {effect.lines:,} charges change, {effect.capped:,} capped; weekly "
               f"{format_pence(effect.old_weekly_pence)} -> {format_pence(effect.new_weekly_pence)}", err=True)


@review.command("apply")
def apply_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The modelled review's ref.")],
    notices_on: Annotated[str | None, typer.Option("--notices-on", metavar="DATE",
                                                   help="The day the notices are posted (default: the "
                                                        "review's, else today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what applying did as JSON.")] = False,
    as_user: AsUser = None,
) -> None:
    """Apply a review from its rent year's first week, with a notice of variation per live tenancy."""
    from duty_tui.areas.rents.services.review_apply import apply_review
    from duty_tui.core.services.outputs import dump_json

    given = _day(notices_on, "--notices-on") if notices_on else None
    done = apply_review(_svc(ctx, as_user), ref, given)
    if as_json:
        typer.echo(dump_json(done.as_json()))
    typer.echo(f"applied {done.ref} from {done.effective_from:%d/%m/%Y}: {done.charges:,} charges restarted, "
               f"{done.notices:,} notices dated {done.notices_on:%d/%m/%Y}, {done.mandates_changed:,} direct "
               "debits changed", err=True)
    for problem in done.hook_problems:
        typer.echo(f"direct debit not changed: {problem}", err=True)


@review.command("withdraw")
def withdraw_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The modelled review's ref.")],
    as_user: AsUser = None,
) -> None:
    """Withdraw a modelled review."""
    from duty_tui.areas.rents.services.review import withdraw_review

    withdraw_review(_svc(ctx, as_user), ref)
    typer.echo(f"withdrew {ref.strip().upper()}", err=True)


@review.command("notice")
def notice_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The applied review's ref.")],
    tenancy: Annotated[str, typer.Argument(metavar="TENANCY_REF", help="The tenancy ref.")],
    pdf: Annotated[Path | None, typer.Option("--pdf", metavar="OUT", help="Write a PDF to this new file.")] = None,
    as_user: AsUser = None,
) -> None:
    """One tenant's notice of variation: the text on stdout, or a PDF with --pdf."""
    from duty_tui.areas.rents.services.review_notice import notice_pdf, notice_text

    svc = _svc(ctx, as_user)
    if pdf is None:
        typer.echo("\n".join(notice_text(svc, ref, tenancy)))
        return
    if pdf.exists() or pdf.is_symlink():
        raise InputError(f"--pdf {pdf}: a file is already there; give a new file name")
    pdf.write_bytes(notice_pdf(svc, ref, tenancy))
    typer.echo(f"wrote {pdf}", err=True)
