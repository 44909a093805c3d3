"""Re-let times and the lettings measures (docs/LETTINGS_RETURNS.md): pure, no database.

A re-let time is the calendar days from the previous tenancy's end (``tenancy_ended_on``) to the new
tenancy's start (``let_on``): ended Monday 2 March, let Monday 9 March is 7 days. Lets whose void type
the policy in ``data/lettings/relet.toml`` excludes (by default first lets, mutual exchanges,
successions, major works and decants) are counted as lets but not in the re-let time figures.

A let's void rent loss is the rents area's ``rent_void_loss`` for its property in the weeks its void
touched (weeks starting from six days before the tenancy ended up to the let day).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from statistics import median

from duty_tui.core.config.reference import area_file, data_problem, read_toml

VOID_TYPES = ("relet", "first_let", "mutual_exchange", "succession", "major_works", "decant")
ROUTES = ("choice_based_bid", "direct_match", "direct_offer", "mutual_exchange", "succession", "not_recorded")
"""How a home was let: a bid on an advert, a direct match to an urgent case, an offer made without a bid,
a mutual exchange or succession (no offer), or nothing recorded."""
NO_BAND = "none"


@dataclass(frozen=True)
class ReletRule:
    effective_from: date
    source: str
    excluded: tuple[str, ...]


@dataclass(frozen=True)
class S5Rule:
    effective_from: date
    source: str
    target_days: int


def _dated(path: Path, raw: dict, needle: str) -> tuple[date, str]:
    effective, source = raw.get("effective_from"), raw.get("source")
    if type(effective) is not date or not isinstance(source, str) or not source.strip():
        raise data_problem(path, needle, "each entry needs effective_from (a date) and source (text)", fix_there=True)
    return effective, source


@functools.cache
def load_relet_rules(data_dir: Path) -> tuple[ReletRule, ...]:
    """The re-let exclusions from ``data/lettings/relet.toml``, checked (the void types must be known)."""
    path = area_file(data_dir, "lettings", "relet.toml")
    rules = []
    for raw in read_toml(path).get("rule", []):
        effective, source = _dated(path, raw, "[[rule]]")
        excluded = raw.get("excluded")
        if type(excluded) is not list or any(item not in VOID_TYPES for item in excluded):
            raise data_problem(path, "excluded", f"excluded must be a list of void types from {', '.join(VOID_TYPES)}",
                               fix_there=True)
        rules.append(ReletRule(effective, source, tuple(excluded)))
    if not rules:
        raise data_problem(path, "[[rule]]", "no [[rule]]: the re-let time needs at least one", fix_there=True)
    return tuple(rules)


@functools.cache
def load_s5_rules(data_dir: Path) -> tuple[S5Rule, ...]:
    """The section 5 target from ``data/lettings/s5.toml``, checked."""
    path = area_file(data_dir, "lettings", "s5.toml")
    rules = []
    for raw in read_toml(path).get("rule", []):
        effective, source = _dated(path, raw, "[[rule]]")
        days = raw.get("target_days")
        if type(days) is not int or not 1 <= days <= 366:
            raise data_problem(path, "target_days", "target_days must be a whole number from 1 to 366", fix_there=True)
        rules.append(S5Rule(effective, source, days))
    if not rules:
        raise data_problem(path, "[[rule]]", "no [[rule]]: the section 5 target needs at least one", fix_there=True)
    return tuple(rules)


def rule_on(rules, day: date):
    """The rule in force on ``day`` (the latest effective_from not after it; the first before any)."""
    found = [rule for rule in rules if rule.effective_from <= day]
    return max(found, key=lambda r: r.effective_from) if found else min(rules, key=lambda r: r.effective_from)


def relet_days(tenancy_ended_on: date, let_on: date) -> int:
    """Calendar days from the previous tenancy's end to the new tenancy's start (weekends and holidays count)."""
    if let_on < tenancy_ended_on:
        raise ValueError("a home cannot be let before its tenancy ended")
    return (let_on - tenancy_ended_on).days


@dataclass(frozen=True)
class Let:
    """One home let in the period, as the report sees it."""

    void_id: int
    property_ref: str
    void_type: str
    tenancy_ended_on: date
    let_on: date
    band: str | None
    route: str
    application_ref: str | None
    void_loss_pence: int = 0

    def days(self) -> int:
        return relet_days(self.tenancy_ended_on, self.let_on)


@dataclass(frozen=True)
class LetMeasure:
    let: Let
    counted: bool
    """False when the policy excludes its void type from the re-let time."""


@dataclass(frozen=True)
class Measures:
    date_from: date
    date_to: date
    rule: ReletRule
    lets: tuple[LetMeasure, ...]
    period_void_loss_pence: int
    """rent_void_loss of weeks starting in the period (as the rent reconciliation counts it)."""
    by_band: tuple[tuple[str, int], ...] = field(default=())
    by_route: tuple[tuple[str, int], ...] = field(default=())
    excluded_by_type: tuple[tuple[str, int], ...] = field(default=())

    @property
    def counted(self) -> list[int]:
        return [m.let.days() for m in self.lets if m.counted]

    @property
    def average_days(self) -> float | None:
        days = self.counted
        return round(sum(days) / len(days), 1) if days else None

    @property
    def median_days(self) -> float | None:
        days = self.counted
        return float(median(days)) if days else None

    @property
    def longest_days(self) -> int | None:
        days = self.counted
        return max(days) if days else None

    @property
    def lets_void_loss_pence(self) -> int:
        return sum(m.let.void_loss_pence for m in self.lets)


def void_loss_for(lets_spans: list[tuple[int, int, date, date]],
                  weeks: list[tuple[int, date, int]]) -> dict[int, int]:
    """Each let's void loss: ``lets_spans`` (key, property id, tenancy ended, let on); ``weeks`` (property id,
    week start, pence). A week counts for a let when it starts within six days before the end and the let day."""
    by_property: dict[int, list[tuple[date, int]]] = {}
    for property_id, week_start, pence in weeks:
        by_property.setdefault(property_id, []).append((week_start, pence))
    out: dict[int, int] = {}
    for key, property_id, ended, let_on in lets_spans:
        first = ended - timedelta(days=6)
        out[key] = sum(p for start, p in by_property.get(property_id, ()) if first <= start <= let_on)
    return out


def measure(date_from: date, date_to: date, rule: ReletRule, lets: list[Let], period_void_loss_pence: int) -> Measures:
    """The period's measures: each let counted or excluded, lets by band and by route, exclusions by type."""
    ordered = sorted(lets, key=lambda let: (let.let_on, let.property_ref, let.void_id))
    marked = tuple(LetMeasure(let, let.void_type not in rule.excluded) for let in ordered)
    bands = Counter(let.band or NO_BAND for let in ordered)
    routes = Counter(let.route for let in ordered)
    excluded = Counter(m.let.void_type for m in marked if not m.counted)
    return Measures(date_from, date_to, rule, marked, period_void_loss_pence,
                    tuple(sorted(bands.items())), tuple((r, routes[r]) for r in ROUTES if routes[r]),
                    tuple((t, excluded[t]) for t in VOID_TYPES if excluded[t]))


def route_of(void_type: str, has_offer: bool, direct_match: bool, from_bid: bool) -> str:
    """How a home was let, from its void type and its accepted offer (see ``ROUTES``)."""
    if direct_match:
        return "direct_match"
    if from_bid:
        return "choice_based_bid"
    if has_offer:
        return "direct_offer"
    if void_type in ("mutual_exchange", "succession"):
        return void_type
    return "not_recorded"
