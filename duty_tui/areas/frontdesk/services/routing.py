"""Routing and queues: open a case with the right team and clock; team and officer queues sorted by
due; take, reassign, escalate, close with an outcome; the case timeline; today's callbacks and
appointments.

A queue is read a page at a time (first page small, so the screen paints at once even for a
team with thousands of open cases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, or_, update
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from duty_tui.areas.frontdesk.db.models import (
    CaseEvent,
    ComplaintStage,
    ContactReason,
    FollowUp,
    RepairDetail,
    SafeguardingConcern,
)
from duty_tui.areas.frontdesk.domain.reference import ReasonDef
from duty_tui.areas.frontdesk.domain.rules import deadline_at
from duty_tui.areas.frontdesk.services.common import (
    OPEN_STATUSES,
    actor_id,
    add_event,
    calendar_for,
    case_by_ref,
    case_conflict,
    fd_reference,
    insert_with_ref,
    staff_by_username,
    team_by_code,
    versioned_update,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, CaseNote, Contact, HouseholdMember, Person, StaffUser, Team, Tenancy
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.domain.local_time import end_of_local_day, format_local, start_of_local_day
from duty_tui.core.services import audit
from duty_tui.core.services.cases import add_case_note as add_note_to_case
from duty_tui.core.services.changes import notify, record_case, record_person_id
from duty_tui.core.services.context import ServiceContext

PAGE_SIZE = 200
CASE_CHANNEL = "cases"


# --- opening cases (used by the contact, complaint and repair services) --------------------


def household_and_tenancy(session: Session, person_id: int | None) -> tuple[int | None, int | None]:
    """The person's current household and its current tenancy, if any."""
    if person_id is None:
        return None, None
    household_id = session.exec(select(HouseholdMember.household_id).where(
        HouseholdMember.person_id == person_id, col(HouseholdMember.left_on).is_(None))).first()
    if household_id is None:
        return None, None
    tenancy_id = session.exec(select(Tenancy.id).where(Tenancy.household_id == household_id,
                                                       Tenancy.status == "current")).first()
    return household_id, tenancy_id


def open_case(session: Session, ctx: ServiceContext, *, case_type: str, team_code: str, summary: str,
              opened_at: datetime, due_at: datetime | None, clock_kind: str | None, clock_name: str | None,
              priority: str = "normal", person_id: int | None = None, assignee_id: int | None = None,
              contact_id: int | None = None, detail: str | None = None) -> Case:
    """Insert a case (next C ref) and its 'opened' timeline event, inside the caller's transaction."""
    team = team_by_code(session, ctx, team_code)
    household_id, tenancy_id = household_and_tenancy(session, person_id)
    case = insert_with_ref(session, lambda ref: Case(
        ref=ref, case_type=case_type, status="open" if assignee_id is None else "in_progress", team_id=team.id,
        assignee_id=assignee_id, person_id=person_id, household_id=household_id, tenancy_id=tenancy_id,
        summary=summary[:200], priority=priority, opened_at=opened_at, due_at=due_at, clock_kind=clock_kind,
        clock_name=clock_name, clock_started_at=opened_at, created_by=actor_id(ctx)), Case.ref, "C")
    add_event(session, ctx, case, "opened", f"Opened for {team.name}" + (f": {clock_name}" if clock_name else ""),
              detail=detail, contact_id=contact_id, at=ctx.now())
    record_case(session, case)
    return case


def reason_clock(ctx: ServiceContext, reason: ReasonDef, start: datetime) -> tuple[datetime | None, str | None, str | None]:
    """(due_at, clock kind, clock name) for a reason's plain clock (none, working days, hours, same day)."""
    clock = fd_reference(ctx).clocks[reason.clock]
    if clock.kind not in ("working_days", "hours", "same_day"):
        return None, None, None
    due = deadline_at(clock.kind, clock.amount, start, calendar_for(ctx))
    kind = "hours" if clock.kind == "hours" else "working_days"
    return due, kind, f"{reason.name}: {clock.name}"


