"""Front-desk reference data and policy: contact reasons, channels, outcomes, agencies,
repair priorities and complaint clocks, from ``data/*.toml``.

Loaded once per data folder and validated; a bad file stops start-up with one
message naming the file and line (like ``duty_tui.core.config.reference``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from duty_tui.areas.frontdesk.domain.complaints import ComplaintScheme, StagePolicy
from duty_tui.areas.frontdesk.domain.repair_danger import DangerRule
from duty_tui.core.config.reference import area_file, data_problem, load_reference, read_toml
from duty_tui.core.domain.clocks import JURISDICTIONS
from duty_tui.core.domain.errors import EnvironmentProblem

CLOCK_KINDS = ("none", "working_days", "hours", "same_day", "complaint", "repair", "awaab_damp_mould",
               "awaab_emergency")
INTAKES = ("", "complaint", "service_request", "repair", "damp_mould", "emergency_hazard", "safeguarding_child",
           "safeguarding_adult", "homeless_tonight", "homeless_approach")
PRIORITIES = ("normal", "urgent", "emergency")


@dataclass(frozen=True)
class ClockDef:
    """A named clock a reason starts: kind (see CLOCK_KINDS) and, for counted kinds, an amount."""

    code: str
    kind: str
    amount: int
    name: str


@dataclass(frozen=True)
class ReasonDef:
    """One contact reason (the second level of the two-level list)."""

    code: str
    group: str
    group_name: str
    name: str
    team: str
    clock: str
    needs_identity_check: bool
    case_type: str = "enquiry"
    priority: str = "normal"
    intake: str = ""
    routes: bool = False
    keywords: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """'Rent › Balance enquiry'."""
        return f"{self.group_name} › {self.name}"


@dataclass(frozen=True)
class NamedCode:
    """A code with a display name (channels)."""

    code: str
    name: str


@dataclass(frozen=True)
class OutcomeDef:
    """How a contact ended; ``first_contact`` counts towards first-contact resolution."""

    code: str
    name: str
    first_contact: bool


@dataclass(frozen=True)
class AgencyDef:
    """A partner agency for signposting."""

    code: str
    name: str
    phone: str
    web: str
    helps_with: str
    jurisdictions: tuple[str, ...] = ()

    def offered_in(self, jurisdiction: str) -> bool:
        """True when the agency is offered to offices in ``jurisdiction``."""
        return not self.jurisdictions or jurisdiction in self.jurisdictions


@dataclass(frozen=True)
class RepairPriority:
    """A repair priority and its target."""

    code: str
    name: str
    kind: str  # working_days | hours
    amount: int
    jurisdictions: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    def offered_in(self, jurisdiction: str) -> bool:
        """True when offered to offices in ``jurisdiction``."""
        return not self.jurisdictions or jurisdiction in self.jurisdictions


@dataclass(frozen=True)
class FrontdeskPolicy:
    """Limits, the safeguarding lead, desks."""

    notes_max: int = 4000
    backdate_max_days: int = 31
    callback_working_days: int = 1
    safeguarding_team: str = "safeguarding"
    safeguarding_lead: str = ""
    desks: tuple[str, ...] = ("Desk 1",)
    wait_warning_minutes: int = 20
    contact_edit_hours: int = 48
    """How long after logging a contact its author (or a team leader) may correct it ([contact_edits] hours)."""


@dataclass(frozen=True)
class FrontdeskReference:
    """Everything the front desk reads from data/, validated."""

    clocks: dict[str, ClockDef]
    reasons: dict[str, ReasonDef]
    channels: dict[str, NamedCode]
    outcomes: dict[str, OutcomeDef]
    agencies: dict[str, AgencyDef]
    repair_priorities: dict[str, RepairPriority]
    repair_defaults: dict[str, str]
    complaint_schemes: dict[str, ComplaintScheme]
    complaint_scheme_for: dict[str, str]
    policy: FrontdeskPolicy = field(default_factory=FrontdeskPolicy)
    case_outcomes: dict[str, NamedCode] = field(default_factory=dict)
    repair_danger: tuple[DangerRule, ...] = ()

    def reason(self, code: str) -> ReasonDef | None:
        """The reason with ``code``, or None."""
        return self.reasons.get(code)

    def reason_label(self, code: str) -> str:
        """A reason's label, or the code itself for one no longer in the file."""
        found = self.reasons.get(code)
        return found.label if found else code

    def complaint_scheme(self, jurisdiction: str) -> ComplaintScheme:
        """The complaint scheme that applies in ``jurisdiction``."""
        return self.complaint_schemes[self.complaint_scheme_for.get(jurisdiction, "chc")]

    def default_repair_priority(self, intake: str, jurisdiction: str) -> str:
        """The priority a repair report starts at (intake: repair, damp_mould, emergency_hazard)."""
        if jurisdiction == "scotland" and f"{intake}_scotland" in self.repair_defaults:
            return self.repair_defaults[f"{intake}_scotland"]
        return self.repair_defaults.get(intake, next(iter(self.repair_priorities)))


