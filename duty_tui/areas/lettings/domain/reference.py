"""The lettings area's policy data (``data/lettings/*.toml``): the bedroom standard, qualification
rules, bands, the ranking rule and the review clocks.

Loaded once per data folder and checked; a mistake names the file and line (``data_problem``). Every
entry carries ``effective_from`` (a date) and ``source``; where a file holds several rules for the
same thing, the latest one in force on a day applies (``in_force``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from duty_tui.core.config.reference import area_file, data_problem, read_toml

SKIP_REASONS = ("not_qualifying", "bedroom_need", "age", "accessible_only")
ORDER_KEYS = ("band", "band_date", "application_date", "ref")
CATEGORIES = ("a", "b", "c", "d", "e")
"""HA 1996 s166A(3)(a)-(e): the reasonable-preference categories."""


@dataclass(frozen=True)
class BedroomStandard:
    """The size criteria: who gets a bedroom of their own and who may share."""

    effective_from: date
    source: str
    adult_age: int
    any_sex_under: int
    overnight_carer_room: bool
    cannot_share_room: bool
    max_age: int


@dataclass(frozen=True)
class QualificationRule:
    code: str
    text: str
    effective_from: date
    source: str
    figures: tuple[tuple[str, int], ...]
    """The rule's numbers (cap_pence, years, weeks …), by name."""


@dataclass(frozen=True)
class Band:
    code: str
    words: str
    categories: tuple[str, ...]
    additional_preference: bool
    effective_from: date
    source: str


@dataclass(frozen=True)
class RankRule:
    effective_from: date
    source: str
    skip: tuple[str, ...]
    order: tuple[str, ...]


@dataclass(frozen=True)
class ReviewClock:
    decision: str
    days: int
    effective_from: date
    source: str


T = TypeVar("T", BedroomStandard, RankRule)


def in_force(rules: tuple[T, ...], on: date | None) -> T:
    """The rule in force on ``on`` (the latest effective_from not after it); today's when None. Before
    the first rule, the first rule (the files begin before any date a command is asked about)."""
    day = on or date.today()
    found = [rule for rule in rules if rule.effective_from <= day]
    return max(found, key=lambda rule: rule.effective_from) if found else min(rules, key=lambda r: r.effective_from)


def _dated(path: Path, raw: dict[str, Any], needle: str) -> tuple[date, str]:
    effective, source = raw.get("effective_from"), raw.get("source")
    if type(effective) is not date or not isinstance(source, str) or not source.strip():
        raise data_problem(path, needle, "each entry needs effective_from (a date) and source (text)", fix_there=True)
    return effective, source


def _whole(path: Path, raw: dict[str, Any], key: str, low: int, high: int) -> int:
    value = raw.get(key)
    if type(value) is not int or not low <= value <= high:
        raise data_problem(path, key, f"{key} must be a whole number from {low} to {high}", fix_there=True)
    return value


def _switch(path: Path, raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key, True)
    if type(value) is not bool:
        raise data_problem(path, key, f"{key} must be true or false", fix_there=True)
    return value


@functools.cache
def load_bedroom_standard(data_dir: Path) -> tuple[BedroomStandard, ...]:
    """The bedroom standard's rules from ``data/lettings/bedroom_standard.toml``, checked."""
    path = area_file(data_dir, "lettings", "bedroom_standard.toml")
    rules = []
    for raw in read_toml(path).get("rule", []):
        effective, source = _dated(path, raw, "[[rule]]")
        adult = _whole(path, raw, "adult_age", 10, 25)
        any_sex = _whole(path, raw, "any_sex_under", 0, adult)
        rules.append(BedroomStandard(effective, source, adult, any_sex, _switch(path, raw, "overnight_carer_room"),
                                     _switch(path, raw, "cannot_share_room"), _whole(path, raw, "max_age", 100, 130)))
    if not rules:
        raise data_problem(path, "[[rule]]", "no [[rule]]: the bedroom standard needs at least one", fix_there=True)
    return tuple(rules)


@functools.cache
def load_qualification(data_dir: Path) -> tuple[QualificationRule, ...]:
    """The qualification rules, in the file's order, from ``data/lettings/qualification.toml``."""
    path = area_file(data_dir, "lettings", "qualification.toml")
    rules: list[QualificationRule] = []
    for raw in read_toml(path).get("rule", []):
        code = str(raw.get("code", ""))
        if not code or not code.replace("_", "").isalnum() or any(rule.code == code for rule in rules):
            raise data_problem(path, f'"{code}"', f"rule code {code!r} must be letters, digits and _, and appear once",
                               fix_there=True)
        effective, source = _dated(path, raw, f'"{code}"')
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            raise data_problem(path, f'"{code}"', f"rule {code!r} needs its text (what the applicant is told)",
                               fix_there=True)
        figures = tuple((key, value) for key, value in raw.items() if type(value) is int)
        if any(value < 0 for _, value in figures):
            raise data_problem(path, f'"{code}"', f"rule {code!r}: figures cannot be negative", fix_there=True)
        rules.append(QualificationRule(code, text.strip(), effective, source, figures))
    if not rules:
        raise data_problem(path, "[[rule]]", "no [[rule]]: the register needs its qualification rules", fix_there=True)
    return tuple(rules)


