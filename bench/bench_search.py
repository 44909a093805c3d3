"""Global search latency on a large office: p50/p95 per kind of query, through the real service.

Queries are drawn from the database itself (seeded, so every run asks the same):
name prefixes, misspelt names (two letters swapped or one dropped), full
names, postcodes and refs (person, tenancy, account). Each search is the real
`find_people` call, including its audit write. Target: p95 < 50 ms per kind.

    .venv/bin/python bench/bench_search.py --db sqlite:////work/council.db [--db postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from sqlalchemy import text

from duty_tui.config import Settings
from duty_tui.db.engine import make_engine
from duty_tui.services.auth import find_actor
from duty_tui.services.context import ServiceContext
from duty_tui.services.search import find_people


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
    picks = [people[rng.randrange(len(people))] for _ in range(n)]
    return {
        "name prefix": [p.surname[: rng.randint(3, 5)] for p in picks],
        "misspelt surname": [misspell(p.surname, rng).lower() for p in picks],
        "forename + surname": [f"{p.forename} {p.surname}" for p in picks],
        "postcode": [rng.choice(postcodes).lower().replace(" ", rng.choice(["", " "])) for _ in range(n)],
        "person ref": [p.ref for p in picks],
        "tenancy ref": [rng.choice(tenancies) for _ in range(n)],
        "account ref": [rng.choice(accounts) for _ in range(n)],
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
    print(f"{'kind':<20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'hits/q':>7}")
    for kind, items in queries.items():
        times, hits = [], 0
        for query in items:
            started = time.perf_counter()
            found = find_people(ctx, query, limit=50)
            times.append((time.perf_counter() - started) * 1000)
            hits += len(found)
        print(f"{kind:<20} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {max(times):8.1f} "
              f"{hits / len(items):7.1f}")
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
