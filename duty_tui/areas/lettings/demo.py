"""The lettings area's part of the demo office (issue 16 item 9; docs/LETTINGS_DEMO.md).

Runs last (AREAS order), on the base office's people, households, homes and tenancies: a housing
register of applications for existing households in every band and every status, with their
assessments (reasons, notified, review by), checklists in every state and a few review requests; then
(``demo_homes``) the homes: property details, voids (ready, or keys back only), this week's bidding
cycle with adverts and bids, last week's cycle shortlisted with live offers and a viewing, and the
past year's lets recorded against tenancies the base office started in that year, so the re-let
statistics (`duty-tui report lettings`) have figures.

Its own random generator (``duty-tui demo/<seed>/lettings``) so no other area's draws change; rows
are bulk-inserted through the models as history (no audit events: nobody did these things today).
Deterministic for (seed, size, today).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import Engine, func, insert, select

from duty_tui.areas.lettings.db.models import (
    LettingsApplication,
    LettingsAssessment,
    LettingsCheck,
    LettingsReviewRequest,
)
from duty_tui.areas.lettings.domain.bedroom_need import bedrooms_needed
from duty_tui.areas.lettings.domain.reference import in_force, load_bands, load_bedroom_standard
from duty_tui.areas.lettings.services.register import MemberFacts, household_for_need
from duty_tui.core.config.preview import packaged_folder
from duty_tui.core.db.models import Household, HouseholdMember, Person, Property, StaffUser, Tenancy, table_of

REGISTER = {"small": 40, "office": 240, "council": 2_400}
"""Live applications (not housed) by demo size; the housed ones come with the past year's lets."""
LETS = {"small": 10, "office": 90, "council": 900}
"""Most lets recorded over the past year (against tenancies the base office started then)."""
STATUS_WEIGHTS = (("active", 62), ("new", 8), ("under_review", 5), ("suspended", 7), ("cancelled", 9),
                  ("disqualified", 4))
BAND_WEIGHTS = (("A", 8), ("B", 22), ("C", 40), ("D", 30))
BAND_REASONS = {
    "A": ("Urgent medical need: cannot manage the stairs to the current home (OT assessment attached)",
          "Management transfer: risk of violence at the current address (police reference given)"),
    "B": ("Owed the main housing duty (s193(2)); in temporary accommodation",
          "Homeless, owed the relief duty (s189B); sofa surfing with family"),
    "C": ("Overcrowded: the household lacks a bedroom under the bedroom standard",
          "Private tenancy in disrepair (category 1 hazard found by the council's inspection)",
          "Medical grounds: a condition made worse by the current home (GP letter)",
          "Hardship: must move nearer to care for a relative"),
    "D": ("Qualifies with no reasonable preference: adequately housed, wishes to move",),
}
STATUS_REASONS = {
    "suspended": ("Two unreasonable refusals of suitable offers (scheme para 8.4)",
                  "Rent arrears elsewhere without an agreement (scheme para 3.5)"),
    "cancelled": ("Applicant asked to be removed from the register", "No reply to the annual review letter"),
    "disqualified": ("Savings over the cap (scheme para 3.4)", "Not resident in the district for two years"),
    "housed": ("Housed through the register",),
}
TENURES = ("private_rented", "living_with_family", "temporary_accommodation", "council_tenant", "owner_occupier")
CHECK_ITEMS = ("identity", "residence", "household", "income", "landlord_reference", "medical")
REVIEW_DAYS = 21
"""data/lettings/reviews.toml: 21 days to ask for a review of a band or qualification decision."""


@dataclass
class Applicant:
    """An application the demo writes, with what the homes step needs to know of it."""

    household_id: int
    person_id: int
    status: str
    band: str | None
    applied_on: date
    band_on: date | None
    need: int
    lead_age: int
    accessible: str | None = None
    id: int = 0
    ref: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Office:
    """What the base office gives this step."""

    officers: list[int]
    members: dict[int, list[tuple[int, date | None, str, bool]]]
    homes: dict[int, tuple[int | None, str, int]]
    """household id -> (property id, address, bedrooms)."""
    tenancies: list[tuple[int, int, int, date, date | None, int]]
    """(id, property id, household id, start, end, weekly rent), by id."""
    properties: dict[int, tuple[str, int, str]]
    """property id -> (type, bedrooms, status)."""


