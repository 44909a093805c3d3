"""How personal details are shown to roles that may not see them in full."""

from __future__ import annotations

from datetime import date


def mask_date_of_birth(born: date | None) -> str:
    """Only the year: enough to tell two people apart, not enough to pass a security check."""
    return f"**/**/{born.year}" if born else "—"


def mask_ni_number(ni: str | None) -> str:
    """'AB123456C' -> 'AB ** ** *6 C'."""
    if not ni:
        return "—"
    return f"{ni[:2]} ** ** *{ni[7:8]} {ni[8:]}"


def mask_phone(phone: str | None) -> str:
    """Last three digits only: '01793 123456' -> '••••••••456'."""
    if not phone:
        return "—"
    digits = [c for c in phone if c.isdigit()]
    return "•" * max(len(digits) - 3, 0) + "".join(digits[-3:])


def age_on(born: date | None, today: date) -> int | None:
    """Age in whole years on ``today``."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
