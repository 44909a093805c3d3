"""Payment rules that need no database: card data refusal, splits, arrangement schedules
and the "broken" test, cash-up variance by denomination, proven credit for refunds,
and (re-exported from payment_file.py) the payment-file checks of docs/CLI.md.

Everything is pure: dates are arguments, money is integer pence, and a broken rule
raises ValueError (or FileProblems) whose text says what to fix.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from duty_tui.areas.payments.domain.payment_file import (  # noqa: F401  (imported from here by services and tests)
    EARLIEST_FILE_DATE,
    FORMULA_STARTS,
    MAX_REPORTED_PROBLEMS,
    REQUIRED_COLUMNS,
    FileProblems,
    ImportedBefore,
    ImportRow,
    changed_row_problem,
    decode_payment_file,
    parse_payment_file,
    ref_problem,
    unseen_character,
)
from duty_tui.core.domain.card_data import (  # noqa: F401  (the payment rules' own, re-exported)
    CARD_NUMBER_REFUSAL,
    SECURITY_CODE_REFUSAL,
    check_no_card_data,
    contains_card_number,
    luhn_ok,
    mentions_security_code,
)
from duty_tui.core.domain.money import format_pence, parse_pounds
from duty_tui.core.domain.validators import quoted


def clean_last4(text: str | None) -> str | None:
    """The last four digits of a card, or None when left blank."""
    value = re.sub(r"[\s\-*xX]", "", text or "")
    if not value:
        return None
    check_no_card_data("card last four", text)
    if value.isdigit() and len(value) == 3:
        raise ValueError(f"card last four: three digits {SECURITY_CODE_REFUSAL}; enter the LAST FOUR digits of the "
                         "card number, or leave it blank")
    if not (value.isdigit() and len(value) == 4):
        if value.isdigit() and len(value) > 4:
            raise ValueError("card last four: enter only the last four digits of the card number, never more")
        raise ValueError("card last four: enter exactly four digits (the end of the card number), or leave it blank")
    return value


_TERMINAL_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /_.:\-]{3,39}$")


def clean_terminal_ref(text: str | None, *, required: bool = True) -> str | None:
    """The card terminal's or payment gateway's reference for an approved card payment."""
    value = (text or "").strip()
    if not value:
        if required:
            raise ValueError("terminal/gateway reference: enter the reference from the terminal slip or the "
                             "payment gateway (e.g. the authorisation code) for a card payment")
        return None
    check_no_card_data("terminal/gateway reference", value)
    if re.fullmatch(r"\d{3,4}", value):
        raise ValueError(f"terminal/gateway reference: three or four digits alone {SECURITY_CODE_REFUSAL}; enter "
                         "the terminal's transaction or authorisation reference instead")
    if not _TERMINAL_REF.match(value):
        raise ValueError("terminal/gateway reference: use 4 to 40 letters, digits, spaces or / _ . : -")
    return value


def clean_cheque_no(text: str | None) -> str:
    """A cheque's serial number (the digits at the bottom left of the cheque)."""
    value = re.sub(r"\s", "", text or "")
    if not value:
        raise ValueError("cheque number: enter the cheque's number (the 6 digits at the bottom left)")
    check_no_card_data("cheque number", value)
    if not value.isdigit() or not 4 <= len(value) <= 10:
        raise ValueError(f"cheque number {quoted(value)}: use the digits at the bottom left of the cheque, usually 6")
    return value


def clean_free_text(label: str, text: str | None, *, max_length: int) -> str | None:
    """A free-text field (reference, note, payer): no card data, not too long; None when blank."""
    value = (text or "").strip()
    if not value:
        return None
    check_no_card_data(label, value)
    if len(value) > max_length:
        raise ValueError(f"{label} is {len(value)} characters; shorten it to {max_length}")
    return value


# --------------------------------------------------------------------------- splits


@dataclass(frozen=True)
class SplitLine:
    """The part of a payment that goes to one account."""

    account_ref: str
    amount_pence: int


@dataclass(frozen=True)
class AccountBalance:
    """An account a payment may go to, with its balance (positive = owed)."""

    ref: str
    account_type: str
    balance_pence: int