def _night(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def read_office(connection) -> Office:
    s, m, p, h = table_of(StaffUser).c, table_of(HouseholdMember).c, table_of(Person).c, table_of(Household).c
    officers = list(connection.execute(select(s.id).where(
        s.active.is_(True), s.role.in_(("lettings_officer", "team_leader"))).order_by(s.id)).scalars())
    officers = officers or list(connection.execute(select(s.id).where(s.active.is_(True)).order_by(s.id)).scalars())
    members: dict[int, list[tuple[int, date | None, str, bool]]] = {}
    for hid, pid, dob, relationship, lead in connection.execute(
            select(m.household_id, m.person_id, p.date_of_birth, m.relationship, m.is_lead)
            .join(table_of(Person), p.id == m.person_id).where(m.left_on.is_(None)).order_by(m.household_id, m.id)):
        members.setdefault(hid, []).append((pid, dob, relationship, bool(lead)))
    pr = table_of(Property).c
    properties = {pid: (ptype or "", bedrooms or 1, status or "") for pid, ptype, bedrooms, status in
                  connection.execute(select(pr.id, pr.property_type, pr.bedrooms, pr.status).order_by(pr.id))}
    homes = {hid: (prop, address, properties.get(prop, ("", 1, ""))[1] if prop else 1)
             for hid, prop, address in connection.execute(
                 select(h.id, h.property_id, pr.address_line1).outerjoin(table_of(Property), pr.id == h.property_id)
                 .order_by(h.id))}
    t = table_of(Tenancy).c
    tenancies = [tuple(row) for row in connection.execute(
        select(t.id, t.property_id, t.household_id, t.start_date, t.end_date, t.weekly_rent_pence).order_by(t.id))]
    return Office(officers, members, homes, tenancies, properties)


def need_of(rng: random.Random, members: list[tuple[int, date | None, str, bool]], on: date) -> tuple[int, int] | None:
    """(bedroom need, lead's age) under the bedroom standard in force; None when a member's age is not known
    or impossible (the register service refuses those too). Children's sexes are drawn (the person
    record holds none)."""
    rule = in_force(_standards(), on)
    facts = []
    for pid, dob, relationship, lead in members:
        if dob is None or not 0 <= _age(dob, on) <= rule.max_age:
            return None
        facts.append(MemberFacts(str(pid), _age(dob, on), relationship.lower(), lead))
    lead_age = next((f.age for f in facts if f.is_lead), None)
    if lead_age is None or lead_age < rule.adult_age:
        return None
    sexes = {f.ref: rng.choice("fm") for f in facts if f.age < rule.adult_age}
    return max(1, bedrooms_needed(household_for_need(facts, sexes, rule), rule)), lead_age


@cache
def _standards() -> tuple:
    return load_bedroom_standard(packaged_folder("data"))


def _pick(rng: random.Random, weights: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w for w, _ in weights], [n for _, n in weights])[0]


def plan_register(rng: random.Random, office: Office, households: list[int], today: date) -> list[Applicant]:
    """Live applications: the first ones take every status in every band, the rest are drawn."""
    showcase = [(s, b) for s in ("active", "under_review", "suspended", "cancelled") for b in "ABCD"] + \
        [("new", None), ("disqualified", None)] * 2
    out: list[Applicant] = []
    for hid in households:
        if len(out) < len(showcase):
            status, band = showcase[len(out)]
        else:
            status = _pick(rng, STATUS_WEIGHTS)
            band = None if status in ("new", "disqualified") else _pick(rng, BAND_WEIGHTS)
        applied = today - timedelta(days=rng.randint(2, 27) if status == "new" else rng.randint(40, 1_500))
        found = need_of(rng, office.members.get(hid, []), applied)
        if found is None:
            continue
        band_on = None if band is None else min(today, applied + timedelta(days=rng.randint(10, 35)))
        lead = next(pid for pid, _, _, is_lead in office.members[hid] if is_lead)
        accessible = rng.choice(("wheelchair", "step_free", "ground_floor")) if band == "A" and rng.random() < 0.5 \
            else None
        out.append(Applicant(hid, lead, status, band, applied, band_on, found[0], found[1], accessible))
    return out


