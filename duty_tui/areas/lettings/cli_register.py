"""`duty-tui lettings application …`: the housing register from scripts (docs/CLI.md,
docs/LETTINGS_REGISTER.md) — create, show (with the place on the list), qualify, band, status,
check, review, letter. Bad input exits 2 with one sentence naming the rule; `--json` output alone
on stdout, summaries on stderr.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state
from duty_tui.core.domain.errors import InputError

application = typer.Typer(help="Applications to the housing register: create, show, decide.", no_args_is_help=True,
                          add_completion=False)

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this staff user.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


def _ctx(ctx: typer.Context, as_user: str | None):
    from duty_tui.core.cli.context import open_engine, service_context

    settings = cli_state(ctx).settings()
    return service_context(settings, open_engine(settings), as_user)


def _day(value: str | None, option: str) -> date | None:
    from duty_tui.core.domain.validators import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _pounds(value: str | None, option: str) -> int | None:
    from duty_tui.core.domain.money import parse_pounds

    if value is None:
        return None
    try:
        return parse_pounds(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _sexes(values: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        ref, _, sex = value.partition("=")
        if sex.strip().lower() not in ("f", "m") or not ref.strip():
            raise InputError(f"--child {value!r}: give PERSON_REF=f or PERSON_REF=m, e.g. --child P0000005=f")
        pairs.append((ref.strip().upper(), sex.strip().lower()))
    return tuple(pairs)


@application.command("create")
def create_command(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(metavar="PERSON_REF", help="The applicant; their household applies.")],
    child: Annotated[list[str] | None, typer.Option("--child", metavar="REF=f|m",
                                                    help="Each child's sex (bedroom need pairs children by it).")] = None,
    applied_on: Annotated[str | None, typer.Option("--applied-on", metavar="DATE", help="Default today.")] = None,
    current_home: Annotated[str | None, typer.Option("--current-home", help="Where they live now.")] = None,
    current_bedrooms: Annotated[int | None, typer.Option("--current-bedrooms", help="Its bedrooms.")] = None,
    reasons: Annotated[str | None, typer.Option("--reasons", help="Why they need to move.")] = None,
    local_connection: Annotated[str | None, typer.Option("--local-connection")] = None,
    income: Annotated[str | None, typer.Option("--income", metavar="POUNDS", help="Gross a year.")] = None,
    savings: Annotated[str | None, typer.Option("--savings", metavar="POUNDS")] = None,
    arrears: Annotated[str | None, typer.Option("--arrears", metavar="POUNDS", help="Owed to a landlord.")] = None,
    agreement: Annotated[bool, typer.Option("--agreement", help="An agreement to repay is being kept.")] = False,
    homeless_duty: Annotated[str | None, typer.Option("--homeless-duty", help="prevention|relief|main|none")] = None,
    accessible: Annotated[str | None, typer.Option("--accessible", help="wheelchair|step_free|ground_floor")] = None,
    as_json: AsJson = False,
    as_user: AsUser = None,
) -> None:
    """A new application for the person's household, with its bedroom need and checklist."""
    from duty_tui.areas.lettings.services.register import NewApplication, create_application
    from duty_tui.core.services.outputs import dump_json

    new = NewApplication(person, _day(applied_on, "--applied-on"), current_home, current_bedrooms, None, reasons,
                         local_connection, _pounds(income, "--income"), _pounds(savings, "--savings"),
                         _pounds(arrears, "--arrears"), agreement, homeless_duty, accessible, _sexes(child or []))
    ref = create_application(_ctx(ctx, as_user), new)
    if as_json:
        typer.echo(dump_json({"ref": ref}))
    else:
        typer.echo(ref)
    typer.echo(f"application {ref} made for {person.upper()}'s household", err=True)


