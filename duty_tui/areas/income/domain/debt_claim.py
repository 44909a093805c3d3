"""Former tenants' debt: the Pre-Action Protocol for Debt Claims as dated data, and its letters.

``data/income/debt_protocol.toml`` holds, each from the date it takes effect and with its source, the
time a debtor has to reply to a letter of claim and the limitation period for rent (shown as
information, marked "to confirm" while the file says ``limitation_confirmed = false``). The letter of
claim, the information sheet, the reply form and the financial statement are plain-text templates in
``data/income/letters/``, filled by ``render_template`` (values go in through ``inert`` and are never
re-scanned for placeholders; an unknown placeholder stops with the file and line).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from duty_tui.areas.income.domain.law_table import add_months
from duty_tui.areas.income.domain.letter_text import fill_template
from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import EnvironmentProblem

FILE_NAME = "debt_protocol.toml"
WIDTH = 78
PROSE_MIN = 50
TEMPLATES = ("letter_of_claim", "debt_information_sheet", "debt_reply_form", "financial_statement")
"""The pages of a letter of claim, in order: each ``data/income/letters/<name>.txt``."""
PLACEHOLDERS = frozenset({
    "office_name", "date", "debtor_name", "debtor_address", "account_ref", "amount", "reply_by", "reply_days",
    "how_it_arose", "history", "rent_account_ref", "tenancy_ref", "former_address", "ended_on", "officer_name",
    "protocol_source",
})
"""Every placeholder a template may use (docs/INCOME_FORMER_TENANTS.md lists what each holds)."""
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_KEYS = {"effective_from", "reply_days", "source", "limitation_years", "limitation_source", "limitation_confirmed",
         "note"}


@dataclass(frozen=True)
class DebtRules:
    """The protocol's reply period and the limitation period, in force from a date, with their sources."""

    effective_from: date
    reply_days: int
    source: str
    limitation_years: int
    limitation_source: str
    limitation_confirmed: bool
    note: str = ""

    def reply_by(self, sent_on: date) -> date:
        """The last day to reply to a letter of claim dated ``sent_on``."""
        return sent_on + timedelta(days=self.reply_days)

    def limitation_ends(self, since: date) -> date:
        """The day the limitation period runs out, counted from ``since`` (the last payment or acknowledgement)."""
        return add_months(since, 12 * self.limitation_years)


@dataclass(frozen=True)
class DebtProtocol:
    """Every dated entry of the file, latest first."""

    entries: tuple[DebtRules, ...]
    path: str = "data/income/debt_protocol.toml"

    def on(self, day: date) -> DebtRules:
        """The entry in force on ``day``; a day before the first entry is refused by name."""
        for entry in self.entries:
            if entry.effective_from <= day:
                return entry
        first = self.entries[-1].effective_from
        raise EnvironmentProblem(f"{self.path}: no entry in force on {day:%d/%m/%Y} (the first is from "
                                 f"{first:%d/%m/%Y}); add the rules in force then")


def _entry(path: Path, index: int, raw: object) -> DebtRules:
    where = f"entry {index + 1}"
    if not isinstance(raw, dict):
        raise data_problem(path, "[[protocol]]", f"{where}: must be a table of keys")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise data_problem(path, unknown[0], f"{where}: unknown key {unknown[0]!r}", fix_there=True)
    effective = raw.get("effective_from")
    if not isinstance(effective, date) or isinstance(effective, datetime):
        raise data_problem(path, "effective_from", f"{where}: give effective_from = YYYY-MM-DD (a date, unquoted)")
    for key, top in (("reply_days", 365), ("limitation_years", 50)):
        value = raw.get(key)
        if type(value) is not int or not 1 <= value <= top:
            raise data_problem(path, key, f"{where}: {key} must be a whole number from 1 to {top}", fix_there=True)
    for key in ("source", "limitation_source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise data_problem(path, key, f'{where}: give {key} = "the rule, paragraph or section"')
    confirmed = raw.get("limitation_confirmed", False)
    if not isinstance(confirmed, bool):
        raise data_problem(path, "limitation_confirmed", f"{where}: limitation_confirmed must be true or false")
    return DebtRules(effective, raw["reply_days"], raw["source"].strip(), raw["limitation_years"],
                     raw["limitation_source"].strip(), confirmed, str(raw.get("note", "")))


def load_debt_protocol_file(path: Path) -> DebtProtocol:
    """Read and check one protocol file (no caching)."""
    raw = read_toml(path)
    unknown = sorted(set(raw) - {"protocol"})
    if unknown:
        raise data_problem(path, unknown[0], f"unknown key {unknown[0]!r}; every entry is a [[protocol]] table")
    entries = raw.get("protocol")
    if not isinstance(entries, list) or not entries:
        raise EnvironmentProblem(f"{path}:1: expected one or more [[protocol]] entries")
    found = [_entry(path, i, e) for i, e in enumerate(entries)]
    days = [e.effective_from for e in found]
    twice = next((d for d in days if days.count(d) > 1), None)
    if twice is not None:
        raise data_problem(path, twice.isoformat(), f"two entries take effect on {twice.isoformat()}", fix_there=True)
    return DebtProtocol(tuple(sorted(found, key=lambda e: e.effective_from, reverse=True)), str(path))


@functools.cache
def load_debt_protocol(data_dir: Path) -> DebtProtocol:
    """The protocol file of a data folder (cached per folder)."""
    return load_debt_protocol_file(area_file(Path(data_dir), "income", FILE_NAME))


def _strip_notes(text: str) -> str:
    """A template without its leading ``#`` note lines (notes for the council, never printed)."""
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines)


def check_template(path: Path, text: str) -> str:
    """The template's printable text; an unknown placeholder stops with the file and line."""
    body = _strip_notes(text)
    for name in _PLACEHOLDER.findall(body):
        if name not in PLACEHOLDERS:
            raise data_problem(path, "{" + name + "}", f"unknown placeholder {{{name}}}; the placeholders a letter "
                               f"may use are {', '.join(sorted(PLACEHOLDERS))}", fix_there=True)
    return body


@functools.cache
def load_templates(data_dir: Path) -> dict[str, str]:
    """The letter of claim's pages (name -> checked template text), cached per data folder."""
    out = {}
    for name in TEMPLATES:
        path = area_file(Path(data_dir), "income", "letters", f"{name}.txt")
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise EnvironmentProblem(f"{path}: letter template is missing; restore it from the duty-tui release") \
                from None
        out[name] = check_template(path, text)
    return out


def render_template(template: str, values: dict[str, str]) -> list[str]:
    """The template filled, as lines (domain/letter_text.py: lone placeholders line by line, running text
    filled again to WIDTH, tables keeping their shape)."""
    return fill_template(template, values, width=WIDTH, prose_min=PROSE_MIN)


def long_date(day: date | None) -> str:
    """'10 March 2026' ('' for None)."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


__all__ = ["PLACEHOLDERS", "TEMPLATES", "DebtProtocol", "DebtRules", "check_template", "load_debt_protocol",
           "load_debt_protocol_file", "load_templates", "long_date", "render_template"]