def application_row(rng: random.Random, a: Applicant, office: Office, officer: int | None) -> dict:
    _, address, bedrooms = office.homes.get(a.household_id, (None, "", 1))
    tenure = "council_tenant" if address else rng.choice(TENURES)
    reasons = rng.choice(BAND_REASONS[a.band or "D"])
    return {
        "ref": a.ref, "household_id": a.household_id, "person_id": a.person_id, "status": a.status,
        "applied_on": a.applied_on, "band": a.band, "band_effective_on": a.band_on, "bedroom_need": a.need,
        "current_home": address or "Private address (not one of ours)", "current_bedrooms": bedrooms,
        "current_tenure": tenure, "reasons": reasons,
        "local_connection": rng.choice(("Resident in the district 5+ years", "Works in the district",
                                        "Close family in the district")),
        "annual_income_pence": rng.randrange(900_000, 3_200_000, 500), "savings_pence": rng.randrange(0, 900_000, 100),
        "arrears_elsewhere_pence": 0 if rng.random() < 0.85 else rng.randrange(5_000, 150_000, 100),
        "arrears_agreement": rng.random() < 0.5,
        "homeless_duty": rng.choice(("main", "relief")) if a.band == "B" else None,
        "accessible_need": a.accessible, "unreasonable_refusals": 2 if a.status == "suspended" else 0,
        "status_reason": rng.choice(STATUS_REASONS[a.status]) if a.status in STATUS_REASONS else None,
        "created_by": officer, "created_at": _night(a.applied_on), "version": 1,
    }


def assessment_rows(rng: random.Random, a: Applicant, officer: int | None, today: date) -> list[dict]:
    """The qualification decision and (when banded) the band decision, each notified with its review day;
    a medical assessment for some band A and C cases."""
    if a.status == "new":
        return []
    decided = min(today, a.applied_on + timedelta(days=rng.randint(7, 20)))
    rows = []
    qualifies = a.status != "disqualified"
    reasons = ("Eligible (HA 1996 s160ZA) and qualifies under the scheme: residence, income and savings checked"
               if qualifies else f"Does not qualify: {rng.choice(STATUS_REASONS['disqualified'])}")
    steps: list[tuple[str, str, str | None, date, str]] = [("qualification", "qualifies" if qualifies else "does_not_qualify", None, decided, reasons)]
    if a.band is not None and qualifies:
        steps.append(("band", "banded", a.band, a.band_on or decided, rng.choice(BAND_REASONS[a.band])))
        if a.band in ("A", "C") and rng.random() < 0.4:
            steps.append(("medical", "priority_awarded" if a.band == "A" else "some_priority", None,
                          a.band_on or decided, "Medical form and GP letter considered by the medical adviser"))
    for kind, outcome, band, on, text in steps:
        notified = min(today, on + timedelta(days=rng.randint(0, 3)))
        rows.append({"application_id": a.id, "kind": kind, "outcome": outcome, "band": band, "effective_on": on,
                     "reasons": text, "rule_codes": None, "decided_by": officer, "decided_at": _night(on, 11),
                     "notified_on": notified, "review_by": notified + timedelta(days=REVIEW_DAYS)})
    return rows


def check_rows(rng: random.Random, a: Applicant, officer: int | None, today: date) -> list[dict]:
    """The checklist: requested when applied; received and verified for most settled applications, part
    way for new ones and some under review."""
    rows = []
    for item in CHECK_ITEMS:
        if item == "medical" and a.band not in ("A", "C"):
            continue
        stage = rng.choice((0, 1, 1, 2)) if a.status == "new" else (2 if rng.random() < 0.85 else rng.choice((0, 1)))
        requested = a.applied_on
        received = min(today, requested + timedelta(days=rng.randint(1, 21))) if stage >= 1 else None
        verified = _night(min(today, received + timedelta(days=rng.randint(0, 5))), 14) \
            if stage == 2 and received else None
        rows.append({"application_id": a.id, "item": item, "requested_on": requested, "received_on": received,
                     "verified_by": officer if verified else None, "verified_at": verified,
                     "note": None if stage else "Reminder sent", "version": 1})
    return rows


def review_rows(a: Applicant, assessments: list[dict], today: date) -> list[dict]:
    """An application under review: the band (or qualification) decision's review asked for, not decided."""
    if a.status != "under_review" or not assessments:
        return []
    last = assessments[-1]
    asked = min(today, last["notified_on"] + timedelta(days=5))
    return [{"assessment_id": None, "offer_id": None, "application_id": a.id, "kind": last["kind"],
             "requested_on": asked, "decide_by": asked + timedelta(weeks=8), "decided_on": None, "outcome": None,
             "reasons": "Applicant says the medical evidence was not weighed", "version": 1, "_assessment": last}]


