"""What the recovery engine is told about the court, evictions, benefit claims and Universal Credit.

Pure: the worklist reads the income tables (``court_hearing``, ``eviction``, ``benefit_claim``,
``managed_payment``) and the ledger for a page of accounts and hands each account's facts here as a
``CourtFacts``; ``engine_inputs`` turns them into the engine's ``AccountState`` fields, ``terms_check``
judges a court order's terms against the money received, and ``uc_managed_payment_due`` says when a
Universal Credit managed payment may be asked for. The thresholds are data (``data/income/terms.toml``,
read by ``load_terms``), each with its date and source (docs/INCOME_WORKLIST_FEED.md).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from duty_tui.areas.income.domain.policy import COURT_OUTCOMES, ORDERS_ON_TERMS, UPDATE_EVICTION_OUTCOME, Action
from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.money import format_pence

FILE_NAME = "terms.toml"
EVICTION_NOT_GOING_AHEAD = ("stayed", "cancelled", "suspended", "withdrawn")
"""Eviction outcomes after which no eviction is pending: recovery goes on (on the order's track)."""
BENEFIT_KINDS = {"housing_benefit": "housing benefit", "universal_credit": "universal credit"}
UNIVERSAL_CREDIT = "universal_credit"


# --- the data file -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Terms:
    """``data/income/terms.toml``: the breach tolerance of an order's terms, and the UC managed-payment threshold."""

    breach_tolerance_days: int
    court_effective_from: date
    court_source: str
    managed_payment_months_owed: Fraction
    uc_effective_from: date
    uc_source: str


def _section(path: Path, raw: dict[str, Any], name: str, key: str) -> tuple[Any, date, str]:
    """(value of ``key``, effective_from, source) of one table, each checked."""
    body = raw.get(name)
    if not isinstance(body, dict):
        raise data_problem(path, f"[{name}]", f"[{name}]: this table is required", fix_there=True)
    unknown = sorted(set(body) - {key, "effective_from", "source"})
    if unknown:
        raise data_problem(path, unknown[0], f"{name}.{unknown[0]}: unknown key (expected {key}, effective_from, "
                                             "source)", fix_there=True)
    effective, source = body.get("effective_from"), body.get("source")
    if not isinstance(effective, date) or isinstance(effective, datetime):
        raise data_problem(path, f"[{name}]", f"{name}.effective_from: give the date it takes effect, written "
                                              "2026-04-06 without quotes", fix_there=True)
    if not isinstance(source, str) or not source.strip():
        raise data_problem(path, f"[{name}]", f'{name}.source: give source = "where this comes from"', fix_there=True)
    return body.get(key), effective, source.strip()


def load_terms_file(path: Path) -> Terms:
    """Read and check one terms.toml: a mistake names the file, line and key."""
    raw = read_toml(path)
    unknown = sorted(set(raw) - {"court", "universal_credit"})
    if unknown:
        raise data_problem(path, unknown[0], f"{unknown[0]}: unknown table (expected [court] and "
                                             "[universal_credit])", fix_there=True)
    days, court_from, court_source = _section(path, raw, "court", "breach_tolerance_days")
    if type(days) is not int or not 0 <= days <= 60:
        raise data_problem(path, "breach_tolerance_days", "court.breach_tolerance_days: a whole number of days "
                                                          f"from 0 to 60, not {days!r}", fix_there=True)
    months, uc_from, uc_source = _section(path, raw, "universal_credit", "managed_payment_months_owed")
    if isinstance(months, bool) or not isinstance(months, int | float) or not 0 < months <= 24:
        raise data_problem(path, "managed_payment_months_owed", "universal_credit.managed_payment_months_owed: "
                                                                f"a number of months over 0 and at most 24, not {months!r}",
                           fix_there=True)
    return Terms(days, court_from, court_source, Fraction(str(months)), uc_from, uc_source)


@functools.cache
def load_terms(data_dir: Path) -> Terms:
    """The terms file of a data folder (cached per folder)."""
    return load_terms_file(area_file(Path(data_dir), "income", FILE_NAME))


# --- an order's terms ----------------------------------------------------------------------------

@dataclass(frozen=True)
class TermsCheck:
    """An order on terms against the ledger: what was due since it, what was received, kept or breached."""

    state: str  # kept / breached
    weeks: int
    due_pence: int
    paid_pence: int

    @property
    def behind_pence(self) -> int:
        """How far behind the terms (0 when up to date or ahead)."""
        return max(0, self.due_pence - self.paid_pence)


def terms_check(*, weekly_rent_pence: int, terms_weekly_pence: int, since: date, today: date, received_pence: int,
                tolerance_days: int) -> TermsCheck:
    """Kept or breached: due = (weekly rent + terms) for each whole week since the order; breached when the
    money received since falls short by more than ``tolerance_days`` days' worth of (rent + terms)."""
    weekly = max(0, weekly_rent_pence) + max(0, terms_weekly_pence)
    weeks = max(0, (today - since).days // 7)
    due = weekly * weeks
    behind = due - received_pence
    breached = behind > 0 and behind * 7 > tolerance_days * weekly
    return TermsCheck("breached" if breached else "kept", weeks, due, received_pence)


# --- Universal Credit ----------------------------------------------------------------------------

def months_rent_owed(balance_pence: int, weekly_rent_pence: int) -> Fraction | None:
    """Months of rent owed (a month's rent = weekly × 52 ÷ 12, as Universal Credit converts it); None
    without a weekly rent."""
    if weekly_rent_pence <= 0:
        return None
    return Fraction(balance_pence * 12, weekly_rent_pence * 52)


def uc_managed_payment_due(*, balance_pence: int, weekly_rent_pence: int, uc_recorded: bool, requested: bool,
                           months_owed: Fraction) -> bool:
    """True when a managed payment may be asked for and has not been: UC recorded, no request made, and
    at least ``months_owed`` months' rent owed."""
    owed = months_rent_owed(balance_pence, weekly_rent_pence)
    return uc_recorded and not requested and owed is not None and owed >= months_owed


# --- the engine's inputs -------------------------------------------------------------------------

@dataclass(frozen=True)
class CourtFacts:
    """One account's court, eviction and benefit facts as the tables hold them (None: nothing recorded)."""

    hearing_on: date | None = None
    outcome: str | None = None
    outcome_on: date | None = None
    terms_weekly_pence: int | None = None
    eviction_on: date | None = None
    eviction_outcome: str | None = None
    eviction_outcome_on: date | None = None
    pending_claim: str | None = None  # the kind of the latest benefit claim awaiting decision
    pending_claim_made_on: date | None = None
    received_since_order_pence: int = 0  # money received on or after the order's day

    @property
    def order_on(self) -> date | None:
        """The day an order on terms was made (its outcome's day, else the hearing's)."""
        return self.outcome_on or self.hearing_on


@dataclass(frozen=True)
class EngineInputs:
    """The AccountState fields the worklist fills from the tables, and what to add to the why."""

    court_date: date | None
    court_outcome: str | None
    eviction_date: date | None
    benefit_claim_pending: bool
    agreement: str
    history: tuple[Action, ...]
    notes: tuple[str, ...]
    terms: TermsCheck | None = None


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def engine_inputs(facts: CourtFacts, *, arrangement: str, history: tuple[Action, ...], today: date,
                  weekly_rent_pence: int, tolerance_days: int) -> EngineInputs:
    """The engine's court, eviction, benefit and agreement inputs for one account.

    An order on terms decides the agreement (its terms against the ledger; ``none`` when the terms'
    weekly sum is not recorded, so the engine asks for it); otherwise the arrangement to pay does. A
    recorded eviction outcome counts as the outcome recorded (a stayed or cancelled eviction no longer
    holds recovery at all)."""
    notes: list[str] = []
    outcome = facts.outcome if facts.outcome in COURT_OUTCOMES else None
    if facts.outcome is not None and outcome is None:
        notes.append(f"The hearing's outcome {facts.outcome!r} is not one the policy knows: record it again.")
    court_date = facts.hearing_on
    agreement, terms = arrangement, None
    if outcome in ORDERS_ON_TERMS and court_date is not None:
        since = facts.order_on or court_date
        if facts.terms_weekly_pence is None:
            agreement = "none"
        else:
            terms = terms_check(weekly_rent_pence=weekly_rent_pence, terms_weekly_pence=facts.terms_weekly_pence,
                                since=since, today=today, received_pence=facts.received_since_order_pence,
                                tolerance_days=tolerance_days)
            agreement = terms.state
            notes.append(f"The order's terms (rent + {format_pence(facts.terms_weekly_pence)} a week since "
                         f"{_day(since)}) are {terms.state}: {format_pence(terms.due_pence)} due, "
                         f"{format_pence(terms.paid_pence)} received.")
    eviction_date = facts.eviction_on
    if eviction_date is not None and facts.eviction_outcome is not None:
        if facts.eviction_outcome in EVICTION_NOT_GOING_AHEAD:
            eviction_date = None
        else:
            recorded = max(facts.eviction_outcome_on or eviction_date, eviction_date)
            history = (*history, Action(UPDATE_EVICTION_OUTCOME, recorded))
    pending = facts.pending_claim is not None
    if pending:
        kind = BENEFIT_KINDS.get(facts.pending_claim or "", (facts.pending_claim or "").replace("_", " "))
        made = f" made on {_day(facts.pending_claim_made_on)}" if facts.pending_claim_made_on else ""
        notes.append(f"A {kind} claim{made} awaits a decision: no claim for possession meanwhile (the protocol).")
    return EngineInputs(court_date, outcome, eviction_date, pending, agreement, history, tuple(notes), terms)


__all__ = ["BENEFIT_KINDS", "EVICTION_NOT_GOING_AHEAD", "CourtFacts", "EngineInputs", "Terms", "TermsCheck",
           "engine_inputs", "load_terms", "load_terms_file", "months_rent_owed", "terms_check",
           "uc_managed_payment_due"]
