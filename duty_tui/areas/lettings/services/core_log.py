"""`duty-tui lettings core-log`: the CORE lettings log for a period as CSV, with its data-quality report
(docs/LETTINGS_RETURNS.md).

A new general-needs social letting is a ``lettings_void`` let in the period to a new tenancy
(``new_tenancy_id``) whose void type is not one CORE leaves out (``not_new_lettings`` in
``data/lettings/core_log.toml``: mutual exchanges and successions). Audited (``lettings.core_log_written``:
the log holds ages and addresses) before anything is written; both files are created new (never over
an existing file), owner-readable only; a failure part-way removes what was written.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from duty_tui.areas.lettings.db.models import (
    LettingsAdvert,
    LettingsApplication,
    LettingsOffer,
    LettingsProperty,
    LettingsVoid,
)
from duty_tui.areas.lettings.domain.core_log import CoreLetting, CoreMapping, Problem, core_row, load_core_mapping
from duty_tui.areas.lettings.domain.reference import load_bands
from duty_tui.areas.lettings.domain.relet import route_of
from duty_tui.areas.lettings.services.returns import check_period
from duty_tui.core import registry
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, HouseholdMember, Person, Property, Tenancy
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

_MODELS: dict[str, Any] = {"void": LettingsVoid, "advert": LettingsAdvert, "offer": LettingsOffer,
                           "app": LettingsApplication, "lprop": LettingsProperty, "prop": Property, "ten": Tenancy,
                           "member": HouseholdMember, "person": Person, "account": Account}
T: dict[str, Any] = {name: model.__table__ for name, model in _MODELS.items()}
QUALITY_HEADER = ("tenancy_ref", "property_ref", "field", "core", "question", "problem")


@dataclass(frozen=True)
class CoreLog:
    date_from: date
    date_to: date
    mapping: CoreMapping
    rows: int
    problems: tuple[Problem, ...]
    to_complete: tuple[str, ...]
    files: tuple[Path, ...]

    def by_field(self) -> list[tuple[str, int]]:
        counts = Counter(p.field.core for p in self.problems)
        return [(f.core, counts[f.core]) for f in self.mapping.fields if counts[f.core]]

    def summary(self) -> dict[str, Any]:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "lettings": self.rows,
                "lettings_with_missing": len({p.tenancy_ref for p in self.problems}),
                "missing": len(self.problems), "missing_by_field": dict(self.by_field()),
                "to_complete": list(self.to_complete), "mapping_source": self.mapping.source,
                "files": [str(path) for path in self.files]}


def quality_path(out: Path) -> Path:
    """The data-quality report beside the log: ``core_log.csv`` → ``core_log.quality.csv``."""
    return out.with_name(f"{out.stem}.quality.csv")


def _lettings(connection: Any, data_dir: Path, mapping: CoreMapping, start: date, end: date) -> list[CoreLetting]:
    v, p, t, lp = T["void"], T["prop"], T["ten"], T["lprop"]
    rows = connection.execute(
        select(v.c.id, v.c.void_type, v.c.tenancy_ended_on, t.c.id, t.c.ref, t.c.tenancy_type, t.c.start_date,
               t.c.weekly_rent_pence, t.c.household_id, p.c.ref, p.c.uprn, p.c.address_line1, p.c.address_line2,
               p.c.town, p.c.postcode, p.c.property_type, p.c.bedrooms, lp.c.adapted)
        .select_from(v.join(t, t.c.id == v.c.new_tenancy_id).join(p, p.c.id == v.c.property_id)
                     .outerjoin(lp, lp.c.property_id == v.c.property_id))
        .where(v.c.let_on >= start, v.c.let_on <= end, v.c.void_type.not_in(mapping.not_new_lettings))
        .order_by(v.c.let_on, p.c.ref)).all()
    offers = _offers(connection, start, end)
    leads = _lead_births(connection, [row[8] for row in rows])
    charges = _weekly_charges(connection, data_dir, [row[3] for row in rows], rows)
    preference = {band.code: bool(band.categories) for band in load_bands(data_dir)}
    out = []
    for (vid, vtype, ended, tid, tref, ttype, tstart, rent, hid, pref, uprn, l1, l2, town, pc, ptype, beds,
         adapted) in rows:
        times, band, direct, from_bid, accepted = offers.get(vid, (0, None, False, False, False))
        out.append(CoreLetting(tref, ttype, tstart, rent, charges.get(tid), pref, uprn, l1, l2, town, pc, ptype, beds,
                               adapted is not None, vtype, ended, times, leads.get(hid),
                               preference.get(band) if band else None,
                               route_of(vtype, accepted, direct, from_bid)))
    return out


def _offers(connection: Any, start: date, end: date) -> dict[int, tuple]:
    """void id → (offers made before the accepted one, band, direct match, from a bid, has an accepted offer)."""
    v, a, o, app = T["void"], T["advert"], T["offer"], T["app"]
    rows = connection.execute(
        select(a.c.void_id, o.c.status, app.c.band, a.c.direct_match_application_id, o.c.application_id, o.c.bid_id)
        .select_from(o.join(a, a.c.id == o.c.advert_id).join(v, v.c.id == a.c.void_id)
                     .join(app, app.c.id == o.c.application_id))
        .where(v.c.let_on >= start, v.c.let_on <= end).order_by(o.c.id)).all()
    found: dict[int, tuple] = {}
    for void_id, status, band, match, applicant, bid in rows:
        times, *_ = found.get(void_id, (0, None, False, False, False))
        if status == "accepted":
            found[void_id] = (times, band, match is not None and match == applicant, bid is not None, True)
        elif status in ("refused", "withdrawn") and not found.get(void_id, (0, None, False, False, False))[4]:
            found[void_id] = (times + 1, None, False, False, False)
    return found


def _lead_births(connection: Any, household_ids: list[int]) -> dict[int, date | None]:
    m, person = T["member"], T["person"]
    births: dict[int, date | None] = {}
    for start in range(0, len(household_ids), 500):
        chunk = household_ids[start:start + 500]
        for hid, born in connection.execute(
                select(m.c.household_id, func.min(person.c.date_of_birth)).join(person, person.c.id == m.c.person_id)
                .where(m.c.household_id.in_(chunk), m.c.is_lead.is_(True)).group_by(m.c.household_id)).all():
            births[hid] = born
    return births


def _weekly_charges(connection: Any, data_dir: Path, tenancy_ids: list[int], rows: list) -> dict[int, int]:
    """tenancy id → weekly charges in force on its start (the rents area's, hook ``account.weekly_charges``)."""
    weekly = registry.hook("account.weekly_charges")
    if weekly is None or not tenancy_ids:
        return {}
    acc = T["account"]
    starts = {row[3]: row[6] for row in rows}
    out: dict[int, int] = {}
    for start in range(0, len(tenancy_ids), 500):
        pairs = connection.execute(select(acc.c.id, acc.c.tenancy_id).where(
            acc.c.tenancy_id.in_(tenancy_ids[start:start + 500]), acc.c.account_type == "rent")).all()
        for account_id, tid in pairs:
            amounts = weekly(connection, data_dir, [account_id], starts[tid])
            if amounts.get(account_id):
                out[tid] = amounts[account_id]
    return out


def _create(path: Path) -> Any:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise InputError(f"--out {path}: already exists; give a new file name (a return is never overwritten)") from None
    except OSError as exc:
        raise InputError(f"--out {path}: cannot write there ({exc.strerror or exc}); give a file you may write") from None
    return os.fdopen(fd, "w", newline="", encoding="utf-8")


def write_core_log(ctx: ServiceContext, *, date_from: date, date_to: date, out: Path) -> CoreLog:
    """Write the CORE log to ``out`` and its data-quality report beside it (``quality_path``)."""
    ctx.require("statistics.view")
    check_period(date_from, date_to)
    out = Path(out)
    quality = quality_path(out)
    for path in (out, quality):
        if path.exists() or path.is_symlink():
            raise InputError(f"--out {path}: already exists; give a new file name (a return is never overwritten)")
    mapping = load_core_mapping(ctx.settings.data_dir)
    with session_scope(ctx.engine) as session:
        lettings = _lettings(session.connection(), ctx.settings.data_dir, mapping, date_from, date_to)
    audit.record_read(ctx, "lettings.core_log_written", "report", "lettings",
                      {"from": date_from.isoformat(), "to": date_to.isoformat(), "lettings": len(lettings)})
    problems: list[Problem] = []
    todo: set[str] = set()
    written: list[Path] = []
    try:
        with _create(out) as handle:
            written.append(out)
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(mapping.header())
            for letting in lettings:
                cells, missing, notes = core_row(mapping, letting)
                writer.writerow(cells)
                problems.extend(missing)
                todo |= notes
        with _create(quality) as handle:
            written.append(quality)
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(QUALITY_HEADER)
            writer.writerows((p.tenancy_ref, p.property_ref, p.field.number, p.field.core, p.field.question, p.problem)
                             for p in problems)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return CoreLog(date_from, date_to, mapping, len(lettings), tuple(problems), tuple(sorted(todo)), (out, quality))
