"""Bacs files: the Standard 18 collection and AUDDIS files written, the ARUDD and ADDACS returns read
(layouts in docs/RENTS_DIRECT_DEBIT.md). Pure: text in, text out.

Standard 18 data record, 100 characters: destination sort code (6), account number (8), account
type '0' (1), transaction code (2), originator's sort code (6) and account number (8), 4 spaces,
amount in pence (11, zero-filled), originator's name (18), the mandate reference (18), the payer's
name (18). A collection file ends with its contra record (code 99: the credit to the originator's
account of the file's total) and is wrapped in the UHL1/UTL1 user labels; the VOL1/HDR/EOF labels are
added by the Bacs-approved software that submits the file. AUDDIS records have the same layout with
codes 0N, 0C, 0S and a zero amount.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from duty_tui.areas.payments.domain.mandate import ADDACS_REASONS, ARUDD_REASONS

__all__ = ["Originator", "Record", "ReturnRow", "parse_returns", "standard18_file"]


@dataclass(frozen=True, slots=True)
class Originator:
    """The council as a Bacs service user: its SUN, bank account and name (data/payments/direct_debit.toml)."""

    sun: str
    sort_code: str
    account_number: str
    name: str


@dataclass(frozen=True, slots=True)
class Record:
    """One payer line: their bank details, the transaction code, the amount and the mandate reference."""

    sort_code: str
    account_number: str
    code: str
    amount_pence: int
    reference: str
    payer_name: str


def _record(o: Originator, r: Record) -> str:
    line = (f"{r.sort_code:>06}{r.account_number:>08}0{r.code:2}{o.sort_code}{o.account_number}    "
            f"{r.amount_pence:011d}{o.name[:18]:<18}{r.reference[:18]:<18}{r.payer_name[:18]:<18}")
    assert len(line) == 100, line
    return line


def _julian(day: date) -> str:
    return f" {day.strftime('%y')}{day.timetuple().tm_yday:03d}"


def standard18_file(o: Originator, processing: date, records: list[Record], *, contra: bool = True,
                    file_number: int = 1) -> str:
    """A Standard 18 file: UHL1, the data records, the contra (for collections), UTL1; CRLF line ends."""
    lines = [f"UHL1{_julian(processing)}{o.sun:<10}00000000{'1 DAILY':<9}{file_number:03d}".ljust(80)]
    lines += [_record(o, r) for r in records]
    total = sum(r.amount_pence for r in records)
    if contra and records:
        lines.append(_record(o, Record(o.sort_code, o.account_number, "99", total, "CONTRA", o.name)))
    debits = len(records)
    credits = 1 if contra and records else 0
    lines.append(f"UTL1{total:013d}{total if credits else 0:013d}{debits:07d}{credits:07d}".ljust(80))
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True, slots=True)
class ReturnRow:
    """One row of an ARUDD or ADDACS returns file, checked."""

    line: int
    return_id: str
    received: date
    reference: str
    reason: str
    collection_date: date | None = None
    amount_pence: int | None = None
    sort_code: str | None = None
    account_number: str | None = None


ARUDD_COLUMNS = ("return_id", "date", "reference", "collection_date", "amount_pence", "reason_code")
ADDACS_COLUMNS = ("return_id", "date", "reference", "reason_code", "new_sort_code", "new_account_number")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _row(report: str, number: int, raw: dict[str, str], problems: list[str]) -> ReturnRow | None:
    found = len(problems)
    rid, ref, code = raw["return_id"].strip(), raw["reference"].strip().upper(), raw["reason_code"].strip().upper()
    received = _day(raw["date"])
    if not rid or len(rid) > 48:
        problems.append(f"line {number}: return_id: give the report's own id for the row (1 to 48 characters)")
    if received is None:
        problems.append(f"line {number}: date: {raw['date']!r} is not a date; use YYYY-MM-DD")
    if not ref:
        problems.append(f"line {number}: reference: give the mandate reference")
    reasons = ARUDD_REASONS if report == "arudd" else ADDACS_REASONS
    if code not in reasons:
        problems.append(f"line {number}: reason_code: {code!r} is not an {report.upper()} code "
                        f"({', '.join(reasons)})")
    collected, amount, sort_code, account = None, None, None, None
    if report == "arudd":
        collected = _day(raw["collection_date"])
        if collected is None:
            problems.append(f"line {number}: collection_date: {raw['collection_date']!r} is not a date; use YYYY-MM-DD")
        text = raw["amount_pence"].strip()
        amount = int(text) if text.isdigit() else None
        if amount is None:
            problems.append(f"line {number}: amount_pence: {text!r} is not a whole number of pence")
    else:
        sort_code = raw["new_sort_code"].strip().replace("-", "") or None
        account = raw["new_account_number"].strip() or None
        if code == "C" and not (sort_code and account):
            problems.append(f"line {number}: reason C (transferred with new details) needs new_sort_code and "
                            "new_account_number")
    if len(problems) > found:
        return None
    assert received is not None
    return ReturnRow(number, rid, received, ref, code, collected, amount, sort_code, account)


def parse_returns(report: str, text: str) -> tuple[list[ReturnRow], list[str]]:
    """Read an ARUDD or ADDACS CSV whole: the rows, and one ``line N: …`` problem per mistake."""
    columns = ARUDD_COLUMNS if report == "arudd" else ADDACS_COLUMNS
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        return [], [f"line 1: the header needs the columns {', '.join(columns)} (missing {', '.join(missing)})"]
    rows: list[ReturnRow] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        row = _row(report, number, {k: (raw.get(k) or "") for k in columns}, problems)
        if row is None:
            continue
        if row.return_id in seen:
            problems.append(f"line {number}: return_id {row.return_id!r} appears twice in the file; keep one")
            continue
        seen.add(row.return_id)
        rows.append(row)
    if not rows and not problems:
        problems.append("line 2: the file has no rows")
    return rows, problems
