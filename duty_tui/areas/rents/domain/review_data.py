"""The rent review's reference data: ``data/rents/review.toml`` (policies, notice rules) and the notice
letters ``data/rents/letters/*.txt``. Checked on load; a mistake names the file and line."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

from duty_tui.areas.rents.domain.review import NoticeRule, ReviewPolicy
from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import InputError

FILE = "review.toml"


@functools.cache
def _load(data_dir: Path) -> tuple[tuple[ReviewPolicy, ...], tuple[NoticeRule, ...]]:
    path = area_file(data_dir, "rents", FILE)
    raw = read_toml(path)
    policies: list[ReviewPolicy] = []
    for entry in raw.get("policy", []):
        effective, code = entry.get("effective_from"), str(entry.get("code", ""))
        limit, weekly = entry.get("limit_bp"), entry.get("max_weekly_increase_pence", 0)
        if not code or not isinstance(effective, date) or not entry.get("source"):
            raise data_problem(path, "[[policy]]", "each policy needs code, effective_from (a date) and source",
                               fix_there=True)
        if not isinstance(limit, int) or not 0 <= limit <= 10_000 or not isinstance(weekly, int) or weekly < 0:
            raise data_problem(path, f'"{code}"', f"policy {code!r}: limit_bp must be 0-10000 and "
                               "max_weekly_increase_pence 0 or more (whole numbers)", fix_there=True)
        policies.append(ReviewPolicy(code, effective, str(entry["source"]), limit, weekly,
                                     bool(entry.get("formula_ceiling", False))))
    rules: list[NoticeRule] = []
    for entry in raw.get("notice", []):
        effective = entry.get("effective_from")
        numbers = [entry.get("min_days"), entry.get("post_working_days")]
        if not isinstance(effective, date) or not entry.get("source") or not entry.get("nation") \
                or not all(isinstance(n, int) and n >= 0 for n in numbers) or not entry.get("letter"):
            raise data_problem(path, "[[notice]]", "each notice rule needs nation, effective_from (a date), source, "
                               "min_days, post_working_days (whole numbers) and letter", fix_there=True)
        rules.append(NoticeRule(str(entry["nation"]), effective, str(entry["source"]), numbers[0],
                                bool(entry.get("at_least_one_period", False)), numbers[1], str(entry["letter"])))
    if not policies or not rules:
        raise data_problem(path, "[[", "the review data needs at least one [[policy]] and one [[notice]]",
                           fix_there=True)
    return tuple(policies), tuple(rules)


def policy_for(data_dir: Path, code: str | None, on: date) -> ReviewPolicy:
    """The policy ``code`` (default: the first code in the file) in force on ``on``."""
    policies, _ = _load(data_dir)
    wanted = code or policies[0].code
    found = [p for p in policies if p.code == wanted and p.effective_from <= on]
    if not found:
        codes = sorted({p.code for p in policies})
        raise InputError(f"no review policy {wanted!r} in force on {on:%d/%m/%Y}; choose one of {', '.join(codes)} "
                         "(data/rents/review.toml)")
    return max(found, key=lambda p: p.effective_from)


def notice_rule_for(data_dir: Path, nation: str, on: date) -> NoticeRule:
    """The notice rule of ``nation`` in force on ``on``."""
    _, rules = _load(data_dir)
    found = [r for r in rules if r.nation == nation and r.effective_from <= on]
    if not found:
        raise InputError(f"no notice-of-variation rule for {nation} in data/rents/review.toml; add a [[notice]] "
                         "for it before reviewing its rents")
    return max(found, key=lambda r: r.effective_from)


def letter_template(data_dir: Path, code: str) -> str:
    """A notice letter's template (the leading # comment lines dropped)."""
    path = area_file(data_dir, "rents", "letters", f"{code}.txt")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise data_problem(path, "", f"letter {code!r} is missing", fix_there=True) from None
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines)


__all__ = ["letter_template", "notice_rule_for", "policy_for"]
