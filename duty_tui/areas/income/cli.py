"""Income's commands: `duty-tui arrears assess FILE|-` and `duty-tui arrears worklist` (docs/CLI.md,
docs/INCOME.md).

`arrears worklist`: rent accounts in arrears, largest first, with the next recommended action — a
readable table, or with ``--json`` a list of the contract's objects (docs/CLI.md). Audited as a view
by the service. Bad options exit 2 with one line saying what to fix.

`arrears assess` is the law engine's batch face: one account (a JSON object) or many (an array)
in, the legal dates and the court gate out, as indent-2 JSON in the same shape and order. Every
item is checked before anything is printed; any problem exits 2 with one line per problem on
stderr (prefixed `[i]` for array items) and nothing on stdout. It is pure: it reads the law table
from the data folder and never opens the database.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from duty_tui.areas.income.domain.arrears_input import ArrearsInputError, parse_account
from duty_tui.areas.income.domain.law import LawAssessment, assess_account
from duty_tui.areas.income.domain.law_table import LawTable, load_law
from duty_tui.core.cli.context import SubApp, cli_state, read_json_document

arrears = SubApp("arrears", typer.Typer(
    help="Rent arrears recovery: the worklist, a notice's legal dates, the pre-action protocol and the court gate.",
    no_args_is_help=True,
    add_completion=False,
))


@arrears.app.callback()
def _arrears() -> None:
    """Rent arrears recovery: the worklist, a notice's legal dates, the pre-action protocol and the court gate."""
    # The callback keeps each command a named subcommand here, as it is under `duty-tui arrears`.


MAX_PROBLEM_LINES = 100
"""At most this many problem lines are printed; a hostile file may hold thousands of bad keys."""


def _one(item: object, law: LawTable) -> LawAssessment:
    return assess_account(parse_account(item), law)


def assess_document(document: object, law: LawTable) -> list[LawAssessment] | LawAssessment:
    """Assess a parsed JSON document (an object or an array of them); ArrearsInputError lists every problem."""
    if type(document) is dict:
        return _one(document, law)
    if type(document) is not list:
        raise ArrearsInputError(["input: must be a JSON object or an array of objects"])
    results: list[LawAssessment] = []
    problems: list[str] = []
    for index, item in enumerate(document):
        try:
            answer = _one(item, law)
        except ArrearsInputError as exc:
            problems.extend(f"[{index}] {line}" for line in exc.problems)
            continue
        results.append(answer)
    if problems:
        if len(problems) > MAX_PROBLEM_LINES:
            extra = len(problems) - MAX_PROBLEM_LINES
            problems = [*problems[:MAX_PROBLEM_LINES], f"… and {extra:,} more problem{'s' if extra > 1 else ''}; "
                                                       "fix the ones above first"]
        raise ArrearsInputError(problems)
    return results


@arrears.app.command("assess")
def assess_command(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="FILE|-",
                                 help="A JSON file of one account or an array of them; '-' reads stdin."),
) -> None:
    """The legal dates and the court gate for rent accounts: notice dates, protocol steps, claim dates, reasons."""
    from duty_tui.core.services.outputs import dump_json

    document = read_json_document(source)
    law = load_law(cli_state(ctx).settings().data_dir)
    result = assess_document(document, law)
    value = result.as_json() if isinstance(result, LawAssessment) else [each.as_json() for each in result]
    sys.stdout.write(dump_json(value, indent=2) + "\n")


def _table(rows) -> list[str]:
    """The worklist as a readable table: stored text made inert, one account a line."""
    from duty_tui.core.domain.money import format_pence
    from duty_tui.core.services.outputs import one_line

    def day(value) -> str:
        return value.strftime("%d/%m/%Y") if value else "-"

    lines = [f"{'REF':<10} {'HOLDER':<22} {'BALANCE':>11} {'WEEKS':>6} {'PAID':>5} {'LAST ACTION':<20} "
             f"{'ON':<10} {'NEXT ACTION':<20} {'DUE':<10} PAUSED UNTIL"]
    for r in rows:
        paid = "never" if r.days_since_last_payment is None else f"{r.days_since_last_payment}d"
        lines.append(f"{one_line(r.ref):<10} {one_line(r.holder)[:22]:<22} {format_pence(r.balance_pence):>11} "
                     f"{r.weeks_in_arrears:>6.2f} {paid:>5} {one_line(r.last_action or '-')[:20]:<20} "
                     f"{day(r.last_action_date):<10} {one_line(r.next_action)[:20]:<20} {day(r.next_action_due):<10} "
                     f"{day(r.paused_until)}")
    return lines


@arrears.app.command("worklist")
def worklist_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of the contract's objects.")] = False,
    team: Annotated[str | None, typer.Option("--team", metavar="TEAM",
                                             help="Only accounts whose open arrears case is with this team (its code).")] = None,
    officer: Annotated[str | None, typer.Option("--officer", metavar="USER",
                                                help="Only accounts whose open arrears case is assigned to this "
                                                     "staff user.")] = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", help="At most N accounts (1-1000).")] = 50,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Rent accounts in arrears, largest first, with the next recommended action and when it is due."""
    from duty_tui.areas.income.services.worklist import arrears_worklist
    from duty_tui.core.cli.context import open_engine, service_context
    from duty_tui.core.services.outputs import dump_json

    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    page = arrears_worklist(service_context(settings, engine, as_user), team=team, officer=officer, limit=limit)
    if as_json:
        typer.echo(dump_json([row.as_json() for row in page.rows]))
        return
    if not page.rows:
        typer.echo("no rent accounts in arrears" + (" for that team or officer" if page.filters else ""), err=True)
        return
    for line in _table(page.rows):
        typer.echo(line)
    typer.echo(f"{len(page.rows):,} of {page.total:,} accounts in arrears, largest balance first", err=True)


from duty_tui.areas.income.cli_court import court_pack_command  # noqa: E402  (kept in its own module)

arrears.app.command("court-pack")(court_pack_command)

if __name__ == "__main__":
    arrears.app()