_SPLIT_PART = re.compile(r"^\s*([A-Za-z0-9]+)\s*[=: ]\s*(£?\s*[\d,]+(?:\.\d+)?)\s*$")


def parse_split(text: str, *, limit_pence: int | None = None) -> list[SplitLine]:
    """'RNT000001 60.00, FTA000001 40' -> two SplitLines; ValueError names the part that is wrong."""
    lines: list[SplitLine] = []
    for part in re.split(r"[,;\n]+(?=\s*[A-Za-z])", text or ""):
        if not part.strip():
            continue
        match = _SPLIT_PART.match(part)
        if not match:
            raise ValueError(f"split {quoted(part)}: write each part as ACCOUNT AMOUNT, e.g. RNT000001 60.00, "
                             "FTA000001 40.00")
        try:
            pence = parse_pounds(match.group(2), limit_pence=limit_pence)
        except ValueError as exc:
            raise ValueError(f"split {quoted(part)}: {exc}") from None
        lines.append(SplitLine(match.group(1).upper(), pence))
    if not lines:
        raise ValueError("split: give at least one ACCOUNT AMOUNT, e.g. RNT000001 60.00")
    return lines


def check_split(total_pence: int, lines: Sequence[SplitLine], allowed_refs: Iterable[str]) -> list[SplitLine]:
    """The split, when its parts go to the allowed accounts, once each, and add up to the total."""
    allowed = {ref.upper() for ref in allowed_refs}
    seen: set[str] = set()
    problems: list[str] = []
    for line in lines:
        if line.account_ref not in allowed:
            problems.append(f"split: {line.account_ref} is not one of this payer's open accounts "
                            f"({', '.join(sorted(allowed)) or 'none'})")
        if line.account_ref in seen:
            problems.append(f"split: {line.account_ref} appears twice; give each account once")
        seen.add(line.account_ref)
        if line.amount_pence <= 0:
            problems.append(f"split: the part for {line.account_ref} must be more than £0.00")
    parts = sum(line.amount_pence for line in lines)
    if parts != total_pence:
        problems.append(f"split: the parts add up to {format_pence(parts)} but the amount taken is "
                        f"{format_pence(total_pence)}; make them equal")
    if problems:
        raise ValueError("; ".join(problems))
    return list(lines)


def suggest_split(total_pence: int, accounts: Sequence[AccountBalance], priority: Sequence[str]) -> list[SplitLine]:
    """Pay owed balances in the policy's order of account types; any rest goes to the first account in that order."""
    if total_pence <= 0:
        raise ValueError("amount must be more than £0.00")
    if not accounts:
        raise ValueError("there is no open account to pay")
    rank = {code: index for index, code in enumerate(priority)}
    ordered = sorted(accounts, key=lambda a: (rank.get(a.account_type, len(rank)), a.ref))
    remaining = total_pence
    parts: dict[str, int] = {}
    for account in ordered:
        if remaining <= 0:
            break
        if account.balance_pence > 0:
            take = min(account.balance_pence, remaining)
            parts[account.ref] = take
            remaining -= take
    if remaining > 0:
        parts[ordered[0].ref] = parts.get(ordered[0].ref, 0) + remaining
    return [SplitLine(a.ref, parts[a.ref]) for a in ordered if a.ref in parts]


# --------------------------------------------------------------------------- arrangements

FREQUENCY_NAMES = {"weekly": "weekly", "fortnightly": "fortnightly", "four_weekly": "every four weeks",
                   "monthly": "monthly"}
_FREQUENCY_DAYS = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}


def instalment_due(start: date, frequency: str, index: int) -> date:
    """The due date of instalment ``index`` (0 = the start date).

    Monthly instalments fall on the start's day of the month, or the month's last day
    when it is shorter (31 January, then 28/29 February, then 31 March).
    """
    if frequency in _FREQUENCY_DAYS:
        return start + timedelta(days=_FREQUENCY_DAYS[frequency] * index)
    if frequency != "monthly":
        raise ValueError(f"frequency {quoted(frequency)} is not weekly, fortnightly, four_weekly or monthly")
    month0 = start.month - 1 + index
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Instalment:
    """One scheduled instalment."""

    seq: int
    due_date: date
    amount_pence: int


