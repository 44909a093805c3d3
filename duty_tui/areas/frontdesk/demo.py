"""Demo front-desk history: a year of contacts across channels and reasons, reception visits with
waiting times, complaints and repairs (Awaab's Law hazards included) at every stage, some overdue,
safeguarding concerns, and today's callbacks and appointments.

Runs on top of the base demo office (``demo.generator``): it reads people, tenancies, teams and
staff, never changes the base rows (it only adds reason rows for the base's contacts), and writes
its own rows in bulk (``demo.bulk.Loader``). Deterministic per seed and ``today``; every date is
on or before ``today``. The clocks come from the same domain rules the app uses.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from duty_tui.areas.frontdesk.demo_hazards import damp_mould_steps, emergency_steps
from duty_tui.areas.frontdesk.demo_office import (
    AGENCIES_FOR,
    CASE_COLUMNS,
    CHANNEL_WEIGHTS,
    CONCERN_COLUMNS,
    CONTACT_COLUMNS,
    DEFAULT_OUTCOMES,
    EVENT_COLUMNS,
    FOLLOW_UP_COLUMNS,
    FORENAMES,
    LOCATIONS,
    NOTES,
    OUTCOMES_BY_REASON,
    REASON_COLUMNS,
    REASON_WEIGHTS,
    REPAIR_COLUMNS,
    SCALES,
    STAGE_COLUMNS,
    SURNAMES,
    VISIT_COLUMNS,
    Scale,
    _Base,
    _moment,
    _pick,
    _Tenant,
)
from duty_tui.areas.frontdesk.domain import hazards
from duty_tui.areas.frontdesk.domain.complaints import stage_clock
from duty_tui.areas.frontdesk.domain.reference import load_frontdesk_reference
from duty_tui.areas.frontdesk.domain.rules import deadline_at, end_of_day_utc
from duty_tui.core.config.settings import DEFAULTS
from duty_tui.core.demo.bulk import Loader
from duty_tui.core.domain.clocks import WorkingCalendar, is_jurisdiction
from duty_tui.core.domain.local_time import UK, display_date


def generate_frontdesk(engine: Engine, *, seed: int, today: date, size: str, jurisdiction: str,
                       now: datetime | None = None) -> dict[str, int]:
    """Add the front desk's year of history to the demo office; returns rows written per table.

    ``now`` is the moment of the run (``duty-tui demo`` passes the real time): nothing today happens
    after it, so the queue at reception holds people who have already arrived. Without it (tests,
    benchmarks) the day stands at 11:30, so the same seed and day give the same rows.
    """
    scale = SCALES.get(size, SCALES["office"])
    ref = load_frontdesk_reference(DEFAULTS["data_dir"])
    calendar = WorkingCalendar(jurisdiction if is_jurisdiction(jurisdiction) else "england")
    rng = random.Random(f"duty-tui frontdesk/{seed}")
    with engine.connect() as connection:
        loader = Loader(connection)
        db = _Base.read(connection)
        if not db.tenants or not db.teams:
            return {}
        loader.begin_load()
        try:
            writer = _Writer(loader, rng, db, ref, calendar, today, scale, jurisdiction, now)
            writer.run()
        finally:
            loader.end_load()
        loader.finish(["contact", "contact_reason", "reception_visit", "work_case", "case_event", "complaint_stage",
                       "repair_detail", "safeguarding_concern", "follow_up"])
        return dict(loader.counts)


class _Writer:
    """Builds and writes the rows, table by table."""

    def __init__(self, loader: Loader, rng: random.Random, db: _Base, ref, calendar: WorkingCalendar, today: date,
                 scale: Scale, jurisdiction: str, now: datetime | None = None) -> None:
        self.loader, self.rng, self.db, self.ref, self.calendar = loader, rng, db, ref, calendar
        self.today, self.scale, self.jurisdiction = today, scale, jurisdiction
        # The demo's "now": the run's own moment, kept within today; late morning when not given.
        start_of_day, end_of_day = _moment(today, 0), _moment(today, 23 * 60 + 59)
        self.now = min(max(now, start_of_day), end_of_day) if now is not None else _moment(today, 11 * 60 + 30)
        self.cases: list[tuple] = []
        self.events: list[tuple] = []
        self.contacts: list[tuple] = []
        self.reasons: list[tuple] = []
        self.stages: list[tuple] = []
        self.repairs: list[tuple] = []
        self.concerns: list[tuple] = []
        self.follow_ups: list[tuple] = []

    # -- helpers -----------------------------------------------------------------------------------

    def staff(self, team: str) -> int | None:
        ids = self.db.staff_by_team.get(team) or self.db.front
        return self.rng.choice(ids) if ids else None

    def front(self) -> int | None:
        return self.rng.choice(self.db.front) if self.db.front else None

    def tenant(self) -> _Tenant:
        return self.rng.choice(self.db.tenants)

    def case_ref(self) -> str:
        ref = f"C{self.db.next_case:07d}"
        self.db.next_case += 1
        return ref

    def m(self, value: datetime | None):
        return self.loader.moment(value)

    def d(self, value: date | None):
        return self.loader.day(value)

    def event(self, case_id: int, at: datetime, actor: int | None, kind: str, summary: str,
              detail: str | None = None, contact_id: int | None = None) -> None:
        self.events.append((self.db.ids.take("case_event"), case_id, self.m(at), actor, kind, summary[:200], detail,
                            contact_id))

    def contact(self, at: datetime, channel: str, person: int | None, staff: int | None, reasons: list[str],
                outcome: str, team: str, case_id: int | None, notes: str, **extra) -> int:
        cid = self.db.ids.take("contact")
        reason_defs = [self.ref.reasons[r] for r in reasons]
        id_method = extra.get("id_check_method")
        if id_method is None and person is not None and any(r.needs_identity_check for r in reason_defs):
            id_method = self.rng.choice(("tenancy_ref", "date_of_birth", "address"))
            extra.setdefault("id_check_result", "passed" if self.rng.random() < 0.93 else "failed")
        self.contacts.append((cid, self.m(at), channel, person, staff, reasons[0], outcome, self.db.teams.get(team),
                              case_id, notes, 1, self.m(at + timedelta(minutes=self.rng.randint(0, 4))),
                              bool(extra.get("anonymous", False)), extra.get("third_party_name"),
                              extra.get("third_party_org"), extra.get("third_party_relationship"),
                              extra.get("third_party_phone"), id_method, extra.get("id_check_result"),
                              extra.get("agency_code")))
        for position, code in enumerate(reasons):
            self.reasons.append((self.db.ids.take("contact_reason"), cid, code, position))
        return cid

    def open_case(self, *, case_type: str, team: str, person: _Tenant | None, summary: str, opened: datetime,
                  due: datetime | None, clock_kind: str | None, clock_name: str | None, priority: str = "normal",
                  closed: datetime | None = None, outcome: str | None = None, assignee: int | None = None,
                  created_by: int | None = None, escalated: datetime | None = None) -> tuple[int, str]:
        case_id = self.db.ids.take("work_case")
        ref = self.case_ref()
        status = "closed" if closed else ("in_progress" if assignee else "open")
        self.cases.append((case_id, ref, case_type, status, self.db.teams.get(team), assignee,
                           person.person_id if person else None, person.household_id if person else None,
                           person.tenancy_id if person else None, summary[:200], priority, self.m(opened), self.m(due),
                           self.m(closed), outcome, 1, clock_kind, clock_name, self.m(opened), created_by,
                           self.m(escalated)))
        self.event(case_id, opened, created_by, "opened", f"Opened for {team}" + (f": {clock_name}" if clock_name else ""))
        if closed:
            self.event(case_id, closed, assignee, "closed", f"Closed: {(outcome or 'resolved').replace('_', ' ')}")
        return case_id, ref

    def random_moment(self, day: date) -> datetime:
        return _moment(day, self.rng.randint(8 * 60 + 45, 16 * 60 + 50))

    def working_days_back(self, start: int, end: int) -> Iterator[date]:
        for back in range(end, start - 1, -1):
            day = self.today - timedelta(days=back)
            if self.calendar.is_working_day(day):
                yield day

    # -- the history ---------------------------------------------------------------------------------

    def run(self) -> None:
        for cid, reason in self.db.bare_contacts:  # the base office's month of contacts
            if reason in self.ref.reasons:
                self.reasons.append((self.db.ids.take("contact_reason"), cid, reason, 0))
        self.build_contacts()
        self.build_complaints()
        self.build_repairs()
        self.build_safeguarding()
        self.build_visits()
        self.build_follow_ups()
        self.write()

    def build_contacts(self) -> None:
        """A year of everyday contacts before the base office's last month (which it already has)."""
        reasons = [(code, w) for code, w in REASON_WEIGHTS.items() if w and code in self.ref.reasons
                   and self.ref.reasons[code].intake not in ("complaint", "damp_mould", "emergency_hazard", "repair")]
        for back in range(365, 30, -1):
            day = self.today - timedelta(days=back)
            open_day = self.calendar.is_working_day(day)
            count = self.scale.contacts_per_day if open_day else max(1, self.scale.contacts_per_day // 12)
            count = max(0, int(count * self.rng.uniform(0.75, 1.25)))
            for _ in range(count):
                channel = _pick(self.rng, CHANNEL_WEIGHTS)
                if not open_day and channel in ("face_to_face", "phone", "councillor_mp"):
                    channel = self.rng.choice(("email", "web_form"))
                code = _pick(self.rng, reasons)
                reason = self.ref.reasons[code]
                outcome = _pick(self.rng, OUTCOMES_BY_REASON.get(code, DEFAULT_OUTCOMES))
                anonymous = channel in ("phone", "face_to_face") and self.rng.random() < 0.04 and \
                    not reason.needs_identity_check
                person = None if anonymous else (self.tenant() if self.rng.random() < 0.8 else None)
                extra: dict = {"anonymous": anonymous}
                if outcome == "signposted":
                    extra["agency_code"] = self.rng.choice(AGENCIES_FOR.get(code, ("citizens_advice", "shelter")))
                if channel == "councillor_mp" or (person is not None and self.rng.random() < 0.03):
                    extra.update(third_party_name=f"Cllr {self.rng.choice(SURNAMES)}" if channel == "councillor_mp"
                                 else f"{self.rng.choice(FORENAMES)} {self.rng.choice(SURNAMES)}",
                                 third_party_org="Ward councillor" if channel == "councillor_mp" else None,
                                 third_party_relationship="councillor" if channel == "councillor_mp" else "advocate")
                others = [c for c, _w in reasons if c != code]
                codes = [code] + ([self.rng.choice(others)] if self.rng.random() < 0.08 else [])
                notes = self.rng.choice(NOTES.get(code, ("Enquiry answered.", "Advice given.", "Passed on.")))
                at = self.random_moment(day) if open_day else _moment(day, self.rng.randint(7 * 60, 22 * 60))
                staff = self.front() if channel in ("phone", "face_to_face") else self.staff(reason.team)
                case_id = None
                if outcome == "routed":
                    due = deadline_at(*self._clock(reason.clock), at, self.calendar) if self._clock(reason.clock) else None
                    closed = at + timedelta(days=self.rng.randint(1, 25))
                    case_id, _ref = self.open_case(case_type=reason.case_type, team=reason.team,
                                                   person=person if isinstance(person, _Tenant) else None,
                                                   summary=f"{reason.label}: {notes}", opened=at, due=due,
                                                   clock_kind="working_days" if due else None,
                                                   clock_name=f"{reason.name}: {self.ref.clocks[reason.clock].name}"
                                                   if due else None, closed=closed if closed < self.now else None,
                                                   outcome="resolved", assignee=self.staff(reason.team),
                                                   created_by=staff)
                self.contact(at, channel, person.person_id if isinstance(person, _Tenant) else None, staff, codes,
                             outcome, reason.team, case_id, notes, **extra)
                if case_id is not None:
                    self.event(case_id, at, staff, "contact", f"From {channel.replace('_', ' ')}: {reason.label}",
                               contact_id=self.contacts[-1][0])

    def _clock(self, code: str) -> tuple[str, int] | None:
        clock = self.ref.clocks.get(code)
        if clock is None or clock.kind not in ("working_days", "hours", "same_day"):
            return None
        return clock.kind, clock.amount

    def build_complaints(self) -> None:
        """Complaints at every stage: waiting acknowledgement (some overdue), acknowledged, extended, answered,
        escalated to stage 2, and closed."""
        scheme = self.ref.complaint_scheme(self.jurisdiction)
        handlers = self.db.staff_by_team.get("complaints") or self.db.front
        for n in range(self.scale.complaints):
            # Most complaints are old and closed; the last few dozen are at every open stage.
            recent = n >= self.scale.complaints - max(12, self.scale.complaints // 8)
            self._complaint(recent, scheme, handlers)

    def _complaint(self, recent: bool, scheme, handlers: list[int]) -> None:
        """One complaint: its case, the contact it came by, stage 1 and (for some) stage 2, closed or open."""
        received = self._complaint_received(recent)
        person = self.tenant()
        notes = self.rng.choice(NOTES["complaint.new"])
        staff = self.front()
        handler1 = self.rng.choice(handlers) if handlers else None
        s1 = scheme.stage(1)
        state = self.rng.choices(("closed1", "closed2", "await_ack", "await_response", "extended", "stage2"),
                                 (80, 20, 0, 0, 0, 0) if not recent else (15, 5, 25, 25, 15, 15))[0]
        acked = None
        if state != "await_ack":
            ack_day = min(self.calendar.add_working_days(received.astimezone(UK).date(), self.rng.randint(0, 6)),
                          self.today)
            acked = _moment(ack_day, 10 * 60) if _moment(ack_day, 10 * 60) <= self.now else self.now
        clock1 = stage_clock(s1, received.astimezone(UK).date(), self.calendar,
                             acknowledged=acked.astimezone(UK).date() if acked else None,
                             extension_days=5 if state == "extended" else 0)
        responded1 = None
        if state in ("closed1", "closed2", "stage2"):
            resp_day = min(self.calendar.add_working_days(acked.astimezone(UK).date(), self.rng.randint(4, 13)),
                           self.today)
            responded1 = max(acked, _moment(resp_day, 15 * 60)) if acked else None
            if responded1 and responded1 > self.now:
                responded1 = self.now
        closed = responded1 + timedelta(hours=1) if state == "closed1" and responded1 else None
        if state == "await_ack":
            due, clock_name = end_of_day_utc(clock1.ack_due), f"{s1.name} acknowledgement"
        elif state in ("await_response", "extended"):
            due, clock_name = end_of_day_utc(clock1.response_due), f"{s1.name} response"
        else:
            due, clock_name = None, f"{s1.name} answered"
        case_id, _ref = self.open_case(case_type="complaint", team="complaints", person=person,
                                       summary=f"Complaint › New complaint — {notes}", opened=received, due=due,
                                       clock_kind="working_days", clock_name=clock_name,
                                       assignee=handler1 if acked else None, created_by=staff)
        cid = self.contact(received, _pick(self.rng, CHANNEL_WEIGHTS[:4]), person.person_id, staff,
                           ["complaint.new"], "routed", "complaints", case_id, notes)
        self.event(case_id, received, staff, "clock", f"{scheme.name}: {s1.name} — acknowledge by "
                   f"{display_date(clock1.ack_due, weekday=True)}", contact_id=cid)
        self._stage1_rows(case_id, scheme.code, state, received, clock1, acked, handler1, responded1)
        if state in ("closed2", "stage2") and responded1 is not None:
            closed = self._stage2(case_id, scheme, state, handlers, handler1, responded1)
        if closed is not None:
            row = list(self.cases[-1])
            row[3], row[13], row[14], row[12] = "closed", self.m(closed), "resolved", None
            self.cases[-1] = tuple(row)
            self.event(case_id, closed, handler1, "closed", "Closed: resolved")

    def _complaint_received(self, recent: bool) -> datetime:
        back = self.rng.randint(1, 40) if recent else self.rng.randint(41, 360)
        day = self.today - timedelta(days=back)
        if not self.calendar.is_working_day(day):
            day = self.calendar.add_working_days(day, 0)
            if day > self.today:
                day = self.today - timedelta(days=3)
        received = self.random_moment(day)
        return self.now - timedelta(hours=2) if received > self.now else received

    def _stage1_rows(self, case_id: int, scheme_code: str, state: str, received: datetime, clock1,
                     acked: datetime | None, handler1: int | None, responded1: datetime | None) -> None:
        self.stages.append((self.db.ids.take("complaint_stage"), case_id, scheme_code, 1, self.m(received),
                            self.d(clock1.ack_due), self.m(acked), self.d(clock1.response_due),
                            5 if state == "extended" else 0,
                            "Waiting for the contractor's report" if state == "extended" else None,
                            self.m(acked + timedelta(days=2)) if state == "extended" and acked else None,
                            handler1 if acked else None, self.m(responded1),
                            self.rng.choice(("upheld", "partly_upheld", "not_upheld")) if responded1 else None,
                            "Apology and remedy offered." if responded1 else None, 1))
        if acked:
            self.event(case_id, acked, handler1, "acknowledged", f"Stage 1 acknowledged; respond by "
                       f"{display_date(clock1.response_due, weekday=True)}")
        if responded1:
            self.event(case_id, responded1, handler1, "responded", "Stage 1 response sent")

    def _stage2(self, case_id: int, scheme, state: str, handlers: list[int], handler1: int | None,
                responded1: datetime) -> datetime | None:
        """Escalation to stage 2 (answered when ``state`` is closed2); returns when the case closed, if it has."""
        s2 = scheme.stage(2)
        start2 = min(responded1 + timedelta(days=self.rng.randint(2, 20)), self.now - timedelta(hours=3))
        others = [h for h in handlers if h != handler1] or handlers
        handler2 = self.rng.choice(others) if others else None
        acked2 = start2 + timedelta(days=2) if start2 + timedelta(days=2) < self.now else None
        clock2 = stage_clock(s2, start2.astimezone(UK).date(), self.calendar,
                             acknowledged=acked2.astimezone(UK).date() if acked2 else None)
        responded2 = closed = None
        if state == "closed2":
            responded2 = min(start2 + timedelta(days=self.rng.randint(10, 28)), self.now)
            closed = responded2 + timedelta(hours=1)
            if closed > self.now:
                closed = None
        self.stages.append((self.db.ids.take("complaint_stage"), case_id, scheme.code, 2, self.m(start2),
                            self.d(clock2.ack_due), self.m(acked2), self.d(clock2.response_due), 0, None, None,
                            handler2, self.m(responded2), "not_upheld" if responded2 else None,
                            "Stage 1 decision upheld." if responded2 else None, 1))
        self.event(case_id, start2, handler2, "escalated", f"Escalated to {s2.name}")
        if state == "stage2":
            row = list(self.cases[-1])
            row[12] = self.m(end_of_day_utc(clock2.ack_due if acked2 is None else clock2.response_due))
            row[17] = f"{s2.name} {'acknowledgement' if acked2 is None else 'response'}"
            row[5] = handler2
            self.cases[-1] = tuple(row)
        return closed

    def build_repairs(self) -> None:
        """Repairs over the year (most done), open ones in the repairs queue, and Awaab's Law hazards at every step."""
        ref = self.ref
        jurisdiction = self.jurisdiction
        normal = [p for p in ref.repair_priorities.values() if p.offered_in(jurisdiction) and p.kind == "working_days"]
        awaab = hazards.applies_in(jurisdiction)
        total = self.scale.repairs
        open_count = self.scale.open_repairs
        for n in range(total):
            is_open = n >= total - open_count
            # Open repairs are mostly within target; about one in seven is overdue.
            back = (self.rng.randint(0, 12) if self.rng.random() < 0.85 else self.rng.randint(13, 45)) if is_open \
                else self.rng.randint(30, 364)
            day = self.today - timedelta(days=back)
            if not self.calendar.is_working_day(day):
                day = self.today - timedelta(days=back + 2)
            at = min(self.random_moment(day), self.now - timedelta(minutes=20))
            priority = self.rng.choices(normal, [3 if p.amount <= 5 else 5 for p in normal])[0]
            person = self.tenant()
            notes = self.rng.choice(NOTES["repairs.report"])
            target = deadline_at(priority.kind, priority.amount, at, self.calendar)
            completed = None if is_open else min(at + timedelta(days=self.rng.randint(1, 30)), self.now)
            staff = self.front()
            case_id, _ref = self.open_case(case_type="repair", team="repairs", person=person,
                                           summary=f"Repairs › Report a repair — {notes}", opened=at,
                                           due=None if completed else target, clock_kind="working_days",
                                           clock_name=f"Repair target ({priority.code})",
                                           closed=completed + timedelta(hours=2) if completed else None,
                                           outcome="completed" if completed else None,
                                           assignee=self.staff("repairs") if self.rng.random() < 0.6 else None,
                                           created_by=staff)
            cid = self.contact(at, _pick(self.rng, CHANNEL_WEIGHTS[:3]), person.person_id, staff, ["repairs.report"],
                               "routed", "repairs", case_id, notes)
            self.event(case_id, at, staff, "clock", f"{priority.name}: target {display_date(target.astimezone(UK), weekday=True)}",
                       contact_id=cid)
            self.repairs.append((self.db.ids.take("repair_detail"), case_id, priority.code, self.m(target),
                                 self.rng.choice(LOCATIONS), "none", False, self.m(at), None, None, None, None, None,
                                 None, None, None, None, None, None, None, None, self.m(completed), 1))
        for n in range(self.scale.hazards):
            self._hazard(n, awaab)

    def _hazard(self, n: int, awaab: bool) -> None:
        """A damp-and-mould report or an emergency hazard at some step of its clocks."""
        rng = self.rng
        emergency = n % 5 == 0
        back = rng.choice((0, 1, 2, 4, 8, 12, 16, 25, 40, 70, 120, 200))
        day = self.today - timedelta(days=back)
        at = min(self.random_moment(day), self.now - timedelta(hours=1))
        person = self.tenant()
        staff = self.front()
        reason = "repairs.emergency_hazard" if emergency else "repairs.damp_mould"
        notes = rng.choice(NOTES[reason])
        priority_code = self.ref.default_repair_priority("emergency_hazard" if emergency else "damp_mould",
                                                         self.jurisdiction)
        priority = self.ref.repair_priorities[priority_code]
        target = deadline_at(priority.kind, priority.amount, at, self.calendar)
        row: dict = {"emergency_due_at": None, "made_safe_at": None, "investigate_due": None, "investigated_on": None,
                     "significant": None, "summary_due": None, "summary_sent_on": None, "safety_works_due": None,
                     "safety_works_done_on": None, "further_start_due": None, "further_started_on": None,
                     "further_begun_by": None, "further_begun_on": None, "completed_at": None}
        pending: list[tuple[str, datetime, str]] = []
        if emergency:
            emergency_steps(rng, n, back, at, awaab, row, pending)
        else:
            damp_mould_steps(rng, self.calendar, self.today, n, back, at.astimezone(UK).date(), awaab, row,
                             pending)
        completed = row["completed_at"]
        if completed is None:
            pending.append((f"Repair target ({priority.code})", target, "hours" if priority.kind == "hours"
                            else "working_days"))
        pending.sort(key=lambda p: p[1])
        due = pending[0] if pending else None
        case_id, _ref = self.open_case(
            case_type="repair", team="repairs", person=person, summary=f"{self.ref.reason_label(reason)} — {notes}",
            opened=at, due=due[1] if due else None, clock_kind=due[2] if due else "working_days",
            clock_name=due[0] if due else "All steps done", priority="emergency" if emergency else "urgent",
            closed=completed + timedelta(hours=1) if completed and completed < self.now else None,
            outcome="completed" if completed and completed < self.now else None,
            assignee=self.staff("repairs"), created_by=staff)
        cid = self.contact(at, "phone", person.person_id, staff, [reason], "routed", "repairs", case_id, notes)
        self._hazard_rows(case_id, cid, at, staff, priority.code, target, emergency, awaab, row)

    def _hazard_rows(self, case_id: int, cid: int, at: datetime, staff: int | None, priority_code: str,
                     target: datetime | None, emergency: bool, awaab: bool, row: dict) -> None:
        self.event(case_id, at, staff, "clock", ("Awaab's Law clocks started" if awaab else "Repair reported")
                   + (f"; investigate by {display_date(row['investigate_due'], weekday=True)}" if row["investigate_due"] else ""),
                   contact_id=cid)
        if row["investigated_on"]:
            self.event(case_id, _moment(row["investigated_on"], 14 * 60), None, "clock",
                       f"Investigation concluded on {display_date(row['investigated_on'], weekday=True)} — significant hazard")
        self.repairs.append((self.db.ids.take("repair_detail"), case_id, priority_code, self.m(target),
                             self.rng.choice(LOCATIONS), "emergency" if emergency else "damp_mould", awaab,
                             self.m(at), self.m(row["emergency_due_at"]), self.m(row["made_safe_at"]),
                             self.d(row["investigate_due"]), self.d(row["investigated_on"]), row["significant"],
                             self.d(row["summary_due"]), self.d(row["summary_sent_on"]),
                             self.d(row["safety_works_due"]), self.d(row["safety_works_done_on"]),
                             self.d(row["further_start_due"]), self.d(row["further_started_on"]),
                             self.d(row["further_begun_by"]), self.d(row["further_begun_on"]),
                             self.m(row["completed_at"]), 1))

    def build_safeguarding(self) -> None:
        """Safeguarding concerns: urgent same-day cases for the safeguarding lead, most dealt with."""
        leads = self.db.leaders_by_team.get("safeguarding") or self.db.staff_by_team.get("safeguarding") or []
        for n in range(self.scale.safeguarding):
            back = 0 if n == 0 else self.rng.randint(1, 300)
            day = self.today - timedelta(days=back)
            at = min(self.random_moment(day), self.now - timedelta(minutes=30))
            child = n % 2 == 0
            person = self.tenant()
            subject = f"{self.rng.choice(FORENAMES)} ({self.rng.randint(3, 15)})" if child else "the caller's neighbour"
            due = end_of_day_utc(at.astimezone(UK).date())
            closed = None if back == 0 else at + timedelta(hours=self.rng.randint(2, 30))
            staff = self.front()
            case_id, _ref = self.open_case(
                case_type="safeguarding", team="safeguarding", person=person,
                summary=f"SAFEGUARDING: {'child' if child else 'adult'} at risk — {subject}", opened=at,
                due=None if closed else due, clock_kind="working_days", clock_name="Safeguarding: same day",
                priority="urgent", closed=closed, outcome="referred" if closed else None,
                assignee=self.rng.choice(leads) if leads else None, created_by=staff)
            cid = self.contact(at, "face_to_face", person.person_id, staff,
                               ["safeguarding.child" if child else "safeguarding.adult"], "routed", "safeguarding",
                               case_id, "Concern raised at the desk; details passed to the safeguarding lead.")
            self.concerns.append((self.db.ids.take("safeguarding_concern"), case_id, cid, "child" if child else "adult",
                                  None, subject, "Concern raised at the desk.", self.m(at), staff, 1))

    def build_visits(self) -> None:
        """Reception arrivals on every working day of the year, with waits; today's queue part-way through."""
        desks = self.ref.policy.desks
        reasons = [c for c, w in REASON_WEIGHTS.items() if w and c in self.ref.reasons]
        weights = [REASON_WEIGHTS[c] for c in reasons]
        opening, last_in = 9 * 60, 16 * 60 + 15
        for day in self.working_days_back(0, 365):
            count = max(1, int(self.scale.visits_per_day * self.rng.uniform(0.7, 1.3)))
            ticket = 0
            is_today = day == self.today
            if is_today:
                # Today's arrivals are all before the run's "now" (issue 11 B17): the day so far, or,
                # before opening time, the hour just gone (so a demo run early still has a queue).
                now_minutes = int((self.now.astimezone(UK) - _moment(day, 0).astimezone(UK)).total_seconds() // 60)
                last = min(last_in, now_minutes - 2)
                first = opening if last - opening >= 30 else last - 60
                # At least a handful so far, so the demo always has a queue to call from.
                share = int(count * (last - first) / (last_in - opening))
                count = max(min(6, count), share) if last >= 1 else 0
            low, high = (max(0, first), max(0, last)) if is_today else (opening, last_in)
            minutes = sorted(self.rng.randint(low, high) for _ in range(count))
            if is_today and minutes:
                # The last few arrived in the past few minutes: the demo opens on a live queue.
                tail = min(3, len(minutes))
                minutes[-tail:] = sorted(self.rng.randint(max(low, high - 6), high) for _ in range(tail))
            # Tickets are handed out in the order people arrive.
            for minute in minutes:
                ticket += 1
                arrived = _moment(day, minute)
                wait = min(90.0, self.rng.lognormvariate(math.log(9), 0.6))
                person = self.tenant() if self.rng.random() < 0.7 else None
                status, called, finished, by, desk = "seen", None, None, None, None
                if self.rng.random() < 0.05:
                    status, finished = "left", arrived + timedelta(minutes=wait)
                else:
                    called = arrived + timedelta(minutes=wait)
                    finished = called + timedelta(minutes=self.rng.randint(4, 25))
                    by, desk = self.front(), self.rng.choice(desks)
                if is_today:
                    if called is not None and called > self.now:
                        status, called, finished, by, desk = "waiting", None, None, None, None
                    elif finished is not None and finished > self.now:
                        status, finished = ("called" if called else "left"), None
                name = f"{self.rng.choice(('Mr', 'Ms', 'Mrs', 'Miss'))} {self.rng.choice(SURNAMES)}" \
                    if self.rng.random() < 0.7 else None
                needs = self.rng.choice((None, None, None, None, "wheelchair user", "hearing loop", "has a buggy"))
                interpreter = self.rng.choice((None,) * 12 + ("Urdu", "Polish", "Arabic", "Romanian"))
                self.visits_row(day, f"{ticket:03d}", name, person, self.rng.choices(reasons, weights)[0], needs,
                                interpreter, arrived, status, called, by, desk, finished)

    def visits_row(self, day, ticket, name, person, reason, needs, interpreter, arrived, status, called, by, desk,
                   finished) -> None:
        if not hasattr(self, "visits"):
            self.visits: list[tuple] = []
        self.visits.append((self.db.ids.take("reception_visit"), self.db.office_id, self.d(day), ticket, name,
                            person.person_id if person else None, reason, needs, interpreter, self.m(arrived), status,
                            self.m(called), by, desk, self.m(finished), None, self.front(), 1))

    def build_follow_ups(self) -> None:
        """Callbacks and appointments: today's (some already done, some overdue from earlier) and past ones."""
        teams = [t for t in ("income", "repairs", "lettings", "options") if t in self.db.teams]
        for n in range(self.scale.follow_ups_today * 6):
            today_one = n < self.scale.follow_ups_today
            day = self.today if today_one else self.today - timedelta(days=self.rng.randint(1, 60))
            kind = "callback" if n % 3 else "appointment"
            team = self.rng.choice(teams)
            due = _moment(day, self.rng.randint(9 * 60, 16 * 60 + 30))
            done = due < self.now and (not today_one or self.rng.random() < 0.5)
            person = self.tenant()
            created = due - timedelta(days=self.rng.randint(0, 3), hours=2)
            self.follow_ups.append((self.db.ids.take("follow_up"), kind, None, person.person_id, None,
                                    self.db.teams.get(team), self.staff(team) if self.rng.random() < 0.5 else None,
                                    self.m(due), f"0{self.rng.randint(1200, 7999)} {self.rng.randint(100000, 999999)}"
                                    if kind == "callback" else None,
                                    self.rng.choice(("Interview room A", "Interview room B", "Home visit"))
                                    if kind == "appointment" else None,
                                    "Arranged at the desk.", "done" if done else "open", self.m(due) if done else None,
                                    self.staff(team) if done else None, self.m(created), self.front(), 1))

    # -- writing -----------------------------------------------------------------------------------------

    def write(self) -> None:
        insert = self.loader.insert
        insert("work_case", CASE_COLUMNS, self.cases)
        insert("contact", CONTACT_COLUMNS, self.contacts)
        insert("contact_reason", REASON_COLUMNS, self.reasons)
        insert("case_event", EVENT_COLUMNS, self.events)
        insert("complaint_stage", STAGE_COLUMNS, self.stages)
        insert("repair_detail", REPAIR_COLUMNS, self.repairs)
        insert("safeguarding_concern", CONCERN_COLUMNS, self.concerns)
        insert("reception_visit", VISIT_COLUMNS, getattr(self, "visits", []))
        insert("follow_up", FOLLOW_UP_COLUMNS, self.follow_ups)
        self.loader.commit()
