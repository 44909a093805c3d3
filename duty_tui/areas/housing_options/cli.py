"""Housing options' commands: `duty-tui triage assess FILE|-` and `duty-tui report homelessness` (docs/CLI.md).

`triage assess` is the homelessness duty engine's batch face.

Reads one approach (a JSON object) or many (a JSON array), checks every one first, and
prints the assessments as JSON (indent 2) in the same shape and order. Any problem: exit 2,
one line per problem on stderr (prefixed `[i]` for array items), nothing on stdout.

`report homelessness --quarter YYYYQn --out DIR` writes the quarter's statistics in the published
live-table categories (one CSV per table), the H-CLIC case-level extract (one CSV per section,
mapped through data/housing_options/hclic/mapping.toml) and its data-quality report into DIR. DIR must be a new or
empty folder and not a symbolic link (services/outputs.py, as for `gdpr sar`). The extract holds
dates of birth and support needs, so the batch role (no --as) is refused. Exit 2 for a bad
quarter, an unusable folder or a role that may not; exit 3 when the database cannot be used.
"""

from __future__ import annotations

import getpass
import sys
from json.encoder import encode_basestring_ascii as _quote  # the C encoder json.dumps uses
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from duty_tui.areas.housing_options.domain.homelessness import ApproachInputError, Assessment, assess, parse_approach
from duty_tui.core.cli.context import SubApp, cli_state, open_engine, read_json_document, service_context
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.domain.validators import inert

triage = SubApp("triage", typer.Typer(
    help="Homelessness triage: which statutory duties are owed (England: HA 1996 Part 7; Scotland: H(S)A 1987).",
    no_args_is_help=True,
    add_completion=False,
))


@triage.app.callback()
def _triage() -> None:
    """Homelessness triage: which statutory duties are owed, and what a decision waits on."""
    # The callback keeps `assess` a named subcommand here, as it is under `duty-tui triage`.


MAX_PROBLEM_LINES = 100
"""At most this many problem lines are printed; a hostile file may hold thousands of bad keys."""


def _fail(problems: list[str]) -> NoReturn:
    # A problem may quote the input (an unknown key): shown inert, so no escape sequence in a
    # key reaches the terminal and no newline in it splits one problem over two lines.
    for line in problems[:MAX_PROBLEM_LINES]:
        line = line.replace("\n", " ")
        if len(line) > 200:  # a 5,000-character key: its start and the problem after it
            line = f"{line[:120]} … {line[-60:]}"
        typer.echo(inert(line), err=True)
    if len(problems) > MAX_PROBLEM_LINES:
        extra = len(problems) - MAX_PROBLEM_LINES
        typer.echo(f"… and {extra:,} more problem{'s' if extra > 1 else ''}; fix the ones above first", err=True)
    raise typer.Exit(code=2)


# --- output: exactly json.dumps(..., indent=2), written without the slow pure-Python
# indenting encoder (it is most of the run time for large batches). A test checks the
# two agree on every shape the engine produces.


def _render(a: Assessment, pad: str) -> str:
    """One assessment as json.dumps(assessment_to_json(a), indent=2) would write it at `pad`."""
    p1 = pad + "  "
    p2 = p1 + "  "
    p3 = p2 + "  "
    if a.duties:
        duty_lines = []
        for d in a.duties:
            until = f'"{d.until.isoformat()}"' if d.until is not None else "null"
            duty_lines.append(
                f'{{\n{p3}"duty": {_quote(d.duty)},\n{p3}"section": {_quote(d.section)},\n'
                f'{p3}"from": "{d.start.isoformat()}",\n{p3}"until": {until}\n{p2}}}'
            )
        duties = f"[\n{p2}" + f",\n{p2}".join(duty_lines) + f"\n{p1}]"
    else:
        duties = "[]"
    if a.outstanding:
        outstanding = f"[\n{p2}" + f",\n{p2}".join(map(_quote, a.outstanding)) + f"\n{p1}]"
    else:
        outstanding = "[]"
    if a.reasons:
        reasons = f"[\n{p2}" + f",\n{p2}".join(map(_quote, a.reasons)) + f"\n{p1}]"
    else:
        reasons = "[]"
    referral = "true" if a.referral_possible else "false"
    return (
        f'{{\n{p1}"status": {_quote(a.status)},\n{p1}"duties": {duties},\n'
        f'{p1}"outstanding": {outstanding},\n{p1}"referral_possible": {referral},\n'
        f'{p1}"reasons": {reasons}\n{pad}}}'
    )


