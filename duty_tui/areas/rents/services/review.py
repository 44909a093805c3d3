"""The rent review (docs/RENTS_REVIEW.md): model an increase for a rent year, show its effect, withdraw it.

Applying a review and its notices of variation are in ``review_apply.py``. A review's lines are every
property charge in force on the rent year's first week, with the amount now and the new amount
(a percentage, or per-property amounts from a CSV, held to the policy's caps: domain/review.py).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, and_, func, or_, select, update

from duty_tui.areas.rents.db.models import RentCharge, RentReview, RentReviewLine
from duty_tui.areas.rents.domain.calendar import rent_year
from duty_tui.areas.rents.domain.recon import load_rent_groups
from duty_tui.areas.rents.domain.reference import load_calendar
from duty_tui.areas.rents.domain.review import GroupTotal, LineChange, capped, group_totals, increased, largest_changes
from duty_tui.areas.rents.domain.review_data import policy_for
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Office, Property, table_of
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.domain.money import parse_pounds
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

PERMISSION = "rents.manage"
REVIEW, LINE, CHARGE = table_of(RentReview), table_of(RentReviewLine), table_of(RentCharge)
PROPERTY, OFFICE = table_of(Property), table_of(Office)
AMOUNT_COLUMNS = ("property_ref", "charge_code", "new_amount")


@dataclass(frozen=True)
class ReviewEffect:
    """A review and its effect: totals by rent group, how many lines a cap bit, the largest changes."""

    ref: str
    status: str
    rent_year: str
    effective_from: date
    basis: str
    percent_bp: int | None
    policy_code: str
    description: str
    notices_on: date | None
    lines: int
    changed: int
    capped: int
    groups: tuple[GroupTotal, ...]
    largest: tuple[LineChange, ...]

    @property
    def old_weekly_pence(self) -> int:
        return sum(g.old_weekly_pence for g in self.groups)

    @property
    def new_weekly_pence(self) -> int:
        return sum(g.new_weekly_pence for g in self.groups)

    def as_json(self) -> dict:
        return {"ref": self.ref, "status": self.status, "rent_year": self.rent_year,
                "effective_from": self.effective_from.isoformat(), "basis": self.basis,
                "percent_bp": self.percent_bp, "policy": self.policy_code, "description": self.description,
                "notices_on": self.notices_on.isoformat() if self.notices_on else None,
                "lines": self.lines, "changed": self.changed, "capped": self.capped,
                "old_weekly_pence": self.old_weekly_pence, "new_weekly_pence": self.new_weekly_pence,
                "groups": [g.as_json() for g in self.groups], "largest": [c.as_json() for c in self.largest]}


def in_force(on: date):
    return and_(CHARGE.c.effective_from <= on, or_(CHARGE.c.effective_to.is_(None), CHARGE.c.effective_to >= on))


def read_amounts(path: Path) -> list[tuple[int, str, str, int]]:
    """The CSV ``property_ref,charge_code,new_amount`` (pounds, e.g. 112.50), checked whole first:
    (line number, property ref, charge code, pence). Every problem is named with its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the amounts file ({exc.strerror}); check the path") from None
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != AMOUNT_COLUMNS:
        raise InputError(f"{path}: the first line must be {','.join(AMOUNT_COLUMNS)}")
    rows, problems = [], []
    for number, row in enumerate(reader, start=2):
        try:
            pence = parse_pounds(row["new_amount"] or "")
        except ValueError as exc:
            problems.append(f"line {number}: new_amount: {exc}")
            continue
        rows.append((number, (row["property_ref"] or "").strip().upper(), (row["charge_code"] or "").strip(), pence))
    if problems:
        raise InputError(f"{path}: nothing modelled; fix " + "; ".join(problems[:5]))
    return rows