def view_json(view) -> dict:
    """The application as JSON (dates ISO, as in docs/CLI.md)."""
    def day(value):
        return value.isoformat() if value else None

    return {"ref": view.ref, "person": view.person_ref, "household": view.household_ref, "status": view.status,
            "status_reason": view.status_reason, "applied_on": day(view.applied_on), "band": view.band,
            "band_effective_on": day(view.band_effective_on), "bedroom_need": view.bedroom_need,
            "bedrooms_short": view.bedrooms_short, "position": view.position, "of": view.of,
            "bids": [{"advert": b.advert_ref, "placed_at": b.placed_at.isoformat(), "status": b.status,
                      "assisted": b.assisted} for b in view.bids],
            "checks": [{"item": c.item, "requested_on": day(c.requested_on), "received_on": day(c.received_on),
                        "verified_by": c.verified_by} for c in view.checks],
            "decisions": [{"id": d.id, "kind": d.kind, "outcome": d.outcome, "band": d.band,
                           "effective_on": day(d.effective_on), "reasons": d.reasons,
                           "review_by": day(d.review_by), "review": d.review} for d in view.decisions]}


@application.command("show")
def show_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The application (LA…), or a person (P…).")],
    as_json: AsJson = False,
    as_user: AsUser = None,
) -> None:
    """Status, band and date, bedroom need, place on the list, bids, checklist, decisions (audited)."""
    from duty_tui.areas.lettings.services.register import application_ref_for
    from duty_tui.areas.lettings.services.register_view import application_view
    from duty_tui.core.services.outputs import dump_json, one_line

    svc = _ctx(ctx, as_user)
    if ref.strip().upper().startswith("P"):
        found = application_ref_for(svc, ref)
        if found is None:
            raise InputError(f"{ref.upper()} has no register application; make one with `lettings application create`")
        ref = found
    view = application_view(svc, ref)
    if as_json:
        typer.echo(dump_json(view_json(view)))
        return
    typer.echo(f"{view.ref} {one_line(view.name)} ({view.person_ref}) · {view.status} · applied "
               f"{view.applied_on:%d/%m/%Y}")
    typer.echo(f"band {view.band or '—'}" + (f" from {view.band_effective_on:%d/%m/%Y}" if view.band_effective_on
                                             else "") + f" · needs {view.bedroom_need} bedroom(s) · {view.place_words}")
    for d in view.decisions:
        typer.echo(f"decision {d.id}: {d.kind} {d.outcome} · review by "
                   f"{d.review_by:%d/%m/%Y}" if d.review_by else f"decision {d.id}: {d.kind} {d.outcome}")


@application.command("qualify")
def qualify_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF")],
    residence_years: Annotated[int | None, typer.Option("--residence-years", help="Years lived in the district.")]
    = None,
    exempt: Annotated[bool, typer.Option("--exempt", help="Exempt from the residence rule.")] = False,
    arrears_weeks: Annotated[int, typer.Option("--arrears-weeks", help="Weeks of rent owed elsewhere.")] = 0,
    behaviour: Annotated[bool, typer.Option("--behaviour", help="Unacceptable behaviour found.")] = False,
    as_json: AsJson = False,
    as_user: AsUser = None,
) -> None:
    """Decide qualification by the rules in data/lettings/qualification.toml (notified today)."""
    from duty_tui.areas.lettings.domain.register import QualificationFacts
    from duty_tui.areas.lettings.services.register_decisions import decide_qualification

    facts = QualificationFacts(residence_years, exempt, None, None, arrears_weeks, False, behaviour)
    _decided(decide_qualification(_ctx(ctx, as_user), ref, facts), as_json)


def _decided(decided, as_json: bool) -> None:
    from duty_tui.core.services.outputs import dump_json

    if as_json:
        typer.echo(dump_json({"ref": decided.application_ref, "decision": decided.assessment_id,
                              "outcome": decided.outcome, "status": decided.status, "reasons": decided.reasons,
                              "notified_on": decided.notified_on.isoformat(),
                              "review_by": decided.review_by.isoformat()}))
    typer.echo(f"{decided.application_ref}: {decided.outcome.replace('_', ' ')} (decision {decided.assessment_id}); "
               f"review by {decided.review_by:%d/%m/%Y}", err=True)


@application.command("band")
def band_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF")],
    band: Annotated[str, typer.Option("--band", help="A band code from data/lettings/bands.toml.")],
    reasons: Annotated[str, typer.Option("--reasons", help="The grounds (required, s166A(9)).")] = "",
    effective: Annotated[str | None, typer.Option("--effective", metavar="DATE", help="Default today.")] = None,
    as_json: AsJson = False,
    as_user: AsUser = None,
) -> None:
    """Place an active application in a band from a date, with its reasons (notified today)."""
    from duty_tui.areas.lettings.services.register_decisions import decide_band

    svc = _ctx(ctx, as_user)
    _decided(decide_band(svc, ref, band, _day(effective, "--effective") or svc.today(), reasons), as_json)


