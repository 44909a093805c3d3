"""GDPR timings on a copy of a council-size database: purge (dry run, real run, second run) and a SAR.

Usage: .venv/bin/python bench/bench_gdpr.py [COPY_OF_COUNCIL_DB] [--today YYYY-MM-DD]

Works on the file given (default /tmp/gdpr_bench/council.db; copy /work/council.db there
first: the purge changes it). Baselines in the same run: one full aggregate over the ledger
(the work every balance check needs) and the person view of the same person.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from duty_tui.areas.trust.services.gdpr import subject_access
from duty_tui.areas.trust.services.gdpr_purge import purge
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine
from duty_tui.core.db.migrate import upgrade
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.people import get_person


def timed(fn, runs: int = 1):
    took, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        took.append(time.perf_counter() - start)
    return result, took


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0] if args else "/tmp/gdpr_bench/council.db")
    today = date.today()
    if "--today" in sys.argv:
        today = date.fromisoformat(sys.argv[sys.argv.index("--today") + 1])
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    moment = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="bench", clock=lambda: moment)
    ctx = ctx.as_actor(find_actor(ctx, "admin"))

    with engine.connect() as c:
        rows = {t: c.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in
                ("person", "contact", "work_case", "ledger_entry", "audit_event")}
        ref = c.execute(text("SELECT p.ref FROM person p JOIN account a ON a.person_id = p.id LIMIT 1")).scalar() \
            or c.execute(text("SELECT ref FROM person ORDER BY id LIMIT 1")).scalar()
    print(f"database: {path} ({path.stat().st_size / 1e9:.2f} GB), rows: {rows}, today {today}")

    def ledger_scan():
        with engine.connect() as c:
            return c.execute(text("SELECT account_id, SUM(amount_pence) FROM ledger_entry GROUP BY account_id "
                                  "HAVING SUM(amount_pence) <> 0")).all()

    _r, base = timed(ledger_scan, 2)
    print(f"baseline ledger balance scan: median {statistics.median(base):.2f} s")

    listed, dry = timed(lambda: purge(ctx, dry_run=True), 2)
    counts = {k: len(v) for k, v in listed.found.items()}
    print(f"purge --dry-run: median {statistics.median(dry):.2f} s (runs {', '.join(f'{t:.2f}' for t in dry)}); "
          f"found {counts}; ratio to ledger scan {statistics.median(dry) / statistics.median(base):.1f}x")
    done, real = timed(lambda: purge(ctx))
    print(f"purge: {real[0]:.2f} s, anonymised {sum(len(v) for v in done.found.values()):,} records")
    again, second = timed(lambda: purge(ctx))
    print(f"second purge (no-op): {second[0]:.2f} s, anonymised {sum(len(v) for v in again.found.values())}")

    _v, view = timed(lambda: get_person(ctx, ref), 5)
    sar_times = []
    for _ in range(5):
        with tempfile.TemporaryDirectory() as folder:
            _s, took = timed(lambda: subject_access(ctx, ref, Path(folder) / "out"))
            sar_times += took
    print(f"SAR of {ref}: median {statistics.median(sar_times) * 1000:.0f} ms; person view median "
          f"{statistics.median(view) * 1000:.0f} ms; ratio {statistics.median(sar_times) / statistics.median(view):.1f}x")



if __name__ == "__main__":
    main()
