"""The housing register's services on SQLite and PostgreSQL (docs/LETTINGS_REGISTER.md): bedroom need
from the household, qualification rules by name, a band without reasons refused, the review window's
clock, the place on the list, recent bids, status changes, the checklist, and every read audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from builders import NOW, person, prop, seed_office
from sqlalchemy import text

from duty_tui.areas.lettings.db.models import LettingsAdvert, LettingsBid, LettingsCycle, LettingsVoid
from duty_tui.areas.lettings.domain.register import QualificationFacts
from duty_tui.areas.lettings.services.register import NewApplication, application_ref_for, create_application
from duty_tui.areas.lettings.services.register_checks import decision_letter, record_check
from duty_tui.areas.lettings.services.register_decisions import (
    change_status,
    decide_band,
    decide_qualification,
    decide_review,
    request_review,
)
from duty_tui.areas.lettings.services.register_view import application_view
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Household, HouseholdMember, Property
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = NOW.date()  # Tuesday 10/03/2026
QUALIFIES = QualificationFacts(residence_years=5, residence_exempt=False, annual_income_pence=None,
                               savings_pence=None, arrears_weeks=0, arrears_agreement=False,
                               unacceptable_behaviour=False)


def ctx_for(engine, username: str = "leader") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def add_household(engine, hh_ref: str, members: list[tuple[str, str, date, str, bool]]) -> None:
    """A household of (person ref, forename, born, relationship, is_lead)."""
    with session_scope(engine, write=True) as s:
        home = prop(f"PR{hh_ref[1:]}", f"{hh_ref} High St", "Swindon", "SN1 9ZZ", bedrooms=1)
        s.add(home)
        s.flush()
        household = Household(ref=hh_ref, property_id=home.id)
        s.add(household)
        s.flush()
        for ref, forename, born, relationship, lead in members:
            p = person(ref, forename, "Tester", born)
            s.add(p)
            s.flush()
            s.add(HouseholdMember(household_id=household.id, person_id=p.id, relationship=relationship, is_lead=lead))


def _audit(engine, action: str) -> list:
    with engine.connect() as c:
        return c.execute(text("SELECT entity_id, detail FROM audit_event WHERE action = :a ORDER BY id"),
                         {"a": action}).all()


def _khan(engine, **extra) -> tuple[ServiceContext, str]:
    seed_office(engine)
    ctx = ctx_for(engine)
    ref = create_application(ctx, NewApplication("P0000004", current_bedrooms=1, current_home="9 Mill Lane",
                                                 reasons="Overcrowded", child_sexes=(("P0000005", "f"),), **extra))
    return ctx, ref


def test_bedroom_need_from_the_household_and_a_childs_sex_required(engine):
    """Bedroom need from the household's members (ages from dates of birth), children paired by sex."""
    seed_office(engine)
    ctx = ctx_for(engine)
    with pytest.raises(InputError, match="pairs children by sex: give f or m for P0000005"):
        create_application(ctx, NewApplication("P0000004"))
    ref = create_application(ctx, NewApplication("P0000004", current_bedrooms=1, child_sexes=(("P0000005", "f"),)))
    view = application_view(ctx, ref)
    assert (view.bedroom_need, view.bedrooms_short, view.status, view.household_ref) == (2, 1, "new", "H0000003")
    assert [c.item for c in view.checks][:3] == ["identity", "residence", "household"]
    with pytest.raises(InputError, match="already has a live application"):
        create_application(ctx, NewApplication("P0000005", child_sexes=(("P0000005", "f"),)))
    assert application_ref_for(ctx, "P0000005") == ref  # a member finds the household's application


