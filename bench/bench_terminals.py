"""A whole office at once: N terminal processes started together, each searching, opening people and
taking payments as staff do, against the same work with the audit write of the reads turned off, in
the same run (issue 13 item 6; docs/PERFORMANCE.md).

    .venv/bin/python bench/bench_terminals.py --db sqlite:////path/office.db --terminals 1 12 --seconds 20

Each terminal is its own process with its own engine (as a desk's duty-tui is), signed in as the
income officer; all start at a barrier. The mix per step: 60% a search (a surname drawn from the
database), 30% opening a person, 10% a £0.01 card-by-phone payment to a rent account (only in the
audited run: a payment's audit event is part of the payment). "No audit" replaces the reads'
``audit.record_read`` with nothing in the child processes; everything else is the same code.

Reports per N: p50/p95/p99 per kind of step, steps per second, and every failure by its message
(on SQLite, "database is locked" is the one that matters). PostgreSQL should run with its durable
settings (fsync and synchronous_commit on); say so beside the figures.

SQLite also reports, per run, where a write's time goes: ``wait`` (for the writer turn, then inside
``BEGIN IMMEDIATE`` for SQLite's own lock), ``hold`` (from ``BEGIN IMMEDIATE`` done until the
connection is back in the pool, i.e. the write lock held), the share of the run the lock was held,
and the CPU the terminals used as a share of the machine's CPUs (near 100%: the tail is CPU, not
locks). ``--compare-turns`` adds an audited run with the writer turns off (SQLite's busy handler
alone, as before issue 13's turns; core/db/writer_turns.py).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import time
import uuid
from collections import Counter

KINDS = ("search", "open", "pay")


def _watch_writes(engine, turns: bool) -> dict[str, list[float]]:
    """Time each write transaction's waits and its hold of the write lock (SQLite)."""
    from sqlalchemy import event

    from duty_tui.core.db import engine as engine_module

    spent: dict[str, list[float]] = {"wait": [], "hold": []}
    began: dict[int, float] = {}
    take_turn = engine_module.take_turn

    def timed_turn(*args, **kwargs):
        started = time.perf_counter()
        try:
            return take_turn(*args, **kwargs)
        finally:
            spent["wait"].append(time.perf_counter() - started)

    if not turns:
        engine_module.take_turn = lambda *args, **kwargs: engine_module.Turn(None, "")  # type: ignore[assignment]
    else:
        engine_module.take_turn = timed_turn  # type: ignore[assignment]

    @event.listens_for(engine, "before_cursor_execute")
    def _before(connection, _cursor, statement, *_args) -> None:
        if statement == "BEGIN IMMEDIATE":
            began[id(connection.connection.dbapi_connection)] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(connection, _cursor, statement, *_args) -> None:
        if statement == "BEGIN IMMEDIATE":
            key = id(connection.connection.dbapi_connection)
            now = time.perf_counter()
            if turns and spent["wait"]:
                spent["wait"][-1] += now - began[key]
            else:
                spent["wait"].append(now - began[key])
            began[key] = now

    @event.listens_for(engine.pool, "checkin")
    def _checkin(dbapi_connection, _record) -> None:
        started = began.pop(id(dbapi_connection), None)
        if started is not None:
            spent["hold"].append(time.perf_counter() - started)

    return spent


def _terminal(url: str, number: int, audit_reads: bool, seconds: float, barrier, queue, names, refs, accounts,
              turns: bool = True) -> None:
    from duty_tui.areas.payments.domain.rules import SplitLine
    from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services import audit
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext
    from duty_tui.core.services.people import get_person
    from duty_tui.core.services.search import find_people

    engine = make_engine(url, create=False)
    spent = _watch_writes(engine, turns) if engine.dialect.name == "sqlite" else {"wait": [], "hold": []}
    spent["audit"] = []
    record_read = audit.record_read

    def timed_record_read(*args, **kwargs) -> None:
        started = time.perf_counter()
        record_read(*args, **kwargs)
        spent["audit"].append(time.perf_counter() - started)

    audit.record_read = timed_record_read  # type: ignore[assignment]
    if not audit_reads:
        audit.record_read = lambda *args, **kwargs: None  # type: ignore[assignment]  # the baseline: reads unaudited
    base = ServiceContext.create(engine, Settings(db_url=url), terminal=f"bench-{number}")
    ctx = base.as_actor(find_actor(base, "income"))
    rng = random.Random(number)
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    failures: Counter[str] = Counter()
    barrier.wait()
    cpu_started = time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        roll = rng.random()
        kind = "search" if roll < 0.6 else "open" if roll < 0.9 or not audit_reads else "pay"
        started = time.perf_counter()
        try:
            if kind == "search":
                find_people(ctx, rng.choice(names))
            elif kind == "open":
                get_person(ctx, rng.choice(refs))
            else:
                take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "card_phone", (SplitLine(rng.choice(accounts), 1),),
                                                 terminal_ref=f"BENCH-{number}"))
        except Exception as exc:  # counted and reported, never hidden
            failures[f"{kind}: {type(exc).__name__}: {str(exc)[:80]}"] += 1
            continue
        times[kind].append(time.perf_counter() - started)
    cpu = time.process_time() - cpu_started
    engine.dispose()
    queue.put((times, failures, spent, cpu))


