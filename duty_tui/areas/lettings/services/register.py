"""Applications to the housing register (docs/LETTINGS_REGISTER.md): create one for a person's
household — bedroom need computed from its members by the bedroom standard in data — and find one.

One use case per function, one transaction, permission checked first, the audit event inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from duty_tui.areas.lettings.db.models import LIVE_STATUSES, LettingsApplication, LettingsCheck
from duty_tui.areas.lettings.domain.bedroom_need import Household, Member, bedrooms_needed
from duty_tui.areas.lettings.domain.reference import BedroomStandard, in_force, load_bedroom_standard
from duty_tui.areas.lettings.domain.register import PARTNER_WORDS, age_on, items_in_force, load_checklist
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Household as HouseholdRow
from duty_tui.core.db.models import HouseholdMember, Person
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.refs import insert_with_ref

"""An application in one of these is live: a household has at most one (``create_application``)."""
ACCESSIBLE_NEEDS = ("wheelchair", "step_free", "ground_floor")
HOMELESS_DUTIES = ("prevention", "relief", "main", "none")
REF_PREFIX = "LA"


@dataclass(frozen=True)
class NewApplication:
    """What an officer records when a household applies (money in pence)."""

    person_ref: str
    applied_on: date | None = None
    current_home: str | None = None
    current_bedrooms: int | None = None
    current_tenure: str | None = None
    reasons: str | None = None
    local_connection: str | None = None
    annual_income_pence: int | None = None
    savings_pence: int | None = None
    arrears_elsewhere_pence: int | None = None
    arrears_agreement: bool = False
    homeless_duty: str | None = None
    accessible_need: str | None = None
    child_sexes: tuple[tuple[str, str], ...] = ()
    """(person ref, "f"|"m") for each child of the household: the person record holds no sex, and the
    bedroom standard pairs children by it."""


@dataclass(frozen=True)
class MemberFacts:
    ref: str
    age: int
    relationship: str
    is_lead: bool


def find_person(session: Session, ref: str) -> Person:
    person = session.exec(select(Person).where(Person.ref == ref.strip().upper())).first()
    if person is None:
        raise NotFound(f"no person with ref {ref!r}; find them with search first")
    return person


def household_of(session: Session, person: Person) -> HouseholdRow:
    """The person's current household (the membership with no leaving date), locked for this act."""
    row = session.exec(select(HouseholdRow).join(HouseholdMember, col(HouseholdMember.household_id) == col(
        HouseholdRow.id)).where(HouseholdMember.person_id == person.id, col(HouseholdMember.left_on).is_(None))
        .order_by(col(HouseholdMember.is_lead).desc()).with_for_update(of=HouseholdRow)).first()
    if row is None:
        raise InputError(f"{person.ref} is in no household; an application is for a household — add them to one "
                         "on the person record first")
    return row


def members_of(session: Session, household_id: int, on: date, max_age: int) -> list[MemberFacts]:
    """The household's current members with their ages on ``on``; a missing or impossible date of birth
    is refused (bedroom need counts every member by age)."""
    rows = session.exec(select(Person, HouseholdMember).join(HouseholdMember, col(HouseholdMember.person_id) == col(
        Person.id)).where(HouseholdMember.household_id == household_id, col(HouseholdMember.left_on).is_(None))
        .order_by(col(Person.ref))).all()
    members = []
    for person, member in rows:
        if person.date_of_birth is None:
            raise InputError(f"bedroom need counts each member by age: {person.ref} has no date of birth; add it on "
                             "the person record first")
        age = age_on(person.date_of_birth, on)
        if not 0 <= age <= max_age:
            raise InputError(f"impossible age: {person.ref} would be {age} on {on:%d/%m/%Y} (born "
                             f"{person.date_of_birth:%d/%m/%Y}); a member's age is 0-{max_age} — correct the "
                             "date of birth")
        members.append(MemberFacts(person.ref, age, member.relationship.lower(), member.is_lead))
    return members