def test_bedroom_need_couple_and_children_of_both_sexes(engine):
    """A couple share; a boy of 12 and a girl of 11 may not share; two under 10 may: 1 + 2 + 1 = 4."""
    seed_office(engine)
    add_household(engine, "H0000010", [
        ("P0000010", "Ann", date(1985, 1, 1), "lead tenant", True),
        ("P0000011", "Bob", date(1984, 1, 1), "partner", False),
        ("P0000012", "Cal", date(2013, 6, 1), "child", False),
        ("P0000013", "Dee", date(2014, 6, 1), "child", False),
        ("P0000014", "Eve", date(2019, 6, 1), "child", False),
        ("P0000015", "Fin", date(2020, 6, 1), "child", False)])
    ctx = ctx_for(engine)
    sexes = (("P0000012", "m"), ("P0000013", "f"), ("P0000014", "f"), ("P0000015", "m"))
    ref = create_application(ctx, NewApplication("P0000010", child_sexes=sexes))
    assert application_view(ctx, ref).bedroom_need == 3  # Cal+Fin (boys), Dee+Eve (girls), the couple


def test_impossible_age_refused_naming_the_rule(engine):
    seed_office(engine)
    add_household(engine, "H0000020", [("P0000020", "Old", date(1880, 1, 1), "lead tenant", True)])
    with pytest.raises(InputError, match="impossible age: P0000020 would be 146"):
        create_application(ctx_for(engine), NewApplication("P0000020"))


def test_qualification_rules_by_name_income_cap_and_residence(engine):
    """Each failing rule's text is in the reasons; any failing → disqualified; none → active."""
    ctx, ref = _khan(engine, annual_income_pence=7_000_000)
    decided = decide_qualification(ctx, ref, QualificationFacts(1, False, None, None, 0, False, False))
    assert decided.status == "disqualified" and decided.outcome == "does_not_qualify"
    assert "income_cap: A household whose gross income is over £60,000" in decided.reasons
    assert "residence: The applicant has lived in the district for at least 2 years" in decided.reasons
    assert "savings_cap" not in decided.reasons
    assert decided.review_by == TODAY + timedelta(days=21)  # s160ZA(9) clock from reviews.toml
    letter = decision_letter(ctx, decided.assessment_id)
    assert "you do not qualify" in letter and "section 160ZA(9)" in letter and "31/03/2026" in letter
    with pytest.raises(InputError, match="becomes active by a new qualification decision"):
        change_status(ctx, ref, "active", "typed in error")


def test_qualification_arrears_without_agreement_and_exemption(engine):
    ctx, ref = _khan(engine, arrears_elsewhere_pence=120_000)
    decided = decide_qualification(ctx, ref, QualificationFacts(0, True, None, None, 9, False, False))
    assert decided.status == "disqualified" and decided.reasons.startswith("arrears_no_agreement:")
    assert "residence" not in decided.reasons  # exempt (e.g. homeless duty, armed forces)


def test_band_without_reasons_refused_and_nothing_saved(engine):
    ctx, ref = _khan(engine)
    decide_qualification(ctx, ref, QUALIFIES)
    with pytest.raises(InputError, match=r"a band needs its reasons.*s166A\(9\)"):
        decide_band(ctx, ref, "B", TODAY, "   ")
    with pytest.raises(InputError, match="not in the scheme"):
        decide_band(ctx, ref, "Z", TODAY, "why")
    view = application_view(ctx, ref)
    assert view.band is None and [d.kind for d in view.decisions] == ["qualification"]


