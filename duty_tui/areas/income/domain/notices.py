"""Notices for rent arrears as data and pure rules: which notice a tenancy gets, the rental period the law
engine dates it by, how it may be served, its state on a day, and its letter (docs/INCOME_NOTICES.md).

The dates themselves come from the law engine behind `duty-tui arrears assess` (``law.assess_account``
over the dated ``law.toml``): this module never works out a notice period. ``data/income/notices.toml``
holds the council's practice (kinds, methods, tenant relationships, the rent week); the letters are
``data/income/letters/<kind>.txt``. A mistake in either stops with the file and line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from duty_tui.areas.income.domain.arrears_input import AccountFacts, Notice, Rent
from duty_tui.areas.income.domain.law import EARLIEST_SECTION, assess_account
from duty_tui.areas.income.domain.law_table import LawTable
from duty_tui.areas.income.domain.letter_text import PLACEHOLDER, fill_template
from duty_tui.areas.income.domain.policy import TENANCY_TYPES
from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import EnvironmentProblem

FILE_NAME = "notices.toml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
KIND_KEYS = ("code", "tenancy_types", "title", "legal_basis", "template", "policy_step")
PLACEHOLDERS = {
    "office_name": "the landlord's office", "date": "the date of the letter (the day of service)",
    "tenants": "every tenant's name, a line each", "tenant_names": "the tenants' names in a sentence",
    "address": "the property's address, a line each", "account_ref": "the rent account",
    "tenancy_ref": "the tenancy", "served_on": "the day of service", "method": "how it was served, in words",
    "proceedings_from": "the date after which proceedings may begin (the date specified)",
    "lapses_on": "the day it stops being in force (blank: it does not lapse)",
    "review_by": "the last day to ask for a review (introductory tenancies)", "arrears": "the arrears, £",
    "arrears_on": "the day the arrears are given for", "weekly_rent": "the weekly rent, £",
    "weeks": "the arrears as weeks of rent", "particulars": "the officer's further particulars (may be blank)",
    "officer_name": "the officer serving it", "legal_basis": "the Act and section",
}
S14A_STEPS = ("s14a_information", "s14a_benefits_help", "s14a_debt_advice", "s14a_payment_plan")
"""Housing (Scotland) Act 2001 s14A(2)-(5): each recorded in protocol_step before an s14 notice (s14(2A))."""
WIDTH = 88
PROSE_MIN = 60
_PLACEHOLDER = PLACEHOLDER
STATES = {"not_yet_in_force": "not yet in force: proceedings may not begin yet", "in_force": "in force",
          "lapsed": "lapsed", "withdrawn": "withdrawn"}


@dataclass(frozen=True)
class NoticeKind:
    """One kind of notice: the tenancy types it is for, its title and legal basis, template and recovery step."""

    code: str
    tenancy_types: tuple[str, ...]
    title: str
    legal_basis: str
    template: str
    policy_step: str


@dataclass(frozen=True)
class NoticeRules:
    """``data/income/notices.toml``, checked."""

    first_day: int  # weekday the rent week starts (0 Monday)
    rent_source: str
    relationships: tuple[str, ...]
    methods: dict[str, str]
    kinds: tuple[NoticeKind, ...]
    path: Path
    letters: Path

    def kind_for(self, tenancy_type: str) -> NoticeKind | None:
        """The notice a tenancy type gets, or None."""
        return next((k for k in self.kinds if tenancy_type in k.tenancy_types), None)

    def kind(self, code: str) -> NoticeKind:
        """A kind by its code (a stored notice's)."""
        found = next((k for k in self.kinds if k.code == code), None)
        if found is None:
            raise EnvironmentProblem(f"{self.path}:1: no [[kind]] {code!r}, which a stored notice names; add it back")
        return found

    def rent(self, weekly_pence: int, start: date) -> Rent:
        """The tenancy's rent as the law engine takes it: weekly, periods starting on the rent week's first day."""
        anchor = start - timedelta(days=(start.weekday() - self.first_day) % 7)
        return Rent(weekly_pence, "weekly", anchor)

    def template(self, kind: NoticeKind) -> str:
        """The kind's letter without its leading comment lines; unknown placeholders stop with file and line."""
        path = self.letters / kind.template
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError:
            raise EnvironmentProblem(f"{path}: the {kind.code} letter is missing; restore it from the duty-tui "
                                     "release") from None
        lines = raw.splitlines()
        while lines and lines[0].startswith("#"):
            lines.pop(0)
        for number, line in enumerate(raw.splitlines(), start=1):
            if line.startswith("#"):
                continue
            for match in _PLACEHOLDER.finditer(line):
                if match.group(1) not in PLACEHOLDERS:
                    raise EnvironmentProblem(f"{path}:{number}: unknown placeholder {{{match.group(1)}}}; the "
                                             f"placeholders are {', '.join(PLACEHOLDERS)}")
        return "\n".join(lines)


def _strings(path: Path, value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise data_problem(path, key, f"{key}: give a list of words, e.g. [\"lead tenant\"]")
    return tuple(v.strip() for v in value)


def _kind(path: Path, entry: object, number: int) -> NoticeKind:
    if not isinstance(entry, dict):
        raise data_problem(path, "[[kind]]", f"kind {number}: must be a table of keys")
    unknown = sorted(set(entry) - set(KIND_KEYS))
    if unknown:
        raise data_problem(path, unknown[0], f"kind {number}: unknown key {unknown[0]!r}")
    missing = [k for k in KIND_KEYS if k != "tenancy_types" and not (isinstance(entry.get(k), str) and entry[k].strip())]
    if missing:
        raise data_problem(path, "[[kind]]", f"kind {number}: give {missing[0]} = \"...\"")
    types = _strings(path, entry.get("tenancy_types"), "tenancy_types")
    wrong = [t for t in types if t not in TENANCY_TYPES]
    if wrong:
        raise data_problem(path, wrong[0], f"kind {number}: unknown tenancy type {wrong[0]!r}; they are "
                                           f"{', '.join(TENANCY_TYPES)}")
    return NoticeKind(entry["code"].strip(), types, entry["title"].strip(), entry["legal_basis"].strip(),
                      entry["template"].strip(), entry["policy_step"].strip())


def load_notice_rules_file(path: Path, letters: Path) -> NoticeRules:
    """Read and check one notices file (no caching)."""
    raw = read_toml(path)
    unknown = sorted(set(raw) - {"rent", "tenants", "methods", "kind"})
    if unknown:
        raise data_problem(path, unknown[0], f"unknown key {unknown[0]!r}")
    rent: dict[str, Any] = raw["rent"] if isinstance(raw.get("rent"), dict) else {}
    if rent.get("period") != "weekly":
        raise data_problem(path, "period", "[rent] period: only \"weekly\" (the tenancy holds a weekly rent)")
    first = str(rent.get("first_day", "")).lower()
    if first not in WEEKDAYS:
        raise data_problem(path, "first_day", f"[rent] first_day: one of {', '.join(WEEKDAYS)}")
    tenants: dict[str, Any] = raw["tenants"] if isinstance(raw.get("tenants"), dict) else {}
    relationships = _strings(path, tenants.get("relationships"), "relationships")
    methods = raw.get("methods")
    if not isinstance(methods, dict) or not methods or not all(isinstance(v, str) and v.strip()
                                                                 for v in methods.values()):
        raise data_problem(path, "[methods]", "[methods]: give each way of serving as code = \"words\"")
    entries = raw.get("kind")
    if not isinstance(entries, list) or not entries:
        raise data_problem(path, "[[kind]]", "give one [[kind]] per notice")
    kinds = tuple(_kind(path, entry, n) for n, entry in enumerate(entries, start=1))
    seen: set[str] = set()
    for kind in kinds:
        twice = seen & set(kind.tenancy_types)
        if twice:
            raise data_problem(path, kind.code, f"kind {kind.code}: tenancy type {sorted(twice)[0]} has two kinds")
        seen |= set(kind.tenancy_types)
    return NoticeRules(WEEKDAYS.index(first), str(rent.get("source", "")), tuple(r.lower() for r in relationships),
                       {str(k): str(v).strip() for k, v in methods.items()}, kinds, path, letters)


@functools.cache
def load_notice_rules(data_dir: Path) -> NoticeRules:
    """The notices file of a data folder (cached per folder)."""
    return load_notice_rules_file(area_file(Path(data_dir), "income", FILE_NAME),
                                  area_file(Path(data_dir), "income", "letters"))


# --- the dates, from the law engine ----------------------------------------------------------------

@dataclass(frozen=True)
class LegalDates:
    """What the law engine gives a notice served on ``served_on``."""

    earliest: date
    proceedings_from: date
    lapses_on: date | None
    review_by: date | None
    source: str


def legal_dates(law: LawTable, tenancy_type: str, rent: Rent, served_on: date, wanted: date | None) -> LegalDates:
    """The engine's dates for a notice served on ``served_on`` giving ``wanted`` (None: the earliest).

    ``assess_account`` is run for the notice as `arrears assess` would be; a date too early is refused
    by the caller with the earliest named (``too_early``)."""
    jurisdiction = TENANCY_TYPES[tenancy_type]
    facts = AccountFacts(as_of=served_on, jurisdiction=jurisdiction, tenancy_type=tenancy_type, rent=rent)
    earliest = assess_account(facts, law).earliest_if_served_today
    assert earliest is not None  # a kind exists only for the covered types
    specified = earliest if wanted is None else wanted
    notice = assess_account(AccountFacts(as_of=served_on, jurisdiction=jurisdiction, tenancy_type=tenancy_type,
                                         rent=rent, notice=Notice(served_on, max(specified, served_on))), law).notice
    assert notice is not None
    minimum = law.on("notice_minimum", jurisdiction, served_on)
    return LegalDates(earliest, specified, notice.lapses, notice.review_request_by,
                      f"{EARLIEST_SECTION[tenancy_type]}; {minimum.words}: {minimum.source}")


def too_early(dates: LegalDates) -> str | None:
    """What to fix when the date specified is earlier than the law allows, or None."""
    if dates.proceedings_from >= dates.earliest:
        return None
    return (f"proceedings_from: {dates.proceedings_from:%d/%m/%Y} is earlier than the law allows "
            f"({dates.source}); the earliest valid date is {dates.earliest:%d/%m/%Y}")


def notice_state(today: date, *, proceedings_from: date, lapses_on: date | None, withdrawn_on: date | None,
                 review_outcome: str | None) -> str:
    """withdrawn / lapsed / not_yet_in_force / in_force on ``today`` (a review that overturned it withdraws it)."""
    if (withdrawn_on is not None and withdrawn_on <= today) or review_outcome == "overturned":
        return "withdrawn"
    if lapses_on is not None and today >= lapses_on:
        return "lapsed"
    return "not_yet_in_force" if today < proceedings_from else "in_force"


# --- the letter -----------------------------------------------------------------------------------

def long_date(day: date | None) -> str:
    """'10 March 2026' ('' for None)."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


_KEEP_TOGETHER = re.compile(r"\b(?:[Ss]ection \d|[Ss]s?\d|\d{1,2} [A-Z][a-z]+ \d{4}|\d{4} \d{3} \d{4}|\d+\.\d\d weeks)")


def render_letter(template: str, values: dict[str, str]) -> str:
    """Fill the template (domain/letter_text.py), never breaking a date, a section number or a phone
    number across lines."""
    return "\n".join(fill_template(template, values, width=WIDTH, prose_min=PROSE_MIN,
                                   keep_together=_KEEP_TOGETHER)) + "\n"


__all__ = ["PLACEHOLDERS", "S14A_STEPS", "STATES", "LegalDates", "NoticeKind", "NoticeRules", "legal_dates",
           "load_notice_rules", "load_notice_rules_file", "long_date", "notice_state", "render_letter", "too_early"]
