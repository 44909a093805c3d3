"""Global search latency on a large office: p50/p95 per kind of query, through the real service.

Queries are drawn from the database itself (seeded, so every run asks the same):
name prefixes, misspelt names (two letters swapped or one dropped), full
names, postcodes and refs (person, tenancy, account), and several words at once
(a misspelt surname with the postcode or a street word; "found" is the share
whose person is among the first 10). Each search is the real `find_people`
call, including its audit write. Target: p95 < 50 ms per kind. "cpu p50" is this
process's CPU time per search (all of SQLite's work; PostgreSQL's server time is not
in it): a figure that holds when other work shares the machine.

    .venv/bin/python bench/bench_search.py --db sqlite:////work/council.db [--db postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from sqlalchemy import text

from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.search import find_people


def misspell(word: str, rng: random.Random) -> str:
    """Swap two neighbouring letters or drop one (never the first letter)."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i + 1:]


def sample_queries(engine, n: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    with engine.connect() as conn:
        people = conn.execute(text("SELECT forename, surname, ref FROM person ORDER BY id")).all()
        postcodes = [r[0] for r in conn.execute(text("SELECT DISTINCT postcode FROM property ORDER BY postcode"))]
        tenancies = [r[0] for r in conn.execute(text("SELECT ref FROM tenancy ORDER BY id"))]
        accounts = [r[0] for r in conn.execute(text("SELECT ref FROM account WHERE account_type = 'rent' ORDER BY id"))]
        residents = conn.execute(text(
            "SELECT p.surname, pr.address_line1, pr.postcode FROM person p "
            "JOIN household_member m ON m.person_id = p.id AND m.left_on IS NULL "
            "JOIN household h ON h.id = m.household_id JOIN property pr ON pr.id = h.property_id ORDER BY p.id")).all()
    picks = [people[rng.randrange(len(people))] for _ in range(n)]
    living = [residents[rng.randrange(len(residents))] for _ in range(n)]
    return {
        "name prefix": [p.surname[: rng.randint(3, 5)] for p in picks],
        "misspelt surname": [misspell(p.surname, rng).lower() for p in picks],
        "forename + surname": [f"{p.forename} {p.surname}" for p in picks],
        "postcode": [rng.choice(postcodes).lower().replace(" ", rng.choice(["", " "])) for _ in range(n)],
        "person ref": [p.ref for p in picks],
        "tenancy ref": [rng.choice(tenancies) for _ in range(n)],
        "account ref": [rng.choice(accounts) for _ in range(n)],
        # Several words (issue 11, B4): a misspelt surname with the postcode, or with a street word.
        # Each is (query, the surname that must be among the first 10 found).
        "name + postcode": [(f"{misspell(r.surname, rng).lower()} {r.postcode.lower()}", r.surname) for r in living],
        "name + street": [(f"{misspell(r.surname, rng).lower()} "
                           f"{next((w for w in r.address_line1.split() if w.isalpha()), '').lower()}", r.surname)
                          for r in living],
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def run(url: str, n: int, seed: int) -> None:
    engine = make_engine(url)
    settings = Settings(db_url=url)
    ctx = ServiceContext.create(engine, settings, terminal="bench")
    ctx = ctx.as_actor(find_actor(ctx, "reception"))
    queries = sample_queries(engine, n, seed)
    for q in queries["name prefix"][:10]:  # warm caches and the connection pool
        find_people(ctx, q)
    backend = engine.dialect.name
    print(f"\n{backend}: {url.split('@')[-1]}  ({n} queries per kind, real service incl. audit write)")
    print(f"{'kind':<20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu p50':>8} {'hits/q':>7} {'found':>6}")
    for kind, items in queries.items():
        times, cpu, hits, right, checked = [], [], 0, 0, 0
        for item in items:
            query, expect = item if isinstance(item, tuple) else (item, None)
            started, started_cpu = time.perf_counter(), time.process_time()
            found = find_people(ctx, query, limit=50)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            hits += len(found)
            if expect is not None:
                checked += 1
                right += any(hit.name.endswith(" " + expect) for hit in found[:10])
        share = f"{right / checked:6.0%}" if checked else f"{'':>6}"
        print(f"{kind:<20} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {max(times):8.1f} "
              f"{statistics.median(cpu):8.1f} {hits / len(items):7.1f} {share}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append", required=True, help="database URL (repeatable)")
    parser.add_argument("-n", type=int, default=200, help="queries per kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for url in args.db:
        run(url, args.n, args.seed)


if __name__ == "__main__":
    main()
