"""Awaab's Law clocks for hazards in social housing (England).

The Hazards in Social Housing (Prescribed Requirements) (England) Regulations
2025 (SI 2025/1042), in force from 27 October 2025, for social landlords in
England. The clocks run from when the landlord becomes aware of the hazard —
the moment the front desk logs it:

* emergency hazard: investigate and make safe within 24 hours;
* significant damp and mould: investigate within 10 working days; give the
  tenant a written summary within 3 working days of the investigation
  concluding; where the hazard is significant, safety work within 5 working
  days of the investigation concluding; further (supplementary) work to begin
  within 5 working days, and physically begun within 12 weeks.

Pure: dates and times are arguments. ``WorkingCalendar`` supplies the bank holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from duty_tui.core.domain.clocks import WorkingCalendar, add_hours, add_weeks

EMERGENCY_HOURS = 24
INVESTIGATE_WORKING_DAYS = 10
SUMMARY_WORKING_DAYS = 3
SAFETY_WORKS_WORKING_DAYS = 5
FURTHER_WORKS_START_WORKING_DAYS = 5
FURTHER_WORKS_BEGUN_WEEKS = 12

AWAAB_JURISDICTIONS = ("england",)
"""Awaab's Law binds social landlords in England only."""


def applies_in(jurisdiction: str) -> bool:
    """True where Awaab's Law runs (England)."""
    return jurisdiction in AWAAB_JURISDICTIONS


def emergency_due(aware_at: datetime) -> datetime:
    """Investigate and make safe an emergency hazard: 24 hours from awareness (through nights and weekends)."""
    return add_hours(aware_at, EMERGENCY_HOURS)


@dataclass(frozen=True)
class DampMouldClock:
    """The damp-and-mould due dates; the later ones exist once the investigation has concluded."""

    aware_on: date
    investigate_due: date
    investigated_on: date | None = None
    summary_due: date | None = None
    safety_works_due: date | None = None
    further_works_start_due: date | None = None
    further_works_begun_by: date | None = None


def damp_mould_clock(aware_on: date, calendar: WorkingCalendar, *, investigated_on: date | None = None,
                     significant: bool = True) -> DampMouldClock:
    """The Awaab's Law dates for a damp-and-mould report made on ``aware_on``."""
    investigate_due = calendar.add_working_days(aware_on, INVESTIGATE_WORKING_DAYS)
    if investigated_on is None:
        return DampMouldClock(aware_on, investigate_due)
    summary_due = calendar.add_working_days(investigated_on, SUMMARY_WORKING_DAYS)
    if not significant:
        return DampMouldClock(aware_on, investigate_due, investigated_on, summary_due)
    return DampMouldClock(
        aware_on, investigate_due, investigated_on, summary_due,
        safety_works_due=calendar.add_working_days(investigated_on, SAFETY_WORKS_WORKING_DAYS),
        further_works_start_due=calendar.add_working_days(investigated_on, FURTHER_WORKS_START_WORKING_DAYS),
        further_works_begun_by=add_weeks(investigated_on, FURTHER_WORKS_BEGUN_WEEKS),
    )


@dataclass(frozen=True)
class HazardStep:
    """One step of the hazard clock and whether it is done."""

    name: str
    due: date | datetime | None
    done_on: date | datetime | None


def damp_mould_steps(clock: DampMouldClock, *, summary_sent: date | None = None, safety_done: date | None = None,
                     further_started: date | None = None, further_begun: date | None = None) -> list[HazardStep]:
    """Every step in order, with its due date (None: waits on the investigation) and when it was done."""
    return [
        HazardStep("Investigate", clock.investigate_due, clock.investigated_on),
        HazardStep("Written summary", clock.summary_due, summary_sent),
        HazardStep("Safety work", clock.safety_works_due, safety_done),
        HazardStep("Further work: start", clock.further_works_start_due, further_started),
        HazardStep("Further work: begun", clock.further_works_begun_by, further_begun),
    ]


def next_step(steps: list[HazardStep], *, significant: bool = True) -> HazardStep | None:
    """The earliest step not yet done that has a due date; None when all are done.

    Before the investigation concludes that is the investigation itself.
    """
    pending = [s for s in steps if s.done_on is None and s.due is not None]
    if not significant:
        pending = [s for s in pending if s.name in ("Investigate", "Written summary")]
    if not pending:
        return None
    return min(pending, key=lambda s: s.due if isinstance(s.due, date) and not isinstance(s.due, datetime)
               else s.due.date())  # type: ignore[union-attr]  # `pending` steps have a due