@application.command("assess")
def assess_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF")],
    kind: Annotated[str, typer.Option("--kind", help="medical or welfare.")],
    outcome: Annotated[str, typer.Option("--outcome", help="From data/lettings/need_assessment.toml.")],
    reasons: Annotated[str, typer.Option("--reasons", help="The evidence and why (required).")] = "",
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="Default today.")] = None,
    as_json: AsJson = False,
    as_user: AsUser = None,
) -> None:
    """Record a medical or welfare need assessment with its outcome, date and reasons (notified today)."""
    from duty_tui.areas.lettings.services.register_decisions import decide_need

    svc = _ctx(ctx, as_user)
    _decided(decide_need(svc, ref, kind, outcome, _day(on, "--on") or svc.today(), reasons), as_json)


@application.command("status")
def status_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF")],
    status: Annotated[str, typer.Argument(metavar="STATUS", help="active|under_review|suspended|cancelled|"
                                                                 "disqualified|housed")],
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")] = "",
    as_user: AsUser = None,
) -> None:
    """Change an application's status, with the reason."""
    from duty_tui.areas.lettings.services.register_decisions import change_status

    typer.echo(f"{ref.upper()}: now {change_status(_ctx(ctx, as_user), ref, status, reason)}", err=True)


@application.command("check")
def check_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF")],
    item: Annotated[str, typer.Argument(metavar="ITEM", help="From data/lettings/checklist.toml.")],
    step: Annotated[str, typer.Argument(metavar="STEP", help="requested|received|verified")],
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="Default today.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    as_user: AsUser = None,
) -> None:
    """Record a checklist item requested, received or verified (by you, now)."""
    from duty_tui.areas.lettings.services.register_checks import record_check

    done = record_check(_ctx(ctx, as_user), ref, item, step, _day(on, "--on"), note)
    typer.echo(f"{ref.upper()}: {item} {done}", err=True)


@application.command("review")
def review_command(
    ctx: typer.Context,
    decision: Annotated[int, typer.Argument(metavar="DECISION", help="The decision's number (show lists them).")],
    requested_on: Annotated[str | None, typer.Option("--requested-on", metavar="DATE", help="Default today.")] = None,
    late_reason: Annotated[str | None, typer.Option("--late-reason", help="Accept a late request, and why.")] = None,
    as_user: AsUser = None,
) -> None:
    """Record a request to review a decision, within its window (or accepted late with a reason)."""
    from duty_tui.areas.lettings.services.register_decisions import request_review

    svc = _ctx(ctx, as_user)
    due = request_review(svc, decision, _day(requested_on, "--requested-on") or svc.today(), late_reason)
    typer.echo(f"review of decision {decision} recorded; decide by {due:%d/%m/%Y}", err=True)


@application.command("review-decide")
def review_decide_command(
    ctx: typer.Context,
    decision: Annotated[int, typer.Argument(metavar="DECISION")],
    outcome: Annotated[str, typer.Option("--outcome", help="upheld|overturned|varied")],
    reasons: Annotated[str, typer.Option("--reasons", help="Why (required; the applicant is told).")] = "",
    as_user: AsUser = None,
) -> None:
    """Record the outcome of the review of a decision, with its reasons."""
    from duty_tui.areas.lettings.services.register_decisions import decide_review

    done = decide_review(_ctx(ctx, as_user), decision, outcome, reasons)
    typer.echo(f"review of decision {decision}: {done}", err=True)


@application.command("letter")
def letter_command(
    ctx: typer.Context,
    decision: Annotated[int, typer.Argument(metavar="DECISION")],
    as_user: AsUser = None,
) -> None:
    """The letter notifying a decision, with the grounds and the right to a review (audited)."""
    from duty_tui.areas.lettings.services.register_checks import decision_letter

    typer.echo(decision_letter(_ctx(ctx, as_user), decision))
