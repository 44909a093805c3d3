"""The quarter's homelessness statistics in the published live-table categories.

Pure: the report module reads plain rows from the database and this module counts them, so
the same counting is property-tested without a database. Quarters are calendar quarters,
as the ministry publishes them (2026Q3 = July to September 2026).

Counting rules (each table says its population):
- A1 duty owed at initial assessment: cases whose initial assessment date falls in the quarter.
- A2 reason for loss of last settled home: of those, the ones owed prevention or relief.
- A3 support needs: the same households; one household may have several needs.
- P1 / R1 prevention / relief outcomes: duties that ended in the quarter, by reason.
- MD final decisions when relief ended in the quarter.
- TA1 households in temporary accommodation on the quarter's last day, by type.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")


@dataclass(frozen=True, slots=True)
class Quarter:
    """A calendar quarter: 2026Q3 runs from 1 July to 30 September 2026."""

    year: int
    number: int

    @property
    def start(self) -> date:
        """First day."""
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """Last day."""
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        """'2026Q3'."""
        return f"{self.year}Q{self.number}"

    @property
    def words(self) -> str:
        """'July to September 2026'."""
        return f"{self.start:%B} to {self.end:%B %Y}"

    def contains(self, day: date | None) -> bool:
        """True when ``day`` falls in the quarter."""
        return day is not None and self.start <= day <= self.end


def parse_quarter(text: str) -> Quarter:
    """'2026Q3' -> Quarter; ValueError saying what to type otherwise."""
    match = _QUARTER.match((text or "").strip())
    if not match:
        raise ValueError(f"--quarter {text!r} is not a quarter; use YYYYQn, e.g. 2026Q3 (July to September 2026)")
    year, number = int(match.group(1)), int(match.group(2))
    if not 2018 <= year <= 2100:
        raise ValueError(f"--quarter {text!r}: the year must be between 2018 (H-CLIC began) and 2100")
    return Quarter(year, number)


def quarter_of(day: date) -> Quarter:
    """The quarter a date falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case as the statistics need it."""

    case_ref: str
    assessed_on: date | None
    assessment_duty: str | None  # prevention, relief, not_owed, ineligible
    loss_reason: str | None
    support_needs: tuple[str, ...] = ()
    children: int = 0


@dataclass(frozen=True, slots=True)
class MoveRow:
    """One recorded stage move."""

    case_ref: str
    on_date: date
    from_stage: str
    to_stage: str
    reason: str
    final_decision: str | None = None


@dataclass(frozen=True, slots=True)
class TaRow:
    """One temporary accommodation placement."""

    case_ref: str
    start_on: date
    end_on: date | None
    ta_type: str
    children: int = 0


@dataclass(frozen=True)
class Table:
    """One statistics table: a title, column headings and rows of (label, counts...)."""

    code: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    population: str
    case_refs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # row label -> cases, for checking

    def total(self, column: int = 1) -> int:
        """Sum of one numeric column over the rows (column 1 = the first count)."""
        return sum(int(r[column]) for r in self.rows)


@dataclass(frozen=True)
class QuarterStats:
    """Every table for one quarter."""

    quarter: Quarter
    tables: tuple[Table, ...]

    def table(self, code: str) -> Table:
        """The table with this code."""
        for t in self.tables:
            if t.code == code:
                return t
        raise KeyError(code)


ASSESSMENT_WORDS = {
    "prevention": "Threatened with homelessness - prevention duty owed",
    "relief": "Homeless - relief duty owed",
    "not_owed": "Not homeless nor threatened with homelessness within 56 days - no duty owed",
    "ineligible": "Not eligible for assistance (outside the A1 total of eligible households)",
}


def _labelled(counter: Counter, labels: Mapping[str, str], order: Iterable[str]) -> list[tuple[str, int]]:
    rows = []
    seen = set()
    for code in order:
        label = labels.get(code, code)
        if label in seen:
            continue
        seen.add(label)
        rows.append((label, sum(n for c, n in counter.items() if labels.get(c, c) == label)))
    for code, n in counter.items():  # codes not in the reference data are still counted
        label = labels.get(code, code)
        if label not in seen:
            seen.add(label)
            rows.append((label, n))
    return rows


def quarter_statistics(quarter: Quarter, cases: Iterable[CaseRow], moves: Iterable[MoveRow],
                       placements: Iterable[TaRow], *, loss_reasons: Mapping[str, str],
                       support_needs: Mapping[str, str], prevention_labels: Mapping[str, str],
                       relief_labels: Mapping[str, str], final_decisions: Mapping[str, str],
                       ta_types: Mapping[str, str]) -> QuarterStats:
    """Count the quarter's tables from plain rows (labels map duty-tui codes to headings)."""
    cases = list(cases)
    assessed = [c for c in cases if quarter.contains(c.assessed_on) and c.assessment_duty]
    a1 = Counter(c.assessment_duty for c in assessed)
    a1_refs = {ASSESSMENT_WORDS.get(k, k): tuple(c.case_ref for c in assessed if c.assessment_duty == k)
               for k in ASSESSMENT_WORDS}
    a1_rows = [(ASSESSMENT_WORDS[k], str(a1.get(k, 0))) for k in ASSESSMENT_WORDS]
    a1_rows += [(k, str(n)) for k, n in a1.items() if k not in ASSESSMENT_WORDS]

    owed = [c for c in assessed if c.assessment_duty in ("prevention", "relief")]
    loss_rows = []
    for code, label in list(loss_reasons.items()) + [(None, "Not recorded")]:
        p = sum(1 for c in owed if c.loss_reason == code and c.assessment_duty == "prevention")
        r = sum(1 for c in owed if c.loss_reason == code and c.assessment_duty == "relief")
        loss_rows.append((label, str(p), str(r), str(p + r)))
    stray = Counter(c.loss_reason for c in owed if c.loss_reason is not None and c.loss_reason not in loss_reasons)
    for code, n in stray.items():
        p = sum(1 for c in owed if c.loss_reason == code and c.assessment_duty == "prevention")
        loss_rows.append((code, str(p), str(n - p), str(n)))

    with_needs = [c for c in owed if c.support_needs]
    need_counts = Counter(n for c in owed for n in set(c.support_needs))
    support_rows = [("Households owed a prevention or relief duty", str(len(owed))),
                    ("Households with one or more support needs", str(len(with_needs))),
                    ("Households with no support needs recorded", str(len(owed) - len(with_needs)))]
    support_rows += [(label, str(need_counts.get(code, 0))) for code, label in support_needs.items()]
    support_rows += [(code, str(n)) for code, n in need_counts.items() if code not in support_needs]

    moves = list(moves)
    in_quarter = [m for m in moves if quarter.contains(m.on_date)]
    prevention_ends = Counter(m.reason for m in in_quarter if m.from_stage == "prevention")
    relief_ends = Counter(m.reason for m in in_quarter if m.from_stage == "relief")
    p1 = _labelled(prevention_ends, prevention_labels, prevention_labels.keys())
    r1 = _labelled(relief_ends, relief_labels, relief_labels.keys())
    finals = Counter(m.final_decision for m in in_quarter if m.from_stage == "relief" and m.final_decision)
    md = [(label, finals.get(code, 0)) for code, label in final_decisions.items()]
    md += [(code, n) for code, n in finals.items() if code not in final_decisions]

    end = quarter.end
    live = [p for p in placements if p.start_on <= end and (p.end_on is None or p.end_on > end)]
    households: dict[str, TaRow] = {}
    for p in sorted(live, key=lambda p: (p.case_ref, p.start_on)):
        households[p.case_ref] = p  # one household counted once, in its latest placement
    by_type = Counter(p.ta_type for p in households.values())
    with_children = Counter(p.ta_type for p in households.values() if p.children > 0)
    ta_rows = [(label, str(by_type.get(code, 0)), str(with_children.get(code, 0))) for code, label in ta_types.items()]
    ta_rows += [(code, str(n), str(with_children.get(code, 0))) for code, n in by_type.items() if code not in ta_types]

    tables = (
        Table("A1", "Duty owed at initial assessment", ("Duty owed", "Households"), tuple(a1_rows),
              "households whose initial assessment was made in the quarter", a1_refs),
        Table("A2", "Reason for loss, or threat of loss, of last settled home",
              ("Reason", "Prevention duty owed", "Relief duty owed", "Total"), tuple(loss_rows),
              "households owed a prevention or relief duty, assessed in the quarter"),
        Table("A3", "Support needs of households owed a prevention or relief duty", ("Support need", "Households"),
              tuple(support_rows), "households owed a prevention or relief duty, assessed in the quarter; "
              "a household may have several needs"),
        Table("P1", "Prevention duty outcomes", ("Reason the prevention duty ended", "Households"),
              tuple((label, str(n)) for label, n in p1), "prevention duties that ended in the quarter"),
        Table("R1", "Relief duty outcomes", ("Reason the relief duty ended", "Households"),
              tuple((label, str(n)) for label, n in r1), "relief duties that ended in the quarter"),
        Table("MD1", "Decisions when the relief duty ended", ("Decision", "Households"),
              tuple((label, str(n)) for label, n in md), "main duty decisions made in the quarter"),
        Table("TA1", "Households in temporary accommodation at the end of the quarter",
              ("Type of accommodation", "Households", "With children"), tuple(ta_rows),
              f"households in temporary accommodation on {end:%d/%m/%Y}"),
    )
    return QuarterStats(quarter, tables)
