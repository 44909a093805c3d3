"""Charges (docs/RENTS_DEBIT.md): a tenancy's current charges and weekly total, setting a charge with
its history, seeding basic rent from the tenancies' weekly rent, and the ``account.weekly_charges``
hook behind ``duty-tui account show --json``'s ``weekly_charges_pence``.

A change never edits an amount: it ends the current row the day before (who, when, why) and starts
a new one, so the rows are the history. The end is an UPDATE guarded by the row's ``version``, so a
change made from another terminal meanwhile is refused, not overwritten.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, and_, func, or_, select, update

from duty_tui.areas.rents.db.models import RentCharge, RentWeekPosted
from duty_tui.areas.rents.domain.charges import FREQUENCIES, weekly_equivalent
from duty_tui.areas.rents.domain.reference import load_charge_types
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, Property, Tenancy, table_of
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

PERMISSION = "rents.manage"
CHARGE, TENANCY, ACCOUNT, PROPERTY = table_of(RentCharge), table_of(Tenancy), table_of(Account), table_of(Property)
POSTED = table_of(RentWeekPosted)
REASON_MAX = 500


@dataclass(frozen=True)
class ChargeLine:
    """One charge in force: its type, amount and frequency, and its weekly equivalent."""

    id: int
    code: str
    words: str
    per: str
    amount_pence: int
    frequency: str
    weekly_pence: int
    effective_from: date
    effective_to: date | None
    version: int

    def as_json(self) -> dict:
        return {"code": self.code, "words": self.words, "per": self.per, "amount_pence": self.amount_pence,
                "frequency": self.frequency, "weekly_pence": self.weekly_pence,
                "effective_from": self.effective_from.isoformat(),
                "effective_to": self.effective_to.isoformat() if self.effective_to else None}


@dataclass(frozen=True)
class TenancyCharges:
    """A tenancy's charges in force on a day and their weekly total."""

    tenancy_ref: str
    on: date
    lines: tuple[ChargeLine, ...]

    @property
    def weekly_total_pence(self) -> int:
        return sum(line.weekly_pence for line in self.lines)


def _in_force(on: date):
    return and_(CHARGE.c.effective_from <= on, or_(CHARGE.c.effective_to.is_(None), CHARGE.c.effective_to >= on))


def _tenancy(connection: Connection, ref: str) -> tuple[int, int, str]:
    wanted = (ref or "").strip().upper()
    row = connection.execute(select(TENANCY.c.id, TENANCY.c.property_id, TENANCY.c.ref)
                             .where(TENANCY.c.ref == wanted)).first()
    if row is None:
        raise NotFound(f"no tenancy with ref {wanted!r}; check the ref")
    return row[0], row[1], row[2]


def charges_in_force(connection: Connection, data_dir, tenancy_id: int, property_id: int, on: date) -> list[ChargeLine]:
    """The property's and the tenancy's charges in force on ``on``, in the charge types' order."""
    types = load_charge_types(data_dir)
    order = {code: n for n, code in enumerate(types)}
    rows = connection.execute(select(CHARGE).where(
        or_(CHARGE.c.property_id == property_id, CHARGE.c.tenancy_id == tenancy_id), _in_force(on))).mappings()
    lines = [ChargeLine(id=r["id"], code=r["charge_code"],
                        words=types[r["charge_code"]].words if r["charge_code"] in types else r["charge_code"],
                        per="property" if r["property_id"] is not None else "tenancy", amount_pence=r["amount_pence"],
                        frequency=r["frequency"], weekly_pence=weekly_equivalent(r["amount_pence"], r["frequency"]),
                        effective_from=r["effective_from"], effective_to=r["effective_to"], version=r["version"])
             for r in rows]
    return sorted(lines, key=lambda line: (order.get(line.code, len(order)), line.per, line.id))


def current_charges(ctx: ServiceContext, tenancy_ref: str, on: date | None = None) -> TenancyCharges:
    """A tenancy's charges in force on a day (default today) and their weekly total; an audited read."""
    ctx.require("account.view")
    on = on or ctx.today()
    with session_scope(ctx.engine) as session:
        connection = session.connection()
        tenancy_id, property_id, ref = _tenancy(connection, tenancy_ref)
        lines = charges_in_force(connection, ctx.settings.data_dir, tenancy_id, property_id, on)
    audit.record_read(ctx, "rent.charges_viewed", "tenancy", ref, {"on": on.isoformat()})
    return TenancyCharges(ref, on, tuple(lines))