_problem = data_problem


def _str(path: Path, entry: dict[str, Any], key: str, where: str, *, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise _problem(path, where, f"{where}: {key!r} must be a non-empty string")
    return value


def _int(path: Path, entry: dict[str, Any], key: str, where: str, *, default: int | None = None,
         minimum: int = 0) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _problem(path, where, f"{where}: {key!r} must be a whole number of at least {minimum}")
    return value


def _codes_list(path: Path, raw: dict[str, Any], table: str) -> list[dict[str, Any]]:
    entries = raw.get(table)
    if not isinstance(entries, list) or not entries:
        raise EnvironmentProblem(f"{path}:1: expected one or more [[{table}]] entries")
    seen: set[str] = set()
    for entry in entries:
        code = entry.get("code")
        if not isinstance(code, str) or not code:
            raise _problem(path, f"[[{table}]]", f"a [[{table}]] entry lacks 'code'")
        if code in seen:
            raise _problem(path, f'"{code}"', f"code {code!r} appears twice")
        seen.add(code)
        _str(path, entry, "name", f'"{code}"')
    return entries


def _jurisdictions(path: Path, entry: dict[str, Any], where: str) -> tuple[str, ...]:
    values = entry.get("jurisdictions", [])
    if not isinstance(values, list) or any(v not in JURISDICTIONS for v in values):
        raise _problem(path, where, f"{where}: jurisdictions must be a list of {', '.join(JURISDICTIONS)}")
    return tuple(values)


def _load_reasons(path: Path, teams: set[str]) -> tuple[dict[str, ClockDef], dict[str, ReasonDef]]:
    raw = read_toml(path)
    clocks: dict[str, ClockDef] = {}
    for code, body in (raw.get("clocks") or {}).items():
        if not isinstance(body, dict) or body.get("kind") not in CLOCK_KINDS:
            raise _problem(path, f"{code} =", f"clock {code!r}: kind must be one of {', '.join(CLOCK_KINDS)}")
        amount = 0
        if body["kind"] in ("working_days", "hours"):
            amount = _int(path, body, "amount", f"{code} =", minimum=1)
        clocks[code] = ClockDef(code, body["kind"], amount, str(body.get("name", code)))
    if "none" not in clocks:
        clocks["none"] = ClockDef("none", "none", 0, "No clock")
    groups = raw.get("group")
    if not isinstance(groups, list) or not groups:
        raise EnvironmentProblem(f"{path}:1: expected one or more [[group]] entries")
    reasons: dict[str, ReasonDef] = {}
    for group in groups:
        gcode = _str(path, group, "code", "[[group]]")
        gname = _str(path, group, "name", f'"{gcode}"')
        entries = group.get("reason")
        if not isinstance(entries, list) or not entries:
            raise _problem(path, f'"{gcode}"', f"group {gcode!r} needs one or more [[group.reason]] entries")
        for entry in entries:
            code = _str(path, entry, "code", f"group {gcode}")
            where = f'"{code}"'
            if code in reasons:
                raise _problem(path, where, f"reason code {code!r} appears twice")
            team = _str(path, entry, "team", where)
            if team not in teams:
                raise _problem(path, where, f"reason {code!r}: team {team!r} is not in teams.toml")
            clock = _str(path, entry, "clock", where)
            if clock not in clocks:
                raise _problem(path, where, f"reason {code!r}: clock {clock!r} is not in [clocks]")
            needs = entry.get("needs_identity_check")
            if not isinstance(needs, bool):
                raise _problem(path, where, f"reason {code!r}: needs_identity_check must be true or false")
            priority = _str(path, entry, "priority", where, default="normal")
            if priority not in PRIORITIES:
                raise _problem(path, where, f"reason {code!r}: priority must be one of {', '.join(PRIORITIES)}")
            intake = _str(path, entry, "intake", where, default="")
            if intake not in INTAKES:
                raise _problem(path, where, f"reason {code!r}: intake must be one of {', '.join(i for i in INTAKES if i)}")
            keywords = entry.get("keywords", [])
            if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
                raise _problem(path, where, f"reason {code!r}: keywords must be a list of strings")
            reasons[code] = ReasonDef(
                code=code, group=gcode, group_name=gname, name=_str(path, entry, "name", where), team=team,
                clock=clock, needs_identity_check=needs, case_type=_str(path, entry, "case_type", where,
                                                                         default="enquiry"),
                priority=priority, intake=intake, routes=bool(entry.get("routes", False)), keywords=tuple(keywords),
            )
    return clocks, reasons


def _load_frontdesk(path: Path, teams: set[str]):
    raw = read_toml(path)
    channels = {e["code"]: NamedCode(e["code"], e["name"]) for e in _codes_list(path, raw, "channel")}
    outcomes = {e["code"]: OutcomeDef(e["code"], e["name"], bool(e.get("first_contact", False)))
                for e in _codes_list(path, raw, "outcome")}
    required = {"resolved", "signposted", "routed", "appointment", "callback"}
    missing = required - set(outcomes)
    if missing:
        raise EnvironmentProblem(f"{path}:1: outcomes {', '.join(sorted(missing))} are required")
    limits = raw.get("limits", {})
    safeguarding = raw.get("safeguarding", {})
    reception = raw.get("reception", {})
    team = _str(path, safeguarding, "team", "[safeguarding]", default="safeguarding")
    if team not in teams:
        raise _problem(path, "[safeguarding]", f"safeguarding team {team!r} is not in teams.toml")
    desks = reception.get("desks", ["Desk 1"])
    if not isinstance(desks, list) or not desks or not all(isinstance(d, str) and d.strip() for d in desks):
        raise _problem(path, "desks", "desks must be a list of one or more names")
    policy = FrontdeskPolicy(
        notes_max=_int(path, limits, "notes_max", "notes_max", default=4000, minimum=1),
        backdate_max_days=_int(path, limits, "backdate_max_days", "backdate_max_days", default=31),
        callback_working_days=_int(path, raw.get("callbacks", {}), "default_working_days", "default_working_days",
                                   default=1),
        safeguarding_team=team,
        safeguarding_lead=str(safeguarding.get("lead", "")),
        desks=tuple(desks),
        wait_warning_minutes=_int(path, reception, "wait_warning_minutes", "wait_warning_minutes", default=20,
                                  minimum=1),
        contact_edit_hours=_int(path, raw.get("contact_edits", {}), "hours", "[contact_edits]", default=48),
    )
    case_outcomes = {e["code"]: NamedCode(e["code"], e["name"]) for e in _codes_list(path, raw, "case_outcome")}
    return channels, outcomes, policy, case_outcomes


def _load_agencies(path: Path) -> dict[str, AgencyDef]:
    raw = read_toml(path)
    out = {}
    for e in _codes_list(path, raw, "agency"):
        where = f'"{e["code"]}"'
        out[e["code"]] = AgencyDef(e["code"], e["name"], str(e.get("phone", "")), str(e.get("web", "")),
                                   str(e.get("helps_with", "")), _jurisdictions(path, e, where))
    return out


def _load_repairs(path: Path) -> tuple[dict[str, RepairPriority], dict[str, str]]:
    raw = read_toml(path)
    priorities = {}
    for e in _codes_list(path, raw, "priority"):
        where = f'"{e["code"]}"'
        kind = _str(path, e, "kind", where)
        if kind not in ("working_days", "hours"):
            raise _problem(path, where, f"priority {e['code']!r}: kind must be working_days or hours")
        examples = e.get("examples", [])
        priorities[e["code"]] = RepairPriority(e["code"], e["name"], kind, _int(path, e, "amount", where, minimum=1),
                                               _jurisdictions(path, e, where), tuple(str(x) for x in examples))
    defaults = raw.get("defaults", {})
    for key, value in defaults.items():
        if value not in priorities:
            raise _problem(path, f"{key} =", f"default {key!r}: {value!r} is not a [[priority]] code")
    return priorities, dict(defaults)


def _load_danger(path: Path, priorities: dict[str, RepairPriority]) -> tuple[DangerRule, ...]:
    """[[danger]] in repair_priorities.toml: words that propose a priority (domain.repair_danger)."""
    rules = []
    for entry in read_toml(path).get("danger", []):
        name = str(entry.get("name", "")).strip()
        where = f'name = "{name}"'
        if not name:
            raise _problem(path, "[[danger]]", "each [[danger]] needs a name")
        for key in ("priority", "priority_scotland"):
            code = entry.get(key)
            if (key == "priority" or code) and code not in priorities:
                raise _problem(path, where, f"danger {name!r}: {key} {code!r} is not a [[priority]] code")
        phrases = entry.get("phrases", [])
        groups = entry.get("all_of", [])
        if not isinstance(phrases, list) or not isinstance(groups, list) or not (phrases or groups) \
                or not all(isinstance(g, list) and g for g in groups):
            raise _problem(path, where, f"danger {name!r}: give phrases = [...] or all_of = [[...], [...]]")
        effective, source = entry.get("effective_from"), str(entry.get("source", "")).strip()
        if not isinstance(effective, date) or isinstance(effective, datetime) or not source:
            raise _problem(path, where, f"danger {name!r}: give effective_from = YYYY-MM-DD (a date, unquoted) and "
                           "source = \"the policy or law it follows\"")
        rules.append(DangerRule(name, entry["priority"], str(entry.get("priority_scotland", "")),
                                tuple(str(x) for x in phrases), tuple(tuple(str(x) for x in g) for g in groups),
                                effective_from=effective, source=source))
    return tuple(rules)


def _load_complaints(path: Path) -> tuple[dict[str, ComplaintScheme], dict[str, str]]:
    raw = read_toml(path)
    schemes: dict[str, ComplaintScheme] = {}
    for code, body in (raw.get("scheme") or {}).items():
        stages: dict[int, StagePolicy] = {}
        for entry in body.get("stage", []):
            where = f"[[scheme.{code}.stage]]"
            number = _int(path, entry, "number", where, minimum=1)
            respond_from = _str(path, entry, "respond_from", where)
            if respond_from not in ("ack", "start"):
                raise _problem(path, "respond_from", f"scheme {code!r} stage {number}: respond_from must be ack or start")
            stages[number] = StagePolicy(
                number=number, name=_str(path, entry, "name", where), ack_days=_int(path, entry, "ack_days", where),
                respond_days=_int(path, entry, "respond_days", where, minimum=1), respond_from=respond_from,
                extension_days=_int(path, entry, "extension_days", where),
                handler_must_differ=bool(entry.get("handler_must_differ", False)),
                verified=bool(entry.get("verified", False)),
            )
        if sorted(stages) != [1, 2]:
            raise _problem(path, f"[scheme.{code}]", f"scheme {code!r} needs stages 1 and 2")
        schemes[code] = ComplaintScheme(code, str(body.get("name", code)), stages)
    mapping = raw.get("jurisdictions", {})
    for jurisdiction in JURISDICTIONS:
        scheme = mapping.get(jurisdiction)
        if scheme not in schemes:
            raise _problem(path, "[jurisdictions]", f"jurisdiction {jurisdiction!r} needs a scheme from [scheme.*]")
    return schemes, dict(mapping)


@functools.cache
def load_frontdesk_reference(data_dir: Path) -> FrontdeskReference:
    """Load and validate the front desk's files in ``data_dir`` (cached per folder)."""
    teams = set(load_reference(data_dir).teams)
    clocks, reasons = _load_reasons(area_file(data_dir, "frontdesk", "contact_reasons.toml"), teams)
    channels, outcomes, policy, case_outcomes = _load_frontdesk(area_file(data_dir, "frontdesk", "frontdesk.toml"), teams)
    priorities, defaults = _load_repairs(area_file(data_dir, "frontdesk", "repair_priorities.toml"))
    schemes, scheme_for = _load_complaints(area_file(data_dir, "frontdesk", "complaints.toml"))
    return FrontdeskReference(
        clocks=clocks, reasons=reasons, channels=channels, outcomes=outcomes,
        agencies=_load_agencies(area_file(data_dir, "frontdesk", "agencies.toml")), repair_priorities=priorities,
        repair_defaults=defaults, complaint_schemes=schemes, complaint_scheme_for=scheme_for, policy=policy,
        case_outcomes=case_outcomes, repair_danger=_load_danger(area_file(data_dir, "frontdesk", "repair_priorities.toml"), priorities),
    )
