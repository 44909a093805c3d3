"""Housing options reference data: code lists, outcomes, policy, letters and the H-CLIC mapping.

Loaded once per data folder from ``data/housing_options/*.toml``, ``data/housing_options/letters/`` and
``data/housing_options/hclic/mapping.toml``, and validated: a problem stops with one message naming the
file and line. Screens and services read code lists from here, never from literals.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from duty_tui.areas.housing_options.domain.casework import REVIEW_WEEKS, STAGES
from duty_tui.areas.housing_options.domain.letters import unknown_placeholders
from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import EnvironmentProblem

PRIORITY_NEED_WORDS = {
    "pregnant": "Pregnant, or lives with someone pregnant",
    "dependent_children": "Dependent children",
    "vulnerable": "Vulnerable (age, illness, disability, other)",
    "emergency": "Emergency (flood, fire, disaster)",
    "domestic_abuse": "Homeless as a result of domestic abuse",
    "aged_16_17": "Aged 16 or 17",
    "care_leaver_18_20": "Care leaver aged 18-20",
    "vulnerable_former_care": "Vulnerable: having been in care",
    "vulnerable_former_forces": "Vulnerable: having served in the forces",
    "vulnerable_former_custody": "Vulnerable: having been in custody",
    "vulnerable_fleeing_violence": "Vulnerable: fleeing violence or threats",
}
ROUTE_WORDS = {"self": "Self (in person, phone, email)", "duty_to_refer": "Duty to refer (s213B)",
               "partner_agency": "Partner agency"}
TA_DUTY_WORDS = {"s188": "s188 interim", "s190": "s190(2) intentional", "s193": "s193(2) main duty",
                 "s200": "s200 pending referral"}
REVIEW_OUTCOMES = {"upheld": "Decision upheld", "overturned": "Decision overturned",
                   "withdrawn": "Request withdrawn"}
EXIT_SECTIONS = ("triage", "prevention", "relief", "main_duty", "intentional")


@dataclass(frozen=True)
class StageExit:
    """One way a stage can end (data/housing_options/outcomes.toml)."""

    stage: str
    code: str
    name: str
    leads_to: tuple[str, ...]
    live_table: str | None = None
    assessment: str | None = None
    s193b: bool = False


@dataclass(frozen=True)
class TaType:
    """A kind of temporary accommodation."""

    code: str
    name: str
    family_limit_days: int | None = None


@dataclass(frozen=True)
class ReferralBody:
    """A body that may refer (s213B) or a partner agency."""

    code: str
    name: str
    statutory: bool


@dataclass(frozen=True)
class LetterDef:
    """A letter template and when it may be issued."""

    code: str
    title: str
    path: Path
    template: str
    review: str | None
    needs: tuple[str, ...]
    issued_by_sign_off: bool = False


@dataclass(frozen=True)
class HousingPolicy:
    """The council's local choices (data/housing_options/policy.toml)."""

    plan_review_weeks: int
    initial_assessment_working_days: int
    urgent_hours: int
    min_days_after_warning: int
    seniority: dict[str, int]


@dataclass(frozen=True)
class HclicField:
    """One extract field and how it maps to the specification."""

    section: str
    field: str
    hclic: str
    source: str
    codes: str | None
    mandatory: str


@dataclass(frozen=True)
class HclicMapping:
    """The council's completion of the H-CLIC specification (data/housing_options/hclic/mapping.toml)."""

    path: Path
    format: str
    todo: str
    sections: tuple[tuple[str, str, str], ...]  # (code, name, file)
    fields: tuple[HclicField, ...]
    codes: dict[str, dict[str, str]]

    def header(self, f: HclicField) -> str:
        """The column heading: the ministry's variable name when completed, else duty-tui's."""
        return f.hclic if f.hclic and f.hclic != self.todo else f.field


@dataclass(frozen=True)
class HousingReference:
    """Everything the housing area reads from data/."""

    support_needs: dict[str, str]
    loss_reasons: dict[str, str]
    accommodation: dict[str, str]
    referral_bodies: dict[str, ReferralBody]
    ta_types: dict[str, TaType]
    exits: dict[str, dict[str, StageExit]]
    final_decisions: dict[str, tuple[str, str]]  # code -> (name, stage)
    policy: HousingPolicy
    letters: dict[str, LetterDef]
    hclic: HclicMapping
    priority_need: dict[str, str] = field(default_factory=lambda: dict(PRIORITY_NEED_WORDS))

    def exit(self, stage: str, code: str) -> StageExit | None:
        """The exit with this code from this stage, if any."""
        return self.exits.get(stage, {}).get(code)

    def labels(self, stage: str) -> dict[str, str]:
        """code -> live-table heading for a stage's exits."""
        return {e.code: e.live_table or e.name for e in self.exits.get(stage, {}).values()}