def _sample(url: str) -> tuple[list[str], list[str], list[str]]:
    from sqlalchemy import text

    from duty_tui.core.db.engine import make_engine

    engine = make_engine(url, create=False)
    with engine.connect() as connection:
        names = [r[0] for r in connection.execute(text(
            "SELECT DISTINCT surname FROM person ORDER BY surname LIMIT 400"))]
        refs = [r[0] for r in connection.execute(text("SELECT ref FROM person ORDER BY id LIMIT 2000"))]
        accounts = [r[0] for r in connection.execute(text(
            "SELECT ref FROM account WHERE account_type = 'rent' AND closed_on IS NULL ORDER BY id LIMIT 500"))]
    engine.dispose()
    return names, refs, accounts


def _run(url: str, terminals: int, audit_reads: bool, seconds: float, sample, turns: bool = True) -> tuple:
    context = mp.get_context("spawn")
    barrier, queue = context.Barrier(terminals), context.Queue()
    procs = [context.Process(target=_terminal, args=(url, n, audit_reads, seconds, barrier, queue, *sample, turns))
             for n in range(terminals)]
    for proc in procs:
        proc.start()
    merged: dict[str, list[float]] = {k: [] for k in KINDS}
    failures: Counter[str] = Counter()
    writes: dict[str, list[float]] = {"wait": [], "hold": [], "audit": []}
    cpu = 0.0
    for _ in procs:
        times, failed, spent, used = queue.get(timeout=seconds + 300)
        for kind in KINDS:
            merged[kind] += times[kind]
        failures.update(failed)
        for part in writes:
            writes[part] += spent[part]
        cpu += used
    for proc in procs:
        proc.join(timeout=60)
    return merged, failures, writes, cpu


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--terminals", type=int, nargs="+", default=[1, 12])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--compare-turns", action="store_true",
                        help="SQLite: add an audited run with the writer turns off (SQLite's busy handler alone)")
    args = parser.parse_args()
    sample = _sample(args.db)
    print(f"{args.db.split('://')[0]}: {len(sample[0])} surnames, {len(sample[1])} people, {len(sample[2])} rent accounts")
    print("terminals  run        kind    steps  p50 ms  p95 ms  p99 ms  steps/s  failures")
    runs = [("audited", True, True), ("no audit", False, True)]
    if args.compare_turns:
        runs.insert(1, ("no turns", True, False))
    for n in args.terminals:
        for label, audit_reads, turns in runs:
            times, failures, writes, cpu = _run(args.db, n, audit_reads, args.seconds, sample, turns)
            for kind in KINDS:
                if times[kind]:
                    print(f"{n:>9}  {label:<9}  {kind:<6} {len(times[kind]):>6} {_pct(times[kind], .5):>7.1f} "
                          f"{_pct(times[kind], .95):>7.1f} {_pct(times[kind], .99):>7.1f} "
                          f"{len(times[kind]) / args.seconds:>8.1f}")
            for message, count in failures.most_common():
                print(f"{'':>9}  {label:<9}  FAILED {count}x {message}")
            if not failures:
                print(f"{'':>9}  {label:<9}  no failures")
            print(f"{'':>9}  {label:<9}  median of all steps {statistics.median(sum(times.values(), [])) * 1000:.1f} ms")
            _print_writes(n, label, writes, cpu, args.seconds)


def _print_writes(n: int, label: str, writes: dict[str, list[float]], cpu: float, seconds: float) -> None:
    busy = cpu / (seconds * (os.cpu_count() or 1))
    line = f"{'':>9}  {label:<9}  CPU {busy:.0%} of {os.cpu_count()} CPUs"
    if writes["hold"]:
        line += (f"; {len(writes['hold'])} writes, wait p50/p99 {_pct(writes['wait'], .5):.1f}/"
                 f"{_pct(writes['wait'], .99):.1f} ms, hold p50/p99 {_pct(writes['hold'], .5):.1f}/"
                 f"{_pct(writes['hold'], .99):.1f} ms, lock held {sum(writes['hold']) / seconds:.0%} of the run")
    if writes["audit"]:
        line += f"; a read's audit write p50/p99 {_pct(writes['audit'], .5):.1f}/{_pct(writes['audit'], .99):.1f} ms"
    print(line)


if __name__ == "__main__":
    main()
