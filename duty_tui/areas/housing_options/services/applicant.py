"""The applicant: who an approach is for, adding someone new, and where their letters go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessPlacement
from duty_tui.areas.housing_options.domain.intake import (
    HOUSEHOLD_RELATIONSHIPS,
    HouseholdEntry,
    PostalAddress,
    parse_form_date,
)
from duty_tui.areas.housing_options.services.common import find_person, problems_error
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Household, HouseholdMember, Person, PersonAddress, Property, Tenancy
from duty_tui.core.domain.masking import age_on
from duty_tui.core.domain.search_keys import fold, phone_key, postcode_key, sound
from duty_tui.core.domain.validators import clean_phone
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_changed
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.refs import insert_with_ref as _insert_with_ref


@dataclass(frozen=True)
class ApplicantView:
    """Who the approach is for, as the triage screen heads it."""

    ref: str
    name: str
    born: date | None
    age: int | None
    household_text: str
    open_case_ref: str | None


def applicant(ctx: ServiceContext, person_ref: str) -> ApplicantView:
    """Who the approach is for, with their household as typed text and any open case."""
    ctx.require("homelessness.assess")
    today = ctx.today()
    with session_scope(ctx.engine) as session:
        person = find_person(session, person_ref)
        assert person is not None
        members = []
        membership = session.exec(select(HouseholdMember).where(HouseholdMember.person_id == person.id,
                                                                col(HouseholdMember.left_on).is_(None))).first()
        if membership is not None:
            rows = session.exec(select(HouseholdMember, Person).join(Person, col(Person.id) == col(HouseholdMember.person_id))
                                .where(HouseholdMember.household_id == membership.household_id,
                                       HouseholdMember.person_id != person.id,
                                       col(HouseholdMember.left_on).is_(None))).all()
            for m, p in rows:
                rel = m.relationship.lower()
                word = "child" if "child" in rel or "son" in rel or "daughter" in rel else (
                    "partner" if "partner" in rel or "spouse" in rel or "joint" in rel else "other")
                age = age_on(p.date_of_birth, today)
                members.append(f"{word} {age}" if age is not None else word)
        open_ref = session.exec(
            select(Case.ref).join(HomelessCase, col(HomelessCase.case_id) == col(Case.id))
            .where(HomelessCase.person_id == person.id, HomelessCase.stage != "closed")
            .order_by(col(Case.opened_at).desc())).first()
        return ApplicantView(person.ref, f"{person.forename} {person.surname}", person.date_of_birth,
                             age_on(person.date_of_birth, today), ", ".join(members), open_ref)


def register_applicant(ctx: ServiceContext, forename: str, surname: str, date_of_birth: str,
                       phone: str | None = None, *, address: PostalAddress | None = None,
                       members: tuple[HouseholdEntry, ...] | list[HouseholdEntry] = ()) -> str:
    """Add someone not yet on the system as a person, so their approach can be recorded.

    With ``address``, their postal address (letters go there); with ``members``, each person who
    lives with them becomes a person of their own in a household the applicant leads — records
    the approach then reads ("partner 34, child 7"), never a line of free text.
    """
    ctx.require("homelessness.assess")
    problems = []
    forename, surname = (forename or "").strip(), (surname or "").strip()
    if not forename:
        problems.append("forename: type the applicant's first name")
    if not surname:
        problems.append("surname: type the applicant's surname")
    born = None
    try:
        born = parse_form_date(date_of_birth)
        if born is None:
            problems.append("date_of_birth: type the date of birth (DD/MM/YYYY)")
        elif born > ctx.today():
            problems.append("date_of_birth: the date of birth is in the future")
        elif (age_on(born, ctx.today()) or 0) > 120:  # born is a date here: age_on gives a number
            problems.append("date_of_birth: that would make them over 120; check the year")
    except ValueError as exc:
        problems.append(f"date_of_birth: {exc}")
    phone_clean = None
    if phone and phone.strip():
        try:
            phone_clean = clean_phone(phone)
        except ValueError as exc:
            problems.append(f"phone: {exc}")
    for member in members:
        if member.relationship not in dict(HOUSEHOLD_RELATIONSHIPS):
            problems.append(f"household: {member.forename} — choose who they are to the applicant")
    if problems:
        raise problems_error("fix the applicant's details", problems)
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        def make_person(first: str, last: str, dob: date | None, tel: str | None):
            def make(ref: str) -> Person:
                return Person(ref=ref, forename=first[:80], surname=last[:80], date_of_birth=dob,
                              phone_main=tel, phone_main_key=phone_key(tel) if tel else None,
                              surname_key=fold(last), forename_key=fold(first), surname_sound=sound(last),
                              forename_sound=sound(first), created_at=ctx.now())
            return _insert_with_ref(session, make, Person.ref, "P")

        person = make_person(forename, surname, born, phone_clean or (phone or None))
        record_changed(session, "person", person.ref)
        if address is not None:
            session.add(PersonAddress(person_id=person.id, line1=address.line1, line2=address.line2 or None,
                                      town=address.town, postcode=address.postcode,
                                      postcode_key=postcode_key(address.postcode), since=today,
                                      created_at=ctx.now(), created_by=ctx.actor.id if ctx.actor else None))
        member_refs = []
        if members:
            household = _insert_with_ref(session, lambda ref: Household(ref=ref), Household.ref, "H")
            session.add(HouseholdMember(household_id=household.id, person_id=person.id, relationship="applicant",
                                        is_lead=True, joined_on=today))
            for member in members:
                other = make_person(member.forename, member.surname, member.date_of_birth, None)
                session.add(HouseholdMember(household_id=household.id, person_id=other.id,
                                            relationship=member.relationship, is_lead=False, joined_on=today))
                member_refs.append(other.ref)
        audit.record(session, ctx, "housing.applicant_registered", "person", person.ref,
                     {"address": address is not None, "household": member_refs})
        return person.ref


def applicant_address(session: Session, hc: HomelessCase | None, person: Person | None) -> list[str]:
    """Where letters go, a line each: an open TA placement, else the latest postal address, else the tenancy's home."""
    if hc is not None:
        placement = session.exec(select(HomelessPlacement).where(HomelessPlacement.homeless_case_id == hc.id,
                                                                 col(HomelessPlacement.end_on).is_(None))
                                 .order_by(col(HomelessPlacement.start_on).desc())).first()
        if placement is not None:
            return [part.strip() for part in placement.address.split(",") if part.strip()]
    if person is None:
        return []
    postal = session.exec(select(PersonAddress).where(PersonAddress.person_id == person.id,
                                                      col(PersonAddress.until).is_(None))
                          .order_by(col(PersonAddress.since).desc(), col(PersonAddress.id).desc())).first()
    if postal is not None:
        return [line for line in (postal.line1, postal.line2, postal.town, postal.postcode) if line]
    home = session.exec(
        select(Property).join(Tenancy, col(Tenancy.property_id) == col(Property.id))
        .join(HouseholdMember, col(HouseholdMember.household_id) == col(Tenancy.household_id))
        .where(HouseholdMember.person_id == person.id, col(HouseholdMember.left_on).is_(None),
               Tenancy.status == "current")).first()
    if home is not None:
        return [line for line in (home.address_line1, home.address_line2, home.town, home.postcode) if line]
    return []