def test_review_window_clock_late_request_needs_a_reason(engine):
    """Review by = notified + 21 days; a request after it is refused unless accepted late with a reason;
    the review is due 56 days (policy) after the request."""
    ctx, ref = _khan(engine, applied_on=date(2026, 1, 5))
    decide_qualification(ctx, ref, QUALIFIES)
    band = decide_band(ctx, ref, "C", TODAY - timedelta(days=2), "Overcrowded by one bedroom (s166A(3)(c))")
    assert band.review_by == date(2026, 3, 31)
    later = ctx_for(engine)
    late_ctx = ServiceContext.create(engine, later.settings, terminal="t", clock=lambda: NOW + timedelta(days=30))
    late_ctx = late_ctx.as_actor(later.actor)
    with pytest.raises(InputError, match="review window closed on 31/03/2026"):
        request_review(late_ctx, band.assessment_id, date(2026, 4, 1))
    assert request_review(late_ctx, band.assessment_id, date(2026, 4, 1), "in hospital until 30/03") == \
        date(2026, 4, 1) + timedelta(days=56)
    with pytest.raises(InputError, match="already has a review request"):
        request_review(late_ctx, band.assessment_id, date(2026, 3, 20))
    decision = next(d for d in application_view(ctx, ref).decisions if d.kind == "band")
    assert decision.review == "review asked 01/04/2026, decide by 27/05/2026"
    with pytest.raises(InputError, match="a review decision needs its reasons"):
        decide_review(late_ctx, band.assessment_id, "upheld", " ")
    assert decide_review(late_ctx, band.assessment_id, "upheld", "Overcrowding confirmed by visit") == "upheld"
    with pytest.raises(InputError, match="a review is decided once"):
        decide_review(late_ctx, band.assessment_id, "overturned", "changed mind")
    decision = next(d for d in application_view(ctx, ref).decisions if d.kind == "band")
    assert decision.review == "review upheld 09/04/2026"


def test_position_among_active_applications_in_the_same_band_and_need(engine):
    """Ranked by band date, then application date, then reference (rank.toml), within band and need."""
    seed_office(engine)
    ctx = ctx_for(engine)
    refs = []
    for n, applied, band_on in ((30, date(2025, 1, 5), date(2025, 6, 1)), (31, date(2024, 5, 1), date(2025, 6, 1)),
                                (32, date(2023, 1, 1), date(2025, 9, 1)), (33, date(2022, 1, 1), date(2025, 1, 1))):
        add_household(engine, f"H00000{n}", [(f"P00000{n}", "Solo", date(1990, 1, 1), "lead tenant", True)])
        ref = create_application(ctx, NewApplication(f"P00000{n}", applied_on=applied))
        decide_qualification(ctx, ref, QUALIFIES)
        decide_band(ctx, ref, "D" if n == 33 else "C", band_on, "Lacks a bathroom")
        refs.append(ref)
    places = [(application_view(ctx, r).position, application_view(ctx, r).of) for r in refs]
    assert places == [(2, 3), (1, 3), (3, 3), (1, 1)]  # same band date: the earlier application first
    change_status(ctx, refs[1], "suspended", "Refused 3 reasonable offers (scheme para 8.4)")
    view = application_view(ctx, refs[0])
    assert (view.position, view.of) == (1, 2) and view.place_words == "1st of 2 in band C needing 1 bedroom(s)"
    assert application_view(ctx, refs[1]).place_words == "no place on the list: status suspended"


def test_recent_bids_read_from_the_bid_table(engine):
    ctx, ref = _khan(engine)
    with session_scope(engine, write=True) as s:
        app_id = s.execute(text("SELECT id FROM lettings_application WHERE ref = :r"), {"r": ref}).scalar_one()
        prop_id = s.execute(text("SELECT id FROM property WHERE ref = 'PR000002'")).scalar_one()
        cycle = LettingsCycle(code="2026-10", opens_on=date(2026, 3, 5), closes_on=date(2026, 3, 11))
        void = LettingsVoid(property_id=prop_id, tenancy_ended_on=date(2026, 2, 1))
        s.add_all([cycle, void])
        s.flush()
        advert = LettingsAdvert(ref="AD000001", cycle_id=cycle.id, void_id=void.id, property_id=prop_id,
                                min_bedrooms=1, max_bedrooms=2, created_at=NOW)
        s.add(advert)
        s.flush()
        s.add(LettingsBid(advert_id=advert.id, application_id=app_id, cycle_id=cycle.id, slot=1, cycle_limit=3,
                          assisted=True, placed_at=datetime(2026, 3, 6, 9, 0, tzinfo=UTC)))
    bids = application_view(ctx, ref).bids
    assert [(b.advert_ref, b.status, b.assisted) for b in bids] == [("AD000001", "placed", True)]


