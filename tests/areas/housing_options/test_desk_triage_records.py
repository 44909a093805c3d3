"""Issue 11 B13 on both databases: a blank loss date never closes a case; a new applicant's postal
address and household are records (people in a household, an address letters go to), and the
decision letter carries them and the applicant's words."""

from __future__ import annotations

from datetime import date

from builders import NOW, seed_office
from sqlmodel import select

from duty_tui.areas.housing_options.domain.intake import HouseholdEntry, PostalAddress
from duty_tui.areas.housing_options.services.applicant import applicant, register_applicant
from duty_tui.areas.housing_options.services.approach import save_approach
from duty_tui.areas.housing_options.services.case_view import get_housing_case
from duty_tui.areas.housing_options.services.letters import preview_letter
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Household, HouseholdMember, Person, PersonAddress
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext


def options(engine) -> ServiceContext:
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test", clock=lambda: NOW)
    return base.as_actor(find_actor(base, "options"))


def test_s175_a_blank_loss_date_leaves_the_case_open_at_triage(engine):
    seed_office(engine)
    ctx = options(engine)
    saved = save_approach(ctx, {"approach_date": "10/03/2026", "eligible": "yes", "homeless": "no"},
                            person_ref="P0000001")
    assert saved.stage == "triage" and "not yet known" in saved.message  # never closed as "not threatened"
    case = get_housing_case(ctx, saved.case_ref)
    assert case.status != "closed"
    letter = preview_letter(ctx, saved.case_ref, "s184_decision").text
    assert "we need to know when you may lose your home" in letter
    assert "When you may lose your home (section 175(4) and (5))" in letter
    assert "not threatened with homelessness within 56 days" not in letter


def test_a_new_applicants_address_and_household_are_records_the_approach_and_letter_use(engine):
    seed_office(engine)
    ctx = options(engine)
    ref = register_applicant(
        ctx, "Maria", "Lopez", "14/05/1990", "07700 900555",
        address=PostalAddress("c/o St Mark's Hostel", "2 Church Street", "Swindon", "SN1 4AA"),
        members=(HouseholdEntry("Luis", "Lopez", "partner", date(1991, 8, 1)),
                 HouseholdEntry("Sofia", "Lopez", "child", date(2019, 2, 1))))
    with session_scope(engine) as s:
        person = s.exec(select(Person).where(Person.ref == ref)).one()
        address = s.exec(select(PersonAddress).where(PersonAddress.person_id == person.id)).one()
        assert (address.postcode, address.postcode_key) == ("SN1 4AA", "SN14AA")
        lead = s.exec(select(HouseholdMember).where(HouseholdMember.person_id == person.id)).one()
        assert lead.is_lead and s.get(Household, lead.household_id) is not None
        others = s.exec(select(HouseholdMember, Person).join(Person, Person.id == HouseholdMember.person_id)
                        .where(HouseholdMember.household_id == lead.household_id,
                               HouseholdMember.person_id != person.id)).all()
        assert sorted((m.relationship, p.forename, p.date_of_birth) for m, p in others) == [
            ("child", "Sofia", date(2019, 2, 1)), ("partner", "Luis", date(1991, 8, 1))]
    who = applicant(ctx, ref)
    assert who.household_text == "partner 34, child 7"  # read from the records, as the approach takes it

    saved = save_approach(ctx, {"approach_date": "10/03/2026", "homeless": "yes", "household": who.household_text,
                                  "priority_state": "grounds", "priority_grounds": ["dependent_children"]},
                            person_ref=ref)
    letter = preview_letter(ctx, saved.case_ref, "s184_decision").text
    lines = letter.splitlines()
    start = lines.index("Maria Lopez")
    assert lines[start + 1:start + 5] == ["c/o St Mark's Hostel", "2 Church Street", "Swindon", "SN1 4AA"]
    assert "intentional:" not in letter and "if not intentional" not in letter and "listed yet" not in letter
    assert "Whether you are eligible for help with housing (section 185)" in letter
    assert all(len(line) <= 88 for line in lines)


def test_register_applicant_refuses_a_bad_phone_and_keeps_nothing(engine):
    seed_office(engine)
    ctx = options(engine)
    import pytest

    from duty_tui.core.domain.errors import InputError

    with session_scope(engine) as s:
        before = len(s.exec(select(Person)).all())
    with pytest.raises(InputError, match="phone"):
        register_applicant(ctx, "Maria", "Lopez", "14/05/1990", "not a phone")
    with session_scope(engine) as s:
        assert len(s.exec(select(Person)).all()) == before
