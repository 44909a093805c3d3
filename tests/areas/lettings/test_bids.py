"""Bids and shortlists on SQLite and PostgreSQL (docs/LETTINGS_LETTING.md): each refusal by its rule,
the slot guarantee under two bids at once, and the shortlist stored on the bids with skip reasons."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from areas.lettings.homes_builders import add_application, ctx_for, rows, seeded
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.lettings.services.bids import place_bid, pre_tenancy_checks, run_shortlist, withdraw_bid
from duty_tui.areas.lettings.services.homes import close_advert, create_advert, open_cycle, record_void
from duty_tui.core.domain.errors import InputError


def _more_adverts(ctx, n: int, cycle: str = "C1") -> list[str]:
    refs = []
    for i in range(n):
        void_id = record_void(ctx, "PR000001" if i % 2 else "PR000003", date(2026, 3, 1))
        refs.append(create_advert(ctx, void_id, cycle_code=cycle, min_bedrooms=1, max_bedrooms=3))
    return refs


def test_bid_takes_the_lowest_free_slot_and_a_withdrawn_bid_frees_its_slot(engine):
    ctx, advert = seeded(engine, bid_limit=2)
    add_application(engine, "LA000001")
    second, third = _more_adverts(ctx, 2)
    assert place_bid(ctx, advert, "LA000001") == 1
    assert place_bid(ctx, second, "LA000001") == 2
    with pytest.raises(InputError, match="used all 2 bids of cycle C1"):
        place_bid(ctx, third, "LA000001")
    withdraw_bid(ctx, advert, "LA000001")
    assert place_bid(ctx, third, "LA000001") == 1


def test_bid_refused_outside_the_cycle_dates(engine):
    ctx, _ = seeded(engine)
    add_application(engine, "LA000001")
    open_cycle(ctx, "OLD", date(2026, 2, 1), date(2026, 2, 7))
    (old,) = _more_adverts(ctx, 1, "OLD")
    with pytest.raises(InputError, match="only while its cycle is open"):
        place_bid(ctx, old, "LA000001")


def test_bid_refused_on_an_advert_not_open_and_for_an_application_not_active(engine):
    ctx, advert = seeded(engine)
    add_application(engine, "LA000001")
    add_application(engine, "LA000002", status="suspended")
    with pytest.raises(InputError, match="only an active application may bid"):
        place_bid(ctx, advert, "LA000002")
    place_bid(ctx, advert, "LA000001")
    with pytest.raises(InputError, match="one bid per advert"):
        place_bid(ctx, advert, "LA000001")
    close_advert(ctx, advert)
    add_application(engine, "LA000003")
    with pytest.raises(InputError, match="only on an open advert"):
        place_bid(ctx, advert, "LA000003")
    assert rows(engine, "SELECT count(*) FROM lettings_bid") == [(1,)]


def test_slot_guarantee_refuses_a_duplicate_slot_and_a_slot_over_the_limit_in_the_database(engine):
    ctx, advert = seeded(engine, bid_limit=1)
    add_application(engine, "LA000001")
    (second,) = _more_adverts(ctx, 1)
    place_bid(ctx, advert, "LA000001")
    insert = ("INSERT INTO lettings_bid (advert_id, application_id, cycle_id, slot, cycle_limit, status, assisted, "
              "placed_at) SELECT a.id, l.id, a.cycle_id, :slot, 1, 'placed', false, CURRENT_TIMESTAMP "
              "FROM lettings_advert a, lettings_application l WHERE a.ref = :ad AND l.ref = 'LA000001'")
    for slot in (1, 2):   # slot 1 is taken (ux_lettings_bid_slot); slot 2 is over the limit (ck_lettings_bid_slot)
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.execute(text(insert), {"slot": slot, "ad": second})


@pytest.mark.postgres
def test_two_bids_at_once_cannot_both_take_the_last_slot_on_postgres(pg_engine):
    """Two desks bid for the same applicant at the same moment on two adverts with one slot left: one wins."""
    ctx, advert = seeded(pg_engine, bid_limit=2)
    add_application(pg_engine, "LA000001")
    second, third = _more_adverts(ctx, 2)
    place_bid(ctx, advert, "LA000001")
    results: list[object] = []
    barrier = threading.Barrier(2)

    def bid(ref: str) -> None:
        barrier.wait()
        try:
            results.append(place_bid(ctx_for(pg_engine), ref, "LA000001"))
        except InputError as exc:
            results.append(exc)

    threads = [threading.Thread(target=bid, args=(ref,)) for ref in (second, third)]
    for each in threads:
        each.start()
    for each in threads:
        each.join(60)
    assert sorted(map(str, results))[0] == "2" and isinstance(sorted(results, key=str)[1], InputError)
    assert rows(pg_engine, "SELECT slot FROM lettings_bid WHERE status <> 'withdrawn' ORDER BY slot") == [(1,), (2,)]


def test_shortlist_ranks_by_band_then_dates_and_stores_skipped_with_reasons(engine):
    ctx, advert = seeded(engine)
    add_application(engine, "LA000001", band="B", band_on=date(2024, 1, 1))
    add_application(engine, "LA000002", band="A", band_on=date(2025, 6, 1))
    add_application(engine, "LA000003", band="A", band_on=date(2025, 1, 1))
    add_application(engine, "LA000004", band="A", need=3)                 # outside the 1-1 range
    add_application(engine, "LA000005", band=None)                        # no band: does not qualify
    for ref in ("LA000001", "LA000002", "LA000003", "LA000004", "LA000005"):
        place_bid(ctx, advert, ref)
    result = run_shortlist(ctx, advert)
    assert [(r.place, r.application_ref) for r in result if r.place] == [(1, "LA000003"), (2, "LA000002"),
                                                                        (3, "LA000001")]
    assert rows(engine, "SELECT l.ref, b.status, b.skip_reason FROM lettings_bid b JOIN lettings_application l "
                        "ON l.id = b.application_id WHERE b.status = 'skipped' ORDER BY l.ref") == [
        ("LA000004", "skipped", "bedroom_need"), ("LA000005", "skipped", "not_qualifying")]


def test_pre_tenancy_checks_show_affordability_and_unverified_items(engine):
    ctx, advert = seeded(engine)
    add_application(engine, "LA000001", income=52 * 20000)    # £95 of £200 a week: 48%, above 35%
    checks = pre_tenancy_checks(ctx, advert, "LA000001")
    assert checks.affordable is False and "ABOVE the 35% threshold" in checks.affordability_note
    assert ("application active", True, "active") in checks.checks
