"""Working-day, calendar-day and hour clocks for deadlines.

Pure: no database, no Textual, and no clock reads — ``now`` and ``today`` are
always arguments, so every deadline on screen is reproducible in a test.

Working days exclude Saturdays, Sundays and the bank holidays of the office's
jurisdiction, taken from the ``holidays`` package (which covers 1872–2100;
outside that range only weekends are excluded). Hour clocks run straight
through nights, weekends and holidays.
"""

from __future__ import annotations

import calendar as _calendar
import math
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Literal, TypeGuard, get_args

import holidays as _holidays

from duty_tui.core.domain.local_time import display_date

__all__ = [
    "DeadlineKind",
    "DueState",
    "Jurisdiction",
    "JURISDICTIONS",
    "is_jurisdiction",
    "MARKER_OVERDUE",
    "MARKER_TODAY",
    "Deadline",
    "DueStatus",
    "Holiday",
    "WorkingCalendar",
    "add_hours",
    "add_months",
    "add_weeks",
    "calendar_days_after",
    "describe_due",
    "last_day_of_period_beginning_with",
]

Jurisdiction = Literal["england", "wales", "scotland", "northern_ireland"]
JURISDICTIONS: tuple[Jurisdiction, ...] = get_args(Jurisdiction)


def is_jurisdiction(name: str) -> TypeGuard[Jurisdiction]:
    """True when ``name`` is one of JURISDICTIONS (a WorkingCalendar can be made for it)."""
    return name in JURISDICTIONS

DeadlineKind = Literal["working_days", "hours", "calendar_days"]
DueState = Literal["overdue", "due_today", "due_soon", "ok"]

# Text markers so a queue can flag urgency without relying on colour
# (WCAG 1.4.1); the two non-empty ones are kept short for a narrow column.
MARKER_OVERDUE = "!! OVERDUE"
MARKER_TODAY = "! TODAY"

# England and Wales share the "England & Wales" bank holidays; the package
# still models them as separate subdivisions, and we keep WLS so that a
# future Welsh-only holiday in the package reaches Welsh offices.
_SUBDIVISION: dict[str, str] = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}

# Default "due soon" windows, per kind, in that kind's unit (hours for hours).
_DEFAULT_SOON: dict[str, int] = {"working_days": 2, "calendar_days": 2, "hours": 24}

# Our own names so labels do not change with the process locale.

_MIN_YEAR = date.min.year
_MAX_YEAR = date.max.year


@dataclass(frozen=True, slots=True)
class Holiday:
    """A bank holiday as the package names it, e.g. 'Boxing Day (observed)'."""

    date: date
    name: str


@cache
def _holidays_in_year(subdivision: str, year: int) -> dict[date, str]:
    """Bank holidays falling in ``year`` for one UK subdivision (cached: the package is slow per call)."""
    # Ask for the neighbouring years too, so that a holiday observed in a
    # different year from its nominal date is not lost (none in the UK today,
    # but the package's rules could add one).
    years = [y for y in (year - 1, year, year + 1) if _MIN_YEAR <= y <= _MAX_YEAR]
    found = _holidays.country_holidays("GB", subdiv=subdivision, years=years, language="en_GB")
    return {d: name for d, name in found.items() if d.year == year}


@dataclass(frozen=True, slots=True)
class _Table:
    """An immutable index of working days over whole years [first_year, last_year].

    ``rank[i]`` is the number of working days on or before day ``i`` (counted
    from 1 January of ``first_year``); ``working`` lists the working days in
    order. Every question becomes one or two list lookups, which is what lets
    a 5,000-row queue be re-described on every repaint.
    """

    first_year: int
    last_year: int
    first_ordinal: int
    last_ordinal: int
    is_working: bytes
    rank: list[int]
    working: list[date]


def _build_table(subdivision: str, first_year: int, last_year: int) -> _Table:
    """Index every day of the given years (called rarely: the table only ever grows)."""
    first = date(first_year, 1, 1)
    last = date(last_year, 12, 31)
    closed: set[date] = set()
    for year in range(first_year, last_year + 1):
        closed.update(_holidays_in_year(subdivision, year))
    flags = bytearray()
    rank: list[int] = []
    working: list[date] = []
    count = 0
    day = first
    one = timedelta(days=1)
    while True:
        open_ = day.weekday() < 5 and day not in closed
        if open_:
            count += 1
            working.append(day)
        flags.append(open_)
        rank.append(count)
        if day == last:
            break
        day += one
    return _Table(first_year, last_year, first.toordinal(), last.toordinal(), bytes(flags), rank, working)


