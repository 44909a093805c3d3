"""Housing options (homelessness) casework: approaches, duties, plans, letters, s193B, reviews, TA.

One use case per function, each one transaction, permission checked first, audit event in
the same transaction. A homelessness case is a ``work_case`` (case_type "homelessness",
team options, due_at = the nearest clock) plus its ``homeless_case`` detail, so it appears
on dashboards and queues. The law lives in ``duty_tui.areas.housing_options.domain.homelessness*``; this module
only applies it to stored facts and records what staff decided.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from duty_tui.areas.housing_options.db.models import (
    HomelessCase,
    HomelessMember,
    HomelessMove,
    HomelessNonCooperation,
    HomelessNotice,
    HomelessPlacement,
    HomelessPlanStep,
    HomelessReview,
    HomelessSupportNeed,
)
from duty_tui.areas.housing_options.domain.casework import (
    DAYS_56,
    REVIEW_KIND_WORDS,
    REVIEW_WEEKS,
    STAGE_WORDS,
    CaseClockFacts,
    Clock,
    NonCooperationFacts,
    case_clocks,
    case_summary,
    check_move,
    check_review_request,
    nearest,
    next_plan_review,
    non_cooperation_problems,
    review_decision_due,
    review_request_last_day,
)
from duty_tui.areas.housing_options.domain.homelessness import (
    Approach,
    Assessment,
    assess,
    loss_date_unknown,
    what_would_change,
)
from duty_tui.areas.housing_options.domain.intake import (
    HOUSEHOLD_RELATIONSHIPS,
    HouseholdEntry,
    IntakeCheck,
    PostalAddress,
    answer_of,
    check_answers,
    household_counts,
    parse_form_date,
)
from duty_tui.areas.housing_options.domain.letters import (
    address_block,
    bullet_lines,
    letter_duty_line,
    letter_outstanding,
    letter_reasons,
    long_date,
    render,
)
from duty_tui.areas.housing_options.domain.reference import HousingReference, load_housing_reference
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import (
    Case,
    CaseNote,
    Household,
    HouseholdMember,
    Office,
    Person,
    PersonAddress,
    Property,
    StaffUser,
    Team,
    Tenancy,
)
from duty_tui.core.domain.clocks import WorkingCalendar
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.domain.local_time import end_of_local_day
from duty_tui.core.domain.masking import age_on
from duty_tui.core.domain.search_keys import fold, phone_key, postcode_key, sound
from duty_tui.core.domain.validators import clean_phone
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case, record_changed
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.refs import insert_with_ref as _insert_with_ref

CASE_TYPE = "homelessness"
TEAM_CODE = "options"
OPEN_CASE_STATUSES = ("open", "in_progress", "awaiting")

# The answers a form sends (check_answers reads most; the rest are intake details).
INTAKE_KEYS = (
    "approach_date", "eligible", "homeless", "rough_sleeping", "nowhere_tonight", "domestic_abuse_risk_at_home",
    "loss_date", "s21_expiry", "priority_state", "priority_grounds", "intentional", "local_connection",
    "da_risk_in_connected_area", "relief_start", "household", "pregnant", "route", "referral_body",
    "referral_consent", "referral_details", "current_accommodation", "last_settled_accommodation",
    "loss_reason", "notice_type", "support_needs", "support_needs_assessed", "safeguarding",
    "safeguarding_notes", "eligibility_notes", "notes",
)


# --- views -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantView:
    """Who the approach is for, as the triage screen heads it."""

    ref: str
    name: str
    born: date | None
    age: int | None
    household_text: str
    open_case_ref: str | None


@dataclass(frozen=True)
class SavedApproach:
    """The result of saving an approach."""

    case_ref: str
    version: int
    stage: str
    moved_to: str | None
    message: str


@dataclass(frozen=True)
class TimelineItem:
    """One dated event on a case, newest first on screen."""

    on: date
    kind: str  # move, notice, step, review, placement, note, proposal
    text: str
    key: str  # "notice:12", "step:3", ...
    officer: str | None = None


@dataclass(frozen=True)
class NoticeView:
    """A notice issued."""

    id: int
    notice_type: str
    title: str
    issued_on: date
    officer: str | None
    review_kind: str | None
    review_last_day: date | None
    body: str


@dataclass(frozen=True)
class PlanStepView:
    """A plan step."""

    id: int
    party: str
    text: str
    due_on: date | None
    done_on: date | None
    mandatory: bool
    version: int


@dataclass(frozen=True)
class ReviewView:
    """A s202 review."""

    id: int
    kind: str
    requested_on: date
    decision_due: date
    outcome: str | None
    decided_on: date | None
    notice_title: str | None


@dataclass(frozen=True)
class PlacementView:
    """A temporary accommodation placement."""

    id: int
    address: str
    ta_type: str
    ta_name: str
    duty_basis: str
    start_on: date
    end_on: date | None


@dataclass(frozen=True)
class ProposalView:
    """A s193B notice awaiting sign-off."""

    id: int
    duty_stage: str
    reasons: str
    proposed_by: str | None
    proposed_at: datetime
    status: str


@dataclass(frozen=True)
class HousingCaseView:
    """Everything the case screen and the triage screen need about one case."""

    case_ref: str
    version: int
    status: str
    stage: str
    person_ref: str | None
    person_name: str | None
    person_born: date | None
    assignee: str | None
    approach_date: date
    answers: dict[str, Any]
    assessment: Assessment | None
    changes: dict[str, str]
    clocks: tuple[Clock, ...]
    relief_ends: date | None
    timeline: tuple[TimelineItem, ...]
    steps: tuple[PlanStepView, ...]
    notices: tuple[NoticeView, ...]
    reviews: tuple[ReviewView, ...]
    placements: tuple[PlacementView, ...]
    proposals: tuple[ProposalView, ...]
    plan_review_on: date | None
    assessment_duty: str | None
    final_decision: str | None
    allowed_moves: tuple[tuple[str, str, str], ...]  # (reason code, words, next stage)
    letters: tuple[tuple[str, str], ...]  # (code, title) issuable now
    approach: Approach | None = None
    """The facts as the engine reads them on the day (for the words: owed today, loss date not yet known)."""


@dataclass(frozen=True)
class CaselineView:
    """One row of the options caseload: the case and every clock."""

    case_ref: str
    person_ref: str | None
    person_name: str | None
    stage: str
    priority: str
    assignee: str | None
    due_at: datetime | None
    relief_ends: date | None
    decision_due: date | None
    review_due: date | None
    plan_review: date | None
    other: tuple[Clock, ...] = field(default_factory=tuple)
    nowhere_tonight: bool = False
    in_ta: bool = False
    clocks: tuple[Clock, ...] = field(default_factory=tuple)
    """Every clock running, soonest first (the caseload names the one that is overdue)."""
    interim_owed: bool = False
    """s188(1): interim accommodation is owed now (reason to believe homeless, eligible, priority need)."""

    @property
    def interim_unplaced(self) -> bool:
        """Owed interim accommodation with no placement recorded: the caseload lists these first."""
        return self.interim_owed and not self.in_ta


@dataclass(frozen=True)
class LetterPreview:
    """A letter rendered but not yet issued."""

    code: str
    title: str
    text: str
    review_last_day: date | None


# --- helpers ---------------------------------------------------------------------------


def housing_reference(ctx: ServiceContext) -> HousingReference:
    """The housing area's reference data for this context's data folder."""
    return load_housing_reference(ctx.settings.data_dir)


@lru_cache(maxsize=8)
def _calendar(jurisdiction: str) -> WorkingCalendar:
    return WorkingCalendar(jurisdiction if jurisdiction in ("england", "wales", "scotland", "northern_ireland")
                           else "england")  # type: ignore[arg-type]


def _jurisdiction(ctx: ServiceContext) -> str:
    jurisdiction = ctx.settings.jurisdiction
    if jurisdiction not in ("england", "scotland"):
        raise InputError(f"the homelessness duty engine covers England and Scotland; this office is set to "
                         f"{jurisdiction} (Housing (Wales) Act 2014 / Northern Ireland law are not modelled)")
    return jurisdiction


def _problems(summary: str, problems: list[str]) -> InputError:
    """One error carrying every problem; its message lists them (the TUI shows the message)."""
    return InputError(f"{summary}: " + "; ".join(problems), problems=list(problems))


def _person(session: Session, ref: str | None) -> Person | None:
    if not ref:
        return None
    person = session.exec(select(Person).where(Person.ref == ref.strip().upper())).first()
    if person is None:
        raise NotFound(f"no person with ref {ref!r}; find them with F2 search first")
    return person


def _load_case(session: Session, case_ref: str, *, for_update: bool = False) -> tuple[Case, HomelessCase]:
    query = select(Case).where(Case.ref == case_ref.strip().upper(), Case.case_type == CASE_TYPE)
    case = session.exec(query).first()
    if case is None:
        raise NotFound(f"no homelessness case {case_ref!r}")
    hc = session.exec(select(HomelessCase).where(HomelessCase.case_id == case.id)).one()
    return case, hc


ANSWER_LABELS = {
    "approach_date": "Approach date", "eligible": "Eligible?", "homeless": "Homeless now?",
    "rough_sleeping": "Sleeping rough", "nowhere_tonight": "Nowhere tonight",
    "domestic_abuse_risk_at_home": "Abuse risk (s177)", "loss_date": "Loss date", "s21_expiry": "s21 expires",
    "priority_state": "Priority need", "priority_grounds": "Priority grounds", "intentional": "Intentional?",
    "local_connection": "Connection", "da_risk_in_connected_area": "Abuse risk there", "relief_start": "Relief began",
    "household": "Others", "pregnant": "Pregnant", "route": "Route", "referral_body": "Referred by",
    "referral_consent": "Consent?", "referral_details": "Referral note", "current_accommodation": "Living now",
    "last_settled_accommodation": "Last settled", "loss_reason": "Reason", "support_needs": "Support needs",
    "support_needs_assessed": "Needs assessed", "safeguarding": "Safeguarding", "safeguarding_notes": "Safeguarding note",
    "eligibility_notes": "Eligibility", "notes": "Notes",
}
"""The approach form's labels (screens/approach.py), for a conflict's side-by-side comparison."""

CONFLICT_TAIL = "your answers are kept — reload (r) and re-apply them"


def answers_as_text(ctx: ServiceContext, answers: dict[str, Any]) -> dict[str, str]:
    """The approach answers as label → text (codes as their names), in form order."""
    from duty_tui.areas.housing_options.domain.reference import PRIORITY_NEED_WORDS, ROUTE_WORDS
    from duty_tui.core.services.conflicts import as_text

    ref = housing_reference(ctx)
    names: dict[str, dict[str, str]] = {
        "route": ROUTE_WORDS, "referral_body": {c: b.name for c, b in ref.referral_bodies.items()},
        "current_accommodation": ref.accommodation, "last_settled_accommodation": ref.accommodation,
        "loss_reason": ref.loss_reasons, "support_needs": ref.support_needs, "priority_grounds": PRIORITY_NEED_WORDS,
    }
    out: dict[str, str] = {}
    for key, label in ANSWER_LABELS.items():
        value = answers.get(key)
        words = names.get(key)
        if words and isinstance(value, list):
            value = [words.get(v, v) for v in value]
        elif words and isinstance(value, str):
            value = words.get(value, value)
        out[label] = as_text(value)
    return out


def _stored_answers(session: Session, hc: HomelessCase) -> dict[str, Any]:
    return answers_from_case(hc, _needs(session, hc.id))  # type: ignore[arg-type]


def _case_conflict(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, *,
                   answers: dict[str, Any] | None = None, yours: dict[str, Any] | None = None,
                   theirs_answers: dict[str, Any] | None = None) -> ConflictError:
    """Someone saved the case first: who/when and both versions (the answers that differ, or ``yours``)."""
    from duty_tui.core.services.conflicts import build_conflict, differing

    theirs: dict[str, Any] = {"Stage": STAGE_WORDS.get(hc.stage, hc.stage)}
    mine: dict[str, Any] = dict(yours or {})
    if answers is None:
        move = session.exec(select(HomelessMove).where(HomelessMove.homeless_case_id == hc.id)
                            .order_by(HomelessMove.id.desc()).limit(1)).first()  # type: ignore[union-attr]
        if move is not None:
            exit_def = housing_reference(ctx).exit(move.from_stage, move.reason)
            theirs["Change"] = f"{exit_def.name if exit_def else move.reason} (on {move.on_date:%d/%m/%Y})"
            theirs["Note"] = move.note or ""
    if answers is not None:
        stored = theirs_answers if theirs_answers is not None else _stored_answers(session, hc)
        given = {k: answers.get(k, stored.get(k)) for k in ANSWER_LABELS}
        t, y = differing(answers_as_text(ctx, stored), answers_as_text(ctx, given), keep=["Notes"])
        theirs, mine = t, y
    return build_conflict(session, what=f"case {case.ref}", entity="case", entity_id=case.ref, theirs=theirs,
                          yours=mine, version=hc.version, tail=CONFLICT_TAIL)


def _check_version(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, seen: int | None, *,
                   answers: dict[str, Any] | None = None, yours: dict[str, Any] | None = None) -> None:
    if seen is not None and hc.version != seen:
        raise _case_conflict(session, ctx, case, hc, answers=answers, yours=yours)


def _fresh_answers(ctx: ServiceContext, hc_id: int) -> tuple[HomelessCase, dict[str, Any]]:
    """The case as committed now, read outside this transaction (whose own changes are not saved)."""
    with session_scope(ctx.engine) as other:
        fresh = other.get(HomelessCase, hc_id)
        assert fresh is not None
        stored = _stored_answers(other, fresh)
        other.expunge(fresh)
        return fresh, stored


def _bump(session: Session, hc: HomelessCase, seen: int | None, *, ctx: ServiceContext | None = None,
          case: Case | None = None, answers: dict[str, Any] | None = None,
          yours: dict[str, Any] | None = None) -> None:
    """Optimistic lock: UPDATE ... SET version = version + 1 WHERE version = :seen."""
    from sqlalchemy import update

    expected = hc.version if seen is None else seen
    result = session.exec(update(HomelessCase).where(HomelessCase.id == hc.id, HomelessCase.version == expected)  # type: ignore[arg-type]
                          .values(version=expected + 1))
    if result.rowcount != 1:
        if ctx is not None and case is not None:
            # Our own changes are flushed into this (doomed) transaction: read theirs from the database.
            fresh, stored = _fresh_answers(ctx, hc.id)  # type: ignore[arg-type]
            raise _case_conflict(session, ctx, case, fresh, answers=answers, yours=yours, theirs_answers=stored)
        raise ConflictError("someone else changed this case just now; " + CONFLICT_TAIL)
    session.refresh(hc)


def _options_team_id(session: Session) -> int | None:
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


def _assess_case(hc: HomelessCase, needs: list[str], born: date | None, on: date) -> tuple[IntakeCheck, Assessment | None, Approach | None]:
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


def _needs(session: Session, hc_id: int) -> list[str]:
    return list(session.exec(select(HomelessSupportNeed.need).where(HomelessSupportNeed.homeless_case_id == hc_id)
                             .order_by(HomelessSupportNeed.id)).all())


def _clock_facts(session: Session, hc: HomelessCase, ref: HousingReference) -> CaseClockFacts:
    reviews = session.exec(select(HomelessReview.decision_due).where(
        HomelessReview.homeless_case_id == hc.id, HomelessReview.decided_on.is_(None))).all()  # type: ignore[union-attr]
    bnb_types = [code for code, t in ref.ta_types.items() if t.family_limit_days]
    family = hc.children > 0 or hc.pregnant
    bnb = []
    limit = 42
    if family and bnb_types:
        rows = session.exec(select(HomelessPlacement.start_on, HomelessPlacement.ta_type).where(
            HomelessPlacement.homeless_case_id == hc.id, HomelessPlacement.end_on.is_(None),  # type: ignore[union-attr]
            HomelessPlacement.ta_type.in_(bnb_types))).all()  # type: ignore[attr-defined]
        bnb = [start for start, _t in rows]
        if rows:
            limit = ref.ta_types[rows[0][1]].family_limit_days or 42
    return CaseClockFacts(stage=hc.stage, approach_date=hc.approach_date, relief_start=hc.relief_start,
                          prevention_start=hc.prevention_start, assessed_on=hc.assessed_on,
                          plan_review_on=hc.plan_review_on, open_review_due=tuple(sorted(reviews)),
                          family_bnb_since=tuple(bnb), bnb_limit_days=limit)


def _refresh_case(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase) -> list[Clock]:
    """Recompute the clocks; set the work_case's due_at, summary, priority and status."""
    ref = housing_reference(ctx)
    calendar = _calendar(hc.jurisdiction)
    clocks = case_clocks(_clock_facts(session, hc, ref),
                         decision_working_days=ref.policy.initial_assessment_working_days, calendar=calendar)
    soonest = nearest(clocks)
    in_ta = session.exec(select(func.count()).select_from(HomelessPlacement).where(
        HomelessPlacement.homeless_case_id == hc.id, HomelessPlacement.end_on.is_(None))).one() > 0  # type: ignore[union-attr]
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


