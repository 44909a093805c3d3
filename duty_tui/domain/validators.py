"""Validators for what staff type and what files carry. Each returns a clean value
or raises ValueError with plain English that says what to fix.

The TUI wraps these in textual.validation validators; the CLI and importers call
them directly, so every face of duty-tui agrees.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from duty_tui.domain.search_keys import phone_key, postcode_key

# Royal Mail postcode shape: outward code (area + district) then inward code (sector + unit).
# The letter after the district digit depends on the shape: A9A takes A-H J K P S T U W, AA9A takes
# A B E H M N P R V W X Y (so 'S1N 2AB', a slip for SN1 2AB, is refused).
_POSTCODE = re.compile(
    r"^(GIR0AA|(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y])[0-9][ABD-HJLNP-UW-Z]{2})$"
)
# NI number (HMRC NIM39110): two prefix letters, six digits, suffix A-D.
_NINO = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")


def clean_postcode(text: str) -> str:
    """'sn12ab' -> 'SN1 2AB'; raises ValueError for anything that is not a UK postcode."""
    key = postcode_key(text)
    if not key:
        raise ValueError("enter a postcode, e.g. SN1 2AB")
    if not _POSTCODE.match(key):
        raise ValueError(f"{text.strip()!r} is not a UK postcode; it should look like SN1 2AB or M1 1AE")
    return f"{key[:-3]} {key[-3:]}"


def clean_ni_number(text: str) -> str:
    """'ab 12 34 56 c' -> 'AB123456C'; raises ValueError when not a valid NI number."""
    key = re.sub(r"\s", "", text or "").upper()
    if not _NINO.match(key):
        raise ValueError(
            f"{text.strip()!r} is not a National Insurance number; it is two letters, six digits "
            "and A, B, C or D, e.g. AB 12 34 56 C"
        )
    return key


def clean_phone(text: str) -> str:
    """A UK phone number in national digits ('07700 900123' -> '07700900123')."""
    key = phone_key(text)
    if not key:
        raise ValueError("enter a phone number, e.g. 01793 123456 or 07700 900123")
    if not key.startswith("0") or len(key) not in (10, 11):
        raise ValueError(
            f"{text.strip()!r} is not a UK phone number; use 10 or 11 digits starting 0, e.g. 01793 123456"
        )
    return key


def parse_date(text: str) -> date:
    """Accept YYYY-MM-DD or DD/MM/YYYY; raises ValueError naming both forms."""
    value = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-03-09 or 09/03/2026")


def parse_date_of_birth(text: str, today: date) -> date:
    """A date of birth: a real date, not in the future, and not over 120 years ago."""
    born = parse_date(text)
    if born > today:
        raise ValueError("date of birth is in the future; check the year")
    if today.year - born.year > 120:
        raise ValueError("date of birth is more than 120 years ago; check the year")
    return born