# --- views --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One case in a queue."""

    ref: str
    case_type: str
    status: str
    priority: str
    team: str | None
    assignee: str | None
    assignee_username: str | None
    person_ref: str | None
    person_name: str | None
    summary: str
    opened_at: datetime
    due_at: datetime | None
    clock_kind: str | None
    clock_name: str | None
    escalated: bool
    version: int
    team_code: str | None = None


@dataclass(frozen=True)
class QueuePage:
    """A page of a queue plus the queue's totals."""

    title: str
    rows: list[QueueRow]
    offset: int
    total: int
    overdue: int
    due_today: int


@dataclass(frozen=True)
class QueueChoice:
    """A queue the user can open."""

    kind: str  # "team" or "officer"
    code: str  # team code or username
    name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class StaffChoice:
    """A member of staff work can be assigned to, with how much open work they hold."""

    username: str
    name: str
    team: str | None
    open_cases: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class TimelineLine:
    """One line of a case timeline (events, notes and contacts merged, oldest first)."""

    at: datetime
    kind: str
    summary: str
    detail: str | None
    who: str | None


@dataclass(frozen=True)
class ClockLine:
    """A due date on the case, done or not: shown as a list on the case screen."""

    name: str
    due: date | datetime | None
    kind: str  # working_days or hours
    done_at: date | datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class FollowUpView:
    """A callback or appointment."""

    id: int
    kind: str
    due_at: datetime
    status: str
    person_ref: str | None
    person_name: str | None
    phone: str | None
    place: str | None
    notes: str | None
    case_ref: str | None
    team: str | None
    assignee: str | None
    version: int


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case screen shows."""

    row: QueueRow
    opened_by: str | None
    closed_at: datetime | None
    outcome: str | None
    timeline: list[TimelineLine] = field(default_factory=list)
    clocks: list[ClockLine] = field(default_factory=list)
    follow_ups: list[FollowUpView] = field(default_factory=list)
    complaint_stage: int | None = None
    complaint_scheme: str | None = None
    repair_priority: str | None = None
    hazard: str | None = None
    awaab: bool = False


_Assignee = aliased(StaffUser)


def _row_query():
    return (select(Case, Team.name, _Assignee.display_name, _Assignee.username, Person.ref, Person.forename,
                   Person.surname, Team.code)
            .join(Team, Team.id == Case.team_id, isouter=True)
            .join(_Assignee, _Assignee.id == Case.assignee_id, isouter=True)
            .join(Person, Person.id == Case.person_id, isouter=True))


def _to_row(record) -> QueueRow:
    case, team_name, assignee, username, person_ref, forename, surname, team_code = record
    return QueueRow(
        ref=case.ref, case_type=case.case_type, status=case.status, priority=case.priority, team=team_name,
        assignee=assignee, assignee_username=username, person_ref=person_ref,
        person_name=f"{forename} {surname}" if person_ref else None, summary=case.summary, opened_at=case.opened_at,
        due_at=case.due_at, clock_kind=case.clock_kind, clock_name=case.clock_name,
        escalated=case.escalated_at is not None, version=case.version, team_code=team_code)


# --- queues ---------------------------------------------------------------------------------


def list_queues(ctx: ServiceContext) -> list[QueueChoice]:
    """My work, then every team's queue, with open and overdue counts."""
    actor = ctx.require("case.view")
    now = ctx.now()
    is_open = col(Case.status).in_(OPEN_STATUSES)
    with session_scope(ctx.engine) as session:
        counts = {team_id: (total, overdue) for team_id, total, overdue in session.exec(
            select(Case.team_id, func.count(),
                   func.sum(sql_case((col(Case.due_at) < now, 1), else_=0)))
            .where(is_open).group_by(Case.team_id)).all()}
        mine_total, mine_overdue = session.exec(
            select(func.count(), func.sum(sql_case((col(Case.due_at) < now, 1), else_=0)))
            .where(is_open, Case.assignee_id == actor.id)).one()
        teams = session.exec(select(Team).order_by(Team.name)).all()
    choices = [QueueChoice("officer", actor.username, "My work", mine_total or 0, int(mine_overdue or 0))]
    own = [t for t in teams if t.id == actor.team_id]
    others = [t for t in teams if t.id != actor.team_id]
    officers: dict[str | None, list[StaffChoice]] = {}
    for officer in list_staff(ctx):
        if officer.username != actor.username:
            officers.setdefault(officer.team, []).append(officer)
    for team in own + others:
        total, overdue = counts.get(team.id, (0, 0))
        choices.append(QueueChoice("team", team.code, team.name, total or 0, int(overdue or 0)))
        # Each officer's own queue, under their team (a team leader looking at one person's work).
        for officer in officers.get(team.code, []):
            choices.append(QueueChoice("officer", officer.username, f"{team.name} › {officer.name}",
                                       officer.open_cases, officer.overdue))
    return choices