class WorkingCalendar:
    """Working days for one jurisdiction: weekdays that are not bank holidays there.

    Thread-safe: lookups read an immutable table; a worker that needs years
    not yet indexed builds a bigger table under a lock and swaps it in.
    """

    __slots__ = ("_jurisdiction", "_subdivision", "_table", "_lock")

    def __init__(self, jurisdiction: Jurisdiction) -> None:
        """Make the calendar for ``jurisdiction`` ('england', 'wales', 'scotland', 'northern_ireland')."""
        if jurisdiction not in _SUBDIVISION:
            raise ValueError(
                f"jurisdiction {jurisdiction!r} is not one of {', '.join(JURISDICTIONS)}"
            )
        self._jurisdiction: Jurisdiction = jurisdiction
        self._subdivision = _SUBDIVISION[jurisdiction]
        self._table: _Table | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WorkingCalendar({self._jurisdiction!r})"

    @property
    def jurisdiction(self) -> Jurisdiction:
        """The jurisdiction whose bank holidays this calendar observes."""
        return self._jurisdiction

    # -- table management -------------------------------------------------

    def _covering(self, first_year: int, last_year: int) -> _Table:
        """A table that covers at least the given years, growing it if need be."""
        table = self._table
        if table is not None and table.first_year <= first_year and last_year <= table.last_year:
            return table
        with self._lock:
            table = self._table
            lo, hi = first_year, last_year
            if table is not None:
                if table.first_year <= lo and hi <= table.last_year:
                    return table
                lo, hi = min(lo, table.first_year), max(hi, table.last_year)
            # A year of margin each side, so that deadlines near a year end
            # and "next working day" questions rarely force another rebuild.
            lo, hi = max(_MIN_YEAR, lo - 1), min(_MAX_YEAR, hi + 1)
            table = _build_table(self._subdivision, lo, hi)
            self._table = table
            return table

    def _table_for(self, d: date) -> _Table:
        table = self._table
        if table is not None and table.first_ordinal <= d.toordinal() <= table.last_ordinal:
            return table
        return self._covering(d.year, d.year)

    # -- questions ----------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a weekday and not a bank holiday in this jurisdiction."""
        table = self._table_for(d)
        return bool(table.is_working[d.toordinal() - table.first_ordinal])

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        if d == date.max:
            raise OverflowError("no working day after 31 December 9999")
        return self.add_working_days(d + timedelta(days=1), 0)

    def add_working_days(self, start: date, n: int) -> date:
        """The working day ``n`` working days after ``start``.

        How the count works (Housing Ombudsman "within 5 working days"
        deadlines depend on it):

        * The day the clock starts is day 0, so ``add_working_days(Mon, 5)``
          is the following Monday when there are no holidays.
        * If ``start`` is not a working day (a weekend or bank holiday), day 0
          is the next working day: a complaint logged on Saturday is treated
          as logged on Monday, so 5 working days is the following Monday.
        * Hence ``add_working_days(d, 0)`` is ``d`` itself on a working day,
          and otherwise the next working day.
        * The result is always a working day.

        ``n`` must be zero or more; ValueError otherwise.
        """
        if n < 0:
            raise ValueError(f"add_working_days needs n >= 0, got {n}")
        table = self._table_for(start)
        i = start.toordinal() - table.first_ordinal
        # rank[i] counts working days up to and including start; day 0 is
        # start itself when it is a working day, else the one after.
        day0 = table.rank[i] - 1 if table.is_working[i] else table.rank[i]
        target = day0 + n
        working = table.working
        if target < len(working):
            return working[target]
        # Off the end of the table: grow it by enough years (at most ~262
        # working days in a year, so n // 250 + 1 years is always enough) and
        # look again from the same start.
        while True:
            more_years = (target - len(working)) // 250 + 1
            if table.last_year >= _MAX_YEAR:
                raise OverflowError(f"{n} working days after {start} is beyond the year 9999")
            table = self._covering(table.first_year, min(_MAX_YEAR, table.last_year + more_years))
            i = start.toordinal() - table.first_ordinal
            day0 = table.rank[i] - 1 if table.is_working[i] else table.rank[i]
            target = day0 + n
            working = table.working
            if target < len(working):
                return working[target]

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

        ``working_days_between(a, b) == -working_days_between(b, a)``, and for
        a working day ``a``, ``working_days_between(a, add_working_days(a, n)) == n``.
        """
        table = self._covering(min(a, b).year, max(a, b).year)
        first = table.first_ordinal
        return table.rank[b.toordinal() - first] - table.rank[a.toordinal() - first]

    def holidays_between(self, a: date, b: date, *, include_weekends: bool = False) -> list[Holiday]:
        """Bank holidays from ``a`` to ``b`` inclusive (either order), oldest first, for display.

        By default only holidays that fall on a weekday — the ones that
        actually stop a working-day clock — are listed; a Boxing Day on a
        Saturday is left out but its Monday "(observed)" substitute is shown.
        """
        if b < a:
            a, b = b, a
        out: list[Holiday] = []
        for year in range(a.year, b.year + 1):
            for d, name in sorted(_holidays_in_year(self._subdivision, year).items()):
                if a <= d <= b and (include_weekends or d.weekday() < 5):
                    out.append(Holiday(d, name))
        return out

    def _last_working_day_on_or_before(self, d: date) -> date:
        """``d`` if it is a working day, else the working day before it."""
        table = self._table_for(d)
        k = table.rank[d.toordinal() - table.first_ordinal] - 1
        while k < 0:
            if table.first_year <= _MIN_YEAR:
                raise OverflowError(f"no working day on or before {d}")
            table = self._covering(max(_MIN_YEAR, table.first_year - 5), table.last_year)
            k = table.rank[d.toordinal() - table.first_ordinal] - 1
        return table.working[k]


# -- calendar arithmetic ----------------------------------------------------


def calendar_days_after(start: date, days: int) -> date:
    """``start`` plus ``days`` calendar days (weekends and holidays count).

    This counts from the day *after* ``start``. Statutes that say "the period
    of N days beginning with the day ..." include the start day — s202(3)
    Housing Act 1996 (review request) is worded so — and their last day is
    ``last_day_of_period_beginning_with(start, N)``, one day earlier.
    """
    return start + timedelta(days=days)


def last_day_of_period_beginning_with(start: date, days: int) -> date:
    """Last day of "the period of ``days`` days beginning with" ``start`` (start counts as day 1)."""
    if days < 1:
        raise ValueError(f"a period beginning with a day is at least 1 day long, got {days}")
    return start + timedelta(days=days - 1)


def add_weeks(start: date, weeks: int) -> date:
    """``start`` plus ``weeks`` whole weeks (same weekday)."""
    return start + timedelta(weeks=weeks)


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months on, clamped to the month's end.

    31 January + 1 month is 28 February (29 in a leap year); 30 November + 3
    months is 28/29 February. This is the ICO's "corresponding calendar date"
    rule for a subject access request's one month, and Scotland's two-month
    threatened-with-homelessness test. (The ICO also lets a SAR due on a
    weekend or bank holiday run to the next working day: apply
    ``WorkingCalendar.add_working_days(due, 0)`` where policy wants that.)
    A datetime keeps its time of day. ``months`` may be negative.
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise OverflowError(f"{start} plus {months} months is outside years 1-9999")
    last_day = _calendar.monthrange(year, month0 + 1)[1]
    return start.replace(year=year, month=month0 + 1, day=min(start.day, last_day))


# -- hour clocks ----------------------------------------------------------------


def add_hours(start: datetime, hours: int) -> datetime:
    """``start`` plus ``hours`` elapsed hours, straight through nights, weekends and holidays.

    For a timezone-aware ``start`` the hours are real elapsed time, so a
    24-hour clock started at noon on the Saturday before the clocks go
    forward ends at 13:00 BST on Sunday (Python's own aware arithmetic
    would say 12:00, an hour short). The result keeps ``start``'s tzinfo.
    A naive ``start`` is treated as wall-clock time and stays naive.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        return start + timedelta(hours=hours)
    utc = start.astimezone(UTC) + timedelta(hours=hours)
    return utc.astimezone(start.tzinfo)


