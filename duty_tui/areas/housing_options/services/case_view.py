"""The case screen's view of one homelessness case: answers, assessment, clocks and its timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from duty_tui.areas.housing_options.db.models import (
    HomelessCase,
    HomelessMove,
    HomelessNonCooperation,
    HomelessNotice,
    HomelessPlacement,
    HomelessPlanStep,
    HomelessReview,
)
from duty_tui.areas.housing_options.domain.casework import DAYS_56, REVIEW_KIND_WORDS, STAGE_WORDS, Clock, case_clocks
from duty_tui.areas.housing_options.domain.homelessness import Approach, Assessment, what_would_change
from duty_tui.areas.housing_options.domain.reference import HousingReference
from duty_tui.areas.housing_options.services.common import (
    answers_from_case,
    assess_case,
    calendar_for,
    clock_facts,
    housing_reference,
    load_case,
    stored_id,
    support_needs,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, CaseNote, Person, StaffUser
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext


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


def get_housing_case(ctx: ServiceContext, case_ref: str) -> HousingCaseView:
    """Everything about one homelessness case; audited as a view of personal data (one transaction)."""
    ctx.require("homelessness.assess")
    ref = housing_reference(ctx)
    today = ctx.today()
    with session_scope(ctx.engine) as session:  # a read; its audit event after it (docs/AUDIT.md)
        case, hc = load_case(session, case_ref)
        person = session.get(Person, hc.person_id) if hc.person_id else None
        assignee = session.get(StaffUser, case.assignee_id) if case.assignee_id else None
        needs = support_needs(session, stored_id(hc))
        _check, assessment, approach = assess_case(hc, needs, person.date_of_birth if person else None, today)
        clocks = case_clocks(clock_facts(session, hc, ref),
                             decision_working_days=ref.policy.initial_assessment_working_days,
                             calendar=calendar_for(hc.jurisdiction))
        staff = {u.id: u.display_name for u in session.exec(select(StaffUser)).all()}
        records = _records(session, ref, hc, staff)
        timeline = _timeline(records, _move_items(session, ref, hc, staff), _note_items(session, case, staff), today)
        result = HousingCaseView(
            case_ref=case.ref, version=hc.version, status=case.status, stage=hc.stage,
            person_ref=person.ref if person else None,
            person_name=f"{person.forename} {person.surname}" if person else None,
            person_born=person.date_of_birth if person else None,
            assignee=assignee.display_name if assignee else None, approach_date=hc.approach_date,
            answers=answers_from_case(hc, needs), assessment=assessment,
            changes=what_would_change(approach) if approach is not None else {}, clocks=tuple(clocks),
            relief_ends=(hc.relief_start or hc.approach_date) + DAYS_56 if hc.stage == "relief" else None,
            timeline=timeline, steps=records.steps, notices=records.notices, reviews=records.reviews,
            placements=records.placements, proposals=records.proposals, plan_review_on=hc.plan_review_on,
            assessment_duty=hc.assessment_duty, final_decision=hc.final_decision,
            allowed_moves=_allowed_moves(ref, hc), letters=_letters_now(ref, hc), approach=approach)
    audit.record_read(ctx, "housing.case_viewed", "case", result.case_ref)
    return result


@dataclass(frozen=True)
class _Records:
    """What is on record for a case, each kind in the order it was recorded."""

    notices: tuple[NoticeView, ...]
    steps: tuple[PlanStepView, ...]
    reviews: tuple[ReviewView, ...]
    placements: tuple[PlacementView, ...]
    proposals: tuple[ProposalView, ...]


def _records(session: Session, ref: HousingReference, hc: HomelessCase, staff: dict[int | None, str]) -> _Records:
    """The case's notices, plan steps, reviews, placements and s193B proposals, as the screen shows them."""
    case_id = stored_id(hc)
    notices = tuple(NoticeView(stored_id(n), n.notice_type, n.title, n.issued_on, staff.get(n.officer_id),
                               n.review_kind, n.review_last_day, n.body)
                    for n in session.exec(select(HomelessNotice).where(HomelessNotice.homeless_case_id == case_id)
                                          .order_by(col(HomelessNotice.id))).all())
    steps = tuple(PlanStepView(stored_id(s), s.party, s.text, s.due_on, s.done_on, s.mandatory, s.version)
                  for s in session.exec(select(HomelessPlanStep).where(HomelessPlanStep.homeless_case_id == case_id)
                                        .order_by(col(HomelessPlanStep.id))).all())
    titles: dict[int | None, str] = {n.id: n.title for n in notices}
    reviews = tuple(ReviewView(stored_id(r), r.kind, r.requested_on, r.decision_due, r.outcome, r.decided_on,
                               titles.get(r.notice_id))
                    for r in session.exec(select(HomelessReview).where(HomelessReview.homeless_case_id == case_id)
                                          .order_by(col(HomelessReview.id))).all())
    placements = tuple(PlacementView(stored_id(p), p.address, p.ta_type,
                                     ref.ta_types[p.ta_type].name if p.ta_type in ref.ta_types else p.ta_type,
                                     p.duty_basis, p.start_on, p.end_on)
                       for p in session.exec(select(HomelessPlacement).where(
                           HomelessPlacement.homeless_case_id == case_id)
                           .order_by(col(HomelessPlacement.start_on))).all())
    proposals = tuple(ProposalView(stored_id(p), p.duty_stage, p.reasons, staff.get(p.proposed_by), p.proposed_at,
                                   p.status)
                      for p in session.exec(select(HomelessNonCooperation).where(
                          HomelessNonCooperation.homeless_case_id == case_id)).all())
    return _Records(notices, steps, reviews, placements, proposals)


