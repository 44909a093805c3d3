"""Payments under load: concurrent posting, take-payment latency, and a 100,000-row import.

Run:  .venv/bin/python bench/bench_payments.py [--quick]

Not a test (STYLE.md): it prints figures measured in one run on this machine, each beside
its baseline measured in the same run:

1. PostgreSQL (a throwaway server started as the unprivileged ``postgres`` user, as the
   tests do): 20 processes x 200 payments at once through ``take_payment`` — payments/s
   beside the raw INSERT rate (20 x 200 one-row transactions) of the same server; then the
   checks: all posted, no receipt number twice, none skipped, every balance = sum of rows.
2. SQLite: the same, smaller (4 processes x 100).
3. Take-payment save p50/p95/p99 on the council database (a copy of /work/council.db if it
   exists; otherwise a generated ``office``-size demo office, and it says so).
4. Importing a 100,000-row payment file, on SQLite and on PostgreSQL (target < 60 s),
   beside the bare checking of the file (no database) and a raw executemany of the rows.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # builders and the throwaway-PostgreSQL helper the tests use

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
USERS = ("reception", "leader", "income", "admin")


def _ctx(url: str, username: str | None, *, pool_size: int = 2):
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext

    engine = make_engine(url, pool_size=pool_size)
    ctx = ServiceContext.create(engine, Settings(db_url=url), terminal="bench", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username)) if username else ctx


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return f"p50 {pick(0.50):.1f} ms, p95 {pick(0.95):.1f} ms, p99 {pick(0.99):.1f} ms"


# ---------------------------------------------------------------------------- concurrent posting


def _pay_worker(url: str, index: int, count: int, refs: list[str], start, out) -> None:
    """One process: ``count`` payments through take_payment, after the common start signal."""
    from duty_tui.areas.payments.domain.rules import SplitLine
    from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment

    ctx = _ctx(url, USERS[index % len(USERS)], pool_size=1)
    rng = random.Random(index)
    plan = []
    for n in range(count):
        ref = rng.choice(refs)
        pence = rng.randint(100, 40_000)
        if n % 3:
            request = PaymentRequest(uuid.uuid4().hex, "card_phone", (SplitLine(ref, pence),),
                                     terminal_ref=f"GW-{index}-{n:04d}")
        else:
            request = PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine(ref, pence),),
                                     till_code=f"TILL{index % 3 + 1}")
        plan.append(request)
    start.wait()
    posted, latencies = [], []
    for request in plan:
        t0 = time.perf_counter()
        receipt = take_payment(ctx, request)
        latencies.append(time.perf_counter() - t0)
        posted.append((request.lines[0].account_ref, request.lines[0].amount_pence, receipt.receipt_no))
    ctx.engine.dispose()
    out.put((posted, latencies))


def _raw_worker(url: str, index: int, count: int, account_ids: list[int], start, out) -> None:
    """Baseline: one-row INSERT transactions into ledger_entry, no service, no lock, no audit."""
    from sqlalchemy import insert

    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.db.models import LedgerEntry

    engine = make_engine(url, pool_size=1)
    table = LedgerEntry.__table__
    rng = random.Random(1000 + index)
    rows = [{"account_id": rng.choice(account_ids), "effective_date": TODAY, "posted_at": NOW, "kind": "bench_raw",
             "method": "cash", "amount_pence": -rng.randint(100, 40_000)} for _ in range(count)]
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
        connection.commit()
        start.wait()
        latencies = []
        for row in rows:
            t0 = time.perf_counter()
            with connection.begin():
                connection.execute(insert(table), row)
            latencies.append(time.perf_counter() - t0)
    engine.dispose()
    out.put(([], latencies))


def _run_processes(target, url: str, processes: int, each: int, extra) -> tuple[float, list, list[float]]:
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    workers = [ctx.Process(target=target, args=(url, i, each, extra, start, out)) for i in range(processes)]
    for w in workers:
        w.start()
    time.sleep(3 + processes * 0.25)  # let every process import and connect before the start signal
    t0 = time.perf_counter()
    start.set()
    results = []
    while len(results) < len(workers):
        try:
            results.append(out.get(timeout=5))
        except Exception:  # queue.Empty: is everyone still alive?
            dead = [w for w in workers if w.exitcode not in (None, 0)]
            if dead:
                for w in workers:
                    w.kill()
                raise RuntimeError(f"{len(dead)} worker process(es) failed; see their traceback above") from None
    wall = time.perf_counter() - t0
    for w in workers:
        w.join()
    posted = [p for r in results for p in r[0]]
    latencies = [x for r in results for x in r[1]]
    return wall, posted, latencies


def _seed_accounts(url: str, count: int) -> tuple[list[str], list[int]]:
    """The test office plus ``count`` rent accounts with an opening debit each."""
    from builders import seed_office
    from sqlalchemy import insert, select

    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.db.models import Account, LedgerEntry

    engine = make_engine(url)
    seed_office(engine)
    with engine.begin() as connection:
        connection.execute(insert(Account.__table__), [
            {"ref": f"RNT9{n:05d}", "account_type": "rent", "holder_name": f"Bench Tenant {n}",
             "opened_on": date(2020, 1, 6), "version": 1} for n in range(count)])
        accounts = connection.execute(select(Account.id, Account.ref).where(Account.ref.like("RNT9%"))).all()
        connection.execute(insert(LedgerEntry.__table__), [
            {"account_id": a.id, "effective_date": date(2026, 3, 2), "posted_at": NOW, "kind": "rent_debit",
             "amount_pence": 11_000} for a in accounts])
    engine.dispose()
    return [a.ref for a in accounts], [a.id for a in accounts]


def _check(url: str, posted: list[tuple[str, int, int]], opening: dict[str, int]) -> str:
    from collections import Counter

    from sqlalchemy import text

    from duty_tui.core.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as c:
        receipts = [r[0] for r in c.execute(text("SELECT receipt_no FROM payment ORDER BY receipt_no")).all()]
        ledger_receipts = c.execute(text("SELECT COUNT(DISTINCT receipt_no) FROM ledger_entry "
                                         "WHERE receipt_no IS NOT NULL")).scalar()
        balances = dict(c.execute(text("SELECT a.ref, SUM(l.amount_pence) FROM ledger_entry l JOIN account a "
                                       "ON a.id = l.account_id WHERE l.kind <> 'bench_raw' GROUP BY a.ref")).all())
    engine.dispose()
    paid = Counter()
    for ref, pence, _ in posted:
        paid[ref] += pence
    wrong = [ref for ref in opening if balances.get(ref, 0) != opening[ref] - paid[ref]]
    gap_free = receipts == list(range(1, len(receipts) + 1))
    unique = len(set(receipts)) == len(receipts) == ledger_receipts
    return (f"{len(posted)} posted, {len(receipts)} receipts, gap-free 1..{len(receipts)}: {gap_free}, "
            f"none twice: {unique}, balances = sum of rows: {not wrong} ({len(opening)} accounts)")


def bench_concurrency(label: str, url: str, processes: int, each: int) -> None:
    refs, ids = _seed_accounts(url, 1_000)
    opening = {ref: 11_000 for ref in refs}
    wall, posted, latencies = _run_processes(_pay_worker, url, processes, each, refs)
    rate = len(posted) / wall
    raw_wall, _, raw_lat = _run_processes(_raw_worker, url, processes, each, ids)
    raw_rate = processes * each / raw_wall
    print(f"{label}: {processes} processes x {each} payments")
    print(f"  take_payment: {len(posted)} in {wall:.1f} s = {rate:,.0f} payments/s ({_percentiles(latencies)})")
    print(f"  raw INSERT  : {processes * each} one-row transactions in {raw_wall:.1f} s = {raw_rate:,.0f} rows/s "
          f"({_percentiles(raw_lat)})")
    print(f"  ratio       : a payment costs {raw_rate / rate:.1f}x a raw insert (receipt lock, audit chain, "
          "balances, checks)")
    print(f"  checks      : {_check(url, posted, opening)}")


# ---------------------------------------------------------------------------- council latency and import


def _council_copy(folder: Path) -> tuple[str, str]:
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.db.migrate import upgrade

    source = Path("/work/council.db")
    target = folder / "council.db"
    if source.exists():
        shutil.copyfile(source, target)
        for suffix in ("-wal", "-shm"):
            if Path(str(source) + suffix).exists():
                shutil.copyfile(str(source) + suffix, str(target) + suffix)
        url = f"sqlite:///{target}"
        upgrade(make_engine(url))
        return url, "a copy of /work/council.db"
    from duty_tui.areas.payments.demo import generate_payments
    from duty_tui.core.demo import generator

    url = f"sqlite:///{target}"
    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    summary = generator.generate(engine, size="office", seed=0, today=TODAY, office_name="Bench office",
                                 jurisdiction="england")
    generate_payments(engine, seed=0, today=TODAY, size="office", jurisdiction="england")
    rows = summary.counts.get("ledger_entry", 0)
    engine.dispose()
    return url, (f"NO /work/council.db here, so a generated office-size demo office instead "
                 f"({rows:,} ledger rows, {time.perf_counter() - t0:.0f} s to build)")


def bench_take_payment_latency(url: str, what: str, count: int) -> None:
    from sqlalchemy import insert, text

    from duty_tui.areas.payments.domain.rules import SplitLine
    from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
    from duty_tui.core.db.models import LedgerEntry

    ctx = _ctx(url, "reception")
    with ctx.engine.connect() as c:
        refs = [r[0] for r in c.execute(text("SELECT ref FROM account WHERE account_type = 'rent' "
                                             "AND closed_on IS NULL ORDER BY id LIMIT 5000")).all()]
        ids = [r[0] for r in c.execute(text("SELECT id FROM account ORDER BY id LIMIT 5000")).all()]
        total_rows = c.execute(text("SELECT COUNT(*) FROM ledger_entry")).scalar()
    rng = random.Random(7)
    latencies = []
    for n in range(count):
        request = PaymentRequest(uuid.uuid4().hex, "card_phone", (SplitLine(rng.choice(refs), rng.randint(100, 9_000)),),
                                 terminal_ref=f"GW-LAT-{n:05d}")
        t0 = time.perf_counter()
        take_payment(ctx, request)
        latencies.append(time.perf_counter() - t0)
    raw = []
    with ctx.engine.connect() as connection:
        for _ in range(count):
            t0 = time.perf_counter()
            with connection.begin():
                connection.execute(insert(LedgerEntry.__table__), {
                    "account_id": rng.choice(ids), "effective_date": TODAY, "posted_at": NOW, "kind": "bench_raw",
                    "amount_pence": -100})
            raw.append(time.perf_counter() - t0)
    print(f"take-payment save on {what} (SQLite, {total_rows:,} ledger rows), {count} payments one after another:")
    print(f"  take_payment: {_percentiles(latencies)}")
    print(f"  raw INSERT  : {_percentiles(raw)}  (one-row transaction, same file)")
    print(f"  p95 ratio   : {sorted(latencies)[int(0.95 * count)] / sorted(raw)[int(0.95 * count)]:.1f}x")
    ctx.engine.dispose()


def _import_file(url: str, rows: int) -> bytes:
    from sqlalchemy import text

    from duty_tui.core.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as c:
        refs = [r[0] for r in c.execute(text("SELECT ref FROM account WHERE account_type = 'rent' "
                                             "AND closed_on IS NULL ORDER BY id")).all()]
    engine.dispose()
    rng = random.Random(11)
    methods = ("allpay", "paypoint", "bank_transfer", "direct_debit", "standing_order", "housing_benefit")
    lines = ["date,account_ref,amount,method,external_id,payer"]
    for n in range(rows):
        ref = rng.choice(refs) if rng.random() > 0.01 else f"XX{n:07d}"
        pence = rng.randint(500, 60_000)
        lines.append(f"{'2026-03-09' if n % 2 else '09/03/2026'},{ref},{pence // 100}.{pence % 100:02d},"
                     f"{rng.choice(methods)},BENCH-{uuid.UUID(int=rng.getrandbits(128)).hex[:20]},payer {n}")
    return ("\n".join(lines) + "\n").encode()


def bench_import(label: str, url: str, data: bytes) -> None:
    from sqlalchemy import insert

    from duty_tui.areas.payments.domain.reference import CONTRACT_METHODS
    from duty_tui.areas.payments.domain.rules import parse_payment_file
    from duty_tui.areas.payments.services.importing import import_payment_file
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.db.models import LedgerEntry

    t0 = time.perf_counter()
    rows = parse_payment_file(data, methods=CONTRACT_METHODS, row_limit_pence=5_000_000, today=TODAY)
    parse = time.perf_counter() - t0
    ctx = _ctx(url, "income")
    t0 = time.perf_counter()
    summary = import_payment_file(ctx, data, "bench.csv")
    took = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = import_payment_file(ctx, data, "bench.csv")
    took_again = time.perf_counter() - t0
    ctx.engine.dispose()
    engine = make_engine(url)
    values = [{"account_id": 1, "effective_date": r.date, "posted_at": NOW, "kind": "bench_raw", "method": r.method,
               "amount_pence": -r.amount_pence, "external_id": "RAW-" + r.external_id} for r in rows]
    t0 = time.perf_counter()
    with engine.begin() as connection:
        for start in range(0, len(values), 5_000):
            connection.execute(insert(LedgerEntry.__table__), values[start:start + 5_000])
    raw = time.perf_counter() - t0
    engine.dispose()
    print(f"import of a {len(rows):,}-row file on {label}:")
    print(f"  payments import : {took:.1f} s ({summary.line()})")
    print(f"  same file again : {took_again:.1f} s ({again.line()})")
    print(f"  baselines       : checking the file alone {parse:.1f} s; raw executemany of the rows {raw:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (for a smoke test of the script)")
    args = parser.parse_args()
    processes, each = (4, 20) if args.quick else (20, 200)
    sqlite_processes, sqlite_each = (2, 20) if args.quick else (4, 100)
    import_rows = 5_000 if args.quick else 100_000
    latency_count = 50 if args.quick else 400

    from conftest import find_pg_ctl, running_postgres

    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.db.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="duty-bench-"))
    try:
        pg_ctl = find_pg_ctl()
        if pg_ctl is None:
            print("PostgreSQL server binaries not found: the PostgreSQL parts are skipped")
        else:
            with running_postgres(pg_ctl) as server:
                server.create_database("bench_pay")
                url = server.url("bench_pay")
                upgrade(make_engine(url))
                bench_concurrency("PostgreSQL", url, processes, each)
                server.create_database("bench_import")
                import_url = server.url("bench_import")
                upgrade(make_engine(import_url))
                _seed_accounts(import_url, 5_000)
                bench_import("PostgreSQL", import_url, _import_file(import_url, import_rows))
        sqlite_url = f"sqlite:///{folder / 'concurrency.db'}"
        upgrade(make_engine(sqlite_url))
        bench_concurrency("SQLite", sqlite_url, sqlite_processes, sqlite_each)
        council_url, what = _council_copy(folder)
        bench_take_payment_latency(council_url, what, latency_count)
        bench_import(f"SQLite ({what})", council_url, _import_file(council_url, import_rows))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"(one run; percentiles per operation; machine: {mp.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
