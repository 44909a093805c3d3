"""The CORE lettings log (England; docs/LETTINGS_RETURNS.md): one row per new general-needs social letting
in CORE's bulk-upload field order, from the mapping in ``data/lettings/core_log.toml``, and the data-quality
report of mandatory fields left blank. Pure: the service reads the lettings, this lays them out.

A value is found by its field's ``ours`` source (``SOURCES``). Where CORE wants a code and the council has
not yet filled the code list in ("COUNCIL TO COMPLETE"), the log carries duty-tui's own value and the
code list is reported as still to complete; where duty-tui holds no answer the column is blank, and a
blank mandatory field is a problem for that letting.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from duty_tui.core.config.reference import area_file, data_problem, read_toml

SOURCES = (
    "", "organisation.owning", "organisation.managing", "organisation.la", "organisation.letting_type",
    "constant.needs_type", "constant.not_renewal", "constant.rent_period", "start.day", "start.month", "start.year",
    "tenancy.ref", "tenancy.starter", "tenancy.type", "property.ref", "property.uprn", "property.line1",
    "property.line2", "property.town", "property.postcode_out", "property.postcode_in", "property.unit_type",
    "property.wheelchair", "property.bedrooms", "void.reason", "void.times_offered", "void.day", "void.month",
    "void.year", "lead.age", "application.reasonable_preference", "route.cbl", "rent.basic", "rent.total",
)


@dataclass(frozen=True)
class CoreField:
    number: int
    core: str
    question: str
    ours: str
    mandatory: bool


@dataclass(frozen=True)
class CoreMapping:
    effective_from: date
    source: str
    todo: str
    not_new_lettings: tuple[str, ...]
    organisation: dict[str, str]
    constants: dict[str, str]
    codes: dict[str, dict[str, str]]
    fields: tuple[CoreField, ...]

    def header(self) -> list[str]:
        return [field.core for field in self.fields]


@dataclass(frozen=True)
class CoreLetting:
    """What duty-tui holds of one new letting (the service fills it in)."""

    tenancy_ref: str
    tenancy_type: str
    start: date
    weekly_rent_pence: int
    weekly_charges_pence: int | None
    property_ref: str
    uprn: str | None
    line1: str
    line2: str | None
    town: str
    postcode: str
    property_type: str
    bedrooms: int
    adapted: bool
    void_type: str
    void_date: date
    times_offered: int
    lead_born: date | None
    reasonable_preference: bool | None
    route: str


@dataclass(frozen=True)
class Problem:
    tenancy_ref: str
    property_ref: str
    field: CoreField
    problem: str


@functools.cache
def load_core_mapping(data_dir: Path) -> CoreMapping:
    """``data/lettings/core_log.toml``, checked: numbered fields in order, known sources, dated and sourced."""
    path = area_file(data_dir, "lettings", "core_log.toml")
    raw = read_toml(path)
    effective, source, todo = raw.get("effective_from"), raw.get("source"), raw.get("todo")
    if type(effective) is not date or not isinstance(source, str) or not source.strip() or not isinstance(todo, str):
        raise data_problem(path, "effective_from", "the mapping needs effective_from (a date), source and todo",
                           fix_there=True)
    fields = []
    for index, item in enumerate(raw.get("field", []), start=1):
        if item.get("number") != index or not isinstance(item.get("core"), str) or item.get("ours") not in SOURCES \
                or type(item.get("mandatory")) is not bool:
            raise data_problem(path, f"number = {index}\n", f"field {index}: each [[field]] needs number (in order from "
                               f"1), core, question, ours (one of duty-tui's sources) and mandatory", fix_there=True)
        fields.append(CoreField(index, item["core"], str(item.get("question", "")), item["ours"], item["mandatory"]))
    if not fields:
        raise data_problem(path, "[[field]]", "no [[field]]: the CORE log needs its fields", fix_there=True)
    codes = {name: {str(k): str(v) for k, v in table.items()} for name, table in raw.get("codes", {}).items()}
    return CoreMapping(effective, source, todo, tuple(raw.get("not_new_lettings", ())),
                       {k: str(v) for k, v in raw.get("organisation", {}).items()},
                       {k: str(v) for k, v in raw.get("constants", {}).items()}, codes, tuple(fields))


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _pounds(pence: int | None) -> str | None:
    return None if pence is None else f"{pence // 100}.{pence % 100:02d}"


def _postcode_parts(postcode: str) -> tuple[str, str]:
    compact = postcode.replace(" ", "").upper()
    return (compact[:-3], compact[-3:]) if len(compact) > 3 else (compact, "")


def _raw_value(letting: CoreLetting, source: str) -> tuple[Any, str | None]:
    """(our value, the code list it is coded by or None)."""
    let, void = letting, letting.void_date
    yes_no = {True: "yes", False: "no", None: None}
    plain: dict[str, Any] = {
        "start.day": let.start.day, "start.month": let.start.month, "start.year": f"{let.start.year % 100:02d}",
        "void.day": void.day, "void.month": void.month, "void.year": f"{void.year % 100:02d}",
        "tenancy.ref": let.tenancy_ref, "property.ref": let.property_ref, "property.uprn": let.uprn,
        "property.line1": let.line1, "property.line2": let.line2, "property.town": let.town,
        "property.postcode_out": _postcode_parts(let.postcode)[0], "property.postcode_in": _postcode_parts(let.postcode)[1],
        "property.bedrooms": let.bedrooms, "void.times_offered": let.times_offered,
        "lead.age": None if let.lead_born is None else age_on(let.lead_born, let.start),
        "rent.basic": _pounds(let.weekly_rent_pence), "rent.total": _pounds(let.weekly_charges_pence),
    }
    if source in plain:
        return plain[source], None
    coded: dict[str, tuple[Any, str]] = {
        "void.reason": (let.void_type, "void_reason"), "tenancy.type": (let.tenancy_type, "tenancy_type"),
        "property.unit_type": (let.property_type, "unit_type"),
        "tenancy.starter": (yes_no[let.tenancy_type == "introductory"], "yes_no"),
        "property.wheelchair": (yes_no[let.adapted], "yes_no"),
        "application.reasonable_preference": (yes_no[let.reasonable_preference], "yes_no"),
        "route.cbl": (yes_no[let.route == "choice_based_bid"], "yes_no"),
    }
    return coded[source]


def value_of(mapping: CoreMapping, letting: CoreLetting, source: str) -> tuple[str, str | None]:
    """(the cell, a note when a council answer or code list is still to complete)."""
    if not source:
        return "", None
    group, _, name = source.partition(".")
    if group in ("organisation", "constant"):
        table = mapping.organisation if group == "organisation" else mapping.constants
        answer = table.get(name, mapping.todo)
        return ("", f"{source} is still to complete in core_log.toml") if answer == mapping.todo else (answer, None)
    value, code_list = _raw_value(letting, source)
    if value is None or value == "":
        return "", None
    if code_list is None:
        return str(value), None
    if code_list == "yes_no":
        code = mapping.constants.get(str(value), mapping.todo)
    else:
        table = mapping.codes.get(code_list, {})
        code = table.get(str(value), table.get("other", mapping.todo))
    if code == mapping.todo:
        return str(value), f"codes.{code_list} is still to complete in core_log.toml"
    return code, None


def core_row(mapping: CoreMapping, letting: CoreLetting) -> tuple[list[str], list[Problem], set[str]]:
    """One letting's row in field order, its missing mandatory fields, and the answers still to complete."""
    cells: list[str] = []
    problems: list[Problem] = []
    todo: set[str] = set()
    for field in mapping.fields:
        cell, note = value_of(mapping, letting, field.ours)
        cells.append(cell)
        if note:
            todo.add(note)
        if field.mandatory and cell == "":
            why = "duty-tui does not hold this answer" if not field.ours else (note or "not recorded for this letting")
            problems.append(Problem(letting.tenancy_ref, letting.property_ref, field, f"missing: {why}"))
    return cells, problems, todo
