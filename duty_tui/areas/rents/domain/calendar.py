"""The rent calendar (docs/RENTS_DEBIT.md): rent years, rent weeks, 53-week years and free weeks.

Pure: the rules come in as ``CalendarRule`` values (``domain/reference.py`` reads them from
``data/rents/calendar.toml``); the date is always an argument. A rent year begins on the first
charge day on or after its start date (default the first Monday on or after 1 April) and ends the
day before the next year begins, so it holds 52 rent weeks, or 53 when it has 53 charge days.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class CalendarRule:
    """How rent years are laid out from ``effective_from`` on (one ``[[rule]]`` of the data file)."""

    effective_from: date
    source: str
    start_month: int = 4
    start_day: int = 1
    charge_day: int = 0
    """0 = Monday … 6 = Sunday."""
    free_weeks: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Rent year (the calendar year it begins in) -> its rent-free week numbers."""


@dataclass(frozen=True)
class RentYear:
    """One rent year: its first and last day, its weeks and which of them are rent-free."""

    begins: int
    starts: date
    ends: date
    free_weeks: tuple[int, ...]

    @property
    def label(self) -> str:
        """'2024/25'."""
        return f"{self.begins}/{(self.begins + 1) % 100:02d}"

    @property
    def weeks(self) -> int:
        return ((self.ends - self.starts).days + 1) // 7

    @property
    def charged_weeks(self) -> int:
        return self.weeks - len(self.free_weeks)

    def week_start(self, number: int) -> date:
        """The first day of rent week ``number`` (1-based)."""
        return self.starts + WEEK * (number - 1)

    def week_number(self, day: date) -> int:
        """The rent week holding ``day`` (which must be in this year)."""
        return (day - self.starts).days // 7 + 1

    def is_free(self, week_start: date) -> bool:
        return self.week_number(week_start) in self.free_weeks

    def as_json(self) -> dict:
        """The contract's object (docs/CLI.md `duty-tui rent calendar`)."""
        return {"year": self.label, "starts": self.starts.isoformat(), "ends": self.ends.isoformat(),
                "weeks": self.weeks, "charged_weeks": self.charged_weeks, "free_weeks": list(self.free_weeks)}


@dataclass(frozen=True)
class RentWeek:
    """One rent week: its first day, its number in its rent year, and whether it is rent-free."""

    start: date
    year: str
    number: int
    free: bool


def rule_for(rules: Sequence[CalendarRule], begins: int) -> CalendarRule:
    """The rule in force on 1 April of the year ``begins`` (the earliest rule when none is yet)."""
    in_force = [r for r in rules if r.effective_from <= date(begins, 4, 1)]
    return max(in_force, key=lambda r: r.effective_from) if in_force else min(rules, key=lambda r: r.effective_from)


def first_charge_day(rule: CalendarRule, begins: int) -> date:
    """The first charge day on or after the rule's start date in year ``begins``."""
    start = date(begins, rule.start_month, rule.start_day)
    return start + timedelta(days=(rule.charge_day - start.weekday()) % 7)


def rent_year(rules: Sequence[CalendarRule], begins: int) -> RentYear:
    """The rent year that begins in calendar year ``begins``."""
    rule = rule_for(rules, begins)
    starts = first_charge_day(rule, begins)
    ends = first_charge_day(rule_for(rules, begins + 1), begins + 1) - timedelta(days=1)
    weeks = ((ends - starts).days + 1) // 7
    free = tuple(sorted(n for n in set(rule.free_weeks.get(begins, ())) if 1 <= n <= weeks))
    return RentYear(begins=begins, starts=starts, ends=ends, free_weeks=free)


def rent_year_of(rules: Sequence[CalendarRule], day: date) -> RentYear:
    """The rent year holding ``day``."""
    year = rent_year(rules, day.year)
    return year if day >= year.starts else rent_year(rules, day.year - 1)


def week_containing(rules: Sequence[CalendarRule], day: date) -> RentWeek:
    """The rent week holding ``day``."""
    year = rent_year_of(rules, day)
    number = year.week_number(day)
    return RentWeek(start=year.week_start(number), year=year.label, number=number, free=number in year.free_weeks)


def weeks_between(rules: Sequence[CalendarRule], first: date, through: date) -> Iterator[RentWeek]:
    """Every rent week from the one holding ``first`` to the last starting on or before ``through``."""
    year = rent_year_of(rules, first)
    number = year.week_number(first)
    while True:
        start = year.week_start(number)
        if start > through:
            return
        if start > year.ends:
            year, number = rent_year(rules, year.begins + 1), 1
            continue
        yield RentWeek(start=start, year=year.label, number=number, free=number in year.free_weeks)
        number += 1
