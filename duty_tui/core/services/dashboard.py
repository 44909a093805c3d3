"""The duty dashboard: my work, my team's queue, and today's counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import col, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Contact, Person, Team
from duty_tui.core.domain.local_time import end_of_local_day, start_of_local_day
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.people import CaseView, _case_views

OPEN_STATUSES = ("open", "in_progress", "awaiting")


@dataclass(frozen=True)
class Dashboard:
    """What the home screen shows."""

    my_cases: list[CaseView] = field(default_factory=list)
    team_cases: list[CaseView] = field(default_factory=list)
    team_name: str | None = None
    contacts_today: int = 0
    my_overdue: int = 0
    team_overdue: int = 0
    team_open: int = 0
    due_today: int = 0


def _with_people(session, cases: list[Case]) -> list[CaseView]:
    views = _case_views(session, cases)
    person_ids = {c.person_id for c in cases if c.person_id}
    people = ({p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()}
              if person_ids else {})
    out = []
    for case, view in zip(cases, views, strict=True):
        person = people.get(case.person_id)
        out.append(CaseView(**{**view.__dict__, "person_ref": person.ref if person else None,
                               "person_name": f"{person.forename} {person.surname}" if person else None}))
    return out


def load_dashboard(ctx: ServiceContext, limit: int = 50) -> Dashboard:
    """My open cases and my team's, soonest due first, with today's counts."""
    actor = ctx.require("case.view")
    now = ctx.now()
    start_of_day = start_of_local_day(ctx.today())
    end_of_day = end_of_local_day(ctx.today())
    is_open = col(Case.status).in_(OPEN_STATUSES)
    with session_scope(ctx.engine) as session:
        mine = session.exec(select(Case).where(Case.assignee_id == actor.id, is_open)
                            .order_by(col(Case.due_at)).limit(limit)).all()
        team_cases: list[Case] = []
        team_name = None
        team_overdue = team_open = due_today = 0
        if actor.team_id is not None:
            team = session.get(Team, actor.team_id)
            team_name = team.name if team else None
            team_filter = (Case.team_id == actor.team_id, is_open)
            team_cases = list(session.exec(select(Case).where(*team_filter).order_by(col(Case.due_at)).limit(limit)).all())
            team_open = session.exec(select(func.count()).select_from(Case).where(*team_filter)).one()
            team_overdue = session.exec(select(func.count()).select_from(Case)
                                        .where(*team_filter, col(Case.due_at) < now)).one()
            due_today = session.exec(select(func.count()).select_from(Case).where(
                *team_filter, col(Case.due_at) >= now, col(Case.due_at) <= end_of_day)).one()
        my_overdue = session.exec(select(func.count()).select_from(Case)
                                  .where(Case.assignee_id == actor.id, is_open, col(Case.due_at) < now)).one()
        contacts_today = session.exec(select(func.count()).select_from(Contact)
                                      .where(Contact.at >= start_of_day, Contact.at <= end_of_day)).one()
        return Dashboard(my_cases=_with_people(session, list(mine)), team_cases=_with_people(session, team_cases),
                         team_name=team_name, contacts_today=contacts_today, my_overdue=my_overdue,
                         team_overdue=team_overdue, team_open=team_open, due_today=due_today)