def _code(ref_list: dict, value: Any, field_name: str, words: str, problems: list[str]) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        return None
    if value not in ref_list:
        problems.append(f"{field_name}: {value!r} is not a known {words}")
        return None
    return value


def _apply_answers(hc: HomelessCase, check: IntakeCheck, answers: dict[str, Any], ref: HousingReference) -> list[str]:
    """Store the checked answers on the case; returns the support needs to store."""
    problems: list[str] = []
    facts = check.facts
    hc.approach_date = date.fromisoformat(facts["approach_date"])
    hc.eligible = facts["eligible"]
    hc.homeless = None if answers.get("homeless") in (None, "", "unknown") else answers.get("homeless") == "yes"
    hc.rough_sleeping = bool(facts["rough_sleeping"])
    hc.nowhere_tonight = bool(answers.get("nowhere_tonight"))
    hc.domestic_abuse_risk = bool(facts["domestic_abuse_risk_at_home"])
    hc.loss_date = date.fromisoformat(facts["loss_date"]) if facts["loss_date"] else None
    hc.s21_expiry = date.fromisoformat(facts["s21_expiry"]) if facts["s21_expiry"] else None
    hc.priority_need = None if facts["priority_need"] is None else json.dumps(list(facts["priority_need"]))
    hc.intentional = facts["intentional"]
    hc.local_connection = facts["local_connection"]
    hc.da_risk_in_connected_area = bool(facts["da_risk_in_connected_area"])
    if facts["relief_start"]:
        hc.relief_start = date.fromisoformat(facts["relief_start"])
    hc.household_text = (answers.get("household") or "").strip()[:400] or None
    adults, children = household_counts(check.members)
    hc.adults, hc.children = adults, children
    hc.pregnant = bool(answers.get("pregnant")) or any(m.pregnant for m in check.members)
    hc.route = answers.get("route") or "self"
    hc.referral_body = _code({c: b for c, b in ref.referral_bodies.items()}, answers.get("referral_body"),
                             "referral_body", "referring body", problems) if hc.route != "self" else None
    hc.referral_consent = None if hc.route == "self" else (
        None if answers.get("referral_consent") in (None, "", "unknown") else answers.get("referral_consent") == "yes")
    hc.referral_details = (answers.get("referral_details") or "").strip() or None
    hc.current_accommodation = _code(ref.accommodation, answers.get("current_accommodation"),
                                     "current_accommodation", "accommodation type", problems)
    hc.last_settled_accommodation = _code(ref.accommodation, answers.get("last_settled_accommodation"),
                                          "last_settled_accommodation", "accommodation type", problems)
    hc.loss_reason = _code(ref.loss_reasons, answers.get("loss_reason"), "loss_reason",
                           "reason for loss of home", problems)
    hc.notice_type = (answers.get("notice_type") or "").strip()[:32] or None
    hc.safeguarding = bool(answers.get("safeguarding"))
    hc.safeguarding_notes = (answers.get("safeguarding_notes") or "").strip() or None
    hc.eligibility_notes = (answers.get("eligibility_notes") or "").strip() or None
    hc.notes = (answers.get("notes") or "").strip() or None
    needs = []
    for need in answers.get("support_needs") or []:
        if need not in ref.support_needs:
            problems.append(f"support_needs: {need!r} is not a known support need")
        elif need not in needs:
            needs.append(need)
    hc.support_needs_assessed = bool(answers.get("support_needs_assessed")) or bool(needs)
    if problems:
        raise _problems("fix the answers marked", problems)
    return needs