def queue_page(ctx: ServiceContext, kind: str, code: str, *, offset: int = 0, limit: int = PAGE_SIZE,
               unassigned_only: bool = False) -> QueuePage:
    """One page of a team's (kind 'team') or an officer's (kind 'officer') open cases, soonest due first.

    Cases without a due date come last; ties go to the oldest case.
    """
    ctx.require("case.view")
    if limit < 1 or limit > 1000:
        raise InputError("a queue page is 1 to 1000 rows")
    now = ctx.now()
    end_today = end_of_local_day(ctx.today())
    with session_scope(ctx.engine) as session:
        if kind == "team":
            team = session.exec(select(Team).where(Team.code == code)).first()
            if team is None:
                raise NotFound(f"no team {code!r}")
            scope = col(Case.team_id) == team.id
            title = team.name
        elif kind == "officer":
            user = session.exec(select(StaffUser).where(StaffUser.username == code)).first()
            if user is None:
                raise NotFound(f"no member of staff {code!r}")
            scope = col(Case.assignee_id) == user.id
            title = "My work" if ctx.actor and ctx.actor.username == code else user.display_name
        else:
            raise InputError("a queue is a team's or an officer's")
        where = [scope, col(Case.status).in_(OPEN_STATUSES)]
        if unassigned_only:
            where.append(col(Case.assignee_id).is_(None))
        total, overdue, due_today = session.exec(
            select(func.count(),
                   func.sum(sql_case((col(Case.due_at) < now, 1), else_=0)),
                   func.sum(sql_case((and_(col(Case.due_at) >= now, col(Case.due_at) <= end_today), 1), else_=0)))
            .where(*where)).one()
        # Two steps: the page's ids from the (team, status, due) index alone — a sort of small
        # tuples, however long the queue — then the page's rows with their joins.
        ids = list(session.exec(
            select(Case.id).where(*where)
            .order_by(sql_case((col(Case.due_at).is_(None), 1), else_=0), col(Case.due_at), col(Case.id))
            .offset(offset).limit(limit)).all())
        records = session.exec(_row_query().where(col(Case.id).in_(ids))).all() if ids else []
        position = {case_id: index for index, case_id in enumerate(ids)}
        rows = [row for _index, row in sorted(((position[r[0].id], _to_row(r)) for r in records),
                                               key=lambda pair: pair[0])]
        return QueuePage(title, rows, offset, total or 0, int(overdue or 0), int(due_today or 0))


def list_staff(ctx: ServiceContext) -> list[StaffChoice]:
    """Active staff who can be given work, by team then name, with their open and overdue cases."""
    ctx.require("case.view")
    now = ctx.now()
    with session_scope(ctx.engine) as session:
        rows = session.exec(select(StaffUser.id, StaffUser.username, StaffUser.display_name, Team.code)
                            .join(Team, Team.id == StaffUser.team_id, isouter=True)
                            .where(col(StaffUser.active).is_(True))
                            .order_by(Team.code, StaffUser.display_name)).all()
        counts = {assignee: (total, int(overdue or 0)) for assignee, total, overdue in session.exec(
            select(Case.assignee_id, func.count(), func.sum(sql_case((col(Case.due_at) < now, 1), else_=0)))
            .where(col(Case.status).in_(OPEN_STATUSES), col(Case.assignee_id).is_not(None))
            .group_by(Case.assignee_id)).all()}
    return [StaffChoice(u, n, t, *counts.get(i, (0, 0))) for i, u, n, t in rows]