@functools.cache
def load_bands(data_dir: Path) -> tuple[Band, ...]:
    """The bands, highest priority first, from ``data/lettings/bands.toml``."""
    path = area_file(data_dir, "lettings", "bands.toml")
    bands: list[Band] = []
    for raw in read_toml(path).get("band", []):
        code = str(raw.get("code", ""))
        if not code or not code.isalnum() or len(code) > 8 or any(band.code == code for band in bands):
            raise data_problem(path, f'"{code}"', f"band code {code!r} must be up to 8 letters or digits, once",
                               fix_there=True)
        categories = raw.get("categories", [])
        if not isinstance(categories, list) or any(each not in CATEGORIES for each in categories):
            raise data_problem(path, f'"{code}"', f"band {code!r}: categories must be from {', '.join(CATEGORIES)} "
                               "(HA 1996 s166A(3)(a)-(e))", fix_there=True)
        effective, source = _dated(path, raw, f'"{code}"')
        bands.append(Band(code, str(raw.get("words") or code), tuple(categories),
                          _switch(path, {"additional_preference": raw.get("additional_preference", False)},
                                  "additional_preference"), effective, source))
    if not bands:
        raise data_problem(path, "[[band]]", "no [[band]]: the scheme needs at least one band", fix_there=True)
    covered = {each for band in bands for each in band.categories}
    if missing := [each for each in CATEGORIES if each not in covered]:
        raise data_problem(path, "[[band]]", f"no band gives reasonable preference category {', '.join(missing)}: "
                           "s166A(3) requires every category to have it", fix_there=True)
    return tuple(bands)


@functools.cache
def load_rank_rules(data_dir: Path) -> tuple[RankRule, ...]:
    """The ranking rules from ``data/lettings/rank.toml``, checked."""
    path = area_file(data_dir, "lettings", "rank.toml")
    rules = []
    for raw in read_toml(path).get("rule", []):
        effective, source = _dated(path, raw, "[[rule]]")
        skip, order = raw.get("skip", list(SKIP_REASONS)), raw.get("order", list(ORDER_KEYS))
        if not isinstance(skip, list) or any(each not in SKIP_REASONS for each in skip) or len(set(skip)) != len(skip):
            raise data_problem(path, "skip", f"skip must list reasons from {', '.join(SKIP_REASONS)}, each once",
                               fix_there=True)
        if not isinstance(order, list) or sorted(order) != sorted(ORDER_KEYS):
            raise data_problem(path, "order", f"order must list each of {', '.join(ORDER_KEYS)} once",
                               fix_there=True)
        rules.append(RankRule(effective, source, tuple(skip), tuple(order)))
    if not rules:
        raise data_problem(path, "[[rule]]", "no [[rule]]: the shortlist needs a ranking rule", fix_there=True)
    return tuple(rules)


@functools.cache
def load_review_clocks(data_dir: Path) -> tuple[ReviewClock, ...]:
    """Days to ask for a review, by decision, from ``data/lettings/reviews.toml``."""
    path = area_file(data_dir, "lettings", "reviews.toml")
    clocks = []
    for raw in read_toml(path).get("clock", []):
        decision = str(raw.get("decision", ""))
        if not decision:
            raise data_problem(path, "[[clock]]", "each clock needs its decision", fix_there=True)
        effective, source = _dated(path, raw, f'"{decision}"')
        clocks.append(ReviewClock(decision, _whole(path, raw, "days", 1, 365), effective, source))
    if not clocks:
        raise data_problem(path, "[[clock]]", "no [[clock]]: reviews need their clocks", fix_there=True)
    return tuple(clocks)


def load_all(data_dir: Path) -> None:
    """Load and check every lettings policy file (a problem raises EnvironmentProblem naming it)."""
    load_bedroom_standard(data_dir)
    load_qualification(data_dir)
    load_bands(data_dir)
    load_rank_rules(data_dir)
    load_review_clocks(data_dir)
    from duty_tui.areas.lettings.domain.core_log import load_core_mapping
    from duty_tui.areas.lettings.domain.relet import load_relet_rules, load_s5_rules

    load_relet_rules(data_dir)
    load_s5_rules(data_dir)
    load_core_mapping(data_dir)
