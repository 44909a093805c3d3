"""Income's commands: `duty-tui arrears assess FILE|-` (docs/CLI.md, docs/INCOME.md).

`arrears assess` is the law engine's batch face: one account (a JSON object) or many (an array)
in, the legal dates and the court gate out, as indent-2 JSON in the same shape and order. Every
item is checked before anything is printed; any problem exits 2 with one line per problem on
stderr (prefixed `[i]` for array items) and nothing on stdout. It is pure: it reads the law table
from the data folder and never opens the database.
"""

from __future__ import annotations

import sys

import typer

from duty_tui.areas.income.domain.arrears_input import ArrearsInputError, parse_account
from duty_tui.areas.income.domain.law import LawAssessment, assess_account
from duty_tui.areas.income.domain.law_table import LawTable, load_law
from duty_tui.core.cli.context import SubApp, cli_state, read_json_document

arrears = SubApp("arrears", typer.Typer(
    help="Rent arrears recovery: a notice's legal dates, the pre-action protocol and the court gate.",
    no_args_is_help=True,
    add_completion=False,
))


@arrears.app.callback()
def _arrears() -> None:
    """Rent arrears recovery: a notice's legal dates, the pre-action protocol and the court gate."""
    # The callback keeps `assess` a named subcommand here, as it is under `duty-tui arrears`.


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


if __name__ == "__main__":
    arrears.app()
