"""Homes to let on SQLite and PostgreSQL (docs/LETTINGS_LETTING.md): voids with days void, cycles,
adverts with the rent from the last tenancy, and the re-let time rule (excluded void types)."""

from __future__ import annotations

from datetime import date

import pytest
from areas.lettings.homes_builders import add_application, ctx_for, rows, seeded

from duty_tui.areas.lettings.domain.homes import affordability, policy_on, relet_days, suspends
from duty_tui.areas.lettings.services.homes import create_advert, list_adverts, list_voids, open_cycle, record_void
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import InputError, PermissionDenied


def test_relet_days_are_calendar_days_and_excluded_void_types_have_none():
    policy = policy_on(Settings().data_dir, date(2026, 3, 10))
    assert relet_days("relet", date(2026, 2, 2), date(2026, 3, 16), policy) == 42
    for kind in ("first_let", "mutual_exchange", "succession", "major_works", "decant"):
        assert relet_days(kind, date(2026, 2, 2), date(2026, 3, 16), policy) is None


def test_affordability_threshold_and_suspension_limit_come_from_policy_data():
    policy = policy_on(Settings().data_dir, date(2026, 3, 10))
    assert policy.affordability_percent == 35 and policy.unreasonable_refusals_limit == 2
    ok = affordability(9500, 52 * 30000, policy)          # £95 of £300 a week: 32%
    assert ok.affordable is True and "within the 35%" in ok.note()
    high = affordability(12000, 52 * 30000, policy)       # 40%
    assert high.affordable is False and "ABOVE" in high.note()
    assert affordability(9500, None, policy).affordable is None
    assert not suspends(1, policy) and suspends(2, policy)


def test_void_listed_with_days_void_and_advert_takes_the_last_tenancys_rent(engine):
    ctx, advert = seeded(engine)
    voids = list_voids(ctx)
    assert [(v.property_ref, v.days_void, v.void_type) for v in voids] == [("PR000002", 36, "relet")]
    assert rows(engine, "SELECT weekly_rent_pence, status, min_bedrooms FROM lettings_advert WHERE ref = :r",
                r=advert) == [(9500, "open", 1)]
    assert [a.ref for a in list_adverts(ctx)] == [advert]


def test_void_dates_before_the_tenancy_end_are_refused(engine):
    ctx, _ = seeded(engine)
    with pytest.raises(InputError, match="before the tenancy ended"):
        record_void(ctx, "PR000001", date(2026, 3, 1), keys_back_on=date(2026, 2, 1))
    with pytest.raises(InputError, match="void type"):
        record_void(ctx, "PR000001", date(2026, 3, 1), void_type="squat")


def test_cycle_closing_before_opening_or_twice_is_refused(engine):
    ctx, _ = seeded(engine)
    with pytest.raises(InputError, match="closes .* before it opens"):
        open_cycle(ctx, "C2", date(2026, 3, 9), date(2026, 3, 1))
    with pytest.raises(InputError, match="already exists"):
        open_cycle(ctx, "C1", date(2026, 3, 9), date(2026, 3, 15))


def test_direct_match_advert_names_the_application_and_entered_rent(engine):
    ctx, _ = seeded(engine)
    add_application(engine, "LA000009", band="A", homeless="main")
    void_id = record_void(ctx, "PR000003", date(2026, 3, 1))
    ref = create_advert(ctx, void_id, cycle_code=None, min_bedrooms=1, max_bedrooms=2, weekly_rent_pence=10000,
                        direct_match="la000009")
    assert rows(engine, "SELECT a.weekly_rent_pence, l.ref FROM lettings_advert a JOIN lettings_application l "
                        "ON l.id = a.direct_match_application_id WHERE a.ref = :r", r=ref) == [(10000, "LA000009")]
    with pytest.raises(InputError, match="one of them"):
        create_advert(ctx, void_id, cycle_code="C1", min_bedrooms=1, max_bedrooms=1, direct_match="LA000009")


def test_homes_need_lettings_manage(engine):
    seeded(engine)
    with pytest.raises(PermissionDenied):
        list_voids(ctx_for(engine, "reception"))


def test_the_domains_void_types_are_the_tables_void_types():
    """domain/homes.py keeps its own copy (the domain never imports the tables); they must agree."""
    from duty_tui.areas.lettings.db.models import VOID_TYPES as TABLE_TYPES
    from duty_tui.areas.lettings.domain.homes import VOID_TYPES

    assert VOID_TYPES == TABLE_TYPES