def list_teams(ctx: ServiceContext) -> list[tuple[str, str]]:
    """(code, name) of every team work can be routed to (teams.toml, in file order)."""
    return [(t.code, t.name) for t in ctx.reference.teams.values()]


# --- actions ------------------------------------------------------------------------------


def _load_for_change(session: Session, ref: str, ctx: ServiceContext | None = None, seen: int | None = None,
                     yours: dict[str, str] | None = None) -> Case:
    """The case to change; with ``seen``, a newer stored version is a conflict (checked before anything else,
    so a case someone else closed meanwhile shows both versions rather than only "it is closed")."""
    case = case_by_ref(session, ref)
    if ctx is not None and seen is not None and case.version != seen:
        raise case_conflict(session, ctx, case, yours)
    if case.status not in OPEN_STATUSES:
        raise InputError(f"case {case.ref} is closed ({case.outcome or 'no outcome'}); it cannot be changed")
    return case


def _changed(session: Session, ctx: ServiceContext, case: Case, seen: int, values: dict,
             yours: dict[str, str] | None = None) -> None:
    versioned_update(session, Case, case.id, seen, values, what=f"case {case.ref}",
                     explain=lambda: case_conflict(session, ctx, case, yours))
    record_case(session, case)


def take_case(ctx: ServiceContext, ref: str, seen_version: int) -> None:
    """Assign the case to me and mark it in progress."""
    actor = ctx.require("case.manage")
    yours = {"Status": "in progress", "Officer": actor.display_name, "Change": f"Take (assign to {actor.display_name})"}
    with session_scope(ctx.engine, write=True) as session:
        case = _load_for_change(session, ref, ctx, seen_version, yours)
        _changed(session, ctx, case, seen_version, {"assignee_id": actor.id, "status": "in_progress"}, yours)
        add_event(session, ctx, case, "assigned", f"Taken by {actor.display_name}")
        audit.record(session, ctx, "case.take", "case", case.ref)


def reassign_case(ctx: ServiceContext, ref: str, seen_version: int, team_code: str, username: str = "",
                  note: str = "") -> None:
    """Move the case to another team and/or officer (blank officer: back to the team's unassigned work)."""
    ctx.require("case.manage")
    with session_scope(ctx.engine, write=True) as session:
        team = team_by_code(session, ctx, team_code)
        user = staff_by_username(session, username) if username.strip() else None
        yours = {"Team": team.name, "Officer": user.display_name if user else "unassigned", "Change": "Reassign",
                 "Note": note.strip()}
        case = _load_for_change(session, ref, ctx, seen_version, yours)
        _changed(session, ctx, case, seen_version, {"team_id": team.id, "assignee_id": user.id if user else None,
                                                    "status": "in_progress" if user else "open"}, yours)
        to = f"{team.name}" + (f" · {user.display_name}" if user else " (unassigned)")
        add_event(session, ctx, case, "assigned", f"Reassigned to {to}", detail=note.strip() or None)
        audit.record(session, ctx, "case.reassign", "case", case.ref,
                     {"team": team.code, "officer": user.username if user else None})


