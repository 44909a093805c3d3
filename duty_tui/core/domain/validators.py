"""Validators for what staff type and what files carry. Each returns a clean value
or raises ValueError with plain English that says what to fix.

The TUI wraps these in textual.validation validators; the CLI and importers call
them directly, so every face of duty-tui agrees.

Free text (names, notes) is stored exactly as typed — markup, escape sequences,
right-to-left and combining characters included — with two exceptions that no
database can hold: the NUL character (PostgreSQL text cannot contain it) and lone
surrogates (not UTF-8). ``clean_text`` refuses both, with a message, the same way
on SQLite and PostgreSQL. ``inert`` is the other half: how any stored text is
shown on a terminal (the TUI's ``plain()``, CLI text output) so that nothing in it
can restyle the screen or reach the terminal as a control sequence.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from duty_tui.core.domain.search_keys import phone_key, postcode_key

# --- free text: what can be stored, and how it is shown ---------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(label: str, text: str | None, *, max_length: int | None = None) -> str | None:
    """What is wrong with a free-text value, or None: the one rule for names and notes everywhere."""
    if text is None:
        return None
    if not isinstance(text, str):
        return f"{label} must be text"
    if "\x00" in text:
        return (f"{label} holds a NUL character (\\x00, at character {text.index(chr(0)) + 1}), which cannot "
                "be stored; remove it (it usually comes from pasting out of another program)")
    bad = _SURROGATE.search(text)
    if bad:
        return (f"{label} holds a broken character (an unpaired surrogate, at character {bad.start() + 1}) "
                "that is not valid Unicode; retype that part")
    if max_length is not None and len(text) > max_length:
        return f"{label} is {len(text):,} characters; shorten it to {max_length:,}"
    return None


def clean_text(label: str, text: str | None, *, max_length: int | None = None) -> str:
    """Free text as it will be stored: unchanged (no trimming, markup and controls kept), '' for None.

    Raises ValueError naming ``label`` for a NUL, a lone surrogate, or text over ``max_length``.
    """
    problem = text_problem(label, text, max_length=max_length)
    if problem:
        raise ValueError(problem)
    return text or ""


# C0 controls map to the Unicode "control pictures" block (U+2400...), DEL to U+2421; newlines stay.
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x0A}
_CONTROL_PICTURES[0x7F] = "\u2421"
_CONTROL_PICTURES[0x09] = " "  # a tab is just space on screen
# C1 controls (0x80-0x9F) include CSI (0x9B); show them as a replacement character.
_CONTROL_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0)})
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder the rest of the
# line in a bidi-aware terminal ("Trojan Source"); U+206A-U+206F and the interlinear annotation marks are
# invisible controls too. The plain marks LRM/RLM/ALM stay: right-to-left names need them.
_CONTROL_PICTURES.update({code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x2070),
                                                     0xFFF9, 0xFFFA, 0xFFFB)})
# Line and paragraph separators start a new line in some terminals but not in the screen's layout.
_CONTROL_PICTURES[0x2028] = _CONTROL_PICTURES[0x2029] = "\u2424"
# A lone surrogate cannot be written to a terminal at all (it is not UTF-8).
_CONTROL_PICTURES.update({code: "\ufffd" for code in range(0xD800, 0xE000)})
_INERT = str.maketrans(_CONTROL_PICTURES)
# In text being typed or pasted, tabs and carriage returns are layout, not controls.
_TYPED = str.maketrans({code: picture for code, picture in _CONTROL_PICTURES.items() if code not in (0x09, 0x0D)})


def visible_controls(text: str) -> str:
    """Typed or pasted text with every control made visible as in ``inert`` (ESC, C0/C1, bidi overrides);
    newlines, tabs and carriage returns stay, and nothing is cut."""
    return text.translate(_TYPED)

MAX_MARKS = 4
"""Combining marks kept per letter when shown: Vietnamese or pointed Hebrew need a few; 'zalgo'
text stacks dozens that spill over the lines above and below."""
_MARK = ("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u1ab0-\u1aff"
         "\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_MARK_RUN = re.compile(f"({_MARK}{{{MAX_MARKS}}}){_MARK}+")

PLAIN_LIMIT = 10_000
"""At most this many characters of one value are shown: a 100 KB paste must not stall a screen."""


def inert(value: object, *, limit: int | None = PLAIN_LIMIT) -> str:
    """``value`` as text that is safe to show on a terminal, whatever it holds.

    C0/C1 controls (ESC, CSI included) become visible symbols (ESC shows as U+241B), bidi overrides
    and lone surrogates U+FFFD, line separators U+2424; runs of combining marks are cut to MAX_MARKS;
    beyond ``limit`` characters the rest is replaced by a note of how many. Markup is not this
    function's business: it returns a str, which the TUI wraps in rich Text (never parsed as markup).
    """
    text = "" if value is None else str(value)
    cut = 0
    if limit is not None and len(text) > limit:
        cut = len(text) - limit
        text = text[:limit]
    text = text.translate(_INERT)
    if len(text) > MAX_MARKS and _MARK_RUN.search(text):
        text = _MARK_RUN.sub(r"\1", text)
    if cut:
        text += f" … [{cut:,} more characters not shown]"
    return text


# --- identifiers -------------------------------------------------------------------------------


def quoted(text: object, limit: int = 40) -> str:
    """What was typed, quoted for a message: repr (controls escaped), cut to ``limit`` characters."""
    value = ("" if text is None else str(text)).strip()
    return repr(value[:limit] + "…") if len(value) > limit else repr(value)


_quote = quoted

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
    key = postcode_key(text or "")
    if not key:
        raise ValueError("enter a postcode, e.g. SN1 2AB")
    if not _POSTCODE.match(key):
        raise ValueError(f"{_quote(text)} is not a UK postcode; it should look like SN1 2AB or M1 1AE")
    return f"{key[:-3]} {key[-3:]}"


def clean_ni_number(text: str) -> str:
    """'ab 12 34 56 c' -> 'AB123456C'; raises ValueError when not a valid NI number."""
    key = re.sub(r"\s", "", text or "").upper()
    if not _NINO.match(key):
        raise ValueError(
            f"{_quote(text)} is not a National Insurance number; it is two letters, six digits "
            "and A, B, C or D, e.g. AB 12 34 56 C"
        )
    return key


def clean_phone(text: str) -> str:
    """A UK phone number in national digits ('07700 900123' -> '07700900123')."""
    key = phone_key(text or "")
    if not key:
        raise ValueError("enter a phone number, e.g. 01793 123456 or 07700 900123")
    if not key.startswith("0") or len(key) not in (10, 11):
        raise ValueError(
            f"{_quote(text)} is not a UK phone number; use 10 or 11 digits starting 0, e.g. 01793 123456"
        )
    return key


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


def clean_email(text: str) -> str:
    """An email address as typed, trimmed ('name@example.org'); one address, no display name."""
    value = (text or "").strip()
    if not value:
        raise ValueError("enter an email address, e.g. name@example.org")
    if len(value) > 254 or not _EMAIL.fullmatch(value) or ".." in value:
        raise ValueError(f"{_quote(value)} is not an email address; type one address, e.g. name@example.org")
    return value


def parse_date(text: str) -> date:
    """Accept YYYY-MM-DD or DD/MM/YYYY; raises ValueError naming both forms."""
    value = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{_quote(value)} is not a date; use YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-03-09 or 09/03/2026")


def parse_date_of_birth(text: str, today: date) -> date:
    """A date of birth: a real date, not in the future, and not over 120 years ago."""
    born = parse_date(text)
    if born > today:
        raise ValueError("date of birth is in the future; check the year")
    if today.year - born.year > 120:
        raise ValueError("date of birth is more than 120 years ago; check the year")
    return born


def one_line_reason(reason: str | None, *, limit: int, missing: str) -> str:
    """A reason typed by staff as one line: spaces collapsed, not empty (``missing`` says what to write),
    at most ``limit`` characters, no control characters. ValueError says what to fix."""
    text = " ".join((reason or "").split())
    if not text:
        raise ValueError(missing)
    if len(text) > limit:
        raise ValueError(f"at most {limit} characters (this one has {len(text)}); shorten it")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        raise ValueError("remove the control characters")
    return text
