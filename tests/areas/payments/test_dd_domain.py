"""Direct debit rules that need no database: Bacs working days and the advance-notice date across bank
holidays (docs/CLI.md `dd notice-by`), the UK modulus check against Vocalink's published test cases, and
mandate references."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from duty_tui.areas.payments.domain.bacs_calendar import act_by, collection_date, is_bacs_working_day, notice_by
from duty_tui.areas.payments.domain.modulus import check_account, load_weight_table, parse_weight_table

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.mark.parametrize(("wanted", "collection", "notice"), [
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March are not Bacs days, either side.
    ("2027-03-29", "2027-03-30", "2027-03-12"),
    ("2027-03-26", "2027-03-30", "2027-03-12"),
    ("2027-04-09", "2027-04-09", "2027-03-24"),
    # Christmas 2027 falls on a Saturday: the substitutes are Monday 27 and Tuesday 28 December.
    ("2027-12-27", "2027-12-29", "2027-12-13"),
    ("2028-01-07", "2028-01-07", "2027-12-21"),
    # Boxing Day 2026 is a Saturday: its substitute Monday 28 December is closed.
    ("2026-12-28", "2026-12-29", "2026-12-11"),
    # The early-May, late-May (31 May 2027) and summer (30 August 2027) bank holidays are counted past.
    ("2027-06-08", "2027-06-08", "2027-05-24"),
    ("2027-09-03", "2027-09-03", "2027-08-19"),
    # A weekend collection moves to Monday; New Year's Day 2027 (a Friday) is closed.
    ("2027-01-02", "2027-01-04", "2026-12-16"),
    # An ordinary fortnight: ten working days back is two weeks back.
    ("2027-02-17", "2027-02-17", "2027-02-03"),
])
def test_notice_by_counts_ten_bacs_working_days_back_across_bank_holidays(wanted, collection, notice):
    found = notice_by(date.fromisoformat(wanted))
    assert found.as_json() == {"collection": collection, "notice_by": notice}


def test_bacs_days_follow_england_and_wales_not_scotland():
    assert not is_bacs_working_day(date(2027, 8, 30))  # summer bank holiday, England and Wales
    assert is_bacs_working_day(date(2027, 8, 2))  # Scotland's summer holiday: Bacs is open
    assert not is_bacs_working_day(date(2027, 3, 13))  # a Saturday
    assert collection_date(date(2027, 1, 1)) == date(2027, 1, 4)


def test_addacs_is_acted_on_within_three_working_days():
    assert act_by(date(2027, 3, 25)) == date(2027, 4, 1)  # across Good Friday and Easter Monday
    assert act_by(date(2027, 2, 1)) == date(2027, 2, 4)


# Vocalink's published test cases (Validating account numbers, the specification's appendix).
VOCALINK_CASES = [
    ("089999", "66374958", True), ("107999", "88837491", True), ("202959", "63748472", True),
    ("871427", "46238510", True), ("872427", "46238510", True), ("871427", "09123496", True),
    ("871427", "99123496", True), ("820000", "73688637", True), ("827999", "73988638", True),
    ("827101", "28748352", True), ("134020", "63849203", True), ("118765", "64371389", True),
    ("200915", "41011166", True), ("938611", "07806039", True), ("938600", "42368003", True),
    ("938063", "55065200", True), ("772798", "99345694", True), ("086090", "06774744", True),
    ("309070", "02355688", True), ("309070", "12345668", True), ("309070", "12345677", True),
    ("309070", "99345694", True), ("938063", "15764273", False), ("938063", "15764264", False),
    ("938063", "15763217", False), ("118765", "64371388", False), ("203099", "66831036", False),
    ("203099", "58716970", False), ("089999", "66374959", False), ("107999", "88837493", False),
    ("074456", "12345112", True), ("070116", "34012583", True), ("074456", "11104102", True),
    ("180002", "00000190", True),
]


@pytest.mark.parametrize(("sort_code", "account", "valid"), VOCALINK_CASES)
def test_modulus_check_passes_vocalinks_published_cases(sort_code, account, valid):
    assert check_account(load_weight_table(DATA), sort_code, account).valid is valid


def test_modulus_failure_names_the_rule_and_the_fix():
    result = check_account(load_weight_table(DATA), "20-30-99", "66831036")
    assert not result.valid and result.checked
    assert "modulus check" in result.message and "20-30-99" in result.message and "statement" in result.message
    assert "six digits" in check_account(load_weight_table(DATA), "2030", "66831036").message
    assert "6 to 10 digits" in check_account(load_weight_table(DATA), "203099", "12ab").message


def test_sort_code_not_in_the_table_is_accepted_unchecked():
    result = check_account(load_weight_table(DATA), "999999", "12345678")
    assert result.valid and not result.checked and "cannot be checked" in result.message


def test_account_numbers_of_other_lengths_are_normalised():
    table = load_weight_table(DATA)
    # Seven digits gain a leading zero; ten digits keep the last eight (NatWest and others).
    assert check_account(table, "086090", "6774744").valid
    assert check_account(table, "107999", "0088837491").valid  # not Co-op (08…): the last eight


def test_a_bad_weight_table_line_is_named():
    with pytest.raises(ValueError, match=":2: expected"):
        parse_weight_table("# comment\n010004 016715 MOD12 0 0\n", "")