def _elapsed(earlier: datetime, later: datetime) -> timedelta:
    """Real time from ``earlier`` to ``later``; aware values are compared in UTC.

    Python subtracts two datetimes sharing one tzinfo by wall clock, which is
    an hour out across a DST change; converting to UTC first avoids that.
    """
    a_aware = earlier.tzinfo is not None and earlier.utcoffset() is not None
    b_aware = later.tzinfo is not None and later.utcoffset() is not None
    if a_aware != b_aware:
        raise ValueError("cannot compare a timezone-aware time with a naive one")
    if a_aware:
        return later.astimezone(UTC) - earlier.astimezone(UTC)
    return later - earlier


# -- describing deadlines -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deadline:
    """When something is due and which clock it runs on.

    ``due`` is a ``datetime`` for ``kind="hours"`` and a plain ``date`` for
    ``"working_days"`` and ``"calendar_days"`` (a datetime there is refused,
    so a time of day is never silently dropped).
    """

    due: date | datetime
    kind: DeadlineKind

    def __post_init__(self) -> None:
        if self.kind not in _DEFAULT_SOON:
            raise ValueError(f"deadline kind {self.kind!r} is not one of working_days, hours, calendar_days")
        is_datetime = isinstance(self.due, datetime)
        if self.kind == "hours" and not is_datetime:
            raise ValueError("an hours deadline needs a date and time, not just a date")
        if self.kind != "hours" and (is_datetime or not isinstance(self.due, date)):
            raise ValueError(f"a {self.kind} deadline needs a date without a time")


