"""The quarter's homelessness statistics (live-table CSVs) and the H-CLIC case-level extract.

Reads plain rows with SQLAlchemy Core (fast on 20,000+ cases on SQLite and PostgreSQL) and
counts them with the pure ``duty_tui.areas.housing_options.domain.stats``. The H-CLIC extract follows
``data/housing_options/hclic/mapping.toml``: the council completes field names and codes from its own copy
of the ministry's specification; until then duty-tui's own codes are written and the
data-quality report says which code lists are still to complete. The data-quality report
also lists every case with a missing mandatory field, so officers can fix data before the
deadline.

The extract holds dates of birth and support needs (special-category data): the service that
calls ``write_report`` checks the role may see them and audits the export (``before_writing``)
once everything is read and before any file exists. Files go into a new or empty folder, never
through a symbolic link, readable by their owner only (services/outputs.py).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, or_, select

from duty_tui.areas.housing_options.db.models import (
    HomelessCase,
    HomelessMember,
    HomelessMove,
    HomelessNotice,
    HomelessPlacement,
    HomelessReview,
    HomelessSupportNeed,
)
from duty_tui.areas.housing_options.domain.casework import age_on
from duty_tui.areas.housing_options.domain.reference import HclicField, HousingReference, code_list
from duty_tui.areas.housing_options.domain.stats import (
    CaseRow,
    MoveRow,
    Quarter,
    QuarterStats,
    TaRow,
    quarter_statistics,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Person, table_of
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services.outputs import OutputFolder

_CHUNK = 900  # below SQLite's bound-parameter limit

HC = table_of(HomelessCase)
MOVE = table_of(HomelessMove)
NEED = table_of(HomelessSupportNeed)
TA = table_of(HomelessPlacement)
MEMBER = table_of(HomelessMember)
REVIEW = table_of(HomelessReview)
NOTICE = table_of(HomelessNotice)
CASE = table_of(Case)
PERSON = table_of(Person)


@dataclass(frozen=True)
class ReportSummary:
    """What `report homelessness` wrote."""

    quarter: Quarter
    files: tuple[Path, ...]
    extract_cases: int
    problems: int
    cases_with_problems: int
    mapping_todo: int
    stats: QuarterStats
    case_refs: tuple[str, ...] = ()
    """The cases in the H-CLIC extract (what the audit event names)."""


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _needs_by_case(connection, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        for hid, need in connection.execute(select(NEED.c.homeless_case_id, NEED.c.need)
                                            .where(NEED.c.homeless_case_id.in_(chunk))):
            found.setdefault(hid, []).append(need)
    return found


def compute_statistics(engine: Engine, quarter: Quarter, ref: HousingReference) -> QuarterStats:
    """The quarter's tables, counted from the cases."""
    with session_scope(engine) as session:
        connection = session.connection()
        rows = connection.execute(
            select(HC.c.id, CASE.c.ref, HC.c.assessed_on, HC.c.assessment_duty, HC.c.loss_reason, HC.c.children)
            .join(CASE, CASE.c.id == HC.c.case_id)
            .where(HC.c.assessed_on >= quarter.start, HC.c.assessed_on <= quarter.end)).all()
        needs = _needs_by_case(connection, [r.id for r in rows])
        cases = [CaseRow(r.ref, r.assessed_on, r.assessment_duty, r.loss_reason, tuple(needs.get(r.id, ())),
                         r.children or 0) for r in rows]
        moves = [MoveRow(r.ref, r.on_date, r.from_stage, r.to_stage, r.reason, r.final_decision)
                 for r in connection.execute(
                     select(CASE.c.ref, MOVE.c.on_date, MOVE.c.from_stage, MOVE.c.to_stage, MOVE.c.reason,
                            MOVE.c.final_decision)
                     .join(HC, HC.c.id == MOVE.c.homeless_case_id).join(CASE, CASE.c.id == HC.c.case_id)
                     .where(MOVE.c.on_date >= quarter.start, MOVE.c.on_date <= quarter.end,
                            MOVE.c.from_stage.in_(("prevention", "relief"))))]
        placements = [TaRow(r.ref, r.start_on, r.end_on, r.ta_type, r.children or 0)
                      for r in connection.execute(
                          select(CASE.c.ref, TA.c.start_on, TA.c.end_on, TA.c.ta_type, HC.c.children)
                          .join(HC, HC.c.id == TA.c.homeless_case_id).join(CASE, CASE.c.id == HC.c.case_id)
                          .where(TA.c.start_on <= quarter.end,
                                 or_(TA.c.end_on.is_(None), TA.c.end_on > quarter.end)))]
    return quarter_statistics(
        quarter, cases, moves, placements, loss_reasons=ref.loss_reasons, support_needs=ref.support_needs,
        prevention_labels=ref.labels("prevention"), relief_labels=ref.labels("relief"),
        final_decisions={c: n for c, (n, _s) in ref.final_decisions.items()},
        ta_types={c: t.name for c, t in ref.ta_types.items()})


