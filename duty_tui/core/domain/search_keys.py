"""Keys that make people findable fast and forgivingly, on SQLite and PostgreSQL alike.

Names are stored with a folded key (for prefix search through an ordinary
index) and a sound key (for misspellings: "Smyth" finds "Smith", "Jonson"
finds "Johnson"). Postcodes and phone numbers get canonical keys so that
"sn12ab", "SN1 2AB" and "sn1  2ab" are the same search.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALPHA = re.compile(r"[^a-z]")
_NON_DIGIT = re.compile(r"\D")
_POSTCODE_CHARS = re.compile(r"[^A-Z0-9]")

# Soundex digit classes (Russell/Odell, as used by the US census and most registers).
_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def fold(text: str) -> str:
    """Lower-case ASCII letters only: 'O'Brien-Smith' -> 'obriensmith', 'Zoë' -> 'zoe'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALPHA.sub("", ascii_only)


def sound(text: str) -> str:
    """A Soundex-style key of the folded name ('' for an empty name).

    Prefixes that staff and callers often drop or misspell (Mc/Mac, O') are
    normalised first so 'McDonald' and 'Macdonald' share a key.
    """
    word = fold(text)
    if not word:
        return ""
    if word.startswith("mac"):
        word = "mc" + word[3:]
    first = word[0]
    digits: list[str] = []
    previous = _SOUNDEX_CODES.get(first, "")
    for char in word[1:]:
        code = _SOUNDEX_CODES.get(char, "")
        if code and code != previous:
            digits.append(code)
        if char not in "hw":  # h and w do not separate equal codes
            previous = code
        if len(digits) == 3:
            break
    return (first.upper() + "".join(digits)).ljust(4, "0")


def postcode_key(text: str) -> str:
    """Upper-case alphanumerics of a postcode: ' sn1 2ab ' -> 'SN12AB'."""
    return _POSTCODE_CHARS.sub("", (text or "").upper())


def phone_key(text: str) -> str:
    """Digits of a UK phone number in national form: '+44 7700 900123' -> '07700900123'."""
    digits = _NON_DIGIT.sub("", text or "")
    if digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits


def street_key(address_line: str) -> str:
    """Folded street part of an address line, without the house number: '12 Mill Lane' -> 'milllane'."""
    words = [w for w in (address_line or "").split() if not any(c.isdigit() for c in w)]
    return fold(" ".join(words))


_HOUSE_NUMBER = re.compile(r"^\s*(\d+)\s*([A-Za-z]?)\b")


def house_number(address_line: str) -> tuple[int, str]:
    """The house number of an address line as (number, letter) for sorting: '21B Mill Lane' -> (21, 'b').

    Lines without a leading number sort after numbered ones: (a large number, '').
    """
    match = _HOUSE_NUMBER.match(address_line or "")
    if match is None:
        return (10**9, "")
    return (int(match.group(1)), match.group(2).lower())


@lru_cache(maxsize=8192)
def address_order(postcode: str | None, address_line: str | None) -> tuple:
    """A sort key for addresses: postcode, street, then the house number as a number (4, 8A, 9, 10, 21B)."""
    return (postcode_key(postcode or ""), street_key(address_line or ""), house_number(address_line or ""),
            (address_line or "").lower())


@lru_cache(maxsize=8192)
def street_words(address_line: str) -> tuple[str, ...]:
    """The folded words of the street part of an address line: '12 Mill Lane' -> ('mill', 'lane')."""
    return tuple(fold(w) for w in (address_line or "").split() if not any(c.isdigit() for c in w) and fold(w))
