"""Charges in (docs/RENTS_IMPORT.md): a charges CSV checked whole, then applied all-or-nothing.

Every line is checked first (domain/charge_file.py for the file alone; here the refs, the weeks the
debit run has already posted and the rows already in the database); any problem and nothing is written
(InputError listing each, line-numbered). Then one transaction applies each line by the history rule
of services/charges.py (``start_charge``: the current row ends the day before), skipping a line whose
charge is already in force as written, so re-importing the same file changes nothing. One audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from duty_tui.areas.rents.db.models import RentWeekPosted
from duty_tui.areas.rents.domain.charge_file import MAX_LISTED, ChargeFileLine, read_charge_file
from duty_tui.areas.rents.domain.reference import load_charge_types
from duty_tui.areas.rents.services.charges import CHARGE, PERMISSION, PROPERTY, TENANCY, start_charge
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import table_of
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

POSTED = table_of(RentWeekPosted)
CHUNK = 500


@dataclass(frozen=True)
class ChargeImportSummary:
    """What an import did (or, dry run, would do)."""

    lines: int
    started: int
    unchanged: int
    ended: int
    dry_run: bool

    def as_json(self) -> dict:
        return {"lines": self.lines, "started": self.started, "unchanged": self.unchanged, "ended": self.ended,
                "dry_run": self.dry_run}


def _ids(connection: Connection, table, refs: set[str]) -> dict[str, tuple[int, int]]:
    """ref -> (id, property id) for the refs found, in chunks."""
    found: dict[str, tuple[int, int]] = {}
    wanted = sorted(refs)
    prop_col = table.c.id if table is PROPERTY else table.c.property_id
    for n in range(0, len(wanted), CHUNK):
        for ref, row_id, prop in connection.execute(select(table.c.ref, table.c.id, prop_col)
                                                    .where(table.c.ref.in_(wanted[n:n + CHUNK]))):
            found[ref] = (row_id, prop)
    return found


def _last_posted(connection: Connection, property_ids: set[int]) -> dict[int, date]:
    wanted = sorted(property_ids)
    last: dict[int, date] = {}
    for n in range(0, len(wanted), CHUNK):
        last.update((prop, week) for prop, week in connection.execute(select(POSTED.c.property_id, func.max(POSTED.c.week_start))
                                       .where(POSTED.c.property_id.in_(wanted[n:n + CHUNK]))
                                       .group_by(POSTED.c.property_id)).all())
    return last


def _existing(connection: Connection, column, ids: set[int]) -> dict[tuple[int, str], list]:
    wanted = sorted(ids)
    rows: dict[tuple[int, str], list] = {}
    for n in range(0, len(wanted), CHUNK):
        for row in connection.execute(select(CHARGE).where(column.in_(wanted[n:n + CHUNK]))).mappings():
            rows.setdefault((row[column.name], row["charge_code"]), []).append(row)
    return rows


def _same(row, line: ChargeFileLine) -> bool:
    return (row["amount_pence"], row["frequency"], row["effective_to"]) == (
        line.amount_pence, line.frequency, line.effective_to)


def _plan(connection: Connection, lines: list[ChargeFileLine]) -> tuple[list[tuple], int, list[str]]:
    """(lines to apply with their owner, unchanged count, problems) against the database."""
    props = _ids(connection, PROPERTY, {line.ref for line in lines if line.per == "property"})
    tens = _ids(connection, TENANCY, {line.ref for line in lines if line.per == "tenancy"})
    last = _last_posted(connection, {p for _, p in props.values()} | {p for _, p in tens.values()})
    existing = {"property": _existing(connection, CHARGE.c.property_id, {i for i, _ in props.values()}),
                "tenancy": _existing(connection, CHARGE.c.tenancy_id, {i for i, _ in tens.values()})}
    exact = {(line.per, line.ref, line.code, line.effective_from) for line in lines}
    problems: list[str] = []
    todo: list[tuple] = []
    unchanged = 0
    for line in lines:
        found = (props if line.per == "property" else tens).get(line.ref)
        if found is None:
            problems.append(f"line {line.line}: no {line.per} with ref {line.ref!r}; check the {line.per}_ref")
            continue
        owner_id, property_id = found
        posted = last.get(property_id)
        if posted is not None and line.effective_from <= posted + timedelta(days=6):
            problems.append(f"line {line.line}: the debit run has already posted the week of {posted:%d/%m/%Y} "
                            f"for {line.ref}, so a charge from {line.effective_from:%d/%m/%Y} would not match "
                            f"what was charged; start it on {posted + timedelta(days=7):%d/%m/%Y} or later")
            continue
        rows = existing[line.per].get((owner_id, line.code), [])
        if any(r["effective_from"] == line.effective_from and _same(r, line) for r in rows) or any(
                r["effective_from"] < line.effective_from and r["effective_to"] is None and _same(r, line)
                for r in rows):
            unchanged += 1
            continue
        later = [r for r in rows if r["effective_from"] >= line.effective_from
                 and (line.per, line.ref, line.code, r["effective_from"]) not in exact]
        if later:
            problems.append(f"line {line.line}: a {line.code} charge for {line.ref} already starts on "
                            f"{later[0]['effective_from']:%d/%m/%Y}; a change must start after that day")
            continue
        todo.append((line, owner_id))
    return todo, unchanged, problems


def import_charges(ctx: ServiceContext, text: str, *, file_name: str = "-", dry_run: bool = False
                   ) -> ChargeImportSummary:
    """Check the whole file, then (not a dry run) apply it in one transaction; InputError lists every problem."""
    ctx.require(PERMISSION)
    types = load_charge_types(ctx.settings.data_dir)
    lines, problems = read_charge_file(text, {code: t.per for code, t in types.items()})
    with session_scope(ctx.engine, write=not dry_run) as session:
        connection = session.connection()
        todo, unchanged, more = _plan(connection, lines)
        problems = sorted(problems + more, key=lambda p: int(p.split(":", 1)[0].removeprefix("line ")))
        if problems:
            listed = problems[:MAX_LISTED]
            if len(problems) > MAX_LISTED:
                listed.append(f"… and {len(problems) - MAX_LISTED:,} more problems; fix these and check again")
            raise InputError(f"{len(problems):,} problems in the charges file; nothing was imported",
                             problems=[f"nothing imported: {len(problems):,} problems in the file", *listed])
        ended = 0
        for line, owner_id in todo:
            column = CHARGE.c.property_id if line.per == "property" else CHARGE.c.tenancy_id
            ended += connection.execute(select(func.count()).select_from(CHARGE).where(
                column == owner_id, CHARGE.c.charge_code == line.code,
                (CHARGE.c.effective_to.is_(None)) | (CHARGE.c.effective_to >= line.effective_from))).scalar_one()
            if not dry_run:
                values = {"property_id": owner_id if line.per == "property" else None,
                          "tenancy_id": owner_id if line.per == "tenancy" else None}
                start_charge(connection, ctx, column == owner_id, values, code=line.code,
                             amount_pence=line.amount_pence, frequency=line.frequency,
                             effective_from=line.effective_from, effective_to=line.effective_to, reason=line.reason)
        if not dry_run:
            audit.record(session, ctx, "rent.charges_imported", "rent_charge", None, {
                "file": file_name[:200], "lines": len(lines), "started": len(todo), "unchanged": unchanged,
                "ended": ended})
    return ChargeImportSummary(len(lines), len(todo), unchanged, ended, dry_run)