def _charges_at(connection: Connection, first_week: date) -> list:
    return list(connection.execute(
        select(CHARGE.c.property_id, PROPERTY.c.ref, CHARGE.c.charge_code, CHARGE.c.frequency, CHARGE.c.amount_pence)
        .join(PROPERTY, PROPERTY.c.id == CHARGE.c.property_id)
        .where(CHARGE.c.property_id.is_not(None), in_force(first_week))
        .order_by(PROPERTY.c.ref, CHARGE.c.charge_code)).all())


def _lines(charges: list, percent_bp: int | None, amounts: list[tuple[int, str, str, int]] | None,
           policy) -> list[dict]:
    wanted: dict[tuple[str, str], int] = {}
    known = {(ref, code) for _, ref, code, _, _ in charges}
    for number, ref, code, pence in amounts or []:
        if (ref, code) not in known:
            raise InputError(f"amounts line {number}: property {ref} has no {code} charge in force on the rent "
                             "year's first week; fix the line or remove it (nothing modelled)")
        if (ref, code) in wanted:
            raise InputError(f"amounts line {number}: {ref} {code} appears twice; keep one line")
        wanted[(ref, code)] = pence
    out = []
    for property_id, ref, code, frequency, old in charges:
        proposed = increased(old, percent_bp) if percent_bp is not None else wanted.get((ref, code), old)
        new, bit = capped(old, proposed, frequency, policy)
        out.append({"property_id": property_id, "charge_code": code, "frequency": frequency, "old_pence": old,
                    "new_pence": new, "capped": bit,
                    "note": f"asked {proposed}p, held to the {policy.code} limit" if bit else None})
    return out


def model_review(ctx: ServiceContext, *, year: int, percent_bp: int | None = None,
                 amounts: list[tuple[int, str, str, int]] | None = None, policy_code: str | None = None,
                 notices_on: date | None = None, description: str = "") -> str:
    """Model a review for the rent year beginning in ``year``: a percentage (basis points) or per-property
    amounts. Stores a line for every property charge in force on the year's first week. Its ref."""
    actor = ctx.require(PERMISSION)
    if (percent_bp is None) == (amounts is None):
        raise InputError("give either a percentage or an amounts file, not both or neither")
    if not 1900 <= year <= 2200:
        raise InputError(f"year {year}: give the four-digit year the rent year begins in")
    first_week = rent_year(load_calendar(ctx.settings.data_dir), year).starts
    policy = policy_for(ctx.settings.data_dir, policy_code, first_week)
    if percent_bp is not None and not 0 <= percent_bp <= policy.limit_bp:
        raise InputError(f"an increase of {percent_bp / 100:g}% is over the {policy.code} limit of "
                         f"{policy.limit_words} ({policy.source.split(':')[0]}); give {policy.limit_words} or less")
    description = (description or "").strip() or (
        f"{percent_bp / 100:g}% increase" if percent_bp is not None else "per-property amounts")
    if len(description) > 200:
        raise InputError("the description is too long: at most 200 characters")
    with session_scope(ctx.engine, write=True) as session:
        connection = session.connection()
        charges = _charges_at(connection, first_week)
        if not charges:
            raise InputError(f"no property charges are in force on {first_week:%d/%m/%Y}, the first week of "
                             f"{year}/{(year + 1) % 100:02d}; set or seed the charges first (rent seed-charges)")
        lines = _lines(charges, percent_bp, amounts, policy)
        count = connection.execute(select(func.count()).select_from(REVIEW)
                                   .where(REVIEW.c.rent_year_start == first_week)).scalar_one()
        ref = f"RR{year}-{count + 1:02d}"
        review_id = connection.execute(REVIEW.insert().values(
            ref=ref, rent_year_start=first_week, effective_from=first_week,
            basis="percent" if percent_bp is not None else "per_property", percent_bp=percent_bp,
            policy_code=policy.code, description=description, status="modelled", notices_on=notices_on,
            created_by=actor.id, created_at=ctx.now(), version=1).returning(REVIEW.c.id)).scalar_one()
        connection.execute(LINE.insert(), [{**line, "review_id": review_id} for line in lines])
        audit.record(session, ctx, "rent.review_modelled", "rent_review", ref, {
            "year": year, "basis": "percent" if percent_bp is not None else "per_property", "percent_bp": percent_bp,
            "policy": policy.code, "lines": len(lines), "capped": sum(1 for line in lines if line["capped"])})
    return ref