def weekly_charges_for_accounts(connection: Connection, data_dir, account_ids: list[int], on: date) -> dict[int, int]:
    """Hook ``account.weekly_charges``: each rent account's weekly charges in force on ``on`` (pence).

    Accounts that are not a tenancy's rent account are left out (the caller shows null)."""
    rows = connection.execute(select(ACCOUNT.c.id, TENANCY.c.id, TENANCY.c.property_id)
                              .join(TENANCY, TENANCY.c.id == ACCOUNT.c.tenancy_id)
                              .where(ACCOUNT.c.id.in_(account_ids), ACCOUNT.c.account_type == "rent")).all()
    return {account_id: sum(line.weekly_pence for line in charges_in_force(connection, data_dir, tid, pid, on))
            for account_id, tid, pid in rows}


def check_charge(code: str, amount_pence: int, frequency: str, effective_from: date, effective_to: date | None,
                 types) -> None:
    """InputError naming what to fix in a charge before anything is written."""
    if code not in types:
        raise InputError(f"unknown charge type {code!r}; choose one of {', '.join(types)} (data/rents/charge_types.toml)")
    if frequency not in FREQUENCIES:
        raise InputError(f"frequency {frequency!r} is not one of {', '.join(FREQUENCIES)}")
    if not isinstance(amount_pence, int) or amount_pence < 0:
        raise InputError("the amount must be pence, 0 or more")
    if effective_to is not None and effective_to < effective_from:
        raise InputError(f"the charge ends ({effective_to:%d/%m/%Y}) before it starts ({effective_from:%d/%m/%Y}); "
                         "make the end date the same as the start or later, or leave it open")


def set_charge(ctx: ServiceContext, *, code: str, amount_pence: int, frequency: str, effective_from: date,
               reason: str, tenancy_ref: str | None = None, property_ref: str | None = None,
               effective_to: date | None = None, expected_version: int | None = None) -> ChargeLine:
    """Start a charge from ``effective_from``, ending the same type's current one the day before.

    A property charge (basic rent, service charges) names ``property_ref``; a personal charge
    ``tenancy_ref``. ``expected_version`` (the version the user saw of the row being replaced) makes a
    newer change from another terminal a ConflictError."""
    ctx.require(PERMISSION)
    types = load_charge_types(ctx.settings.data_dir)
    check_charge(code, amount_pence, frequency, effective_from, effective_to, types)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise InputError(f"say why the charge is set or changed (1-{REASON_MAX} characters)")
    per = types[code].per
    if (per == "property") != bool(property_ref) or bool(tenancy_ref) == bool(property_ref):
        raise InputError(f"{types[code].words} is a charge per {per}: give the {per}'s ref")
    with session_scope(ctx.engine, write=True) as session:
        connection = session.connection()
        if property_ref:
            found = connection.execute(select(PROPERTY.c.id).where(
                PROPERTY.c.ref == property_ref.strip().upper())).scalar()
            if found is None:
                raise NotFound(f"no property with ref {property_ref.strip().upper()!r}; check the ref")
            owner = CHARGE.c.property_id == found
            values = {"property_id": found, "tenancy_id": None}
        else:
            found = _tenancy(connection, tenancy_ref or "")[0]
            owner = CHARGE.c.tenancy_id == found
            values = {"property_id": None, "tenancy_id": found}
        new_id = start_charge(connection, ctx, owner, values, code=code, amount_pence=amount_pence,
                              frequency=frequency, effective_from=effective_from, effective_to=effective_to,
                              reason=reason, expected_version=expected_version)
        audit.record(session, ctx, "rent.charge_set", "rent_charge", new_id, {
            "owner": property_ref or tenancy_ref, "code": code, "amount_pence": amount_pence, "frequency": frequency,
            "from": effective_from.isoformat(), "to": effective_to.isoformat() if effective_to else None,
            "reason": reason})
    return ChargeLine(new_id, code, types[code].words, per, amount_pence, frequency,
                      weekly_equivalent(amount_pence, frequency), effective_from, effective_to, 1)


def _refuse_posted_weeks(connection: Connection, values: dict, effective_from: date) -> None:
    """A charge may not start inside a rent week the debit run has posted for its home: that week was charged
    at the old amounts and is never posted again, so the new charge would silently not be charged for it."""
    property_id = values.get("property_id") or connection.execute(
        select(TENANCY.c.property_id).where(TENANCY.c.id == values.get("tenancy_id"))).scalar()
    last = connection.execute(select(func.max(POSTED.c.week_start)).where(POSTED.c.property_id == property_id)).scalar()
    if last is not None and effective_from <= last + timedelta(days=6):
        raise InputError(f"from {effective_from:%d/%m/%Y}: the debit run has already posted this home's rent week of "
                         f"{last:%d/%m/%Y}, so a charge starting then would never be charged for the weeks posted; "
                         f"start it on {last + timedelta(days=7):%d/%m/%Y} or later (and post an adjustment for "
                         "anything owed before)")


