"""Decisions on a register application (docs/LETTINGS_REGISTER.md): qualification by the rules in
data, a band with its effective date and reasons, both notified in writing with the grounds and the
right to a review (s160ZA(9), s166A(9)); review requests on their clock; status changes with a reason.

One use case per function, one transaction, permission checked first, the audit event inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from duty_tui.areas.lettings.db.models import APPLICATION_STATUSES, LettingsApplication, LettingsAssessment
from duty_tui.areas.lettings.db.models import LettingsReviewRequest as ReviewRow
from duty_tui.areas.lettings.domain.reference import load_bands, load_qualification, load_review_clocks
from duty_tui.areas.lettings.domain.register import (
    QualificationFacts,
    clock_for,
    failing_rules,
    items_in_force,
    load_need_outcomes,
    review_by,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

CLOSED = ("cancelled", "housed")
"""An application in one of these takes no more decisions."""
CLOCK_OF_KIND = {"eligibility": "eligibility_or_qualification", "qualification": "eligibility_or_qualification",
                 "band": "band", "medical": "band", "welfare": "band"}


@dataclass(frozen=True)
class Decided:
    application_ref: str
    assessment_id: int
    outcome: str
    reasons: str
    notified_on: date
    review_by: date
    status: str


def find_application(session: Session, ref: str, *, open_only: bool = True) -> LettingsApplication:
    app = session.exec(select(LettingsApplication).where(LettingsApplication.ref == ref.strip().upper())
                       .with_for_update()).first()
    if app is None or app.id is None:
        raise NotFound(f"no register application {ref!r}; check the reference (LA and 7 digits)")
    if open_only and app.status in CLOSED:
        raise InputError(f"application {app.ref} is {app.status}; a closed application takes no more decisions — "
                         "make a new application")
    return app


def _assess(session: Session, ctx: ServiceContext, app: LettingsApplication, kind: str, outcome: str, reasons: str,
            effective_on: date, *, band: str | None = None, rule_codes: str | None = None) -> LettingsAssessment:
    notified = ctx.today()
    clock = clock_for(load_review_clocks(ctx.settings.data_dir), CLOCK_OF_KIND[kind], notified)
    assert app.id is not None
    row = LettingsAssessment(application_id=app.id, kind=kind, outcome=outcome, band=band, effective_on=effective_on,
                             reasons=reasons, rule_codes=rule_codes, decided_by=ctx.actor.id if ctx.actor else None,
                             decided_at=ctx.now(), notified_on=notified, review_by=review_by(notified, clock))
    session.add(row)
    session.flush()
    return row


def decide_qualification(ctx: ServiceContext, ref: str, facts: QualificationFacts) -> Decided:
    """Test the application against every qualification rule in force: each failing rule's text is a
    reason; none failing → active, any → disqualified. Notified today with the review date."""
    ctx.require("lettings.manage")
    if facts.residence_years is not None and facts.residence_years < 0 or facts.arrears_weeks < 0:
        raise InputError("years lived in the district and weeks of arrears cannot be negative")
    with session_scope(ctx.engine, write=True) as session:
        app = find_application(session, ref)
        facts = QualificationFacts(facts.residence_years, facts.residence_exempt, app.annual_income_pence,
                                   app.savings_pence, facts.arrears_weeks, app.arrears_agreement,
                                   facts.unacceptable_behaviour)
        rules = load_qualification(ctx.settings.data_dir)
        failed = failing_rules(facts, rules, ctx.today())
        if failed:
            outcome, status = "does_not_qualify", "disqualified"
            reasons = "\n".join(f"{rule.code}: {rule.text}" for rule in failed)
        else:
            outcome, status = "qualifies", "active"
            reasons = "Meets every qualification rule in force: " + ", ".join(
                sorted({rule.code for rule in rules if rule.effective_from <= ctx.today()})) + "."
        row = _assess(session, ctx, app, "qualification", outcome, reasons, ctx.today(),
                      rule_codes=",".join(rule.code for rule in failed) or None)
        app.status, app.status_reason, app.version = status, outcome.replace("_", " "), app.version + 1
        session.add(app)
        audit.record(session, ctx, "lettings.qualification_decided", "person", _person_ref(session, app),
                     {"application": app.ref, "outcome": outcome, "rules": [r.code for r in failed]})
        assert row.id is not None and row.review_by is not None
        return Decided(app.ref, row.id, outcome, reasons, ctx.today(), row.review_by, status)


def _person_ref(session: Session, app: LettingsApplication) -> str:
    from duty_tui.core.db.models import Person

    person = session.get(Person, app.person_id)
    return person.ref if person else str(app.person_id)


def decide_band(ctx: ServiceContext, ref: str, band: str, effective_on: date, reasons: str) -> Decided:
    """Place an active application in a band from an effective date, with the reasons (required:
    the applicant is told the grounds, s166A(9)); notified today with the review date."""
    ctx.require("lettings.manage")
    reasons = (reasons or "").strip()
    if not reasons:
        raise InputError("a band needs its reasons: the applicant is told the grounds of a band decision "
                         "(HA 1996 s166A(9)); write why this band applies")
    bands = {b.code: b for b in load_bands(ctx.settings.data_dir)}
    code = band.strip().upper()
    if code not in bands:
        raise InputError(f"band {band!r} is not in the scheme; choose one of {', '.join(bands)}")
    if effective_on > ctx.today():
        raise InputError(f"band date {effective_on:%d/%m/%Y} is in the future; a band is effective from the day "
                         "the need was accepted, today at the latest")
    with session_scope(ctx.engine, write=True) as session:
        app = find_application(session, ref)
        if app.status != "active":
            raise InputError(f"application {app.ref} is {app.status}; only an active application (one that "
                             "qualifies) is banded — decide qualification first")
        if effective_on < app.applied_on:
            raise InputError(f"band date {effective_on:%d/%m/%Y} is before the application ({app.applied_on:%d/%m/%Y});"
                             " a band starts on or after the day they applied")
        row = _assess(session, ctx, app, "band", f"band_{code}", reasons, effective_on, band=code)
        app.band, app.band_effective_on, app.version = code, effective_on, app.version + 1
        session.add(app)
        audit.record(session, ctx, "lettings.band_decided", "person", _person_ref(session, app),
                     {"application": app.ref, "band": code, "effective_on": effective_on.isoformat()})
        assert row.id is not None and row.review_by is not None
        return Decided(app.ref, row.id, row.outcome, reasons, ctx.today(), row.review_by, app.status)


def decide_need(ctx: ServiceContext, ref: str, kind: str, outcome: str, effective_on: date, reasons: str) -> Decided:
    """Record a medical or welfare need assessment (HA 1996 s166A(3)(d)) with its outcome (from
    data/lettings/need_assessment.toml), the date and the reasons; notified today with the review date.
    The band is a separate decision, which may rest on it."""
    ctx.require("lettings.manage")
    if kind not in ("medical", "welfare"):
        raise InputError(f"assessment {kind!r}: choose medical or welfare")
    reasons = " ".join((reasons or "").split())
    if not reasons:
        raise InputError(f"a {kind} assessment needs its reasons (the evidence considered and why this outcome): "
                         "the applicant is told them and may ask for a review")
    outcomes = {o.code: o for o in items_in_force(load_need_outcomes(ctx.settings.data_dir), effective_on)}
    code = outcome.strip().lower()
    if code not in outcomes:
        raise InputError(f"outcome {outcome!r} is not in data/lettings/need_assessment.toml; choose "
                         f"{', '.join(outcomes)}")
    if effective_on > ctx.today():
        raise InputError(f"assessment date {effective_on:%d/%m/%Y} is in the future; give the day it was made")
    with session_scope(ctx.engine, write=True) as session:
        app = find_application(session, ref)
        row = _assess(session, ctx, app, kind, code, reasons, effective_on)
        audit.record(session, ctx, "lettings.need_assessed", "person", _person_ref(session, app),
                     {"application": app.ref, "kind": kind, "outcome": code, "effective_on": effective_on.isoformat()})
        assert row.id is not None and row.review_by is not None
        return Decided(app.ref, row.id, code, reasons, ctx.today(), row.review_by, app.status)


def change_status(ctx: ServiceContext, ref: str, status: str, reason: str, *, version: int | None = None) -> str:
    """Suspend, cancel, mark housed, put under review or make active again, with the reason."""
    ctx.require("lettings.manage")
    reason = (reason or "").strip()
    allowed = [s for s in APPLICATION_STATUSES if s != "new"]
    if status not in allowed:
        raise InputError(f"status {status!r}: choose {', '.join(allowed)}")
    if not reason:
        raise InputError("a status change needs its reason (it is what the applicant is told); write it")
    with session_scope(ctx.engine, write=True) as session:
        app = find_application(session, ref)
        if version is not None and app.version != version:
            raise ConflictError(f"application {app.ref} was changed by someone else; load it again and retry")
        if status == "active" and app.status == "disqualified":
            raise InputError(f"application {app.ref} does not qualify; it becomes active by a new qualification "
                             "decision (or a review), not a status change")
        before = app.status
        app.status, app.status_reason, app.version = status, reason[:200], app.version + 1
        session.add(app)
        audit.record(session, ctx, "lettings.status_changed", "person", _person_ref(session, app),
                     {"application": app.ref, "from": before, "to": status, "reason": reason[:200]})
        return status


def request_review(ctx: ServiceContext, assessment_id: int, requested_on: date,
                   late_reason: str | None = None) -> date:
    """Record a request to review a decision; after its review date it is refused unless the lateness
    is accepted with a reason. Returns the day the review must be decided by (policy clock)."""
    ctx.require("lettings.manage")
    if requested_on > ctx.today():
        raise InputError(f"asked on {requested_on:%d/%m/%Y} is in the future; give the day they asked")
    with session_scope(ctx.engine, write=True) as session:
        decision = session.get(LettingsAssessment, assessment_id)
        if decision is None:
            raise NotFound(f"no decision {assessment_id}; the application's decisions list their numbers")
        app = find_application(session, str(_app_ref(session, decision.application_id)), open_only=False)
        if decision.notified_on and requested_on < decision.notified_on:
            raise InputError(f"asked on {requested_on:%d/%m/%Y}, before the decision was notified "
                             f"({decision.notified_on:%d/%m/%Y}); give the day they asked")
        late = decision.review_by is not None and requested_on > decision.review_by
        if late and not (late_reason or "").strip():
            raise InputError(f"the review window closed on {decision.review_by:%d/%m/%Y} (s160ZA(9)/s166A(9): "
                             f"{CLOCK_OF_KIND[decision.kind].replace('_', ' ')} clock); accept it late only with a "
                             "reason (--late-reason)")
        if session.exec(select(ReviewRow.id).where(ReviewRow.assessment_id == assessment_id)).first():
            raise InputError(f"decision {assessment_id} already has a review request; one review per decision")
        days = clock_for(load_review_clocks(ctx.settings.data_dir), "review_decision", requested_on).days
        decide_by = requested_on + timedelta(days=days)
        assert app.id is not None
        session.add(ReviewRow(assessment_id=assessment_id, application_id=app.id, kind=decision.kind,
                              requested_on=requested_on, decide_by=decide_by,
                              reasons=f"accepted late: {late_reason.strip()}" if late and late_reason else None))
        audit.record(session, ctx, "lettings.review_requested", "person", _person_ref(session, app),
                     {"application": app.ref, "decision": assessment_id, "late": late})
        return decide_by


REVIEW_OUTCOMES = ("upheld", "overturned", "varied")


def decide_review(ctx: ServiceContext, assessment_id: int, outcome: str, reasons: str) -> str:
    """Record the outcome of a review of a decision, with its reasons (told to the applicant in
    writing). An overturned or varied decision is then made again as a new decision (qualification or
    band), so the history keeps both. Returns the outcome."""
    ctx.require("lettings.manage")
    reasons = (reasons or "").strip()
    if outcome not in REVIEW_OUTCOMES:
        raise InputError(f"review outcome {outcome!r}: choose {', '.join(REVIEW_OUTCOMES)}")
    if not reasons:
        raise InputError("a review decision needs its reasons: the applicant is told them in writing; write them")
    with session_scope(ctx.engine, write=True) as session:
        review = session.exec(select(ReviewRow).where(ReviewRow.assessment_id == assessment_id)
                              .with_for_update()).first()
        if review is None:
            raise NotFound(f"decision {assessment_id} has no review request; record the request first")
        if review.decided_on is not None:
            raise InputError(f"the review of decision {assessment_id} was decided on {review.decided_on:%d/%m/%Y} "
                             f"({review.outcome}); a review is decided once")
        app = find_application(session, _app_ref(session, review.application_id), open_only=False)
        review.decided_on, review.outcome, review.version = ctx.today(), outcome, review.version + 1
        review.reasons = "\n".join(filter(None, [review.reasons, reasons]))
        session.add(review)
        audit.record(session, ctx, "lettings.review_decided", "person", _person_ref(session, app),
                     {"application": app.ref, "decision": assessment_id, "outcome": outcome})
        return outcome


def _app_ref(session: Session, application_id: int) -> str:
    app = session.get(LettingsApplication, application_id)
    assert app is not None
    return app.ref


__all__ = ["Decided", "change_status", "decide_band", "decide_qualification", "decide_review", "request_review"]