def test_checklist_verified_only_once_received_by_whom_and_when(engine):
    ctx, ref = _khan(engine)
    with pytest.raises(InputError, match="verified only once received"):
        record_check(ctx, ref, "identity", "verified")
    record_check(ctx, ref, "identity", "requested", date(2026, 3, 1))
    record_check(ctx, ref, "identity", "received", date(2026, 3, 9), note="passport")
    record_check(ctx, ref, "identity", "verified")
    check = application_view(ctx, ref).checks[0]
    assert (check.requested_on, check.received_on, check.verified_by, check.note) == \
        (date(2026, 3, 1), date(2026, 3, 9), "Lee Leader", "passport")
    with pytest.raises(InputError, match="not in data/lettings/checklist.toml"):
        record_check(ctx, ref, "horoscope", "requested")


def test_every_read_audited_and_the_desk_reads_but_does_not_decide(engine):
    """Reception (lettings.view) sees the application, audited against the person; it cannot create or band."""
    ctx, ref = _khan(engine)
    desk = ctx_for(engine, "reception")
    assert application_view(desk, ref).ref == ref
    assert [row[0] for row in _audit(engine, "lettings.application_viewed")] == ["P0000004"]
    assert [row[0] for row in _audit(engine, "lettings.application_created")] == ["P0000004"]
    with pytest.raises(PermissionDenied):
        decide_band(desk, ref, "B", TODAY, "Homeless")
    with pytest.raises(PermissionDenied):
        create_application(desk, NewApplication("P0000001"))
    with session_scope(engine) as s:
        assert s.get(Property, 1) is not None


def test_one_live_application_per_household_is_a_database_guarantee(engine):
    """ux_lettings_application_live (lettings_0002): a second live application for the same household is
    refused by the database itself (whatever a service checks first); a cancelled one does not count."""
    from sqlalchemy.exc import IntegrityError

    from duty_tui.areas.lettings.services.register_decisions import change_status

    ctx, first = _khan(engine)
    with engine.connect() as c:
        row = c.execute(text("SELECT household_id, person_id FROM lettings_application WHERE ref = :r"),
                        {"r": first}).one()
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(text("INSERT INTO lettings_application (ref, household_id, person_id, status, applied_on, "
                       "arrears_agreement, unreasonable_refusals, created_at, version) VALUES ('LA9999999', :h, :p, "
                       "'active', '2026-03-01', :f, 0, '2026-03-01 09:00:00', 1)"),
                  {"h": row[0], "p": row[1], "f": False})
    change_status(ctx, first, "cancelled", "moved away")
    second = create_application(ctx, NewApplication("P0000004", child_sexes=(("P0000005", "f"),)))
    assert second != first  # a cancelled one is not live: the household may apply again


def test_a_medical_assessment_records_its_outcome_date_and_reasons_and_refuses_none(engine):
    """Medical or welfare need (HA 1996 s166A(3)(d)): an outcome from the policy data, its date and reasons,
    notified with a review window; refused without reasons, with an unknown outcome or a future date."""
    from duty_tui.areas.lettings.services.register_decisions import decide_need

    ctx, ref = _khan(engine)
    with pytest.raises(InputError, match="needs its reasons"):
        decide_need(ctx, ref, "medical", "high", TODAY, "  ")
    with pytest.raises(InputError, match="choose urgent, high, low, none"):
        decide_need(ctx, ref, "medical", "severe", TODAY, "GP letter")
    with pytest.raises(InputError, match="in the future"):
        decide_need(ctx, ref, "welfare", "low", TODAY + timedelta(days=1), "social worker")
    done = decide_need(ctx, ref, "medical", "HIGH", TODAY - timedelta(days=2), "GP letter: stairs worsen COPD")
    assert done.outcome == "high" and done.review_by > TODAY
    view = application_view(ctx, ref)
    assert any(d.kind == "medical" and d.outcome == "high" for d in view.decisions)
    assert _audit(engine, "lettings.need_assessed")
