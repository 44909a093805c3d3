"""Timestamps are stored as aware UTC; staff think in UK wall-clock time.

Every office in the UK (England, Wales, Scotland, Northern Ireland) keeps
Europe/London time, so "today", "due today" and the day a clock starts are
all judged in that zone, including across the clock changes in March and October.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def to_local(moment: datetime) -> datetime:
    """The UK wall-clock time of an aware (or naive-UTC) moment."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK)


def local_date(moment: datetime) -> date:
    """The UK calendar date of a moment."""
    return to_local(moment).date()


def start_of_local_day(day: date) -> datetime:
    """The aware moment UK midnight begins ``day``."""
    return datetime.combine(day, time.min, tzinfo=UK)


def end_of_local_day(day: date) -> datetime:
    """The last aware moment of UK ``day``."""
    return datetime.combine(day, time.max, tzinfo=UK)


def format_local(moment: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A moment as staff read it, in UK time."""
    return to_local(moment).strftime(fmt) if moment else "—"


def display_date(value: date | datetime | None, *, weekday: bool = False, hours: bool = False) -> str:
    """A date as a person reads it, the UK way: ``03/12/2026``; ``Thu 03/12/2026`` with the weekday;
    ``Thu 03/12/2026 14:05`` with ``hours`` (a moment, in UK time). "—" when there is none.

    The one format for dates on screens, toasts and messages. Machine outputs (CLI ``--json``,
    CSV, file names) keep ISO 8601 (docs/CLI.md) and do not use this.
    """
    if value is None:
        return "—"
    if isinstance(value, datetime):
        moment = to_local(value)
        day = moment.date()
    else:
        moment, day = None, value
    text = f"{day:%d/%m/%Y}"
    if weekday:
        text = f"{day:%a} {text}"
    if hours and moment is not None:
        text += f" {moment:%H:%M}"
    return text