def household_for_need(members: list[MemberFacts], sexes: dict[str, str], rule: BedroomStandard) -> Household:
    """The bedroom-need household: couples from relationships (the lead and their partner), children's
    sexes from ``sexes`` (every child under ``adult_age`` needs one)."""
    missing = [m.ref for m in members if m.age < rule.adult_age and sexes.get(m.ref) not in ("f", "m")]
    if missing:
        raise InputError(f"bedroom need pairs children by sex: give f or m for {', '.join(missing)} (the person "
                         "record holds no sex)")
    people = [Member(m.age, sexes.get(m.ref, "m")) for m in members]
    lead = next((i for i, m in enumerate(members) if m.is_lead), None)
    partner = next((i for i, m in enumerate(members) if any(w in m.relationship for w in PARTNER_WORDS)
                    and m.age >= rule.adult_age and i != lead), None)
    lead_adult = lead is not None and members[lead].age >= rule.adult_age
    couples = ((lead, partner),) if lead_adult and partner is not None and lead is not None else ()
    return Household(tuple(people), couples)


def _check_new(new: NewApplication, today: date) -> None:
    problems = []
    if new.applied_on is not None and new.applied_on > today:
        problems.append(f"applied on {new.applied_on:%d/%m/%Y} is in the future; give the day the form came in")
    for name in ("current_bedrooms", "annual_income_pence", "savings_pence", "arrears_elsewhere_pence"):
        value = getattr(new, name)
        if value is not None and value < 0:
            problems.append(f"{name.replace('_pence', '').replace('_', ' ')} cannot be negative")
    if new.accessible_need and new.accessible_need not in ACCESSIBLE_NEEDS:
        problems.append(f"accessible need {new.accessible_need!r}: choose {', '.join(ACCESSIBLE_NEEDS)} or none")
    if new.homeless_duty and new.homeless_duty not in HOMELESS_DUTIES:
        problems.append(f"homeless duty {new.homeless_duty!r}: choose {', '.join(HOMELESS_DUTIES)}")
    if problems:
        raise InputError(problems[0], problems=problems)


def create_application(ctx: ServiceContext, new: NewApplication) -> str:
    """A new application for the person's household (status new), with its bedroom need and the
    verification checklist from data; one live application per household. Returns its reference."""
    ctx.require("lettings.manage")
    today = ctx.today()
    _check_new(new, today)
    applied = new.applied_on or today
    rule = in_force(load_bedroom_standard(ctx.settings.data_dir), applied)
    with session_scope(ctx.engine, write=True) as session:
        person = find_person(session, new.person_ref)
        household = household_of(session, person)  # locked: two terminals cannot both add one
        live = session.exec(select(LettingsApplication.ref).where(
            LettingsApplication.household_id == household.id,
            col(LettingsApplication.status).in_(LIVE_STATUSES))).first()
        if live:
            raise InputError(f"household {household.ref} already has a live application {live}; a household has "
                             "one — update it instead")
        assert household.id is not None and person.id is not None
        members = members_of(session, household.id, applied, rule.max_age)
        need = bedrooms_needed(household_for_need(members, dict(new.child_sexes), rule), rule)
        fields = {name: getattr(new, name) for name in (
            "current_home", "current_bedrooms", "current_tenure", "reasons", "local_connection",
            "annual_income_pence", "savings_pence", "arrears_elsewhere_pence", "arrears_agreement",
            "homeless_duty", "accessible_need")}
        app = insert_with_ref(session, lambda ref: LettingsApplication(
            ref=ref, household_id=household.id, person_id=person.id, applied_on=applied, bedroom_need=need,
            created_by=ctx.actor.id if ctx.actor else None, created_at=ctx.now(), **fields),
            LettingsApplication.ref, REF_PREFIX)
        for item in items_in_force(load_checklist(ctx.settings.data_dir), applied):
            session.add(LettingsCheck(application_id=app.id, item=item.code))
        audit.record(session, ctx, "lettings.application_created", "person", person.ref,
                     {"application": app.ref, "household": household.ref, "bedroom_need": need})
        return app.ref


def application_ref_for(ctx: ServiceContext, person_ref: str) -> str | None:
    """The latest application of the person's household (they applied, or are a member), or None."""
    if not (ctx.can("lettings.view") or ctx.can("lettings.manage")):
        ctx.require("lettings.view")
    with session_scope(ctx.engine) as session:
        person = find_person(session, person_ref)
        households = select(HouseholdMember.household_id).where(HouseholdMember.person_id == person.id)
        return session.exec(select(LettingsApplication.ref).where(
            or_(col(LettingsApplication.person_id) == person.id, col(LettingsApplication.household_id).in_(households)))
            .order_by(col(LettingsApplication.applied_on).desc(), col(LettingsApplication.id).desc())).first()


__all__ = ["NewApplication", "application_ref_for", "create_application"]