def escalate_case(ctx: ServiceContext, ref: str, seen_version: int, reason: str) -> None:
    """Flag the case as escalated (shown ▲ in every queue) with a reason; normal priority becomes urgent."""
    ctx.require("case.manage")
    if not reason.strip():
        raise InputError("give the reason for escalating")
    yours = {"Escalated": "yes", "Change": "Escalate", "Note": reason.strip()}
    with session_scope(ctx.engine, write=True) as session:
        case = _load_for_change(session, ref, ctx, seen_version, yours)
        values: dict = {"escalated_at": ctx.now()}
        if case.priority == "normal":
            values["priority"] = "urgent"
        _changed(session, ctx, case, seen_version, values, yours)
        add_event(session, ctx, case, "escalated", "Escalated", detail=reason.strip())
        audit.record(session, ctx, "case.escalate", "case", case.ref)


def _close_refused(session: Session, ctx: ServiceContext, case: Case, yours: dict[str, str]) -> ConflictError:
    """Closing a case someone else changed first: both versions; "already closed by NAME at TIME" when they
    closed it (who and when from the audit trail)."""
    error = case_conflict(session, ctx, case, yours)  # reads the case as now stored
    if case.status in OPEN_STATUSES:
        return error
    outcomes = fd_reference(ctx).case_outcomes
    outcome = outcomes[case.outcome].name if case.outcome in outcomes else (case.outcome or "no outcome")
    when = f" at {format_local(error.changed_at, '%H:%M on %d/%m/%Y')}" if error.changed_at else ""
    return ConflictError(f"case {case.ref} was already closed by {error.changed_by or 'someone else'}{when} "
                         f"({outcome}); nothing was changed", record=error.record, changed_by=error.changed_by,
                         changed_at=error.changed_at, theirs=error.theirs, yours=error.yours, version=error.version)


def close_case(ctx: ServiceContext, ref: str, seen_version: int, outcome: str, note: str = "") -> None:
    """Close the case with an outcome from data/frontdesk/frontdesk.toml.

    A complaint closes only once its current stage is answered (or it is withdrawn).
    """
    ctx.require("case.manage")
    outcomes = fd_reference(ctx).case_outcomes
    if outcome not in outcomes:
        raise InputError(f"outcome: choose one of {', '.join(o.name for o in outcomes.values())}")
    yours = {"Status": "closed", "Outcome": outcomes[outcome].name, "Change": f"Close: {outcomes[outcome].name}",
             "Note": note.strip()}
    with session_scope(ctx.engine, write=True) as session:
        case = case_by_ref(session, ref)
        if case.version != seen_version or case.status not in OPEN_STATUSES:
            raise _close_refused(session, ctx, case, yours)
        if case.case_type == "complaint" and outcome != "withdrawn":
            open_stage = session.exec(select(ComplaintStage).where(
                ComplaintStage.case_id == case.id, col(ComplaintStage.responded_at).is_(None))).first()
            if open_stage is not None:
                raise InputError(f"respond to the stage {open_stage.stage} complaint before closing it "
                                 "(or close it as withdrawn)")
        now = ctx.now()
        # Closed once: a conditional UPDATE of the case's own row (still open, at the version seen). On
        # PostgreSQL a second closer from any office waits on the row, then matches nothing; SQLite's
        # write transaction serialises them. The loser is told who closed it and when.
        closed = session.execute(update(Case).where(
            Case.id == case.id, Case.version == seen_version, col(Case.status).in_(OPEN_STATUSES))
            .values(status="closed", closed_at=now, outcome=outcome, version=Case.version + 1))
        if closed.rowcount != 1:
            raise _close_refused(session, ctx, case, yours)
        record_case(session, case)
        add_event(session, ctx, case, "closed", f"Closed: {outcomes[outcome].name}", detail=note.strip() or None)
        audit.record(session, ctx, "case.close", "case", case.ref, {"outcome": outcome})


def add_case_note(ctx: ServiceContext, ref: str, text: str) -> None:
    """Add a note to the case timeline, within the front desk's limit (data/frontdesk/frontdesk.toml notes_max)."""
    add_note_to_case(ctx, ref, text, limit=fd_reference(ctx).policy.notes_max)


# --- the case screen -------------------------------------------------------------------------


