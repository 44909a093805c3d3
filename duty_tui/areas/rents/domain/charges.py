"""Charge arithmetic (docs/RENTS_DEBIT.md): the weekly equivalent and charging by the day. Pure.

Money is integer pence; every division rounds half up to the penny (0.5p goes up), as a rents
system's weekly figures do.
"""

from __future__ import annotations

from datetime import date, timedelta

FREQUENCIES = ("weekly", "fortnightly", "four_weekly", "monthly")
PER_YEAR = {"weekly": (1, 1), "fortnightly": (1, 2), "four_weekly": (1, 4), "monthly": (12, 52)}
"""frequency -> (multiply, divide): the weekly equivalent is amount × multiply ÷ divide."""


def half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator to the nearest whole number, halves rounded up (away from zero)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def weekly_equivalent(amount_pence: int, frequency: str) -> int:
    """A charge's weekly figure: monthly × 12 ÷ 52, four-weekly ÷ 4, fortnightly ÷ 2, weekly as it is."""
    multiply, divide = PER_YEAR[frequency]
    return half_up(amount_pence * multiply, divide)


def monthly_collection(weekly_pence: int) -> int:
    """What a monthly collection of a weekly charge takes: weekly × 52 ÷ 12, half up (a direct debit is
    collected monthly, DOMAIN.md "Direct debit"; over a 52-week year twelve collections pay it)."""
    return half_up(weekly_pence * 52, 12)


def days_overlapping(week_start: date, first: date | None, last: date | None) -> int:
    """How many days of the week beginning ``week_start`` fall within ``first``..``last`` (inclusive; None: open)."""
    week_end = week_start + timedelta(days=6)
    lo = max(week_start, first) if first else week_start
    hi = min(week_end, last) if last else week_end
    return max(0, (hi - lo).days + 1)


def charge_for_days(weekly_pence: int, days: int) -> int:
    """A week's charge for ``days`` of its seven: weekly ÷ 7 × days, half up (the whole week: weekly exactly)."""
    if days >= 7:
        return weekly_pence
    return half_up(weekly_pence * days, 7)
