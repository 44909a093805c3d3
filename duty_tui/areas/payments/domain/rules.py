"""Payment rules that need no database: card data refusal, splits, arrangement schedules
and the "broken" test, cash-up variance by denomination, proven credit for refunds,
and the payment-file checks of docs/CLI.md.

Everything is pure: dates are arguments, money is integer pence, and a broken rule
raises ValueError (or FileProblems) whose text says what to fix.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from duty_tui.core.domain.card_data import (  # noqa: F401  (the payment rules' own, re-exported)
    CARD_NUMBER_REFUSAL,
    SECURITY_CODE_REFUSAL,
    check_no_card_data,
    contains_card_number,
    luhn_ok,
    mentions_security_code,
)
from duty_tui.core.domain.money import format_pence, parse_pounds
from duty_tui.core.domain.validators import parse_date, quoted


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


@dataclass(frozen=True)
class ArrangementCheck:
    """Where an arrangement stands on a day."""

    status: str  # kept, broken, completed, not_started
    due_to_date_pence: int
    paid_to_date_pence: int
    shortfall_pence: int
    missed: int
    next_due: date | None
    next_amount_pence: int
    instalments: tuple[InstalmentCheck, ...] = field(default=())

    @property
    def label(self) -> str:
        """One line for staff, with a text marker (never colour alone)."""
        if self.status == "broken":
            return (f"!! BROKEN: {format_pence(self.shortfall_pence)} behind, "
                    f"{self.missed} instalment{'s' if self.missed != 1 else ''} missed")
        if self.status == "completed":
            return "completed: all paid"
        if self.status == "not_started":
            return f"starts {self.next_due:%d/%m/%Y}" if self.next_due else "not started"
        nxt = f"; next {format_pence(self.next_amount_pence)} on {self.next_due:%d/%m/%Y}" if self.next_due else ""
        return f"kept{nxt}"


def check_arrangement(schedule: Sequence[Instalment], payments: Iterable[tuple[date, int]], today: date,
                      grace_days: int, *, total_pence: int | None = None) -> ArrangementCheck:
    """Check each due instalment against the payments (date, pence paid > 0) made since the start.

    An instalment is met when, by its due date plus the grace days, everything due up to
    and including it has been paid; it is missed when that day has passed and it was not.
    The arrangement is broken while its latest assessable instalment is missed (the
    payer is behind); paying the arrears brings it back to kept. ``total_pence`` is the
    whole plan's total when ``schedule`` holds only its first instalments (enough to judge today).
    """
    if not schedule:
        return ArrangementCheck("completed", 0, 0, 0, 0, None, 0, ())
    start = schedule[0].due_date
    paid = sorted((day, pence) for day, pence in payments if day >= start and pence)
    paid_total = sum(p for _, p in paid)
    total = sum(i.amount_pence for i in schedule) if total_pence is None else total_pence
    checks: list[InstalmentCheck] = []
    cumulative = 0
    missed = 0
    latest_missed = False
    due_to_date = 0
    next_due: date | None = None
    next_amount = 0
    for instalment in schedule:
        cumulative += instalment.amount_pence
        deadline = instalment.due_date + timedelta(days=grace_days)
        if today > deadline:
            paid_by = sum(p for day, p in paid if day <= deadline)
            met = paid_by >= cumulative
            checks.append(InstalmentCheck(instalment.seq, instalment.due_date, instalment.amount_pence,
                                          "met" if met else "missed"))
            missed += 0 if met else 1
            latest_missed = not met
            due_to_date = cumulative
        else:
            state = "due" if today >= instalment.due_date else "upcoming"
            checks.append(InstalmentCheck(instalment.seq, instalment.due_date, instalment.amount_pence, state))
            if next_due is None:
                next_due, next_amount = instalment.due_date, instalment.amount_pence
    if latest_missed and paid_total >= due_to_date:
        latest_missed = False  # paid late, but caught up since
    shortfall = max(0, due_to_date - paid_total)
    if paid_total >= total:
        status = "completed"
    elif today < start:
        status = "not_started"
    elif latest_missed:
        status = "broken"
    else:
        status = "kept"
    return ArrangementCheck(status, due_to_date, paid_total, shortfall, missed, next_due, next_amount, tuple(checks))


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


# --------------------------------------------------------------------------- payment files

REQUIRED_COLUMNS = ("date", "account_ref", "amount", "method", "external_id")
MAX_REPORTED_PROBLEMS = 100
EARLIEST_FILE_DATE = date(1990, 1, 1)
"""No payment file holds money received before this: an earlier date is a typo'd year ('0026', '1926')."""
FORMULA_STARTS = ("=", "+", "-", "@")
"""A cell starting with one of these is run as a formula when a CSV is opened in a spreadsheet."""
_UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Controls, format characters (bidi embeddings, overrides and isolates, zero-width characters), surrogates,
private-use and unassigned code points, line and paragraph separators: none shows as itself."""


def unseen_character(text: str) -> str | None:
    """The first character in ``text`` that does not show as itself, e.g. 'U+202E RIGHT-TO-LEFT OVERRIDE';
    None when every character is visible. A bidi override in a ref makes 'RNT000123' read as another."""
    for char in text:
        if unicodedata.category(char) in _UNSEEN_CATEGORIES:
            name = unicodedata.name(char, "")
            return f"U+{ord(char):04X}" + (f" {name}" if name else "")
    return None


def ref_problem(column: str, value: str) -> str | None:
    """What is wrong with an account ref or transaction id that no provider would send, or None: a
    spreadsheet formula ('=cmd|...', later exported into someone's Excel) or an unseen character."""
    shown = quoted(value)
    if value.startswith(FORMULA_STARTS):
        return (f"{column} {shown} starts with {value[0]!r}, which a spreadsheet runs as a formula; a provider's "
                "ref never does — check the file's origin")
    unseen = unseen_character(value)
    if unseen:
        return (f"{column} {shown} holds a control or formatting character ({unseen}) that hides or reorders what "
                "is shown; a provider's ref never does — export the file again as plain CSV")
    return None


class FileProblems(ValueError):
    """A payment file that cannot be imported: one message per problem, 'line N: ...'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "the file cannot be imported")
        self.problems = problems


@dataclass(frozen=True)
class ImportRow:
    """One checked row of a payment file."""

    line: int
    date: date
    account_ref: str
    amount_pence: int
    method: str
    external_id: str


@dataclass(frozen=True)
class ImportedBefore:
    """What the ledger holds for a transaction id imported before: its row as the file gave it."""

    external_id: str
    date: date
    account_ref: str  # as given in the file ('' for none), even when the money went to suspense
    amount_pence: int
    method: str | None


def changed_row_problem(row: ImportRow, before: ImportedBefore) -> str | None:
    """None when ``row`` repeats what was imported under its external_id (skip it); otherwise the problem
    line: a provider never reuses a transaction id, so a known id with another date, account, amount or
    method is a wrong file or a wrong id, and must not be silently dropped."""
    differs = []
    if row.date != before.date:
        differs.append(f"date {row.date:%d/%m/%Y}")
    if row.account_ref != before.account_ref:
        differs.append(f"account {row.account_ref or '(none)'}")
    if row.amount_pence != before.amount_pence:
        differs.append(f"amount {format_pence(row.amount_pence)}")
    if row.method != before.method:
        differs.append(f"method {row.method}")
    if not differs:
        return None
    return (f"line {row.line}: external_id {quoted(row.external_id)} was imported on {before.date:%d/%m/%Y} for "
            f"{before.account_ref or '(no account ref)'} {format_pence(before.amount_pence)}; this row differs "
            f"({', '.join(differs)}): a provider never reuses a transaction id — check the file with them")


def decode_payment_file(data: bytes) -> str:
    """The file as text: UTF-8 (a byte-order mark is allowed), else FileProblems naming the line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblems(["line 1: the file is UTF-16 text; save it as UTF-8 (CSV UTF-8) and import it again"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        hint = " (a £ sign saved as Windows-1252/Latin-1?)" if byte == 0xA3 else ""
        raise FileProblems([f"line {line}: the file is not UTF-8 text (byte 0x{byte:02X}{hint}); save it as "
                            "UTF-8 (CSV UTF-8) and import it again"]) from None


def parse_payment_file(data: bytes, *, methods: Sequence[str], row_limit_pence: int | None,
                       today: date) -> list[ImportRow]:
    """Check a whole payment file (docs/CLI.md `payments import`); FileProblems lists every problem."""
    text = decode_payment_file(data)
    if "\x00" in text:
        raise FileProblems(["line 1: the file holds NUL bytes, so it is not a CSV text file; export it as CSV"])
    # strict: a quote opened and never closed is an error, not the rest of the file read as one value.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblems(["line 1: the file is empty; it needs a header row naming "
                            + ", ".join(REQUIRED_COLUMNS)]) from None
    except csv.Error as exc:
        raise FileProblems([f"line 1: the header is not valid CSV ({exc}); check the quotes on that line"]) from None
    if reader.line_num > 1:
        raise FileProblems([f"line 1: the header runs on to line {reader.line_num} (a quote opened on line 1 "
                            f"closes on line {reader.line_num}); check the quotes"])
    names = [name.strip().lower() for name in header]
    problems: list[str] = []
    for name in set(names):
        if name in REQUIRED_COLUMNS and names.count(name) > 1:
            problems.append(f"line 1: column {quoted(name)} appears twice; keep one")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(f"line 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; the header "
                        f"must name {', '.join(REQUIRED_COLUMNS)} (in any order)")
    if problems:
        raise FileProblems(sorted(problems))
    index = {c: names.index(c) for c in REQUIRED_COLUMNS}
    allowed_methods = set(methods)
    rows: list[ImportRow] = []
    first_line_of: dict[str, int] = {}
    extra = 0
    line = 1
    while True:
        line = reader.line_num + 1  # where the next row starts
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                problems.append(f"line {line}: a quote (\") opened on this line is never closed, so the rest of the "
                                "file would be read as one value; close the quote or remove it")
            else:
                problems.append(f"line {line}: not valid CSV ({exc}); check the quotes on that line")
            break
        if not any(field.strip() for field in record):
            continue  # a blank line
        if reader.line_num > line:
            problems.append(f"line {line}: a quoted value runs on to line {reader.line_num} (a quote opened on "
                            f"line {line} closes on line {reader.line_num}); a payment file has one row per line — "
                            "check the quotes")
            continue
        row_problems: list[str] = []

        def value(column: str) -> str:  # called only within this row's iteration
            position = index[column]
            return record[position].strip() if position < len(record) else ""  # noqa: B023

        raw_date = value("date")
        when: date | None = None
        try:
            when = parse_date(raw_date) if raw_date else None
            if when is None:
                row_problems.append("date is empty; use YYYY-MM-DD or DD/MM/YYYY")
            elif when > today:
                row_problems.append(f"date {quoted(raw_date)} is in the future; check the day and month are not swapped")
            elif when < EARLIEST_FILE_DATE:
                row_problems.append(f"date {quoted(raw_date)} is before {EARLIEST_FILE_DATE.year}; check the year")
        except ValueError as exc:
            row_problems.append(f"date {exc}")
        ref = value("account_ref").upper()
        if len(ref) > 64:
            row_problems.append("account_ref is longer than 64 characters")
        raw_amount = value("amount")
        amount = 0
        try:
            amount = parse_pounds(raw_amount, limit_pence=row_limit_pence)
        except ValueError as exc:
            row_problems.append(str(exc) if raw_amount else "amount is empty; give pounds, e.g. 25.00")
        method = value("method").lower()
        if method not in allowed_methods:
            shown = repr(value("method")) if value("method") else "is empty"
            row_problems.append(f"method {shown}{' is not known' if value('method') else ''}; use one of "
                                + ", ".join(methods))
        external_id = value("external_id")
        for column, cell in (("account_ref", ref), ("external_id", external_id)):
            problem = ref_problem(column, cell)
            if problem:
                row_problems.append(problem)
        if not external_id:
            row_problems.append("external_id is empty; every row needs the provider's transaction id")
        elif len(external_id) > 64:
            row_problems.append("external_id is longer than 64 characters")
        elif external_id in first_line_of:
            row_problems.append(f"external_id {quoted(external_id)} is also on line {first_line_of[external_id]}; "
                                "each transaction id must appear once in the file")
        else:
            first_line_of[external_id] = line
        for problem in row_problems:
            if len(problems) < MAX_REPORTED_PROBLEMS:
                problems.append(f"line {line}: {problem}")
            else:
                extra += 1
        if not row_problems and when is not None:
            rows.append(ImportRow(line, when, ref, amount, method, external_id))
    if extra:
        problems.append(f"… and {extra} more problem{'s' if extra > 1 else ''}; fix the ones above first")
    if problems:
        raise FileProblems(problems)
    if not rows:
        raise FileProblems([f"line {max(reader.line_num, 1)}: the file has a header but no payment rows"])
    return rows
