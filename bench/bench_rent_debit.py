"""One week's rent debit at council scale against a bare bulk insert of the same rows, in the same run.

    .venv/bin/python bench/bench_rent_debit.py --db sqlite:////path/copy-of-council.db [--week 2026-03-09]
    .venv/bin/python bench/council_postgres.py [--week 2026-11-23]   # PostgreSQL: both rents benches

Never point it at a database anyone uses: it seeds basic-rent charges (``seed_basic_rent``, from the
week's first day, for properties with none) and posts the week. Work on a copy, upgraded
(``duty-tui db upgrade --db …``). Steps, timed:

1. seed: basic-rent charges from the tenancies' weekly rent (once; skipped when already there);
2. plan: what the run would post (``plan_debit``: the reads and the arithmetic), no writes;
3. bare: the same ledger rows and claims inserted with plain bulk INSERTs in one transaction, then
   rolled back — the floor any debit run stands on (the kept-balance triggers fire here too);
4. run: ``run_debit`` through the week's first day, the real thing (claims with ON CONFLICT DO
   NOTHING … RETURNING, the ledger rows, void loss, the audit event, one commit);
5. rerun: ``run_debit`` again, which must post nothing.

Prints each time, the rows, and run ÷ bare. Target (issue 15): the run under 30 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="the database (a copy); or --postgres")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server, build the "
                                                                 "council demo in it (minutes) and run against it")
    parser.add_argument("--week", default=None, help="A day in the week to post (default: the latest rent week "
                                                     "starting on or before today)")
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

    from duty_tui.areas.rents.domain.calendar import week_containing
    from duty_tui.areas.rents.domain.reference import load_calendar, load_charge_types
    from duty_tui.areas.rents.services.charges import seed_basic_rent
    from duty_tui.areas.rents.services.debit import LEDGER, POSTED, plan_debit, run_debit
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine, session_scope
    from duty_tui.core.services.context import ServiceContext

    engine = make_engine(args.db, create=False)
    settings = Settings(db_url=args.db)
    ctx = ServiceContext.create(engine, settings, terminal="bench-rent-debit").batch_actor("bench")
    rules = load_calendar(settings.data_dir)
    week = week_containing(rules, date.fromisoformat(args.week) if args.week else ctx.today()).start

    started = time.perf_counter()
    seeded = seed_basic_rent(ctx, week)
    seed_s = time.perf_counter() - started

    with session_scope(engine) as session:
        started = time.perf_counter()
        plan = plan_debit(session.connection(), rules, load_charge_types(settings.data_dir), week,
                          now=ctx.now(), actor_id=None, terminal=ctx.terminal)
        plan_s = time.perf_counter() - started
    ledger = [row for rows in plan.ledger.values() for row in rows]
    with session_scope(engine, write=True) as session:
        connection = session.connection()
        started = time.perf_counter()
        connection.execute(POSTED.insert(), plan.claims)
        if ledger:
            connection.execute(LEDGER.insert(), ledger)
        bare_s = time.perf_counter() - started
        session.rollback()

    started = time.perf_counter()
    summary = run_debit(ctx, week)
    run_s = time.perf_counter() - started
    started = time.perf_counter()
    again = run_debit(ctx, week)
    rerun_s = time.perf_counter() - started
    assert again.posted == 0, "the re-run posted rows: the debit is not once only"

    print(f"database       {engine.dialect.name}  week {week.isoformat()}")
    print(f"seed           {seed_s:8.2f} s  ({seeded:,} basic-rent charges made)")
    print(f"plan           {plan_s:8.2f} s  ({len(plan.claims):,} property weeks, {len(ledger):,} ledger rows)")
    print(f"bare insert    {bare_s:8.2f} s  (claims + ledger rows, plain INSERT, rolled back)")
    print(f"run_debit      {run_s:8.2f} s  (posted {summary.posted:,} for {summary.tenancies:,} tenancies, "
          f"£{summary.total_pence / 100:,.2f}; void loss £{summary.void_loss_pence / 100:,.2f} on "
          f"{summary.void_properties:,} properties)")
    print(f"re-run         {rerun_s:8.2f} s  (posted {again.posted})")
    print(f"run ÷ bare     {run_s / bare_s if bare_s else float('nan'):8.2f}")


if __name__ == "__main__":
    main()
