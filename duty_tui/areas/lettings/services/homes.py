"""Homes to let (docs/LETTINGS_LETTING.md): voids with their dates and property details, bidding
cycles, and adverts in a cycle (or a direct match to an urgent application).

Each function is one use case: one write transaction, ``lettings.manage`` checked, one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.lettings.db.models import (
    VOID_TYPES,
    LettingsAdvert,
    LettingsApplication,
    LettingsCycle,
    LettingsProperty,
    LettingsVoid,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, Property, Tenancy, table_of
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

PERMISSION = "lettings.manage"
VOID = table_of(LettingsVoid)
PROPERTY = table_of(Property)
CYCLE = table_of(LettingsCycle)
ADVERT = table_of(LettingsAdvert)


def row_id(row: Any) -> int:
    """A stored row's id (set once it has been flushed)."""
    assert row.id is not None
    return int(row.id)


def property_by_ref(session: Any, ref: str) -> Property:
    found = session.execute(select(Property).where(PROPERTY.c.ref == ref.strip().upper())).scalar()
    if found is None:
        raise NotFound(f"no property with ref {ref!r}; check the ref")
    return found


def record_void(ctx: ServiceContext, property_ref: str, tenancy_ended_on: date, *, void_type: str = "relet",
                keys_back_on: date | None = None, ready_on: date | None = None, floor: int | None = None,
                has_lift: bool | None = None, adapted: str | None = None) -> int:
    """Record a home between tenancies (and its lettings details); the void's id."""
    actor = ctx.require(PERMISSION)
    if void_type not in VOID_TYPES:
        raise InputError(f"void type {void_type!r}: choose one of {', '.join(VOID_TYPES)}")
    for name, value in (("keys back", keys_back_on), ("ready to let", ready_on)):
        if value is not None and value < tenancy_ended_on:
            raise InputError(f"{name} {value:%d/%m/%Y} is before the tenancy ended {tenancy_ended_on:%d/%m/%Y}; "
                             "a void's dates come after the tenancy end")
    with session_scope(ctx.engine, write=True) as session:
        home = property_by_ref(session, property_ref)
        previous = session.execute(select(Tenancy).where(table_of(Tenancy).c.property_id == home.id)
                                   .order_by(table_of(Tenancy).c.start_date.desc())).scalar()
        details = session.get(LettingsProperty, home.id) or LettingsProperty(property_id=row_id(home))
        if floor is not None:
            details.floor = floor
        if has_lift is not None:
            details.has_lift = has_lift
        if adapted is not None:
            details.adapted = adapted or None
        session.add(details)
        void = LettingsVoid(property_id=row_id(home), previous_tenancy_id=previous.id if previous else None,
                            void_type=void_type, tenancy_ended_on=tenancy_ended_on, keys_back_on=keys_back_on,
                            ready_on=ready_on)
        session.add(void)
        session.flush()
        audit.record(session, ctx, "lettings.void_recorded", "lettings_void", void.id,
                     {"property": home.ref, "void_type": void_type, "by": actor.username})
        assert void.id is not None
        return void.id


@dataclass(frozen=True)
class VoidRow:
    id: int
    property_ref: str
    address: str
    bedrooms: int
    void_type: str
    tenancy_ended_on: date
    ready_on: date | None
    let_on: date | None
    days_void: int


def list_voids(ctx: ServiceContext, *, include_let: bool = False) -> list[VoidRow]:
    """Voids, longest first, with days void (to the let date, or to today)."""
    ctx.require(PERMISSION)
    today = ctx.today()
    with session_scope(ctx.engine) as session:
        query = select(LettingsVoid, Property).join(Property, PROPERTY.c.id == VOID.c.property_id)
        if not include_let:
            query = query.where(VOID.c.let_on.is_(None))
        rows = session.execute(query.order_by(VOID.c.tenancy_ended_on, VOID.c.id)).all()
    return [VoidRow(v.id, p.ref, f"{p.address_line1}, {p.town}", p.bedrooms, v.void_type, v.tenancy_ended_on,
                    v.ready_on, v.let_on, ((v.let_on or today) - v.tenancy_ended_on).days) for v, p in rows]


