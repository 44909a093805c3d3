"""Card data that must never be stored (PCI DSS requirement 3): a full card number or a security code.

Every free-text field in every area is checked with these (the form kit's NoCardDataValidator, the
payment services), so the rule lives in the core.
"""

from __future__ import annotations

import re

# Never store a full card number or a card security code (PCI DSS requirement 3).

_DIGIT_RUN = re.compile(r"\d(?:[ \-.]?\d)*")
_SECURITY_WORDS = re.compile(
    r"\b(cvv2?|cvc2?|cv2|cvn|csc|cid|security\s*(code|number|no)|sec\.?\s*code|3\s*digits?\s*on\s*the\s*back)\b",
    re.IGNORECASE,
)
CARD_NUMBER_REFUSAL = (
    "looks like a full card number; never type or paste card numbers into duty-tui "
    "(PCI DSS): record only the terminal or gateway reference and at most the last four digits"
)
SECURITY_CODE_REFUSAL = (
    "looks like a card security code (CVV/CVC); it must never be recorded anywhere (PCI DSS)"
)


def luhn_ok(digits: str) -> bool:
    """True when a string of digits passes the Luhn (mod 10) check card numbers use."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def contains_card_number(text: str | None) -> bool:
    """True when ``text`` holds 13 to 19 digits in a row (spaces or dashes allowed) that pass Luhn."""
    if not text:
        return False
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return True
    return False


def mentions_security_code(text: str | None) -> bool:
    """True when ``text`` names a card security code (CVV, CVC, 'security code', ...)."""
    return text is not None and _SECURITY_WORDS.search(text) is not None


def check_no_card_data(label: str, text: str | None) -> None:
    """Refuse any field that holds a full card number or a security code; ValueError says why."""
    if contains_card_number(text):
        raise ValueError(f"{label} {CARD_NUMBER_REFUSAL}")
    if mentions_security_code(text):
        raise ValueError(f"{label} {SECURITY_CODE_REFUSAL}")
