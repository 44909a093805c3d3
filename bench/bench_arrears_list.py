"""`account list --arrears-over`: the kept balance against summing the whole ledger, in the same run.

    .venv/bin/python bench/bench_arrears_list.py --db sqlite:////path/office.db --runs 15

Times, on the same database and connection pool, alternately:
- kept: the service the command runs (``list_accounts(ctx, arrears_over_pence=...)``), which reads
  ``account_balance`` through its balance index (docs/PAYMENTS.md, "Kept balances");
- summed: the query it ran before migration core_0004 — every account LEFT JOINed to its ledger
  rows, GROUP BY, HAVING SUM > threshold — as plain SQL (no audit event).
Reports median and p95 per way and their ratio, and checks both return the same accounts and
balances (the bench fails if they differ). Also times one ``kept_balance.differences`` pass (what
``account reconcile`` reads).
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import text

SUMMED = text(
    "SELECT a.ref, COALESCE(SUM(l.amount_pence), 0) FROM account a "
    "LEFT JOIN ledger_entry l ON l.account_id = a.id GROUP BY a.id, a.ref "
    "HAVING COALESCE(SUM(l.amount_pence), 0) > :over ORDER BY a.ref")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--over-pounds", type=int, default=500)
    args = parser.parse_args()

    from duty_tui.areas.payments.services.accounts import list_accounts
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db import kept_balance
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext

    engine = make_engine(args.db, create=False)
    base = ServiceContext.create(engine, Settings(db_url=args.db), terminal="bench-arrears")
    ctx = base.as_actor(find_actor(base, "income"))
    over = args.over_pounds * 100
    with engine.connect() as c:
        rows = c.execute(text("SELECT COUNT(*) FROM ledger_entry")).scalar_one()
        accounts = c.execute(text("SELECT COUNT(*) FROM account")).scalar_one()
    kept_times: list[float] = []
    summed_times: list[float] = []
    kept: list = []
    summed: list = []
    for _ in range(args.runs):
        started = time.perf_counter()
        kept = [(a.ref, a.balance_pence) for a in list_accounts(ctx, arrears_over_pence=over)]
        kept_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with engine.connect() as c:
            summed = [(ref, int(total)) for ref, total in c.execute(SUMMED, {"over": over})]
        summed_times.append((time.perf_counter() - started) * 1000)
    if kept != summed:
        raise SystemExit(f"the two ways differ: {len(kept)} kept vs {len(summed)} summed accounts")
    started = time.perf_counter()
    with engine.connect() as c:
        compared, differ = kept_balance.differences(c)
    reconcile_ms = (time.perf_counter() - started) * 1000
    print(f"{engine.dialect.name}: {accounts:,} accounts, {rows:,} ledger rows; {len(kept):,} owe more than "
          f"£{args.over_pounds}; {args.runs} runs each, alternating")
    for name, times in (("kept (account_balance)", kept_times), ("summed (whole ledger)", summed_times)):
        print(f"  {name:<24} median {statistics.median(times):8.1f} ms  p95 {_pct(times, 0.95):8.1f} ms")
    print(f"  kept / summed median: {statistics.median(kept_times) / statistics.median(summed_times):.3f}")
    print(f"  reconcile pass: {reconcile_ms:.0f} ms, {compared:,} accounts, {len(differ)} differ")


if __name__ == "__main__":
    main()
