"""A whole office at once: N terminal processes started together, each searching, opening people,
logging contacts and taking payments as staff do, against the same work with the audit write of the reads turned off, in
the same run (issue 13 item 6; docs/PERFORMANCE.md).

    .venv/bin/python bench/bench_terminals.py --db sqlite:////path/office.db --terminals 1 12 --seconds 20

Each terminal is its own process with its own engine (as a desk's duty-tui is), signed in as the
income officer; all start at a barrier. The mix per step: 60% a search (a surname drawn from the
database), 25% opening a person, 5% logging a phone contact about a rent payment against a person,
10% a £0.01 card-by-phone payment to a rent account (contacts and payments only in the audited run:
their audit event is part of the act). "No audit" replaces the reads'
``audit.record_read`` with nothing in the child processes; everything else is the same code.

``--payments N [--searchers M]`` measures the payment targets instead, in one run: N terminals of
raw one-row INSERT transactions into ``ledger_entry`` (the baseline), N terminals taking payments alone,
then N taking payments while M others search. (Raw rows are written as kind ``bench_raw``, £-0.01
each, and payments of £0.01 are real: run it on a copy of a demo database.)

Reports per N: p50/p95/p99 per kind of step, steps per second, and every failure by its message
(on SQLite, "database is locked" is the one that matters). On PostgreSQL a sampler in the parent
reads ``pg_stat_activity`` every 50 ms while the terminals run and reports what the waiting backends
waited on (wait event type and event, e.g. ``Lock/transactionid`` or ``Lock/tuple``), as a share of
all backend samples that were running our statements. PostgreSQL should run with its durable settings
(fsync and synchronous_commit on); the bench prints them.

SQLite also reports, per run, where a write's time goes: ``wait`` (for the writer turn, then inside
``BEGIN IMMEDIATE`` for SQLite's own lock), ``hold`` (from ``BEGIN IMMEDIATE`` done until the
connection is back in the pool, i.e. the write lock held), the share of the run the lock was held,
and the CPU the terminals used as a share of the machine's CPUs (near 100%: the tail is CPU, not
locks). ``--compare-turns`` adds an audited run with the writer turns off (SQLite's busy handler
alone, as before issue 13's turns; core/db/writer_turns.py).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import random
import statistics
import time
import uuid
from collections import Counter

KINDS = ("search", "open", "contact", "pay", "raw")
MIXES = ("office", "pay", "search", "raw")
"""office: the staff mix above; pay: only payments; search: only audited searches; raw: one-row INSERT
transactions into ledger_entry (no service, no audit, no receipt number) — the payments' baseline."""


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


def _pick(mix: str, roll: float, audit_reads: bool) -> str:
    if mix != "office":
        return mix
    return ("search" if roll < 0.6 else "open" if roll < 0.85 or not audit_reads
            else "contact" if roll < 0.9 else "pay")


def _terminal(url: str, number: int, mix: str, audit_reads: bool, seconds: float, barrier, queue, names, refs,
              accounts, turns: bool = True) -> None:
    from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
    from duty_tui.areas.frontdesk.services.contacts import log_contact
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
    from sqlalchemy import bindparam, text

    raw_insert = text("INSERT INTO ledger_entry (account_id, effective_date, posted_at, kind, method, amount_pence, "
                      "reference) VALUES (:a, CURRENT_DATE, CURRENT_TIMESTAMP, 'bench_raw', 'cash', -1, :n)")
    with engine.connect() as connection:
        account_ids = [r[0] for r in connection.execute(
            text("SELECT id FROM account WHERE ref IN :refs").bindparams(bindparam("refs", expanding=True)),
            {"refs": list(accounts)})]
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    failures: Counter[str] = Counter()
    barrier.wait()
    cpu_started = time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        kind = _pick(mix, rng.random(), audit_reads)
        started = time.perf_counter()
        try:
            if kind == "search":
                find_people(ctx, rng.choice(names))
            elif kind == "open":
                get_person(ctx, rng.choice(refs))
            elif kind == "raw":
                with engine.begin() as connection:
                    connection.execute(raw_insert, {"a": rng.choice(account_ids), "n": f"BENCH-{number}"})
            elif kind == "contact":
                log_contact(ctx, ContactDraft(channel="phone", reasons=("rent.payment",), outcome="resolved",
                                              notes="Asked about the balance (bench)", person_ref=rng.choice(refs)))
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
    from duty_tui.core.db.preflight import check_engine

    check_engine(engine)  # an older schema: stop here with the fix (duty-tui db upgrade), not fail every step
    with engine.connect() as connection:
        names = [r[0] for r in connection.execute(text(
            "SELECT DISTINCT surname FROM person ORDER BY surname LIMIT 400"))]
        refs = [r[0] for r in connection.execute(text("SELECT ref FROM person ORDER BY id LIMIT 2000"))]
        accounts = [r[0] for r in connection.execute(text(
            "SELECT ref FROM account WHERE account_type = 'rent' AND closed_on IS NULL ORDER BY id LIMIT 500"))]
    engine.dispose()
    return names, refs, accounts


class LockSampler:
    """PostgreSQL: what our backends wait on, sampled from pg_stat_activity every 50 ms in a thread."""

    def __init__(self, url: str) -> None:
        import threading

        from duty_tui.core.db.engine import make_engine

        self.engine = make_engine(url, create=False)
        self.samples: Counter[str] = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        from sqlalchemy import text

        query = text("SELECT COALESCE(wait_event_type || '/' || wait_event, 'running') FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' "
                     "AND backend_type = 'client backend' AND query NOT LIKE '%LISTEN%'")
        with self.engine.connect() as connection:
            while not self.stop.wait(0.05):
                self.samples.update(r[0] for r in connection.execute(query))
                connection.rollback()

    def __enter__(self) -> LockSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.engine.dispose()

    def report(self) -> str:
        total = sum(self.samples.values())
        if not total:
            return "no active backends sampled"
        return ", ".join(f"{event} {count * 100 / total:.0f}%" for event, count in self.samples.most_common(6))


