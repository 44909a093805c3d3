"""The register's pure rules (docs/LETTINGS_REGISTER.md): the verification checklist in data
(``data/lettings/checklist.toml``), qualification against the rules in ``qualification.toml``, the
review clock, a decision letter from ``data/lettings/letters/*.txt``, and a place on the list
ranked by the same order as the shortlist (``rank.toml``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from duty_tui.areas.lettings.domain.reference import QualificationRule, RankRule, ReviewClock, _dated
from duty_tui.core.config.reference import area_file, data_problem, read_toml

CHECK_STEPS = ("requested", "received", "verified")
PARTNER_WORDS = ("partner", "spouse", "wife", "husband", "civil partner", "joint")


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    words: str
    effective_from: date
    source: str


@functools.cache
def load_checklist(data_dir: Path) -> tuple[ChecklistItem, ...]:
    """The checklist's items, in the file's order, from ``data/lettings/checklist.toml``."""
    path = area_file(data_dir, "lettings", "checklist.toml")
    items: list[ChecklistItem] = []
    for raw in read_toml(path).get("item", []):
        code = str(raw.get("code", ""))
        if not code or not code.replace("_", "").isalnum() or len(code) > 32 or any(i.code == code for i in items):
            raise data_problem(path, f'"{code}"', f"item code {code!r} must be up to 32 letters, digits and _, once",
                               fix_there=True)
        effective, source = _dated(path, raw, f'"{code}"')
        items.append(ChecklistItem(code, str(raw.get("words") or code), effective, source))
    if not items:
        raise data_problem(path, "[[item]]", "no [[item]]: the checklist needs at least one item", fix_there=True)
    return tuple(items)


def load_need_outcomes(data_dir: Path) -> tuple[ChecklistItem, ...]:
    """The medical and welfare assessment outcomes (code, words, effective_from, source), from
    ``data/lettings/need_assessment.toml``; read as checklist-shaped items."""
    path = area_file(data_dir, "lettings", "need_assessment.toml")
    outcomes: list[ChecklistItem] = []
    for raw in read_toml(path).get("outcome", []):
        code = str(raw.get("code", ""))
        if not code or not code.replace("_", "").isalnum() or len(code) > 24 or any(o.code == code for o in outcomes):
            raise data_problem(path, f'"{code}"', f"outcome code {code!r} must be up to 24 letters, digits and _, once",
                               fix_there=True)
        effective, source = _dated(path, raw, f'"{code}"')
        outcomes.append(ChecklistItem(code, str(raw.get("words") or code), effective, source))
    if not outcomes:
        raise data_problem(path, "[[outcome]]", "no [[outcome]]: an assessment needs outcomes to choose from",
                           fix_there=True)
    return tuple(outcomes)


def items_in_force(items: tuple[ChecklistItem, ...], on: date) -> tuple[ChecklistItem, ...]:
    return tuple(item for item in items if item.effective_from <= on) or items


@dataclass(frozen=True)
class QualificationFacts:
    """What the qualification rules are tested against."""

    residence_years: int | None
    residence_exempt: bool
    annual_income_pence: int | None
    savings_pence: int | None
    arrears_weeks: int
    arrears_agreement: bool
    unacceptable_behaviour: bool


def failing_rules(facts: QualificationFacts, rules: tuple[QualificationRule, ...],
                  on: date) -> list[QualificationRule]:
    """The rules in force on ``on`` that the applicant fails, in the file's order (a code the program
    does not know is never failed: it is for the officer to apply by hand)."""
    failed = []
    for rule in rules:
        if rule.effective_from > on:
            continue
        figures = dict(rule.figures)
        tests = {
            "residence": not facts.residence_exempt and facts.residence_years is not None
            and facts.residence_years < figures.get("years", 0),
            "income_cap": facts.annual_income_pence is not None
            and facts.annual_income_pence > figures.get("cap_pence", facts.annual_income_pence),
            "savings_cap": facts.savings_pence is not None
            and facts.savings_pence > figures.get("cap_pence", facts.savings_pence),
            "arrears_no_agreement": not facts.arrears_agreement and facts.arrears_weeks >= figures.get("weeks", 1),
            "unacceptable_behaviour": facts.unacceptable_behaviour,
        }
        if tests.get(rule.code, False):
            failed.append(rule)
    # A later rule with the same code replaces an earlier one: keep the latest of each code.
    latest: dict[str, QualificationRule] = {}
    for rule in failed:
        if rule.code not in latest or rule.effective_from > latest[rule.code].effective_from:
            latest[rule.code] = rule
    return [rule for rule in failed if latest[rule.code] is rule]


def review_by(notified_on: date, clock: ReviewClock) -> date:
    """The last day to ask for a review: notified + the clock's days."""
    return notified_on + timedelta(days=clock.days)


def clock_for(clocks: tuple[ReviewClock, ...], decision: str, on: date) -> ReviewClock:
    found = [c for c in clocks if c.decision == decision and c.effective_from <= on] or \
        [c for c in clocks if c.decision == decision]
    if not found:
        raise LookupError(decision)
    return max(found, key=lambda c: c.effective_from)


def age_on(born: date, on: date) -> int:
    """Whole years of age on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class Waiting:
    """One active application in a band and bedroom need, for its place on the list."""

    ref: str
    band_date: date
    application_date: date


def place_on_list(ref: str, waiting: list[Waiting], rule: RankRule) -> tuple[int, int]:
    """(position, of): where ``ref`` stands among ``waiting`` (all in one band), ranked by the rule's
    order as a shortlist would be — band date, then application date, then reference by default."""
    def key(each: Waiting) -> tuple:
        parts = {"band": 0, "band_date": each.band_date, "application_date": each.application_date, "ref": each.ref}
        return tuple(parts[name] for name in rule.order)

    ranked = sorted(waiting, key=key)
    refs = [each.ref for each in ranked]
    return refs.index(ref) + 1, len(refs)


def letter_text(data_dir: Path, kind: str, fields: dict[str, str]) -> str:
    """The decision letter: ``data/lettings/letters/<kind>.txt`` with its {fields} filled."""
    path = area_file(data_dir, "lettings", f"letters/{kind}.txt")
    template = path.read_text(encoding="utf-8")
    try:
        return template.format_map(fields)
    except (KeyError, ValueError) as exc:
        raise data_problem(path, "{", f"the letter names a field the register does not fill ({exc})",
                           fix_there=True) from None


__all__ = ["CHECK_STEPS", "ChecklistItem", "QualificationFacts", "Waiting", "age_on", "clock_for", "failing_rules",
           "letter_text", "load_checklist", "place_on_list", "review_by"]
