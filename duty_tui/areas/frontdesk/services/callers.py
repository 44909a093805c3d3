"""The callers-waiting queue at reception: arrivals, live waiting times, call next to a desk,
seen or left without being seen — the same queue on every terminal.

Every change notifies the ``callers`` channel (``services.changes``), so other terminals
refresh by themselves. Calling the next caller is safe with two desks pressing at once:
PostgreSQL locks the row (SKIP LOCKED), SQLite's write transaction serialises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from duty_tui.areas.frontdesk.db.models import FrontdeskSequence, ReceptionVisit
from duty_tui.areas.frontdesk.domain.rules import median, waited_minutes
from duty_tui.areas.frontdesk.services.common import (
    actor_id,
    fd_reference,
    next_sequence,
    person_by_ref,
    versioned_update,
)
from duty_tui.core.db.engine import is_sqlite, session_scope
from duty_tui.core.db.models import Person, StaffUser
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_changed
from duty_tui.core.services.context import ServiceContext

CALLERS_CHANNEL = "callers"
TICKET_MAX = 16


@dataclass(frozen=True)
class VisitView:
    """One caller on today's queue."""

    id: int
    ticket: str
    name: str | None
    person_ref: str | None
    reason: str | None
    reason_code: str | None
    needs: str | None
    interpreter: str | None
    arrived_at: datetime
    status: str
    called_at: datetime | None
    called_by: str | None
    desk: str | None
    finished_at: datetime | None
    version: int

    @property
    def label(self) -> str:
        """Ticket and name as called out: '017 Ms Khan' (or just the ticket)."""
        return f"{self.ticket} {self.name}" if self.name else self.ticket


@dataclass(frozen=True)
class CallersBoard:
    """Today's queue: waiting (oldest first), with staff, and finished."""

    waiting: list[VisitView]
    called: list[VisitView]
    finished: list[VisitView]
    median_wait_minutes: float | None
    left_without_being_seen: int
    desks: tuple[str, ...]
    wait_warning_minutes: int


def _views(session: Session, visits: list[ReceptionVisit]) -> list[VisitView]:
    people = {}
    staff = {}
    person_ids = {v.person_id for v in visits if v.person_id}
    if person_ids:
        people = {p.id: p.ref for p in session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()}
    staff_ids = {v.called_by for v in visits if v.called_by}
    if staff_ids:
        staff = dict(session.exec(select(StaffUser.id, StaffUser.display_name)
                                  .where(col(StaffUser.id).in_(staff_ids))).all())
    out = []
    for v in visits:
        out.append(VisitView(v.id, v.ticket, v.caller_name, people.get(v.person_id), None, v.reason_code, v.needs,
                             v.interpreter_language, v.arrived_at, v.status, v.called_at, staff.get(v.called_by),
                             v.desk, v.finished_at, v.version))
    return out


def _with_labels(ctx: ServiceContext, views: list[VisitView]) -> list[VisitView]:
    fdref = fd_reference(ctx)
    from dataclasses import replace

    return [replace(v, reason=fdref.reason_label(v.reason_code) if v.reason_code else None) for v in views]


def callers_board(ctx: ServiceContext) -> CallersBoard:
    """Today's queue at reception (UK day)."""
    ctx.require("callers.manage")
    today = ctx.today()
    with session_scope(ctx.engine) as session:
        visits = list(session.exec(select(ReceptionVisit).where(ReceptionVisit.visit_date == today)
                                   .order_by(ReceptionVisit.arrived_at, ReceptionVisit.id)).all())
        views = _with_labels(ctx, _views(session, visits))
    waits = [waited_minutes(v.arrived_at, v.called_at) for v in views if v.called_at is not None]
    policy = fd_reference(ctx).policy
    return CallersBoard(
        waiting=[v for v in views if v.status == "waiting"],
        called=[v for v in views if v.status == "called"],
        finished=sorted([v for v in views if v.status in ("seen", "left")],
                        key=lambda v: v.finished_at or v.arrived_at, reverse=True),
        median_wait_minutes=median(waits), left_without_being_seen=sum(1 for v in views if v.status == "left"),
        desks=policy.desks, wait_warning_minutes=policy.wait_warning_minutes)


TICKET_ATTEMPTS = 1000
"""Numbers tried before giving up (each one skipped was typed by hand or made by the demo today)."""


def _ticket_key(day) -> str:
    return f"ticket:{day.isoformat()}"


def _insert_visit(session: Session, visit: ReceptionVisit) -> ReceptionVisit | None:
    """Insert ``visit`` in a savepoint; None when its ticket is already taken today (the UNIQUE constraint)."""
    savepoint = session.begin_nested()
    try:
        session.add(visit)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return visit


