"""Money is integer pence. Parsing and formatting live here, nowhere else."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# ASCII digits only: \d would also take '١٢' or '１２', which Decimal then reads as twelve.
_POUNDS = re.compile(r"^\d{1,3}(,\d{3})*(\.\d{1,2})?$|^\d+(\.\d{1,2})?$", re.ASCII)

MAX_PENCE = 10**14
"""No amount is over £1,000,000,000,000.00: a longer number is a slip (or a hostile file), and would
overflow the database's 64-bit integers (or Python's 4,300-digit int parsing) before anyone noticed."""


def _quote(raw: str, limit: int = 40) -> str:
    """What was typed, quoted for a message: repr (controls escaped), cut to ``limit`` characters."""
    return repr(raw[:limit] + "…") if len(raw) > limit else repr(raw)


def parse_pounds(text: str, *, limit_pence: int | None = None) -> int:
    """'£1,234.50' -> 123450. Positive, at most two decimals; ValueError says what is wrong."""
    raw = (text or "").strip()
    value = raw.removeprefix("£").strip()
    if not value:
        raise ValueError("enter an amount in pounds, e.g. 25.00")
    if value.startswith("-"):
        raise ValueError(f"amount {_quote(raw)} is negative; enter a positive amount")
    if not _POUNDS.match(value):
        if re.match(r"^[\d,]*\.\d{3,}$", value, re.ASCII):
            raise ValueError(f"amount {_quote(raw)} has more than two decimal places; pounds and pence only")
        raise ValueError(f"amount {_quote(raw)} is not an amount in pounds; use digits like 25 or 1,234.50")
    if len(value.split(".")[0].replace(",", "").lstrip("0")) > len(str(MAX_PENCE // 100)):
        raise ValueError(f"amount {_quote(raw)} is over {format_pence(MAX_PENCE)}; check the digits")
    try:
        pence = int((Decimal(value.replace(",", "")) * 100).to_integral_exact())
    except InvalidOperation:
        raise ValueError(f"amount {_quote(raw)} is not an amount in pounds") from None
    if pence <= 0:
        raise ValueError("amount must be more than £0.00")
    if pence > MAX_PENCE:
        raise ValueError(f"amount {_quote(raw)} is over {format_pence(MAX_PENCE)}; check the digits")
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