def start_charge(connection: Connection, ctx: ServiceContext, owner, values: dict, *, code: str, amount_pence: int,
                 frequency: str, effective_from: date, effective_to: date | None, reason: str,
                 expected_version: int | None = None) -> int:
    """The history rule inside the caller's transaction: end the owner's current ``code`` row the day before
    ``effective_from`` (version-guarded) and insert the new row; its id. ``owner`` is the WHERE clause naming
    the property or tenancy, ``values`` its ``property_id``/``tenancy_id``. Used by set_charge and the import."""
    _refuse_posted_weeks(connection, values, effective_from)
    _end_current(connection, ctx, owner, code, effective_from, reason, expected_version)
    return connection.execute(CHARGE.insert().values(
        **values, charge_code=code, amount_pence=amount_pence, frequency=frequency, effective_from=effective_from,
        effective_to=effective_to, reason=reason, created_by=ctx.actor.id if ctx.actor else None,
        created_at=ctx.now(), version=1).returning(CHARGE.c.id)).scalar_one()


def _end_current(connection: Connection, ctx: ServiceContext, owner, code: str, effective_from: date, reason: str,
                 expected_version: int | None) -> None:
    """End the same type's row in force on (or after) ``effective_from`` the day before it."""
    rows = connection.execute(select(CHARGE.c.id, CHARGE.c.effective_from, CHARGE.c.version).where(
        owner, CHARGE.c.charge_code == code,
        or_(CHARGE.c.effective_to.is_(None), CHARGE.c.effective_to >= effective_from))).all()
    for charge_id, starts, version in rows:
        if starts >= effective_from:
            raise InputError(f"a {code.replace('_', ' ')} charge already starts on {starts:%d/%m/%Y}; "
                             f"a change must start after {starts:%d/%m/%Y}")
        if expected_version is not None and version != expected_version:
            raise ConflictError("this charge was changed from another terminal since you opened it; "
                                "reopen it to see the change")
        done = connection.execute(update(CHARGE).where(CHARGE.c.id == charge_id, CHARGE.c.version == version).values(
            effective_to=effective_from - timedelta(days=1), ended_by=ctx.actor.id if ctx.actor else None,
            ended_at=ctx.now(), ended_reason=reason, version=version + 1))
        if done.rowcount != 1:
            raise ConflictError("this charge was changed from another terminal meanwhile; reopen it and try again")


def seed_basic_rent(ctx: ServiceContext, effective_from: date) -> int:
    """Basic-rent charges from the tenancies' ``weekly_rent_pence``, from ``effective_from``.

    For each property with a tenancy live on that day and no basic-rent charge at all, one weekly
    property charge of that tenancy's weekly rent; one bulk insert and one audit event. The number made."""
    actor = ctx.require(PERMISSION)
    with session_scope(ctx.engine, write=True) as session:
        connection = session.connection()
        charged = select(CHARGE.c.property_id).where(CHARGE.c.charge_code == "basic_rent",
                                                     CHARGE.c.property_id.is_not(None))
        rows = connection.execute(select(TENANCY.c.property_id, TENANCY.c.weekly_rent_pence).where(
            TENANCY.c.start_date <= effective_from,
            or_(TENANCY.c.end_date.is_(None), TENANCY.c.end_date >= effective_from),
            TENANCY.c.weekly_rent_pence > 0, TENANCY.c.property_id.not_in(charged))
            .order_by(TENANCY.c.property_id, TENANCY.c.start_date.desc())).all()
        latest: dict[int, int] = {}
        for prop, rent in rows:
            latest.setdefault(prop, rent)
        now = ctx.now()
        values = [{"property_id": prop, "tenancy_id": None, "charge_code": "basic_rent", "amount_pence": rent,
                   "frequency": "weekly", "effective_from": effective_from, "effective_to": None,
                   "reason": "seeded from the tenancy's weekly rent", "created_by": actor.id, "created_at": now,
                   "version": 1} for prop, rent in latest.items()]
        if values:
            connection.execute(CHARGE.insert(), values)
        audit.record(session, ctx, "rent.charges_seeded", "rent_charge", None,
                     {"from": effective_from.isoformat(), "charges": len(values)})
    return len(values)