def _record_move(session: Session, ctx: ServiceContext, hc: HomelessCase, to_stage: str, reason: str, on: date,
                 note: str | None = None, final_decision: str | None = None,
                 accommodation: str | None = None) -> HomelessMove:
    """Record a checked stage move and set the case's duty dates (no permission check here)."""
    ref = housing_reference(ctx)
    from_stage = hc.stage
    problem = check_move(from_stage, to_stage)
    if problem:
        raise InputError(problem)
    exit_def = ref.exit(from_stage, reason)
    if exit_def is None:
        choices = ", ".join(ref.exits.get(from_stage, {}))
        raise InputError(f"{reason!r} is not a way {STAGE_WORDS[from_stage]} ends; choose one of: {choices}")
    if to_stage not in exit_def.leads_to:
        raise InputError(f"'{exit_def.name}' leads to {', '.join(STAGE_WORDS[s] for s in exit_def.leads_to)}, "
                         f"not {STAGE_WORDS[to_stage]}")
    if from_stage == "relief" and reason == "days_56_elapsed":
        if final_decision is None:
            raise InputError("when relief ends after 56 days, record the decision (main duty, intentional, "
                             "not in priority need ...)")
        if final_decision not in ref.final_decisions:
            raise InputError(f"{final_decision!r} is not a known decision")
        if ref.final_decisions[final_decision][1] != to_stage:
            raise InputError(f"the decision '{ref.final_decisions[final_decision][0]}' leads to "
                             f"{STAGE_WORDS[ref.final_decisions[final_decision][1]]}, not {STAGE_WORDS[to_stage]}")
        if on < (hc.relief_start or hc.approach_date) + DAYS_56 and final_decision in ("main_duty",):
            raise InputError(f"the main duty can only follow relief's 56 days (s193(1)); relief runs to "
                             f"{(hc.relief_start or hc.approach_date) + DAYS_56:%d/%m/%Y}")
    elif final_decision is not None:
        raise InputError("a main duty decision is recorded only when relief ends after 56 days")
    if on > ctx.today():
        raise InputError(f"the date of the move cannot be after today ({ctx.today():%d/%m/%Y})")
    if on < hc.approach_date:
        raise InputError(f"the date of the move cannot be before the approach ({hc.approach_date:%d/%m/%Y})")
    last = session.exec(select(func.max(HomelessMove.on_date)).where(HomelessMove.homeless_case_id == hc.id)).one()
    if last is not None and on < last:
        raise InputError(f"the date of the move cannot be before the previous move ({last:%d/%m/%Y})")
    if accommodation is not None and accommodation not in ref.accommodation:
        raise InputError(f"{accommodation!r} is not a known accommodation type")

    if from_stage == "triage":
        hc.assessed_on = on
        hc.assessment_duty = exit_def.assessment
    if from_stage == "prevention":
        hc.prevention_end, hc.prevention_outcome = on, reason
        hc.prevention_accommodation = accommodation
    if from_stage == "relief":
        hc.relief_end, hc.relief_outcome = on, reason
        hc.relief_accommodation = accommodation
    if from_stage in ("main_duty", "intentional"):
        hc.main_duty_end, hc.main_duty_outcome = on, reason
    if to_stage == "prevention":
        hc.prevention_start = on
    if to_stage == "relief":
        # Relief runs from the approach when owed at assessment, else from the day it began;
        # it is owed because the council is satisfied the applicant is homeless and eligible (s189B(1)).
        hc.relief_start = hc.relief_start if (from_stage == "triage" and hc.relief_start) else on
        hc.homeless, hc.eligible = True, True
    if to_stage == "prevention":
        hc.eligible = True
    if final_decision is not None:
        hc.final_decision, hc.final_decision_on = final_decision, on
    if to_stage == "closed":
        hc.closed_on = on
    if to_stage in ("prevention", "relief") and hc.plan_review_on is None:
        hc.plan_review_on = next_plan_review(on, ref.policy.plan_review_weeks)
    hc.stage = to_stage
    move = HomelessMove(homeless_case_id=hc.id, at=ctx.now(), on_date=on, from_stage=from_stage, to_stage=to_stage,
                        reason=reason, final_decision=final_decision, note=(note or "").strip() or None,
                        officer_id=ctx.actor.id if ctx.actor else None)
    session.add(move)
    session.add(hc)
    return move


def _auto_move(assessment: Assessment | None, approach_date: date,
               approach: Approach | None = None) -> tuple[str, str, date] | None:
    """The triage exit the facts establish, if any: (to_stage, reason, on).

    "Not threatened" closes the case only when a date of losing the home is known and is beyond
    the window; a blank loss date is not yet known, so the case stays open at triage.
    """
    if assessment is None:
        return None
    if assessment.status == "ineligible":
        return "closed", "ineligible", approach_date
    if assessment.status == "not_threatened":
        if approach is not None and loss_date_unknown(approach):
            return None
        return "closed", "not_threatened", approach_date
    for duty in assessment.duties:
        if duty.duty == "relief":
            return "relief", "relief_owed", duty.start
        if duty.duty == "prevention":
            return "prevention", "prevention_owed", duty.start
    return None


# --- applicant ---------------------------------------------------------------------------


def applicant(ctx: ServiceContext, person_ref: str) -> ApplicantView:
    """Who the approach is for, with their household as typed text and any open case."""
    ctx.require("homelessness.assess")
    today = ctx.today()
    with session_scope(ctx.engine) as session:
        person = _person(session, person_ref)
        assert person is not None
        members = []
        membership = session.exec(select(HouseholdMember).where(HouseholdMember.person_id == person.id,
                                                                HouseholdMember.left_on.is_(None))).first()  # type: ignore[union-attr]
        if membership is not None:
            rows = session.exec(select(HouseholdMember, Person).join(Person, Person.id == HouseholdMember.person_id)
                                .where(HouseholdMember.household_id == membership.household_id,
                                       HouseholdMember.person_id != person.id,
                                       HouseholdMember.left_on.is_(None))).all()  # type: ignore[union-attr]
            for m, p in rows:
                rel = m.relationship.lower()
                word = "child" if "child" in rel or "son" in rel or "daughter" in rel else (
                    "partner" if "partner" in rel or "spouse" in rel or "joint" in rel else "other")
                age = age_on(p.date_of_birth, today)
                members.append(f"{word} {age}" if age is not None else word)
        open_ref = session.exec(
            select(Case.ref).join(HomelessCase, HomelessCase.case_id == Case.id)
            .where(HomelessCase.person_id == person.id, HomelessCase.stage != "closed")
            .order_by(Case.opened_at.desc())).first()  # type: ignore[attr-defined]
        return ApplicantView(person.ref, f"{person.forename} {person.surname}", person.date_of_birth,
                             age_on(person.date_of_birth, today), ", ".join(members), open_ref)


def register_applicant(ctx: ServiceContext, forename: str, surname: str, date_of_birth: str,
                       phone: str | None = None, *, address: PostalAddress | None = None,
                       members: tuple[HouseholdEntry, ...] | list[HouseholdEntry] = ()) -> str:
    """Add someone not yet on the system as a person, so their approach can be recorded.

    With ``address``, their postal address (letters go there); with ``members``, each person who
    lives with them becomes a person of their own in a household the applicant leads — records
    the approach then reads ("partner 34, child 7"), never a line of free text.
    """
    ctx.require("homelessness.assess")
    problems = []
    forename, surname = (forename or "").strip(), (surname or "").strip()
    if not forename:
        problems.append("forename: type the applicant's first name")
    if not surname:
        problems.append("surname: type the applicant's surname")
    born = None
    try:
        born = parse_form_date(date_of_birth)
        if born is None:
            problems.append("date_of_birth: type the date of birth (DD/MM/YYYY)")
        elif born > ctx.today():
            problems.append("date_of_birth: the date of birth is in the future")
        elif age_on(born, ctx.today()) > 120:  # type: ignore[operator]
            problems.append("date_of_birth: that would make them over 120; check the year")
    except ValueError as exc:
        problems.append(f"date_of_birth: {exc}")
    phone_clean = None
    if phone and phone.strip():
        try:
            phone_clean = clean_phone(phone)
        except ValueError as exc:
            problems.append(f"phone: {exc}")
    for member in members:
        if member.relationship not in dict(HOUSEHOLD_RELATIONSHIPS):
            problems.append(f"household: {member.forename} — choose who they are to the applicant")
    if problems:
        raise _problems("fix the applicant's details", problems)
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        def make_person(first: str, last: str, dob: date | None, tel: str | None):
            def make(ref: str) -> Person:
                return Person(ref=ref, forename=first[:80], surname=last[:80], date_of_birth=dob,
                              phone_main=tel, phone_main_key=phone_key(tel) if tel else None,
                              surname_key=fold(last), forename_key=fold(first), surname_sound=sound(last),
                              forename_sound=sound(first), created_at=ctx.now())
            return _insert_with_ref(session, make, Person.ref, "P")

        person = make_person(forename, surname, born, phone_clean or (phone or None))
        record_changed(session, "person", person.ref)
        if address is not None:
            session.add(PersonAddress(person_id=person.id, line1=address.line1, line2=address.line2 or None,
                                      town=address.town, postcode=address.postcode,
                                      postcode_key=postcode_key(address.postcode), since=today,
                                      created_at=ctx.now(), created_by=ctx.actor.id if ctx.actor else None))
        member_refs = []
        if members:
            household = _insert_with_ref(session, lambda ref: Household(ref=ref), Household.ref, "H")
            session.add(HouseholdMember(household_id=household.id, person_id=person.id, relationship="applicant",
                                        is_lead=True, joined_on=today))
            for member in members:
                other = make_person(member.forename, member.surname, member.date_of_birth, None)
                session.add(HouseholdMember(household_id=household.id, person_id=other.id,
                                            relationship=member.relationship, is_lead=False, joined_on=today))
                member_refs.append(other.ref)
        audit.record(session, ctx, "housing.applicant_registered", "person", person.ref,
                     {"address": address is not None, "household": member_refs})
        return person.ref


def applicant_address(session: Session, hc: HomelessCase | None, person: Person | None) -> list[str]:
    """Where letters go, a line each: an open TA placement, else the latest postal address, else the tenancy's home."""
    if hc is not None:
        placement = session.exec(select(HomelessPlacement).where(HomelessPlacement.homeless_case_id == hc.id,
                                                                 HomelessPlacement.end_on.is_(None))  # type: ignore[union-attr]
                                 .order_by(HomelessPlacement.start_on.desc())).first()  # type: ignore[attr-defined]
        if placement is not None:
            return [part.strip() for part in placement.address.split(",") if part.strip()]
    if person is None:
        return []
    postal = session.exec(select(PersonAddress).where(PersonAddress.person_id == person.id,
                                                      PersonAddress.until.is_(None))  # type: ignore[union-attr]
                          .order_by(PersonAddress.since.desc(), PersonAddress.id.desc())).first()  # type: ignore[attr-defined]
    if postal is not None:
        return [line for line in (postal.line1, postal.line2, postal.town, postal.postcode) if line]
    home = session.exec(
        select(Property).join(Tenancy, Tenancy.property_id == Property.id)
        .join(HouseholdMember, HouseholdMember.household_id == Tenancy.household_id)
        .where(HouseholdMember.person_id == person.id, HouseholdMember.left_on.is_(None),  # type: ignore[union-attr]
               Tenancy.status == "current")).first()
    if home is not None:
        return [line for line in (home.address_line1, home.address_line2, home.town, home.postcode) if line]
    return []


