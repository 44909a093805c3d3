"""The steps of a demo hazard report (demo.py's _Writer._hazard): how far an emergency hazard or a
damp-and-mould report has got on Awaab's Law's clocks, given its age. Each fills ``row`` (the
repair_detail columns) and adds the clocks still running to ``pending`` as (name, due, kind).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from duty_tui.areas.frontdesk.demo_office import _moment
from duty_tui.areas.frontdesk.domain import hazards
from duty_tui.areas.frontdesk.domain.rules import end_of_day_utc
from duty_tui.core.domain.clocks import WorkingCalendar


def emergency_steps(rng: random.Random, n: int, back: int, at: datetime, awaab: bool, row: dict,
                    pending: list[tuple[str, datetime, str]]) -> None:
    """An emergency hazard: made safe (most), completed (older ones), or still waiting on its 24 hours."""
    due = hazards.emergency_due(at)
    if awaab:
        row["emergency_due_at"] = due
    late = n % 15 == 5 and back <= 2  # a few recent ones not made safe in time
    if back > 0 and not late:
        row["made_safe_at"] = at + timedelta(hours=rng.randint(1, 20))
        if back > 20:
            row["completed_at"] = at + timedelta(days=rng.randint(3, 15))
    elif awaab:
        pending.append(("Awaab's Law: make safe (24 h)", due, "hours"))


def damp_mould_steps(rng: random.Random, calendar: WorkingCalendar, today: date, n: int, back: int,
                     aware_day: date, awaab: bool, row: dict, pending: list[tuple[str, datetime, str]]) -> None:
    """A damp-and-mould report at a step of Awaab's Law that fits its age; the steps not yet done are pending."""
    clock = hazards.damp_mould_clock(aware_day, calendar)
    if awaab:
        row["investigate_due"] = clock.investigate_due
    if back < 3:
        step = "new"
    elif back <= 12:
        step = rng.choice(("new", "investigated", "summary"))
    elif back <= 60:
        step = rng.choice(("summary", "safety", "further", "done"))
    else:  # old reports are done, bar the odd one still waiting for its works (overdue)
        step = "safety" if n % 9 == 4 else "done"
    investigated = min(calendar.add_working_days(aware_day, rng.randint(2, 12)), today)
    if step != "new" and investigated < today:
        full = hazards.damp_mould_clock(aware_day, calendar, investigated_on=investigated)
        row.update(investigated_on=investigated, significant=True, summary_due=full.summary_due,
                   safety_works_due=full.safety_works_due, further_start_due=full.further_works_start_due,
                   further_begun_by=full.further_works_begun_by)
        done = {"investigated": 0, "summary": 1, "safety": 2, "further": 4, "done": 5}[step]
        dates = [(full.summary_due, "summary_sent_on"), (full.safety_works_due, "safety_works_done_on"),
                 (full.further_works_start_due, "further_started_on"),
                 (full.further_works_begun_by, "further_begun_on")]
        for index, (due_day, column) in enumerate(dates):
            if index < done and due_day is not None:
                row[column] = min(due_day - timedelta(days=rng.randint(0, 2)), today)
        if step == "done":
            row["completed_at"] = _moment(min(today, investigated + timedelta(days=30)), 15 * 60)
        if awaab:
            names = ("Awaab's Law: written summary", "Awaab's Law: safety work",
                     "Awaab's Law: further work: start",
                     "Awaab's Law: further work: begun")
            for (due_day, column), name in zip(dates, names, strict=True):
                if row[column] is None and due_day is not None and row["completed_at"] is None:
                    pending.append((name, end_of_day_utc(due_day), "working_days"))
    elif awaab:
        pending.append(("Awaab's Law: investigate", end_of_day_utc(clock.investigate_due), "working_days"))
