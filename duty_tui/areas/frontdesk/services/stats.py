"""Duty statistics for today or any period: contacts by channel, reason and outcome; first-contact
resolution; reception waiting times (median and 95th percentile); overdue work by team.

Also the rows of ``duty-tui report contacts`` (one per contact, no personal data).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func
from sqlalchemy import case as sql_case
from sqlmodel import col, select

from duty_tui.areas.frontdesk.db.models import ContactReason, ReceptionVisit
from duty_tui.areas.frontdesk.domain.rules import median, percentile, rate, waited_minutes
from duty_tui.areas.frontdesk.services.common import OPEN_STATUSES, fd_reference
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Contact, StaffUser, Team
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.domain.local_time import end_of_local_day, local_date, start_of_local_day, to_local
from duty_tui.core.services.context import ServiceContext

MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Count:
    """A category and how many."""

    code: str
    name: str
    count: int


@dataclass(frozen=True)
class TeamWork:
    """A team's open work right now."""

    code: str
    name: str
    open: int
    overdue: int
    due_today: int


@dataclass(frozen=True)
class DutyStats:
    """The duty statistics for a period (and open work as it stands now)."""

    start: date
    end: date
    contacts: int
    by_channel: list[Count]
    by_reason: list[Count]
    by_outcome: list[Count]
    first_contact_resolved: int
    first_contact_rate: float | None
    visits: int
    seen: int
    left_without_being_seen: int
    wait_median_minutes: float | None
    wait_p95_minutes: float | None
    by_day: list[tuple[date, int]] = field(default_factory=list)
    work_by_team: list[TeamWork] = field(default_factory=list)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise InputError("the period ends before it starts; swap the dates")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InputError("choose a period of at most three years")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return start_of_local_day(start), end_of_local_day(end)


def duty_statistics(ctx: ServiceContext, start: date, end: date) -> DutyStats:
    """Contacts, outcomes and waiting times from ``start`` to ``end`` (UK dates, inclusive); open work now."""
    ctx.require("statistics.view")
    _check_period(start, end)
    ref = fd_reference(ctx)
    low, high = _bounds(start, end)
    in_period = and_(col(Contact.at) >= low, col(Contact.at) <= high)
    now = ctx.now()
    end_today = end_of_local_day(ctx.today())
    with session_scope(ctx.engine) as session:
        channel_counts = dict(session.exec(select(Contact.channel, func.count()).where(in_period)
                                           .group_by(Contact.channel)).all())
        outcome_counts = dict(session.exec(select(Contact.outcome, func.count()).where(in_period)
                                           .group_by(Contact.outcome)).all())
        reason_counts = dict(session.exec(
            select(ContactReason.reason_code, func.count())
            .join(Contact, Contact.id == ContactReason.contact_id).where(in_period)
            .group_by(ContactReason.reason_code)).all())
        # Contacts logged without reason rows (e.g. imported history) count under their main reason.
        bare = dict(session.exec(
            select(Contact.reason, func.count()).where(
                in_period, ~select(ContactReason.id).where(ContactReason.contact_id == Contact.id).exists())
            .group_by(Contact.reason)).all())
        for code, count in bare.items():
            reason_counts[code] = reason_counts.get(code, 0) + count
        hours = _hour_buckets(session, in_period)
        visits = session.exec(select(ReceptionVisit.arrived_at, ReceptionVisit.called_at, ReceptionVisit.status)
                              .where(ReceptionVisit.visit_date >= start, ReceptionVisit.visit_date <= end)).all()
        is_open = col(Case.status).in_(OPEN_STATUSES)
        team_rows = session.exec(
            select(Team.code, Team.name, func.count(Case.id),
                   func.sum(sql_case((col(Case.due_at) < now, 1), else_=0)),
                   func.sum(sql_case((and_(col(Case.due_at) >= now, col(Case.due_at) <= end_today), 1), else_=0)))
            .join(Case, and_(Case.team_id == Team.id, is_open), isouter=True)
            .group_by(Team.code, Team.name).order_by(Team.name)).all()
    total = sum(channel_counts.values())
    fcr_codes = {o.code for o in ref.outcomes.values() if o.first_contact}
    resolved = sum(n for code, n in outcome_counts.items() if code in fcr_codes)
    per_day: Counter[date] = Counter()
    for hour, count in hours:
        per_day[local_date(hour)] += count
    days = [(start + timedelta(days=i), per_day.get(start + timedelta(days=i), 0))
            for i in range((end - start).days + 1)]
    waits = [waited_minutes(a, c) for a, c, _s in visits if c is not None]
    return DutyStats(
        start=start, end=end, contacts=total,
        by_channel=_counts(channel_counts, {c.code: c.name for c in ref.channels.values()}),
        by_reason=_counts(reason_counts, {r.code: r.label for r in ref.reasons.values()}),
        by_outcome=_counts(outcome_counts, {o.code: o.name for o in ref.outcomes.values()}),
        first_contact_resolved=resolved, first_contact_rate=rate(resolved, total),
        visits=len(visits), seen=sum(1 for v in visits if v[2] == "seen"),
        left_without_being_seen=sum(1 for v in visits if v[2] == "left"),
        wait_median_minutes=median(waits), wait_p95_minutes=percentile(waits, 95),
        by_day=days,
        work_by_team=[TeamWork(code, name, int(n or 0), int(o or 0), int(d or 0))
                      for code, name, n, o, d in team_rows],
    )


