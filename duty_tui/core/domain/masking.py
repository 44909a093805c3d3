"""How personal details are shown to roles that may not see them in full."""

from __future__ import annotations

import re
from datetime import date

_NI_SHAPE = re.compile(r"[A-Z]{2}[0-9]{6}[A-Z]")


def mask_date_of_birth(born: date | None) -> str:
    """Only the year: enough to tell two people apart, not enough to pass a security check."""
    return f"**/**/{born.year}" if born else "—"


def mask_ni_number(ni: str | None) -> str:
    """'AB123456C' (or 'ab 12 34 56 c' as typed) -> 'AB ** ** *6 C'; anything else is masked whole."""
    key = re.sub(r"[\s-]", "", ni or "").upper()
    if not key:
        return "—"
    if not _NI_SHAPE.fullmatch(key):
        # Not an NI number's shape, so we cannot tell which characters are safe to show.
        return "** ** ** ** *"
    return f"{key[:2]} ** ** *{key[7]} {key[8]}"


def mask_phone(phone: str | None) -> str:
    """Last three digits only: '01793 123456' -> '••••••••456'."""
    if not phone:
        return "—"
    digits = [c for c in phone if c.isdigit()]
    return "•" * max(len(digits) - 3, 0) + "".join(digits[-3:])


def mask_email(email: str | None) -> str:
    """The first character of the name and the whole domain: 'jane.smith@example.org' -> 'j***@example.org'."""
    if not email:
        return "—"
    name, at, domain = email.rpartition("@")
    if not at or not name:
        return "***"
    return f"{name[0]}***@{domain}"


def age_on(born: date | None, today: date) -> int | None:
    """Age in whole years on ``today``."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
