"""The demo office's housing register and lettings (issue 16 item 9; docs/LETTINGS_DEMO.md).

The small demo office, with the lettings step on top: applications in every band and every status,
bids within the cycle's limit and one live offer per advert, last week's shortlists skipped for the
ranking rule's reasons, and the past year's lets with re-let times the statistics count.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from duty_tui.areas.lettings.demo import generate_lettings
from duty_tui.areas.lettings.domain.bedroom_need import bedrooms_needed
from duty_tui.areas.lettings.domain.rank import Advert, Bid, skip_reason
from duty_tui.areas.lettings.domain.reference import in_force, load_bands, load_rank_rules
from duty_tui.areas.lettings.services.returns import compute_measures
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine
from duty_tui.core.demo import generator
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)  # a Tuesday (as the core demo tests)
DATA = Settings().data_dir
TABLES = ("lettings_application", "lettings_assessment", "lettings_check", "lettings_review_request",
          "lettings_property", "lettings_void", "lettings_cycle", "lettings_advert", "lettings_bid", "lettings_offer",
          "lettings_viewing", "lettings_signup")


def _build(template: Path, path: Path, seed: int = 0):
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    generator.generate(engine, size="small", seed=seed, today=TODAY, office_name="Demo Housing", jurisdiction="england")
    counts = generate_lettings(engine, seed=seed, today=TODAY, size="small", jurisdiction="england")
    return engine, counts


@pytest.fixture(scope="module")
def demo(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory):
    engine, counts = _build(sqlite_template_path, tmp_path_factory.mktemp("lettings_demo") / "a.db")
    yield engine, counts
    engine.dispose()


def _rows(engine, sql: str) -> list:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)).all())


def test_the_register_has_every_band_and_every_status(demo) -> None:
    engine, counts = demo
    statuses = Counter(s for (s,) in _rows(engine, "SELECT status FROM lettings_application"))
    assert set(statuses) == {"new", "active", "under_review", "suspended", "cancelled", "disqualified", "housed"}
    bands = {b for (b,) in _rows(engine, "SELECT band FROM lettings_application WHERE status = 'active'")}
    assert bands == set("ABCD")
    assert counts["applications"] == sum(statuses.values()) and 35 <= counts["applications"] <= 70
    # a band always has its effective date (the table's CHECK), and a new application is not banded yet
    assert _rows(engine, "SELECT count(*) FROM lettings_application WHERE status = 'new' AND band IS NOT NULL") \
        == [(0,)]


def test_band_decisions_carry_reasons_notified_on_and_a_21_day_review_window(demo) -> None:
    engine, _ = demo
    rows = _rows(engine, "SELECT a.band, s.band, s.effective_on, s.reasons, s.notified_on, s.review_by "
                         "FROM lettings_assessment s JOIN lettings_application a ON a.id = s.application_id "
                         "WHERE s.kind = 'band'")
    assert rows
    for app_band, band, effective, reasons, notified, review_by in rows:
        assert band == app_band and reasons.strip()
        assert date.fromisoformat(str(review_by)) - date.fromisoformat(str(notified)) == timedelta(days=21)
        assert date.fromisoformat(str(effective)) <= date.fromisoformat(str(notified)) <= TODAY
    states = {(requested is not None, received is not None, verified is not None)
              for requested, received, verified in _rows(
                  engine, "SELECT requested_on, received_on, verified_at FROM lettings_check")}
    assert {(True, False, False), (True, True, False), (True, True, True)} <= states


def test_bedroom_need_is_the_households_under_the_bedroom_standard_for_households_of_adults(demo) -> None:
    """Adults need no sex drawn: the need of an all-adult household is fixed by the rule (a couple shares)."""
    engine, _ = demo
    from duty_tui.areas.lettings.domain.bedroom_need import Household, Member
    from duty_tui.areas.lettings.domain.reference import load_bedroom_standard

    rule = in_force(load_bedroom_standard(DATA), TODAY)
    checked = 0
    for app_id, need, applied in _rows(engine, "SELECT id, bedroom_need, applied_on FROM lettings_application"):
        members = _rows(engine, "SELECT p.date_of_birth, m.relationship, m.is_lead FROM household_member m "
                                "JOIN person p ON p.id = m.person_id JOIN lettings_application a "
                                f"ON a.household_id = m.household_id WHERE a.id = {app_id} AND m.left_on IS NULL")
        on = date.fromisoformat(str(applied))
        ages = [on.year - date.fromisoformat(str(d)).year
                - ((on.month, on.day) < (date.fromisoformat(str(d)).month, date.fromisoformat(str(d)).day))
                for d, _, _ in members]
        if min(ages) < rule.adult_age or len(members) > 2:
            continue
        couple = len(members) == 2 and any("partner" in r for _, r, _ in members)
        expected = bedrooms_needed(Household(tuple(Member(a, "m") for a in ages), ((0, 1),) if couple else ()), rule)
        assert need == expected
        checked += 1
    assert checked > 5


def test_bids_respect_the_cycle_limit_and_one_bid_per_advert(demo) -> None:
    engine, _ = demo
    bids = _rows(engine, "SELECT b.cycle_id, b.application_id, b.advert_id, b.slot, b.cycle_limit, c.bid_limit "
                         "FROM lettings_bid b JOIN lettings_cycle c ON c.id = b.cycle_id WHERE b.status <> 'withdrawn'")
    assert bids
    assert all(1 <= slot <= limit == cycle_limit == 3 for *_, slot, limit, cycle_limit in bids)
    per_cycle = Counter((cycle, app) for cycle, app, *_ in bids)
    assert max(per_cycle.values()) <= 3
    assert len({(cycle, app, slot) for cycle, app, _, slot, *_ in bids}) == len(bids)  # a slot once per cycle
    assert len({(advert, app) for _, app, advert, *_ in bids}) == len(bids)
    this_week = _rows(engine, "SELECT c.opens_on, c.closes_on, count(a.id) FROM lettings_cycle c JOIN lettings_advert "
                              "a ON a.cycle_id = c.id WHERE a.status = 'open' GROUP BY c.id")
    assert [(date.fromisoformat(str(o)), date.fromisoformat(str(c))) for o, c, _ in this_week] == \
        [(date(2026, 3, 9), date(2026, 3, 15))]


def test_at_most_one_live_offer_per_advert_to_its_top_eligible_bidder_and_a_viewing(demo) -> None:
    engine, _ = demo
    live = _rows(engine, "SELECT advert_id, application_id, bid_id FROM lettings_offer WHERE status = 'live'")
    assert 2 <= len(live) and len({advert for advert, *_ in live}) == len(live)
    assert len({app for _, app, _ in live}) == len(live)  # no one holds two live offers
    for _, app, bid in live:
        assert _rows(engine, f"SELECT application_id, status FROM lettings_bid WHERE id = {bid}") == [(app, "offered")]
    assert _rows(engine, "SELECT count(*) FROM lettings_viewing v JOIN lettings_offer o ON o.id = v.offer_id "
                         "WHERE o.status = 'live'") == [(1,)]


def test_skipped_bids_are_skipped_for_the_ranking_rules_reason(demo) -> None:
    engine, _ = demo
    rule = in_force(load_rank_rules(DATA), TODAY)
    bands = tuple(b.code for b in load_bands(DATA))
    rows = _rows(engine, "SELECT b.skip_reason, b.status, a.ref, a.band, a.band_effective_on, a.applied_on, "
                         "a.bedroom_need, a.accessible_need, p.date_of_birth, ad.min_bedrooms, ad.max_bedrooms, "
                         "ad.min_age, ad.accessible_need FROM lettings_bid b JOIN lettings_application a ON "
                         "a.id = b.application_id JOIN person p ON p.id = a.person_id JOIN lettings_advert ad ON "
                         "ad.id = b.advert_id WHERE ad.status IN ('closed', 'offered')")
    assert any(status == "skipped" for _, status, *_ in rows)
    for reason, status, ref, band, band_on, applied, need, access, born, low, high, min_age, adapted in rows:
        dob = date.fromisoformat(str(born))
        age = TODAY.year - dob.year - ((TODAY.month, TODAY.day) < (dob.month, dob.day))
        bid = Bid(ref, band, date.fromisoformat(str(band_on)), date.fromisoformat(str(applied)), need, age,
                  access is not None, True)
        assert skip_reason(bid, Advert(high, low, high, min_age, adapted is not None, bands), rule) == reason
        assert (status == "skipped") == (reason is not None)


def test_lets_of_the_past_year_have_re_let_times_the_statistics_count(demo) -> None:
    engine, _ = demo
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test")
    ctx = ctx.as_actor(find_actor(ctx, "leader"))
    found = compute_measures(ctx, TODAY - timedelta(days=365), TODAY)
    assert len(found.lets) >= 5 and found.counted and all(days > 0 for days in found.counted)
    assert found.average_days is not None and found.average_days > 0
    assert dict(found.by_band) and "choice_based_bid" in dict(found.by_route)
    for ended, let_on, new in _rows(engine, "SELECT tenancy_ended_on, let_on, new_tenancy_id FROM lettings_void "
                                            "WHERE let_on IS NOT NULL"):
        start = _rows(engine, f"SELECT start_date FROM tenancy WHERE id = {new}")[0][0]
        assert str(start) == str(let_on) and str(ended) < str(let_on)
    ready = _rows(engine, "SELECT ready_on IS NOT NULL FROM lettings_void WHERE let_on IS NULL")
    assert {True, False} <= {bool(r) for (r,) in ready}  # some ready to let, some with keys back only


def _digest(engine) -> str:
    with engine.connect() as connection:
        return hashlib.sha256(repr([connection.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all()
                                    for t in TABLES]).encode()).hexdigest()


def test_same_seed_and_day_give_the_same_lettings_rows(demo, sqlite_template_path: Path, tmp_path: Path) -> None:
    engine, counts = demo
    again, again_counts = _build(sqlite_template_path, tmp_path / "b.db")
    try:
        assert again_counts == counts and _digest(again) == _digest(engine)
    finally:
        again.dispose()


@pytest.mark.postgres
def test_postgres_gets_the_same_lettings_rows_as_sqlite(demo, pg_engine) -> None:
    """The demo is the same office on either backend: the lettings step's rows too."""
    engine, counts = demo
    generator.generate(pg_engine, size="small", seed=0, today=TODAY, office_name="Demo Housing",
                       jurisdiction="england")
    assert generate_lettings(pg_engine, seed=0, today=TODAY, size="small", jurisdiction="england") == counts
    for table in TABLES:
        assert _typed(pg_engine, table) == _typed(engine, table), table


def _typed(engine, name: str) -> list[tuple]:
    """The table's rows as the models type them; moments as naive UTC (SQLite keeps no zone)."""
    table = SQLModel.metadata.tables[name]

    def plain(value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
    return [tuple(plain(v) for v in row) for row in rows]
