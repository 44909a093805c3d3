"""Notes a rent account's statement carries about the rent year (docs/RENTS_DEBIT.md, "The 53rd week on
statements"): when the statement's period covers a day of a 53-week rent year, the ``week_53`` note of
``data/rents/statement_notes.toml`` (its words and source), once per such year. Offered to the payments
area's statements as the hook ``statement.rent_year_notes`` (payments never imports rents).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from duty_tui.areas.rents.domain.calendar import RentYear, rent_year, rent_year_of
from duty_tui.areas.rents.domain.reference import load_calendar
from duty_tui.core.config.reference import area_file, data_problem, read_toml

FILE_NAME = "statement_notes.toml"
WEEK_53 = "week_53"


def _note_text(data_dir: Path, code: str, on: date) -> tuple[str, str]:
    """(text, source) of the note ``code`` in force on ``on``."""
    path = area_file(data_dir, "rents", FILE_NAME)
    found: list[tuple[date, str, str]] = []
    for raw in read_toml(path).get("note", []):
        if raw.get("code") != code:
            continue
        start, text, source = raw.get("effective_from"), str(raw.get("text", "")), str(raw.get("source", ""))
        if not isinstance(start, date) or not text or not source:
            raise data_problem(path, "note", f"note {code!r} needs effective_from (a date), text and source",
                               fix_there=True)
        found.append((start, text, source))
    in_force = [n for n in found if n[0] <= on]
    if not in_force:
        raise data_problem(path, "note", f"no {code!r} note is in force on {on:%d/%m/%Y}", fix_there=True)
    _, text, source = max(in_force)
    return text, source


def years_covered(data_dir: Path, start: date, end: date) -> list[RentYear]:
    """The rent years holding any day from ``start`` to ``end``, oldest first."""
    rules = load_calendar(data_dir)
    years, year = [], rent_year_of(rules, start)
    while year.starts <= end:
        years.append(year)
        year = rent_year(rules, year.begins + 1)
    return years


def rent_year_notes(data_dir: Path, start: date, end: date) -> list[str]:
    """Hook ``statement.rent_year_notes``: one note (with its source) per 53-week rent year the period covers."""
    notes = []
    for year in years_covered(data_dir, start, end):
        if year.weeks == 53:
            text, source = _note_text(data_dir, WEEK_53, year.starts)
            notes.append(f"{text.format(year=year.label)} (Source: {source}.)")
    return notes


__all__ = ["FILE_NAME", "WEEK_53", "rent_year_notes", "years_covered"]
