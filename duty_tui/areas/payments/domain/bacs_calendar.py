"""Bacs working days and the direct debit advance-notice date (docs/RENTS_DIRECT_DEBIT.md).

Pure: dates are arguments. A Bacs working day is Monday to Friday except the England and Wales
bank holidays (Bacs follows the England and Wales calendar wherever the payer lives), taken from
the ``holidays`` package through core's ``WorkingCalendar``.

The Direct Debit Guarantee: the payer is told the amount and date at least 10 working days before
the first collection and before any change of amount, date or frequency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from duty_tui.core.domain.clocks import WorkingCalendar

__all__ = ["ADVANCE_NOTICE_WORKING_DAYS", "AMENDMENT_WORKING_DAYS", "NoticeDates", "bacs_calendar",
           "collection_date", "is_bacs_working_day", "notice_by", "working_days_before", "act_by"]

ADVANCE_NOTICE_WORKING_DAYS = 10
"""Direct Debit Guarantee: advance notice at least this many working days before a collection."""

AMENDMENT_WORKING_DAYS = 3
"""ADDACS: an amendment or cancellation is acted on within this many working days of its date."""


@cache
def bacs_calendar() -> WorkingCalendar:
    """The calendar Bacs runs to: weekdays less England and Wales bank holidays."""
    return WorkingCalendar("england")


def is_bacs_working_day(day: date) -> bool:
    """True when Bacs processes on ``day`` (a weekday that is not an England and Wales bank holiday)."""
    return bacs_calendar().is_working_day(day)


def collection_date(wanted: date) -> date:
    """The collection date for a collection wanted on ``wanted``: itself, or the next Bacs working day."""
    return bacs_calendar().add_working_days(wanted, 0)


def working_days_before(day: date, n: int) -> date:
    """The Bacs working day ``n`` working days before ``day``, counting back one working day at a time."""
    if n < 0:
        raise ValueError(f"working_days_before needs n >= 0, got {n}")
    found = day
    counted = 0
    while counted < n:
        found -= timedelta(days=1)
        if is_bacs_working_day(found):
            counted += 1
    return found


def act_by(received: date) -> date:
    """The last day to apply an ADDACS amendment dated ``received``: 3 Bacs working days after it."""
    return bacs_calendar().add_working_days(received, AMENDMENT_WORKING_DAYS)


@dataclass(frozen=True, slots=True)
class NoticeDates:
    """When a collection wanted on a date is taken, and the last day its advance notice may go."""

    wanted: date
    collection: date
    notice_by: date

    def as_json(self) -> dict[str, str]:
        """The `dd notice-by --json` object (docs/CLI.md)."""
        return {"collection": self.collection.isoformat(), "notice_by": self.notice_by.isoformat()}


def notice_by(wanted: date) -> NoticeDates:
    """`dd notice-by`: the collection date and the last day the advance notice may be sent (10 working days before)."""
    collection = collection_date(wanted)
    return NoticeDates(wanted, collection, working_days_before(collection, ADVANCE_NOTICE_WORKING_DAYS))
