"""Test data for letting a home: the office from builders.seed_office plus lettings applications
inserted directly (the register's services are another helper's), a void, a cycle and an advert."""

from __future__ import annotations

from datetime import date

from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.lettings.db.models import LettingsApplication
from duty_tui.areas.lettings.services.homes import create_advert, open_cycle, record_void
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Household, HouseholdMember, Person
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = NOW.date()  # Tuesday 10/03/2026


def ctx_for(engine, username: str = "leader") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def add_application(engine, ref: str, *, band: str | None = "A", band_on: date = date(2025, 1, 1),
                    applied_on: date = date(2024, 6, 1), need: int = 1, status: str = "active",
                    born: date = date(1980, 1, 1), income: int | None = 2_000_000, homeless: str | None = None,
                    accessible: str | None = None) -> None:
    """An applicant (person + household) and their application, inserted as rows."""
    with session_scope(engine, write=True) as s:
        person = Person(ref=f"P9{ref[-6:]}", forename="App", surname=ref, date_of_birth=born)
        household = Household(ref=f"H9{ref[-6:]}")
        s.add_all([person, household])
        s.flush()
        s.add(HouseholdMember(household_id=household.id, person_id=person.id, relationship="lead", is_lead=True))
        s.add(LettingsApplication(ref=ref, household_id=household.id, person_id=person.id, status=status,
                                  applied_on=applied_on, band=band, band_effective_on=band_on if band else None,
                                  bedroom_need=need, annual_income_pence=income, homeless_duty=homeless,
                                  accessible_need=accessible, created_at=NOW))


def seeded(engine, *, bid_limit: int = 3, void_type: str = "relet") -> tuple[ServiceContext, str]:
    """The office, a void at PR000002 (1-bed flat, last tenancy T00002 at £95.00), cycle C1 open today, an advert."""
    seed_office(engine)
    ctx = ctx_for(engine)
    void_id = record_void(ctx, "PR000002", date(2026, 2, 2), void_type=void_type, keys_back_on=date(2026, 2, 3))
    open_cycle(ctx, "C1", date(2026, 3, 9), date(2026, 3, 15), bid_limit)
    return ctx, create_advert(ctx, void_id, cycle_code="C1", min_bedrooms=1, max_bedrooms=1)


def rows(engine, sql: str, **params) -> list:
    """The rows as tuples, dates as ISO text (SQLite returns text for a raw query, PostgreSQL a date)."""
    with engine.connect() as c:
        return [tuple(v.isoformat() if isinstance(v, date) else v for v in r) for r in c.execute(text(sql), params).all()]