# --- approaches --------------------------------------------------------------------------


def check_approach(ctx: ServiceContext, answers: dict[str, Any], applicant_born: date | None = None) -> IntakeCheck:
    """The same checks the save runs, without saving (pure; no database)."""
    return check_answers(answers, today=ctx.today(), applicant_born=applicant_born, jurisdiction=_jurisdiction(ctx))


def save_approach(ctx: ServiceContext, answers: dict[str, Any], *, person_ref: str | None,
                  case_ref: str | None = None, version: int | None = None) -> SavedApproach:
    """Create or update a homelessness case from the triage answers; record the duty the facts establish."""
    actor = ctx.require("homelessness.assess")
    jurisdiction = _jurisdiction(ctx)
    ref = housing_reference(ctx)
    unknown = sorted(set(answers) - set(INTAKE_KEYS))
    if unknown:
        raise InputError(f"unknown answer {unknown[0]!r}")
    with session_scope(ctx.engine, write=True) as session:
        person = _person(session, person_ref)
        case: Case | None = None
        hc: HomelessCase | None = None
        if case_ref:
            case, hc = _load_case(session, case_ref)
            _check_version(session, ctx, case, hc, version, answers=answers)
            if person is None and hc.person_id is not None:
                person = session.get(Person, hc.person_id)
            if hc.stage == "closed":
                raise InputError(f"case {case.ref} is closed; a new approach opens a new case")
        if person is None:
            raise InputError("choose the applicant first (F11): search for them, or add them if they are new")
        check = check_answers(answers, today=ctx.today(), applicant_born=person.date_of_birth,
                              jurisdiction=jurisdiction)
        if check.problems:
            raise _problems("fix the answers marked", [f"{k}: {v}" for k, v in check.problems.items()])
        if case is None:
            open_ref = session.exec(select(Case.ref).join(HomelessCase, HomelessCase.case_id == Case.id).where(
                HomelessCase.person_id == person.id, HomelessCase.stage != "closed")).first()
            if open_ref:
                raise InputError(f"{person.forename} {person.surname} already has an open homelessness case "
                                 f"({open_ref}); open that case to update it")
            team_id = _options_team_id(session)
            membership = session.exec(select(HouseholdMember.household_id).where(
                HouseholdMember.person_id == person.id, HouseholdMember.left_on.is_(None))).first()  # type: ignore[union-attr]
            assignee = actor.id if actor.team_code == TEAM_CODE or actor.team_id == team_id else None
            case = _insert_with_ref(session, lambda r: Case(
                ref=r, case_type=CASE_TYPE, status="open", team_id=team_id, assignee_id=assignee,
                person_id=person.id, household_id=membership, summary="Homelessness triage", priority="normal",
                opened_at=ctx.now()), Case.ref, "C")
            hc = HomelessCase(case_id=case.id, person_id=person.id, household_id=membership,
                              jurisdiction=jurisdiction, approach_date=ctx.today())
            created = True
        else:
            assert hc is not None
            if hc.person_id is None:
                hc.person_id = case.person_id = person.id
            created = False
        needs = _apply_answers(hc, check, answers, ref)
        session.add(hc)
        session.flush()
        if not created:
            _bump(session, hc, version, ctx=ctx, case=case, answers=answers)
        session.exec(HomelessSupportNeed.__table__.delete().where(  # type: ignore[attr-defined]
            HomelessSupportNeed.__table__.c.homeless_case_id == hc.id))  # type: ignore[attr-defined]
        for need in needs:
            session.add(HomelessSupportNeed(homeless_case_id=hc.id, need=need))
        session.exec(HomelessMember.__table__.delete().where(  # type: ignore[attr-defined]
            HomelessMember.__table__.c.homeless_case_id == hc.id))  # type: ignore[attr-defined]
        for member in check.members:
            session.add(HomelessMember(homeless_case_id=hc.id, relationship=member.relationship, age=member.age,
                                       pregnant=member.pregnant))
        moved_to = None
        message = f"Saved {case.ref}."
        if hc.stage == "triage" and check.approach is not None:
            assessment = assess(replace(check.approach, as_of=check.approach.approach_date))
            auto = _auto_move(assessment, hc.approach_date, check.approach)
            if auto is not None:
                to_stage, reason, on = auto
                _record_move(session, ctx, hc, to_stage, reason, min(on, ctx.today()),
                             note="recorded from the triage answers")
                moved_to = to_stage
                exit_name = ref.exits["triage"][reason].name
                message = f"Saved {case.ref}: {exit_name}."
                if to_stage == "relief":
                    message += f" Relief runs to {(hc.relief_start or hc.approach_date) + DAYS_56:%d/%m/%Y}."
            elif loss_date_unknown(check.approach) and assessment.status == "not_threatened":
                message += (" Not homeless now, and when the home may be lost is not yet known: the case stays "
                            "open at triage — ask, and add the loss date or notice.")
        elif hc.stage in ("prevention", "relief") and check.approach is not None:
            status = assess(replace(check.approach, as_of=ctx.today())).status
            if hc.stage == "prevention" and status == "homeless":
                message += " The answers now say homeless: record the move to relief on the case (m)."
            elif status == "not_threatened" and loss_date_unknown(check.approach):
                message += " When the home may be lost is not yet known: add the loss date or notice."
            elif status in ("ineligible", "not_threatened"):
                message += " The answers no longer support the duty: end it on the case (m) with a notice."
        clocks = _refresh_case(session, ctx, case, hc)
        session.flush()
        session.refresh(hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.approach_saved", "case", case.ref,
                     {"created": created, "stage": hc.stage, "moved_to": moved_to,
                      "next_clock": clocks[0].name if clocks else None})
        return SavedApproach(case.ref, hc.version, hc.stage, moved_to, message)


def open_urgent_approach(ctx: ServiceContext, person_ref: str | None, note: str) -> str:
    """'Nowhere to stay tonight' from the front desk: an urgent same-day case for the options team.

    Returns the case ref. If the person already has an open homelessness case, that case is
    made urgent instead of opening a second one.
    """
    ctx.require("contact.log")
    with session_scope(ctx.engine, write=True) as session:
        return urgent_approach_in(session, ctx, person_ref, note).ref


def urgent_approach_in(session: Session, ctx: ServiceContext, person_ref: str | None, note: str) -> Case:
    """``open_urgent_approach`` inside the caller's transaction (the front desk's contact save): the
    caller has checked ``contact.log``; the audit event is written in that transaction."""
    ref = housing_reference(ctx)
    note = (note or "").strip()
    now = ctx.now()
    due = now + timedelta(hours=ref.policy.urgent_hours)
    person = _person(session, person_ref)
    existing = None
    if person is not None:
        existing = session.exec(select(Case, HomelessCase).join(HomelessCase, HomelessCase.case_id == Case.id)
                                .where(HomelessCase.person_id == person.id, HomelessCase.stage != "closed")).first()
    if existing is not None:
        case, hc = existing
        hc.nowhere_tonight = True
        case.priority = "emergency"
        case.due_at = min(case.due_at, due) if case.due_at else due
        session.add(hc)
        session.add(case)
        created = False
    else:
        team_id = _options_team_id(session)
        membership = None
        if person is not None:
            membership = session.exec(select(HouseholdMember.household_id).where(
                HouseholdMember.person_id == person.id, HouseholdMember.left_on.is_(None))).first()  # type: ignore[union-attr]
        case = _insert_with_ref(session, lambda r: Case(
            ref=r, case_type=CASE_TYPE, status="open", team_id=team_id, person_id=person.id if person else None,
            household_id=membership, summary="Homelessness triage · NOWHERE TO STAY TONIGHT",
            priority="emergency", opened_at=now, due_at=due), Case.ref, "C")
        hc = HomelessCase(case_id=case.id, person_id=person.id if person else None, household_id=membership,
                          jurisdiction=ctx.settings.jurisdiction if ctx.settings.jurisdiction in ("england", "scotland") else "england",
                          approach_date=ctx.today(), nowhere_tonight=True, notes=note or None)
        session.add(hc)
        created = True
    session.flush()
    text = "Nowhere to stay tonight (front desk)" + (f": {note}" if note else "")
    session.add(CaseNote(case_id=case.id, at=now, author_id=ctx.actor.id if ctx.actor else None, text=text))
    case.summary = case_summary(hc.stage, [], rough_sleeping_tonight=True)
    session.add(case)
    record_case(session, case)
    audit.record(session, ctx, "housing.urgent_approach", "case", case.ref,
                 {"created": created, "person": person.ref if person else None})
    return case


@dataclass(frozen=True)
class HomelessnessSummary:
    """One line for the person view: the open homelessness case and its key dates."""

    case_ref: str
    stage: str
    relief_ends: date | None
    next_clock: str | None  # e.g. "plan review 07/04/2026"
    in_ta: bool
    nowhere_tonight: bool

    @property
    def line(self) -> str:
        """'Homelessness C0000123: relief, ends 05/05/2026 · next: plan review 07/04/2026 · in TA'."""
        parts = [f"Homelessness {self.case_ref}: {STAGE_WORDS.get(self.stage, self.stage)}"]
        if self.relief_ends:
            parts[0] += f", ends {self.relief_ends:%d/%m/%Y}"
        if self.next_clock:
            parts.append(f"next: {self.next_clock}")
        if self.in_ta:
            parts.append("in TA")
        if self.nowhere_tonight:
            parts.append("NOWHERE TO STAY TONIGHT")
        return " · ".join(parts)