def _move_items(session: Session, ref: HousingReference, hc: HomelessCase,
                staff: dict[int | None, str]) -> list[TimelineItem]:
    """Each stage move, in words: "Relief → Closed: withdrew (decision)"."""
    items = []
    for m in session.exec(select(HomelessMove).where(HomelessMove.homeless_case_id == hc.id)).all():
        exit_def = ref.exit(m.from_stage, m.reason)
        text = f"{STAGE_WORDS[m.from_stage]} → {STAGE_WORDS[m.to_stage]}: {exit_def.name if exit_def else m.reason}"
        if m.final_decision:
            text += f" ({ref.final_decisions.get(m.final_decision, (m.final_decision,))[0]})"
        items.append(TimelineItem(m.on_date, "move", text, f"move:{m.id}", staff.get(m.officer_id)))
    return items


def _note_items(session: Session, case: Case, staff: dict[int | None, str]) -> list[TimelineItem]:
    """The case's notes."""
    return [TimelineItem(note.at.date(), "note", f"Note: {note.text}", f"note:{note.id}", staff.get(note.author_id))
            for note in session.exec(select(CaseNote).where(CaseNote.case_id == case.id)).all()]


def _timeline(records: _Records, moves: list[TimelineItem], notes: list[TimelineItem],
              today: date) -> tuple[TimelineItem, ...]:
    """Every dated event on the case, newest first."""
    items = list(moves)
    for n in records.notices:
        extra = f"; review by {n.review_last_day:%d/%m/%Y}" if n.review_last_day else ""
        items.append(TimelineItem(n.issued_on, "notice", f"Letter: {n.title}{extra}", f"notice:{n.id}", n.officer))
    for s in records.steps:
        state = f"done {s.done_on:%d/%m/%Y}" if s.done_on else (f"by {s.due_on:%d/%m/%Y}" if s.due_on else "open")
        items.append(TimelineItem(s.done_on or s.due_on or today, "step", f"Plan ({s.party}): {s.text} [{state}]",
                                  f"step:{s.id}"))
    for r in records.reviews:
        state = f"{r.outcome} {r.decided_on:%d/%m/%Y}" if r.decided_on else f"decide by {r.decision_due:%d/%m/%Y}"
        items.append(TimelineItem(r.requested_on, "review", f"Review requested ({REVIEW_KIND_WORDS[r.kind]}): {state}",
                                  f"review:{r.id}"))
    for p in records.placements:
        ends = f" to {p.end_on:%d/%m/%Y}" if p.end_on else " (current)"
        items.append(TimelineItem(p.start_on, "placement", f"TA ({p.duty_basis}) {p.ta_name}: {p.address}{ends}",
                                  f"placement:{p.id}"))
    for q in records.proposals:
        items.append(TimelineItem(q.proposed_at.date(), "proposal", f"s193B notice proposed ({q.status}): {q.reasons}",
                                  f"proposal:{q.id}", q.proposed_by))
    items.extend(notes)
    items.sort(key=lambda t: (t.on, t.key), reverse=True)
    return tuple(items)


def _allowed_moves(ref: HousingReference, hc: HomelessCase) -> tuple[tuple[str, str, str], ...]:
    """The moves an officer may record from the case's stage (s193B endings go through sign-off)."""
    return tuple((e.code, e.name, stage) for e in ref.exits.get(hc.stage, {}).values()
                 for stage in e.leads_to if not e.s193b)


def _letters_now(ref: HousingReference, hc: HomelessCase) -> tuple[tuple[str, str], ...]:
    """The letters that may be issued at the case's stage (the s193B notice comes from its sign-off)."""
    return tuple((code, letter.title) for code, letter in ref.letters.items()
                 if not letter.issued_by_sign_off and (not letter.needs or hc.stage in letter.needs))