def _taken_tickets(session: Session, day) -> set[str]:
    return set(session.exec(select(ReceptionVisit.ticket).where(ReceptionVisit.visit_date == day)).all())


def _allocate_ticket(session: Session, day, make) -> ReceptionVisit:
    """Today's next free ticket number, allocated so that two desks at once never collide.

    The day's counter row is taken (locked) first; numbers already used today — typed by hand, or
    made by the demo without the counter — are stepped over. The UNIQUE constraint still has the
    last word: a number someone typed by hand a moment ago makes the insert fail inside a
    savepoint, and the next number is tried.
    """
    taken = None
    for _ in range(TICKET_ATTEMPTS):
        number = f"{next_sequence(session, _ticket_key(day)):03d}"
        if taken is None:
            taken = _taken_tickets(session, day)  # read under the counter's lock: saves failed inserts only
        if number in taken:
            continue
        visit = _insert_visit(session, make(number))
        if visit is not None:
            return visit
        taken.add(number)
    raise InputError(f"ticket: no free ticket number after {TICKET_ATTEMPTS} tries today; type one by hand")


def _next_free_ticket(session: Session, day) -> str:
    """The number the next arrival without a ticket would be given (not allocated: nothing is used up)."""
    row = session.exec(select(FrontdeskSequence).where(FrontdeskSequence.key == _ticket_key(day))).first()
    number = (row.value if row else 0) + 1
    taken = _taken_tickets(session, day)
    while f"{number:03d}" in taken:
        number += 1
    return f"{number:03d}"


def add_arrival(ctx: ServiceContext, *, name: str = "", ticket: str = "", reason_code: str = "", needs: str = "",
                interpreter: str = "", person_ref: str | None = None) -> VisitView:
    """Add someone who has arrived. They are known by name, or by a ticket number (one is allocated if none given)."""
    ctx.require("callers.manage")
    fdref = fd_reference(ctx)
    name, ticket, needs, interpreter = name.strip(), ticket.strip().upper(), needs.strip(), interpreter.strip()
    if ticket.isdigit() and len(ticket) < 3:
        ticket = f"{int(ticket):03d}"  # "7" typed is the "007" called out
    problems = []
    if len(name) > 120:
        problems.append("name: at most 120 characters")
    if len(ticket) > TICKET_MAX:
        problems.append(f"ticket: at most {TICKET_MAX} characters")
    if reason_code and reason_code not in fdref.reasons:
        problems.append("reason: choose one from the list")
    if len(needs) > 200:
        problems.append("needs: at most 200 characters")
    if len(interpreter) > 40:
        problems.append("interpreter: at most 40 characters (the language)")
    if problems:
        raise InputError(problems[0], problems=problems)
    now = ctx.now()
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        try:
            person = person_by_ref(session, person_ref)
        except NotFound as exc:
            raise InputError(exc.message) from None
        if person is not None and not name:
            name = f"{person.forename} {person.surname}"

        def arrival(number: str) -> ReceptionVisit:
            return ReceptionVisit(visit_date=today, ticket=number, caller_name=name or None,
                                  person_id=person.id if person else None, reason_code=reason_code or None,
                                  needs=needs or None, interpreter_language=interpreter or None, arrived_at=now,
                                  added_by=actor_id(ctx))

        if ticket:
            # A number typed by hand: the UNIQUE (visit_date, ticket) constraint decides, not a read first.
            visit = _insert_visit(session, arrival(ticket))
            if visit is None:
                free = _next_free_ticket(session, today)
                message = (f"ticket: {ticket} is already in today's queue; the next free number is {free} "
                           "(or leave the ticket blank to be given it)")
                raise InputError(message, problems=[message])
        else:
            visit = _allocate_ticket(session, today, arrival)
        ticket = visit.ticket
        record_changed(session, "caller", visit.id)
        audit.record(session, ctx, "callers.arrive", "visit", visit.id,
                     {"ticket": ticket, "person": person.ref if person else None})
        view = _with_labels(ctx, _views(session, [visit]))[0]
    return view