# --- CSV --------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A CSV cell: dates ISO, booleans yes/no, and text never read as a spreadsheet formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _write_csv(folder: OutputFolder, name: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    with folder.create(name) as handle:
        writer = csv.writer(handle)
        writer.writerow(list(header))
        for row in rows:
            writer.writerow([_cell(v) for v in row])


def _slug(title: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in title.lower()).strip("_")[:40].rstrip("_")


# --- H-CLIC extract ---------------------------------------------------------------------


def _extract_case_ids(connection, quarter: Quarter) -> list[int]:
    """Cases with a trigger in the quarter: approach, assessment, a move, TA, or a review."""
    start, end = quarter.start, quarter.end
    ids: set[int] = set()
    ids.update(r[0] for r in connection.execute(select(HC.c.id).where(or_(
        and_(HC.c.approach_date >= start, HC.c.approach_date <= end),
        and_(HC.c.assessed_on >= start, HC.c.assessed_on <= end)))))
    ids.update(r[0] for r in connection.execute(select(MOVE.c.homeless_case_id).where(
        MOVE.c.on_date >= start, MOVE.c.on_date <= end)))
    ids.update(r[0] for r in connection.execute(select(TA.c.homeless_case_id).where(
        TA.c.start_on <= end, or_(TA.c.end_on.is_(None), TA.c.end_on >= start))))
    ids.update(r[0] for r in connection.execute(select(REVIEW.c.homeless_case_id).where(or_(
        and_(REVIEW.c.requested_on >= start, REVIEW.c.requested_on <= end),
        and_(REVIEW.c.decided_on >= start, REVIEW.c.decided_on <= end)))))
    return sorted(ids)


def _condition(f: HclicField, case: dict[str, Any]) -> bool:
    kind = f.mandatory
    if kind == "no":
        return False
    if kind in ("always", "ta", "review"):
        return True
    if kind == "assessed":
        return case.get("assessed_on") is not None
    if kind == "duty":
        return case.get("assessment_duty") in ("prevention", "relief")
    if kind == "prevention_ended":
        return case.get("prevention_end") is not None
    if kind == "relief_ended":
        return case.get("relief_end") is not None
    if kind == "final_decision":
        return case.get("final_decision") in ("main_duty", "intentional_priority")
    return False


def build_extract(engine: Engine, quarter: Quarter, ref: HousingReference) -> tuple[dict[str, list[dict]], list[tuple[str, str, str, str]], dict[str, list[str]]]:
    """(section -> rows of source values, data-quality problems, code lists to complete)."""
    sections: dict[str, list[dict]] = {code: [] for code, _n, _f in ref.hclic.sections}
    with session_scope(engine) as session:
        connection = session.connection()
        ids = _extract_case_ids(connection, quarter)
        needs = _needs_by_case(connection, ids)
        for chunk in _chunks(ids):
            cases, members, placements, reviews = _read_chunk(connection, chunk, quarter)
            for c in cases:
                _add_case(sections, dict(c), members.get(c["id"], []), needs.get(c["id"], []),
                          placements.get(c["id"], []), reviews.get(c["id"], []))
    problems, todo = _missing_fields(sections, ref)
    _add_unmapped_codes(ref, todo)
    problems.sort()
    return sections, problems, {k: sorted(v) for k, v in sorted(todo.items())}


