"""Pure payment rules: card data refusal, splits, arrangements, cash-up, proven credit, payment files."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duty_tui.areas.payments.domain.reference import CONTRACT_METHODS
from duty_tui.areas.payments.domain.rules import (
    AccountBalance,
    FileProblems,
    ImportedBefore,
    ImportRow,
    SplitLine,
    build_schedule,
    cashup_lines,
    changed_row_problem,
    check_no_card_data,
    check_split,
    check_variance_reason,
    clean_cheque_no,
    clean_last4,
    clean_terminal_ref,
    contains_card_number,
    count_cash,
    instalment_due,
    luhn_ok,
    parse_payment_file,
    parse_split,
    proven_credit,
    suggest_split,
    unseen_character,
)

VISA_TEST = "4111 1111 1111 1111"
TODAY = date(2026, 3, 10)


# --------------------------------------------------------------------- card data


@pytest.mark.parametrize("text", [VISA_TEST, "4111-1111-1111-1111", "4111111111111111", "card 5555555555554444 ok",
                                  "378282246310005", "6011 0009 9013 9424", "4000 0566 5566 5556 015"])
def test_full_card_numbers_are_found(text):
    assert contains_card_number(text)
    with pytest.raises(ValueError, match="full card number"):
        check_no_card_data("reference", text)


@pytest.mark.parametrize("text", ["4111 1111 1111 1112", "01793 100001", "RNT000001", "123456", "AUTH 829104",
                                  "1234567890123456789012345", ""])
def test_ordinary_numbers_are_not_card_numbers(text):
    assert not contains_card_number(text)


@pytest.mark.parametrize("text", ["CVV 123", "cvc: 4567", "security code 123", "the 3 digits on the back"])
def test_security_codes_are_refused(text):
    with pytest.raises(ValueError, match="security code"):
        check_no_card_data("note", text)


def test_last_four_accepts_four_digits_only():
    assert clean_last4("1111") == "1111"
    assert clean_last4(" ****1111 ") == "1111"
    assert clean_last4("") is None
    with pytest.raises(ValueError, match="security code"):
        clean_last4("123")
    with pytest.raises(ValueError, match="full card number"):
        clean_last4(VISA_TEST)
    with pytest.raises(ValueError, match="only the last four"):
        clean_last4("111111")


def test_terminal_reference_refuses_card_data_and_needs_a_value():
    assert clean_terminal_ref("AUTH 829104") == "AUTH 829104"
    with pytest.raises(ValueError, match="enter the reference"):
        clean_terminal_ref("")
    assert clean_terminal_ref("", required=False) is None
    with pytest.raises(ValueError, match="full card number"):
        clean_terminal_ref(VISA_TEST)
    with pytest.raises(ValueError, match="security code"):
        clean_terminal_ref("123")
    with pytest.raises(ValueError, match="security code"):
        clean_terminal_ref("ref 829104 cvv 123")


def test_cheque_number():
    assert clean_cheque_no("100234") == "100234"
    with pytest.raises(ValueError, match="cheque"):
        clean_cheque_no("")
    with pytest.raises(ValueError, match="digits"):
        clean_cheque_no("12a")


@given(st.lists(st.integers(0, 9), min_size=12, max_size=18))
def test_luhn_check_digit_always_validates(digits):
    body = "".join(map(str, digits))
    check = next(d for d in "0123456789" if luhn_ok(body + d))
    assert luhn_ok(body + check)
    assert contains_card_number(body + check)
    wrong = str((int(check) + 1) % 10)
    assert not luhn_ok(body + wrong)


# --------------------------------------------------------------------- splits


def test_parse_and_check_split():
    lines = parse_split("RNT000001 60.00, fta000001=£40")
    assert lines == [SplitLine("RNT000001", 6000), SplitLine("FTA000001", 4000)]
    assert check_split(10000, lines, ["RNT000001", "FTA000001"]) == lines
    with pytest.raises(ValueError, match="add up to £100.00 but the amount taken is £90.00"):
        check_split(9000, lines, ["RNT000001", "FTA000001"])
    with pytest.raises(ValueError, match="not one of this payer's open accounts"):
        check_split(10000, lines, ["RNT000001"])
    with pytest.raises(ValueError, match="more than two decimal"):
        parse_split("RNT000001 1.234")
    with pytest.raises(ValueError, match="ACCOUNT AMOUNT"):
        parse_split("sixty pounds")
    assert parse_split("RNT000001 1,234.50") == [SplitLine("RNT000001", 123450)]


def test_suggest_split_pays_owed_balances_in_policy_order():
    accounts = [AccountBalance("FTA000001", "former_tenant", 64000), AccountBalance("RNT000001", "rent", 15250)]
    priority = ["rent", "court_costs", "former_tenant"]
    assert suggest_split(20000, accounts, priority) == [SplitLine("RNT000001", 15250), SplitLine("FTA000001", 4750)]
    assert suggest_split(100000, accounts, priority) == [SplitLine("RNT000001", 36000),
                                                         SplitLine("FTA000001", 64000)]
    assert suggest_split(5000, [AccountBalance("RNT000002", "rent", -2000)], priority) == [SplitLine("RNT000002", 5000)]


@given(st.integers(1, 10**7), st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=5))
def test_suggested_split_always_adds_up(total, balances):
    accounts = [AccountBalance(f"RNT{i:06d}", "rent", b) for i, b in enumerate(balances)]
    parts = suggest_split(total, accounts, ["rent"])
    assert sum(p.amount_pence for p in parts) == total
    assert all(p.amount_pence > 0 for p in parts)
    check_split(total, parts, [a.ref for a in accounts])


# --------------------------------------------------------------------- arrangements


def test_instalment_dates_for_each_frequency():
    start = date(2026, 1, 31)
    assert instalment_due(start, "weekly", 2) == date(2026, 2, 14)
    assert instalment_due(start, "fortnightly", 1) == date(2026, 2, 14)
    assert instalment_due(start, "four_weekly", 1) == date(2026, 2, 28)
    assert [instalment_due(start, "monthly", i) for i in range(4)] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert instalment_due(date(2026, 11, 15), "monthly", 2) == date(2027, 1, 15)


def test_schedule_last_instalment_is_smaller():
    schedule = build_schedule(date(2026, 3, 2), "weekly", 2000, 5500)
    assert [i.amount_pence for i in schedule] == [2000, 2000, 1500]
    with pytest.raises(ValueError, match="more than the total"):
        build_schedule(date(2026, 3, 2), "weekly", 6000, 5500)


def test_cash_counted_by_denomination_and_variance_needs_reason():
    cash = count_cash({2000: 3, 500: 1, 100: 4, 1: 3}, [5000, 2000, 1000, 500, 100, 1])
    assert cash == 6903
    with pytest.raises(ValueError, match="not a note or coin"):
        count_cash({300: 1}, [100])
    lines = cashup_lines({"cash": (2, 7000), "card": (1, 2500)}, {"cash": cash, "card": 2500, "cheque": 0},
                         ["cash", "cheque", "card"])
    assert [line.method for line in lines] == ["cash", "cheque", "card"]
    assert sum(line.variance_pence for line in lines) == -97
    with pytest.raises(ValueError, match="short by £0.97"):
        check_variance_reason(lines, "")
    assert check_variance_reason(lines, "gave wrong change") == "gave wrong change"
    balanced = cashup_lines({"cash": (1, 500)}, {"cash": 500}, ["cash"])
    assert check_variance_reason(balanced, "") is None


def test_proven_credit_waits_for_payments_to_clear():
    rows = [(date(2026, 3, 1), 9500), (date(2026, 3, 2), -11500)]
    assert proven_credit(rows, TODAY, 5) == 2000
    recent = rows + [(date(2026, 3, 9), -5000)]
    assert proven_credit(recent, TODAY, 5) == 2000  # the £50 from yesterday is not proven yet
    assert proven_credit(recent, date(2026, 3, 20), 5) == 7000
    assert proven_credit([(date(2026, 3, 1), 100)], TODAY, 5) == 0


# --------------------------------------------------------------------- payment files


def _parse(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return parse_payment_file(data, methods=CONTRACT_METHODS, row_limit_pence=5_000_000, today=TODAY)


def test_a_good_file_in_any_column_order():
    rows = _parse("external_id,amount,extra,method,date,account_ref\n"
                  "A1,£1,234.50,x,cash,2026-03-09,rnt000001\n".replace("£1,234.50", '"£1,234.50"')
                  + "A2,25,y,allpay,09/03/2026,RNT000002\n\n")
    assert [(r.line, r.external_id, r.amount_pence, r.method, r.account_ref, r.date) for r in rows] == [
        (2, "A1", 123450, "cash", "RNT000001", date(2026, 3, 9)),
        (3, "A2", 2500, "allpay", "RNT000002", date(2026, 3, 9))]


def test_every_bad_row_is_reported_with_its_line():
    text = ("date,account_ref,amount,method,external_id\n"
            "2026-03-09,RNT000001,0,cash,A1\n"
            "2026-13-09,RNT000001,10.001,cash,A2\n"
            "2026-03-09,RNT000001,10,bitcoin,A3\n"
            "2026-03-09,RNT000001,10,cash,\n"
            "2026-03-09,RNT000001,10,cash,A1\n"
            "2026-03-20,RNT000001,-5,cash,A6\n")
    with pytest.raises(FileProblems) as caught:
        _parse(text)
    problems = caught.value.problems
    assert problems[0].startswith("line 2: ") and "more than £0.00" in problems[0]
    assert any(p.startswith("line 3: date") for p in problems)
    assert any(p.startswith("line 3: ") and "two decimal" in p for p in problems)
    assert any(p.startswith("line 4: method 'bitcoin'") for p in problems)
    assert any(p.startswith("line 5: external_id is empty") for p in problems)
    assert any(p.startswith("line 6: external_id 'A1' is also on line 2") for p in problems)
    assert any(p.startswith("line 7: date") and "future" in p for p in problems)
    assert any(p.startswith("line 7: ") and "negative" in p for p in problems)


def test_missing_column_and_wrong_encoding():
    with pytest.raises(FileProblems, match="line 1: missing columns amount, external_id"):
        _parse("date,account_ref,method\n2026-03-09,RNT000001,cash\n")
    latin1 = "date,account_ref,amount,method,external_id\n2026-03-09,RNT000001,£10,cash,A1\n".encode("latin-1")
    with pytest.raises(FileProblems, match=r"line 2: the file is not UTF-8 text \(byte 0xA3"):
        _parse(latin1)
    with pytest.raises(FileProblems, match="UTF-16"):
        _parse("date\n".encode("utf-16"))
    with pytest.raises(FileProblems, match="empty"):
        _parse(b"")
    with pytest.raises(FileProblems, match="no payment rows"):
        _parse("date,account_ref,amount,method,external_id\n")
    assert _parse("\ufeffdate,account_ref,amount,method,external_id\n2026-03-09,X,1,cash,A\n")[0].external_id == "A"


def test_a_repeat_is_not_a_problem_and_each_difference_is_named():
    before = ImportedBefore("AP-1", date(2026, 3, 9), "RNT000001", 5000, "allpay")
    same = ImportRow(7, date(2026, 3, 9), "RNT000001", 5000, "allpay", "AP-1")
    assert changed_row_problem(same, before) is None
    moved = ImportRow(7, date(2026, 3, 8), "", 5001, "paypoint", "AP-1")
    assert changed_row_problem(moved, before) == (
        "line 7: external_id 'AP-1' was imported on 09/03/2026 for RNT000001 £50.00; this row differs (date "
        "08/03/2026, account (none), amount £50.01, method paypoint): a provider never reuses a transaction id — "
        "check the file with them")


def test_refs_with_unseen_characters_and_broken_quotes_and_old_dates_are_refused():
    assert unseen_character("RNT000123") is None and unseen_character("Zoë-ÅÄ") is None
    assert unseen_character("RNT\u202e321") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert unseen_character("A\u2069") == "U+2069 POP DIRECTIONAL ISOLATE"
    assert unseen_character("A\ufeffB") == "U+FEFF ZERO WIDTH NO-BREAK SPACE"
    assert unseen_character("A\x1bB") == "U+001B"
    header = "date,account_ref,amount,method,external_id\n"
    with pytest.raises(FileProblems) as caught:
        _parse(header + '2026-03-09,RNT000001,5,cash,"A1\n2026-03-09,RNT000002,6,cash,A2\n')
    assert caught.value.problems == ['line 2: a quote (") opened on this line is never closed, so the rest of the '
                                     "file would be read as one value; close the quote or remove it"]
    with pytest.raises(FileProblems, match=r"line 1: the header runs on to line 2"):
        _parse('date,account_ref,amount,method,"external_id\nx"\n2026-03-09,RNT000001,5,cash,A1\n')
    with pytest.raises(FileProblems) as caught:
        _parse(header + "1989-12-31,RNT000001,5,cash,A1\n1990-01-01,RNT000001,5,cash,A2\n2027-03-10,R,5,cash,A3\n")
    assert caught.value.problems == ["line 2: date '1989-12-31' is before 1990; check the year",
                                     "line 4: date '2027-03-10' is in the future; check the day and month are not "
                                     "swapped"]


def test_problem_list_is_capped():
    rows = "".join(f"2026-03-09,R,0,cash,E{i}\n" for i in range(300))
    with pytest.raises(FileProblems) as caught:
        _parse("date,account_ref,amount,method,external_id\n" + rows)
    assert len(caught.value.problems) == 101 and "200 more problems" in caught.value.problems[-1]