def _hour_buckets(session, in_period) -> list[tuple[datetime, int]]:
    """Contacts per UTC hour (UK offsets are whole hours, so each hour falls in one UK day).

    A year is at most 8,784 buckets, however many contacts: the database counts, not Python.
    """
    if session.get_bind().dialect.name == "sqlite":
        # UTCDateTime stores 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC on SQLite.
        bucket = func.substr(Contact.at, 1, 13)
        rows = session.exec(select(bucket, func.count()).where(in_period).group_by(bucket)).all()
        return [(datetime.strptime(str(b), "%Y-%m-%d %H").replace(tzinfo=UTC), int(n)) for b, n in rows]
    bucket = func.date_trunc("hour", func.timezone("UTC", Contact.at))
    rows = session.exec(select(bucket, func.count()).where(in_period).group_by(bucket)).all()
    return [(b.astimezone(UTC) if b.tzinfo else b.replace(tzinfo=UTC), int(n)) for b, n in rows]


def _counts(counts: dict, names: dict[str, str]) -> list[Count]:
    return sorted((Count(code or "", names.get(code or "", code or "(none)"), int(n)) for code, n in counts.items()),
                  key=lambda c: (-c.count, c.name))


REPORT_COLUMNS = ("date", "time", "channel", "reason", "outcome", "team", "reason_name", "other_reasons",
                  "caller", "identity_check", "agency", "case_ref", "staff")
"""``report contacts`` CSV header: codes in the contract's columns, names alongside. No personal data."""


def contact_report_rows(ctx: ServiceContext, start: date, end: date) -> Iterator[dict[str, str]]:
    """One row per contact in the period, oldest first (streamed in batches).

    Permission and the period are checked now, before any row (so a refusal prints nothing).
    The rows hold no personal data, so case.view is enough (the batch role has it).
    """
    if not (ctx.can("statistics.view") or ctx.can("case.view")):
        raise PermissionDenied("your role may not produce contact reports (statistics.view); ask a team leader")
    _check_period(start, end)
    return _report_rows(ctx, start, end)