_problem = data_problem


def _entries(path: Path, table: str, keys: tuple[str, ...] = ("code", "name"), *, required: bool = True) -> list[dict]:
    raw = read_toml(path)
    entries = raw.get(table, [])
    if not isinstance(entries, list) or (required and not entries):
        raise EnvironmentProblem(f"{path}:1: expected one or more [[{table}]] entries")
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            raise _problem(path, f"[[{table}]]", f"each [[{table}]] must be a table")
        for key in keys:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise _problem(path, str(entry.get("code", f"[[{table}]]")), f"a [[{table}]] entry lacks {key!r}")
        if entry["code"] in seen:
            raise _problem(path, f'"{entry["code"]}"', f"code {entry['code']!r} appears twice")
        seen.add(entry["code"])
    return entries


def _codes(path: Path, table: str) -> dict[str, str]:
    return {e["code"]: e["name"] for e in _entries(path, table)}


def _int(path: Path, section: dict, key: str, needle: str, low: int, high: int) -> int:
    value = section.get(key)
    if type(value) is not int or not low <= value <= high:
        raise _problem(path, needle, f"{key} must be a whole number from {low} to {high}")
    return value


def _load_policy(path: Path) -> HousingPolicy:
    raw = read_toml(path)
    plan = raw.get("plan", {})
    decision = raw.get("decision", {})
    urgent = raw.get("urgent", {})
    noncoop = raw.get("non_cooperation", {})
    seniority = noncoop.get("seniority", {})
    if not isinstance(seniority, dict) or not all(type(v) is int for v in seniority.values()):
        raise _problem(path, "[non_cooperation.seniority]", "seniority must map role codes to whole numbers")
    return HousingPolicy(
        plan_review_weeks=_int(path, plan, "review_every_weeks", "review_every_weeks", 1, 26),
        initial_assessment_working_days=_int(path, decision, "initial_assessment_working_days",
                                             "initial_assessment_working_days", 0, 60),
        urgent_hours=_int(path, urgent, "same_day_hours", "same_day_hours", 1, 24),
        min_days_after_warning=_int(path, noncoop, "min_days_after_warning", "min_days_after_warning", 0, 90),
        seniority=dict(seniority),
    )


def _load_exits(path: Path) -> tuple[dict[str, dict[str, StageExit]], dict[str, tuple[str, str]]]:
    raw = read_toml(path)
    exits: dict[str, dict[str, StageExit]] = {}
    for stage in EXIT_SECTIONS:
        found: dict[str, StageExit] = {}
        for entry in _entries(path, stage):
            leads = entry.get("leads_to")
            if not isinstance(leads, list) or not leads or any(s not in STAGES for s in leads):
                raise _problem(path, f'"{entry["code"]}"', f"{stage} exit {entry['code']!r}: leads_to must list "
                               f"stages from {', '.join(STAGES)}")
            if entry["code"] in found:
                raise _problem(path, f'"{entry["code"]}"', f"{stage} exit {entry['code']!r} appears twice")
            found[entry["code"]] = StageExit(stage, entry["code"], entry["name"], tuple(leads),
                                             entry.get("live_table"), entry.get("assessment"),
                                             bool(entry.get("s193b", False)))
        exits[stage] = found
    finals = {}
    for entry in raw.get("final_decision", []):
        if entry.get("stage") not in STAGES:
            raise _problem(path, f'"{entry.get("code")}"', "a final_decision needs a stage")
        finals[entry["code"]] = (entry["name"], entry["stage"])
    if not finals:
        raise EnvironmentProblem(f"{path}:1: expected [[final_decision]] entries")
    return exits, finals


def _load_letters(folder: Path) -> dict[str, LetterDef]:
    path = folder / "letters.toml"
    letters: dict[str, LetterDef] = {}
    for entry in _entries(path, "letter", ("code", "title", "file")):
        file = folder / entry["file"]
        try:
            template = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise _problem(path, f'"{entry["file"]}"', f"letter template {file.name} is missing") from None
        except UnicodeDecodeError:
            raise EnvironmentProblem(f"{file}: not UTF-8 text; save it as UTF-8") from None
        bad = unknown_placeholders(template)
        if bad:
            line, name = bad[0]
            raise EnvironmentProblem(f"{file}:{line}: unknown placeholder {{{name}}}; see docs/HOUSING.md for "
                                     "the placeholders a letter may use")
        review = entry.get("review")
        if review is not None and review not in REVIEW_WEEKS:
            raise _problem(path, f'"{entry["code"]}"', f"review must be one of {', '.join(REVIEW_WEEKS)}")
        needs = entry.get("needs", [])
        if not isinstance(needs, list) or any(n not in STAGES for n in needs):
            raise _problem(path, f'"{entry["code"]}"', "needs must list case stages")
        letters[entry["code"]] = LetterDef(entry["code"], entry["title"], file, template, review, tuple(needs),
                                           bool(entry.get("issued_by_sign_off", False)))
    return letters