def _read_chunk(connection, chunk: list[int], quarter: Quarter) -> tuple[list, dict[int, list], dict[int, list],
                                                                         dict[int, list]]:
    """A chunk of cases (by case ref) with their household members, the quarter's TA placements and reviews."""
    cases = connection.execute(
        select(HC, CASE.c.ref.label("case_ref"), PERSON.c.date_of_birth.label("applicant_born"))
        .join(CASE, CASE.c.id == HC.c.case_id).outerjoin(PERSON, PERSON.c.id == HC.c.person_id)
        .where(HC.c.id.in_(chunk)).order_by(CASE.c.ref)).mappings().all()
    members: dict[int, list] = {}
    for m in connection.execute(select(MEMBER).where(MEMBER.c.homeless_case_id.in_(chunk))
                                .order_by(MEMBER.c.id)).mappings():
        members.setdefault(m["homeless_case_id"], []).append(m)
    placements: dict[int, list] = {}
    for p in connection.execute(select(TA).where(TA.c.homeless_case_id.in_(chunk), TA.c.start_on <= quarter.end,
                                                 or_(TA.c.end_on.is_(None), TA.c.end_on >= quarter.start))
                                .order_by(TA.c.start_on)).mappings():
        placements.setdefault(p["homeless_case_id"], []).append(p)
    reviews: dict[int, list] = {}
    for r in connection.execute(
            select(REVIEW, NOTICE.c.notice_type).outerjoin(NOTICE, NOTICE.c.id == REVIEW.c.notice_id)
            .where(REVIEW.c.homeless_case_id.in_(chunk), REVIEW.c.requested_on <= quarter.end,
                   or_(REVIEW.c.decided_on.is_(None), REVIEW.c.decided_on >= quarter.start))
            .order_by(REVIEW.c.id)).mappings():
        reviews.setdefault(r["homeless_case_id"], []).append(r)
    return cases, members, placements, reviews


def _add_case(sections: dict[str, list[dict]], case: dict[str, Any], members: list, needs: list[str],
              placements: list, reviews: list) -> None:
    """One case's rows in each section it belongs to; every row keeps the case as ``_case``."""
    case["approach_route"] = case["route"]
    case["_case"] = case
    sections["main"].append(case)
    born = case["applicant_born"]
    people = [{"case_ref": case["case_ref"], "person_number": 1, "relationship": "applicant",
               "date_of_birth": born, "age": age_on(born, case["approach_date"]) if born else None,
               "pregnant": case["pregnant"] and not any(m["pregnant"] for m in members),
               "_case": case}]
    for number, m in enumerate(members, start=2):
        people.append({"case_ref": case["case_ref"], "person_number": number,
                       "relationship": m["relationship"], "date_of_birth": m["date_of_birth"],
                       "age": m["age"], "pregnant": m["pregnant"], "_case": case})
    sections["people"].extend(people)
    for need in needs:
        sections["support"].append({"case_ref": case["case_ref"], "need": need, "_case": case})
    if case["prevention_start"] is not None:
        sections["prevention"].append(case)
    if case["relief_end"] is not None or case["stage"] in ("relief", "main_duty", "intentional"):
        sections["relief"].append(case)
    if case["final_decision"] is not None:
        grounds = json.loads(case["priority_need"]) if case["priority_need"] else []
        final = dict(case)
        final["priority_need"] = grounds[0] if grounds else None
        sections["final"].append(final)
    for p in placements:
        sections["ta"].append({**p, "case_ref": case["case_ref"], "_case": case})
    for r in reviews:
        sections["reviews"].append({**r, "case_ref": case["case_ref"], "_case": case})


def _missing_fields(sections: dict[str, list[dict]],
                    ref: HousingReference) -> tuple[list[tuple[str, str, str, str]], dict[str, set[str]]]:
    """Mandatory fields left empty (case ref, section name, field, problem), and the codes used that the
    mapping does not translate yet (code list -> codes)."""
    problems: list[tuple[str, str, str, str]] = []
    todo: dict[str, set[str]] = {}
    fields_by_section: dict[str, list[HclicField]] = {}
    for f in ref.hclic.fields:
        fields_by_section.setdefault(f.section, []).append(f)
    names = {code: name for code, name, _file in ref.hclic.sections}
    for section, rows in sections.items():
        for row in rows:
            case = row.get("_case", row)
            for f in fields_by_section.get(section, []):
                value = row.get(f.source)
                if value in (None, "") and _condition(f, case):
                    problems.append((case["case_ref"], names[section], f.field,
                                     f"{f.field.replace('_', ' ')} is missing"))
                if f.codes and value not in (None, ""):
                    mapped = ref.hclic.codes.get(f.codes, {}).get(str(value))
                    if mapped in (None, "", ref.hclic.todo):
                        todo.setdefault(f.codes, set()).add(str(value))
    return problems, todo


def _add_unmapped_codes(ref: HousingReference, todo: dict[str, set[str]]) -> None:
    """Code lists: every duty-tui code without a specification code, not just the ones used."""
    for f in ref.hclic.fields:
        if f.codes:
            for code in code_list(ref, f.codes):
                mapped = ref.hclic.codes.get(f.codes, {}).get(code)
                if mapped in (None, "", ref.hclic.todo):
                    todo.setdefault(f.codes, set()).add(code)


