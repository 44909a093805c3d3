"""Throughput of the working-day clocks against a naive day-by-day baseline.

Run:  .venv/bin/python bench/bench_clocks.py

Not a test: it prints figures and ratios measured in one run on this machine
(STYLE.md: speed is measured here, never asserted in a timed test). The
workload is a 5,000-row queue, the size a busy office's complaint and
repairs queues reach, re-described as on every repaint.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

import holidays

from duty_tui.core.domain.clocks import (
    Deadline,
    WorkingCalendar,
    _holidays_in_year,  # only to empty its cache for the cold figure
    add_hours,
    describe_due,
)

ROWS = 5_000
RUNS = 5
NAIVE_ROWS = 1_000  # the baseline is slow; a smaller sample gives the same per-call rate
SUBDIV = "ENG"
TODAY = date(2026, 9, 2)
NOW = datetime(2026, 9, 2, 10, 15)


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls to ``fn`` (perf_counter)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# -- the naive baseline: what one writes first ----------------------------------

_NAIVE_HOLIDAYS = holidays.country_holidays("GB", subdiv=SUBDIV)


def naive_is_working(day: date) -> bool:
    return day.weekday() < 5 and day not in _NAIVE_HOLIDAYS


def naive_add_working_days(start: date, n: int) -> date:
    """Step one day at a time, asking the holidays package about each day."""
    day = start
    while not naive_is_working(day):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not naive_is_working(day):
            day += timedelta(days=1)
    return day


def naive_working_days_between(a: date, b: date) -> int:
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        count += naive_is_working(day)
    return sign * count


def naive_describe_working(due: date, today: date) -> tuple[str, str]:
    """(state, label) for a working-day deadline as describe_due words it, computed by stepping."""
    while not naive_is_working(due):
        due -= timedelta(days=1)
    if due == today:
        return "due_today", "due today"
    if due < today:
        late = naive_working_days_between(due, today)
        return "overdue", f"overdue by {late} working day{'s' if late != 1 else ''}"
    left = naive_working_days_between(today, due)
    if left == 1:
        return "due_soon", "due tomorrow" if due == today + timedelta(days=1) else "due next working day"
    return ("due_soon" if left <= 2 else "ok"), f"due in {left} working days"


# -- the workload ------------------------------------------------------------------


def make_queue(rng: random.Random) -> tuple[list[tuple[date, int]], list[Deadline]]:
    """5,000 (logged, n) pairs and the deadlines a queue would show for them."""
    starts = []
    for _ in range(ROWS):
        logged = TODAY - timedelta(days=rng.randint(0, 120))
        starts.append((logged, rng.choice((3, 5, 5, 5, 10, 10, 20))))
    cal = WorkingCalendar("england")
    deadlines: list[Deadline] = []
    for i, (logged, n) in enumerate(starts):
        if i % 10 == 0:  # some emergency hazards on a 24-hour clock
            deadlines.append(Deadline(add_hours(datetime.combine(logged, datetime.min.time()), 24), "hours"))
        elif i % 10 == 1:  # some statutory calendar-day clocks
            deadlines.append(Deadline(logged + timedelta(days=56), "calendar_days"))
        else:
            deadlines.append(Deadline(cal.add_working_days(logged, n), "working_days"))
    return starts, deadlines


def main() -> None:
    rng = random.Random(20260902)
    starts, deadlines = make_queue(rng)
    naive_starts = starts[:NAIVE_ROWS]
    working_deadlines = [dl for dl in deadlines if dl.kind == "working_days"]
    naive_deadlines = working_deadlines[:NAIVE_ROWS]

    # Cold start: a fresh calendar builds its table on first use, and the
    # per-year holiday cache is empty (as at application start).
    _holidays_in_year.cache_clear()
    t0 = time.perf_counter()
    cold = WorkingCalendar("england")
    cold.add_working_days(TODAY, 5)
    cold_ms = (time.perf_counter() - t0) * 1000

    cal = WorkingCalendar("england")
    for logged, n in starts:  # warm: tables built, as after the first repaint
        cal.add_working_days(logged, n)
    for logged, n in naive_starts:  # the baseline's package object also caches years as it goes
        naive_add_working_days(logged, n)

    # Both sides must agree before their speeds mean anything.
    for logged, n in naive_starts:
        assert cal.add_working_days(logged, n) == naive_add_working_days(logged, n), (logged, n)
    for dl in naive_deadlines:
        fast = describe_due(dl, TODAY, cal)
        state, label = naive_describe_working(dl.due, TODAY)  # type: ignore[arg-type]
        assert fast.state == state and fast.label.startswith(label), (dl, fast, label)

    fast_add = median_seconds(lambda: [cal.add_working_days(s, n) for s, n in starts])
    naive_add = median_seconds(lambda: [naive_add_working_days(s, n) for s, n in naive_starts])
    fast_add_rate = ROWS / fast_add
    naive_add_rate = NAIVE_ROWS / naive_add

    fast_desc = median_seconds(lambda: [describe_due(dl, NOW, cal) for dl in deadlines])
    fast_desc_working = median_seconds(lambda: [describe_due(dl, TODAY, cal) for dl in working_deadlines])
    naive_desc = median_seconds(lambda: [naive_describe_working(dl.due, TODAY) for dl in naive_deadlines])  # type: ignore[arg-type]
    fast_desc_rate = len(working_deadlines) / fast_desc_working
    naive_desc_rate = NAIVE_ROWS / naive_desc

    print(f"holidays {holidays.__version__}; {ROWS:,} rows; median of {RUNS} runs (time.perf_counter)")
    print(f"cold start (first call builds the table): {cold_ms:.1f} ms")
    print()
    print("add_working_days")
    print(f"  WorkingCalendar : {fast_add_rate:>12,.0f} calls/s  ({fast_add * 1e3:.2f} ms per {ROWS:,} rows)")
    print(f"  naive day-step  : {naive_add_rate:>12,.0f} calls/s  ({ROWS / naive_add_rate * 1e3:.2f} ms per {ROWS:,} rows)")
    print(f"  ratio           : {fast_add_rate / naive_add_rate:>12,.1f} x")
    print()
    print("describe_due (working-day deadlines)")
    print(f"  describe_due    : {fast_desc_rate:>12,.0f} calls/s")
    print(f"  naive day-step  : {naive_desc_rate:>12,.0f} calls/s")
    print(f"  ratio           : {fast_desc_rate / naive_desc_rate:>12,.1f} x")
    print()
    print("describe_due, mixed queue (80% working-day, 10% hours, 10% calendar-day):")
    print(f"  {fast_desc * 1e3:.2f} ms per {ROWS:,}-row repaint ({ROWS / fast_desc:,.0f} rows/s)")


if __name__ == "__main__":
    main()
