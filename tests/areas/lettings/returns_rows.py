"""Rows for the lettings returns' tests, inserted directly through the models (docs/LETTINGS_RETURNS.md).

February 2026 on the office built by ``builders.seed_office``:

- PR000001 relet: tenancy ended Sat 31/01, let Tue 10/02 (10 days) after one refusal, to band B by a bid;
- PR000002 relet: ended Sun 01/02, let Fri 20/02 (19 days), a direct match to band A;
- PR000003 first let: ended 01/02, let 15/02 (excluded from the re-let time; still a CORE letting);
- PR000001 mutual exchange: ended 24/02, let 25/02 (excluded; not a CORE new letting);
- PR000002 relet let 05/03 (outside the period).

Void rent loss (rent_void_loss): PR000001 weeks of 26/01 (£5), 02/02 (£60 + £10), 09/02 (£20), 23/02 (£3).
"""

from __future__ import annotations

from datetime import date

from builders import NOW, seed_office
from sqlmodel import select

from duty_tui.areas.lettings.db.models import (
    LettingsAdvert,
    LettingsApplication,
    LettingsBid,
    LettingsCycle,
    LettingsOffer,
    LettingsVoid,
)
from duty_tui.areas.rents.db.models import RentVoidLoss
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Household, HouseholdMember, Person, Property, Tenancy
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

FEB_FROM, FEB_TO = date(2026, 2, 1), date(2026, 2, 28)


def ctx_for(engine, username: str = "leader", **settings) -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url), **settings), terminal="test-terminal",
                                clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def _application(s, ref: str, person_ref: str, band: str) -> LettingsApplication:
    person = s.exec(select(Person).where(Person.ref == person_ref)).one()
    household = Household(ref=f"HL{ref[-6:]}")
    s.add(household)
    s.flush()
    s.add(HouseholdMember(household_id=household.id, person_id=person.id, relationship="lead tenant", is_lead=True))
    app = LettingsApplication(ref=ref, household_id=household.id, person_id=person.id, status="active",
                              applied_on=date(2024, 5, 1), band=band, band_effective_on=date(2024, 6, 1),
                              created_at=NOW)
    s.add(app)
    s.flush()
    return app


def _tenancy(s, ref: str, prop: Property, household_id: int, start: date, kind: str = "introductory") -> Tenancy:
    tenancy = Tenancy(ref=ref, property_id=prop.id, household_id=household_id, tenancy_type=kind, start_date=start,
                      weekly_rent_pence=9512)
    s.add(tenancy)
    s.flush()
    return tenancy


def _advert(s, ref: str, void: LettingsVoid, **extra) -> LettingsAdvert:
    advert = LettingsAdvert(ref=ref, void_id=void.id, property_id=void.property_id, min_bedrooms=1, max_bedrooms=3,
                            status="let", created_at=NOW, **extra)
    s.add(advert)
    s.flush()
    return advert


def seed_lets(engine) -> None:
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        props = {p.ref: p for p in s.exec(select(Property)).all()}
        khan = _application(s, "LA0000001", "P0000004", "B")
        smyth = _application(s, "LA0000002", "P0000003", "A")
        other = _application(s, "LA0000003", "P0000002", "C")
        cycle = LettingsCycle(code="2026-W05", opens_on=date(2026, 1, 26), closes_on=date(2026, 2, 1), bid_limit=3)
        s.add(cycle)
        s.flush()
        t1 = _tenancy(s, "T00010", props["PR000001"], khan.household_id, date(2026, 2, 10))
        t2 = _tenancy(s, "T00011", props["PR000002"], smyth.household_id, date(2026, 2, 20), "secure")
        t3 = _tenancy(s, "T00012", props["PR000003"], other.household_id, date(2026, 2, 15))
        t4 = _tenancy(s, "T00013", props["PR000001"], other.household_id, date(2026, 2, 25), "secure")
        voids = [LettingsVoid(property_id=props["PR000001"].id, void_type="relet", tenancy_ended_on=date(2026, 1, 31),
                              let_on=date(2026, 2, 10), new_tenancy_id=t1.id),
                 LettingsVoid(property_id=props["PR000002"].id, void_type="relet", tenancy_ended_on=date(2026, 2, 1),
                              let_on=date(2026, 2, 20), new_tenancy_id=t2.id),
                 LettingsVoid(property_id=props["PR000003"].id, void_type="first_let",
                              tenancy_ended_on=date(2026, 2, 1), let_on=date(2026, 2, 15), new_tenancy_id=t3.id),
                 LettingsVoid(property_id=props["PR000001"].id, void_type="mutual_exchange",
                              tenancy_ended_on=date(2026, 2, 24), let_on=date(2026, 2, 25), new_tenancy_id=t4.id),
                 LettingsVoid(property_id=props["PR000002"].id, void_type="relet", tenancy_ended_on=date(2026, 2, 26),
                              let_on=date(2026, 3, 5))]
        s.add_all(voids)
        s.flush()
        a1 = _advert(s, "AD0001", voids[0], cycle_id=cycle.id)
        refused_bid = LettingsBid(advert_id=a1.id, application_id=other.id, cycle_id=cycle.id, slot=1, cycle_limit=3,
                                  status="refused", placed_at=NOW)
        bid = LettingsBid(advert_id=a1.id, application_id=khan.id, cycle_id=cycle.id, slot=1, cycle_limit=3,
                          status="housed", placed_at=NOW)
        s.add_all([refused_bid, bid])
        s.flush()
        s.add(LettingsOffer(ref="OF0001", advert_id=a1.id, application_id=other.id, bid_id=refused_bid.id,
                            status="refused", refusal_reason="too far from school", offered_on=date(2026, 2, 2),
                            created_at=NOW))
        s.flush()
        s.add(LettingsOffer(ref="OF0002", advert_id=a1.id, application_id=khan.id, bid_id=bid.id, status="accepted",
                            offered_on=date(2026, 2, 4), created_at=NOW))
        a2 = _advert(s, "AD0002", voids[1], direct_match_application_id=smyth.id)
        s.add(LettingsOffer(ref="OF0003", advert_id=a2.id, application_id=smyth.id, status="accepted",
                            offered_on=date(2026, 2, 12), created_at=NOW))
        pr1 = props["PR000001"].id
        s.add_all([RentVoidLoss(property_id=pr1, week_start=week, charge_code=code, days=days, amount_pence=pence)
                   for week, code, days, pence in ((date(2026, 1, 26), "rent", 1, 500),
                                                   (date(2026, 2, 2), "rent", 7, 6000),
                                                   (date(2026, 2, 2), "service", 7, 1000),
                                                   (date(2026, 2, 9), "rent", 1, 2000),
                                                   (date(2026, 2, 23), "rent", 1, 300))])