def homelessness_summary(ctx: ServiceContext, person_ref: str) -> HomelessnessSummary | None:
    """The person's open homelessness case in one line (for the person view), or None."""
    ctx.require("case.view")
    ref = housing_reference(ctx)
    with session_scope(ctx.engine) as session:
        person = _person(session, person_ref)
        row = session.exec(select(Case, HomelessCase).join(HomelessCase, HomelessCase.case_id == Case.id).where(
            HomelessCase.person_id == person.id, Case.status.in_(OPEN_CASE_STATUSES))  # type: ignore[union-attr, attr-defined]
            .order_by(Case.opened_at.desc())).first()  # type: ignore[attr-defined]
        if row is None:
            return None
        case, hc = row
        clocks = case_clocks(_clock_facts(session, hc, ref),
                             decision_working_days=ref.policy.initial_assessment_working_days,
                             calendar=_calendar(hc.jurisdiction))
        in_ta = session.exec(select(func.count()).select_from(HomelessPlacement).where(
            HomelessPlacement.homeless_case_id == hc.id, HomelessPlacement.end_on.is_(None))).one() > 0  # type: ignore[union-attr]
        soonest = nearest(clocks)
        return HomelessnessSummary(
            case.ref, hc.stage, (hc.relief_start or hc.approach_date) + DAYS_56 if hc.stage == "relief" else None,
            f"{soonest.label} {soonest.due:%d/%m/%Y}" if soonest else None, in_ta,
            hc.nowhere_tonight and hc.stage == "triage")


def find_open_case(ctx: ServiceContext, person_ref: str) -> str | None:
    """The person's open homelessness case, if any."""
    ctx.require("case.view")
    with session_scope(ctx.engine) as session:
        person = _person(session, person_ref)
        return session.exec(select(Case.ref).join(HomelessCase, HomelessCase.case_id == Case.id).where(
            HomelessCase.person_id == person.id, HomelessCase.stage != "closed")).first()  # type: ignore[union-attr]


# --- the case --------------------------------------------------------------------------------


def get_housing_case(ctx: ServiceContext, case_ref: str) -> HousingCaseView:
    """Everything about one homelessness case; audited as a view of personal data."""
    ctx.require("homelessness.assess")
    ref = housing_reference(ctx)
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        person = session.get(Person, hc.person_id) if hc.person_id else None
        assignee = session.get(StaffUser, case.assignee_id) if case.assignee_id else None
        needs = _needs(session, hc.id)
        check, assessment, approach = _assess_case(hc, needs, person.date_of_birth if person else None, today)
        changes = what_would_change(approach) if approach is not None else {}
        clocks = case_clocks(_clock_facts(session, hc, ref),
                             decision_working_days=ref.policy.initial_assessment_working_days,
                             calendar=_calendar(hc.jurisdiction))
        staff = {u.id: u.display_name for u in session.exec(select(StaffUser)).all()}
        timeline: list[TimelineItem] = []
        for m in session.exec(select(HomelessMove).where(HomelessMove.homeless_case_id == hc.id)).all():
            exit_def = ref.exit(m.from_stage, m.reason)
            words = exit_def.name if exit_def else m.reason
            text = f"{STAGE_WORDS[m.from_stage]} → {STAGE_WORDS[m.to_stage]}: {words}"
            if m.final_decision:
                text += f" ({ref.final_decisions.get(m.final_decision, (m.final_decision,))[0]})"
            timeline.append(TimelineItem(m.on_date, "move", text, f"move:{m.id}", staff.get(m.officer_id)))
        notices = [NoticeView(n.id, n.notice_type, n.title, n.issued_on, staff.get(n.officer_id), n.review_kind,
                              n.review_last_day, n.body)
                   for n in session.exec(select(HomelessNotice).where(HomelessNotice.homeless_case_id == hc.id)
                                         .order_by(HomelessNotice.id)).all()]
        for n in notices:
            extra = f"; review by {n.review_last_day:%d/%m/%Y}" if n.review_last_day else ""
            timeline.append(TimelineItem(n.issued_on, "notice", f"Letter: {n.title}{extra}", f"notice:{n.id}", n.officer))
        steps = [PlanStepView(s.id, s.party, s.text, s.due_on, s.done_on, s.mandatory, s.version)
                 for s in session.exec(select(HomelessPlanStep).where(HomelessPlanStep.homeless_case_id == hc.id)
                                       .order_by(HomelessPlanStep.id)).all()]
        for s in steps:
            state = f"done {s.done_on:%d/%m/%Y}" if s.done_on else (f"by {s.due_on:%d/%m/%Y}" if s.due_on else "open")
            timeline.append(TimelineItem(s.done_on or s.due_on or today, "step",
                                         f"Plan ({s.party}): {s.text} [{state}]", f"step:{s.id}"))
        titles = {n.id: n.title for n in notices}
        reviews = [ReviewView(r.id, r.kind, r.requested_on, r.decision_due, r.outcome, r.decided_on,
                              titles.get(r.notice_id)) for r in
                   session.exec(select(HomelessReview).where(HomelessReview.homeless_case_id == hc.id)
                                .order_by(HomelessReview.id)).all()]
        for r in reviews:
            state = f"{r.outcome} {r.decided_on:%d/%m/%Y}" if r.decided_on else f"decide by {r.decision_due:%d/%m/%Y}"
            timeline.append(TimelineItem(r.requested_on, "review", f"Review requested ({REVIEW_KIND_WORDS[r.kind]}): "
                                         f"{state}", f"review:{r.id}"))
        placements = [PlacementView(p.id, p.address, p.ta_type, ref.ta_types[p.ta_type].name if p.ta_type in ref.ta_types
                                    else p.ta_type, p.duty_basis, p.start_on, p.end_on)
                      for p in session.exec(select(HomelessPlacement).where(
                          HomelessPlacement.homeless_case_id == hc.id).order_by(HomelessPlacement.start_on)).all()]
        for p in placements:
            ends = f" to {p.end_on:%d/%m/%Y}" if p.end_on else " (current)"
            timeline.append(TimelineItem(p.start_on, "placement", f"TA ({p.duty_basis}) {p.ta_name}: {p.address}{ends}",
                                         f"placement:{p.id}"))
        proposals = [ProposalView(p.id, p.duty_stage, p.reasons, staff.get(p.proposed_by), p.proposed_at, p.status)
                     for p in session.exec(select(HomelessNonCooperation).where(
                         HomelessNonCooperation.homeless_case_id == hc.id)).all()]
        for p in proposals:
            timeline.append(TimelineItem(p.proposed_at.date(), "proposal",
                                         f"s193B notice proposed ({p.status}): {p.reasons}", f"proposal:{p.id}",
                                         p.proposed_by))
        for note in session.exec(select(CaseNote).where(CaseNote.case_id == case.id)).all():
            timeline.append(TimelineItem(note.at.date(), "note", f"Note: {note.text}", f"note:{note.id}",
                                         staff.get(note.author_id)))
        timeline.sort(key=lambda t: (t.on, t.key), reverse=True)
        allowed = tuple((e.code, e.name, stage) for e in ref.exits.get(hc.stage, {}).values()
                        for stage in e.leads_to if not e.s193b)
        letters = tuple((code, letter.title) for code, letter in ref.letters.items()
                        if not letter.issued_by_sign_off and (not letter.needs or hc.stage in letter.needs))
        audit.record(session, ctx, "housing.case_viewed", "case", case.ref, {})
        relief_ends = (hc.relief_start or hc.approach_date) + DAYS_56 if hc.stage == "relief" else None
        return HousingCaseView(
            case_ref=case.ref, version=hc.version, status=case.status, stage=hc.stage,
            person_ref=person.ref if person else None,
            person_name=f"{person.forename} {person.surname}" if person else None,
            person_born=person.date_of_birth if person else None,
            assignee=assignee.display_name if assignee else None, approach_date=hc.approach_date,
            answers=answers_from_case(hc, needs), assessment=assessment, changes=changes, clocks=tuple(clocks),
            relief_ends=relief_ends, timeline=tuple(timeline), steps=tuple(steps), notices=tuple(notices),
            reviews=tuple(reviews), placements=tuple(placements), proposals=tuple(proposals),
            plan_review_on=hc.plan_review_on, assessment_duty=hc.assessment_duty, final_decision=hc.final_decision,
            allowed_moves=allowed, letters=letters, approach=approach)


def record_move(ctx: ServiceContext, case_ref: str, version: int | None, to_stage: str, reason: str,
                on: date | None = None, note: str | None = None, final_decision: str | None = None,
                accommodation: str | None = None) -> int:
    """Move a case to its next stage (a duty decision or ending); returns the new version."""
    ctx.require("homelessness.decide")
    try:
        return _record_move_once(ctx, case_ref, version, to_stage, reason, on, note, final_decision, accommodation)
    except ConflictError as error:
        if to_stage == "closed":
            raise _closed_first(ctx, case_ref, error) from None
        raise


def _closed_first(ctx: ServiceContext, case_ref: str, error: ConflictError) -> ConflictError:
    """A close that lost to another officer's: 'already closed by NAME at TIME (why)' when the case is now
    closed (read after the losing transaction rolled back), else the conflict as it was."""
    from duty_tui.core.domain.local_time import format_local

    with session_scope(ctx.engine) as session:
        case, hc = _load_case(session, case_ref)
        move = session.exec(select(HomelessMove).where(HomelessMove.homeless_case_id == hc.id)
                            .order_by(HomelessMove.id.desc()).limit(1)).first()  # type: ignore[union-attr]
        if hc.stage != "closed" or move is None or move.to_stage != "closed":
            return error
        officer = session.get(StaffUser, move.officer_id) if move.officer_id else None
        who = officer.display_name if officer else "someone else"
        exit_def = housing_reference(ctx).exit(move.from_stage, move.reason)
        return ConflictError(f"case {case.ref} was already closed by {who} at "
                             f"{format_local(move.at, '%H:%M on %d/%m/%Y')} "
                             f"({exit_def.name if exit_def else move.reason}); nothing was changed",
                             record=error.record, changed_by=who, changed_at=move.at, theirs=error.theirs,
                             yours=error.yours, version=hc.version)


def _record_move_once(ctx: ServiceContext, case_ref: str, version: int | None, to_stage: str, reason: str,
                      on: date | None, note: str | None, final_decision: str | None,
                      accommodation: str | None) -> int:
    ref = housing_reference(ctx)
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        exit_def = ref.exit(hc.stage, reason)
        if exit_def is not None and exit_def.s193b:
            raise InputError("ending a duty for non-cooperation needs a s193B notice: give the warning letter, then "
                             "propose the notice (n) for a second officer to sign off")
        exit_name = exit_def.name if exit_def is not None else reason
        yours = {"Stage": STAGE_WORDS.get(to_stage, to_stage), "Change": exit_name, "Note": note or ""}
        _check_version(session, ctx, case, hc, version, yours=yours)
        before = hc.stage
        _record_move(session, ctx, hc, to_stage, reason, on or ctx.today(), note, final_decision, accommodation)
        session.flush()
        _bump(session, hc, version, ctx=ctx, case=case, yours=yours)
        _refresh_case(session, ctx, case, hc)
        if to_stage == "closed":
            case.outcome = reason[:64]
        record_case(session, case)
        audit.record(session, ctx, "housing.stage_moved", "case", case.ref,
                     {"from": before, "to": to_stage, "reason": reason, "final_decision": final_decision})
        return hc.version


