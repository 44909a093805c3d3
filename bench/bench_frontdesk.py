"""Front-desk speed: saving a contact, opening a 5,000-case team queue, and how fast a second
terminal hears of a new arrival.

Run:  .venv/bin/python bench/bench_frontdesk.py [--db PATH] [--contacts N] [--no-pg] [--no-tui]

The database is a copy of --db, else of /work/council.db, else a freshly generated ``office``
demo (the council demo takes minutes to build; make it once with ``duty-tui demo --size council``
and pass it with --db). A team queue is topped up to 5,000 open cases if none has that many.
Figures are medians and percentiles from one run, each beside its baseline (STYLE.md: speed is
measured here, never asserted in a test).

Targets (issue 3): saving a contact p95 < 100 ms; a 5,000-case queue's first paint < 200 ms;
a second terminal sees a new arrival within 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import text  # noqa: E402

from duty_tui.core.config.settings import Settings  # noqa: E402
from duty_tui.core.db.engine import make_engine, session_scope  # noqa: E402
from duty_tui.core.db.migrate import upgrade  # noqa: E402
from duty_tui.core.services.auth import find_actor  # noqa: E402
from duty_tui.core.services.context import ServiceContext  # noqa: E402

COUNCIL = Path("/work/council.db")
QUEUE_SIZE = 5_000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def summary(label: str, values: list[float]) -> str:
    return (f"{label:<48} median {ms(statistics.median(values))}  p95 {ms(pct(values, 95))}  "
            f"max {ms(max(values))}  (n={len(values)})")


def context(engine, username: str) -> ServiceContext:
    settings = Settings(db_url=engine.url.render_as_string(hide_password=False))
    base = ServiceContext.create(engine, settings, terminal="bench")
    return base.as_actor(find_actor(base, username))


# --- the database -------------------------------------------------------------------------


def prepare_database(args) -> Path:
    work = Path(tempfile.mkdtemp(prefix="duty-bench-fd-"))
    target = work / "bench.db"
    source = Path(args.db) if args.db else (COUNCIL if COUNCIL.exists() else None)
    if source is not None:
        print(f"database: a copy of {source}")
        shutil.copyfile(source, target)
        for suffix in ("-wal", "-shm"):
            if Path(str(source) + suffix).exists():
                shutil.copyfile(str(source) + suffix, str(target) + suffix)
        engine = make_engine(f"sqlite:///{target}")
        upgrade(engine)
    else:
        from duty_tui.areas.frontdesk.demo import generate_frontdesk
        from duty_tui.core.demo import generator

        print("database: a fresh 'office' demo (no --db and no /work/council.db)")
        engine = make_engine(f"sqlite:///{target}")
        upgrade(engine)
        generator.generate(engine, size="office", seed=1, today=date.today(), office_name="Bench",
                           jurisdiction="england")
        generate_frontdesk(engine, seed=1, today=date.today(), size="office", jurisdiction="england")
    top_up_queue(engine)
    engine.dispose()
    return target


def top_up_queue(engine) -> None:
    """Make sure one team has at least QUEUE_SIZE open cases (synthetic repairs if need be)."""
    with session_scope(engine, write=True) as s:
        team_id = s.execute(text("SELECT id FROM team WHERE code = 'repairs'")).scalar()
        have = s.execute(text("SELECT count(*) FROM work_case WHERE team_id = :t AND status IN "
                              "('open', 'in_progress', 'awaiting')"), {"t": team_id}).scalar()
        if have >= QUEUE_SIZE:
            print(f"repairs queue: {have:,} open cases")
            return
        people = [r[0] for r in s.execute(text("SELECT id FROM person ORDER BY id LIMIT 20000"))]
        top = s.execute(text("SELECT max(ref) FROM work_case WHERE ref LIKE 'C%' AND length(ref) = 8")).scalar()
        number = int(top[1:]) + 1 if top else 1
        rng = random.Random(5)
        now = datetime.now(UTC)
        rows = []
        for i in range(QUEUE_SIZE - have):
            opened = now - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 600))
            rows.append({"ref": f"C{number + i:07d}", "team": team_id, "person": rng.choice(people),
                         "summary": "Repairs › Report a repair — synthetic for the benchmark",
                         "opened": opened, "due": opened + timedelta(days=rng.randint(1, 40))})
        from duty_tui.core.db.models import Case

        s.execute(Case.__table__.insert(), [  # type: ignore[attr-defined]
            {"ref": r["ref"], "case_type": "repair", "status": "open", "team_id": r["team"], "person_id": r["person"],
             "summary": r["summary"], "priority": "normal", "opened_at": r["opened"], "due_at": r["due"],
             "clock_kind": "working_days", "clock_name": "Repair target (routine)", "version": 1} for r in rows])
        print(f"repairs queue: topped up from {have:,} to {QUEUE_SIZE:,} open cases")


# --- 1. saving a contact --------------------------------------------------------------------


def bench_save_contact(db: Path, count: int) -> None:
    from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
    from duty_tui.areas.frontdesk.services.contacts import log_contact
    from duty_tui.core.db.models import Contact

    engine = make_engine(f"sqlite:///{db}")
    ctx = context(engine, "reception")
    with session_scope(engine) as s:
        people = [r[0] for r in s.execute(text(
            "SELECT p.ref FROM person p JOIN household_member m ON m.person_id = p.id AND m.is_lead = 1 "
            "JOIN tenancy t ON t.household_id = m.household_id AND t.status = 'current' LIMIT 5000"))]
        contacts = s.execute(text("SELECT count(*) FROM contact")).scalar()
        cases = s.execute(text("SELECT count(*) FROM work_case")).scalar()
    print(f"\n1. Saving a contact ({contacts:,} contacts and {cases:,} cases already held)")
    rng = random.Random(7)
    mixes = [
        ("routine: resolved at first contact", 0.6,
         lambda p: ContactDraft(channel="phone", reasons=("rent.payment",), outcome="resolved", person_ref=p,
                                notes="Explained how to pay.")),
        ("routed: repair case with its clock", 0.2,
         lambda p: ContactDraft(channel="phone", reasons=("repairs.report",), outcome="routed", person_ref=p,
                                notes="Tap leaking.")),
        ("damp and mould: Awaab's Law clocks", 0.1,
         lambda p: ContactDraft(channel="face_to_face", reasons=("repairs.damp_mould",), outcome="routed",
                                person_ref=p, notes="Mould in bedroom.")),
        ("complaint: stage 1 clocks", 0.1,
         lambda p: ContactDraft(channel="email", reasons=("complaint.new",), outcome="routed", person_ref=p,
                                notes="Repair not done.")),
    ]
    timings: dict[str, list[float]] = {label: [] for label, _w, _f in mixes}
    every: list[float] = []
    for _ in range(10):  # warm up (imports, caches, prepared statements)
        log_contact(ctx, mixes[0][2](rng.choice(people)))
    for _ in range(count):
        label, _w, make = rng.choices(mixes, [m[1] for m in mixes])[0]
        draft = make(rng.choice(people))
        t0 = time.perf_counter()
        log_contact(ctx, draft)
        elapsed = time.perf_counter() - t0
        timings[label].append(elapsed)
        every.append(elapsed)
    baseline: list[float] = []
    with session_scope(engine) as s:
        person_id = s.execute(text("SELECT id FROM person LIMIT 1")).scalar()
    for _ in range(max(50, count // 4)):
        t0 = time.perf_counter()
        with session_scope(engine, write=True) as s:
            s.add(Contact(at=datetime.now(UTC), channel="phone", person_id=person_id, reason="rent.payment",
                          outcome="resolved"))
        baseline.append(time.perf_counter() - t0)
    print(summary("log_contact, all kinds", every))
    for label, values in timings.items():
        if values:
            print(summary(f"  {label}", values))
    print(summary("baseline: one bare contact row, own transaction", baseline))
    print(f"  ratio p95 log_contact / p95 bare insert: {pct(every, 95) / pct(baseline, 95):.1f}x"
          f"   target p95 < 100 ms: {'met' if pct(every, 95) < 0.1 else 'NOT met'}")
    engine.dispose()


# --- 2. a 5,000-case team queue -------------------------------------------------------------------


def bench_queue_service(db: Path) -> None:
    from duty_tui.areas.frontdesk.services.routing import queue_page

    engine = make_engine(f"sqlite:///{db}")
    ctx = context(engine, "leader")
    total = queue_page(ctx, "team", "repairs", limit=1).total
    print(f"\n2. Opening the repairs queue ({total:,} open cases)")
    first, everything, scroll = [], [], []
    for _ in range(3):
        queue_page(ctx, "team", "repairs", limit=100)
    for _ in range(20):
        t0 = time.perf_counter()
        queue_page(ctx, "team", "repairs", limit=100)
        first.append(time.perf_counter() - t0)
    for offset in range(100, min(total, 3100), 300):
        t0 = time.perf_counter()
        queue_page(ctx, "team", "repairs", offset=offset, limit=300)
        scroll.append(time.perf_counter() - t0)
    for _ in range(5):
        t0 = time.perf_counter()
        offset = 0
        while offset < total:
            offset += len(queue_page(ctx, "team", "repairs", offset=offset, limit=1000).rows)
        everything.append(time.perf_counter() - t0)
    print(summary("service: first page (100 rows) + counts", first))
    print(summary("service: next page (300 rows) while scrolling", scroll))
    print(summary(f"baseline: every open case ({total:,} rows)", everything))
    print(f"  ratio: first page is {statistics.median(everything) / statistics.median(first):.1f}x faster "
          "than loading the whole queue")
    engine.dispose()


async def _painted(screen, ready) -> None:
    """Wait until ``ready()``, then for the refresh that draws it (the start-up bench's READY marker)."""
    while not ready():
        await asyncio.sleep(0.001)
    done = asyncio.Event()
    screen.call_after_refresh(done.set)
    await done.wait()


async def _queue_tui(db: Path, runs: int) -> tuple[list[float], list[float], list[float], list[float]]:
    from duty_tui.areas.frontdesk.services.routing import queue_page
    from duty_tui.areas.frontdesk.tui.queues import QueuesScreen
    from duty_tui.core.tui.app import make_app
    from duty_tui.core.tui.screens.home import HomeScreen
    from duty_tui.core.tui.widgets.table import DutyTable

    engine = make_engine(f"sqlite:///{db}")
    settings = Settings(db_url=f"sqlite:///{db}")
    ctx = ServiceContext.create(engine, settings, terminal="bench")
    app = make_app(settings, ctx=ctx, demo=False)
    paint, keys, naive, home = [], [], [], []

    def has_rows(screen, selector: str):
        return lambda: screen.is_mounted and screen.query(selector) and screen.query(selector).first().row_count

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.signed_in(find_actor(app.ctx, "leader"))
        await pilot.pause()
        await app.workers.wait_for_complete()
        for _ in range(runs):
            # The app's own dashboard, drawn the same way, as the reference for this machine and moment.
            screen = HomeScreen()
            t0 = time.perf_counter()
            app.push_screen(screen)
            await _painted(screen, has_rows(screen, "#team-table"))
            home.append(time.perf_counter() - t0)
            await app.workers.wait_for_complete()
            app.pop_screen()
            await pilot.pause()

            screen = QueuesScreen(team="repairs")
            t0 = time.perf_counter()
            app.push_screen(screen)
            await _painted(screen, has_rows(screen, "#queue-table"))
            paint.append(time.perf_counter() - t0)
            await app.workers.wait_for_complete()
            for _ in range(10):
                t1 = time.perf_counter()
                await pilot.press("pagedown")
                keys.append(time.perf_counter() - t1)
            await app.workers.wait_for_complete()
            app.pop_screen()
            await pilot.pause()
        # Baseline: the whole queue put into one table, as a naive screen would.
        total = queue_page(app.ctx, "team", "repairs", limit=1).total
        for _ in range(2):
            rows = []
            offset = 0
            t0 = time.perf_counter()
            while offset < total:
                page = queue_page(app.ctx, "team", "repairs", offset=offset, limit=1000).rows
                rows.extend(page)
                offset += len(page)
            table = DutyTable()
            await app.screen.mount(table)
            for column in ("!", "Due", "Case", "Person", "What"):
                table.add_column(column)
            table.add_rows([("", str(r.due_at), r.ref, r.person_name or "", r.summary) for r in rows])
            await _painted(app.screen, lambda: table.row_count)  # noqa: B023  (awaited here)
            naive.append(time.perf_counter() - t0)
            await table.remove()
    engine.dispose()
    return paint, keys, naive, home


def bench_queue_tui(db: Path) -> None:
    paint, keys, naive, home = asyncio.run(_queue_tui(db, 7))
    print(summary("TUI: queue screen pushed to first rows drawn", paint))
    print(summary("TUI: PageDown through the queue (per key)", keys))
    print(summary("reference: the dashboard (home) drawn the same way", home))
    print(summary("baseline: every open case loaded into one table", naive))
    print(f"  ratio: {statistics.median(naive) / statistics.median(paint):.1f}x faster first paint than the "
          f"baseline; {statistics.median(paint) / statistics.median(home):.2f}x the dashboard's"
          f"   target < 200 ms: {'met' if statistics.median(paint) < 0.2 else 'NOT met'}")


# --- 3. a new arrival on a second terminal --------------------------------------------------------


def _latency(url: str, label: str, arrivals: int) -> None:
    from duty_tui.areas.frontdesk.services.callers import add_arrival, callers_board
    from duty_tui.core.services.changes import ChangeFeed

    reader = make_engine(url)
    writer = make_engine(url)
    wctx = context(writer, "reception")
    rctx = context(reader, "reception")
    woke: list[float] = []
    seen: list[float] = []
    stop = threading.Event()
    ready = threading.Event()

    def listen() -> None:
        with ChangeFeed(reader, {"callers"}) as feed:
            ready.set()
            while not stop.is_set():
                if feed.wait(0.5):
                    woke.append(time.perf_counter())
                    callers_board(rctx)  # what the screen does next
                    seen.append(time.perf_counter())

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait(10)
    rng = random.Random(3)
    sent: list[tuple[float, float]] = []
    for i in range(arrivals):
        time.sleep(rng.uniform(0.3, 0.6))
        t0 = time.perf_counter()
        add_arrival(wctx, name=f"Bench {i}")
        sent.append((t0, time.perf_counter()))
    time.sleep(1.0)
    stop.set()
    thread.join(5)
    notified = []
    shown = []
    for (t0, _t1), w, s in zip(sent, woke, seen, strict=False):
        notified.append(w - t0)
        shown.append(s - t0)
    # Baseline: a screen that simply re-reads the queue once a second.
    naive = [rng.uniform(0, 1.0) + statistics.median([s - w for w, s in zip(woke, seen, strict=False)] or [0])
             for _ in range(len(sent))]
    print(summary(f"{label}: write to listener woken", notified))
    print(summary(f"{label}: write to queue re-read (on screen next frame)", shown))
    print(summary(f"{label} baseline: re-read every 1 s (modelled)", naive))
    print(f"  target < 2 s: {'met' if max(shown) < 2.0 else 'NOT met'} (worst {max(shown):.3f} s)")
    reader.dispose()
    writer.dispose()


def bench_latency(db: Path, use_pg: bool, arrivals: int) -> None:
    print("\n3. A new arrival on a second terminal (ChangeFeed)")
    _latency(f"sqlite:///{db}", "SQLite (PRAGMA data_version poll 0.25 s)", arrivals)
    if not use_pg:
        return
    sys.path.insert(0, str(REPO / "tests"))
    try:
        from conftest import find_pg_ctl, running_postgres  # the test suite's throwaway server
    except Exception as exc:  # pragma: no cover
        print(f"  PostgreSQL skipped: {exc}")
        return
    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        print("  PostgreSQL skipped: no pg_ctl")
        return
    with running_postgres(pg_ctl) as server:
        server.create_database("bench_fd")
        url = server.url("bench_fd")
        engine = make_engine(url)
        upgrade(engine)
        with session_scope(engine, write=True) as s:
            s.execute(text("INSERT INTO office (code, name, jurisdiction, next_receipt_no, version) "
                           "VALUES ('MAIN', 'Bench', 'england', 1, 1)"))
            s.execute(text("INSERT INTO team (code, name, version) VALUES ('reception', 'Reception', 1)"))
            s.execute(text("INSERT INTO staff_user (username, display_name, role, team_id, active, failed_logins, "
                           "version) SELECT 'reception', 'Rita', 'reception', id, true, 0, 1 FROM team"))
        engine.dispose()
        _latency(url, "PostgreSQL (LISTEN/NOTIFY)", arrivals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLite database to copy (default /work/council.db, else a fresh office demo)")
    parser.add_argument("--contacts", type=int, default=300, help="contacts to save")
    parser.add_argument("--arrivals", type=int, default=25, help="arrivals for the latency figure")
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL latency figure")
    parser.add_argument("--no-tui", action="store_true", help="skip the headless TUI figures")
    args = parser.parse_args()
    db = prepare_database(args)
    try:
        bench_save_contact(db, args.contacts)
        bench_queue_service(db)
        if not args.no_tui:
            bench_queue_tui(db)
        bench_latency(db, not args.no_pg, args.arrivals)
    finally:
        shutil.rmtree(db.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
