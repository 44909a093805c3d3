"""Money is integer pence. Parsing and formatting live here, nowhere else."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# ASCII digits only: \d would also take '١٢' or '１２', which Decimal then reads as twelve.
_POUNDS = re.compile(r"^\d{1,3}(,\d{3})*(\.\d{1,2})?$|^\d+(\.\d{1,2})?$", re.ASCII)


def parse_pounds(text: str, *, limit_pence: int | None = None) -> int:
    """'£1,234.50' -> 123450. Positive, at most two decimals; ValueError says what is wrong."""
    raw = (text or "").strip()
    value = raw.removeprefix("£").strip()
    if not value:
        raise ValueError("enter an amount in pounds, e.g. 25.00")
    if value.startswith("-"):
        raise ValueError(f"amount {raw!r} is negative; enter a positive amount")
    if not _POUNDS.match(value):
        if re.match(r"^[\d,]*\.\d{3,}$", value, re.ASCII):
            raise ValueError(f"amount {raw!r} has more than two decimal places; pounds and pence only")
        raise ValueError(f"amount {raw!r} is not an amount in pounds; use digits like 25 or 1,234.50")
    try:
        pence = int((Decimal(value.replace(",", "")) * 100).to_integral_exact())
    except InvalidOperation:
        raise ValueError(f"amount {raw!r} is not an amount in pounds") from None
    if pence <= 0:
        raise ValueError("amount must be more than £0.00")
    if limit_pence is not None and pence > limit_pence:
        raise ValueError(f"amount {format_pence(pence)} is over the limit of {format_pence(limit_pence)}")
    return pence


def format_pence(pence: int) -> str:
    """123450 -> '£1,234.50'; -500 -> '-£5.00'."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def format_balance(pence: int) -> str:
    """A balance as staff read it: '£152.50 arrears', '£20.00 in credit', '£0.00'."""
    if pence > 0:
        return f"{format_pence(pence)} arrears"
    if pence < 0:
        return f"{format_pence(-pence)} in credit"
    return "£0.00"
