"""The person view's line about homelessness (the hook "person.summary") and the open-case look-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessPlacement
from duty_tui.areas.housing_options.domain.casework import DAYS_56, STAGE_WORDS, case_clocks, nearest
from duty_tui.areas.housing_options.services.common import (
    OPEN_CASE_STATUSES,
    calendar_for,
    clock_facts,
    find_person,
    housing_reference,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case
from duty_tui.core.services.context import ServiceContext


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
        person = find_person(session, person_ref)
        if person is None:  # no ref given: nobody, so no case
            return None
        row = session.exec(select(Case, HomelessCase).join(HomelessCase, col(HomelessCase.case_id) == col(Case.id)).where(
            HomelessCase.person_id == person.id, col(Case.status).in_(OPEN_CASE_STATUSES))
            .order_by(col(Case.opened_at).desc())).first()
        if row is None:
            return None
        case, hc = row
        clocks = case_clocks(clock_facts(session, hc, ref),
                             decision_working_days=ref.policy.initial_assessment_working_days,
                             calendar=calendar_for(hc.jurisdiction))
        in_ta = session.exec(select(func.count()).select_from(HomelessPlacement).where(
            HomelessPlacement.homeless_case_id == hc.id, col(HomelessPlacement.end_on).is_(None))).one() > 0
        soonest = nearest(clocks)
        return HomelessnessSummary(
            case.ref, hc.stage, (hc.relief_start or hc.approach_date) + DAYS_56 if hc.stage == "relief" else None,
            f"{soonest.label} {soonest.due:%d/%m/%Y}" if soonest else None, in_ta,
            hc.nowhere_tonight and hc.stage == "triage")


def find_open_case(ctx: ServiceContext, person_ref: str) -> str | None:
    """The person's open homelessness case, if any."""
    ctx.require("case.view")
    with session_scope(ctx.engine) as session:
        person = find_person(session, person_ref)
        if person is None:  # no ref given: nobody, so no case
            return None
        return session.exec(select(Case.ref).join(HomelessCase, col(HomelessCase.case_id) == col(Case.id)).where(
            HomelessCase.person_id == person.id, HomelessCase.stage != "closed")).first()
