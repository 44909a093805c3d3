"""Is an arrangement to pay kept? The expected-balance rule, and the states it has passed through.

An arrangement is "current rent plus £X": from its start the balance should fall by every
instalment (and the lump sum, if there is one) as each falls due, and every rent charge made
since the start should be paid too. So on a day the EXPECTED balance is

    the balance at the start − the instalments and lump sum due + the rent charged since the start
    − … all of it counted only once ``tolerance`` days have passed since it fell due,

and the arrangement is broken while the ACTUAL balance is above it. The balance at the start
cancels out, so only the ledger's movements since the start are needed: actual − expected is
``moved + due − recent rent`` (``moved``: every ledger row since the start, charges positive,
payments negative; ``recent rent``: rent charged within the tolerance, not yet expected paid).

With a tolerance of 5 days an instalment due on the 1st and unpaid is kept on the 6th (day 5)
and breached on the 7th (day 6). Everything here is pure: dates are arguments, money is pence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from duty_tui.core.domain.money import format_pence

KINDS = ("informal", "court_ordered")
KIND_NAMES = {"informal": "informal", "court_ordered": "court-ordered"}
STATES = ("made", "kept", "breached", "back_on_track", "completed", "ended")
STATE_NAMES = {"made": "made", "kept": "kept", "breached": "breached", "back_on_track": "back on track",
               "completed": "completed", "ended": "ended"}


@dataclass(frozen=True)
class Expected:
    """Something the plan expects paid by a day: an instalment (seq ≥ 1) or the lump sum (seq 0)."""

    seq: int
    due_date: date
    amount_pence: int


@dataclass(frozen=True)
class Movement:
    """The ledger's net movement on an account on one day: rent charged, or everything else."""

    day: date
    amount_pence: int  # positive: owed more; negative: paid
    rent: bool = False


@dataclass(frozen=True)
class ExpectedCheck:
    """One instalment or the lump sum, checked: met, missed, due (within the tolerance) or upcoming."""

    seq: int
    due_date: date
    amount_pence: int
    state: str


@dataclass(frozen=True)
class AgreementCheck:
    """Where an arrangement stands on a day against its expected balance."""

    status: str  # not_started, kept, broken, completed
    behind_pence: int  # actual − expected balance when > 0; 0 when on track or ahead
    due_to_date_pence: int  # instalments and lump sum counted so far
    paid_to_date_pence: int  # how far the balance has fallen since the start, net of the rent counted
    missed: int
    next_due: date | None
    next_amount_pence: int
    assessed: bool  # at least one instalment or the lump sum has been counted
    items: tuple[ExpectedCheck, ...] = field(default=())

    @property
    def label(self) -> str:
        """One line for staff, with a text marker (never colour alone)."""
        if self.status == "broken":
            return (f"!! BROKEN: {format_pence(self.behind_pence)} behind the expected balance, "
                    f"{self.missed} payment{'s' if self.missed != 1 else ''} missed")
        if self.status == "completed":
            return "completed: all paid"
        if self.status == "not_started":
            return f"starts {self.next_due:%d/%m/%Y}" if self.next_due else "not started"
        nxt = f"; next {format_pence(self.next_amount_pence)} on {self.next_due:%d/%m/%Y}" if self.next_due else ""
        return f"kept{nxt}"


def _cutoff(day: date, tolerance: int) -> date:
    """Things due before this day are expected paid on ``day``."""
    return day - timedelta(days=tolerance)


def behind_on(expected: Sequence[Expected], movements: Sequence[Movement], day: date, tolerance: int) -> int:
    """Actual − expected balance change on ``day`` (pence; above 0: behind)."""
    cutoff = _cutoff(day, tolerance)
    moved = sum(m.amount_pence for m in movements if m.day <= day and not (m.rent and m.day >= cutoff))
    due = sum(e.amount_pence for e in expected if e.due_date < cutoff)
    return moved + due


def _credit(movements: Sequence[Movement], day: date, tolerance: int) -> int:
    """How far the balance has fallen since the start by ``day``, not counting rent still within the tolerance."""
    cutoff = _cutoff(day, tolerance)
    return -sum(m.amount_pence for m in movements if m.day <= day and not (m.rent and m.day >= cutoff))


