"""Direct debit mandates: what a mandate may hold, when it collects, and which transaction code a
collection carries (docs/RENTS_DIRECT_DEBIT.md). Pure: dates are arguments.

Bacs rules: the reference is 6–18 characters of the Bacs character set and does not begin "DDIC"
(kept for indemnity claims); a name is at most 18 characters; collection codes are 01 first, 17
regular, 18 re-presented, 19 final; ARUDD and ADDACS reason codes as DOMAIN.md lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from duty_tui.areas.payments.domain.bacs_calendar import collection_date
from duty_tui.core.domain.clocks import add_months

__all__ = ["ADDACS_REASONS", "ARUDD_REASONS", "MandateInput", "clean_bacs_text", "collections_on", "check_mandate",
           "transaction_code", "wanted_dates"]

# The Bacs character set: capitals, digits, space and . & / -
_BACS_TEXT = re.compile(r"[A-Z0-9 .&/-]*")

ARUDD_REASONS = {
    "0": "refer to payer", "1": "instruction cancelled", "2": "payer deceased", "3": "account transferred",
    "4": "advance notice disputed", "5": "no account", "6": "no instruction", "7": "amount differs",
    "8": "amount not yet due",
}
"""ARUDD unpaid reason codes (DOMAIN.md)."""

ADDACS_REASONS = {
    "0": "cancelled by bank", "1": "cancelled by payer", "2": "payer deceased",
    "3": "transferred (suspended until a new instruction)", "B": "account closed",
    "C": "transferred with new details", "D": "advance notice disputed (stopped until resolved)",
    "E": "instruction amended",
}
"""ADDACS amendment and cancellation reason codes (DOMAIN.md)."""


def clean_bacs_text(label: str, text: str | None, *, low: int, high: int) -> str:
    """Upper-cased, single-spaced Bacs text of ``low``–``high`` characters, or ValueError naming the fix."""
    value = " ".join((text or "").upper().split())
    if not _BACS_TEXT.fullmatch(value):
        bad = sorted({ch for ch in value if not _BACS_TEXT.fullmatch(ch)})
        raise ValueError(f"{label}: Bacs takes only letters, digits, spaces and . & / - (remove {' '.join(bad)})")
    if not low <= len(value) <= high:
        raise ValueError(f"{label}: {len(value)} characters; Bacs needs {low} to {high}")
    return value


@dataclass(frozen=True, slots=True)
class MandateInput:
    """What staff type for a mandate (amounts in pence; the bank details are checked separately)."""

    reference: str
    payer_name: str
    collection_day: int
    basis: str  # charges, fixed
    amount_pence: int
    top_up_pence: int = 0


def check_mandate(form: MandateInput) -> tuple[MandateInput, list[str]]:
    """The mandate cleaned, and one problem per wrong field (each naming the fix)."""
    problems: list[str] = []
    reference, payer = form.reference, form.payer_name
    try:
        reference = clean_bacs_text("reference", form.reference, low=6, high=18)
        if reference.startswith("DDIC"):
            problems.append("reference: must not begin DDIC (Bacs keeps that for indemnity claims); choose another")
    except ValueError as exc:
        problems.append(str(exc))
    try:
        payer = clean_bacs_text("payer name", form.payer_name, low=1, high=18)
    except ValueError as exc:
        problems.append(str(exc))
    if not 1 <= form.collection_day <= 28:
        problems.append("collection day: choose a day of the month from 1 to 28 (every month has it)")
    if form.basis not in ("charges", "fixed"):
        problems.append("amount: choose 'charges' (the account's charges) or 'fixed'")
    if form.amount_pence <= 0:
        problems.append("amount: enter more than £0.00")
    if form.top_up_pence < 0:
        problems.append("arrears top-up: enter £0.00 or more")
    return MandateInput(reference, payer, form.collection_day, form.basis, form.amount_pence, form.top_up_pence), problems


def wanted_dates(collection_day: int, start: date, end: date) -> list[date]:
    """The days of the month ``collection_day`` from ``start`` to ``end`` inclusive."""
    out: list[date] = []
    month = date(start.year, start.month, 1)
    while month <= end:
        wanted = month.replace(day=collection_day)
        if start <= wanted <= end:
            out.append(wanted)
        month = add_months(month, 1)
    return out


def collections_on(collection_day: int, first_collection: date, on: date) -> date | None:
    """The wanted date whose collection falls on Bacs day ``on`` (moved past weekends and holidays), if any."""
    for wanted in wanted_dates(collection_day, add_months(on, -1), on):
        if wanted >= first_collection and collection_date(wanted) == on:
            return wanted
    if first_collection <= on and collection_date(first_collection) == on:
        return first_collection
    return None


def transaction_code(*, collected_before: bool, represented: bool, final: bool) -> str:
    """01 first, 17 regular, 18 re-presented, 19 final."""
    if represented:
        return "18"
    if final:
        return "19"
    return "17" if collected_before else "01"