def write_report(engine: Engine, quarter: Quarter, ref: HousingReference, out_dir: Path, *,
                 office_name: str = "", before_writing: Callable[[ReportSummary], None] | None = None) -> ReportSummary:
    """Count and extract the quarter, then write every file into ``out_dir`` (a new or empty folder).

    ``before_writing`` gets the summary once everything is read and before any file is written:
    the service audits the export there, so an audit that fails leaves no file. A failure while
    writing removes the files written so far.
    """
    try:
        with OutputFolder(out_dir) as folder:  # checked and opened first; any failure below removes what was written
            text_files, summary = _prepare(engine, quarter, ref, out_dir, office_name)
            if before_writing is not None:
                before_writing(summary)
            for name, header, rows in text_files.csvs:
                _write_csv(folder, name, header, rows)
            folder.write_text(text_files.readme_name, text_files.readme)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot write there ({exc.strerror or exc}); choose a folder you "
                         "may write to") from None
    return summary


@dataclass(frozen=True)
class _Files:
    csvs: list[tuple[str, Iterable[str], Iterable[Iterable[Any]]]]
    readme_name: str
    readme: str


def _prepare(engine: Engine, quarter: Quarter, ref: HousingReference, out_dir: Path,
             office_name: str) -> tuple[_Files, ReportSummary]:
    """Everything the files will hold, read and counted (nothing written yet)."""
    stats = compute_statistics(engine, quarter, ref)
    label = quarter.label
    csvs: list[tuple[str, Iterable[str], Iterable[Iterable[Any]]]] = []
    for table in stats.tables:
        csvs.append((f"homelessness_{label}_{table.code}_{_slug(table.title)}.csv", table.columns, table.rows))

    sections, problems, todo = build_extract(engine, quarter, ref)
    fields_by_section: dict[str, list[HclicField]] = {}
    for f in ref.hclic.fields:
        fields_by_section.setdefault(f.section, []).append(f)
    for code, _name, file in ref.hclic.sections:
        fields = fields_by_section.get(code, [])
        rows = []
        for row in sections.get(code, []):
            out = []
            for f in fields:
                value = row.get(f.source)
                if f.codes and value not in (None, ""):
                    mapped = ref.hclic.codes.get(f.codes, {}).get(str(value))
                    if mapped not in (None, "", ref.hclic.todo):
                        value = mapped
                out.append(value)
            rows.append(out)
        csvs.append((f"{label}_{file}", [ref.hclic.header(f) for f in fields], rows))

    dq_rows: list[tuple[str, str, str, str]] = list(problems)
    for codes, values in todo.items():
        dq_rows.append(("", "code mapping", codes,
                        f"{len(values)} code(s) still {ref.hclic.todo} in data/housing_options/hclic/mapping.toml [codes.{codes}]: "
                        + ", ".join(values)))
    dq_rows.append(("", "section", "Assistance", "the Assistance section is not recorded by duty-tui yet"))
    dq_name = f"{label}_hclic_data_quality.csv"
    csvs.append((dq_name, ("case_ref", "section", "field", "problem"), dq_rows))

    cases_with_problems = len({p[0] for p in problems})
    readme_name = f"{label}_README.txt"
    lines = [
        f"Homelessness statistics and H-CLIC extract, {quarter.words} ({label})" + (f" - {office_name}" if office_name else ""),
        "",
        "Live-table CSVs (counted from the cases; see docs/HOUSING.md for each population):",
        *[f"  {t.code}  {t.title}: {t.total() if t.code != 'A2' else t.total(3)} ({t.population})" for t in stats.tables],
        "",
        f"H-CLIC extract: {len(sections.get('main', []))} cases with a trigger in the quarter, one CSV per section.",
        "It holds dates of birth and support needs: keep it to the people who submit the return.",
        "Field names and codes come from data/housing_options/hclic/mapping.toml. The ministry's specification is not public:",
        f"where the mapping still says {ref.hclic.todo}, duty-tui's own names and codes are written.",
        "",
        f"Data quality: {len(problems)} missing mandatory field(s) on {cases_with_problems} case(s); "
        f"{sum(len(v) for v in todo.values())} code(s) still to map. See {dq_name}.",
    ]
    summary = ReportSummary(quarter, tuple(out_dir / name for name, _h, _r in csvs) + (out_dir / readme_name,),
                            len(sections.get("main", [])), len(problems), cases_with_problems,
                            sum(len(v) for v in todo.values()), stats,
                            tuple(case["case_ref"] for case in sections.get("main", [])))
    return _Files(csvs, readme_name, "\n".join(lines) + "\n"), summary