def check_agreement(expected: Sequence[Expected], movements: Sequence[Movement], today: date, tolerance: int,
                    *, total_pence: int, start: date) -> AgreementCheck:
    """Check an arrangement on ``today``: ``expected`` its instalments and lump sum (those due by now and
    the next are enough), ``movements`` the account's ledger since ``start``, ``total_pence`` the plan's total."""
    items = sorted(expected, key=lambda e: (e.due_date, e.seq))
    cutoff = _cutoff(today, tolerance)
    credit = _credit(movements, today, tolerance)
    checks = []
    cumulative = 0
    due_to_date = 0
    missed = 0
    next_due: date | None = None
    next_amount = 0
    for item in items:
        cumulative += item.amount_pence
        if item.due_date < cutoff:
            deadline = item.due_date + timedelta(days=tolerance)
            # Met when, by its deadline, the balance had fallen by everything due up to it (rent charged
            # after it fell due is not yet expected paid then).
            paid_by = -sum(m.amount_pence for m in movements
                           if m.day <= deadline and not (m.rent and m.day > item.due_date))
            met = paid_by >= cumulative
            missed += 0 if met else 1
            due_to_date = cumulative
            checks.append(ExpectedCheck(item.seq, item.due_date, item.amount_pence, "met" if met else "missed"))
        else:
            checks.append(ExpectedCheck(item.seq, item.due_date, item.amount_pence,
                                        "due" if today >= item.due_date else "upcoming"))
            if next_due is None:
                next_due, next_amount = item.due_date, item.amount_pence
    behind = max(0, behind_on(items, movements, today, tolerance))
    if credit >= total_pence:
        status = "completed"
    elif today < start:
        status = "not_started"
    elif behind > 0:
        status = "broken"
    else:
        status = "kept"
    return AgreementCheck(status, behind, due_to_date, max(0, credit), missed, next_due, next_amount,
                          due_to_date > 0, tuple(checks))


def _condition(expected: Sequence[Expected], movements: Sequence[Movement], day: date, tolerance: int,
               total_pence: int) -> str:
    """The state an arrangement is in on ``day`` (before "back on track" is told from "kept")."""
    if _credit(movements, day, tolerance) >= total_pence:
        return "completed"
    if behind_on(expected, movements, day, tolerance) > 0:
        return "breached"
    if any(e.due_date < _cutoff(day, tolerance) for e in expected):
        return "kept"
    return "made"


def state_changes(expected: Sequence[Expected], movements: Sequence[Movement], today: date, tolerance: int,
                  *, total_pence: int, start: date, last_state: str, last_since: date) -> list[tuple[date, str]]:
    """The changes of state after (``last_state``, ``last_since``) up to ``today``: [(since, state)], oldest first.

    The state can change only on a day something moves: a ledger movement, or an instalment, lump sum
    or rent charge passing its tolerance. Those days are walked in order, so every reader of the same
    ledger finds the same changes on the same days (the history's UNIQUE key makes the second a no-op)."""
    if last_state in ("ended", "completed") or today < start:
        return []
    days = {m.day for m in movements}
    days |= {m.day + timedelta(days=tolerance + 1) for m in movements if m.rent}
    days |= {e.due_date + timedelta(days=tolerance + 1) for e in expected}
    days.add(start)
    previous = "kept" if last_state == "back_on_track" else last_state
    changes: list[tuple[date, str]] = []
    for day in sorted(d for d in days if max(start, last_since) <= d <= today):
        now = _condition(expected, movements, day, tolerance, total_pence)
        if now == previous or (now == "made" and previous != "made"):
            continue
        changes.append((day, "back_on_track" if now == "kept" and previous == "breached" else now))
        previous = now
        if now == "completed":
            break
    return changes


def lump_sum_problems(lump_sum_pence: int | None, lump_sum_due: date | None, total_pence: int | None,
                      today: date) -> list[str]:
    """What is wrong with a lump sum (both or neither; more than £0; less than the total; due within a year)."""
    if lump_sum_pence is None and lump_sum_due is None:
        return []
    if lump_sum_pence is None or lump_sum_due is None:
        return ["a lump sum needs both its amount and the day it is due (or leave both blank)"]
    problems = []
    if lump_sum_pence <= 0:
        problems.append("the lump sum must be more than £0.00")
    elif total_pence is not None and lump_sum_pence >= total_pence:
        problems.append(f"the lump sum ({format_pence(lump_sum_pence)}) is the whole total to pay "
                        f"({format_pence(total_pence)}) or more; take it as a payment, or lower it")
    if lump_sum_due < today:
        problems.append(f"the lump sum's due date ({lump_sum_due:%d/%m/%Y}) is in the past; make it today or later")
    elif (lump_sum_due - today).days > 366:
        problems.append("the lump sum is due more than a year away; make it sooner")
    return problems
