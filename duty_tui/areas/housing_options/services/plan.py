"""The personalised housing plan (s189A): its steps and its reviews.
"""

from __future__ import annotations

from datetime import date, timedelta

from duty_tui.areas.housing_options.db.models import HomelessPlanStep
from duty_tui.areas.housing_options.domain.casework import next_plan_review
from duty_tui.areas.housing_options.services.case_versions import CONFLICT_TAIL
from duty_tui.areas.housing_options.services.common import (
    housing_reference,
    load_case,
    problems_error,
    refresh_case,
    stored_id,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext


def add_plan_step(ctx: ServiceContext, case_ref: str, party: str, text: str, due_on: date | None = None,
                  mandatory: bool = False) -> int:
    """Add a step for the applicant or the council; returns the step id."""
    ctx.require("homelessness.assess")
    text = (text or "").strip()
    problems = []
    if party not in ("applicant", "council"):
        problems.append("party: say whose step it is: applicant or council")
    if not text:
        problems.append("text: describe the step")
    if len(text) > 1000:
        problems.append("text: keep a step under 1,000 characters")
    if due_on is not None and due_on < ctx.today() - timedelta(days=365):
        problems.append("due: that date is more than a year ago; check the year")
    if problems:
        raise problems_error("fix the step", problems)
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        if hc.stage not in ("prevention", "relief", "triage"):
            raise InputError("a personalised housing plan is for the prevention or relief stage (s189A)")
        step = HomelessPlanStep(homeless_case_id=stored_id(hc), party=party, text=text, due_on=due_on, mandatory=mandatory,
                                created_at=ctx.now(), created_by=ctx.actor.id if ctx.actor else None)
        session.add(step)
        if hc.plan_agreed_on is None:
            hc.plan_agreed_on = ctx.today()
        if hc.plan_review_on is None:
            hc.plan_review_on = next_plan_review(ctx.today(), housing_reference(ctx).policy.plan_review_weeks)
        session.add(hc)
        session.flush()
        refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.plan_step_added", "case", case.ref, {"party": party, "step": step.id})
        return stored_id(step)


def complete_plan_step(ctx: ServiceContext, case_ref: str, step_id: int, done_on: date | None = None,
                       seen_version: int | None = None) -> None:
    """Mark a plan step done (or not done again when already done).

    With ``seen_version`` (the screens pass it), a step someone else ticked or unticked since is a
    conflict rather than a silent toggle back.
    """
    ctx.require("homelessness.assess")
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        step = session.get(HomelessPlanStep, step_id)
        if step is None or step.homeless_case_id != hc.id:
            raise NotFound(f"no plan step {step_id} on {case.ref}")
        if seen_version is not None and step.version != seen_version:
            from duty_tui.core.services.conflicts import build_conflict

            state = f"done on {step.done_on:%d/%m/%Y}" if step.done_on else "not done"
            raise build_conflict(session, what=f"plan step on case {case.ref}", entity="case", entity_id=case.ref,
                                 theirs={"Step": step.text, "Now": state},
                                 yours={"Step": step.text, "You pressed": "done / not done"},
                                 version=step.version, tail=CONFLICT_TAIL)
        step.done_on = None if step.done_on else (done_on or ctx.today())
        step.version += 1
        session.add(step)
        record_case(session, case)
        audit.record(session, ctx, "housing.plan_step_done", "case", case.ref,
                     {"step": step_id, "done": step.done_on is not None})


def record_plan_review(ctx: ServiceContext, case_ref: str, reviewed_on: date | None = None,
                       next_on: date | None = None) -> date:
    """Record that the plan was reviewed (s189A(9)); returns the next review date."""
    ctx.require("homelessness.assess")
    reviewed_on = reviewed_on or ctx.today()
    if reviewed_on > ctx.today():
        raise InputError("the review date cannot be in the future")
    weeks = housing_reference(ctx).policy.plan_review_weeks
    following = next_on or next_plan_review(reviewed_on, weeks)
    if following <= reviewed_on:
        raise InputError("the next review must be after this one")
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        if hc.stage not in ("prevention", "relief"):
            raise InputError("plans are reviewed while prevention or relief runs")
        hc.plan_review_on = following
        hc.plan_agreed_on = hc.plan_agreed_on or reviewed_on
        session.add(hc)
        session.flush()
        refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.plan_reviewed", "case", case.ref,
                     {"reviewed_on": reviewed_on, "next": following})
        return following
