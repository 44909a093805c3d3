"""What the front desk demo (demo.py) builds on: how much history each size gets, the weights and
wordings it draws from, the tables' columns, and the base demo office read back (people, tenancies,
teams, staff, the next free ids).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import text

from duty_tui.core.domain.local_time import UK


@dataclass(frozen=True)
class Scale:
    """How much history a demo size gets."""

    contacts_per_day: int
    visits_per_day: int
    complaints: int
    repairs: int
    open_repairs: int
    hazards: int
    safeguarding: int
    follow_ups_today: int


SCALES = {
    "small": Scale(8, 6, 24, 90, 25, 12, 4, 6),
    "office": Scale(50, 25, 120, 700, 160, 40, 12, 20),
    "council": Scale(600, 80, 1_500, 14_000, 5_200, 300, 60, 60),
}

CHANNEL_WEIGHTS = (("phone", 44), ("face_to_face", 24), ("email", 14), ("web_form", 9), ("letter", 4),
                   ("social_media", 3), ("councillor_mp", 2))
"""How contacts reach a typical housing front office (phone first, then the desk)."""

REASON_WEIGHTS = {
    "rent.balance": 14, "rent.payment": 10, "rent.arrears": 6, "rent.benefits": 5, "repairs.report": 16,
    "repairs.chase": 9, "repairs.damp_mould": 2, "repairs.emergency_hazard": 1, "homelessness.approach": 3,
    "homelessness.tonight": 1, "homelessness.advice": 4, "asb.report": 3, "asb.update": 2, "register.status": 7,
    "register.apply": 3, "register.change": 2, "lettings.offer": 1, "tenancy.change": 2, "complaint.new": 2,
    "complaint.chase": 1, "complaint.compliment": 1, "service.request": 4, "safeguarding.child": 0,
    "safeguarding.adult": 0, "general.other": 6, "general.directions": 3,
}

OUTCOMES_BY_REASON = {
    "rent.balance": (("resolved", 90), ("callback", 6), ("routed", 4)),
    "rent.payment": (("resolved", 95), ("signposted", 5)),
    "rent.arrears": (("routed", 50), ("appointment", 20), ("signposted", 20), ("callback", 10)),
    "rent.benefits": (("resolved", 50), ("signposted", 30), ("routed", 20)),
    "homelessness.advice": (("resolved", 45), ("signposted", 45), ("appointment", 10)),
    "homelessness.approach": (("routed", 70), ("appointment", 30)),
    "register.status": (("resolved", 85), ("callback", 15)),
    "general.other": (("resolved", 70), ("signposted", 20), ("callback", 10)),
    "general.directions": (("resolved", 100),),
}
DEFAULT_OUTCOMES = (("resolved", 55), ("routed", 25), ("callback", 12), ("signposted", 5), ("appointment", 3))
AGENCIES_FOR = {
    "rent.arrears": ("stepchange", "national_debtline", "citizens_advice"), "rent.benefits": ("citizens_advice",),
    "homelessness.advice": ("shelter", "citizens_advice"), "general.other": ("citizens_advice", "food_bank",
                                                                             "samaritans", "age_uk"),
    "rent.payment": ("citizens_advice",),
}
NOTES = {
    "rent.balance": ("Balance given after the identity check.", "Told the balance; offered a statement."),
    "repairs.report": ("Leaking kitchen tap reported.", "Front door lock sticking.", "Bathroom extractor not working.",
                       "Broken window catch in the bedroom.", "No hot water since yesterday."),
    "repairs.damp_mould": ("Black mould on the bedroom wall; child with asthma.", "Condensation and mould in the "
                           "bathroom ceiling.", "Damp patch spreading on the living room wall."),
    "repairs.emergency_hazard": ("Smell of gas in the kitchen.", "Exposed live wires at the fuse box.",
                                 "Ceiling bowing after a leak from the flat above."),
    "complaint.new": ("Unhappy with the time the repair is taking.", "Says the operative was rude.",
                      "Complains about repeated missed appointments.", "Unhappy with how ASB report was handled."),
}
CONTACT_COLUMNS = ("id", "at", "channel", "person_id", "staff_id", "reason", "outcome", "team_id", "case_id", "notes",
                   "version", "logged_at", "anonymous", "third_party_name", "third_party_org",
                   "third_party_relationship", "third_party_phone", "id_check_method", "id_check_result",
                   "agency_code")
REASON_COLUMNS = ("id", "contact_id", "reason_code", "position")
VISIT_COLUMNS = ("id", "office_id", "visit_date", "ticket", "caller_name", "person_id", "reason_code", "needs",
                 "interpreter_language", "arrived_at", "status", "called_at", "called_by", "desk", "finished_at",
                 "contact_id", "added_by", "version")
CASE_COLUMNS = ("id", "ref", "case_type", "status", "team_id", "assignee_id", "person_id", "household_id",
                "tenancy_id", "summary", "priority", "opened_at", "due_at", "closed_at", "outcome", "version",
                "clock_kind", "clock_name", "clock_started_at", "created_by", "escalated_at")
EVENT_COLUMNS = ("id", "case_id", "at", "actor_id", "kind", "summary", "detail", "contact_id")
STAGE_COLUMNS = ("id", "case_id", "scheme", "stage", "started_at", "ack_due", "acknowledged_at", "response_due",
                 "extension_days", "extension_reason", "extended_at", "handler_id", "responded_at", "outcome",
                 "response_summary", "version")
REPAIR_COLUMNS = ("id", "case_id", "priority", "target_at", "location", "hazard", "awaab", "aware_at",
                  "emergency_due_at", "made_safe_at", "investigate_due", "investigated_on", "significant",
                  "summary_due", "summary_sent_on", "safety_works_due", "safety_works_done_on", "further_start_due",
                  "further_started_on", "further_begun_by", "further_begun_on", "completed_at", "version")
CONCERN_COLUMNS = ("id", "case_id", "contact_id", "kind", "subject_person_id", "subject_name", "details", "raised_at",
                   "raised_by", "version")
FOLLOW_UP_COLUMNS = ("id", "kind", "contact_id", "person_id", "case_id", "team_id", "assignee_id", "due_at", "phone",
                     "place", "notes", "status", "done_at", "done_by", "created_at", "created_by", "version")
LOCATIONS = ("kitchen", "bathroom", "bedroom", "living room", "hallway", "loft", "garden", "communal stairs")
FORENAMES = ("Amir", "Beth", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Hassan", "Iris", "Jack", "Kasia", "Leon")
SURNAMES = ("Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones")


@dataclass
class _Ids:
    """Next free id per table, and the next case ref number."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass(frozen=True)