def build_schedule(start: date, frequency: str, amount_pence: int, total_pence: int,
                   *, max_instalments: int = 520) -> list[Instalment]:
    """Instalments of ``amount_pence`` until ``total_pence`` is paid (the last one smaller)."""
    if amount_pence <= 0:
        raise ValueError("instalment amount must be more than £0.00")
    if total_pence <= 0:
        raise ValueError("the total to pay must be more than £0.00")
    if amount_pence > total_pence:
        raise ValueError(f"the instalment ({format_pence(amount_pence)}) is more than the total to pay "
                         f"({format_pence(total_pence)}); lower it")
    count = -(-total_pence // amount_pence)
    if count > max_instalments:
        raise ValueError(f"{count} instalments is too many (at most {max_instalments}); raise the amount")
    schedule = []
    for index in range(count):
        amount = min(amount_pence, total_pence - amount_pence * index)
        schedule.append(Instalment(index + 1, instalment_due(start, frequency, index), amount))
    return schedule


@dataclass(frozen=True)
class InstalmentCheck:
    """An instalment checked against the ledger."""

    seq: int
    due_date: date
    amount_pence: int
    state: str  # met, missed, due (within grace), upcoming


# --------------------------------------------------------------------------- cash-up


@dataclass(frozen=True)
class CashUpLine:
    """Expected (from the ledger) against counted, for one method."""

    method: str
    payments: int
    expected_pence: int
    counted_pence: int

    @property
    def variance_pence(self) -> int:
        """Counted minus expected: positive is over, negative is short."""
        return self.counted_pence - self.expected_pence


def count_cash(counts: Mapping[int, int], denominations: Iterable[int]) -> int:
    """The cash total from how many of each note and coin were counted."""
    allowed = set(denominations)
    total = 0
    for pence, quantity in counts.items():
        if pence not in allowed:
            raise ValueError(f"{format_pence(pence)} is not a note or coin this till takes")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise ValueError(f"the count of {format_pence(pence)} must be a whole number, 0 or more")
        if quantity > 100_000:
            raise ValueError(f"{quantity} × {format_pence(pence)} is not a believable count; check it")
        total += pence * quantity
    return total


def parse_count(text: str) -> int:
    """How many notes or coins were typed ('' is none)."""
    value = (text or "").strip()
    if not value:
        return 0
    if not value.isdigit():
        raise ValueError(f"{quoted(value)} is not a count; type how many, e.g. 12")
    return int(value)


def cashup_lines(expected: Mapping[str, tuple[int, int]], counted: Mapping[str, int],
                 order: Sequence[str]) -> list[CashUpLine]:
    """One line per method that was expected or counted, in the policy's order."""
    methods = [m for m in order if m in expected or m in counted]
    methods += sorted(m for m in set(expected) | set(counted) if m not in methods)
    return [CashUpLine(m, expected.get(m, (0, 0))[0], expected.get(m, (0, 0))[1], counted.get(m, 0))
            for m in methods]


def check_variance_reason(lines: Sequence[CashUpLine], reason: str | None) -> str | None:
    """A reason is required when counted and expected differ; returns the cleaned reason."""
    text = (reason or "").strip()
    variance = sum(line.variance_pence for line in lines)
    uneven = any(line.variance_pence for line in lines)
    if uneven and len(text) < 5:
        over_short = "over" if variance > 0 else "short" if variance < 0 else "out by method"
        raise ValueError(f"the till is {over_short} by {format_pence(abs(variance))}: say why in the variance "
                         "reason (at least a few words)")
    if text:
        check_no_card_data("variance reason", text)
    return text or None


# --------------------------------------------------------------------------- refunds


def proven_credit(rows: Iterable[tuple[date, int]], today: date, clearance_days: int) -> int:
    """Credit (pence, >= 0) that the ledger proves: the lesser of the credit now and the
    credit from rows recorded at least ``clearance_days`` ago (recent payments may bounce)."""
    cutoff = today - timedelta(days=clearance_days)
    now_total = 0
    cleared_total = 0
    for day, pence in rows:
        now_total += pence
        if day <= cutoff or pence > 0:
            # Charges count at once (they only reduce the credit); credits only once cleared.
            cleared_total += pence
    return max(0, min(-now_total, -cleared_total))
