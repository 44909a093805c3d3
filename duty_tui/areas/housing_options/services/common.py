"""What every housing options service shares: the reference data, the case and person look-ups, the
duty engine run over a stored case, and the case's clocks (``refresh_case``).

A homelessness case is a ``work_case`` (case_type "homelessness", team options, due_at = the nearest
clock) plus its ``homeless_case`` detail, so it appears on dashboards and queues. The law lives in
``duty_tui.areas.housing_options.domain``; these services only apply it to stored facts and record
what staff decided: one use case per function, one transaction, permission checked first, the audit
event in the same transaction (docs/HOUSING.md).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date
from functools import lru_cache
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from duty_tui.areas.housing_options.db.models import (
    HomelessCase,
    HomelessPlacement,
    HomelessReview,
    HomelessSupportNeed,
)
from duty_tui.areas.housing_options.domain.casework import CaseClockFacts, Clock, case_clocks, case_summary, nearest
from duty_tui.areas.housing_options.domain.homelessness import Approach, Assessment, assess
from duty_tui.areas.housing_options.domain.intake import IntakeCheck, answer_of, check_answers
from duty_tui.areas.housing_options.domain.reference import HousingReference, load_housing_reference
from duty_tui.core.db.models import Case, Person, Team
from duty_tui.core.domain.clocks import WorkingCalendar, is_jurisdiction
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.domain.local_time import end_of_local_day
from duty_tui.core.services.context import ServiceContext

CASE_TYPE = "homelessness"
TEAM_CODE = "options"
OPEN_CASE_STATUSES = ("open", "in_progress", "awaiting")


def housing_reference(ctx: ServiceContext) -> HousingReference:
    """The housing area's reference data for this context's data folder."""
    return load_housing_reference(ctx.settings.data_dir)


@lru_cache(maxsize=8)
def calendar_for(jurisdiction: str) -> WorkingCalendar:
    return WorkingCalendar(jurisdiction if is_jurisdiction(jurisdiction) else "england")


def stored_id(row: Any) -> int:
    """The id of a row read from (or flushed to) the database, which always has one."""
    assert row.id is not None, f"{type(row).__name__} has no id: it was not flushed"
    return int(row.id)


def jurisdiction_of(ctx: ServiceContext) -> str:
    jurisdiction = ctx.settings.jurisdiction
    if jurisdiction not in ("england", "scotland"):
        raise InputError(f"the homelessness duty engine covers England and Scotland; this office is set to "
                         f"{jurisdiction} (Housing (Wales) Act 2014 / Northern Ireland law are not modelled)")
    return jurisdiction


def problems_error(summary: str, problems: list[str]) -> InputError:
    """One error carrying every problem; its message lists them (the TUI shows the message)."""
    return InputError(f"{summary}: " + "; ".join(problems), problems=list(problems))


def find_person(session: Session, ref: str | None) -> Person | None:
    if not ref:
        return None
    person = session.exec(select(Person).where(Person.ref == ref.strip().upper())).first()
    if person is None:
        raise NotFound(f"no person with ref {ref!r}; find them with F2 search first")
    return person


def load_case(session: Session, case_ref: str, *, for_update: bool = False) -> tuple[Case, HomelessCase]:
    query = select(Case).where(Case.ref == case_ref.strip().upper(), Case.case_type == CASE_TYPE)
    case = session.exec(query).first()
    if case is None:
        raise NotFound(f"no homelessness case {case_ref!r}")
    hc = session.exec(select(HomelessCase).where(HomelessCase.case_id == case.id)).one()
    return case, hc


def options_team_id(session: Session) -> int | None:
    return session.exec(select(Team.id).where(Team.code == TEAM_CODE)).first()


def _grounds(hc: HomelessCase) -> list[str] | None:
    if hc.priority_need is None:
        return None
    try:
        value = json.loads(hc.priority_need)
    except ValueError:
        return None
    return [str(g) for g in value] if isinstance(value, list) else None


def answers_from_case(hc: HomelessCase, needs: list[str]) -> dict[str, Any]:
    """The form's answers rebuilt from a stored case (the inverse of what saving stores)."""
    grounds = _grounds(hc)
    return {
        "approach_date": hc.approach_date.strftime("%d/%m/%Y"),
        "eligible": answer_of(hc.eligible),
        "homeless": answer_of(hc.homeless),
        "rough_sleeping": hc.rough_sleeping,
        "nowhere_tonight": hc.nowhere_tonight,
        "domestic_abuse_risk_at_home": hc.domestic_abuse_risk,
        "loss_date": hc.loss_date.strftime("%d/%m/%Y") if hc.loss_date else "",
        "s21_expiry": hc.s21_expiry.strftime("%d/%m/%Y") if hc.s21_expiry else "",
        "priority_state": "unknown" if grounds is None else ("grounds" if grounds else "none"),
        "priority_grounds": grounds or [],
        "intentional": answer_of(hc.intentional),
        "local_connection": hc.local_connection or "unknown",
        "da_risk_in_connected_area": hc.da_risk_in_connected_area,
        "relief_start": hc.relief_start.strftime("%d/%m/%Y") if hc.relief_start and hc.relief_start < hc.approach_date else "",
        "household": hc.household_text or "",
        "pregnant": hc.pregnant,
        "route": hc.route,
        "referral_body": hc.referral_body or "",
        "referral_consent": answer_of(hc.referral_consent),
        "referral_details": hc.referral_details or "",
        "current_accommodation": hc.current_accommodation or "",
        "last_settled_accommodation": hc.last_settled_accommodation or "",
        "loss_reason": hc.loss_reason or "",
        "notice_type": hc.notice_type or "",
        "support_needs": list(needs),
        "support_needs_assessed": hc.support_needs_assessed,
        "safeguarding": hc.safeguarding,
        "safeguarding_notes": hc.safeguarding_notes or "",
        "eligibility_notes": hc.eligibility_notes or "",
        "notes": hc.notes or "",
    }


