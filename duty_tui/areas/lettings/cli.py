"""Lettings' commands: `duty-tui lettings bedroom-need FILE|-` and `duty-tui lettings rank FILE|-`
(docs/CLI.md, docs/LETTINGS.md; they are contracts).

Both are pure: they read the policy in the data folder (``data/lettings/``) and never open the
database. Every item is checked before anything is printed; any problem exits 2 with one line per
problem on stderr (``[i]`` before an array item's) and nothing on stdout.
"""

from __future__ import annotations

import sys

import typer

from duty_tui.core.cli.context import SubApp, cli_state, read_json_document
from duty_tui.core.domain.json_input import ProblemsError

lettings = SubApp("lettings", typer.Typer(
    help="Lettings: bedroom need and shortlist ranking under the allocation scheme's policy.",
    no_args_is_help=True,
    add_completion=False,
))

MAX_PROBLEM_LINES = 100


@lettings.app.callback()
def _lettings() -> None:
    """Lettings: bedroom need and shortlist ranking under the allocation scheme's policy."""


def bedroom_need_document(document: object, data_dir) -> object:
    """``{"bedrooms": N}`` for one household, or a list of them for an array; ProblemsError lists all problems."""
    from duty_tui.areas.lettings.domain.bedroom_need import bedrooms_needed, parse_household
    from duty_tui.areas.lettings.domain.reference import in_force, load_bedroom_standard

    rule = in_force(load_bedroom_standard(data_dir), None)
    if type(document) is dict:
        return {"bedrooms": bedrooms_needed(parse_household(document, rule), rule)}
    if type(document) is not list:
        raise ProblemsError(["input: must be a JSON object or an array of objects"])
    answers: list[dict] = []
    problems: list[str] = []
    for index, item in enumerate(document):
        try:
            answers.append({"bedrooms": bedrooms_needed(parse_household(item, rule), rule)})
        except ProblemsError as exc:
            problems.extend(f"[{index}] {line}" for line in exc.problems)
    if problems:
        if len(problems) > MAX_PROBLEM_LINES:
            extra = len(problems) - MAX_PROBLEM_LINES
            problems = [*problems[:MAX_PROBLEM_LINES], f"… and {extra:,} more problems; fix the ones above first"]
        raise ProblemsError(problems)
    return answers


def rank_document(document: object, data_dir) -> dict:
    """``{"shortlist": [...], "skipped": [...]}`` for one advert's bids."""
    from duty_tui.areas.lettings.domain.rank import parse_rank_input, rank
    from duty_tui.areas.lettings.domain.reference import in_force, load_bands, load_rank_rules

    bands = tuple(band.code for band in load_bands(data_dir))
    try:
        advert, bids = parse_rank_input(document, bands)
    except ProblemsError as exc:
        raise ProblemsError(exc.problems[:MAX_PROBLEM_LINES]) from None
    return rank(advert, bids, in_force(load_rank_rules(data_dir), None)).as_json()


@lettings.app.command("bedroom-need")
def bedroom_need_command(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="FILE|-",
                                 help="A JSON household (or an array of them); '-' reads stdin."),
) -> None:
    """Bedrooms a household needs under the bedroom standard in data (default: the size criteria)."""
    from duty_tui.core.services.outputs import dump_json

    value = bedroom_need_document(read_json_document(source), cli_state(ctx).settings().data_dir)
    sys.stdout.write(dump_json(value, indent=2) + "\n")


@lettings.app.command("rank")
def rank_command(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="FILE|-",
                                 help="A JSON advert and its bids; '-' reads stdin."),
) -> None:
    """Rank the bids on one advert: the shortlist in order, and who was skipped and why."""
    from duty_tui.core.services.outputs import dump_json

    value = rank_document(read_json_document(source), cli_state(ctx).settings().data_dir)
    sys.stdout.write(dump_json(value, indent=2) + "\n")


from duty_tui.areas.lettings.cli_register import application as application_app  # noqa: E402  (its own module)

lettings.app.add_typer(application_app, name="application")
from duty_tui.areas.lettings import cli_returns  # noqa: E402  (the returns' commands, kept in their own module)

lettings.app.command("core-log")(cli_returns.core_log_command)
lettings.app.add_typer(cli_returns.s5, name="s5")
from duty_tui.areas.lettings import cli_homes  # noqa: E402  (letting a home: its own module)

cli_homes.register(lettings.app)