def charge_history(connection: Connection, tenancy_id: int, property_id: int) -> dict[str, list[dict]]:
    """Every charge row of a tenancy and its property, by type, oldest first (the history)."""
    history: dict[str, list[dict]] = defaultdict(list)
    for row in connection.execute(select(CHARGE).where(
            or_(CHARGE.c.property_id == property_id, CHARGE.c.tenancy_id == tenancy_id))
            .order_by(CHARGE.c.effective_from, CHARGE.c.id)).mappings():
        history[row["charge_code"]].append(dict(row))
    return history


def tenancy_charge_history(ctx: ServiceContext, tenancy_ref: str) -> tuple[str, list[dict]]:
    """The tenancy's ref and every charge row of it and its property, oldest first; an audited read."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine) as session:
        connection = session.connection()
        tenancy_id, property_id, ref = _tenancy(connection, tenancy_ref)
        rows = [row for rows in charge_history(connection, tenancy_id, property_id).values() for row in rows]
    audit.record_read(ctx, "rent.charges_viewed", "tenancy", ref, {"history": True})
    return ref, sorted(rows, key=lambda row: (row["effective_from"], row["id"]))


def end_charge(ctx: ServiceContext, *, tenancy_ref: str, code: str, last_day: date, reason: str,
               expected_version: int | None = None) -> None:
    """End the tenancy's (or its property's) ``code`` charge in force on ``last_day``, on that day.

    The end may not come before the charge's start; a change from another terminal meanwhile is a
    ConflictError (the row's version)."""
    ctx.require(PERMISSION)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise InputError(f"say why the charge ends (1-{REASON_MAX} characters)")
    with session_scope(ctx.engine, write=True) as session:
        connection = session.connection()
        tenancy_id, property_id, ref = _tenancy(connection, tenancy_ref)
        row = connection.execute(select(CHARGE.c.id, CHARGE.c.effective_from, CHARGE.c.version).where(
            or_(CHARGE.c.property_id == property_id, CHARGE.c.tenancy_id == tenancy_id),
            CHARGE.c.charge_code == code, or_(CHARGE.c.effective_to.is_(None), CHARGE.c.effective_to >= last_day))
            .order_by(CHARGE.c.effective_from)).first()
        if row is None:
            raise InputError(f"{ref} has no {code.replace('_', ' ')} charge in force on {last_day:%d/%m/%Y}; "
                             "check the charge and the date")
        charge_id, starts, version = row
        if last_day < starts:
            raise InputError(f"the end ({last_day:%d/%m/%Y}) is before the charge starts ({starts:%d/%m/%Y}); "
                             f"end it on {starts:%d/%m/%Y} or later")
        if expected_version is not None and version != expected_version:
            raise ConflictError("this charge was changed by someone else since you opened it; reopen it to see")
        done = connection.execute(update(CHARGE).where(CHARGE.c.id == charge_id, CHARGE.c.version == version).values(
            effective_to=last_day, ended_by=ctx.actor.id if ctx.actor else None, ended_at=ctx.now(),
            ended_reason=reason, version=version + 1))
        if done.rowcount != 1:
            raise ConflictError("this charge was changed by someone else meanwhile; reopen it and try again")
        audit.record(session, ctx, "rent.charge_ended", "rent_charge", charge_id,
                     {"owner": ref, "code": code, "to": last_day.isoformat(), "reason": reason})


def set_charge_for_tenancy(ctx: ServiceContext, *, tenancy_ref: str, code: str, amount_pence: int, frequency: str,
                           effective_from: date, reason: str, expected_version: int | None = None) -> ChargeLine:
    """set_charge from a tenancy's view: a property charge goes on the tenancy's property, a personal one on
    the tenancy (charge_types ``per``)."""
    ctx.require(PERMISSION)
    types = load_charge_types(ctx.settings.data_dir)
    if code in types and types[code].per == "property":
        with session_scope(ctx.engine) as session:
            property_id = _tenancy(session.connection(), tenancy_ref)[1]
            property_ref = session.connection().execute(select(PROPERTY.c.ref).where(
                PROPERTY.c.id == property_id)).scalar_one()
        return set_charge(ctx, code=code, amount_pence=amount_pence, frequency=frequency,
                          effective_from=effective_from, reason=reason, property_ref=property_ref,
                          expected_version=expected_version)
    return set_charge(ctx, code=code, amount_pence=amount_pence, frequency=frequency, effective_from=effective_from,
                      reason=reason, tenancy_ref=tenancy_ref, expected_version=expected_version)
