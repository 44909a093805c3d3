"""The pre-action steps as data (``data/income/protocol.toml``): each step's words, the evidence that
counts, its source, and how long a recorded step counts (council policy, dated).

Pure: ``load_protocol_file`` reads and checks one file (a mistake stops with the file, line and key);
``ProtocolSteps.current`` says whether a step done on a day still counts on another. The step codes
are the law engine's (``arrears_input.STEPS``): the file words them, it cannot add or drop one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from duty_tui.areas.income.domain.arrears_input import STEPS
from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import EnvironmentProblem

FILE_NAME = "protocol.toml"
BASIS = "council policy"
APPLY_FOR_POSSESSION = "apply_for_possession"
"""The recovery policy's step (data/income/recovery.toml) that the possession gate guards."""
STEP_KEYS = ("jurisdiction", "code", "name", "words", "evidence", "source")
CURRENCY_KEYS = ("step", "days", "effective_from", "basis", "why")
HEADER_KEYS = ("title", "effective_from")
NAME_MAX = 34
BENEFIT_KINDS = {"housing_benefit": "housing benefit", "universal_credit": "universal credit (housing costs)"}
BENEFIT_OUTCOMES = {"awarded": "awarded", "refused": "refused", "withdrawn": "withdrawn"}
MANAGED_STATES = {"requested": "requested", "approved": "approved", "refused": "refused", "ended": "ended"}
MANAGED_MOVES = {"requested": ("approved", "refused", "ended"), "approved": ("ended",), "refused": (), "ended": ()}
"""A UC managed payment's states and the moves allowed from each: requested → approved / refused;
approved → ended; a request withdrawn before a decision is ended too. Refused and ended are final."""


@dataclass(frozen=True)
class StepRule:
    """One pre-action step: its code, how it is named, what counts as evidence, where it comes from."""

    jurisdiction: str
    code: str
    name: str
    words: str
    evidence: str
    source: str


@dataclass(frozen=True)
class Currency:
    """How long a recorded step counts (council policy), from a date; ``days`` 0: always."""

    step: str
    days: int
    effective_from: date
    why: str = ""


@dataclass(frozen=True)
class ProtocolSteps:
    """Every step of both jurisdictions, in the law's order, and the dated currency rules."""

    title: str
    steps: tuple[StepRule, ...]
    currency: tuple[Currency, ...]

    def of(self, jurisdiction: str) -> tuple[StepRule, ...]:
        """The steps of one jurisdiction, in the law's order."""
        return tuple(s for s in self.steps if s.jurisdiction == jurisdiction)

    def step(self, code: str) -> StepRule | None:
        """The step with this code (either jurisdiction), or None."""
        return next((s for s in self.steps if s.code == code), None)

    def currency_on(self, code: str, day: date) -> Currency | None:
        """The currency rule in force on ``day`` for a step (latest effective_from on or before it)."""
        found = [c for c in self.currency if c.step == code and c.effective_from <= day]
        rule = max(found, key=lambda c: c.effective_from, default=None)
        return rule if rule is not None and rule.days > 0 else None

    def stale_from(self, code: str, done_on: date, as_of: date) -> date | None:
        """The first day a step done on ``done_on`` no longer counts, when that is on or before ``as_of``;
        None while it still counts."""
        rule = self.currency_on(code, as_of)
        if rule is None:
            return None
        ends = done_on + timedelta(days=rule.days)
        return ends if ends <= as_of else None


def _problem(path: Path, needle: str, message: str) -> EnvironmentProblem:
    return data_problem(path, needle, message, fix_there=True)


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _read_step(path: Path, entry: Any, number: int) -> StepRule:
    if not isinstance(entry, dict):
        raise _problem(path, "[[step]]", f"step {number}: must be a table of keys")
    code = entry.get("code")
    where = f"step {number}" + (f" ({code})" if isinstance(code, str) else "")
    needle = f'"{code}"' if isinstance(code, str) else "[[step]]"
    for key in entry:
        if key not in STEP_KEYS:
            raise _problem(path, key, f"{where}: {key}: unknown key (expected {', '.join(STEP_KEYS)})")
    for key in STEP_KEYS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise _problem(path, needle, f"{where}: {key}: required, as words in quotes")
    jurisdiction = entry["jurisdiction"]
    if jurisdiction not in STEPS:
        raise _problem(path, needle, f"{where}: jurisdiction: {jurisdiction!r} is not england or scotland")
    if code not in STEPS[jurisdiction]:
        other = "scotland" if jurisdiction == "england" else "england"
        also = f" (it is a step in {other.title()})" if code in STEPS[other] else ""
        raise _problem(path, needle, f"{where}: code: {code!r} is not a step in {jurisdiction.title()}{also}; "
                                     f"the steps are {', '.join(STEPS[jurisdiction])}")
    if len(entry["name"].strip()) > NAME_MAX:
        raise _problem(path, needle, f"{where}: name: at most {NAME_MAX} characters (the checklist's column); "
                                     f"this has {len(entry['name'].strip())}")
    return StepRule(jurisdiction, code, *(entry[k].strip() for k in ("name", "words", "evidence", "source")))