# --- the personalised housing plan (s189A) ---------------------------------------------


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
        raise _problems("fix the step", problems)
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        if hc.stage not in ("prevention", "relief", "triage"):
            raise InputError("a personalised housing plan is for the prevention or relief stage (s189A)")
        step = HomelessPlanStep(homeless_case_id=hc.id, party=party, text=text, due_on=due_on, mandatory=mandatory,
                                created_at=ctx.now(), created_by=ctx.actor.id if ctx.actor else None)
        session.add(step)
        if hc.plan_agreed_on is None:
            hc.plan_agreed_on = ctx.today()
        if hc.plan_review_on is None:
            hc.plan_review_on = next_plan_review(ctx.today(), housing_reference(ctx).policy.plan_review_weeks)
        session.add(hc)
        session.flush()
        _refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.plan_step_added", "case", case.ref, {"party": party, "step": step.id})
        return step.id  # type: ignore[return-value]


def complete_plan_step(ctx: ServiceContext, case_ref: str, step_id: int, done_on: date | None = None,
                       seen_version: int | None = None) -> None:
    """Mark a plan step done (or not done again when already done).

    With ``seen_version`` (the screens pass it), a step someone else ticked or unticked since is a
    conflict rather than a silent toggle back.
    """
    ctx.require("homelessness.assess")
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
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
        case, hc = _load_case(session, case_ref)
        if hc.stage not in ("prevention", "relief"):
            raise InputError("plans are reviewed while prevention or relief runs")
        hc.plan_review_on = following
        hc.plan_agreed_on = hc.plan_agreed_on or reviewed_on
        session.add(hc)
        session.flush()
        _refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.plan_reviewed", "case", case.ref,
                     {"reviewed_on": reviewed_on, "next": following})
        return following


# --- letters -----------------------------------------------------------------------------


def _office_name(session: Session, ctx: ServiceContext) -> str:
    office = session.exec(select(Office).where(Office.code == ctx.settings.office_code)).first()
    return office.name if office else ctx.settings.office_name


def _letter_values(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, code: str, on: date,
                   extra: dict[str, str] | None) -> dict[str, str]:
    ref = housing_reference(ctx)
    letter = ref.letters[code]
    person = session.get(Person, hc.person_id) if hc.person_id else None
    needs = _needs(session, hc.id)
    _check, assessment, approach = _assess_case(hc, needs, person.date_of_birth if person else None, on)
    review_kind = letter.review
    if code == "s193b_notice" and hc.stage == "relief":
        review_kind = "standard"  # reg 9(1)(b)(ii): a s193B notice ending relief
    last_day = review_request_last_day(on) if review_kind else None
    name = f"{person.title + ' ' if person and person.title else ''}{person.forename} {person.surname}" if person \
        else "the applicant"
    officer = ctx.actor.display_name if ctx.actor else "Housing options"
    office = _office_name(session, ctx)
    values = {
        "office_name": office, "date": long_date(on), "applicant_name": name,
        "applicant_address": address_block(applicant_address(session, hc, person), collect_from=office),
        "case_ref": case.ref, "approach_date": long_date(hc.approach_date),
        "review_last_day": long_date(last_day) if last_day else "",
        "review_weeks": str(REVIEW_WEEKS.get(review_kind or "standard", 8)), "officer_name": officer,
        "decision": "", "duties": "", "reasons": "", "outstanding": "", "interim": "", "duty_start": "",
        "duty_until": "", "ended_duty": "", "ended_on": "", "end_reason": "", "applicant_steps": "",
        "council_steps": "", "plan_review_on": long_date(hc.plan_review_on) if hc.plan_review_on else "",
        "authorised_by": "", "warning_date": "", "act_by": "",
    }
    if assessment is not None:
        status_words = {
            "ineligible": "You are not eligible for assistance (section 185). We owe you free advice and "
                          "information about homelessness (section 179), but no further duty.",
            "homeless": "You are homeless (section 175).",
            "threatened": "You are threatened with homelessness within 56 days (section 175(4) and (5)).",
            "not_threatened": "You are not homeless and not threatened with homelessness within 56 days. We owe "
                              "you free advice and information (section 179).",
            "loss_date_unknown": "You are not homeless now. We have not yet decided whether you are threatened "
                                 "with homelessness: we need to know when you may lose your home. Until then we "
                                 "owe you free advice and information (section 179).",
            "undetermined": "We have not yet decided whether you are homeless; our inquiries continue.",
        }
        unknown_loss = approach is not None and assessment.status == "not_threatened" and loss_date_unknown(approach)
        values["decision"] = status_words["loss_date_unknown" if unknown_loss else assessment.status] \
            if assessment.status in status_words else assessment.status
        if assessment.status == "homeless" and hc.eligible is True:
            values["decision"] += " You are eligible for assistance."
        # The applicant's words, not the engine's (no "intentional: if not intentional: …" in a letter).
        values["duties"] = bullet_lines([letter_duty_line(d, on) for d in assessment.duties])
        values["reasons"] = bullet_lines(letter_reasons(assessment.reasons))
        pending = letter_outstanding(assessment.outstanding, loss_date_unknown=unknown_loss)
        if pending:
            values["outstanding"] = ("WHAT WE ARE STILL LOOKING INTO\n\nWe have not yet decided:\n\n"
                                     + bullet_lines(pending))
        for duty in assessment.duties:
            if duty.duty in ("prevention", "relief"):
                values["duty_start"] = long_date(duty.start)
                values["duty_until"] = long_date(duty.until) if duty.until else ""
            if duty.duty == "interim_accommodation":
                values["interim"] = ("INTERIM ACCOMMODATION\n\nWe have reason to believe you may be homeless, "
                                     "eligible and in priority need, so we must make sure suitable accommodation is "
                                     f"available for you from {long_date(duty.start)} while we make our decision "
                                     "(section 188).")
    if hc.stage == "relief" and hc.relief_start:
        values["duty_start"] = long_date(hc.relief_start)
        values["duty_until"] = long_date(hc.relief_start + DAYS_56)
    if hc.stage == "prevention" and hc.prevention_start:
        values["duty_start"] = long_date(hc.prevention_start)
        values["duty_until"] = long_date(hc.prevention_start + DAYS_56)
    if hc.stage == "main_duty" and hc.final_decision_on:
        values["duty_start"] = long_date(hc.final_decision_on)
    steps = session.exec(select(HomelessPlanStep).where(HomelessPlanStep.homeless_case_id == hc.id)
                         .order_by(HomelessPlanStep.id)).all()
    values["applicant_steps"] = bullet_lines([s.text + (f" (by {long_date(s.due_on)})" if s.due_on else "")
                                              for s in steps if s.party == "applicant"])
    values["council_steps"] = bullet_lines([s.text + (f" (by {long_date(s.due_on)})" if s.due_on else "")
                                            for s in steps if s.party == "council"])
    duty_words = {"prevention": "prevention duty (section 195(2))", "relief": "relief duty (section 189B(2))",
                  "main_duty": "main housing duty (section 193(2))",
                  "intentional": "duty to accommodate for a reasonable period (section 190(2))"}
    if hc.stage in duty_words:
        values["ended_duty"] = duty_words[hc.stage]
    last_move = session.exec(select(HomelessMove).where(HomelessMove.homeless_case_id == hc.id,
                                                        HomelessMove.from_stage.in_(tuple(duty_words)))  # type: ignore[attr-defined]
                             .order_by(HomelessMove.id.desc())).first()  # type: ignore[union-attr]
    if code == "duty_end":
        if last_move is None:
            raise InputError("no duty has ended on this case yet; record the ending first (m)")
        exit_def = ref.exit(last_move.from_stage, last_move.reason)
        values["ended_duty"] = duty_words[last_move.from_stage]
        values["ended_on"] = long_date(last_move.on_date)
        values["end_reason"] = exit_def.name if exit_def else last_move.reason
        if last_move.final_decision:
            values["end_reason"] += f". Our decision: {ref.final_decisions[last_move.final_decision][0]}."
        if last_move.note:
            values["reasons"] = bullet_lines([last_move.note])
    if code == "s193b_warning":
        values["act_by"] = long_date(on + timedelta(days=ref.policy.min_days_after_warning))
    for key, value in (extra or {}).items():
        if key in values:
            values[key] = value
    return values


def _render_letter(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, code: str, on: date,
                   extra: dict[str, str] | None) -> tuple[str, str, date | None, str | None]:
    ref = housing_reference(ctx)
    letter = ref.letters.get(code)
    if letter is None:
        raise InputError(f"no letter template {code!r}; choose one of: {', '.join(ref.letters)}")
    if letter.needs and hc.stage not in letter.needs:
        raise InputError(f"'{letter.title}' is for a case at {', '.join(STAGE_WORDS[s] for s in letter.needs)}; "
                         f"this case is at {STAGE_WORDS[hc.stage]}")
    values = _letter_values(session, ctx, case, hc, code, on, extra)
    try:
        text = render(letter.template, values)
    except KeyError as exc:
        raise InputError(f"the template {letter.path.name} needs a value for {{{exc.args[0]}}}") from None
    review_kind = letter.review
    if code == "s193b_notice" and hc.stage == "relief":
        review_kind = "standard"
    return letter.title, text, review_request_last_day(on) if review_kind else None, review_kind


def preview_letter(ctx: ServiceContext, case_ref: str, code: str, extra: dict[str, str] | None = None) -> LetterPreview:
    """The letter as it would be issued today (nothing is recorded)."""
    ctx.require("homelessness.assess")
    with session_scope(ctx.engine) as session:
        case, hc = _load_case(session, case_ref)
        title, text, last_day, _kind = _render_letter(session, ctx, case, hc, code, ctx.today(), extra)
        return LetterPreview(code, title, text, last_day)


