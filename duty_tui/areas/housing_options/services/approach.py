"""The approach: the triage answers checked and saved onto a new or open case, and the move the
facts establish (relief or prevention owed, or closed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import Session, col, delete, select

from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessMember, HomelessSupportNeed
from duty_tui.areas.housing_options.domain.casework import DAYS_56
from duty_tui.areas.housing_options.domain.homelessness import Approach, Assessment, assess, loss_date_unknown
from duty_tui.areas.housing_options.domain.intake import IntakeCheck, check_answers, household_counts
from duty_tui.areas.housing_options.domain.reference import HousingReference
from duty_tui.areas.housing_options.services.case_versions import bump_version, check_version
from duty_tui.areas.housing_options.services.common import (
    CASE_TYPE,
    TEAM_CODE,
    find_person,
    housing_reference,
    jurisdiction_of,
    load_case,
    options_team_id,
    problems_error,
    refresh_case,
    stored_id,
)
from duty_tui.areas.housing_options.services.moves import apply_move
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, HouseholdMember, Person
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import Actor, ServiceContext
from duty_tui.core.services.refs import insert_with_ref as _insert_with_ref

# The answers a form sends (check_answers reads most; the rest are intake details).
INTAKE_KEYS = (
    "approach_date", "eligible", "homeless", "rough_sleeping", "nowhere_tonight", "domestic_abuse_risk_at_home",
    "loss_date", "s21_expiry", "priority_state", "priority_grounds", "intentional", "local_connection",
    "da_risk_in_connected_area", "relief_start", "household", "pregnant", "route", "referral_body",
    "referral_consent", "referral_details", "current_accommodation", "last_settled_accommodation",
    "loss_reason", "notice_type", "support_needs", "support_needs_assessed", "safeguarding",
    "safeguarding_notes", "eligibility_notes", "notes",
)


@dataclass(frozen=True)
class SavedApproach:
    """The result of saving an approach."""

    case_ref: str
    version: int
    stage: str
    moved_to: str | None
    message: str


def _code(ref_list: dict, value: Any, field_name: str, words: str, problems: list[str]) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        return None
    if value not in ref_list:
        problems.append(f"{field_name}: {value!r} is not a known {words}")
        return None
    return value


def _apply_answers(hc: HomelessCase, check: IntakeCheck, answers: dict[str, Any], ref: HousingReference) -> list[str]:
    """Store the checked answers on the case; returns the support needs to store."""
    problems: list[str] = []
    facts = check.facts
    hc.approach_date = date.fromisoformat(facts["approach_date"])
    hc.eligible = facts["eligible"]
    hc.homeless = None if answers.get("homeless") in (None, "", "unknown") else answers.get("homeless") == "yes"
    hc.rough_sleeping = bool(facts["rough_sleeping"])
    hc.nowhere_tonight = bool(answers.get("nowhere_tonight"))
    hc.domestic_abuse_risk = bool(facts["domestic_abuse_risk_at_home"])
    hc.loss_date = date.fromisoformat(facts["loss_date"]) if facts["loss_date"] else None
    hc.s21_expiry = date.fromisoformat(facts["s21_expiry"]) if facts["s21_expiry"] else None
    hc.priority_need = None if facts["priority_need"] is None else json.dumps(list(facts["priority_need"]))
    hc.intentional = facts["intentional"]
    hc.local_connection = facts["local_connection"]
    hc.da_risk_in_connected_area = bool(facts["da_risk_in_connected_area"])
    if facts["relief_start"]:
        hc.relief_start = date.fromisoformat(facts["relief_start"])
    hc.household_text = (answers.get("household") or "").strip()[:400] or None
    adults, children = household_counts(check.members)
    hc.adults, hc.children = adults, children
    hc.pregnant = bool(answers.get("pregnant")) or any(m.pregnant for m in check.members)
    hc.route = answers.get("route") or "self"
    hc.referral_body = _code({c: b for c, b in ref.referral_bodies.items()}, answers.get("referral_body"),
                             "referral_body", "referring body", problems) if hc.route != "self" else None
    hc.referral_consent = None if hc.route == "self" else (
        None if answers.get("referral_consent") in (None, "", "unknown") else answers.get("referral_consent") == "yes")
    hc.referral_details = (answers.get("referral_details") or "").strip() or None
    hc.current_accommodation = _code(ref.accommodation, answers.get("current_accommodation"),
                                     "current_accommodation", "accommodation type", problems)
    hc.last_settled_accommodation = _code(ref.accommodation, answers.get("last_settled_accommodation"),
                                          "last_settled_accommodation", "accommodation type", problems)
    hc.loss_reason = _code(ref.loss_reasons, answers.get("loss_reason"), "loss_reason",
                           "reason for loss of home", problems)
    hc.notice_type = (answers.get("notice_type") or "").strip()[:32] or None
    hc.safeguarding = bool(answers.get("safeguarding"))
    hc.safeguarding_notes = (answers.get("safeguarding_notes") or "").strip() or None
    hc.eligibility_notes = (answers.get("eligibility_notes") or "").strip() or None
    hc.notes = (answers.get("notes") or "").strip() or None
    needs = []
    for need in answers.get("support_needs") or []:
        if need not in ref.support_needs:
            problems.append(f"support_needs: {need!r} is not a known support need")
        elif need not in needs:
            needs.append(need)
    hc.support_needs_assessed = bool(answers.get("support_needs_assessed")) or bool(needs)
    if problems:
        raise problems_error("fix the answers marked", problems)
    return needs


def _auto_move(assessment: Assessment | None, approach_date: date,
               approach: Approach | None = None) -> tuple[str, str, date] | None:
    """The triage exit the facts establish, if any: (to_stage, reason, on).

    "Not threatened" closes the case only when a date of losing the home is known and is beyond
    the window; a blank loss date is not yet known, so the case stays open at triage.
    """
    if assessment is None:
        return None
    if assessment.status == "ineligible":
        return "closed", "ineligible", approach_date
    if assessment.status == "not_threatened":
        if approach is not None and loss_date_unknown(approach):
            return None
        return "closed", "not_threatened", approach_date
    for duty in assessment.duties:
        if duty.duty == "relief":
            return "relief", "relief_owed", duty.start
        if duty.duty == "prevention":
            return "prevention", "prevention_owed", duty.start
    return None


def check_approach(ctx: ServiceContext, answers: dict[str, Any], applicant_born: date | None = None) -> IntakeCheck:
    """The same checks the save runs, without saving (pure; no database)."""
    return check_answers(answers, today=ctx.today(), applicant_born=applicant_born, jurisdiction=jurisdiction_of(ctx))


def save_approach(ctx: ServiceContext, answers: dict[str, Any], *, person_ref: str | None,
                  case_ref: str | None = None, version: int | None = None) -> SavedApproach:
    """Create or update a homelessness case from the triage answers; record the duty the facts establish.

    One transaction: the permission check comes first; the case (new, or the open one at ``version``),
    its answers, support needs and household, the move the facts establish and the audit event are
    written together, so a refusal or a conflict part-way saves none of it.
    """
    actor = ctx.require("homelessness.assess")
    jurisdiction = jurisdiction_of(ctx)
    ref = housing_reference(ctx)
    unknown = sorted(set(answers) - set(INTAKE_KEYS))
    if unknown:
        raise InputError(f"unknown answer {unknown[0]!r}")
    with session_scope(ctx.engine, write=True) as session:
        case, hc, person = _case_to_update(session, ctx, case_ref, version, answers, find_person(session, person_ref))
        check = check_answers(answers, today=ctx.today(), applicant_born=person.date_of_birth,
                              jurisdiction=jurisdiction)
        if check.problems:
            raise problems_error("fix the answers marked", [f"{k}: {v}" for k, v in check.problems.items()])
        created = case is None
        if case is None or hc is None:
            case, hc = _open_case(session, ctx, actor, person, jurisdiction)
        elif hc.person_id is None:
            hc.person_id = case.person_id = person.id
        needs = _apply_answers(hc, check, answers, ref)
        session.add(hc)
        session.flush()
        if not created:
            bump_version(session, hc, version, ctx=ctx, case=case, answers=answers)
        _store_needs_and_household(session, hc, needs, check)
        moved_to, message = _stage_from_answers(session, ctx, ref, case, hc, check)
        clocks = refresh_case(session, ctx, case, hc)
        session.flush()
        session.refresh(hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.approach_saved", "case", case.ref,
                     {"created": created, "stage": hc.stage, "moved_to": moved_to,
                      "next_clock": clocks[0].name if clocks else None})
        return SavedApproach(case.ref, hc.version, hc.stage, moved_to, message)


def _case_to_update(session: Session, ctx: ServiceContext, case_ref: str | None, version: int | None,
                    answers: dict[str, Any], person: Person | None) -> tuple[Case | None, HomelessCase | None, Person]:
    """The open case being updated (checked against the version on screen) and its applicant, or no case
    for a new approach; InputError when the case is closed or no applicant is chosen."""
    case: Case | None = None
    hc: HomelessCase | None = None
    if case_ref:
        case, hc = load_case(session, case_ref)
        check_version(session, ctx, case, hc, version, answers=answers)
        if person is None and hc.person_id is not None:
            person = session.get(Person, hc.person_id)
        if hc.stage == "closed":
            raise InputError(f"case {case.ref} is closed; a new approach opens a new case")
    if person is None:
        raise InputError("choose the applicant first (F11): search for them, or add them if they are new")
    return case, hc, person


def _open_case(session: Session, ctx: ServiceContext, actor: Actor, person: Person,
               jurisdiction: str) -> tuple[Case, HomelessCase]:
    """A new case at triage for the options team (the officer's own when they are in it); InputError if the
    applicant already has an open one."""
    open_ref = session.exec(select(Case.ref).join(HomelessCase, col(HomelessCase.case_id) == col(Case.id)).where(
        HomelessCase.person_id == person.id, HomelessCase.stage != "closed")).first()
    if open_ref:
        raise InputError(f"{person.forename} {person.surname} already has an open homelessness case "
                         f"({open_ref}); open that case to update it")
    team_id = options_team_id(session)
    membership = session.exec(select(HouseholdMember.household_id).where(
        HouseholdMember.person_id == person.id, col(HouseholdMember.left_on).is_(None))).first()
    assignee = actor.id if actor.team_code == TEAM_CODE or actor.team_id == team_id else None
    case = _insert_with_ref(session, lambda r: Case(
        ref=r, case_type=CASE_TYPE, status="open", team_id=team_id, assignee_id=assignee,
        person_id=person.id, household_id=membership, summary="Homelessness triage", priority="normal",
        opened_at=ctx.now()), Case.ref, "C")
    hc = HomelessCase(case_id=stored_id(case), person_id=person.id, household_id=membership,
                      jurisdiction=jurisdiction, approach_date=ctx.today())
    return case, hc


def _store_needs_and_household(session: Session, hc: HomelessCase, needs: list[str], check: IntakeCheck) -> None:
    """Replace the case's support needs and household members with the ones just answered."""
    case_id = stored_id(hc)
    session.exec(delete(HomelessSupportNeed).where(col(HomelessSupportNeed.homeless_case_id) == case_id))
    for need in needs:
        session.add(HomelessSupportNeed(homeless_case_id=case_id, need=need))
    session.exec(delete(HomelessMember).where(col(HomelessMember.homeless_case_id) == case_id))
    for member in check.members:
        session.add(HomelessMember(homeless_case_id=case_id, relationship=member.relationship, age=member.age,
                                   pregnant=member.pregnant))


def _stage_from_answers(session: Session, ctx: ServiceContext, ref: HousingReference, case: Case, hc: HomelessCase,
                        check: IntakeCheck) -> tuple[str | None, str]:
    """At triage, the move the facts establish (recorded now); later, what the answers now say the officer
    should do. Returns (the stage moved to, if any; the message for the officer)."""
    moved_to = None
    message = f"Saved {case.ref}."
    if hc.stage == "triage" and check.approach is not None:
        assessment = assess(replace(check.approach, as_of=check.approach.approach_date))
        auto = _auto_move(assessment, hc.approach_date, check.approach)
        if auto is not None:
            to_stage, reason, on = auto
            apply_move(session, ctx, hc, to_stage, reason, min(on, ctx.today()), note="recorded from the triage answers")
            moved_to = to_stage
            message = f"Saved {case.ref}: {ref.exits['triage'][reason].name}."
            if to_stage == "relief":
                message += f" Relief runs to {(hc.relief_start or hc.approach_date) + DAYS_56:%d/%m/%Y}."
        elif loss_date_unknown(check.approach) and assessment.status == "not_threatened":
            message += (" Not homeless now, and when the home may be lost is not yet known: the case stays "
                        "open at triage — ask, and add the loss date or notice.")
    elif hc.stage in ("prevention", "relief") and check.approach is not None:
        status = assess(replace(check.approach, as_of=ctx.today())).status
        if hc.stage == "prevention" and status == "homeless":
            message += " The answers now say homeless: record the move to relief on the case (m)."
        elif status == "not_threatened" and loss_date_unknown(check.approach):
            message += " When the home may be lost is not yet known: add the loss date or notice."
        elif status in ("ineligible", "not_threatened"):
            message += " The answers no longer support the duty: end it on the case (m) with a notice."
    return moved_to, message
