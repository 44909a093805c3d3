"""Property tests for money, validators, search keys and masking (duty_tui/domain).

These are what every face of duty-tui (TUI, CLI, imports) relies on, so they
are checked over generated input, not a handful of examples.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from duty_tui.core.domain.masking import age_on, mask_date_of_birth, mask_ni_number, mask_phone
from duty_tui.core.domain.money import format_balance, format_pence, parse_pounds
from duty_tui.core.domain.search_keys import fold, phone_key, postcode_key, sound, street_key
from duty_tui.core.domain.validators import (
    clean_ni_number,
    clean_phone,
    clean_postcode,
    parse_date,
    parse_date_of_birth,
)

ASCII_DIGITS = "0123456789"

# --- money ---------------------------------------------------------------------------------

pence = st.integers(min_value=1, max_value=10**13)


@given(pence)
def test_parse_pounds_round_trips_format_pence(amount):
    assert parse_pounds(format_pence(amount)) == amount


@given(pence)
def test_parse_pounds_takes_plain_digits_without_pound_sign_or_commas(amount):
    pounds, rest = divmod(amount, 100)
    assert parse_pounds(f"{pounds}.{rest:02d}") == amount
    assert parse_pounds(f"  £{pounds}.{rest:02d} ") == amount
    if rest % 10 == 0:
        assert parse_pounds(f"{pounds}.{rest // 10}") == amount


@given(st.integers(min_value=1, max_value=10**9))
def test_whole_pounds(pounds):
    assert parse_pounds(str(pounds)) == pounds * 100
    assert parse_pounds(f"{pounds:,}") == pounds * 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [("25", 2500), ("25.5", 2550), ("25.50", 2550), ("£1,234.50", 123450), ("0.01", 1), ("£ 7", 700),
     ("1234567.89", 123456789)],
)
def test_parse_pounds_examples(text, expected):
    assert parse_pounds(text) == expected


@given(st.integers(min_value=1, max_value=10**12))
def test_negative_amounts_are_refused_with_a_reason(amount):
    for text in (f"-{format_pence(amount)[1:]}", f"-{format_pence(amount)}", f"£-{amount / 100:.2f}",
                 format_pence(-amount)):
        with pytest.raises(ValueError, match="negative"):
            parse_pounds(text)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**6))
def test_more_than_two_decimals_is_refused_with_a_reason(pounds, fraction):
    text = f"{pounds}.{fraction:03d}"
    with pytest.raises(ValueError, match="more than two decimal places"):
        parse_pounds(text)


@pytest.mark.parametrize("text", ["", "   ", "£", "abc", "12abc", "1,23", "12,3456", "1.2.3", "£12p", "ten",
                                  "1e3", "0x10", "NaN", "Infinity", "12 34", "1_000", "+5", ".", ".5", "5.",
                                  "1,,000", ",100", "--5"])
def test_junk_is_refused_with_a_message(text):
    with pytest.raises(ValueError) as caught:
        parse_pounds(text)
    assert str(caught.value).strip()


@pytest.mark.parametrize("text", ["0", "0.00", "£0", "0.0"])
def test_zero_is_refused(text):
    with pytest.raises(ValueError, match="more than"):
        parse_pounds(text)


@given(st.text(max_size=30))
@example("١٢")  # Arabic-Indic digits
@example("１２.５０")  # full-width digits
@example("12\n")
def test_parse_pounds_accepts_only_pounds_and_pence_in_plain_digits(text):
    try:
        amount = parse_pounds(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert isinstance(amount, int) and amount > 0
    assert re.fullmatch(r"\s*£?\s*[0-9,]+(\.[0-9]{1,2})?\s*", text), f"accepted {text!r} as {amount}"


@given(pence, pence)
def test_limit(amount, limit):
    if amount <= limit:
        assert parse_pounds(format_pence(amount), limit_pence=limit) == amount
    else:
        with pytest.raises(ValueError, match="over the limit"):
            parse_pounds(format_pence(amount), limit_pence=limit)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_pence_shape(amount):
    text = format_pence(amount)
    assert re.fullmatch(r"-?£\d{1,3}(,\d{3})*\.\d{2}", text)
    assert text.startswith("-") == (amount < 0)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_balance_says_arrears_or_credit(amount):
    text = format_balance(amount)
    if amount > 0:
        assert text == f"{format_pence(amount)} arrears"
    elif amount < 0:
        assert text == f"{format_pence(-amount)} in credit"
        assert "-" not in text
    else:
        assert text == "£0.00"


# --- postcodes -------------------------------------------------------------------------------

AREA_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # not Q, V, X
AREA_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # not I, J, Z
A9A_THIRD = "ABCDEFGHJKPSTUW"
AA9A_FOURTH = "ABEHMNPRVWXY"
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # not C, I, K, M, O, V

digit = st.sampled_from(ASCII_DIGITS)
inward = st.builds(lambda d, a, b: d + a + b, digit, st.sampled_from(INWARD_LETTERS), st.sampled_from(INWARD_LETTERS))
outward = st.one_of(
    st.builds(lambda a, d: a + d, st.sampled_from(AREA_FIRST), digit),  # M1
    st.builds(lambda a, d, e: a + d + e, st.sampled_from(AREA_FIRST), digit, digit),  # M60
    st.builds(lambda a, b, d: a + b + d, st.sampled_from(AREA_FIRST), st.sampled_from(AREA_SECOND), digit),  # SN1
    st.builds(lambda a, b, d, e: a + b + d + e, st.sampled_from(AREA_FIRST), st.sampled_from(AREA_SECOND),
              digit, digit),  # SN10
    st.builds(lambda a, d, c: a + d + c, st.sampled_from(AREA_FIRST), digit, st.sampled_from(A9A_THIRD)),  # W1A
    st.builds(lambda a, b, d, c: a + b + d + c, st.sampled_from(AREA_FIRST), st.sampled_from(AREA_SECOND), digit,
              st.sampled_from(AA9A_FOURTH)),  # EC1A
)
spacing = st.sampled_from(["", " ", "  ", "\t", " \u00a0"])


def recase(text: str, data) -> str:
    flags = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.lower() if lower else c for c, lower in zip(text, flags, strict=True))


@given(outward, inward, spacing, spacing, spacing, st.data())
@example("SN1", "2AB", "", " ", "", None)
def test_clean_postcode_accepts_real_shapes_in_any_case_and_spacing(out, inw, before, middle, after, data):
    typed = before + out + middle + inw + after
    if data is not None:
        typed = recase(typed, data)
    assert clean_postcode(typed) == f"{out} {inw}"


@pytest.mark.parametrize("text", ["SN1 2AB", "M1 1AE", "EC1A 1BB", "W1A 0AX", "B33 8TH", "CR2 6XH", "DN55 1PT",
                                  "GIR 0AA", "sw1a2aa"])
def test_clean_postcode_known_good(text):
    clean = clean_postcode(text)
    assert clean == clean.upper() and " " in clean


@pytest.mark.parametrize("text", ["", "   ", "SN1", "2AB", "SN1 2A", "SN1 2ABC", "QN1 2AB", "SN1 2CB", "S1N 2AB",
                                  "12345", "SN1 AAB", "hello", "ZZ", "SN1 2AB SN1"])
def test_clean_postcode_refuses_non_postcodes_with_a_message(text):
    with pytest.raises(ValueError) as caught:
        clean_postcode(text)
    assert "postcode" in str(caught.value)


@given(st.text(max_size=20))
def test_clean_postcode_output_is_always_a_clean_postcode(text):
    try:
        clean = clean_postcode(text)
    except ValueError as exc:
        assert "postcode" in str(exc)
        return
    assert re.fullmatch(r"[A-Z0-9]{2,4} [0-9][A-Z]{2}", clean)


# --- NI numbers -------------------------------------------------------------------------------

NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"  # not D, F, I, Q, U, V
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"  # nor O
BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}

prefixes = st.builds(lambda a, b: a + b, st.sampled_from(NINO_FIRST), st.sampled_from(NINO_SECOND)).filter(
    lambda p: p not in BAD_PREFIXES)
six_digits = st.text(alphabet=ASCII_DIGITS, min_size=6, max_size=6)
suffixes = st.sampled_from("ABCD")


@given(prefixes, six_digits, suffixes, st.booleans(), st.booleans())
def test_valid_ni_numbers_are_cleaned(prefix, digits, suffix, spaced, lower):
    typed = f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}" if spaced else prefix + digits + suffix
    if lower:
        typed = typed.lower()
    assert clean_ni_number(typed) == prefix + digits + suffix


@given(six_digits, suffixes, st.sampled_from(sorted(BAD_PREFIXES)))
def test_administrative_prefixes_are_refused(digits, suffix, prefix):
    with pytest.raises(ValueError, match="National Insurance"):
        clean_ni_number(prefix + digits + suffix)


@given(six_digits, suffixes, st.sampled_from("DFIQUV"), st.sampled_from(NINO_SECOND))
def test_first_letter_rules(digits, suffix, bad, second):
    with pytest.raises(ValueError):
        clean_ni_number(bad + second + digits + suffix)


@given(six_digits, suffixes, st.sampled_from(NINO_FIRST), st.sampled_from("DFIQUVO"))
def test_second_letter_rules(digits, suffix, first, bad):
    with pytest.raises(ValueError):
        clean_ni_number(first + bad + digits + suffix)


@given(prefixes, six_digits, st.sampled_from("EFGXYZ0 "))
def test_suffix_must_be_a_to_d(prefix, digits, suffix):
    with pytest.raises(ValueError):
        clean_ni_number(prefix + digits + suffix.strip())


@pytest.mark.parametrize("text", ["", "AB12345C", "AB1234567C", "AB123456", "ABC23456C", "AB12345CC",
                                  "AB١٢٣٤٥٦C", "AB 12 34 56 C extra"])
def test_malformed_ni_numbers_are_refused(text):
    with pytest.raises(ValueError, match="National Insurance"):
        clean_ni_number(text)


@given(st.text(max_size=20))
def test_clean_ni_number_never_raises_anything_but_value_error(text):
    try:
        clean = clean_ni_number(text)
    except ValueError:
        return
    assert re.fullmatch(r"[A-Z]{2}[0-9]{6}[A-D]", clean)


# --- phones and dates ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("01793 123456", "01793123456"), ("+44 7700 900123", "07700900123"),
                                                ("0044 7700 900123", "07700900123"), ("(020) 7946 0000", "02079460000")])
def test_clean_phone(text, expected):
    assert clean_phone(text) == expected


@pytest.mark.parametrize("text", ["", "12345", "7700 900123", "+1 202 555 0100 1234", "phone me"])
def test_clean_phone_refuses(text):
    with pytest.raises(ValueError, match="phone"):
        clean_phone(text)


@given(st.text(max_size=30))
def test_clean_phone_output_is_national_ascii_digits(text):
    try:
        clean = clean_phone(text)
    except ValueError:
        return
    assert re.fullmatch(r"0[0-9]{9,10}", clean)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_parse_date_both_forms(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y")) == day


@pytest.mark.parametrize("text", ["", "2026-02-30", "31/04/2026", "tomorrow", "2026/03/09", "09-03-2026"])
def test_parse_date_refuses_with_both_forms_named(text):
    with pytest.raises(ValueError, match="YYYY-MM-DD or DD/MM/YYYY"):
        parse_date(text)


def test_date_of_birth_limits():
    today = date(2026, 3, 10)
    assert parse_date_of_birth("10/03/2026", today) == today
    with pytest.raises(ValueError, match="future"):
        parse_date_of_birth("11/03/2026", today)
    with pytest.raises(ValueError, match="120 years"):
        parse_date_of_birth("1900-01-01", today)


# --- search keys never raise ------------------------------------------------------------------


@given(st.text())
def test_fold_is_lower_case_ascii_letters(text):
    folded = fold(text)
    assert re.fullmatch(r"[a-z]*", folded)
    assert fold(folded) == folded


@given(st.text())
def test_sound_is_a_letter_and_three_digits_or_empty(text):
    key = sound(text)
    assert key == "" or re.fullmatch(r"[A-Z][0-6]{3}", key)
    assert (key == "") == (fold(text) == "")


@given(st.text())
def test_postcode_key_is_upper_case_alphanumerics(text):
    key = postcode_key(text)
    assert re.fullmatch(r"[A-Z0-9]*", key)
    assert postcode_key(key) == key


@given(st.text())
def test_phone_key_never_raises(text):
    key = phone_key(text)
    assert isinstance(key, str)


@given(st.text())
def test_street_key_never_raises(text):
    assert re.fullmatch(r"[a-z]*", street_key(text))


@pytest.mark.parametrize("value", [None, ""])
def test_keys_of_nothing_are_empty(value):
    assert fold(value) == sound(value) == postcode_key(value) == phone_key(value) == street_key(value) == ""


@pytest.mark.parametrize(("a", "b"), [("Smith", "Smyth"), ("Smith", "smtih"), ("McDonald", "Macdonald"),
                                      ("Johnson", "Jonson"), ("O'Brien", "OBrien"), ("Zoë", "Zoe")])
def test_sound_alikes_share_a_key(a, b):
    assert sound(a) == sound(b)


def test_phone_keys_agree_across_formats():
    assert phone_key("+44 7700 900123") == phone_key("07700 900123") == phone_key("0044 (7700) 900-123")


# --- masking -----------------------------------------------------------------------------------


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_mask_date_of_birth_shows_only_the_year(born):
    masked = mask_date_of_birth(born)
    assert masked == f"**/**/{born.year}"
    assert f"{born.day:02d}/{born.month:02d}" not in masked


@given(prefixes, six_digits, suffixes)
def test_mask_ni_number_shows_prefix_last_digit_and_suffix_only(prefix, digits, suffix):
    masked = mask_ni_number(prefix + digits + suffix)
    assert masked == f"{prefix} ** ** *{digits[-1]} {suffix}"
    assert sum(c.isdigit() for c in masked) == 1


@given(prefixes, six_digits, suffixes, st.sampled_from([" ", "  ", "-"]), st.booleans())
def test_mask_ni_number_reveals_no_more_when_stored_with_spaces(prefix, digits, suffix, gap, lower):
    """An NI number saved as typed ('AB 12 34 56 C') must not show its middle digits."""
    stored = gap.join([prefix, digits[:2], digits[2:4], digits[4:], suffix])
    if lower:
        stored = stored.lower()
    masked = mask_ni_number(stored)
    assert sum(c.isdigit() for c in masked) <= 1
    assert digits[:5] not in masked.replace(" ", "").replace("*", "")


@given(st.text(max_size=40))
def test_mask_ni_number_never_shows_more_than_four_characters_of_anything(text):
    assume(text.strip())
    masked = mask_ni_number(text)
    shown = [c for c in masked if c not in " *"]
    assert len(shown) <= 4
    assert sum(c.isdigit() for c in masked) <= 1


@given(st.text(alphabet=ASCII_DIGITS + " +()-", min_size=1, max_size=20))
def test_mask_phone_shows_at_most_the_last_three_digits(phone):
    masked = mask_phone(phone)
    digits = [c for c in phone if c.isdigit()]
    if not digits:
        return
    shown = [c for c in masked if c.isdigit()]
    assert shown == digits[-3:]
    assert len(masked) == len(digits)


def test_masks_of_nothing_are_a_dash():
    assert mask_date_of_birth(None) == mask_ni_number(None) == mask_phone(None) == mask_ni_number("") == "—"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_age_on(born, today):
    assume(born <= today)
    age = age_on(born, today)
    assert age >= 0
    try:
        birthday = born.replace(year=born.year + age)
    except ValueError:  # 29 February
        birthday = date(born.year + age, 3, 1)
    assert birthday <= today