def open_cycle(ctx: ServiceContext, code: str, opens_on: date, closes_on: date, bid_limit: int = 3) -> int:
    """Open a bidding cycle; refused when it closes before it opens or the limit is under 1."""
    ctx.require(PERMISSION)
    code = code.strip().upper()
    if not code or len(code) > 16:
        raise InputError("a cycle code is 1-16 characters, e.g. 2026-W10")
    if closes_on < opens_on:
        raise InputError(f"the cycle closes {closes_on:%d/%m/%Y} before it opens {opens_on:%d/%m/%Y}; "
                         "make the closing date the same or later")
    if bid_limit < 1:
        raise InputError("the bid limit must be at least 1 bid per applicant in the cycle")
    with session_scope(ctx.engine, write=True) as session:
        cycle = LettingsCycle(code=code, opens_on=opens_on, closes_on=closes_on, bid_limit=bid_limit)
        session.add(cycle)
        try:
            session.flush()
        except IntegrityError:
            raise InputError(f"cycle {code} already exists; a cycle code is used once") from None
        audit.record(session, ctx, "lettings.cycle_opened", "lettings_cycle", cycle.id,
                     {"code": code, "bid_limit": bid_limit})
        assert cycle.id is not None
        return cycle.id


def current_rent(session: Any, ctx: ServiceContext, void: LettingsVoid, on: date) -> int:
    """The home's weekly rent: the rents area's charges on the last tenancy's rent account (hook
    ``account.weekly_charges``) where offered, else that tenancy's rent; 0 when neither is known."""
    if void.previous_tenancy_id is None:
        return 0
    from duty_tui.core.registry import hook

    tenancy = session.get(Tenancy, void.previous_tenancy_id)
    account = session.execute(select(Account).where(table_of(Account).c.tenancy_id == void.previous_tenancy_id,
                                                    table_of(Account).c.account_type == "rent")).scalar()
    weekly = hook("account.weekly_charges")
    if weekly is not None and account is not None:
        charges = weekly(session.connection(), ctx.settings.data_dir, [account.id], on).get(account.id)
        if charges:
            return int(charges)
    return tenancy.weekly_rent_pence if tenancy is not None else 0


def _application_by_ref(session: Any, ref: str) -> LettingsApplication:
    found = session.execute(select(LettingsApplication).where(
        table_of(LettingsApplication).c.ref == ref.strip().upper())).scalar()
    if found is None:
        raise NotFound(f"no application with ref {ref!r}; check the ref")
    return found