def _read_currency(path: Path, entry: Any, number: int) -> Currency:
    if not isinstance(entry, dict):
        raise _problem(path, "[[currency]]", f"currency {number}: must be a table of keys")
    step = entry.get("step")
    where = f"currency {number}" + (f" ({step})" if isinstance(step, str) else "")
    needle = f'"{step}"' if isinstance(step, str) else "[[currency]]"
    for key in entry:
        if key not in CURRENCY_KEYS:
            raise _problem(path, key, f"{where}: {key}: unknown key (expected {', '.join(CURRENCY_KEYS)})")
    every = STEPS["england"] + STEPS["scotland"]
    if step not in every:
        raise _problem(path, needle, f"{where}: step: {step!r} is not a step code ({', '.join(every)})")
    days = entry.get("days")
    if type(days) is not int or not 0 <= days <= 3660:
        raise _problem(path, needle, f"{where}: days: must be a whole number of days from 0 to 3660, not {days!r}")
    if not _is_date(entry.get("effective_from")):
        raise _problem(path, needle, f"{where}: effective_from: must be the date it takes effect, written "
                                     "2026-04-06 without quotes")
    if entry.get("basis") != BASIS:
        raise _problem(path, needle, f'{where}: basis: must be "{BASIS}" (how long a step counts is the '
                                     "council's choice, not the law)")
    why = entry.get("why", "")
    if not isinstance(why, str):
        raise _problem(path, needle, f"{where}: why: must be words in quotes")
    return Currency(step, days, entry["effective_from"], why.strip())


def _header(path: Path, raw: dict[str, Any]) -> str:
    for key in raw:
        if key not in ("protocol", "step", "currency"):
            raise _problem(path, key, f"{key}: unknown key (expected [protocol], [[step]] and [[currency]] entries)")
    header = raw.get("protocol")
    if not isinstance(header, dict):
        raise EnvironmentProblem(f"{path}:1: protocol: a [protocol] table is required; fix it there")
    for key in header:
        if key not in HEADER_KEYS:
            raise _problem(path, key, f"protocol.{key}: unknown key (expected {', '.join(HEADER_KEYS)})")
    if not _is_date(header.get("effective_from")):
        raise _problem(path, "effective_from", "protocol.effective_from: must be a date, written 2020-01-13 "
                                               "without quotes")
    title = header.get("title", "Pre-action steps")
    if not isinstance(title, str) or not title.strip():
        raise _problem(path, "title", "protocol.title: must be words in quotes")
    return title.strip()


def load_protocol_file(path: Path) -> ProtocolSteps:
    """Read and check one protocol.toml: every problem names the file, line and key."""
    raw = read_toml(path)
    title = _header(path, raw)
    entries = raw.get("step")
    if not isinstance(entries, list) or not entries:
        raise EnvironmentProblem(f"{path}:1: step: expected a [[step]] entry for each step; fix it there")
    steps = [_read_step(path, entry, n) for n, entry in enumerate(entries, start=1)]
    seen: set[str] = set()
    for step in steps:
        if step.code in seen:
            raise _problem(path, f'"{step.code}"', f"step {step.code}: appears twice")
        seen.add(step.code)
    for jurisdiction, codes in STEPS.items():
        missing = [c for c in codes if c not in seen]
        if missing:
            raise EnvironmentProblem(f"{path}:1: step: {jurisdiction.title()}'s steps are missing: "
                                     f"{', '.join(missing)} (every step of the law needs an entry); fix it there")
    order = {code: i for codes in STEPS.values() for i, code in enumerate(codes)}
    steps.sort(key=lambda s: (s.jurisdiction, order[s.code]))
    raw_currency = raw.get("currency", [])
    if not isinstance(raw_currency, list):
        raise _problem(path, "currency", "currency: must be [[currency]] entries")
    currency = [_read_currency(path, entry, n) for n, entry in enumerate(raw_currency, start=1)]
    dated: set[tuple[str, date]] = set()
    for rule in currency:
        if (rule.step, rule.effective_from) in dated:
            raise _problem(path, rule.effective_from.isoformat(),
                           f"currency {rule.step}: two entries from {rule.effective_from.isoformat()}")
        dated.add((rule.step, rule.effective_from))
    return ProtocolSteps(title, tuple(steps), tuple(currency))


@functools.cache
def load_protocol(data_dir: Path) -> ProtocolSteps:
    """The pre-action steps of a data folder (cached per folder)."""
    return load_protocol_file(area_file(Path(data_dir), "income", FILE_NAME))


__all__ = ["APPLY_FOR_POSSESSION", "BENEFIT_KINDS", "BENEFIT_OUTCOMES", "MANAGED_MOVES", "MANAGED_STATES",
           "Currency", "ProtocolSteps", "StepRule", "load_protocol", "load_protocol_file"]
