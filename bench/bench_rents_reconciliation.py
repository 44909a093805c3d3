"""The rent reconciliation at council scale, against the plainest SUM over the same rows in the same run
(docs/RENTS_RECONCILIATION.md, "Speed").

    .venv/bin/python bench/bench_rents_reconciliation.py --db sqlite:////tmp/council-copy.db [--to 2026-11-29] [--runs 3]
    .venv/bin/python bench/council_postgres.py [--week 2026-11-23] [--to 2026-11-29] [--runs 3]   # PostgreSQL

- week: ``compute_reconciliation`` (the service behind the screen and `duty-tui report rents`: one pass
  over the ledger for the opening, the period by kind and method and the rows after it, by rent group,
  and the kept balances) for the rent week ending ``--to``; a quarter: the 13 weeks ending ``--to``; a year:
  the 52 weeks ending ``--to``.
- against: ``SELECT SUM(amount_pence) FROM ledger_entry WHERE effective_date <= :to`` (every row the
  reconciliation reads, unjoined, ungrouped) and the period alone (``BETWEEN :from AND :to``).

Reads only (the service is called without its audit event). Use a copy of the database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

UP_TO = text("SELECT SUM(amount_pence) FROM ledger_entry WHERE effective_date <= :t")
WITHIN = text("SELECT SUM(amount_pence) FROM ledger_entry WHERE effective_date BETWEEN :f AND :t")


def _ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _line(label: str, values: list[float]) -> str:
    return f"  {label:<40} median {statistics.median(values):9.1f} ms  max {max(values):9.1f} ms  (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="the database (a copy); or --postgres")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server, build the "
                                                                 "council demo in it (minutes) and run against it")
    parser.add_argument("--to", default="2026-11-29")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from council_postgres import council_postgres

        with council_postgres() as url:
            args.db = url
            run(args)
    elif args.db:
        run(args)
    else:
        parser.error("name a database with --db, or --postgres")


def run(args: argparse.Namespace) -> None:

    from duty_tui.areas.rents.services.reconciliation import compute_reconciliation
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext

    engine = make_engine(args.db, create=False)
    base = ServiceContext.create(engine, Settings(db_url=args.db), terminal="bench-rents-reconciliation")
    ctx = base.as_actor(find_actor(base, "leader"))
    end = date.fromisoformat(args.to)
    with engine.connect() as c:
        rows = c.execute(text("SELECT COUNT(*) FROM ledger_entry")).scalar_one()
    print(f"{engine.dialect.name}: {rows:,} ledger rows; {args.runs} runs each, alternating")
    for label, start in (("week", end - timedelta(days=6)), ("quarter", end - timedelta(days=13 * 7 - 1)),
                         ("year", end - timedelta(days=52 * 7 - 1))):
        recon: list[float] = []
        up_to: list[float] = []
        within: list[float] = []
        result: list = []
        for _ in range(args.runs):
            recon.append(_ms(lambda s=start, r=result: r.append(compute_reconciliation(ctx, s, end))))
            with engine.connect() as c:
                up_to.append(_ms(lambda c=c: c.execute(UP_TO, {"t": end}).scalar()))
                within.append(_ms(lambda c=c, s=start: c.execute(WITHIN, {"f": s, "t": end}).scalar()))
        total = result[0].total
        print(f"{label} {start:%d/%m/%Y}–{end:%d/%m/%Y}: {sum(f.rows for f in total.figures):,} rows in the period, "
              f"{len(result[0].groups)} groups, difference {total.difference_pence}")
        print(_line(f"reconciliation ({label})", recon))
        print(_line("bare SUM, every row up to the end", up_to))
        print(_line("bare SUM, the period's rows", within))
        print(f"  reconciliation / bare SUM up to the end, median: "
              f"{statistics.median(recon) / statistics.median(up_to):.2f}")


if __name__ == "__main__":
    main()
