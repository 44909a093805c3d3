"""The urgent approach the front desk opens ("nowhere to stay tonight"): the hook
"contact.urgent_approach" (duty_tui/areas/housing_options/__init__.py).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from duty_tui.areas.housing_options.db.models import HomelessCase
from duty_tui.areas.housing_options.domain.casework import case_summary
from duty_tui.areas.housing_options.services.common import (
    CASE_TYPE,
    find_person,
    housing_reference,
    options_team_id,
    stored_id,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, CaseNote, HouseholdMember
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.refs import insert_with_ref as _insert_with_ref


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
    person = find_person(session, person_ref)
    existing = None
    if person is not None:
        existing = session.exec(select(Case, HomelessCase).join(HomelessCase, col(HomelessCase.case_id) == col(Case.id))
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
        team_id = options_team_id(session)
        membership = None
        if person is not None:
            membership = session.exec(select(HouseholdMember.household_id).where(
                HouseholdMember.person_id == person.id, col(HouseholdMember.left_on).is_(None))).first()
        case = _insert_with_ref(session, lambda r: Case(
            ref=r, case_type=CASE_TYPE, status="open", team_id=team_id, person_id=person.id if person else None,
            household_id=membership, summary="Homelessness triage · NOWHERE TO STAY TONIGHT",
            priority="emergency", opened_at=now, due_at=due), Case.ref, "C")
        hc = HomelessCase(case_id=stored_id(case), person_id=person.id if person else None, household_id=membership,
                          jurisdiction=ctx.settings.jurisdiction if ctx.settings.jurisdiction in ("england", "scotland") else "england",
                          approach_date=ctx.today(), nowhere_tonight=True, notes=note or None)
        session.add(hc)
        created = True
    session.flush()
    text = "Nowhere to stay tonight (front desk)" + (f": {note}" if note else "")
    session.add(CaseNote(case_id=stored_id(case), at=now, author_id=ctx.actor.id if ctx.actor else None, text=text))
    case.summary = case_summary(hc.stage, [], rough_sleeping_tonight=True)
    session.add(case)
    record_case(session, case)
    audit.record(session, ctx, "housing.urgent_approach", "case", case.ref,
                 {"created": created, "person": person.ref if person else None})
    return case
