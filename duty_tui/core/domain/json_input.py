"""Checking a JSON document a command reads (``triage assess``, ``arrears assess``): the shared pieces.

Each check appends one plain-English line to ``problems`` (``loss_date: must be a date YYYY-MM-DD``)
and returns None or the default, so a caller collects every problem in one pass and raises
``ProblemsError`` (exit 2) with all of them.
"""

from __future__ import annotations

from datetime import date

from duty_tui.core.domain.errors import InputError


class ProblemsError(InputError):
    """A document that cannot be used: one plain-English line per problem, joined for the message."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), list(problems))


def strict_date(value: object, key: str, problems: list[str], *,
                years: tuple[int, int] | None = None) -> date | None:
    """A strict YYYY-MM-DD date (``date.fromisoformat`` would also take "20260309" and "2026-W11-1"),
    optionally within ``years`` (first, last); else a line in ``problems`` and None."""
    if type(value) is str and len(value) == 10 and value[4] == value[7] == "-" and value.isascii():
        y, m, d = value[:4], value[5:7], value[8:]
        if y.isdigit() and m.isdigit() and d.isdigit():
            try:
                day = date(int(y), int(m), int(d))
            except ValueError:
                problems.append(f"{key}: {value} is not a real date")
                return None
            if years is not None and not years[0] <= day.year <= years[1]:
                problems.append(f"{key}: {value} is not a year between {years[0]} and {years[1]}")
                return None
            return day
    problems.append(f"{key}: must be a date YYYY-MM-DD")
    return None


def flag(obj: dict, key: str, problems: list[str]) -> bool:
    """A true/false key that defaults to false; null is read as the default (an unknown flag cannot
    establish anything)."""
    value = obj.get(key)
    if value is None or value is False:
        return False
    if value is True:
        return True
    problems.append(f"{key}: must be true or false")
    return False


__all__ = ["ProblemsError", "flag", "strict_date"]
