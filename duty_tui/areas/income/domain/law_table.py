"""The law's periods as dated data: ``data/income/law.toml`` read, checked, and asked "which applies on this day".

Periods that regulation has changed (the coronavirus years changed notice periods three times) or
could change are kept as data, each with the date it takes effect and its source, so a council adds
a new period without a release. A mistake in the file stops with one message naming the file and line.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import EnvironmentProblem

FILE_NAME = "law.toml"
RULES = ("notice_minimum", "notice_lapse", "review_window", "hearing_not_before", "hearing_standard_by",
         "serve_before_hearing")
JURISDICTIONS = ("england", "scotland")


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; a day the month lacks becomes its last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Period:
    """One length of time the law sets, in days or calendar months, from a date, with its source."""

    rule: str
    jurisdiction: str
    effective_from: date
    source: str
    days: int = 0
    months: int = 0
    note: str = ""

    def after(self, day: date) -> date:
        """``day`` plus this period."""
        return add_months(day, self.months) if self.months else day + timedelta(days=self.days)

    def before(self, day: date) -> date:
        """``day`` less this period."""
        return add_months(day, -self.months) if self.months else day - timedelta(days=self.days)

    @property
    def words(self) -> str:
        """'28 days', '12 months'."""
        amount, unit = (self.months, "month") if self.months else (self.days, "day")
        return f"{amount} {unit}{'' if amount == 1 else 's'}"


class LawNotHeld(Exception):
    """No entry of the table covers the day asked about (raised with the plain-English reason)."""


@dataclass(frozen=True)
class LawTable:
    """Every dated period, by (rule, jurisdiction), latest first."""

    periods: dict[tuple[str, str], tuple[Period, ...]]
    path: str = "data/income/law.toml"

    def holds(self, rule: str, jurisdiction: str) -> bool:
        """The table has the rule for the jurisdiction at all (some rules are not law there)."""
        return bool(self.periods.get((rule, jurisdiction)))

    def on(self, rule: str, jurisdiction: str, day: date) -> Period:
        """The period in force on ``day``; LawNotHeld when the table starts after it (or lacks the rule)."""
        entries = self.periods.get((rule, jurisdiction), ())
        for entry in entries:
            if entry.effective_from <= day:
                return entry
        if not entries:
            raise LawNotHeld(f"{self.path} holds no {rule} period for {jurisdiction.title()}")
        first = entries[-1]
        raise LawNotHeld(f"{day.isoformat()} is too early: {self.path} holds {jurisdiction.title()}'s {rule} only "
                         f"from {first.effective_from.isoformat()}; assess this by hand, or add the period in force "
                         "then (docs/INCOME.md)")


_problem = data_problem


def _period(path: Path, index: int, entry: object) -> Period:
    where = "[[period]]"
    if not isinstance(entry, dict):
        raise _problem(path, where, f"period {index + 1}: must be a table of keys")
    rule, jurisdiction = entry.get("rule"), entry.get("jurisdiction")
    if rule not in RULES:
        raise _problem(path, f'"{rule}"', f"period {index + 1}: rule {rule!r} is not one of {', '.join(RULES)}")
    if jurisdiction not in JURISDICTIONS:
        raise _problem(path, f'"{jurisdiction}"', f"period {index + 1}: jurisdiction must be england or scotland")
    effective, source = entry.get("effective_from"), entry.get("source")
    if not isinstance(effective, date) or isinstance(effective, datetime):
        raise _problem(path, f'"{rule}"', f"period {index + 1} ({rule}): give effective_from = YYYY-MM-DD "
                                          "(a date, unquoted)")
    if not isinstance(source, str) or not source.strip():
        raise _problem(path, f'"{rule}"', f"period {index + 1} ({rule}): give source = \"the Act, section or rule\"")
    days, months = entry.get("days", 0), entry.get("months", 0)
    lengths = [v for v in (days, months) if v]
    if (len(lengths) != 1 or any(type(v) is not int for v in (days, months))
            or any(v < 0 or v > 3660 for v in (days, months))):
        raise _problem(path, f'"{rule}"', f"period {index + 1} ({rule}): give either days = N or months = N, "
                                          "a whole number above 0")
    unknown = sorted(set(entry) - {"rule", "jurisdiction", "effective_from", "source", "days", "months", "note"})
    if unknown:
        raise _problem(path, unknown[0], f"period {index + 1} ({rule}): unknown key {unknown[0]!r}")
    return Period(rule, jurisdiction, effective, source.strip(), days, months, str(entry.get("note", "")))


def load_law_file(path: Path) -> LawTable:
    """Read and check one law file (no caching: tests and ``load_law`` use it)."""
    raw = read_toml(path)
    entries = raw.get("period")
    if not isinstance(entries, list) or not entries:
        raise EnvironmentProblem(f"{path}:1: expected one or more [[period]] entries")
    unknown = sorted(set(raw) - {"period"})
    if unknown:
        raise _problem(path, unknown[0], f"unknown key {unknown[0]!r}; every period is a [[period]] entry")
    grouped: dict[tuple[str, str], list[Period]] = {}
    for index, entry in enumerate(entries):
        period = _period(path, index, entry)
        same = grouped.setdefault((period.rule, period.jurisdiction), [])
        if any(p.effective_from == period.effective_from for p in same):
            raise _problem(path, period.effective_from.isoformat(),
                           f"{period.rule} for {period.jurisdiction} has two entries from {period.effective_from}")
        same.append(period)
    if ("notice_minimum", "england") not in grouped:
        raise EnvironmentProblem(f"{path}:1: a notice_minimum period for england is required")
    return LawTable({key: tuple(sorted(value, key=lambda p: p.effective_from, reverse=True))
                     for key, value in grouped.items()}, path=str(path))


@functools.cache
def load_law(data_dir: Path) -> LawTable:
    """The law table of a data folder (cached per folder)."""
    return load_law_file(area_file(Path(data_dir), "income", FILE_NAME))
