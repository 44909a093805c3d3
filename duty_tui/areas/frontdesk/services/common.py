"""Helpers shared by the front-desk services (not use cases themselves).

Lookups by code/ref/username, reference allocation, optimistic-lock updates,
case timeline events and the office's working calendar.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from duty_tui.areas.frontdesk.db.models import CaseEvent, FrontdeskSequence
from duty_tui.areas.frontdesk.domain.reference import FrontdeskReference, load_frontdesk_reference
from duty_tui.core.db.models import Case, Person, StaffUser, Team
from duty_tui.core.domain.clocks import WorkingCalendar
from duty_tui.core.domain.errors import ConflictError, NotFound
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.services.cases import case_by_ref  # noqa: F401  (re-exported to the front-desk services)
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.refs import insert_with_ref  # noqa: F401  (re-exported to the front-desk services)

OPEN_STATUSES = ("open", "in_progress", "awaiting")
"""Case statuses that are still work to do (the dashboard uses the same three)."""



def fd_reference(ctx: ServiceContext) -> FrontdeskReference:
    """The front desk's reference data for this context's data folder."""
    return load_frontdesk_reference(ctx.settings.data_dir)


@functools.cache
def _calendar(jurisdiction: str) -> WorkingCalendar:
    return WorkingCalendar(jurisdiction)  # type: ignore[arg-type]  # settings hold a str: WorkingCalendar checks it (ValueError)


def calendar_for(ctx: ServiceContext) -> WorkingCalendar:
    """The office's working calendar (its jurisdiction's bank holidays)."""
    return _calendar(ctx.settings.jurisdiction)


def actor_id(ctx: ServiceContext) -> int | None:
    """The signed-in user's id (None for a batch job)."""
    return ctx.actor.id if ctx.actor else None


def person_by_ref(session: Session, ref: str | None) -> Person | None:
    """The person with ``ref`` (None for no ref); NotFound saying what to do when unknown."""
    if not ref:
        return None
    person = session.exec(select(Person).where(Person.ref == ref.strip().upper())).first()
    if person is None:
        raise NotFound(f"caller: no person with ref {ref!r}; search again by name, address or phone")
    return person


def team_by_code(session: Session, ctx: ServiceContext, code: str) -> Team:
    """The team with ``code``; a team listed in teams.toml but not yet in the database is added."""
    team = session.exec(select(Team).where(Team.code == code)).first()
    if team is not None:
        return team
    definition = ctx.reference.teams.get(code)
    if definition is None:
        raise NotFound(f"team {code!r} is not in data/teams.toml; choose another team")
    team = Team(code=code, name=definition.name)
    session.add(team)
    session.flush()
    return team


def staff_by_username(session: Session, username: str) -> StaffUser:
    """The active staff user ``username``; NotFound when there is none."""
    user = session.exec(select(StaffUser).where(StaffUser.username == username.strip(),
                                                col(StaffUser.active).is_(True))).first()
    if user is None:
        raise NotFound(f"officer: no active member of staff called {username!r}")
    return user


def next_sequence(session: Session, key: str) -> int:
    """The next value of the named counter, allocated inside this (write) transaction."""
    row = session.exec(select(FrontdeskSequence).where(FrontdeskSequence.key == key)
                       .with_for_update()).first()
    if row is None:
        nested = session.begin_nested()
        try:
            session.add(FrontdeskSequence(key=key, value=1))
            session.flush()
            nested.commit()
            return 1
        except IntegrityError:
            nested.rollback()
            row = session.exec(select(FrontdeskSequence).where(FrontdeskSequence.key == key)
                               .with_for_update()).one()
    row.value += 1
    session.add(row)
    session.flush()
    return row.value


