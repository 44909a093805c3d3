"""A reporting period (from, to, both inclusive): typed on the command line or in a screen, checked the
same way everywhere — both days given, real dates, in order — with one line per problem naming the fix."""

from __future__ import annotations

from datetime import date

from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.validators import parse_date


def check_period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The period, both days given and in order; else an InputError with one line per problem."""
    problems = []
    if date_from is None:
        problems.append("from: give the period's first day (DD/MM/YYYY)")
    if date_to is None:
        problems.append("to: give the period's last day (DD/MM/YYYY)")
    if date_from is not None and date_to is not None and date_to < date_from:
        problems.append(f"to: {date_to:%d/%m/%Y} is before from ({date_from:%d/%m/%Y}); swap the dates")
    if problems or date_from is None or date_to is None:
        raise InputError(problems[0], problems=problems)
    return date_from, date_to


def read_period(date_from: str, date_to: str, problems: list[str],
                names: tuple[str, str] = ("--from", "--to")) -> tuple[date | None, date | None]:
    """Two typed days (YYYY-MM-DD or DD/MM/YYYY) parsed and in order; each problem added to ``problems``,
    named as the user typed it (``names``: the options or the boxes)."""
    days: list[date | None] = []
    for value, name in zip((date_from, date_to), names, strict=True):
        try:
            days.append(parse_date(value))
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            days.append(None)
    start, end = days
    if start is not None and end is not None and end < start:
        problems.append(f"{names[1]}: {end:%d/%m/%Y} is before {names[0]} ({start:%d/%m/%Y}); swap the dates")
    return start, end


__all__ = ["check_period", "read_period"]