def review_row(connection: Connection, ref: str):
    wanted = (ref or "").strip().upper()
    row = connection.execute(select(REVIEW).where(REVIEW.c.ref == wanted)).mappings().first()
    if row is None:
        raise NotFound(f"no rent review {wanted!r}; check the ref (the refs are RR<year>-<n>)")
    return row


def line_changes(connection: Connection, data_dir, review_id: int, on: date) -> list[LineChange]:
    """A review's lines with each property's rent group (the rule in force on ``on``)."""
    rule = load_rent_groups(data_dir).in_force(on)
    rows = connection.execute(
        select(PROPERTY.c.ref, LINE.c.charge_code, LINE.c.frequency, LINE.c.old_pence, LINE.c.new_pence,
               LINE.c.capped, OFFICE.c.code, OFFICE.c.name, PROPERTY.c.property_type)
        .join(PROPERTY, PROPERTY.c.id == LINE.c.property_id).outerjoin(OFFICE, OFFICE.c.id == PROPERTY.c.office_id)
        .where(LINE.c.review_id == review_id).order_by(PROPERTY.c.ref, LINE.c.charge_code)).all()
    return [LineChange(r[0], r[1], r[2], r[3], r[4], bool(r[5]), rule.group_of(r[6], r[7], r[8], True)[1])
            for r in rows]


def review_effect(ctx: ServiceContext, ref: str, largest: int = 10) -> ReviewEffect:
    """A review's effect: weekly totals old/new by rent group, lines capped, the ``largest`` changes."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine) as session:
        connection = session.connection()
        row = review_row(connection, ref)
        changes = line_changes(connection, ctx.settings.data_dir, row["id"], row["effective_from"])
    audit.record_read(ctx, "rent.review_viewed", "rent_review", row["ref"], {"lines": len(changes)})
    begins = row["rent_year_start"].year
    return ReviewEffect(row["ref"], row["status"], f"{begins}/{(begins + 1) % 100:02d}", row["effective_from"],
                        row["basis"], row["percent_bp"], row["policy_code"], row["description"], row["notices_on"],
                        len(changes), sum(1 for c in changes if c.new_pence != c.old_pence),
                        sum(1 for c in changes if c.capped), tuple(group_totals(changes)),
                        tuple(largest_changes(changes, largest)))


def list_reviews(ctx: ServiceContext) -> list[dict]:
    """Every review, newest first: ref, year, status, basis, description."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine) as session:
        rows = session.connection().execute(select(REVIEW).order_by(REVIEW.c.id.desc())).mappings().all()
    return [{"ref": r["ref"], "rent_year_start": r["rent_year_start"].isoformat(), "status": r["status"],
             "basis": r["basis"], "percent_bp": r["percent_bp"], "description": r["description"]} for r in rows]


def withdraw_review(ctx: ServiceContext, ref: str) -> None:
    """Withdraw a modelled review (an applied one cannot be: a new review changes the rent again)."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine, write=True) as session:
        connection = session.connection()
        row = review_row(connection, ref)
        if row["status"] != "modelled":
            raise InputError(f"review {row['ref']} is {row['status']}; only a modelled review can be withdrawn")
        done = connection.execute(update(REVIEW).where(REVIEW.c.id == row["id"], REVIEW.c.version == row["version"])
                                  .values(status="withdrawn", version=row["version"] + 1))
        if done.rowcount != 1:
            raise ConflictError(f"review {row['ref']} was changed from another terminal; look at it again")
        audit.record(session, ctx, "rent.review_withdrawn", "rent_review", row["ref"], {})


__all__ = ["ReviewEffect", "list_reviews", "model_review", "read_amounts", "review_effect", "withdraw_review"]
