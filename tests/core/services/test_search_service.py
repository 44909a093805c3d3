"""Global search (services/search.py) on SQLite and PostgreSQL, against the seeded office.

Names are fuzzy; refs, postcodes and phone numbers exact; every search is
audited as a search (the query and the count, never who was found).
"""

from __future__ import annotations

import json

import pytest
from builders import NOW, seed_office
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, Person
from duty_tui.core.domain.errors import PermissionDenied
from duty_tui.core.services.audit import verify_chain
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import Actor, ServiceContext
from duty_tui.core.services.search import find_people

SMITH_61, SMITH_87, SMYTH, KHAN, CHILD = "P0000001", "P0000002", "P0000003", "P0000004", "P0000005"
EVERYONE = {SMITH_61, SMITH_87, SMYTH, KHAN, CHILD}


@pytest.fixture
def base_ctx(engine) -> ServiceContext:
    seed_office(engine)
    return ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="t", clock=lambda: NOW)


@pytest.fixture
def ctx(base_ctx) -> ServiceContext:
    return base_ctx.as_actor(find_actor(base_ctx, "leader"))


def refs(ctx, query: str, limit: int = 20) -> list[str]:
    return [hit.ref for hit in find_people(ctx, query, limit)]


def audit_events(engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


# --- names --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["smtih", "smyth", "jon smtih", "SMITH", "smith"])
def test_misspelt_or_variant_names_find_both_john_smiths_and_jon_smyth(ctx, query):
    found = refs(ctx, query)
    assert {SMITH_61, SMITH_87, SMYTH} <= set(found)
    assert KHAN not in found


def test_full_name_ranks_the_exact_john_smiths_above_smyth(ctx):
    found = refs(ctx, "john smith")
    assert set(found[:2]) == {SMITH_61, SMITH_87}
    assert found.index(SMYTH) > 1


def test_exact_surname_ranks_above_the_sound_alike(ctx):
    found = refs(ctx, "smyth")
    assert found[0] == SMYTH


@pytest.mark.parametrize("query", ["john smith", "smith john", "Smith, John", "  JOHN   SMITH  "])
def test_forename_first_or_surname_first(ctx, query):
    found = refs(ctx, query)
    assert set(found[:2]) == {SMITH_61, SMITH_87}


@pytest.mark.parametrize("query", ["j smith", "smith j", "J. Smith"])
def test_initial_and_surname(ctx, query):
    found = refs(ctx, query)
    assert set(found[:2]) == {SMITH_61, SMITH_87}
    assert KHAN not in found


def test_forename_alone(ctx):
    assert refs(ctx, "aisha") == [KHAN]


def test_forename_and_surname_pick_one_person_in_a_household(ctx):
    assert refs(ctx, "zara khan")[0] == CHILD


def test_surname_finds_the_household(ctx):
    assert set(refs(ctx, "khan")) == {KHAN, CHILD}


def test_results_tell_the_two_john_smiths_apart(ctx):
    hits = {hit.ref: hit for hit in find_people(ctx, "john smith")}
    old, young = hits[SMITH_61], hits[SMITH_87]
    assert old.name == young.name == "John Smith"
    assert (old.born, young.born) == (1961, 1987)
    assert old.address == "12 Mill Lane, Swindon SN1 2AB"
    assert young.address == "4 Station Road, Swindon SN2 5CD"
    assert (old.tenancy_ref, young.tenancy_ref) == ("T00001", "T00002")
    assert old.alerts == 1 and young.alerts == 0
    assert old.matched_on == "name"


def test_results_are_best_first(ctx):
    hits = find_people(ctx, "jon smtih")
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


# --- postcodes, phones, refs, addresses ----------------------------------------------


@pytest.mark.parametrize("query", ["SN1 2AB", "sn1 2ab", "SN12AB", "sn12ab", " Sn1  2aB "])
def test_full_postcode_any_spacing_or_case(ctx, query):
    hits = find_people(ctx, query)
    assert [hit.ref for hit in hits] == [SMITH_61]
    assert hits[0].matched_on == "postcode"


def test_full_postcode_does_not_match_a_neighbouring_postcode(ctx):
    assert set(refs(ctx, "SN1 2AD")) == {KHAN, CHILD}


@pytest.mark.parametrize("query", ["sn1", "SN1"])
def test_outward_code_finds_everyone_in_the_district(ctx, query):
    assert set(refs(ctx, query)) == {SMITH_61, KHAN, CHILD}


def test_outward_code_is_not_a_prefix_of_a_longer_district(ctx, engine):
    """'SN1' is a district; it must not also bring back SN10, SN11, ... (a different place)."""
    from builders import prop

    from duty_tui.core.db.models import Household, HouseholdMember

    with session_scope(engine, write=True) as session:
        far = prop("PR000099", "1 Far Road", "Devizes", "SN10 1AA")
        session.add(far)
        session.flush()
        household = Household(ref="H0000099", property_id=far.id)
        session.add(household)
        session.flush()
        smyth = session.exec(select(Person).where(Person.ref == SMYTH)).one()
        session.add(HouseholdMember(household_id=household.id, person_id=smyth.id, relationship="lead tenant",
                                    is_lead=True))
    assert set(refs(ctx, "SN1")) == {SMITH_61, KHAN, CHILD}
    assert refs(ctx, "SN10") == [SMYTH]


@pytest.mark.parametrize("query", ["01793 100001", "01793100001", "+44 1793 100001", "0044 1793 100001",
                                   "(01793) 100-001"])
def test_phone_number_any_format(ctx, query):
    hits = find_people(ctx, query)
    assert [hit.ref for hit in hits] == [SMITH_61]
    assert hits[0].matched_on == "phone"


def test_mobile_with_plus_44(ctx):
    assert refs(ctx, "+44 7700 900123") == [KHAN]


def test_phone_numbers_match_exactly_not_by_prefix(ctx):
    assert refs(ctx, "07700 90000") == []


@pytest.mark.parametrize(
    ("query", "expected", "matched_on"),
    [
        ("P0000001", [SMITH_61], "person ref"),
        ("p0000003", [SMYTH], "person ref"),
        ("T00001", [SMITH_61], "tenancy ref"),
        ("t00003", [KHAN, CHILD], "tenancy ref"),
        ("RNT000002", [SMITH_87], "account ref"),
        ("FTA000001", [SMYTH], "account ref"),
        ("C0000001", [KHAN], "case ref"),
        ("C0000002", [SMITH_61], "case ref"),
        ("H0000003", [KHAN, CHILD], "household ref"),
        ("PR000002", [SMITH_87], "property ref"),
    ],
)
def test_refs(ctx, query, expected, matched_on):
    hits = find_people(ctx, query)
    assert [hit.ref for hit in hits] == expected  # lead tenant first
    assert {hit.matched_on for hit in hits} == {matched_on}


@pytest.mark.parametrize("query", ["P9999999", "T99999", "RNT999999", "C9999999"])
def test_unknown_refs_find_no_one(ctx, query):
    assert refs(ctx, query) == []


def test_house_number_and_street(ctx):
    hits = find_people(ctx, "12 mill lane")
    assert [hit.ref for hit in hits] == [SMITH_61]
    assert hits[0].matched_on == "address"
    assert refs(ctx, "9 Mill Lane") == [KHAN, CHILD]


def test_street_alone_finds_everyone_on_it(ctx):
    assert set(refs(ctx, "mill lane")) == {SMITH_61, KHAN, CHILD}
    assert refs(ctx, "station road") == [SMITH_87]


def test_house_number_is_not_a_prefix(ctx):
    """'1 mill lane' is not number 12."""
    assert refs(ctx, "1 mill lane") == []


# --- nothing found, too short, odd characters ----------------------------------------


@pytest.mark.parametrize("query", ["xqzzyv", "qqqq wwww", "ZZ99 9ZZ", "00000 000000"])
def test_nonsense_finds_no_one(ctx, query):
    assert find_people(ctx, query) == []


@pytest.mark.parametrize("query", ["", "   ", "j", "S", "7", "%", "_", "*", "'", "-"])
def test_too_short_finds_no_one(ctx, query):
    assert find_people(ctx, query) == []


@pytest.mark.parametrize(
    "query",
    ["%%", "__", "%_%", "s%", "%smith%", "sm_th", "'", "O'Brien", "'; DROP TABLE person; --", "\" OR 1=1 --",
     "smith' OR '1'='1", "\\", "[a-z]*", "12 %", "% mill lane", "1_ mill lane", "SN1%", "P%", "RNT%", "C_______",
     "0779%", "\x00", "ab\x00cd", "smith\x00", "\u0000 12 mill lane"],
)
def test_sql_metacharacters_are_plain_text(ctx, engine, query):
    found = refs(ctx, query)
    # Wildcards match nothing extra: never the whole table.
    assert set(found) != EVERYONE
    assert len(found) <= 3
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 5
    assert verify_chain(engine).ok


def test_wildcards_in_a_name_do_not_widen_it(ctx):
    assert set(refs(ctx, "kh%")) <= {KHAN, CHILD}
    assert set(refs(ctx, "%an")) == set()


def test_long_query_is_cut_not_refused(ctx):
    assert find_people(ctx, "smith " * 200)  is not None


# --- limit -------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["smith", "sn1", "mill lane", "T00003"])
def test_limit_is_respected(ctx, query):
    assert len(find_people(ctx, query, limit=1)) == 1
    assert len(find_people(ctx, query, limit=2)) <= 2


def test_limit_keeps_the_best(ctx):
    assert set(refs(ctx, "john smith", limit=2)) == {SMITH_61, SMITH_87}


# --- audit and permissions --------------------------------------------------------


def test_each_search_writes_one_audit_event_with_the_query_and_count_only(ctx, engine):
    before = len(audit_events(engine))
    hits = find_people(ctx, "john smith")

    events = audit_events(engine)
    assert len(events) == before + 1
    event = events[-1]
    assert event.action == "person.search"
    assert event.actor == "leader"
    assert event.entity is None and event.entity_id is None
    detail = json.loads(event.detail)
    assert detail["query"] == "john smith"
    assert detail["found"] == len(hits) == 3
    # Never the results: not a ref, a name, a birth year or an address.
    for hit in hits:
        assert hit.ref not in event.detail
        assert str(hit.born) not in event.detail
        assert "Mill Lane" not in event.detail
    assert "Smyth" not in event.detail


def test_a_search_that_finds_no_one_is_audited_too(ctx, engine):
    find_people(ctx, "xqzzyv")
    event = audit_events(engine)[-1]
    assert event.action == "person.search"
    assert json.loads(event.detail)["found"] == 0


def test_every_kind_of_search_is_audited_once(ctx, engine):
    queries = ["smith", "SN1 2AB", "01793 100001", "P0000001", "12 mill lane", "mill lane"]
    before = len(audit_events(engine))
    for query in queries:
        find_people(ctx, query)
    events = audit_events(engine)[before:]
    assert [e.action for e in events] == ["person.search"] * len(queries)
    assert [json.loads(e.detail)["query"] for e in events] == queries
    assert verify_chain(engine).ok


def test_reception_can_search(base_ctx):
    reception = base_ctx.as_actor(find_actor(base_ctx, "reception"))
    assert SMITH_61 in refs(reception, "john smith")


def test_a_role_without_person_search_is_refused_and_nothing_is_recorded(base_ctx, engine):
    nosy = Actor(id=None, username="nosy", display_name="Nosy", role="custom", role_name="Custom role",
                 permissions=frozenset({"person.view", "case.view"}), team_id=None)
    before = len(audit_events(engine))
    with pytest.raises(PermissionDenied) as caught:
        find_people(base_ctx.as_actor(nosy), "john smith")
    assert "person.search" in caught.value.message
    assert len(audit_events(engine)) == before


def test_nobody_signed_in_is_refused(base_ctx):
    with pytest.raises(PermissionDenied):
        find_people(base_ctx, "john smith")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_any_text_is_a_safe_query(ctx, query):
    hits = find_people(ctx, query, limit=5)
    assert len(hits) <= 5
    assert {hit.ref for hit in hits} <= EVERYONE


def test_part_typed_postcode_with_a_space(ctx):
    assert set(refs(ctx, "SN1 2")) == {SMITH_61, KHAN, CHILD}


def test_prefix_search_works_under_a_locale_collation(pg_engine):
    """Most UK PostgreSQL servers collate en_GB, where 'lope{' and 'SN:' sort before the letters."""
    from builders import person, prop
    from sqlalchemy import text

    from duty_tui.core.db.models import Household, HouseholdMember

    seed_office(pg_engine)
    with pg_engine.begin() as connection:
        for table, column, length in (("person", "surname_key", 80), ("person", "forename_key", 80),
                                      ("property", "postcode_key", 8), ("property", "street_key", 120)):
            connection.execute(text(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) '
                                    'COLLATE "en-GB-x-icu"'))
    with session_scope(pg_engine, write=True) as session:
        liz = person("P0000042", "Liz", "Ortiz", NOW.date().replace(year=1990))
        home = prop("PR000042", "7 Quayside", "Salisbury", "SP9 1AB")
        session.add_all([liz, home])
        session.flush()
        household = Household(ref="H0000042", property_id=home.id)
        session.add(household)
        session.flush()
        session.add(HouseholdMember(household_id=household.id, person_id=liz.id, relationship="lead tenant",
                                    is_lead=True))
    base = ServiceContext.create(pg_engine, Settings(db_url=str(pg_engine.url)), terminal="t", clock=lambda: NOW)
    ctx = base.as_actor(find_actor(base, "leader"))
    assert "P0000042" in refs(ctx, "liz")  # forename prefix ending in z
    assert refs(ctx, "SP9") == ["P0000042"]  # district ending in 9
    assert set(refs(ctx, "SN1")) == {SMITH_61, KHAN, CHILD}
    assert set(refs(ctx, "smi")) >= {SMITH_61, SMITH_87}
