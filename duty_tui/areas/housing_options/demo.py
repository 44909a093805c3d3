"""Demo homelessness casework: approaches at every stage, so the options queue and the
quarter's statistics have something true to show.

Adds, on top of the base demo office: applicants (most are not tenants: private renters,
people sofa surfing, leaving institutions; some are existing tenants), their homelessness
cases through triage, prevention, relief, main duty and closure with each outcome, the
moves with dates and reasons, plan steps, s184 notices, reviews and temporary
accommodation placements. Bulk Core inserts, deterministic per seed; dates never after
``today``. Every case's clocks and queue summary come from the same domain rules the app
uses, so what the demo shows is what the app would have recorded.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker
from sqlalchemy import Engine, func, insert, select

from duty_tui.areas.housing_options.db.models import (
    HomelessCase,
    HomelessMember,
    HomelessMove,
    HomelessNotice,
    HomelessPlacement,
    HomelessPlanStep,
    HomelessReview,
    HomelessSupportNeed,
)
from duty_tui.areas.housing_options.domain.casework import (
    DAYS_56,
    CaseClockFacts,
    case_clocks,
    case_summary,
    nearest,
    next_plan_review,
    review_decision_due,
    review_request_last_day,
)
from duty_tui.areas.housing_options.domain.homelessness import PRIORITY_NEED_GROUNDS
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, HouseholdMember, Person, StaffUser, Team, table_of
from duty_tui.core.domain.clocks import WorkingCalendar, is_jurisdiction
from duty_tui.core.domain.local_time import end_of_local_day
from duty_tui.core.domain.search_keys import fold, sound

# Approaches over two years, by demo size (the issue: an office sees ~400, a council ~20,000).
APPROACHES = {"small": 120, "office": 400, "council": 20_000}
YEARS = 2
_CHUNK = 2_000

SUPPORT_NEEDS = ("mental_health", "physical_ill_health", "domestic_abuse", "offending", "repeat_homelessness",
                 "rough_sleeping", "drug_dependency", "alcohol_dependency", "learning_disability",
                 "education_employment", "young_person_18_25", "abuse_non_domestic", "old_age",
                 "care_leaver_18_20", "hm_forces", "former_asylum_seeker")
LOSS_REASONS = (("family_friends", 25), ("end_ast", 22), ("domestic_abuse", 10), ("relationship_breakdown", 8),
                ("end_private_other", 5), ("end_social", 4), ("supported_housing", 3), ("other_violence", 3),
                ("left_institution", 6), ("asylum_support_ended", 4), ("home_unsuitable", 3), ("other", 7))
PREVENTION_ENDS = (("secured_existing", 30), ("secured_alternative", 25), ("homeless", 20), ("days_56_elapsed", 8),
                   ("contact_lost", 7), ("withdrew", 5), ("refused_offer", 2), ("no_longer_eligible", 1),
                   ("not_known", 2))
RELIEF_ENDS = (("secured", 40), ("days_56_elapsed", 35), ("contact_lost", 8), ("withdrew", 5), ("refused_offer", 3),
               ("local_connection_referral", 3), ("intentionally_homeless_from_accommodation", 1),
               ("no_longer_eligible", 1), ("not_known", 4))
MAIN_ENDS = (("accepted_part6_offer", 60), ("accepted_private_offer", 20), ("refused_suitable_offer", 5),
             ("left_ta", 5), ("withdrew", 10))
TA_TYPES = (("bed_and_breakfast", 15), ("nightly_paid", 25), ("hostel", 20), ("private_leased", 20),
            ("social_stock", 15), ("other", 5))
STREETS = ("Station Road", "Mill Lane", "Church Street", "Victoria Road", "High Street", "Park Avenue",
           "Queens Road", "Kingsway", "Albert Street", "Canal Walk")
TA_NAMES = ("Travelodge Central", "Riverside Hostel", "The Grange B&B", "Kingsway Court", "Harbour House",
            "St Anne's Refuge", "Oak Tree Lodge", "Millbrook Flats")


def _showcase(total: int, today: date) -> dict[int, tuple[date, dict]]:
    """Approach index -> (date, forced path): every stage and every outcome at least once."""
    cases: dict[int, tuple[date, dict]] = {}
    closed = [{"branch": "prevention", "prevention_end": code} for code, _w in PREVENTION_ENDS] + \
             [{"branch": "relief", "relief_end": code, "priority": code == "days_56_elapsed"} for code, _w in RELIEF_ENDS]
    # Older approaches end with each outcome (spread over the last year so several quarters show them).
    for n, path in enumerate(closed):
        cases[n * max(1, total // (2 * len(closed)))] = (today - timedelta(days=360 - n * 15), path)
    recent = [
        (0, {"branch": "triage"}),
        (2, {"branch": "relief", "relief_end": "open", "priority": True}),  # interim accommodation, relief running
        (5, {"branch": "prevention", "prevention_end": "open"}),
        (9, {"branch": "relief", "relief_end": "open"}),
        (20, {"branch": "prevention", "prevention_end": "open"}),
        (40, {"branch": "relief", "relief_end": "open", "priority": True}),
        (150, {"branch": "relief", "relief_end": "days_56_elapsed", "priority": True, "main": "open", "review": True}),
        (300, {"branch": "relief", "relief_end": "days_56_elapsed", "priority": True, "main": "open"}),
    ]
    for n, (days_ago, path) in enumerate(recent):
        cases[total - 1 - n] = (today - timedelta(days=days_ago), path)
    return cases


def _weighted(rng: random.Random, table) -> str:
    return rng.choices([c for c, _w in table], weights=[w for _c, w in table])[0]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=UTC)


def _insert_returning(connection, table, rows: list[dict]) -> list[int]:
    """Insert rows in order and return their new ids (both backends)."""
    ids: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        result = connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
        ids.extend(r[0] for r in result)
    return ids


def _insert(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), _CHUNK):
        if rows[start:start + _CHUNK]:
            connection.execute(insert(table), rows[start:start + _CHUNK])


def generate_housing(engine: Engine, *, seed: int, today: date, size: str, jurisdiction: str) -> dict[str, int]:
    """Add homelessness approaches at every stage to the demo office; returns row counts."""
    rng = random.Random(seed * 7919 + 404)
    fake = Faker("en_GB")
    fake.seed_instance(seed + 404)
    total = APPROACHES.get(size, APPROACHES["office"])
    calendar = WorkingCalendar(jurisdiction if is_jurisdiction(jurisdiction) else "england")
    juris = jurisdiction if jurisdiction in ("england", "scotland") else "england"
    with session_scope(engine, write=True) as session:
        connection = session.connection()
        office = _read_office(connection)
        new_people, plans = _plan_cases(rng, fake, office, total, today)
        person_ids = _insert_returning(connection, table_of(Person), new_people) if new_people else []
        case_rows = []
        for n, plan in enumerate(plans):
            kind, value = plan["person"]
            plan["person_id"] = person_ids[value] if kind == "new" else value
            case_rows.append(_case_row(rng, plan, f"C{office.next_case + n:07d}", office, calendar))
        case_ids = _insert_returning(connection, table_of(Case), case_rows)
        hc_rows = [_homeless_case_row(plan, case_id, office.household_of.get(plan["person_id"]), juris)
                   for plan, case_id in zip(plans, case_ids, strict=True)]
        hc_ids = _insert_returning(connection, table_of(HomelessCase), hc_rows)
        counts = _write_details(connection, rng, plans, hc_ids, case_rows)
    return {"homelessness applicants": len(new_people), "homelessness cases": len(plans), **counts}


@dataclass
class _Office:
    """What the base demo office gives the housing demo: the options team and its officers, the people who
    might approach, and the next free person and case refs."""

    team_id: int | None
    officers: list
    existing: list[int]
    household_of: dict
    next_person: int
    next_case: int


def _read_office(connection) -> _Office:
    person_t, case_t = table_of(Person), table_of(Case)
    team_id = connection.execute(select(table_of(Team).c.id).where(table_of(Team).c.code == "options")).scalar()
    staff_t = table_of(StaffUser)
    officers = [r[0] for r in connection.execute(select(staff_t.c.id).where(staff_t.c.team_id == team_id))] \
        if team_id else []
    if not officers:
        officers = [r[0] for r in connection.execute(select(staff_t.c.id).limit(3))]
    officers = officers or [None]
    # Existing people who might approach (tenants facing loss of home, grown-up children ...).
    existing = [r[0] for r in connection.execute(select(person_t.c.id).order_by(person_t.c.id).limit(20_000))]
    hm_t = table_of(HouseholdMember)
    household_of = dict(connection.execute(select(hm_t.c.person_id, hm_t.c.household_id)).all()) if existing else {}
    top_ref = connection.execute(select(func.max(person_t.c.ref)).where(
        person_t.c.ref >= "P0000000", person_t.c.ref <= "P9999999", func.length(person_t.c.ref) == 8)).scalar()
    top_case = connection.execute(select(func.max(case_t.c.ref)).where(
        case_t.c.ref >= "C0000000", case_t.c.ref <= "C9999999", func.length(case_t.c.ref) == 8)).scalar()
    return _Office(team_id, officers, existing, household_of, int(top_ref[1:]) + 1 if top_ref else 1,
                   int(top_case[1:]) + 1 if top_case else 1)


def _plan_cases(rng: random.Random, fake: Faker, office: _Office, total: int,
                today: date) -> tuple[list[dict], list[dict]]:
    """Every case planned in memory first: (the new people to insert, the plans). A plan's "person" is
    ("new", index into the new people) or ("old", an existing person's id); one open case each."""
    start_day = today - timedelta(days=365 * YEARS)
    span = (today - start_day).days
    new_people: list[dict] = []
    plans: list[dict] = []
    busy: set[int] = set()  # people with an open case (one open case each)
    showcase = _showcase(total, today)
    next_person = office.next_person
    for i in range(total):
        approach = start_day + timedelta(days=int(span * (i + rng.random()) / total))
        approach = min(approach, today)
        force = None
        if i in showcase:
            approach, force = showcase[i]
        person_id = None
        if office.existing and rng.random() < 0.25:
            candidate = rng.choice(office.existing)
            if candidate not in busy:
                person_id = candidate
        if person_id is None:
            forename, surname = fake.first_name(), fake.last_name()
            age = rng.choices([rng.randint(16, 17), rng.randint(18, 24), rng.randint(25, 59), rng.randint(60, 85)],
                              weights=[3, 25, 62, 10])[0]
            born = approach - timedelta(days=age * 365 + rng.randint(0, 364))
            ref = f"P{next_person:07d}"
            next_person += 1
            new_people.append({"ref": ref, "forename": forename, "surname": surname, "date_of_birth": born,
                               "surname_key": fold(surname), "forename_key": fold(forename),
                               "surname_sound": sound(surname), "forename_sound": sound(forename),
                               "interpreter_needed": False, "created_at": _at(approach, rng), "version": 1})
            person_key: tuple[str, int] = ("new", len(new_people) - 1)
        else:
            person_key = ("old", person_id)
        plan = _plan_case(rng, approach, today, force)
        plan["person"] = person_key
        plan["officer"] = rng.choice(office.officers)
        plans.append(plan)
        if plan["stage"] != "closed" and person_key[0] == "old":
            busy.add(person_key[1])
    return new_people, plans


def _case_row(rng: random.Random, plan: dict, ref: str, office: _Office, calendar: WorkingCalendar) -> dict:
    """The work_case row of a planned case: open while its stage or a review is, due at its nearest clock."""
    pid = plan["person_id"]
    facts = CaseClockFacts(stage=plan["stage"], approach_date=plan["approach"],
                           relief_start=plan.get("relief_start"), prevention_start=plan.get("prevention_start"),
                           assessed_on=plan.get("assessed_on"), plan_review_on=plan.get("plan_review_on"),
                           open_review_due=tuple(r["decision_due"] for r in plan["reviews"]
                                                 if r["decided_on"] is None),
                           family_bnb_since=tuple(p["start_on"] for p in plan["placements"]
                                                  if p["end_on"] is None and p["ta_type"] == "bed_and_breakfast"
                                                  and plan["children"]))
    clocks = case_clocks(facts, decision_working_days=10, calendar=calendar)
    soonest = nearest(clocks)
    open_case = plan["stage"] != "closed" or any(r["decided_on"] is None for r in plan["reviews"])
    in_ta = any(p["end_on"] is None for p in plan["placements"])
    due = end_of_local_day(soonest.due).astimezone(UTC) if soonest and open_case else None
    if plan["stage"] == "closed" and open_case:
        reviews_due = [r["decision_due"] for r in plan["reviews"] if r["decided_on"] is None]
        due = end_of_local_day(min(reviews_due)).astimezone(UTC)
    return {
        "ref": ref, "case_type": "homelessness", "status": "open" if open_case else "closed",
        "team_id": office.team_id, "assignee_id": plan["officer"], "person_id": pid,
        "household_id": office.household_of.get(pid), "summary": case_summary(plan["stage"], clocks, in_ta=in_ta),
        "priority": "urgent" if plan["rough_sleeping"] and plan["stage"] in ("triage", "relief") else "normal",
        "opened_at": _at(plan["approach"], rng), "due_at": due,
        "closed_at": None if open_case else _at(plan["closed_on"], rng), "version": 1,
        "outcome": plan.get("outcome") if not open_case else None}


def _homeless_case_row(plan: dict, case_id: int, household_id: int | None, juris: str) -> dict:
    return {
        "case_id": case_id, "person_id": plan["person_id"], "household_id": household_id,
        "jurisdiction": juris, "stage": plan["stage"], "approach_date": plan["approach"],
        "route": plan["route"], "referral_body": plan["referral_body"],
        "referral_consent": True if plan["route"] == "duty_to_refer" else None,
        "current_accommodation": plan["current_accommodation"],
        "last_settled_accommodation": plan["last_settled"], "loss_reason": plan["loss_reason"],
        "loss_date": plan.get("loss_date"), "s21_expiry": plan.get("s21_expiry"),
        "nowhere_tonight": plan["stage"] == "triage" and plan["rough_sleeping"],
        "rough_sleeping": plan["rough_sleeping"],
        "domestic_abuse_risk": plan["loss_reason"] == "domestic_abuse", "da_risk_in_connected_area": False,
        "safeguarding": plan["safeguarding"], "eligible": plan["eligible"], "homeless": plan["homeless"],
        "priority_need": None if plan["priority_need"] is None else json.dumps(plan["priority_need"]),
        "intentional": plan["intentional"], "local_connection": plan["local_connection"],
        "relief_start": plan.get("relief_start"), "household_text": plan["household_text"],
        "adults": plan["adults"], "children": plan["children"], "pregnant": plan["pregnant"],
        "support_needs_assessed": plan["eligible"] is True, "assessed_on": plan.get("assessed_on"),
        "assessment_duty": plan.get("assessment_duty"), "prevention_start": plan.get("prevention_start"),
        "prevention_end": plan.get("prevention_end"), "prevention_outcome": plan.get("prevention_outcome"),
        "relief_end": plan.get("relief_end"), "relief_outcome": plan.get("relief_outcome"),
        "final_decision": plan.get("final_decision"), "final_decision_on": plan.get("final_decision_on"),
        "main_duty_end": plan.get("main_duty_end"), "main_duty_outcome": plan.get("main_duty_outcome"),
        "plan_agreed_on": plan.get("plan_agreed_on"), "plan_review_on": plan.get("plan_review_on"),
        "closed_on": plan.get("closed_on"), "version": 1}


def _write_details(connection, rng: random.Random, plans: list[dict], hc_ids: list[int],
                   case_rows: list[dict]) -> dict[str, int]:
    """Each case's moves, support needs, household, plan steps, s184 notice, reviews and TA; the row counts."""
    moves, needs, members, steps, notices, placements = [], [], [], [], [], []
    review_plans: list[tuple[int, dict]] = []
    for plan, hid, case_row in zip(plans, hc_ids, case_rows, strict=True):
        officer = plan["officer"]
        for m in plan["moves"]:
            moves.append({"homeless_case_id": hid, "at": _at(m["on"], rng), "on_date": m["on"],
                          "from_stage": m["from"], "to_stage": m["to"], "reason": m["reason"],
                          "final_decision": m.get("final"), "note": None, "officer_id": officer})
        needs.extend({"homeless_case_id": hid, "need": n} for n in plan["needs"])
        members.extend({"homeless_case_id": hid, "relationship": rel, "age": age, "pregnant": preg}
                       for rel, age, preg in plan["members"])
        for party, text, due in plan["steps"]:
            steps.append({"homeless_case_id": hid, "party": party, "text": text, "due_on": due, "done_on": None,
                          "mandatory": False, "created_at": _at(plan["approach"], rng), "created_by": officer,
                          "version": 1})
        if plan.get("assessed_on"):
            notices.append({"homeless_case_id": hid, "notice_type": "s184_decision",
                            "title": "Decision on your homelessness application (Housing Act 1996 section 184)",
                            "issued_on": plan["assessed_on"], "issued_at": _at(plan["assessed_on"], rng),
                            "officer_id": officer, "body": _demo_letter(case_row["ref"], plan),
                            "review_kind": "standard",
                            "review_last_day": review_request_last_day(plan["assessed_on"])})
            for review in plan["reviews"]:
                review_plans.append((len(notices) - 1, {**review, "homeless_case_id": hid}))
        placements.extend({**p, "homeless_case_id": hid, "created_by": officer, "version": 1}
                          for p in plan["placements"])
    _insert(connection, table_of(HomelessMove), moves)
    _insert(connection, table_of(HomelessSupportNeed), needs)
    _insert(connection, table_of(HomelessMember), members)
    _insert(connection, table_of(HomelessPlanStep), steps)
    notice_ids = _insert_returning(connection, table_of(HomelessNotice), notices) if notices else []
    reviews = [{**review, "notice_id": notice_ids[index], "late_allowed": False, "version": 1}
               for index, review in review_plans]
    _insert(connection, table_of(HomelessReview), reviews)
    _insert(connection, table_of(HomelessPlacement), placements)
    return {"homelessness moves": len(moves), "homelessness notices": len(notices),
            "homelessness reviews": len(reviews), "TA placements": len(placements), "plan steps": len(steps)}


def _demo_letter(case_ref: str, plan: dict) -> str:
    duty = {"prevention": "the prevention duty (section 195)", "relief": "the relief duty (section 189B)",
            "not_owed": "advice (section 179): not homeless or threatened within 56 days",
            "ineligible": "advice only (section 179): not eligible for assistance (section 185)"}
    return (f"Case reference: {case_ref}\n\nDecision on your homelessness application of "
            f"{plan['approach']:%d %B %Y}.\n\nWe owe you {duty.get(plan.get('assessment_duty') or '', 'advice')}.\n\n"
            "You may ask for a review within 21 days beginning with the day you were told of this decision "
            "(section 202).\n\n(Demo office: the full letter text is produced by the app when a letter is issued.)\n")


def _plan_case(rng: random.Random, approach: date, today: date, force: dict | None = None) -> dict:
    """One case's whole history in memory: facts, moves, dates, outcome.

    ``force`` pins a path so every stage and outcome appears whatever the size: branch
    (triage, prevention, relief), prevention_end / relief_end (an outcome code or "open"),
    priority (bool), review (bool).
    """
    force = force or {}
    plan = _new_plan(rng, approach, force)
    # Triage: a few are still being triaged (recent approaches).
    if force.get("branch") == "triage" or ((today - approach).days <= 3 and rng.random() < 0.6 and not force):
        plan["stage"] = "triage"
        plan["eligible"] = None
        plan["rough_sleeping"] = rng.random() < 0.4  # "nowhere to stay tonight" from the front desk
        return plan
    assessed = min(approach + timedelta(days=rng.choice([0, 0, 0, 1, 2, 5])), today)
    plan["assessed_on"] = assessed
    roll = rng.random()
    if force.get("branch") == "prevention":
        roll = 0.3
    elif force.get("branch") == "relief":
        roll = 0.9
    if roll < 0.07:
        plan.update(eligible=False, assessment_duty="ineligible")
        _move(plan, "triage", "closed", assessed, "ineligible")
        _close(plan, assessed, "ineligible")
        return plan
    if roll < 0.16:
        plan.update(homeless=False, assessment_duty="not_owed")
        _move(plan, "triage", "closed", assessed, "not_threatened")
        _close(plan, assessed, "not_threatened")
        return plan
    if roll < 0.58:
        relief_from = _prevention(rng, plan, approach, today, force)
        if relief_from is None:
            return plan
    else:
        plan.update(homeless=True, assessment_duty="relief")
        plan["rough_sleeping"] = plan["current_accommodation"] == "no_fixed_abode" and rng.random() < 0.5
        if plan["rough_sleeping"]:
            plan["current_accommodation"] = "rough_sleeping"
            plan["needs"] = sorted(set(plan["needs"]) | {"rough_sleeping"})
        _move(plan, "triage", "relief", approach, "relief_owed")
        relief_from = approach
    relief_end = _relief(rng, plan, relief_from, today, force)
    if relief_end is not None:
        _main_duty(rng, plan, relief_end, today, force)
    return plan


def _move(plan: dict, frm: str, to: str, on: date, reason: str, final: str | None = None) -> None:
    plan["moves"].append({"from": frm, "to": to, "on": on, "reason": reason, "final": final})


def _close(plan: dict, on: date, outcome: str) -> None:
    plan["stage"], plan["closed_on"], plan["outcome"] = "closed", on, outcome


def _new_plan(rng: random.Random, approach: date, force: dict) -> dict:
    """The household, why the home is being lost, the route in, support needs and priority need grounds."""
    members, children, adults = [], 0, 1
    shape = rng.random()
    if shape < 0.45:
        pass  # single
    elif shape < 0.60:
        members.append(("partner", rng.randint(19, 60), False))
        adults += 1
    else:
        if rng.random() < 0.4:
            members.append(("partner", rng.randint(20, 50), False))
            adults += 1
        for _ in range(rng.randint(1, 3)):
            members.append(("child", rng.randint(0, 16), False))
            children += 1
    pregnant = rng.random() < 0.06
    loss_reason = _weighted(rng, LOSS_REASONS)
    current = {"family_friends": rng.choice(["living_with_family", "living_with_friends"]),
               "end_ast": "private_rented", "end_private_other": "private_rented", "end_social": "social_rented",
               "supported_housing": "supported_housing", "left_institution": "institution",
               "asylum_support_ended": "asylum_support"}.get(loss_reason, rng.choice(
                   ["living_with_family", "private_rented", "no_fixed_abode", "social_rented"]))
    plan: dict = {
        "approach": approach, "members": members, "children": children, "adults": adults, "pregnant": pregnant,
        "household_text": ", ".join(f"{r} {a}" for r, a, _p in members) or None,
        "loss_reason": loss_reason, "current_accommodation": current, "last_settled": current,
        "route": "self", "referral_body": None, "safeguarding": rng.random() < 0.05, "rough_sleeping": False,
        "needs": [], "moves": [], "steps": [], "reviews": [], "placements": [], "intentional": None,
        "local_connection": "here", "eligible": True, "homeless": None, "priority_need": None,
    }
    if rng.random() < 0.18:
        plan["route"] = "duty_to_refer"
        plan["referral_body"] = rng.choice(["prison", "probation", "jobcentre_plus", "social_services",
                                            "hospital_inpatient", "emergency_department"])
    if rng.random() < 0.5:
        plan["needs"] = rng.sample(SUPPORT_NEEDS, rng.randint(1, 3))
    grounds: list[str] = []
    if children:
        grounds.append("dependent_children")
    if pregnant:
        grounds.append("pregnant")
    if loss_reason == "domestic_abuse":
        grounds.append("domestic_abuse")
    if rng.random() < 0.15 or force.get("priority"):
        grounds.append("vulnerable")
    plan["priority_need"] = [g for g in PRIORITY_NEED_GROUNDS if g in grounds]
    return plan


def _prevention(rng: random.Random, plan: dict, approach: date, today: date, force: dict) -> date | None:
    """Threatened: prevention from the approach. Returns the day relief begins when prevention ended in
    homelessness; None when the case stays in prevention or closed there."""
    plan.update(homeless=False, assessment_duty="prevention", prevention_start=approach)
    if plan["loss_reason"] == "end_ast":
        plan["s21_expiry"] = approach + timedelta(days=rng.randint(10, 55))
    else:
        plan["loss_date"] = approach + timedelta(days=rng.randint(7, 56))
    _move(plan, "triage", "prevention", approach, "prevention_owed")
    plan["plan_agreed_on"] = approach
    end = approach + timedelta(days=rng.randint(21, 110))
    if force.get("prevention_end") == "open":
        end = today + timedelta(days=1)
    elif force.get("prevention_end"):
        end = min(end, today)
    if end > today:
        plan["stage"] = "prevention"
        plan["plan_review_on"] = _next_review(approach, today)
        plan["steps"] = [("applicant", "Send the section 21 notice and tenancy agreement", approach + timedelta(days=7)),
                         ("council", "Negotiate with the landlord to stay on", approach + timedelta(days=14))]
        return None
    outcome = force.get("prevention_end") or _weighted(rng, PREVENTION_ENDS)
    plan.update(prevention_end=end, prevention_outcome=outcome)
    if outcome == "homeless":
        _move(plan, "prevention", "relief", end, "homeless")
        return end
    _move(plan, "prevention", "closed", end, outcome)
    _close(plan, end, outcome)
    return None


def _relief(rng: random.Random, plan: dict, relief_from: date, today: date, force: dict) -> date | None:
    """Relief from ``relief_from``. Returns the day it ran its 56 days (the main duty decision follows);
    None when the case is still in relief or relief ended otherwise."""
    plan["relief_start"] = relief_from
    plan["plan_agreed_on"] = plan.get("plan_agreed_on") or relief_from
    priority = bool(plan["priority_need"])
    if priority and rng.random() < 0.7:
        plan["placements"].append(_placement(rng, relief_from, "s188", plan))
    relief_until = relief_from + DAYS_56
    outcome = _weighted(rng, RELIEF_ENDS)
    if force.get("relief_end") not in (None, "open"):
        outcome = force["relief_end"]
    end = relief_until if outcome == "days_56_elapsed" else relief_from + timedelta(days=rng.randint(7, 55))
    if force.get("relief_end") == "open":
        end = today + timedelta(days=1)
    if end > today:
        plan["stage"] = "relief"
        plan["plan_review_on"] = _next_review(relief_from, today)
        plan["steps"] = [("applicant", "Register with the housing register and bid weekly", relief_from + timedelta(days=7)),
                         ("council", "Refer to private rented access scheme", relief_from + timedelta(days=10))]
        return None
    plan.update(relief_end=end, relief_outcome=outcome)
    if outcome != "days_56_elapsed":
        _move(plan, "relief", "closed", end, outcome)
        _end_placements(plan, end)
        _close(plan, end, outcome)
        return None
    return end


def _main_duty(rng: random.Random, plan: dict, end: date, today: date, force: dict) -> None:
    """Relief ran its 56 days: the main duty decision, the duty or accommodation that follows, and its end."""
    priority = bool(plan["priority_need"])
    plan["intentional"] = rng.random() < 0.1
    if priority and not plan["intentional"]:
        final, stage = "main_duty", "main_duty"
    elif priority:
        final, stage = "intentional_priority", "intentional"
    else:
        final, stage = ("no_priority_need", "closed")
    plan.update(final_decision=final, final_decision_on=end)
    _move(plan, "relief", stage, end, "days_56_elapsed", final)
    if stage == "closed":
        _end_placements(plan, end)
        _close(plan, end, "no_priority_need")
        _maybe_review(rng, plan, end, today)
        return
    open_ta = [p for p in plan["placements"] if p["end_on"] is None]
    if not open_ta:
        plan["placements"].append(_placement(rng, end, "s193" if stage == "main_duty" else "s190", plan))
    else:
        open_ta[0]["duty_basis"] = "s193" if stage == "main_duty" else "s190"
    length = rng.randint(60, 540) if stage == "main_duty" else rng.randint(28, 90)
    finish = end + timedelta(days=length)
    if force.get("main") == "open":
        finish = today + timedelta(days=1)
    if finish > today:
        plan["stage"] = stage
        _maybe_review(rng, plan, end, today, force=bool(force.get("review")))
        return
    reason = _weighted(rng, MAIN_ENDS) if stage == "main_duty" else "reasonable_period_ended"
    plan.update(main_duty_end=finish, main_duty_outcome=reason)
    _move(plan, stage, "closed", finish, reason)
    _end_placements(plan, finish)
    _close(plan, finish, reason)


def _next_review(start: date, today: date) -> date:
    review = next_plan_review(start, 4)
    while review < today - timedelta(days=3):
        review = next_plan_review(review, 4)
    return review


def _placement(rng: random.Random, start: date, basis: str, plan: dict) -> dict:
    ta_type = _weighted(rng, TA_TYPES)
    if ta_type == "bed_and_breakfast" and plan["children"] and rng.random() < 0.7:
        ta_type = "nightly_paid"  # families leave B&B quickly (SI 2003/3326)
    return {"address": f"{rng.randint(1, 40)} {rng.choice(TA_NAMES)}, {rng.choice(STREETS)}", "ta_type": ta_type,
            "duty_basis": basis, "start_on": start, "end_on": None, "end_reason": None}


def _end_placements(plan: dict, on: date) -> None:
    for p in plan["placements"]:
        if p["end_on"] is None:
            p["end_on"] = max(on, p["start_on"])
            p["end_reason"] = "duty ended"


def _maybe_review(rng: random.Random, plan: dict, notified: date, today: date, *, force: bool = False) -> None:
    if rng.random() >= 0.12 and not force:
        return
    requested = notified + timedelta(days=rng.randint(1, 20))
    if requested > today:
        return
    due = review_decision_due(requested, "standard")
    decided = requested + timedelta(days=rng.randint(20, 60))
    plan["reviews"].append({"kind": "standard", "requested_on": requested, "decision_due": due,
                            "outcome": rng.choice(["upheld", "upheld", "overturned", "withdrawn"]) if decided <= today
                            else None, "decided_on": decided if decided <= today else None})