def _report_rows(ctx: ServiceContext, start: date, end: date) -> Iterator[dict[str, str]]:
    ref = fd_reference(ctx)
    low, high = _bounds(start, end)
    batch = 2000
    last_at: datetime | None = None
    last_id = 0
    with session_scope(ctx.engine) as session:
        while True:
            query = (select(Contact, Team.code, StaffUser.username, Case.ref)
                     .join(Team, Team.id == Contact.team_id, isouter=True)
                     .join(StaffUser, StaffUser.id == Contact.staff_id, isouter=True)
                     .join(Case, Case.id == Contact.case_id, isouter=True)
                     .where(Contact.at >= low, Contact.at <= high))
            if last_at is not None:
                query = query.where((col(Contact.at) > last_at) | and_(col(Contact.at) == last_at, col(Contact.id) > last_id))
            rows = session.exec(query.order_by(Contact.at, Contact.id).limit(batch)).all()
            if not rows:
                return
            ids = [c.id for c, *_ in rows]
            reasons: dict[int, list[str]] = {}
            for cid, code in session.exec(select(ContactReason.contact_id, ContactReason.reason_code)
                                          .where(col(ContactReason.contact_id).in_(ids))
                                          .order_by(ContactReason.contact_id, ContactReason.position)).all():
                reasons.setdefault(cid, []).append(code)
            for contact, team, staff, case_ref in rows:
                local = to_local(contact.at)
                codes = reasons.get(contact.id) or [contact.reason]
                caller = ("anonymous" if contact.anonymous else "third_party" if contact.third_party_name
                          else "person" if contact.person_id else "unknown")
                yield {
                    "date": local.strftime("%Y-%m-%d"), "time": local.strftime("%H:%M"), "channel": contact.channel,
                    "reason": codes[0], "outcome": contact.outcome or "", "team": team or "",
                    "reason_name": ref.reason_label(codes[0]),
                    "other_reasons": "; ".join(ref.reason_label(c) for c in codes[1:]), "caller": caller,
                    "identity_check": contact.id_check_result or "", "agency": contact.agency_code or "",
                    "case_ref": case_ref or "", "staff": staff or "",
                }
            last_at, last_id = rows[-1][0].at, rows[-1][0].id
            if len(rows) < batch:
                return


@dataclass(frozen=True)
class DeskCounts:
    """The front desk's numbers for the duty dashboard, right now."""

    waiting: int
    longest_wait_minutes: float | None
    with_staff: int
    follow_ups_today: int
    follow_ups_overdue: int
    contacts_today: int


def desk_counts(ctx: ServiceContext) -> DeskCounts:
    """Callers waiting (and the longest wait), with staff, today's callbacks/appointments, contacts today."""
    from duty_tui.areas.frontdesk.db.models import FollowUp

    ctx.require("case.view")
    now = ctx.now()
    today = ctx.today()
    start, end = start_of_local_day(today), end_of_local_day(today)
    with session_scope(ctx.engine) as session:
        visits = session.exec(select(ReceptionVisit.status, ReceptionVisit.arrived_at)
                              .where(ReceptionVisit.visit_date == today,
                                     col(ReceptionVisit.status).in_(("waiting", "called")))).all()
        due_today, overdue = session.exec(
            select(func.sum(sql_case((and_(col(FollowUp.due_at) >= start, col(FollowUp.due_at) <= end), 1), else_=0)),
                   func.sum(sql_case((col(FollowUp.due_at) < now, 1), else_=0)))
            .where(FollowUp.status == "open", FollowUp.due_at <= end)).one()
        contacts = session.exec(select(func.count()).select_from(Contact)
                                .where(Contact.at >= start, Contact.at <= end)).one()
    waiting = [arrived for status, arrived in visits if status == "waiting"]
    return DeskCounts(
        waiting=len(waiting), longest_wait_minutes=max((waited_minutes(a, now) for a in waiting), default=None),
        with_staff=sum(1 for status, _a in visits if status == "called"), follow_ups_today=int(due_today or 0),
        follow_ups_overdue=int(overdue or 0), contacts_today=int(contacts or 0))