def conflict(what: str, at: datetime | None, **extra) -> ConflictError:
    """The optimistic-lock message: who-knows-who changed it, when, and that the user's text is kept.

    ``extra`` (record, changed_by, theirs, yours, version) is what a screen needs to show both versions.
    """
    when = f" at {format_local(at, '%H:%M')}" if at else ""
    extra.setdefault("record", what)
    return ConflictError(f"someone else changed this {what}{when}; your text is kept — reload and re-apply",
                         changed_at=at, **extra)


def versioned_update(session: Session, model, row_id: int, seen: int, values: dict, *, what: str,
                     changed_at: datetime | None = None,
                     explain: Callable[[], ConflictError] | None = None) -> None:
    """UPDATE ... SET values, version = version + 1 WHERE id = :id AND version = :seen, or ConflictError.

    ``explain`` builds the richer error (who, when, both versions) when the update is refused.
    """
    result = session.execute(
        update(model).where(model.id == row_id, model.version == seen)
        .values(**values, version=model.version + 1)
    )
    if result.rowcount != 1:
        raise explain() if explain is not None else conflict(what, changed_at)


CASE_FIELDS = ("Status", "Team", "Officer", "Priority", "Escalated", "Outcome", "Change", "Note")
"""The labels a case conflict compares, in order (the screens label the user's side the same way)."""


def case_state(session: Session, ctx: ServiceContext, case: Case) -> dict[str, str]:
    """The case as now stored, as text under CASE_FIELDS; Change/Note: its latest timeline entry."""
    from duty_tui.core.db.models import CaseNote
    from duty_tui.core.services.conflicts import BLANK, as_text

    session.refresh(case)
    team = session.exec(select(Team.name).where(Team.id == case.team_id)).first() if case.team_id else None
    officer = (session.exec(select(StaffUser.display_name).where(StaffUser.id == case.assignee_id)).first()
               if case.assignee_id else None)
    outcomes = fd_reference(ctx).case_outcomes
    outcome = outcomes[case.outcome].name if case.outcome in outcomes else case.outcome
    event = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)
                         .order_by(col(CaseEvent.at).desc(), col(CaseEvent.id).desc()).limit(1)).first()
    note = session.exec(select(CaseNote).where(CaseNote.case_id == case.id)
                        .order_by(col(CaseNote.at).desc(), col(CaseNote.id).desc()).limit(1)).first()
    change, detail = (event.summary, event.detail) if event is not None else (None, None)
    if note is not None and (event is None or note.at >= event.at):
        change, detail = "Note", note.text
    return {
        "Status": case.status.replace("_", " "),
        "Team": as_text(team),
        "Officer": officer or "unassigned",
        "Priority": case.priority,
        "Escalated": "yes" if case.escalated_at else "no",
        "Outcome": as_text(outcome),
        "Change": as_text(change),
        "Note": as_text(detail) if detail else BLANK,
    }


def case_conflict(session: Session, ctx: ServiceContext, case: Case,
                  yours: dict[str, str] | None = None) -> ConflictError:
    """The conflict for a case saved over a newer version: who/when (audit trail) and both versions."""
    from duty_tui.core.services.conflicts import build_conflict

    theirs = case_state(session, ctx, case)
    return build_conflict(session, what=f"case {case.ref}", entity="case", entity_id=case.ref, theirs=theirs,
                          yours=yours, version=case.version, changed_at=last_event_at(session, case.id))


def add_event(session: Session, ctx: ServiceContext, case: Case, kind: str, summary: str, *,
              detail: str | None = None, contact_id: int | None = None, at: datetime | None = None) -> CaseEvent:
    """Append a line to the case's timeline."""
    event = CaseEvent(case_id=case.id, at=at or ctx.now(), actor_id=actor_id(ctx), kind=kind,
                      summary=summary[:200], detail=detail, contact_id=contact_id)
    session.add(event)
    return event


def last_event_at(session: Session, case_id: int) -> datetime | None:
    """When the case's timeline last moved (for conflict messages)."""
    return session.exec(select(func.max(CaseEvent.at)).where(CaseEvent.case_id == case_id)).one()