def _load_hclic(path: Path) -> HclicMapping:
    raw = read_toml(path)
    todo = raw.get("todo", "COUNCIL TO COMPLETE")
    fmt = raw.get("format", "csv")
    if fmt != "csv":
        raise _problem(path, "format", "format must be \"csv\" (one CSV file per H-CLIC section)")
    sections = tuple((e["code"], e["name"], e["file"]) for e in _entries(path, "section", ("code", "name", "file")))
    known_sections = {s[0] for s in sections}
    fields = []
    for entry in raw.get("field", []):
        for key in ("section", "field", "source", "mandatory"):
            if not isinstance(entry.get(key), str):
                raise _problem(path, str(entry.get("field", "[[field]]")), f"a [[field]] entry lacks {key!r}")
        if entry["section"] not in known_sections:
            raise _problem(path, f'"{entry["field"]}"', f"field {entry['field']!r}: unknown section {entry['section']!r}")
        if entry["mandatory"] not in ("always", "assessed", "duty", "prevention_ended", "relief_ended",
                                      "final_decision", "ta", "review", "no"):
            raise _problem(path, f'"{entry["field"]}"', f"field {entry['field']!r}: mandatory must be always, assessed, "
                           "duty, prevention_ended, relief_ended, final_decision, ta, review or no")
        fields.append(HclicField(entry["section"], entry["field"], str(entry.get("hclic") or todo), entry["source"],
                                 entry.get("codes"), entry["mandatory"]))
    codes = raw.get("codes", {})
    if not isinstance(codes, dict):
        raise _problem(path, "[codes", "codes must be tables of duty-tui code = specification code")
    return HclicMapping(path, fmt, todo, sections, tuple(fields),
                        {k: {str(a): str(b) for a, b in v.items()} for k, v in codes.items()})


@functools.cache
def load_housing_reference(data_dir: Path) -> HousingReference:
    """Load and validate the housing area's reference data (cached per folder)."""
    def file(name: str) -> Path:
        return area_file(data_dir, "housing_options", name, before=("homelessness", name))

    bodies = {e["code"]: ReferralBody(e["code"], e["name"], bool(e.get("statutory", True)))
              for e in _entries(file("referral_bodies.toml"), "body")}
    ta_types = {}
    for e in _entries(file("ta_types.toml"), "ta"):
        limit = e.get("family_limit_days")
        if limit is not None and (type(limit) is not int or limit < 1):
            raise _problem(file("ta_types.toml"), f'"{e["code"]}"', "family_limit_days must be a positive number")
        ta_types[e["code"]] = TaType(e["code"], e["name"], limit)
    exits, finals = _load_exits(file("outcomes.toml"))
    return HousingReference(
        support_needs=_codes(file("support_needs.toml"), "need"),
        loss_reasons=_codes(file("loss_reasons.toml"), "reason"),
        accommodation=_codes(file("accommodation.toml"), "accommodation"),
        referral_bodies=bodies,
        ta_types=ta_types,
        exits=exits,
        final_decisions=finals,
        policy=_load_policy(file("policy.toml")),
        letters=_load_letters(area_file(data_dir, "housing_options", "letters")),
        hclic=_load_hclic(area_file(data_dir, "housing_options", "hclic", "mapping.toml")),
    )


def code_list(reference: HousingReference, name: str) -> dict[str, str]:
    """A code list by the name the H-CLIC mapping uses (duty-tui code -> words)."""
    lists: dict[str, Any] = {
        "accommodation": reference.accommodation,
        "loss_reason": reference.loss_reasons,
        "support_need": reference.support_needs,
        "prevention_outcome": {c: e.name for c, e in reference.exits["prevention"].items()},
        "relief_outcome": {c: e.name for c, e in reference.exits["relief"].items()},
        "final_decision": {c: n for c, (n, _s) in reference.final_decisions.items()},
        "priority_need": reference.priority_need,
        "ta_type": {c: t.name for c, t in reference.ta_types.items()},
        "referral_body": {c: b.name for c, b in reference.referral_bodies.items()},
        "notice_type": {c: letter.title for c, letter in reference.letters.items()},
        "assessment_duty": {"prevention": "prevention", "relief": "relief", "not_owed": "not owed",
                            "ineligible": "ineligible"},
        "approach_route": ROUTE_WORDS,
        "ta_duty": TA_DUTY_WORDS,
        "review_outcome": REVIEW_OUTCOMES,
        "relationship": {"applicant": "applicant", "partner": "partner", "child": "child",
                         "parent": "parent", "sibling": "sibling", "other_adult": "other adult", "other_child": "other child"},
    }
    return lists.get(name, {})