def assess_case(hc: HomelessCase, needs: list[str], born: date | None, on: date) -> tuple[IntakeCheck, Assessment | None, Approach | None]:
    check = check_answers(answers_from_case(hc, needs), today=max(on, hc.approach_date), applicant_born=born,
                          jurisdiction=hc.jurisdiction)
    if check.approach is None:
        return check, None, None
    approach = check.approach
    if hc.relief_start is not None and hc.relief_start > hc.approach_date:
        # Relief began later than the approach (homeless after prevention): the engine assesses
        # from the day the council was satisfied the applicant was homeless.
        loss = approach.loss_date if approach.loss_date and approach.loss_date > hc.relief_start else None
        approach = replace(approach, approach_date=hc.relief_start, loss_date=loss, relief_start=None)
    approach = replace(approach, as_of=max(on, approach.approach_date))
    return check, assess(approach), approach


def support_needs(session: Session, hc_id: int) -> list[str]:
    return list(session.exec(select(HomelessSupportNeed.need).where(HomelessSupportNeed.homeless_case_id == hc_id)
                             .order_by(col(HomelessSupportNeed.id))).all())


def clock_facts(session: Session, hc: HomelessCase, ref: HousingReference) -> CaseClockFacts:
    reviews = session.exec(select(col(HomelessReview.decision_due)).where(
        HomelessReview.homeless_case_id == hc.id, col(HomelessReview.decided_on).is_(None))).all()
    bnb_types = [code for code, t in ref.ta_types.items() if t.family_limit_days]
    family = hc.children > 0 or hc.pregnant
    bnb = []
    limit = 42
    if family and bnb_types:
        rows = session.exec(select(col(HomelessPlacement.start_on), col(HomelessPlacement.ta_type)).where(
            HomelessPlacement.homeless_case_id == hc.id, col(HomelessPlacement.end_on).is_(None),
            col(HomelessPlacement.ta_type).in_(bnb_types))).all()
        bnb = [start for start, _t in rows]
        if rows:
            limit = ref.ta_types[rows[0][1]].family_limit_days or 42
    return CaseClockFacts(stage=hc.stage, approach_date=hc.approach_date, relief_start=hc.relief_start,
                          prevention_start=hc.prevention_start, assessed_on=hc.assessed_on,
                          plan_review_on=hc.plan_review_on, open_review_due=tuple(sorted(reviews)),
                          family_bnb_since=tuple(bnb), bnb_limit_days=limit)


def refresh_case(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase) -> list[Clock]:
    """Recompute the clocks; set the work_case's due_at, summary, priority and status."""
    ref = housing_reference(ctx)
    calendar = calendar_for(hc.jurisdiction)
    clocks = case_clocks(clock_facts(session, hc, ref),
                         decision_working_days=ref.policy.initial_assessment_working_days, calendar=calendar)
    soonest = nearest(clocks)
    in_ta = session.exec(select(func.count()).select_from(HomelessPlacement).where(
        HomelessPlacement.homeless_case_id == hc.id, col(HomelessPlacement.end_on).is_(None))).one() > 0
    due = end_of_local_day(soonest.due).astimezone(UTC) if soonest else None
    if hc.stage == "triage" and hc.nowhere_tonight and case.priority == "emergency" and case.due_at is not None:
        # The same-day hours clock from the front desk stays until the officer has triaged.
        case.due_at = min(case.due_at, due) if due else case.due_at
    else:
        case.due_at = due
        if case.priority == "emergency" and hc.stage != "triage":
            case.priority = "urgent" if hc.rough_sleeping else "normal"
    if hc.stage in ("triage", "relief") and (hc.rough_sleeping or hc.nowhere_tonight) and case.priority == "normal":
        case.priority = "urgent"
    case.summary = case_summary(hc.stage, clocks, rough_sleeping_tonight=hc.nowhere_tonight, in_ta=in_ta)
    if hc.stage == "closed" and not clocks:
        case.status = "closed"
        case.closed_at = case.closed_at or ctx.now()
        case.due_at = None
    elif hc.stage == "closed":
        case.status, case.closed_at = "awaiting", None  # a review to decide keeps it on the queue
    elif case.status not in OPEN_CASE_STATUSES:
        case.status = "open"
        case.closed_at = None
    session.add(case)
    return clocks