def issue_letter(ctx: ServiceContext, case_ref: str, code: str, extra: dict[str, str] | None = None) -> NoticeView:
    """Issue a decision or duty notice: the text is rendered, stored and its review deadline set."""
    ctx.require("homelessness.decide")
    ref = housing_reference(ctx)
    if code in ref.letters and ref.letters[code].issued_by_sign_off:
        raise InputError("a s193B notice is issued only when a second officer signs off the proposal (o)")
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        title, text, last_day, kind = _render_letter(session, ctx, case, hc, code, today, extra)
        notice = HomelessNotice(homeless_case_id=hc.id, notice_type=code, title=title, issued_on=today,
                                issued_at=ctx.now(), officer_id=ctx.actor.id if ctx.actor else None, body=text,
                                review_kind=kind, review_last_day=last_day)
        session.add(notice)
        session.flush()
        record_case(session, case)
        audit.record(session, ctx, "housing.letter_issued", "case", case.ref,
                     {"notice": notice.id, "type": code, "review_last_day": last_day})
        return NoticeView(notice.id, code, title, today, ctx.actor.display_name if ctx.actor else None, kind,
                          last_day, text)


def notice_pdf(ctx: ServiceContext, notice_id: int) -> tuple[str, bytes]:
    """(file name, PDF bytes) of an issued notice, exactly as issued."""
    from duty_tui.core.services.pdf import text_pdf

    ctx.require("homelessness.assess")
    with session_scope(ctx.engine) as session:
        notice = session.get(HomelessNotice, notice_id)
        if notice is None:
            raise NotFound(f"no notice {notice_id}")
        hc = session.get(HomelessCase, notice.homeless_case_id)
        case = session.get(Case, hc.case_id) if hc else None
        name = f"{case.ref if case else 'case'}-{notice.notice_type}-{notice.id}.pdf"
        return name, text_pdf(notice.title, notice.body.splitlines())


# --- s193B non-cooperation ----------------------------------------------------------------


def propose_non_cooperation(ctx: ServiceContext, case_ref: str, reasons: str) -> int:
    """Propose a s193B notice (needs a warning on record); a second officer must sign it off."""
    actor = ctx.require("homelessness.assess")
    ref = housing_reference(ctx)
    reasons = (reasons or "").strip()
    if not reasons:
        raise InputError("say which steps the applicant deliberately and unreasonably refused to take")
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        warning = session.exec(select(HomelessNotice).where(
            HomelessNotice.homeless_case_id == hc.id, HomelessNotice.notice_type == "s193b_warning")
            .order_by(HomelessNotice.issued_on.desc())).first()  # type: ignore[attr-defined]
        problems = []
        if hc.stage not in ("prevention", "relief"):
            problems.append("a s193B notice ends the prevention or relief duty; this case is at neither")
        if warning is None:
            problems.append("no relevant warning is on record: issue the s193B(5) warning letter first (s193B(4)(a))")
        elif ctx.today() < warning.issued_on + timedelta(days=ref.policy.min_days_after_warning):
            earliest = warning.issued_on + timedelta(days=ref.policy.min_days_after_warning)
            problems.append(f"a reasonable period has not passed since the warning of {warning.issued_on:%d/%m/%Y} "
                            f"(s193B(4)(b); council policy {ref.policy.min_days_after_warning} days: not before "
                            f"{earliest:%d/%m/%Y})")
        pending = session.exec(select(HomelessNonCooperation).where(
            HomelessNonCooperation.homeless_case_id == hc.id, HomelessNonCooperation.status == "proposed")).first()
        if pending is not None:
            problems.append("a s193B notice is already awaiting sign-off on this case")
        if problems:
            raise _problems("the s193B notice cannot be proposed yet", problems)
        assert warning is not None
        proposal = HomelessNonCooperation(homeless_case_id=hc.id, warning_notice_id=warning.id, duty_stage=hc.stage,
                                          reasons=reasons, proposed_by=actor.id, proposed_at=ctx.now())
        session.add(proposal)
        session.flush()
        record_case(session, case)
        audit.record(session, ctx, "housing.s193b_proposed", "case", case.ref, {"proposal": proposal.id})
        return proposal.id  # type: ignore[return-value]


def sign_off_non_cooperation(ctx: ServiceContext, case_ref: str, proposal_id: int) -> NoticeView:
    """Authorise a proposed s193B notice as the second officer: issue it and end the duty.

    Refused unless a warning is on record, a reasonable period has passed, and the signer is a
    different officer, not involved, at least as senior (SI 2018/223 reg 3).
    """
    actor = ctx.require("homelessness.decide")
    ref = housing_reference(ctx)
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        proposal = session.get(HomelessNonCooperation, proposal_id)
        if proposal is None or proposal.homeless_case_id != hc.id:
            raise NotFound(f"no s193B proposal {proposal_id} on {case.ref}")
        if proposal.status != "proposed":
            raise InputError(f"that proposal is already {proposal.status.replace('_', ' ')}")
        warning = session.get(HomelessNotice, proposal.warning_notice_id)
        proposer = session.get(StaffUser, proposal.proposed_by) if proposal.proposed_by else None
        facts = NonCooperationFacts(
            duty_stage=hc.stage, warning_issued_on=warning.issued_on if warning else None,
            warning_issued_by=warning.officer_id if warning else None,
            proposed_by=proposal.proposed_by or -1, proposed_role=proposer.role if proposer else "",
            authoriser=actor.id if actor.id is not None else -2, authoriser_role=actor.role,
            authoriser_can_decide=ctx.can("homelessness.decide"), on=today,
            min_days_after_warning=ref.policy.min_days_after_warning, seniority=ref.policy.seniority)
        problems = non_cooperation_problems(facts)
        if problems:
            raise _problems("the s193B notice cannot be signed off", problems)
        proposer_name = proposer.display_name if proposer else "the proposing officer"
        ended = hc.stage
        extra = {"reasons": bullet_lines([proposal.reasons]), "warning_date": long_date(warning.issued_on),  # type: ignore[union-attr]
                 "authorised_by": actor.display_name, "officer_name": proposer_name, "ended_on": long_date(today)}
        title, text, last_day, kind = _render_letter(session, ctx, case, hc, "s193b_notice", today, extra)
        notice = HomelessNotice(homeless_case_id=hc.id, notice_type="s193b_notice", title=title, issued_on=today,
                                issued_at=ctx.now(), officer_id=proposal.proposed_by, authorised_by=actor.id, body=text,
                                review_kind=kind, review_last_day=last_day)
        session.add(notice)
        session.flush()
        proposal.status, proposal.signed_off_by, proposal.signed_off_at = "signed_off", actor.id, ctx.now()
        proposal.notice_id = notice.id
        proposal.version += 1
        session.add(proposal)
        _record_move(session, ctx, hc, "closed", "non_cooperation", today,
                     note=f"s193B notice authorised by {actor.display_name}")
        session.flush()
        _bump(session, hc, None)
        _refresh_case(session, ctx, case, hc)
        case.outcome = "non_cooperation"
        record_case(session, case)
        audit.record(session, ctx, "housing.s193b_signed_off", "case", case.ref,
                     {"proposal": proposal_id, "notice": notice.id, "duty": ended})
        return NoticeView(notice.id, "s193b_notice", title, today, proposer_name, kind, last_day, text)


# --- reviews (s202) --------------------------------------------------------------------------


def request_review(ctx: ServiceContext, case_ref: str, notice_id: int, requested_on: date | None = None,
                   kind: str | None = None, late_allowed: bool = False) -> ReviewView:
    """Record a s202 review request against a notice; sets the decision deadline (reg 9)."""
    ctx.require("homelessness.assess")
    requested_on = requested_on or ctx.today()
    if requested_on > ctx.today():
        raise InputError("the request date cannot be in the future")
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        notice = session.get(HomelessNotice, notice_id)
        if notice is None or notice.homeless_case_id != hc.id:
            raise NotFound(f"no notice {notice_id} on {case.ref}")
        kind = kind or notice.review_kind
        if kind is None:
            raise InputError(f"'{notice.title}' carries no right to a review; choose the decision letter instead")
        if kind not in REVIEW_WEEKS:
            raise InputError(f"review kind must be one of {', '.join(REVIEW_WEEKS)}")
        problem = check_review_request(notice.issued_on, requested_on, late_allowed=late_allowed)
        if problem:
            raise InputError(problem)
        due = review_decision_due(requested_on, kind)
        review = HomelessReview(homeless_case_id=hc.id, notice_id=notice.id, kind=kind, requested_on=requested_on,
                                late_allowed=late_allowed, decision_due=due)
        session.add(review)
        session.flush()
        _refresh_case(session, ctx, case, hc)  # a review on a closed case keeps it on the queue
        record_case(session, case)
        audit.record(session, ctx, "housing.review_requested", "case", case.ref,
                     {"review": review.id, "kind": kind, "due": due})
        return ReviewView(review.id, kind, requested_on, due, None, None, notice.title)


def decide_review(ctx: ServiceContext, case_ref: str, review_id: int, outcome: str, decided_on: date | None = None,
                  notes: str | None = None) -> None:
    """Record the review decision (upheld, overturned or withdrawn)."""
    ctx.require("homelessness.decide")
    if outcome not in ("upheld", "overturned", "withdrawn"):
        raise InputError("outcome must be upheld, overturned or withdrawn")
    decided_on = decided_on or ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        review = session.get(HomelessReview, review_id)
        if review is None or review.homeless_case_id != hc.id:
            raise NotFound(f"no review {review_id} on {case.ref}")
        if review.decided_on is not None:
            raise InputError("that review is already decided")
        if decided_on < review.requested_on:
            raise InputError("the decision cannot be before the request")
        review.outcome, review.decided_on = outcome, decided_on
        review.reviewer_id = ctx.actor.id if ctx.actor else None
        review.notes = (notes or "").strip() or None
        review.version += 1
        session.add(review)
        session.flush()
        _refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.review_decided", "case", case.ref,
                     {"review": review_id, "outcome": outcome, "late": decided_on > review.decision_due})


# --- temporary accommodation -------------------------------------------------------------------