def create_advert(ctx: ServiceContext, void_id: int, *, cycle_code: str | None, min_bedrooms: int,
                  max_bedrooms: int, min_age: int | None = None, accessible_need: str | None = None,
                  local_policy: str | None = None, weekly_rent_pence: int | None = None,
                  direct_match: str | None = None) -> str:
    """Advertise a void in a cycle (or match it directly to an urgent application); the advert's ref."""
    actor = ctx.require(PERMISSION)
    if (cycle_code is None) == (direct_match is None):
        raise InputError("an advert is either in a cycle (--cycle) or a direct match (--direct-match), one of them")
    if not 0 <= min_bedrooms <= max_bedrooms <= 20:
        raise InputError("the bedroom range must be MIN-MAX with 0 ≤ MIN ≤ MAX ≤ 20")
    if weekly_rent_pence is not None and weekly_rent_pence < 0:
        raise InputError("the weekly rent is pence, 0 or more")
    with session_scope(ctx.engine, write=True) as session:
        void = session.get(LettingsVoid, void_id)
        if void is None:
            raise NotFound(f"no void {void_id}; list them with `duty-tui lettings void list`")
        if void.let_on is not None:
            raise InputError(f"void {void_id} was let on {void.let_on:%d/%m/%Y}; only an unlet home can be advertised")
        cycle_id, match_id = None, None
        if cycle_code is not None:
            cycle = session.execute(select(LettingsCycle).where(CYCLE.c.code == cycle_code.strip().upper())).scalar()
            if cycle is None:
                raise NotFound(f"no cycle {cycle_code!r}; open it first with `duty-tui lettings cycle open`")
            cycle_id = cycle.id
        if direct_match is not None:
            match_id = _application_by_ref(session, direct_match).id
        rent = weekly_rent_pence if weekly_rent_pence is not None else current_rent(session, ctx, void, ctx.today())
        from duty_tui.core.services.refs import insert_with_ref

        advert = insert_with_ref(session, lambda ref: LettingsAdvert(
            ref=ref, cycle_id=cycle_id, void_id=row_id(void), property_id=void.property_id, min_bedrooms=min_bedrooms,
            max_bedrooms=max_bedrooms, min_age=min_age, accessible_need=accessible_need or None,
            local_policy=(local_policy or None), direct_match_application_id=match_id, weekly_rent_pence=rent,
            status="open", created_by=actor.id, created_at=ctx.now()), LettingsAdvert.ref, "AD", 6)
        audit.record(session, ctx, "lettings.advert_created", "lettings_advert", advert.id,
                     {"ref": advert.ref, "cycle": cycle_code, "direct_match": direct_match, "weekly_rent_pence": rent})
        return advert.ref


def close_advert(ctx: ServiceContext, advert_ref: str) -> None:
    """Close an open advert to bids (ready to shortlist)."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine, write=True) as session:
        advert = advert_by_ref(session, advert_ref)
        if advert.status != "open":
            raise InputError(f"advert {advert.ref} is {advert.status}; only an open advert can be closed")
        advert.status = "closed"
        advert.version += 1
        audit.record(session, ctx, "lettings.advert_closed", "lettings_advert", advert.id, {"ref": advert.ref})


def advert_by_ref(session: Any, ref: str) -> LettingsAdvert:
    found = session.execute(select(LettingsAdvert).where(ADVERT.c.ref == ref.strip().upper())).scalar()
    if found is None:
        raise NotFound(f"no advert with ref {ref!r}; check the ref")
    return found


@dataclass(frozen=True)
class AdvertRow:
    ref: str
    cycle: str | None
    property_ref: str
    address: str
    bedrooms: str
    weekly_rent_pence: int
    status: str
    bids: int


def list_adverts(ctx: ServiceContext, cycle_code: str | None = None) -> list[AdvertRow]:
    """Adverts (of a cycle, or of the cycles open today and direct matches when none is named)."""
    ctx.require(PERMISSION)
    from sqlalchemy import func

    from duty_tui.areas.lettings.db.models import LettingsBid

    bid = table_of(LettingsBid)
    counts = select(bid.c.advert_id, func.count().label("n")).where(bid.c.status != "withdrawn") \
        .group_by(bid.c.advert_id).subquery()
    today = ctx.today()
    with session_scope(ctx.engine) as session:
        query = (select(LettingsAdvert, Property, CYCLE.c.code, counts.c.n)
                 .join(Property, PROPERTY.c.id == ADVERT.c.property_id)
                 .outerjoin(LettingsCycle, CYCLE.c.id == ADVERT.c.cycle_id)
                 .outerjoin(counts, counts.c.advert_id == ADVERT.c.id))
        if cycle_code:
            query = query.where(CYCLE.c.code == cycle_code.strip().upper())
        else:
            query = query.where((ADVERT.c.cycle_id.is_(None)) | ((CYCLE.c.opens_on <= today) & (CYCLE.c.closes_on >= today))
                                | ADVERT.c.status.in_(("closed", "offered")))
        rows = session.execute(query.order_by(ADVERT.c.ref)).all()
    return [AdvertRow(a.ref, code, p.ref, f"{p.address_line1}, {p.town}", f"{a.min_bedrooms}-{a.max_bedrooms}",
                      a.weekly_rent_pence, a.status, n or 0) for a, p, code, n in rows]
