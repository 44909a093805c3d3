"""Charges in (docs/RENTS_IMPORT.md): reading and checking a charges CSV as a whole. Pure.

Every problem is one sentence beginning ``line N:`` (the file's line number, the header being line 1)
that names the rule and the fix. The checks that need the database (unknown refs, weeks already posted,
rows already in the database) are the service's; these are the ones the file alone can answer.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from duty_tui.areas.rents.domain.charges import FREQUENCIES
from duty_tui.core.domain.money import parse_pounds
from duty_tui.core.domain.validators import parse_date

COLUMNS = ("property_ref", "tenancy_ref", "charge_code", "amount", "frequency", "effective_from", "effective_to",
           "reason")
REQUIRED = ("charge_code", "amount", "frequency", "effective_from", "reason")
REASON_MAX = 500
MAX_LISTED = 200


@dataclass(frozen=True)
class ChargeFileLine:
    """One checked line: the owner (``per`` is "property" or "tenancy" and ``ref`` its ref) and the charge."""

    line: int
    per: str
    ref: str
    code: str
    amount_pence: int
    frequency: str
    effective_from: date
    effective_to: date | None
    reason: str

    @property
    def owner(self) -> tuple[str, str]:
        return self.per, self.ref


def _header_problems(fields: Sequence[str] | None) -> list[str]:
    if not fields:
        return ["line 1: the file is empty; the first line names the columns (docs/RENTS_IMPORT.md)"]
    names = [(name or "").strip().lower() for name in fields]
    problems = [f"line 1: column {name!r} is not one of {', '.join(COLUMNS)}; rename or remove it"
                for name in names if name not in COLUMNS]
    problems += [f"line 1: column {name!r} is missing; add it (docs/RENTS_IMPORT.md)" for name in REQUIRED
                 if name not in names]
    if "property_ref" not in names and "tenancy_ref" not in names:
        problems.append("line 1: give a property_ref or a tenancy_ref column (or both, one filled per line)")
    problems += [f"line 1: column {name!r} appears twice; keep one" for name in sorted(set(names))
                 if names.count(name) > 1]
    return problems


def _date(raw: str, column: str, number: int, problems: list[str]) -> date | None:
    try:
        return parse_date(raw)
    except ValueError as exc:
        problems.append(f"line {number}: {column}: {exc}")
        return None


def _one_line(number: int, row: Mapping[str, str], per_of: Mapping[str, str],
              problems: list[str]) -> ChargeFileLine | None:
    """A line checked on its own, or None with its problems added."""
    before = len(problems)
    get = {key: (row.get(key) or "").strip() for key in COLUMNS}
    prop, ten = get["property_ref"].upper(), get["tenancy_ref"].upper()
    if bool(prop) == bool(ten):
        problems.append(f"line {number}: fill exactly one of property_ref and tenancy_ref")
    code = get["charge_code"].lower()
    per = "property" if prop else "tenancy"
    if code not in per_of:
        problems.append(f"line {number}: unknown charge code {code!r}; use one of {', '.join(per_of)} "
                        "(data/rents/charge_types.toml)")
    elif bool(prop) != bool(ten) and per_of[code] != per:
        problems.append(f"line {number}: {code} is a charge per {per_of[code]}; give a {per_of[code]}_ref, "
                        f"not a {per}_ref")
    amount = 0
    if get["amount"] not in ("0", "0.00", "£0.00"):
        try:
            amount = parse_pounds(get["amount"])
        except ValueError as exc:
            problems.append(f"line {number}: amount: {exc}")
    frequency = get["frequency"].lower().replace("-", "_")
    if frequency not in FREQUENCIES:
        problems.append(f"line {number}: frequency {get['frequency']!r} is not one of {', '.join(FREQUENCIES)}")
    starts = _date(get["effective_from"], "effective_from", number, problems)
    ends = _date(get["effective_to"], "effective_to", number, problems) if get["effective_to"] else None
    if starts and ends and ends < starts:
        problems.append(f"line {number}: the charge ends ({ends:%d/%m/%Y}) before it starts ({starts:%d/%m/%Y}); "
                        "make effective_to the same as effective_from or later, or leave it empty")
    reason = get["reason"]
    if not reason or len(reason) > REASON_MAX:
        problems.append(f"line {number}: reason: say why the charge is set (1-{REASON_MAX} characters)")
    if len(problems) > before or starts is None:
        return None
    return ChargeFileLine(number, per, prop or ten, code, amount, frequency, starts, ends, reason)


def _overlaps(lines: list[ChargeFileLine]) -> list[str]:
    """Two lines of the same owner and charge code whose dates overlap (an open end runs for ever)."""
    by_key: dict[tuple[str, str, str], list[ChargeFileLine]] = defaultdict(list)
    for line in lines:
        by_key[(line.per, line.ref, line.code)].append(line)
    problems = []
    for group in by_key.values():
        group.sort(key=lambda item: (item.effective_from, item.line))
        for earlier, later in zip(group, group[1:], strict=False):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                problems.append(f"line {later.line}: {later.code} for {later.ref} overlaps line {earlier.line} "
                                f"(from {earlier.effective_from:%d/%m/%Y}); give line {earlier.line} an "
                                f"effective_to before {later.effective_from:%d/%m/%Y} or remove one")
    return problems


def read_charge_file(text: str, per_of: Mapping[str, str]) -> tuple[list[ChargeFileLine], list[str]]:
    """The file's lines and every problem the file alone shows, in line order. ``per_of``: charge code -> per."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    problems = _header_problems(reader.fieldnames)
    if problems:
        return [], problems
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    lines: list[ChargeFileLine] = []
    for row in reader:
        number = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        if None in row:
            problems.append(f"line {number}: more values than columns; check the commas (quote a reason "
                            "with a comma in it)")
            continue
        line = _one_line(number, row, per_of, problems)
        if line is not None:
            lines.append(line)
    if not lines and not problems:
        problems.append("line 2: the file has no charge lines; add one line per charge under the header")
    problems += _overlaps(lines)
    return lines, sorted(problems, key=_line_number)


def _line_number(problem: str) -> int:
    return int(problem.split(":", 1)[0].removeprefix("line "))