def call_next(ctx: ServiceContext, desk: str, visit_id: int | None = None) -> VisitView:
    """Call the longest-waiting caller (or the one chosen) to ``desk``.

    If someone else has just called that caller, says so (ConflictError) rather than calling them twice.
    """
    ctx.require("callers.manage")
    desk = desk.strip()
    if not desk:
        raise InputError("desk: choose the desk to call them to")
    if len(desk) > 40:
        raise InputError("desk: at most 40 characters")
    now = ctx.now()
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        query = select(ReceptionVisit).where(ReceptionVisit.visit_date == today)
        if visit_id is not None:
            visit = session.exec(query.where(ReceptionVisit.id == visit_id).with_for_update()).first()
            if visit is None:
                raise NotFound("that caller is no longer on today's queue")
            if visit.status != "waiting":
                who = session.get(StaffUser, visit.called_by) if visit.called_by else None
                message = (f"{visit.ticket} was already called to {visit.desk or 'a desk'}"
                           + (f" by {who.display_name}" if who else "")
                           + (f" at {format_local(visit.called_at, '%H:%M')}" if visit.called_at else ""))
                if visit.status in ("seen", "left"):
                    message = f"{visit.ticket} has already {'been seen' if visit.status == 'seen' else 'left'}"
                raise InputError(message + "; the queue has been refreshed")
        else:
            waiting = query.where(ReceptionVisit.status == "waiting").order_by(ReceptionVisit.arrived_at,
                                                                              ReceptionVisit.id).limit(1)
            if not is_sqlite(ctx.engine):
                waiting = waiting.with_for_update(skip_locked=True)
            visit = session.exec(waiting).first()
            if visit is None:
                raise InputError("no one is waiting")
        versioned_update(session, ReceptionVisit, visit.id, visit.version,
                         {"status": "called", "called_at": now, "called_by": actor_id(ctx), "desk": desk},
                         what=f"caller {visit.ticket}", changed_at=visit.called_at)
        record_changed(session, "caller", visit.id)
        audit.record(session, ctx, "callers.call", "visit", visit.id, {"ticket": visit.ticket, "desk": desk})
        session.expire(visit)
        fresh = session.get(ReceptionVisit, visit.id)
        assert fresh is not None
        view = _with_labels(ctx, _views(session, [fresh]))[0]
    return view


def caller_at_desk(called: list[VisitView], desk: str, last_called_id: int | None = None,
                   highlighted: VisitView | None = None) -> VisitView | None:
    """The caller a contact logged at ``desk`` is for: never another desk's caller.

    The caller highlighted in the With staff list when they are at this desk; else the one this
    terminal called last (if still with staff here); else whoever was called to this desk most recently.
    """
    here = [v for v in called if v.status == "called" and v.desk == desk]
    if highlighted is not None and any(v.id == highlighted.id for v in here):
        return next(v for v in here if v.id == highlighted.id)
    if last_called_id is not None:
        found = next((v for v in here if v.id == last_called_id), None)
        if found is not None:
            return found
    return max(here, key=lambda v: (v.called_at is not None, v.called_at or v.arrived_at, v.id), default=None)


def finish_visit(ctx: ServiceContext, visit_id: int, seen_version: int, outcome: str) -> None:
    """Mark a caller seen, or left without being seen; 'waiting' puts a called caller back in the queue."""
    ctx.require("callers.manage")
    if outcome not in ("seen", "left", "waiting"):
        raise InputError("a caller is seen, left without being seen, or back to waiting")
    with session_scope(ctx.engine, write=True) as session:
        visit = session.get(ReceptionVisit, visit_id)
        if visit is None:
            raise NotFound("that caller is no longer on the queue")
        words = {"seen": "seen", "left": "left without being seen", "waiting": "waiting", "called": "called"}

        def refused() -> Exception:
            from duty_tui.core.services.conflicts import build_conflict

            session.refresh(visit)
            by = session.get(StaffUser, visit.called_by) if visit.called_by else None
            return build_conflict(
                session, what=f"caller {visit.ticket}", entity="visit", entity_id=visit.id,
                theirs={"Status": words.get(visit.status, visit.status), "Desk": visit.desk,
                        "Called by": by.display_name if by else None},
                yours={"Status": words[outcome], "Desk": None if outcome == "waiting" else visit.desk,
                       "Called by": None if outcome == "waiting" else (by.display_name if by else None)},
                version=visit.version, changed_at=visit.finished_at or visit.called_at)

        if visit.status in ("seen", "left"):
            raise refused()
        values: dict = {"status": outcome}
        if outcome == "waiting":
            values.update(called_at=None, called_by=None, desk=None)
        else:
            values["finished_at"] = ctx.now()
        versioned_update(session, ReceptionVisit, visit.id, seen_version, values, what=f"caller {visit.ticket}",
                         explain=refused)
        record_changed(session, "caller", visit.id)
        audit.record(session, ctx, f"callers.{outcome}", "visit", visit.id, {"ticket": visit.ticket})


def visit(ctx: ServiceContext, visit_id: int) -> VisitView:
    """One visit (e.g. to log the contact for the caller at the desk)."""
    ctx.require("callers.manage")
    with session_scope(ctx.engine) as session:
        found = session.get(ReceptionVisit, visit_id)
        if found is None:
            raise NotFound("that caller is no longer on the queue")
        return _with_labels(ctx, _views(session, [found]))[0]