class _Tenant:
    person_id: int
    household_id: int | None
    tenancy_id: int | None


def _moment(day: date, minutes: int) -> datetime:
    """UK wall-clock ``minutes`` after midnight on ``day``, as aware UTC."""
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UK).astimezone(UTC)


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class _Base:
    """What the base demo office holds that the front desk builds on."""

    tenants: list[_Tenant]
    others: list[int]
    teams: dict[str, int]
    staff_by_team: dict[str, list[int]]
    leaders_by_team: dict[str, list[int]]
    front: list[int]
    office_id: int | None
    names: dict[int, str]
    ids: _Ids
    next_case: int
    bare_contacts: list[tuple[int, str]]

    @classmethod
    def read(cls, connection) -> _Base:
        q = lambda sql: connection.execute(text(sql)).all()  # noqa: E731
        tenants = [_Tenant(p, h, t) for p, h, t in q(
            "SELECT m.person_id, m.household_id, t.id FROM household_member m JOIN tenancy t "
            "ON t.household_id = m.household_id AND t.status = 'current' WHERE m.is_lead = :yes ORDER BY m.person_id"
            .replace(":yes", "true" if connection.dialect.name == "postgresql" else "1"))]
        tenant_ids = {t.person_id for t in tenants}
        others = [p for (p,) in q("SELECT id FROM person ORDER BY id LIMIT 20000") if p not in tenant_ids]
        teams = {code: tid for tid, code in q("SELECT id, code FROM team")}
        staff_by_team: dict[str, list[int]] = {}
        leaders: dict[str, list[int]] = {}
        names = {}
        for sid, tid, role, name in q("SELECT id, team_id, role, display_name FROM staff_user WHERE active = "
                                      + ("true" if connection.dialect.name == "postgresql" else "1") + " ORDER BY id"):
            code = next((c for c, i in teams.items() if i == tid), None)
            names[sid] = name
            if code is None:
                continue
            staff_by_team.setdefault(code, []).append(sid)
            if role == "team_leader":
                leaders.setdefault(code, []).append(sid)
        front = staff_by_team.get("reception", []) or [s for ids in staff_by_team.values() for s in ids][:5]
        office = q("SELECT min(id) FROM office")[0][0]
        ids = _Ids({table: (q(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0] or 0) + 1 for table in (
            "contact", "contact_reason", "reception_visit", "work_case", "case_event", "complaint_stage",
            "repair_detail", "safeguarding_concern", "follow_up")})
        top = q("SELECT max(ref) FROM work_case WHERE ref >= 'C0000000' AND ref <= 'C9999999' AND length(ref) = 8")
        next_case = int(top[0][0][1:]) + 1 if top and top[0][0] else 1
        bare = q("SELECT c.id, c.reason FROM contact c WHERE NOT EXISTS "
                 "(SELECT 1 FROM contact_reason r WHERE r.contact_id = c.id)")
        return cls(tenants, others, teams, staff_by_team, leaders, front, office, names, ids, next_case,
                   [(cid, reason) for cid, reason in bare])