def _follow_up_views(session: Session, where) -> list[FollowUpView]:
    assignee = aliased(StaffUser)
    rows = session.exec(
        select(FollowUp, Person.ref, Person.forename, Person.surname, Case.ref, Team.name, assignee.display_name)
        .join(Person, Person.id == FollowUp.person_id, isouter=True)
        .join(Case, Case.id == FollowUp.case_id, isouter=True)
        .join(Team, Team.id == FollowUp.team_id, isouter=True)
        .join(assignee, assignee.id == FollowUp.assignee_id, isouter=True)
        .where(where).order_by(FollowUp.due_at)).all()
    return [FollowUpView(f.id, f.kind, f.due_at, f.status, pref, f"{fore} {sur}" if pref else None, f.phone, f.place,
                         f.notes, cref, team, who, f.version)
            for f, pref, fore, sur, cref, team, who in rows]


def case_detail(ctx: ServiceContext, ref: str) -> CaseDetail:
    """The case, its clocks and its timeline (events, notes, contacts); audited as a view."""
    from duty_tui.areas.frontdesk.services.complaints import complaint_clocks
    from duty_tui.areas.frontdesk.services.repairs import repair_clocks

    ctx.require("case.view")
    with session_scope(ctx.engine) as session:  # a read; its audit event after it (docs/AUDIT.md)
        record = session.exec(_row_query().where(Case.ref == (ref or "").strip().upper())).first()
        if record is None:
            raise NotFound(f"no case with ref {ref!r}")
        case = record[0]
        row = _to_row(record)
        names = dict(session.exec(select(StaffUser.id, StaffUser.display_name)).all())
        timeline: list[TimelineLine] = []
        for e in session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).all():
            timeline.append(TimelineLine(e.at, e.kind, e.summary, e.detail, names.get(e.actor_id)))
        for n in session.exec(select(CaseNote).where(CaseNote.case_id == case.id)).all():
            timeline.append(TimelineLine(n.at, "note", "Note", n.text, names.get(n.author_id)))
        linked = set(session.exec(select(CaseEvent.contact_id).where(CaseEvent.case_id == case.id,
                                                                     col(CaseEvent.contact_id).is_not(None))).all())
        contacts = session.exec(select(Contact).where(or_(Contact.case_id == case.id,
                                                          col(Contact.id).in_(linked or {-1})))).all()
        reasons_by_contact: dict[int, list[str]] = {}
        if contacts:
            for cid, code in session.exec(select(ContactReason.contact_id, ContactReason.reason_code)
                                          .where(col(ContactReason.contact_id).in_([c.id for c in contacts]))
                                          .order_by(col(ContactReason.position))).all():
                reasons_by_contact.setdefault(cid, []).append(code)
        fdref = fd_reference(ctx)
        for c in contacts:
            channel = fdref.channels[c.channel].name if c.channel in fdref.channels else c.channel
            reasons = ", ".join(fdref.reason_label(r) for r in reasons_by_contact.get(c.id, [c.reason]))
            outcome = fdref.outcomes[c.outcome].name if c.outcome in fdref.outcomes else (c.outcome or "")
            timeline.append(TimelineLine(c.at, "contact", f"{channel}: {reasons} — {outcome}", c.notes,
                                         names.get(c.staff_id)))
        timeline.sort(key=lambda line: line.at)
        clocks: list[ClockLine] = []
        complaint_stage = scheme = None
        stages = session.exec(select(ComplaintStage).where(ComplaintStage.case_id == case.id)
                              .order_by(col(ComplaintStage.stage))).all()
        if stages:
            clocks.extend(complaint_clocks(ctx, list(stages)))
            complaint_stage, scheme = stages[-1].stage, stages[-1].scheme
        repair = session.exec(select(RepairDetail).where(RepairDetail.case_id == case.id)).first()
        if repair is not None:
            clocks.extend(repair_clocks(ctx, repair))
        if not clocks and case.due_at is not None:
            clocks.append(ClockLine(case.clock_name or "Due", case.due_at, case.clock_kind or "working_days",
                                    case.closed_at))
        concern = session.exec(select(SafeguardingConcern).where(SafeguardingConcern.case_id == case.id)).first()
        if concern is not None and concern.subject_name:
            timeline.insert(0, TimelineLine(concern.raised_at, "safeguarding",
                                            f"Concern about a{'n adult' if concern.kind == 'adult' else ' child'}: "
                                            f"{concern.subject_name}", concern.details, names.get(concern.raised_by)))
        follow_ups = _follow_up_views(session, FollowUp.case_id == case.id)
        result = CaseDetail(row=row, opened_by=names.get(case.created_by), closed_at=case.closed_at,
                            outcome=case.outcome, timeline=timeline, clocks=clocks, follow_ups=follow_ups,
                            complaint_stage=complaint_stage, complaint_scheme=scheme,
                            repair_priority=repair.priority if repair else None,
                            hazard=repair.hazard if repair else None, awaab=bool(repair and repair.awaab))
    audit.record_read(ctx, "case.view", "case", result.row.ref)
    return result


