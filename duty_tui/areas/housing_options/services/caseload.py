"""The options caseload: open cases with every clock, soonest first, and taking a case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select

from duty_tui.areas.housing_options.db.models import (
    HomelessCase,
    HomelessPlacement,
    HomelessReview,
    HomelessSupportNeed,
)
from duty_tui.areas.housing_options.domain.casework import CaseClockFacts, Clock, case_clocks
from duty_tui.areas.housing_options.services.case_versions import CONFLICT_TAIL
from duty_tui.areas.housing_options.services.common import (
    CASE_TYPE,
    OPEN_CASE_STATUSES,
    assess_case,
    calendar_for,
    housing_reference,
    load_case,
    stored_id,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Person, StaffUser
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext


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


def options_caseload(ctx: ServiceContext, scope: str = "team", limit: int = 500) -> list[CaselineView]:
    """Open homelessness cases (mine or my team's), soonest clock first, with every clock."""
    actor = ctx.require("case.view")
    ref = housing_reference(ctx)
    with session_scope(ctx.engine) as session:
        query = (select(Case, HomelessCase).join(HomelessCase, col(HomelessCase.case_id) == col(Case.id))
                 .where(Case.case_type == CASE_TYPE, col(Case.status).in_(OPEN_CASE_STATUSES)))
        if scope == "mine":
            query = query.where(Case.assignee_id == actor.id)
        rows = session.exec(query.order_by(col(Case.due_at).is_(None), col(Case.due_at), col(Case.ref)).limit(limit)).all()
        ids = [hc.id for _c, hc in rows]
        person_ids = {hc.person_id for _c, hc in rows if hc.person_id}
        people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()} if person_ids else {}
        staff_ids = {c.assignee_id for c, _hc in rows if c.assignee_id}
        staff = {u.id: u.display_name for u in session.exec(select(StaffUser).where(col(StaffUser.id).in_(staff_ids))).all()} if staff_ids else {}
        reviews: dict[int, list[date]] = {}
        placements: dict[int, list[tuple[date, str]]] = {}
        needs: dict[int, list[str]] = {}
        if ids:
            for hid, need in session.exec(select(col(HomelessSupportNeed.homeless_case_id), col(HomelessSupportNeed.need))
                                          .where(col(HomelessSupportNeed.homeless_case_id).in_(ids))
                                          .order_by(col(HomelessSupportNeed.id))).all():
                needs.setdefault(hid, []).append(need)
            for hid, due in session.exec(select(col(HomelessReview.homeless_case_id), col(HomelessReview.decision_due)).where(
                    col(HomelessReview.homeless_case_id).in_(ids), col(HomelessReview.decided_on).is_(None))).all():
                reviews.setdefault(hid, []).append(due)
            for hid, start, ta in session.exec(select(col(HomelessPlacement.homeless_case_id), col(HomelessPlacement.start_on),
                                                      col(HomelessPlacement.ta_type)).where(
                    col(HomelessPlacement.homeless_case_id).in_(ids), col(HomelessPlacement.end_on).is_(None))).all():
                placements.setdefault(hid, []).append((start, ta))
    out = []
    for case, hc in rows:
        hid = stored_id(hc)
        bnb = tuple(start for start, ta in placements.get(hid, [])
                    if ref.ta_types.get(ta) and ref.ta_types[ta].family_limit_days and (hc.children or hc.pregnant))
        facts = CaseClockFacts(stage=hc.stage, approach_date=hc.approach_date, relief_start=hc.relief_start,
                               prevention_start=hc.prevention_start, assessed_on=hc.assessed_on,
                               plan_review_on=hc.plan_review_on, open_review_due=tuple(sorted(reviews.get(hid, []))),
                               family_bnb_since=bnb)
        clocks = case_clocks(facts, decision_working_days=ref.policy.initial_assessment_working_days,
                             calendar=calendar_for(hc.jurisdiction))
        first: dict[str, date] = {}
        for clock in clocks:
            first.setdefault(clock.name, clock.due)
        person = people.get(hc.person_id)
        interim = False
        if hc.stage in ("triage", "relief"):
            # The duty engine, as the case screen runs it: is s188 interim accommodation owed today?
            _check, assessment, _approach = assess_case(hc, needs.get(hid, []),
                                                         person.date_of_birth if person else None, ctx.today())
            interim = assessment is not None and assessment.owes("interim_accommodation")
        out.append(CaselineView(
            case_ref=case.ref, person_ref=person.ref if person else None,
            person_name=f"{person.forename} {person.surname}" if person else None, stage=hc.stage,
            priority=case.priority, assignee=staff.get(case.assignee_id), due_at=case.due_at,
            relief_ends=first.get("relief_ends"), decision_due=first.get("decision_due"),
            review_due=first.get("review_due"), plan_review=first.get("plan_review"),
            other=tuple(c for c in clocks if c.name in ("prevention_56", "bnb_limit")),
            nowhere_tonight=hc.nowhere_tonight and hc.stage == "triage", in_ta=bool(placements.get(hid)),
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
        case, _hc = load_case(session, case_ref)
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
