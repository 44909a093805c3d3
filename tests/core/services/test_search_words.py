"""Several words at once (issue 11, B4): name, street and postcode together; house numbers sort as numbers.

On SQLite and PostgreSQL. Brook Street (SN1 3SN) has houses 4, 8A, 9, 10, 15 and 21B;
two Smiths live there, another Smith lives in SN1 3SA, and Anna Brook (not a Smith)
lives round the corner.
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import NOW, person, prop, seed_office

from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Household, HouseholdMember
from duty_tui.core.domain.search_keys import house_number
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.search import find_people, search_people

SMITH_61, SMITH_87, SMYTH, KHAN, CHILD = "P0000001", "P0000002", "P0000003", "P0000004", "P0000005"
HOMES = [  # ref, line 1, postcode, person ref, forename, surname
    ("PR000101", "10 Brook Street", "SN1 3SN", "P0000101", "Peter", "Smith"),
    ("PR000102", "4 Brook Street", "SN1 3SN", "P0000102", "Mary", "Smith"),
    ("PR000103", "21B Brook Street", "SN1 3SN", "P0000103", "Omar", "Hussain"),
    ("PR000104", "8A Brook Street", "SN1 3SN", "P0000104", "Grace", "Okoro"),
    ("PR000105", "15 Brook Street", "SN1 3SN", "P0000105", "Tom", "Price"),
    ("PR000106", "9 Brook Street", "SN1 3SN", "P0000106", "Lena", "Novak"),
    ("PR000107", "2 Brook Street", "SN1 3SA", "P0000107", "Carl", "Smith"),
    ("PR000108", "1 Kennet Road", "SN1 3SN", "P0000108", "Anna", "Brook"),
]
PETER, MARY, OMAR, GRACE, TOM, LENA, CARL, ANNA = (h[3] for h in HOMES)


@pytest.fixture
def ctx(engine) -> ServiceContext:
    seed_office(engine)
    with session_scope(engine, write=True) as session:
        for n, (ref, line1, postcode, person_ref, forename, surname) in enumerate(HOMES):
            home = prop(ref, line1, "Swindon", postcode)
            someone = person(person_ref, forename, surname, date(1970 + n, 1, 1))
            session.add_all([home, someone])
            session.flush()
            household = Household(ref=f"H0000{101 + n}", property_id=home.id)
            session.add(household)
            session.flush()
            session.add(HouseholdMember(household_id=household.id, person_id=someone.id, relationship="lead tenant",
                                        is_lead=True))
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="t", clock=lambda: NOW)
    return base.as_actor(find_actor(base, "reception"))


def refs(ctx, query: str, limit: int = 20) -> list[str]:
    return [hit.ref for hit in find_people(ctx, query, limit)]


@pytest.mark.parametrize("query", ["smtih sn1 3sn", "smith sn13sn", "SN1 3SN smtih", "smyth sn1 3sn"])
def test_a_name_and_a_postcode_find_that_name_at_that_postcode(ctx, query):
    assert set(refs(ctx, query)) == {PETER, MARY}


def test_a_name_and_a_postcode_say_what_matched(ctx):
    hits = find_people(ctx, "smtih sn1 3sn")
    assert {hit.matched_on for hit in hits} == {"name and postcode"}


@pytest.mark.parametrize("query", ["smtih brook", "brook smtih", "smith brook st"])
def test_a_name_and_a_street_word_find_that_name_on_that_street(ctx, query):
    found = set(refs(ctx, query))
    assert found == {PETER, MARY, CARL}
    assert ANNA not in found  # a Brook who is not a Smith


def test_a_name_and_a_district(ctx):
    assert set(refs(ctx, "smith sn1")) == {SMITH_61, PETER, MARY, CARL}


def test_a_name_a_house_number_and_a_street(ctx):
    assert refs(ctx, "smith 10 brook street") == [PETER]
    assert refs(ctx, "smith 21b brook street") == []  # Omar Hussain lives at 21B


@pytest.mark.parametrize("query", ["khan sn1 3sn", "smith sn1 3sx", "smith zzz", "anna smith brook"])
def test_every_word_must_match_something(ctx, query):
    assert refs(ctx, query) == []


def test_a_postcode_lists_house_numbers_as_numbers(ctx):
    hits = find_people(ctx, "SN1 3SN")
    numbers = [hit.address.split()[0] for hit in hits if "Brook Street" in (hit.address or "")]
    assert numbers == ["4", "8A", "9", "10", "15", "21B"]
    assert [house_number(n) for n in numbers] == sorted(house_number(n) for n in numbers)


def test_a_street_lists_house_numbers_as_numbers(ctx):
    hits = find_people(ctx, "brook street")
    assert [hit.address.split()[0] for hit in hits] == ["2", "4", "8A", "9", "10", "15", "21B"]


def test_the_total_and_the_cap_are_reported(ctx):
    found = search_people(ctx, "sn1 3sn", limit=3)
    assert len(found.hits) == 3 and found.total == 7 and found.capped and not found.more_than
    assert "postcode" in found.narrow_hint()
    whole = search_people(ctx, "smtih sn1 3sn", limit=50)
    assert whole.total == len(whole.hits) == 2 and not whole.capped


def test_a_single_name_still_finds_by_sound_and_ranks_best_first(ctx):
    found = refs(ctx, "smtih")
    assert {SMITH_61, SMITH_87, SMYTH, PETER, MARY, CARL} <= set(found)
    assert KHAN not in found
