"""The rents area's reference data: the rent calendar and the charge types (``data/rents/*.toml``).

Loaded once per data folder and checked; a mistake names the file and line (``data_problem``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from duty_tui.areas.rents.domain.calendar import WEEKDAYS, CalendarRule
from duty_tui.core.config.reference import area_file, data_problem, read_toml

PER = ("property", "tenancy")


@dataclass(frozen=True)
class ChargeType:
    """One kind of charge (basic rent, heating, TV licence …)."""

    code: str
    words: str
    per: str
    """"property" or "tenancy"."""
    hb_eligible: bool


@functools.cache
def load_calendar(data_dir: Path) -> tuple[CalendarRule, ...]:
    """The calendar's rules from ``data/rents/calendar.toml``, checked."""
    path = area_file(data_dir, "rents", "calendar.toml")
    rules: list[CalendarRule] = []
    for raw in read_toml(path).get("rule", []):
        start = str(raw.get("starts_on_or_after", ""))
        try:
            month, day = (int(part) for part in start.split("-"))
            date(2024, month, day)
        except ValueError:
            raise data_problem(path, "starts_on_or_after", f"starts_on_or_after {start!r} is not MM-DD",
                               fix_there=True) from None
        weekday = str(raw.get("charge_day", "monday")).lower()
        if weekday not in WEEKDAYS:
            raise data_problem(path, "charge_day", f"charge_day {weekday!r} is not a day of the week", fix_there=True)
        effective = raw.get("effective_from")
        if not isinstance(effective, date) or not raw.get("source"):
            raise data_problem(path, "[[rule]]", "each rule needs effective_from (a date) and source", fix_there=True)
        free: dict[int, tuple[int, ...]] = {}
        for year, weeks in dict(raw.get("free_weeks", {})).items():
            if not str(year).isdigit() or not isinstance(weeks, list) or not all(
                    isinstance(w, int) and 1 <= w <= 53 for w in weeks):
                raise data_problem(path, "free_weeks", f"free_weeks for {year!r} must be a list of week numbers "
                                   "1-53 under a four-digit year", fix_there=True)
            free[int(year)] = tuple(weeks)
        rules.append(CalendarRule(effective_from=effective, source=str(raw["source"]), start_month=month,
                                  start_day=day, charge_day=WEEKDAYS.index(weekday), free_weeks=free))
    if not rules:
        raise data_problem(path, "[[rule]]", "no [[rule]]: the calendar needs at least one", fix_there=True)
    return tuple(rules)


@functools.cache
def load_charge_types(data_dir: Path) -> dict[str, ChargeType]:
    """Charge types by code, in the file's order, from ``data/rents/charge_types.toml``."""
    path = area_file(data_dir, "rents", "charge_types.toml")
    found: dict[str, ChargeType] = {}
    for raw in read_toml(path).get("type", []):
        code = str(raw.get("code", ""))
        if not code or not code.replace("_", "").isalnum() or len(code) > 24:
            raise data_problem(path, f'"{code}"', f"charge type code {code!r} must be letters, digits and _ "
                               "(at most 24)", fix_there=True)
        if code in found:
            raise data_problem(path, f'"{code}"', f"charge type {code!r} appears twice", fix_there=True)
        if raw.get("per") not in PER:
            raise data_problem(path, f'"{code}"', f"charge type {code!r}: per must be one of {', '.join(PER)}",
                               fix_there=True)
        found[code] = ChargeType(code=code, words=str(raw.get("words") or code), per=str(raw["per"]),
                                 hb_eligible=bool(raw.get("hb_eligible", False)))
    if "basic_rent" not in found:
        raise data_problem(path, "[[type]]", "charge type basic_rent is missing; the debit run needs it",
                           fix_there=True)
    return found
