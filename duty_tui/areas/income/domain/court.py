"""The court as pure functions: a claim's hearing window (CPR 55.5(3)), the daily rent, the rent schedule
with its running balance (PD 55A para 2.3A) and the N119 particulars in the form's order
(docs/INCOME_COURT.md). No database, no files, no clock: dates are arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from duty_tui.areas.income.domain.law_table import LawNotHeld, LawTable

COURT_OUTCOME_WORDS = {
    "suspended_order": "suspended possession order on terms", "adjourned_on_terms": "adjourned on terms",
    "outright_order": "outright possession order", "adjourned_generally": "adjourned generally",
    "struck_out": "struck out", "withdrawn": "withdrawn", "dismissed": "dismissed",
}
EVICTION_OUTCOMES = {"evicted": "the tenant was evicted", "stayed": "the warrant was stayed (suspended) by the court",
                     "cancelled": "the eviction was cancelled", "tenant_left": "the tenant left before the eviction"}
CLOSE_REASONS = {"withdrawn": "the claim was withdrawn", "struck_out": "the claim was struck out",
                 "dismissed": "the claim was dismissed", "possession_obtained": "possession was obtained",
                 "tenancy_ended": "the tenancy ended", "arrears_cleared": "the arrears were cleared",
                 "other": "another reason"}
SCHEDULE_YEARS = 2
"""PD 55A para 2.3A: the schedule covers at least the two years before the pack's date."""


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- CPR 55.5(3): the hearing window ---------------------------------------------------------------

@dataclass(frozen=True)
class HearingCheck:
    """A hearing date checked against the claim's issue (CPR 55.5(3)); ``refused`` names what to fix."""

    not_before: date | None
    standard_by: date | None
    serve_by: date | None
    refused: str | None = None
    warning: str | None = None


def check_hearing(law: LawTable, jurisdiction: str, issued_on: date, hearing_on: date) -> HearingCheck:
    """Hearing not less than 28 days after issue (refused, naming the earliest); more than 8 weeks: a warning.

    Where the table holds no CPR window (Scotland: summary cause in the sheriff court), only "not before
    the issue" is checked."""
    if not law.holds("hearing_not_before", jurisdiction):
        if hearing_on < issued_on:
            return HearingCheck(None, None, None, f"hearing on: {_d(hearing_on)} is before the claim was issued "
                                                  f"({_d(issued_on)})")
        return HearingCheck(None, None, None)
    try:
        first = law.on("hearing_not_before", jurisdiction, issued_on)
        last = law.on("hearing_standard_by", jurisdiction, issued_on)
        serve = law.on("serve_before_hearing", jurisdiction, issued_on)
    except LawNotHeld as exc:
        return HearingCheck(None, None, None, str(exc))
    earliest, standard, serve_by = first.after(issued_on), last.after(issued_on), serve.before(hearing_on)
    if hearing_on < earliest:
        return HearingCheck(earliest, standard, serve_by,
                            f"hearing on: {_d(hearing_on)} is less than {first.words} after the claim was issued on "
                            f"{_d(issued_on)} ({first.source}); the earliest hearing is {_d(earliest)}")
    warning = None
    if hearing_on > standard:
        warning = (f"the hearing on {_d(hearing_on)} is more than {last.words} after issue ({last.source}: the "
                   f"standard period ends {_d(standard)}); the court may list it later, but check the date")
    return HearingCheck(earliest, standard, serve_by, None, warning)


# --- money ------------------------------------------------------------------------------------------

def daily_rent_pence(weekly_pence: int) -> int:
    """The daily rent: the weekly rent ÷ 7, to the penny, half up (N119 para 3(c))."""
    return (2 * max(weekly_pence, 0) + 7) // 14


def pounds(pence: int) -> str:
    """'£1,234.50' ('-£5.00' below zero)."""
    return f"{'-' if pence < 0 else ''}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


# --- PD 55A 2.3A: the rent schedule -------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduleRow:
    """One ledger row of the schedule: due (rent and charges, positive) or paid (negative), and the balance after."""

    on: date
    kind: str
    description: str
    due_pence: int
    paid_pence: int
    balance_pence: int

    def as_json(self) -> dict[str, Any]:
        """The row for --json."""
        return {"date": self.on.isoformat(), "kind": self.kind, "description": self.description,
                "due_pence": self.due_pence, "paid_pence": self.paid_pence, "balance_pence": self.balance_pence}