def place_in_ta(ctx: ServiceContext, case_ref: str, address: str, ta_type: str, start_on: date | None = None,
                duty_basis: str | None = None) -> int:
    """Record a temporary accommodation placement; returns its id."""
    ctx.require("homelessness.assess")
    ref = housing_reference(ctx)
    address = (address or "").strip()
    start_on = start_on or ctx.today()
    problems = []
    if not address:
        problems.append("address: where is the household placed?")
    if ta_type not in ref.ta_types:
        problems.append(f"type: choose one of {', '.join(ref.ta_types)}")
    if start_on > ctx.today():
        problems.append("start: a placement starts today or earlier; record it when they move in")
    if problems:
        raise _problems("fix the placement", problems)
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        basis = duty_basis or {"main_duty": "s193", "intentional": "s190"}.get(hc.stage, "s188")
        if basis not in ("s188", "s190", "s193", "s200"):
            raise InputError("duty must be s188, s190, s193 or s200")
        if hc.stage == "prevention" and basis == "s188":
            raise InputError("someone only threatened with homelessness is not owed interim accommodation (s188 "
                             "needs reason to believe they are homeless)")
        if hc.stage == "closed":
            raise InputError("the case is closed")
        if start_on < hc.approach_date:
            raise InputError(f"the placement cannot start before the approach ({hc.approach_date:%d/%m/%Y})")
        current = session.exec(select(HomelessPlacement).where(HomelessPlacement.homeless_case_id == hc.id,
                                                               HomelessPlacement.end_on.is_(None))).first()  # type: ignore[union-attr]
        if current is not None:
            raise InputError(f"the household is already placed at {current.address}; end that placement first")
        placement = HomelessPlacement(homeless_case_id=hc.id, address=address[:200], ta_type=ta_type,
                                      duty_basis=basis, start_on=start_on,
                                      created_by=ctx.actor.id if ctx.actor else None)
        session.add(placement)
        session.flush()
        _refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.ta_placed", "case", case.ref, {"placement": placement.id, "type": ta_type})
        return placement.id  # type: ignore[return-value]


def end_ta(ctx: ServiceContext, case_ref: str, placement_id: int, end_on: date | None = None,
           reason: str | None = None) -> None:
    """End a placement (the household moved out)."""
    ctx.require("homelessness.assess")
    end_on = end_on or ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = _load_case(session, case_ref)
        placement = session.get(HomelessPlacement, placement_id)
        if placement is None or placement.homeless_case_id != hc.id:
            raise NotFound(f"no placement {placement_id} on {case.ref}")
        if placement.end_on is not None:
            raise InputError("that placement has already ended")
        if end_on < placement.start_on:
            raise InputError(f"the end cannot be before the start ({placement.start_on:%d/%m/%Y})")
        if end_on > ctx.today():
            raise InputError("record the end when they have left")
        placement.end_on, placement.end_reason = end_on, (reason or "").strip()[:120] or None
        placement.version += 1
        session.add(placement)
        session.flush()
        _refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.ta_ended", "case", case.ref, {"placement": placement_id})


# --- the caseload --------------------------------------------------------------------------------


def options_caseload(ctx: ServiceContext, scope: str = "team", limit: int = 500) -> list[CaselineView]:
    """Open homelessness cases (mine or my team's), soonest clock first, with every clock."""
    actor = ctx.require("case.view")
    ref = housing_reference(ctx)
    with session_scope(ctx.engine) as session:
        query = (select(Case, HomelessCase).join(HomelessCase, HomelessCase.case_id == Case.id)
                 .where(Case.case_type == CASE_TYPE, Case.status.in_(OPEN_CASE_STATUSES)))  # type: ignore[attr-defined]
        if scope == "mine":
            query = query.where(Case.assignee_id == actor.id)
        rows = session.exec(query.order_by(Case.due_at.is_(None), Case.due_at, Case.ref).limit(limit)).all()  # type: ignore[union-attr]
        ids = [hc.id for _c, hc in rows]
        person_ids = {hc.person_id for _c, hc in rows if hc.person_id}
        people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(person_ids))).all()} if person_ids else {}  # type: ignore[union-attr]
        staff_ids = {c.assignee_id for c, _hc in rows if c.assignee_id}
        staff = {u.id: u.display_name for u in session.exec(select(StaffUser).where(StaffUser.id.in_(staff_ids))).all()} if staff_ids else {}  # type: ignore[union-attr]
        reviews: dict[int, list[date]] = {}
        placements: dict[int, list[tuple[date, str]]] = {}
        needs: dict[int, list[str]] = {}
        if ids:
            for hid, need in session.exec(select(HomelessSupportNeed.homeless_case_id, HomelessSupportNeed.need)
                                          .where(HomelessSupportNeed.homeless_case_id.in_(ids))  # type: ignore[attr-defined]
                                          .order_by(HomelessSupportNeed.id)).all():
                needs.setdefault(hid, []).append(need)
            for hid, due in session.exec(select(HomelessReview.homeless_case_id, HomelessReview.decision_due).where(
                    HomelessReview.homeless_case_id.in_(ids), HomelessReview.decided_on.is_(None))).all():  # type: ignore[attr-defined]
                reviews.setdefault(hid, []).append(due)
            for hid, start, ta in session.exec(select(HomelessPlacement.homeless_case_id, HomelessPlacement.start_on,
                                                      HomelessPlacement.ta_type).where(
                    HomelessPlacement.homeless_case_id.in_(ids), HomelessPlacement.end_on.is_(None))).all():  # type: ignore[attr-defined]
                placements.setdefault(hid, []).append((start, ta))
    out = []
    for case, hc in rows:
        bnb = tuple(start for start, ta in placements.get(hc.id, [])
                    if ref.ta_types.get(ta) and ref.ta_types[ta].family_limit_days and (hc.children or hc.pregnant))
        facts = CaseClockFacts(stage=hc.stage, approach_date=hc.approach_date, relief_start=hc.relief_start,
                               prevention_start=hc.prevention_start, assessed_on=hc.assessed_on,
                               plan_review_on=hc.plan_review_on, open_review_due=tuple(sorted(reviews.get(hc.id, []))),
                               family_bnb_since=bnb)
        clocks = case_clocks(facts, decision_working_days=ref.policy.initial_assessment_working_days,
                             calendar=_calendar(hc.jurisdiction))
        first = {}
        for clock in clocks:
            first.setdefault(clock.name, clock.due)
        person = people.get(hc.person_id)
        interim = False
        if hc.stage in ("triage", "relief"):
            # The duty engine, as the case screen runs it: is s188 interim accommodation owed today?
            _check, assessment, _approach = _assess_case(hc, needs.get(hc.id, []),
                                                         person.date_of_birth if person else None, ctx.today())
            interim = assessment is not None and assessment.owes("interim_accommodation")
        out.append(CaselineView(
            case_ref=case.ref, person_ref=person.ref if person else None,
            person_name=f"{person.forename} {person.surname}" if person else None, stage=hc.stage,
            priority=case.priority, assignee=staff.get(case.assignee_id), due_at=case.due_at,
            relief_ends=first.get("relief_ends"), decision_due=first.get("decision_due"),
            review_due=first.get("review_due"), plan_review=first.get("plan_review"),
            other=tuple(c for c in clocks if c.name in ("prevention_56", "bnb_limit")),
            nowhere_tonight=hc.nowhere_tonight and hc.stage == "triage", in_ta=bool(placements.get(hc.id)),
            clocks=tuple(clocks), interim_owed=interim))
    # Owed interim accommodation with nowhere recorded: first, whatever their clocks say.
    return sorted(out, key=lambda line: not line.interim_unplaced)


_NOT_SEEN = object()


def take_case(ctx: ServiceContext, case_ref: str, seen_assignee: object = _NOT_SEEN) -> None:
    """Assign the case to me.

    ``seen_assignee`` (the screens pass it: the officer's name on screen, or None for nobody):
    if someone else took the case meanwhile, that is a conflict, not a silent take-over.
    """
    actor = ctx.require("case.manage")
    with session_scope(ctx.engine, write=True) as session:
        case, _hc = _load_case(session, case_ref)
        if seen_assignee is not _NOT_SEEN and case.assignee_id not in (None, actor.id):
            current = session.get(StaffUser, case.assignee_id)
            now_with = current.display_name if current else "another officer"
            if now_with != seen_assignee:
                from duty_tui.core.services.conflicts import build_conflict

                raise build_conflict(session, what=f"case {case.ref}", entity="case", entity_id=case.ref,
                                     theirs={"Officer": now_with}, yours={"Officer": actor.display_name},
                                     version=case.version, tail=CONFLICT_TAIL)
        case.assignee_id = actor.id
        case.version += 1
        session.add(case)
        record_case(session, case)
        audit.record(session, ctx, "housing.case_taken", "case", case.ref, {})


# --- statistics --------------------------------------------------------------------------------


def quarter_statistics(ctx: ServiceContext, quarter: str):
    """The quarter's live-table figures (statistics.view)."""
    from duty_tui.areas.housing_options.domain.stats import parse_quarter
    from duty_tui.areas.housing_options.reports import compute_statistics

    ctx.require("statistics.view")
    try:
        q = parse_quarter(quarter)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    stats = compute_statistics(ctx.engine, q, housing_reference(ctx))
    with session_scope(ctx.engine, write=True) as session:
        audit.record(session, ctx, "housing.statistics_viewed", "statistics", q.label, {})
    return stats


def write_homelessness_report(ctx: ServiceContext, quarter: str, out_dir):
    """Write the quarter's CSV tables, the H-CLIC extract and its data-quality report to a new or empty folder.

    The extract holds dates of birth and support needs (special-category data), so besides
    statistics.view the role must be one that may see them (HCLIC_EXTRACT_NEEDS). The export is
    audited once everything is read and before any file is written, naming the cases in it.
    """
    from pathlib import Path

    from duty_tui.areas.housing_options.domain.stats import parse_quarter
    from duty_tui.areas.housing_options.reports import write_report

    actor = ctx.require("statistics.view")
    missing = [p for p in HCLIC_EXTRACT_NEEDS if not ctx.can(p)]
    if missing:
        raise PermissionDenied(f"the H-CLIC extract holds dates of birth and support needs (special-category data); "
                               f"your role ({actor.role_name}) may not see them ({', '.join(missing)})")
    try:
        q = parse_quarter(quarter)
    except ValueError as exc:
        raise InputError(str(exc)) from None

    def audit_first(summary) -> None:
        with session_scope(ctx.engine, write=True) as session:
            audit.record(session, ctx, "housing.report_written", "statistics", q.label,
                         {"files": len(summary.files), "cases": summary.extract_cases,
                          "case_refs": list(summary.case_refs), "data_quality_problems": summary.problems})

    return write_report(ctx.engine, q, housing_reference(ctx), Path(out_dir), office_name=ctx.settings.office_name,
                        before_writing=audit_first)


HCLIC_EXTRACT_NEEDS = ("person.view_sensitive", "homelessness.assess")
"""Who may produce the H-CLIC extract: those who may see full dates of birth and homelessness support needs."""