def render_assessments(assessments: list[Assessment] | Assessment) -> str:
    """An assessment (object) or a list of them (array) as indent-2 JSON text."""
    if isinstance(assessments, Assessment):
        return _render(assessments, "")
    if not assessments:
        return "[]"
    return "[\n  " + ",\n  ".join([_render(a, "  ") for a in assessments]) + "\n]"


def assess_document(document: object) -> list[Assessment] | Assessment:
    """Assess a parsed JSON document; raises ApproachInputError with every problem found."""
    if type(document) is dict:
        return assess(parse_approach(document))
    if type(document) is not list:
        raise ApproachInputError(["input: must be a JSON object or an array of objects"])
    results: list[Assessment] = []
    problems: list[str] = []
    for index, item in enumerate(document):
        try:
            approach = parse_approach(item)
        except ApproachInputError as exc:
            problems.extend(f"[{index}] {line}" for line in exc.problems)
            continue
        if not problems:  # once anything is wrong, only keep checking
            results.append(assess(approach))
    if problems:
        raise ApproachInputError(problems)
    return results


@triage.app.command("assess")
def assess_command(
    source: str = typer.Argument(..., metavar="FILE|-", help="A JSON file of one approach or an array of them; '-' reads stdin."),
) -> None:
    """Assess homelessness approaches: print the duties owed, status, outstanding facts and reasons."""
    try:
        document = read_json_document(source)
    except InputError as exc:
        _fail(exc.problems)
    try:
        result = assess_document(document)
    except ApproachInputError as exc:
        _fail(exc.problems)
    sys.stdout.write(render_assessments(result))
    sys.stdout.write("\n")


# --- `duty-tui report homelessness` -------------------------------------------------------------

def report_homelessness(
    ctx: typer.Context,
    quarter: Annotated[str, typer.Option("--quarter", help="Calendar quarter, e.g. 2026Q3 (July to September 2026).")],
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder for the CSV files (created if needed).")],
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user (the extract needs a role "
                                                               "that may see dates of birth and support needs).")] = None,
) -> None:
    """The quarter's homelessness statistics and H-CLIC extract with its data-quality report."""
    from duty_tui.areas.housing_options.domain.stats import parse_quarter
    from duty_tui.areas.housing_options.services.statistics import write_homelessness_report
    from duty_tui.core.services.outputs import check_out_dir, one_line

    try:
        parse_quarter(quarter)  # a bad quarter is refused before the database is touched
    except ValueError as exc:
        raise InputError(str(exc)) from None
    check_out_dir(out)  # before the database is touched; checked again as the folder is opened
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    svc = service_context(settings, engine, as_user)
    try:
        summary = write_homelessness_report(svc, quarter, out)
    except PermissionDenied as exc:
        raise PermissionDenied(f"{exc.message}; run it --as a user whose role may (a housing options officer, "
                               "team leader or admin)") from None
    typer.echo(
        f"{summary.quarter.label} ({summary.quarter.words}): {len(summary.files)} files in {one_line(out)}; "
        f"H-CLIC extract {summary.extract_cases} cases; data quality: {summary.problems} missing mandatory "
        f"field(s) on {summary.cases_with_problems} case(s), {summary.mapping_todo} code(s) still to map "
        f"(as {one_line(svc.actor.username if svc.actor else getpass.getuser())})",
        err=True,
    )


if __name__ == "__main__":
    triage.app()
