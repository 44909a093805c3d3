"""Letting a home, the pure rules (docs/LETTINGS_LETTING.md): the letting policy in data
(``data/lettings/letting.toml``), re-let days, the affordability check and the consequence of a
refusal judged unreasonable. No database here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from duty_tui.core.config.reference import area_file, data_problem, read_toml

VOID_TYPES = ("relet", "first_let", "mutual_exchange", "succession", "major_works", "decant")
"""The void types (as ``ck_lettings_void_type`` in db/models.py; the domain does not import the tables)."""


@dataclass(frozen=True)
class LettingPolicy:
    effective_from: date
    source: str
    relet_excluded: tuple[str, ...]
    affordability_percent: int
    unreasonable_refusals_limit: int
    respond_days: int


@functools.cache
def load_letting_policy(data_dir: Path) -> tuple[LettingPolicy, ...]:
    """Every letting rule in the file, oldest first; a mistake names the file and line."""
    path = area_file(data_dir, "lettings", "letting.toml")
    rules: list[LettingPolicy] = []
    for raw in read_toml(path).get("rule", []):
        start, source = raw.get("effective_from"), raw.get("source")
        if not isinstance(start, date) or not isinstance(source, str) or not source.strip():
            raise data_problem(path, "effective_from", "each rule needs effective_from (a date) and source",
                               fix_there=True)
        excluded = tuple(raw.get("relet_excluded", ()))
        if any(kind not in VOID_TYPES for kind in excluded):
            raise data_problem(path, "relet_excluded", f"relet_excluded must be void types ({', '.join(VOID_TYPES)})",
                               fix_there=True)
        numbers = [raw.get(key) for key in ("affordability_percent", "unreasonable_refusals_limit", "respond_days")]
        if any(type(n) is not int or not 1 <= n <= 100 for n in numbers):
            raise data_problem(path, "affordability_percent", "affordability_percent, unreasonable_refusals_limit and "
                               "respond_days must be whole numbers 1-100", fix_there=True)
        rules.append(LettingPolicy(start, source, excluded, numbers[0], numbers[1], numbers[2]))
    if not rules:
        raise data_problem(path, "rule", "no [[rule]] found", fix_there=True)
    return tuple(sorted(rules, key=lambda rule: rule.effective_from))


def policy_on(data_dir: Path, on: date) -> LettingPolicy:
    """The rule in force on ``on`` (the earliest if none has started yet)."""
    rules = load_letting_policy(Path(data_dir))
    started = [rule for rule in rules if rule.effective_from <= on]
    return started[-1] if started else rules[0]


def relet_days(void_type: str, tenancy_ended_on: date, new_start: date, policy: LettingPolicy) -> int | None:
    """Calendar days from the old tenancy's end to the new one's start; None for an excluded void type."""
    if void_type in policy.relet_excluded:
        return None
    return (new_start - tenancy_ended_on).days


@dataclass(frozen=True)
class Affordability:
    weekly_cost_pence: int
    weekly_income_pence: int | None
    percent: float | None
    threshold: int
    affordable: bool | None
    """None when the income is not known (the officer must ask)."""

    def note(self) -> str:
        cost = f"£{self.weekly_cost_pence / 100:,.2f} a week"
        if self.weekly_income_pence is None or self.percent is None:
            return f"rent and charges {cost}; income not recorded - ask before offering"
        verdict = "within" if self.affordable else "ABOVE"
        return (f"rent and charges {cost} is {self.percent:.0f}% of income £{self.weekly_income_pence / 100:,.2f} "
                f"a week, {verdict} the {self.threshold}% threshold")


def affordability(weekly_cost_pence: int, annual_income_pence: int | None, policy: LettingPolicy) -> Affordability:
    """Rent and charges against the household's weekly income (annual ÷ 52), by the policy's percentage."""
    if not annual_income_pence or annual_income_pence <= 0:
        return Affordability(weekly_cost_pence, None, None, policy.affordability_percent, None)
    weekly = annual_income_pence // 52
    percent = 100 * weekly_cost_pence / weekly
    return Affordability(weekly_cost_pence, weekly, percent, policy.affordability_percent,
                         percent <= policy.affordability_percent)


def suspends(unreasonable_refusals: int, policy: LettingPolicy) -> bool:
    """True when this many unreasonable refusals reaches the policy's limit (the application is suspended)."""
    return unreasonable_refusals >= policy.unreasonable_refusals_limit