# --- callbacks and appointments ------------------------------------------------------------


def follow_ups_for_day(ctx: ServiceContext, day: date | None = None, *, team_code: str | None = None,
                       username: str | None = None, include_overdue: bool = True) -> list[FollowUpView]:
    """Open callbacks and appointments due on ``day`` (today by default), and earlier ones still open."""
    ctx.require("case.view")
    day = day or ctx.today()
    start, end = start_of_local_day(day), end_of_local_day(day)
    with session_scope(ctx.engine) as session:
        when = col(FollowUp.due_at) <= end if include_overdue else and_(col(FollowUp.due_at) >= start, col(FollowUp.due_at) <= end)
        where = [col(FollowUp.status) == "open", when]
        if team_code:
            team = session.exec(select(Team).where(Team.code == team_code)).first()
            where.append(col(FollowUp.team_id) == (team.id if team else -1))
        if username:
            user = session.exec(select(StaffUser).where(StaffUser.username == username)).first()
            where.append(col(FollowUp.assignee_id) == (user.id if user else -1))
        return _follow_up_views(session, and_(*where))


def complete_follow_up(ctx: ServiceContext, follow_up_id: int, seen_version: int, status: str = "done") -> None:
    """Mark a callback or appointment done, missed or cancelled."""
    ctx.require("contact.log")
    if status not in ("done", "missed", "cancelled"):
        raise InputError("a callback or appointment is done, missed or cancelled")
    with session_scope(ctx.engine, write=True) as session:
        follow_up = session.get(FollowUp, follow_up_id)
        if follow_up is None:
            raise NotFound("that callback or appointment no longer exists")
        def refused() -> Exception:
            from duty_tui.core.services.conflicts import build_conflict

            session.refresh(follow_up)
            done_by = (session.exec(select(StaffUser.display_name).where(StaffUser.id == follow_up.done_by)).first()
                       if follow_up.done_by else None)
            return build_conflict(
                session, what=f"{follow_up.kind}", entity="follow_up", entity_id=follow_up_id,
                theirs={"Status": follow_up.status, "When": follow_up.done_at, "By": done_by},
                yours={"Status": status, "When": ctx.now(), "By": ctx.actor.display_name if ctx.actor else None},
                version=follow_up.version, changed_at=follow_up.done_at)

        if follow_up.status != "open":
            raise refused()
        versioned_update(session, FollowUp, follow_up_id, seen_version,
                         {"status": status, "done_at": ctx.now(), "done_by": actor_id(ctx)},
                         what="callback or appointment", explain=refused)
        if follow_up.case_id:
            case = session.get(Case, follow_up.case_id)
            if case is not None:
                add_event(session, ctx, case, "follow_up", f"{follow_up.kind.capitalize()} {status}")
                record_case(session, case)
        record_person_id(session, follow_up.person_id)
        notify(session, CASE_CHANNEL)
        audit.record(session, ctx, "follow_up.complete", "follow_up", follow_up_id, {"status": status})