def durable_settings(url: str) -> str:
    """PostgreSQL's fsync, synchronous_commit and full_page_writes, as the bench ran with them."""
    from sqlalchemy import text

    from duty_tui.core.db.engine import make_engine

    engine = make_engine(url, create=False)
    with engine.connect() as connection:
        found = {name: connection.execute(text(f"SHOW {name}")).scalar() for name in
                 ("fsync", "synchronous_commit", "full_page_writes", "max_connections")}
    engine.dispose()
    return ", ".join(f"{k}={v}" for k, v in found.items())


def _run(url: str, groups: list[tuple[str, int]], audit_reads: bool, seconds: float, sample,
         sampler: LockSampler | None = None, turns: bool = True) -> tuple:
    """Every group's terminals (mix, how many) started together at one barrier."""
    context = mp.get_context("spawn")
    terminals = sum(count for _, count in groups)
    barrier, queue = context.Barrier(terminals), context.Queue()
    mixes = [mix for mix, count in groups for _ in range(count)]
    procs = [context.Process(target=_terminal, args=(url, n, mixes[n], audit_reads, seconds, barrier, queue, *sample,
                                                           turns))
             for n in range(terminals)]
    for proc in procs:
        proc.start()
    with sampler or contextlib.nullcontext():
        return _gather(queue, procs, seconds)


def _gather(queue, procs, seconds: float) -> tuple:
    """Each terminal's timings and failures, merged, once every process has reported."""
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
    parser.add_argument("--payments", type=int, default=0, metavar="N",
                        help="instead of the office mix: N terminals of raw inserts, then N taking payments alone, "
                             "then N taking payments while --searchers terminals search (issue 13's payment targets)")
    parser.add_argument("--searchers", type=int, default=30)
    parser.add_argument("--compare-turns", action="store_true",
                        help="SQLite: add an audited run with the writer turns off (SQLite's busy handler alone)")
    args = parser.parse_args()
    if args.payments:
        payments_run(args)
        return
    sample = _sample(args.db)
    postgres = args.db.startswith("postgresql")
    print(f"{args.db.split('://')[0]}: {len(sample[0])} surnames, {len(sample[1])} people, {len(sample[2])} rent accounts")
    if postgres:
        print(f"PostgreSQL settings: {durable_settings(args.db)}")
    print("terminals  run        kind    steps  p50 ms  p95 ms  p99 ms  steps/s  failures")
    runs = [("audited", True, True), ("no audit", False, True)]
    if args.compare_turns:
        runs.insert(1, ("no turns", True, False))
    for n in args.terminals:
        for label, audit_reads, turns in runs:
            sampler = LockSampler(args.db) if postgres else None
            times, failures, writes, cpu = _run(args.db, [("office", n)], audit_reads, args.seconds, sample, sampler,
                                                turns)
            if sampler is not None:
                print(f"{n:>9}  {label:<9}  waits: {sampler.report()}")
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


def _line(label: str, kind: str, times: list[float], seconds: float) -> str:
    return (f"  {label:<34} {len(times):>6} {_pct(times, .5):>7.1f} {_pct(times, .95):>7.1f} {_pct(times, .99):>7.1f} "
            f"{len(times) / seconds:>8.1f}/s")


def payments_run(args) -> None:
    """N raw-insert terminals; N payment terminals alone; N payment terminals beside M searching ones."""
    sample = _sample(args.db)
    n, m, seconds = args.payments, args.searchers, args.seconds
    if args.db.startswith("postgresql"):
        print(f"PostgreSQL settings: {durable_settings(args.db)}")
    print(f"{' ':<36} steps  p50 ms  p95 ms  p99 ms  rate")
    rates = {}
    for label, groups in ((f"{n} terminals, raw one-row inserts", [("raw", n)]),
                          (f"{n} terminals taking payments", [("pay", n)]),
                          (f"{n} paying + {m} searching", [("pay", n), ("search", m)])):
        sampler = LockSampler(args.db) if args.db.startswith("postgresql") else None
        times, failures, _writes, _cpu = _run(args.db, groups, True, seconds, sample, sampler)
        for kind in ("raw", "pay", "search"):
            if times[kind]:
                print(_line(f"{label}: {kind}", kind, times[kind], seconds))
                rates[(label, kind)] = len(times[kind]) / seconds
        for message, count in failures.most_common():
            print(f"    FAILED {count}x {message}")
        if sampler is not None:
            print(f"    waits: {sampler.report()}")
    raw = rates[(f"{n} terminals, raw one-row inserts", "raw")]
    alone = rates[(f"{n} terminals taking payments", "pay")]
    beside = rates[(f"{n} paying + {m} searching", "pay")]
    print(f"  payments / raw inserts: {alone / raw:.2f} (target >= 0.50)")
    print(f"  payments beside searches / alone: {beside / alone:.2f} (target >= 0.70)")


if __name__ == "__main__":
    from duty_tui.core.domain.errors import DutyError

    try:
        main()
    except DutyError as exc:  # a database that is not there or not current: say so, no traceback
        raise SystemExit(f"bench_terminals: {exc}") from None