@dataclass(frozen=True, slots=True)
class DueStatus:
    """How a deadline stands now: ``state`` for sorting and colour, ``label`` and ``marker`` for text.

    ``marker`` is "!! OVERDUE", "! TODAY" or "" so urgency is never shown by
    colour alone.
    """

    state: DueState
    label: str
    marker: str


def _short_date(d: date) -> str:
    return display_date(d, weekday=True)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _hours_minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    if hours:
        return f"{hours} h"
    return f"{mins} min"


def _status(state: DueState, label: str) -> DueStatus:
    marker = MARKER_OVERDUE if state == "overdue" else MARKER_TODAY if state == "due_today" else ""
    return DueStatus(state, label, marker)


def describe_due(
    due: Deadline,
    now: datetime | date,
    calendar: WorkingCalendar,
    *,
    soon_within: int | None = None,
) -> DueStatus:
    """Say how ``due`` stands at ``now``: e.g. "due in 2 working days", "overdue by 2 h 30 min".

    ``soon_within`` is the "due soon" window in the deadline's own unit
    (working days, days, or hours); defaults: 2 working days, 2 days, 24 h.

    Working-day deadlines:
      * a due date on a non-working day is read as the last working day
        before it, because the office cannot act on the day itself;
      * "due tomorrow" when the next working day is tomorrow, otherwise
        "due next working day (Mon 31 Aug)";
      * "overdue by N working days" counts working days after the due date up
        to and including today; when none has passed yet (the office is open
        on a Saturday) it says "overdue since Fri 28/08/2026".

    Hour deadlines are exact to the minute, rounded towards urgency (time
    left rounds down, time overdue rounds up); "due today" means due later
    on ``now``'s calendar date, in ``now``'s timezone.
    """
    kind = due.kind
    soon = _DEFAULT_SOON[kind] if soon_within is None else soon_within

    if kind == "hours":
        if not isinstance(now, datetime):
            raise ValueError("an hours deadline needs 'now' as a date and time")
        due_at: datetime = due.due  # type: ignore[assignment]  # an hours Deadline holds a datetime
        seconds = _elapsed(now, due_at).total_seconds()
        if seconds < 0:
            return _status("overdue", f"overdue by {_hours_minutes(math.ceil(-seconds / 60))}")
        if seconds == 0:
            return _status("due_today", "due now")
        minutes_left = math.floor(seconds / 60)
        label = f"due in {_hours_minutes(minutes_left)}" if minutes_left else "due in under 1 min"
        local_due = due_at.astimezone(now.tzinfo) if now.tzinfo is not None else due_at
        if local_due.date() == now.date():
            return _status("due_today", label)
        return _status("due_soon" if seconds <= soon * 3600 else "ok", label)

    today = now.date() if isinstance(now, datetime) else now
    due_day: date = due.due

    if kind == "calendar_days":
        days = (due_day - today).days
        if days < 0:
            return _status("overdue", f"overdue by {_plural(-days, 'day')}")
        if days == 0:
            return _status("due_today", "due today")
        label = "due tomorrow" if days == 1 else f"due in {days} days"
        return _status("due_soon" if days <= soon else "ok", label)

    # Working days.
    due_day = calendar._last_working_day_on_or_before(due_day)
    if due_day == today:
        return _status("due_today", "due today")
    if due_day < today:
        late = calendar.working_days_between(due_day, today)
        if late == 0:
            return _status("overdue", f"overdue since {_short_date(due_day)}")
        return _status("overdue", f"overdue by {_plural(late, 'working day')}")
    left = calendar.working_days_between(today, due_day)
    if left == 1:
        label = (
            "due tomorrow"
            if due_day == today + timedelta(days=1)
            else f"due next working day ({_short_date(due_day)})"
        )
    else:
        label = f"due in {left} working days"
    return _status("due_soon" if left <= soon else "ok", label)