@dataclass(frozen=True)
class Schedule:
    """The rent schedule: from ``starts_on`` with the balance brought forward, each row with its running balance."""

    starts_on: date
    ends_on: date
    brought_forward_pence: int
    rows: tuple[ScheduleRow, ...]
    arrears_began_on: date | None

    @property
    def closing_pence(self) -> int:
        """The balance after the last row (the account's balance when the schedule ends today)."""
        return self.rows[-1].balance_pence if self.rows else self.brought_forward_pence


def schedule_start(as_of: date, tenancy_start: date | None) -> date:
    """Two years before ``as_of`` (29 Feb → 28 Feb), or the tenancy's start when later."""
    try:
        two_years = as_of.replace(year=as_of.year - SCHEDULE_YEARS)
    except ValueError:
        two_years = as_of.replace(year=as_of.year - SCHEDULE_YEARS, day=28)
    return max(two_years, tenancy_start) if tenancy_start else two_years


def arrears_began(entries: list[tuple[date, int]]) -> date | None:
    """The first day of the present run of arrears: the date of the row after which the balance has stayed
    above zero (None when the account is not in arrears). ``entries`` are (date, pence) in ledger order."""
    balance, began = 0, None
    for on, pence in entries:
        balance += pence
        if balance <= 0:
            began = None
        elif began is None:
            began = on
    return began


def build_schedule(entries: list[tuple[date, str, str, int]], *, starts_on: date, ends_on: date) -> Schedule:
    """The schedule of ``entries`` ((date, kind, description, pence), in ledger order) from ``starts_on``:
    earlier rows make the balance brought forward; rows after ``ends_on`` are left out."""
    brought = sum(pence for on, _, _, pence in entries if on < starts_on)
    balance, rows = brought, []
    for on, kind, description, pence in entries:
        if on < starts_on or on > ends_on:
            continue
        balance += pence
        rows.append(ScheduleRow(on, kind, description, max(pence, 0), max(-pence, 0), balance))
    began = arrears_began([(on, pence) for on, _, _, pence in entries if on <= ends_on])
    return Schedule(starts_on, ends_on, brought, tuple(rows), began)


def schedule_csv_rows(schedule: Schedule) -> list[list[str]]:
    """The schedule as CSV rows: a header, the balance brought forward, each row; pounds as plain decimals."""
    def money(pence: int) -> str:
        return f"{'-' if pence < 0 else ''}{abs(pence) // 100}.{abs(pence) % 100:02d}"

    out = [["date", "description", "due", "paid", "balance"],
           [schedule.starts_on.isoformat(), "Balance brought forward", "", "", money(schedule.brought_forward_pence)]]
    for row in schedule.rows:
        out.append([row.on.isoformat(), row.description, money(row.due_pence) if row.due_pence else "",
                    money(row.paid_pence) if row.paid_pence else "", money(row.balance_pence)])
    return out


def schedule_lines(schedule: Schedule) -> list[str]:
    """The schedule as fixed-width lines for the PDF."""
    lines = [f"{'Date':<10}  {'Description':<30} {'Due':>11} {'Paid':>11} {'Balance':>12}",
             f"{_d(schedule.starts_on):<10}  {'Balance brought forward':<30} {'':>11} {'':>11} "
             f"{pounds(schedule.brought_forward_pence):>12}"]
    for row in schedule.rows:
        lines.append(f"{_d(row.on):<10}  {row.description[:30]:<30} "
                     f"{pounds(row.due_pence) if row.due_pence else '':>11} "
                     f"{pounds(row.paid_pence) if row.paid_pence else '':>11} {pounds(row.balance_pence):>12}")
    return lines


__all__ = ["CLOSE_REASONS", "COURT_OUTCOME_WORDS", "EVICTION_OUTCOMES", "HearingCheck", "Schedule", "ScheduleRow",
           "arrears_began", "build_schedule", "check_hearing", "daily_rent_pence", "schedule_csv_rows",
           "schedule_lines", "schedule_start"]