def write_register(connection, rng: random.Random, office: Office, applicants: list[Applicant],
                   today: date) -> dict[str, int]:
    """Insert the applications (refs LA0000001…) and their assessments, checks and review requests."""
    app_t = table_of(LettingsApplication)
    start = connection.execute(select(func.count()).select_from(app_t)).scalar_one()
    rows = []
    for n, a in enumerate(applicants, start=start + 1):
        a.ref = f"LA{n:07d}"
        rows.append(application_row(rng, a, office, rng.choice(office.officers) if office.officers else None))
    if not rows:
        return {}
    connection.execute(insert(app_t), rows)
    ids = dict(connection.execute(select(app_t.c.ref, app_t.c.id).where(
        app_t.c.ref.in_([a.ref for a in applicants]))).all())
    assessments, checks, reviews = [], [], []
    for a in applicants:
        a.id = ids[a.ref]
        officer = rng.choice(office.officers) if office.officers else None
        mine = assessment_rows(rng, a, officer, today)
        assessments += mine
        checks += check_rows(rng, a, officer, today)
        reviews += review_rows(a, mine, today)
    if assessments:
        connection.execute(insert(table_of(LettingsAssessment)), assessments)
    if checks:
        connection.execute(insert(table_of(LettingsCheck)), checks)
    ass = table_of(LettingsAssessment).c
    for review in reviews:
        last = review.pop("_assessment")
        review["assessment_id"] = connection.execute(select(ass.id).where(
            ass.application_id == review["application_id"], ass.kind == last["kind"]).order_by(ass.id.desc())
            .limit(1)).scalar_one()
    if reviews:
        connection.execute(insert(table_of(LettingsReviewRequest)), reviews)
    return {"applications": len(rows), "assessments": len(assessments), "checks": len(checks),
            "review requests": len(reviews)}


def generate_lettings(engine: Engine, *, seed: int, today: date, size: str, jurisdiction: str) -> dict[str, int]:
    """The register, the homes and the bidding, offers and the past year's lets; rows added per kind."""
    from duty_tui.areas.lettings.demo_homes import plan_lets, write_homes

    del jurisdiction  # the same register in every nation of the UK (Scotland's s5 referrals are not drawn yet)
    rng = random.Random(f"duty-tui demo/{seed}/lettings")
    load_bands(packaged_folder("data"))  # the bands the demo draws are the policy's (refused at load otherwise)
    with engine.begin() as connection:
        office = read_office(connection)
        lets = plan_lets(rng, office, today, LETS.get(size, LETS["office"]))
        housed = plan_housed(rng, office, lets, today)
        taken = {a.household_id for a in housed}
        pool = sorted(hid for hid, members in office.members.items()
                      if hid not in taken and any(lead for *_, lead in members))
        chosen = sorted(rng.sample(pool, min(len(pool), REGISTER.get(size, REGISTER["office"]) * 5 // 4)))
        live = plan_register(rng, office, chosen, today)[:REGISTER.get(size, REGISTER["office"])]
        counts = write_register(connection, rng, office, live + housed, today)
        counts.update(write_homes(connection, rng, office, live, lets, today, size))
    return counts


def plan_housed(rng: random.Random, office: Office, lets: list, today: date) -> list[Applicant]:
    """A housed application for each let through the register (relets and first lets): the new tenancy's
    household, banded and applied before the offer."""
    out = []
    for let in lets:
        if let.void_type not in ("relet", "first_let"):
            continue
        applied = let.let_on - timedelta(days=rng.randint(120, 900))
        found = need_of(rng, office.members.get(let.household_id, []), applied)
        lead = next((pid for pid, _, _, is_lead in office.members.get(let.household_id, []) if is_lead), None)
        if found is None or lead is None:
            continue
        band = _pick(rng, BAND_WEIGHTS)
        applicant = Applicant(let.household_id, lead, "housed", band, applied,
                              applied + timedelta(days=rng.randint(10, 35)), found[0], found[1])
        let.applicant = applicant
        out.append(applicant)
    return out
