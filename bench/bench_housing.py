"""Benchmarks for housing options (a script, not a test).

1. The quarter's homelessness statistics over a council-sized caseload (20,000 cases from
   the demo generator) on SQLite and PostgreSQL: the live-table counts, and the whole report
   (CSV tables + H-CLIC extract + data-quality report), against a baseline that only scans
   the case table. Target: under 10 s each.
2. The triage screen's update per answer, in a real Pilot run at 80x24: the engine call plus
   the widget update (measured inside the screen), and the engine alone as the baseline.
   Target: within one frame (16.7 ms at 60 Hz).

    .venv/bin/python bench/bench_housing.py [--cases 20000] [--runs 5] [--answers 200] [--no-pg] [--pg URL]

PostgreSQL: --pg URL, else a throwaway server started like the tests do (tests/conftest.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

TARGET_STATS_SECONDS = 10.0
FRAME_SECONDS = 1 / 60
TODAY = date(2026, 9, 30)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def build_caseload(url: str, cases: int) -> float:
    from builders import seed_office

    from duty_tui.areas.housing_options import demo as housing
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    seed_office(engine)
    housing.APPROACHES["bench"] = cases
    started = time.perf_counter()
    housing.generate_housing(engine, seed=1, today=TODAY, size="bench", jurisdiction="england")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def bench_statistics(label: str, url: str, runs: int, out: Path) -> dict:
    from sqlalchemy import text

    from duty_tui.areas.housing_options.domain.reference import load_housing_reference
    from duty_tui.areas.housing_options.domain.stats import parse_quarter
    from duty_tui.areas.housing_options.reports import compute_statistics, write_report
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine, session_scope

    engine = make_engine(url)
    ref = load_housing_reference(Settings(db_url=url).data_dir)
    quarters = [parse_quarter(q) for q in ("2025Q4", "2026Q1", "2026Q2", "2026Q3")]
    baseline, stats_times, report_times = [], [], []
    for run in range(runs):
        started = time.perf_counter()
        with session_scope(engine) as session:
            rows = session.connection().execute(text("SELECT * FROM homeless_case")).all()
        baseline.append(time.perf_counter() - started)
        quarter = quarters[run % len(quarters)]
        started = time.perf_counter()
        compute_statistics(engine, quarter, ref)
        stats_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        summary = write_report(engine, quarter, ref, out / f"{label}-{run}")
        report_times.append(time.perf_counter() - started)
    with session_scope(engine) as session:
        total = session.connection().execute(text("SELECT count(*) FROM homeless_case")).scalar()
    engine.dispose()
    return {"label": label, "cases": total, "rows_scanned": len(rows), "baseline": statistics.median(baseline),
            "stats": statistics.median(stats_times), "stats_max": max(stats_times),
            "report": statistics.median(report_times), "report_max": max(report_times),
            "extract_cases": summary.extract_cases}


async def bench_screen(url: str, answers: int) -> dict:
    from builders import NOW, PASSWORD

    from duty_tui.areas.housing_options.domain.homelessness import assess, what_would_change
    from duty_tui.areas.housing_options.domain.intake import check_answers
    from duty_tui.areas.housing_options.tui.approach import ApproachScreen
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services.context import ServiceContext
    from duty_tui.core.tui.app import make_app

    engine = make_engine(url)
    settings = Settings(db_url=url)
    ctx = ServiceContext.create(engine, settings, terminal="bench", clock=lambda: NOW)
    app = make_app(settings, ctx=ctx, demo=False)
    presses_wall: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press(*"options", "enter", *["space" if c == " " else c for c in PASSWORD], "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.push_screen(ApproachScreen(person_ref="P0000003"))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        screen.update_seconds.clear()
        screen.measure_paint = True
        script = [("eligible", k) for k in "ynu"] + [("homeless", k) for k in "yn"] + \
                 [("rough_sleeping", "space"), ("intentional", "y"), ("intentional", "n"),
                  ("local_connection", "e"), ("local_connection", "h"), ("eligible", "y")]
        for n in range(answers):
            field, key = script[n % len(script)]
            if screen.focused is not screen.query_one(f"#{field}"):
                screen.query_one(f"#{field}").focus()  # moving between questions is not an answer:
                await pilot.pause()  # let the focus change (footer, scroll into view) settle first
            started = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            presses_wall.append(time.perf_counter() - started)
        widget_updates = list(screen.update_seconds)
        painted = list(screen.paint_seconds)
        # Baseline: the engine alone on the same answers (no widgets).
        form = screen.answers()
        engine_only = []
        for _ in range(max(answers, 200)):
            started = time.perf_counter()
            check = check_answers(form, today=NOW.date(), applicant_born=date(1975, 1, 30))
            if check.approach is not None:
                assess(check.approach)
                what_would_change(check.approach)
            engine_only.append(time.perf_counter() - started)
    engine.dispose()
    return {"updates": widget_updates, "engine": engine_only, "painted": painted, "press_to_paint": presses_wall}


@contextlib.contextmanager
def postgres(url: str | None):
    if url:
        yield url
        return
    import conftest

    pg_ctl = conftest.find_pg_ctl()
    if pg_ctl is None:
        yield None
        return
    with conftest.running_postgres(pg_ctl) as server:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        server.create_database(name)
        yield server.url(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--pg")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-housing-"))
    results = []
    try:
        # The screen first, on a small office, before the big caseload fills this process's heap.
        screen_url = f"sqlite:///{work / 'office.db'}"
        build_caseload(screen_url, 50)
        gc.collect()
        screen = asyncio.run(bench_screen(screen_url, args.answers))
        sqlite_url = f"sqlite:///{work / 'council.db'}"
        built = build_caseload(sqlite_url, args.cases)
        print(f"built {args.cases:,} cases on SQLite in {built:.1f} s", file=sys.stderr)
        results.append(bench_statistics("SQLite", sqlite_url, args.runs, work))
        if not args.no_pg:
            with postgres(args.pg) as pg_url:
                if pg_url is None:
                    print("PostgreSQL not found: skipped", file=sys.stderr)
                else:
                    built = build_caseload(pg_url, args.cases)
                    print(f"built {args.cases:,} cases on PostgreSQL in {built:.1f} s", file=sys.stderr)
                    results.append(bench_statistics("PostgreSQL", pg_url, args.runs, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("### Housing options\n")
    print(f"Quarter's statistics over {args.cases:,} homelessness cases (median of {args.runs} runs; target < "
          f"{TARGET_STATS_SECONDS:.0f} s):\n")
    print("| backend | cases | scan all cases (baseline) | live-table counts | full report (CSV + H-CLIC + DQ) | "
          "report / baseline | extract cases |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['label']} | {r['cases']:,} | {r['baseline'] * 1000:.0f} ms | {r['stats'] * 1000:.0f} ms "
              f"(max {r['stats_max'] * 1000:.0f}) | {r['report'] * 1000:.0f} ms (max {r['report_max'] * 1000:.0f}) | "
              f"{r['report'] / r['baseline']:.1f}x | {r['extract_cases']:,} |")
    updates, engine_only, wall, painted = screen["updates"], screen["engine"], screen["press_to_paint"], screen["painted"]
    print(f"\nTriage screen, per answer (Pilot, 80x24, {len(updates)} answers; one frame = "
          f"{FRAME_SECONDS * 1000:.1f} ms):\n")
    print("| measure | p50 | p90 | p99 | max |")
    print("|---|---|---|---|---|")
    for name, values in (("engine alone (baseline)", engine_only), ("engine + widget update", updates),
                         ("answer to screen refreshed (after the next paint)", painted),
                         ("Pilot press + pause round trip (test harness, for reference)", wall)):
        print(f"| {name} | {pct(values, 50) * 1000:.2f} ms | {pct(values, 90) * 1000:.2f} ms | "
              f"{pct(values, 99) * 1000:.2f} ms | {max(values) * 1000:.2f} ms |")
    print(f"\nengine + widgets p99 / engine p50: {pct(updates, 99) / pct(engine_only, 50):.1f}x; "
          f"engine + widgets within a frame: {sum(1 for u in updates if u <= FRAME_SECONDS) / len(updates):.0%} "
          f"of answers; refreshed within a frame: {sum(1 for u in painted if u <= FRAME_SECONDS) / max(1, len(painted)):.0%}")


if __name__ == "__main__":
    main()
