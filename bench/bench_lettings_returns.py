"""Lettings at council scale (issue 16, "Done when"): shortlisting 5,000 bids on one advert, and a year's
re-letting statistics over 3,000 lets among 60,000 properties — each against a bare query of the same rows.

    .venv/bin/python bench/bench_lettings_returns.py                 # SQLite, a new file in a temporary folder
    .venv/bin/python bench/bench_lettings_returns.py --postgres      # a throwaway PostgreSQL server too

Builds its own database (never point it at one anyone uses): the schema by the migrations, then with bulk
INSERTs 60,000 properties, 20,000 applicants (person, household, application; bands A-D), 3,000 voids let
in the financial year 2025/26 (re-lets and every excluded type) each with an advert, an accepted offer and a
new tenancy, about 9,000 rows of rent_void_loss, and 5,000 bids on one advert. Then, timed ``--runs`` times:

1. shortlist bare: the SELECT of the 5,000 bids joined to their applications and people (rows fetched);
2. shortlist: the same rows read into ``Bid`` objects and ranked by ``domain/rank.py`` (the policy's rule);
3. statistics bare: COUNT and SUM over the year's lets and their void loss rows;
4. statistics: ``compute_measures`` for the year (re-let times, exclusions, void loss by let, band, route).

Prints the median, p95 and max of each and the ratio to its bare query. No service reads the bids yet
(the shortlist screen is another part), so (2) is the plain query plus the ranking.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR_FROM, YEAR_TO = date(2025, 4, 1), date(2026, 3, 31)
PROPERTIES, APPLICANTS, LETS, BIDS = 60_000, 20_000, 3_000, 5_000
NOW = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def _chunks(rows: list[dict], size: int = 5000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def build(engine) -> None:
    """The council-scale rows, inserted in bulk (seeded: the same every run)."""
    from duty_tui.areas.lettings.db.models import (
        LettingsAdvert,
        LettingsApplication,
        LettingsBid,
        LettingsCycle,
        LettingsOffer,
        LettingsVoid,
    )
    from duty_tui.areas.rents.db.models import RentVoidLoss
    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import Household, HouseholdMember, Person, Property, Tenancy

    rnd = random.Random(16)
    t = {m.__name__: m.__table__ for m in (Property, Person, Household, HouseholdMember, LettingsApplication,  # type: ignore[attr-defined]
                                           Tenancy, LettingsVoid, LettingsCycle, LettingsAdvert, LettingsOffer,
                                           LettingsBid, RentVoidLoss)}
    with session_scope(engine, write=True) as s:
        c = s.connection()

        def put(name: str, rows: list[dict]) -> None:
            for chunk in _chunks(rows):
                c.execute(t[name].insert(), chunk)

        put("Property", [{"id": i, "ref": f"PR{i:06d}", "address_line1": f"{i} Long Road", "town": "Swindon",
                          "postcode": "SN1 2AB", "postcode_key": "SN12AB", "street_key": "LONG ROAD",
                          "property_type": rnd.choice(("house", "flat", "bungalow")), "bedrooms": rnd.randint(1, 4),
                          "status": "let", "version": 1} for i in range(1, PROPERTIES + 1)])
        put("Person", [{"id": i, "ref": f"P{i:07d}", "forename": "Sam", "surname": f"Applicant{i}",
                        "date_of_birth": date(1950, 1, 1) + timedelta(days=rnd.randint(0, 20000)),
                        "surname_key": f"APPLICANT{i}", "forename_key": "SAM", "surname_sound": "A141",
                        "forename_sound": "S500", "created_at": NOW, "version": 1} for i in range(1, APPLICANTS + 1)])
        put("Household", [{"id": i, "ref": f"H{i:07d}", "version": 1} for i in range(1, APPLICANTS + 1)])
        put("HouseholdMember", [{"household_id": i, "person_id": i, "relationship": "lead", "is_lead": True}
                                for i in range(1, APPLICANTS + 1)])
        put("LettingsApplication", [
            {"id": i, "ref": f"LA{i:07d}", "household_id": i, "person_id": i, "status": "active",
             "applied_on": date(2018, 1, 1) + timedelta(days=rnd.randint(0, 2500)), "band": rnd.choice("ABCD"),
             "band_effective_on": date(2025, 1, 1) + timedelta(days=rnd.randint(0, 300)),
             "bedroom_need": rnd.randint(1, 4), "accessible_need": None if rnd.random() > 0.05 else "wheelchair",
             "arrears_agreement": False, "unreasonable_refusals": 0, "created_at": NOW, "version": 1}
            for i in range(1, APPLICANTS + 1)])
        put("LettingsCycle", [{"id": 1, "code": "2026-W10", "opens_on": date(2026, 3, 2), "closes_on": date(2026, 3, 8),
                               "bid_limit": 3}])
        kinds = ["relet"] * 17 + ["first_let", "mutual_exchange", "succession", "major_works", "decant"]
        voids, tenancies, adverts, offers, losses = [], [], [], [], []
        for n in range(1, LETS + 1):
            prop = n * (PROPERTIES // LETS)
            ended = YEAR_FROM + timedelta(days=rnd.randint(-20, 340))
            let_on = ended + timedelta(days=rnd.randint(1, 60))
            let_on = min(let_on, YEAR_TO)
            tenancies.append({"id": n, "ref": f"T{n:07d}", "property_id": prop, "household_id": n,
                              "tenancy_type": "introductory", "start_date": let_on, "weekly_rent_pence": 9500,
                              "status": "current", "version": 1})
            voids.append({"id": n, "property_id": prop, "void_type": rnd.choice(kinds), "tenancy_ended_on": ended,
                          "let_on": let_on, "new_tenancy_id": n, "version": 1})
            adverts.append({"id": n, "ref": f"AD{n:06d}", "cycle_id": 1, "void_id": n, "property_id": prop,
                            "min_bedrooms": 1, "max_bedrooms": 4, "weekly_rent_pence": 9500, "status": "let",
                            "created_at": NOW, "version": 1})
            offers.append({"ref": f"OF{n:06d}", "advert_id": n, "application_id": n, "status": "accepted",
                           "offered_on": let_on, "is_final": False, "created_at": NOW, "version": 1})
            week = ended - timedelta(days=ended.weekday())
            while week <= let_on:
                losses.append({"property_id": prop, "week_start": week, "charge_code": "rent", "days": 7,
                               "amount_pence": 9500})
                week += timedelta(days=7)
        put("Tenancy", tenancies)
        put("LettingsVoid", voids)
        put("LettingsAdvert", adverts)
        put("LettingsOffer", offers)
        put("RentVoidLoss", losses)
        put("LettingsBid", [{"advert_id": 1, "application_id": i, "cycle_id": 1, "slot": 1, "cycle_limit": 3,
                             "status": "placed", "assisted": False, "placed_at": NOW} for i in range(2, BIDS + 2)])
    print(f"built: {PROPERTIES:,} properties, {APPLICANTS:,} applicants, {LETS:,} lets, {len(losses):,} void "
          f"loss rows, {BIDS:,} bids on one advert")


def _timed(runs: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _line(name: str, times: list[float], bare: list[float] | None = None) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    med = statistics.median(ordered)
    ratio = f"  ×{med / statistics.median(bare):.1f} bare" if bare else ""
    return f"  {name:<18} median {med:8.1f} ms  p95 {p95:8.1f} ms  max {ordered[-1]:8.1f} ms{ratio}"


def measure(engine, url: str, runs: int) -> None:
    from sqlalchemy import func, select

    from duty_tui.areas.lettings.db.models import LettingsApplication, LettingsBid, LettingsVoid
    from duty_tui.areas.lettings.domain.rank import Advert, Bid, rank
    from duty_tui.areas.lettings.domain.reference import in_force, load_rank_rules
    from duty_tui.areas.lettings.services.bids import run_shortlist
    from duty_tui.areas.lettings.services.returns import compute_measures
    from duty_tui.areas.rents.db.models import RentVoidLoss
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import Person
    from duty_tui.core.services.context import Actor, ServiceContext

    settings = Settings(db_url=url)
    ctx = ServiceContext.create(engine, settings, terminal="bench-lettings", clock=lambda: NOW).batch_actor("bench")
    bid, app, person = LettingsBid.__table__, LettingsApplication.__table__, Person.__table__  # type: ignore[attr-defined]
    query = (select(app.c.ref, app.c.band, app.c.band_effective_on, app.c.applied_on, app.c.bedroom_need,
                    person.c.date_of_birth, app.c.accessible_need, app.c.status)
             .select_from(bid.join(app, app.c.id == bid.c.application_id).join(person, person.c.id == app.c.person_id))
             .where(bid.c.advert_id == 1, bid.c.status != "withdrawn"))
    rule = in_force(load_rank_rules(settings.data_dir), None)
    advert = Advert(bedrooms=2, need_min=2, need_max=3, min_age=None, accessible_only=False, bands=("A", "B", "C", "D"))

    def bare_bids() -> object:
        with session_scope(engine) as s:
            return s.connection().execute(query).all()

    def shortlist() -> object:
        with session_scope(engine) as s:
            rows = s.connection().execute(query).all()
        today = NOW.date()
        bids = [Bid(ref, band, band_on, applied, need or 0,
                    (today - born).days // 365 if born else 0, accessible is not None, status == "active")
                for ref, band, band_on, applied, need, born, accessible, status in rows]
        return rank(advert, bids, rule)

    void, loss = LettingsVoid.__table__, RentVoidLoss.__table__  # type: ignore[attr-defined]

    def bare_stats() -> object:
        with session_scope(engine) as s:
            c = s.connection()
            return (c.execute(select(func.count(), func.sum(void.c.property_id))
                              .where(void.c.let_on >= YEAR_FROM, void.c.let_on <= YEAR_TO)).one(),
                    c.execute(select(func.count(), func.sum(loss.c.amount_pence))
                              .where(loss.c.week_start >= YEAR_FROM - timedelta(days=90),
                                     loss.c.week_start <= YEAR_TO)).one())

    result = shortlist()
    found = compute_measures(ctx, YEAR_FROM, YEAR_TO)
    print(f"  shortlist: {len(result.shortlist):,} ranked, {len(result.skipped):,} skipped; statistics: "
          f"{len(found.lets):,} lets, {len(found.counted):,} counted, average {found.average_days} days")
    b1 = _timed(runs, bare_bids)
    print(_line("shortlist bare", b1))
    print(_line("shortlist", _timed(runs, shortlist), b1))
    # the real service behind the shortlist screen's "r": ranks as above and stores each bid's status and
    # skip reason, audited, in one write transaction (as a lettings officer)
    officer = ctx.as_actor(Actor(id=None, username="bench-lettings", display_name="Bench lettings officer",
                                 role="lettings_officer", role_name="Lettings officer",
                                 permissions=ctx.reference.roles["lettings_officer"].permissions, team_id=None))
    print(_line("run_shortlist", _timed(runs, lambda: run_shortlist(officer, "AD000001")), b1))
    b2 = _timed(runs, bare_stats)
    print(_line("statistics bare", b2))
    print(_line("statistics", _timed(runs, lambda: compute_measures(ctx, YEAR_FROM, YEAR_TO)), b2))


def run(url: str, runs: int) -> None:
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    build(engine)
    print(f"  (built in {time.perf_counter() - started:.1f} s)")
    measure(engine, url, runs)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each step (default 15)")
    parser.add_argument("--postgres", action="store_true", help="also run against a throwaway PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite")
        run(f"sqlite:///{folder}/lettings.db", args.runs)
    if args.postgres:
        sys.path.insert(0, str(ROOT / "tests"))
        from conftest import find_pg_ctl, running_postgres

        pg_ctl = find_pg_ctl()
        if pg_ctl is None:
            raise SystemExit("PostgreSQL server binaries not found (set DUTY_PG_CTL to a pg_ctl)")
        with running_postgres(pg_ctl) as server:
            server.create_database("lettings")
            print("PostgreSQL")
            run(server.url("lettings"), args.runs)


if __name__ == "__main__":
    main()
