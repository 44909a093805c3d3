"""The payment-file checks of docs/CLI.md (`payments import`): the file decoded, its header and
every row checked, and each problem named by its line so the sender can fix the file.

Pure, like rules.py: ``today`` is an argument, money is integer pence, and a file that cannot be
imported raises FileProblems listing every problem found (up to MAX_REPORTED_PROBLEMS).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from duty_tui.core.domain.money import format_pence, parse_pounds
from duty_tui.core.domain.validators import parse_date, quoted

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
    # strict: a quote opened and never closed is an error, not the rest of the file read as one value.
    reader = csv.reader(io.StringIO(_payment_text(data), newline=""), strict=True)
    index = _header_index(reader)
    checks = _RowChecks(methods, row_limit_pence, today)
    rows: list[ImportRow] = []
    problems: list[str] = []
    extra = 0
    for line, record in _records(reader, problems):
        cells = {column: record[position].strip() if position < len(record) else ""
                 for column, position in index.items()}
        row_problems, row = checks.check(line, cells)
        for problem in row_problems:
            if len(problems) < MAX_REPORTED_PROBLEMS:
                problems.append(f"line {line}: {problem}")
            else:
                extra += 1
        if row is not None:
            rows.append(row)
    if extra:
        problems.append(f"… and {extra} more problem{'s' if extra > 1 else ''}; fix the ones above first")
    if problems:
        raise FileProblems(problems)
    if not rows:
        raise FileProblems([f"line {max(reader.line_num, 1)}: the file has a header but no payment rows"])
    return rows


def _payment_text(data: bytes) -> str:
    """The file as text, refused when it holds NUL bytes (a spreadsheet's own format, not CSV)."""
    text = decode_payment_file(data)
    if "\x00" in text:
        raise FileProblems(["line 1: the file holds NUL bytes, so it is not a CSV text file; export it as CSV"])
    return text


def _header_index(reader: _CsvReader) -> dict[str, int]:
    """Where each required column is in the header row (any order); FileProblems when the header is
    missing, not valid CSV, runs on past line 1, names a column twice or leaves one out."""
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
    return {c: names.index(c) for c in REQUIRED_COLUMNS}


def _records(reader: _CsvReader, problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Each data row with the line it starts on. Blank lines are skipped; a row whose quoted value runs
    on to another line is skipped with a problem, and broken CSV ends the reading with one."""
    while True:
        line = reader.line_num + 1  # where the next row starts
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                problems.append(f"line {line}: a quote (\") opened on this line is never closed, so the rest of the "
                                "file would be read as one value; close the quote or remove it")
            else:
                problems.append(f"line {line}: not valid CSV ({exc}); check the quotes on that line")
            return
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        if reader.line_num > line:
            problems.append(f"line {line}: a quoted value runs on to line {reader.line_num} (a quote opened on "
                            f"line {line} closes on line {reader.line_num}); a payment file has one row per line — "
                            "check the quotes")
            continue
        yield line, record


@dataclass
class _RowChecks:
    """The checks on one row's cells, remembering each transaction id's first line across the file."""

    methods: Sequence[str]
    row_limit_pence: int | None
    today: date
    first_line_of: dict[str, int] = field(default_factory=dict)

    def check(self, line: int, cells: dict[str, str]) -> tuple[list[str], ImportRow | None]:
        """The row's problems (without the 'line N: ' prefix) and, when it has none, the row."""
        problems: list[str] = []
        when = self._date(cells["date"], problems)
        ref = cells["account_ref"].upper()
        if len(ref) > 64:
            problems.append("account_ref is longer than 64 characters")
        amount = self._amount(cells["amount"], problems)
        method = self._method(cells["method"], problems)
        external_id = cells["external_id"]
        for column, cell in (("account_ref", ref), ("external_id", external_id)):
            problem = ref_problem(column, cell)
            if problem:
                problems.append(problem)
        self._external_id(external_id, line, problems)
        if problems or when is None:
            return problems, None
        return problems, ImportRow(line, when, ref, amount, method, external_id)

    def _date(self, raw: str, problems: list[str]) -> date | None:
        when: date | None = None
        try:
            when = parse_date(raw) if raw else None
            if when is None:
                problems.append("date is empty; use YYYY-MM-DD or DD/MM/YYYY")
            elif when > self.today:
                problems.append(f"date {quoted(raw)} is in the future; check the day and month are not swapped")
            elif when < EARLIEST_FILE_DATE:
                problems.append(f"date {quoted(raw)} is before {EARLIEST_FILE_DATE.year}; check the year")
        except ValueError as exc:
            problems.append(f"date {exc}")
        return when

    def _amount(self, raw: str, problems: list[str]) -> int:
        try:
            return parse_pounds(raw, limit_pence=self.row_limit_pence)
        except ValueError as exc:
            problems.append(str(exc) if raw else "amount is empty; give pounds, e.g. 25.00")
            return 0

    def _method(self, raw: str, problems: list[str]) -> str:
        method = raw.lower()
        if method not in set(self.methods):
            shown = repr(raw) if raw else "is empty"
            problems.append(f"method {shown}{' is not known' if raw else ''}; use one of " + ", ".join(self.methods))
        return method

    def _external_id(self, external_id: str, line: int, problems: list[str]) -> None:
        if not external_id:
            problems.append("external_id is empty; every row needs the provider's transaction id")
        elif len(external_id) > 64:
            problems.append("external_id is longer than 64 characters")
        elif external_id in self.first_line_of:
            problems.append(f"external_id {quoted(external_id)} is also on line {self.first_line_of[external_id]}; "
                            "each transaction id must appear once in the file")
        else:
            self.first_line_of[external_id] = line


class _CsvReader(Protocol):
    """What the checks use of csv.reader's reader: the rows, and the physical line it has read to."""

    @property
    def line_num(self) -> int: ...

    def __next__(self) -> list[str]: ...
