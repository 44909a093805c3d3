"""Bids and shortlists (docs/LETTINGS_LETTING.md).

A bid takes the lowest free slot 1..limit of the applicant's live bids in the cycle; the slot is
guaranteed by the database (``ux_lettings_bid_slot``, ``ck_lettings_bid_slot``), so two bids placed
at once cannot both take the last slot: the second is refused naming the limit. The shortlist runs
``domain/rank.py`` over an advert's live bids and stores who was skipped and why on the bids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.lettings.db.models import (
    LettingsAdvert,
    LettingsApplication,
    LettingsBid,
    LettingsCheck,
    LettingsCycle,
)
from duty_tui.areas.lettings.domain import rank as ranking
from duty_tui.areas.lettings.domain.homes import affordability, policy_on
from duty_tui.areas.lettings.domain.reference import RankRule, in_force, load_bands, load_rank_rules
from duty_tui.areas.lettings.services.homes import PERMISSION, _application_by_ref, advert_by_ref, row_id
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Person, Property, table_of
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

BID = table_of(LettingsBid)
RANKED_STATUSES = ("placed", "skipped")


def place_bid(ctx: ServiceContext, advert_ref: str, application_ref: str, *, assisted: bool = True) -> int:
    """Place a bid (assisted: at the desk on the applicant's behalf); its slot in the cycle."""
    actor = ctx.require(PERMISSION)
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        advert = advert_by_ref(session, advert_ref)
        application = _application_by_ref(session, application_ref)
        if advert.status != "open":
            raise InputError(f"advert {advert.ref} is {advert.status}; bids are taken only on an open advert")
        if advert.cycle_id is None:
            raise InputError(f"advert {advert.ref} is a direct match, not in a cycle; it takes no bids")
        cycle = session.get(LettingsCycle, advert.cycle_id)
        assert cycle is not None
        if not cycle.opens_on <= today <= cycle.closes_on:
            raise InputError(f"cycle {cycle.code} runs {cycle.opens_on:%d/%m/%Y}-{cycle.closes_on:%d/%m/%Y}; "
                             "a bid is taken only while its cycle is open")
        if application.status != "active":
            raise InputError(f"application {application.ref} is {application.status}; only an active application "
                             "may bid")
        existing = session.execute(select(LettingsBid).where(BID.c.advert_id == advert.id,
                                                             BID.c.application_id == application.id)).scalar()
        if existing is not None:
            raise InputError(f"{application.ref} has already bid on {advert.ref}; one bid per advert "
                             "(withdrawn bids count)")
        used = set(session.execute(select(BID.c.slot).where(
            BID.c.cycle_id == cycle.id, BID.c.application_id == application.id, BID.c.status != "withdrawn")).scalars())
        free = [slot for slot in range(1, cycle.bid_limit + 1) if slot not in used]
        if not free:
            raise InputError(f"{application.ref} has used all {cycle.bid_limit} bids of cycle {cycle.code}; "
                             "withdraw a bid to place another")
        bid = LettingsBid(advert_id=row_id(advert), application_id=row_id(application), cycle_id=row_id(cycle), slot=free[0],
                          cycle_limit=cycle.bid_limit, assisted=assisted, placed_by=actor.id, placed_at=ctx.now())
        nested = session.begin_nested()
        try:
            session.add(bid)
            session.flush()
            nested.commit()
        except IntegrityError:
            nested.rollback()
            raise InputError(f"another bid for {application.ref} took slot {free[0]} of {cycle.bid_limit} in cycle "
                             f"{cycle.code} at the same moment; the bid limit is {cycle.bid_limit} - check the "
                             "applicant's bids and try again") from None
        audit.record(session, ctx, "lettings.bid_placed", "lettings_bid", bid.id,
                     {"advert": advert.ref, "application": application.ref, "slot": bid.slot, "assisted": assisted})
        return bid.slot


def withdraw_bid(ctx: ServiceContext, advert_ref: str, application_ref: str) -> None:
    """Withdraw a placed bid (its slot is free again)."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine, write=True) as session:
        advert = advert_by_ref(session, advert_ref)
        application = _application_by_ref(session, application_ref)
        bid = session.execute(select(LettingsBid).where(BID.c.advert_id == advert.id,
                                                        BID.c.application_id == application.id)).scalar()
        if bid is None or bid.status not in RANKED_STATUSES:
            raise InputError(f"{application.ref} has no placed bid on {advert.ref} to withdraw")
        bid.status = "withdrawn"
        audit.record(session, ctx, "lettings.bid_withdrawn", "lettings_bid", bid.id,
                     {"advert": advert.ref, "application": application.ref})


def _age(born: date | None, on: date) -> int:
    if born is None:
        return 16
    return max(16, on.year - born.year - ((on.month, on.day) < (born.month, born.day)))


@dataclass(frozen=True)
class ShortlistRow:
    place: int | None
    application_ref: str
    name: str
    band: str | None
    band_date: date | None
    applied_on: date
    bedroom_need: int | None
    status: str
    skip_reason: str | None


def _rank_bid(app: LettingsApplication, person: Person, bands: tuple[str, ...], today: date) -> ranking.Bid:
    return ranking.Bid(ref=app.ref, band=app.band if app.band in bands else bands[-1],
                       band_date=app.band_effective_on or app.applied_on, application_date=app.applied_on,
                       bedroom_need=app.bedroom_need if app.bedroom_need is not None else -1,
                       age=_age(person.date_of_birth, today), needs_accessible=bool(app.accessible_need),
                       qualifies=app.status == "active" and app.band in bands)


def _bids_of(session: Any, advert: LettingsAdvert) -> list[tuple[LettingsBid, LettingsApplication, Person]]:
    return list(session.execute(
        select(LettingsBid, LettingsApplication, Person)
        .join(LettingsApplication, table_of(LettingsApplication).c.id == BID.c.application_id)
        .join(Person, table_of(Person).c.id == table_of(LettingsApplication).c.person_id)
        .where(BID.c.advert_id == advert.id, BID.c.status != "withdrawn").order_by(BID.c.placed_at, BID.c.id)).all())


def run_shortlist(ctx: ServiceContext, advert_ref: str) -> list[ShortlistRow]:
    """Rank the advert's bids under the policy; store skipped + reason on the bids; the rows in order."""
    ctx.require(PERMISSION)
    today = ctx.today()
    data_dir = ctx.settings.data_dir
    bands = tuple(band.code for band in load_bands(data_dir))
    rule = in_force(load_rank_rules(data_dir), today)
    with session_scope(ctx.engine, write=True) as session:
        advert = advert_by_ref(session, advert_ref)
        home = session.get(Property, advert.property_id)
        assert home is not None
        rows = _bids_of(session, advert)
        ranked = ranking.rank(ranking.Advert(home.bedrooms, advert.min_bedrooms, advert.max_bedrooms, advert.min_age,
                                             bool(advert.accessible_need), bands),
                              [_rank_bid(app, person, bands, today) for bid, app, person in rows if
                               bid.status in RANKED_STATUSES], rule)
        reasons = dict(ranked.skipped)
        for bid, app, _person in rows:
            if bid.status in RANKED_STATUSES:
                bid.status = "skipped" if app.ref in reasons else "placed"
                bid.skip_reason = reasons.get(app.ref)
        audit.record(session, ctx, "lettings.shortlist_run", "lettings_advert", advert.id,
                     {"ref": advert.ref, "shortlist": len(ranked.shortlist), "skipped": len(ranked.skipped)})
        return _rows(rows, ranked.shortlist)


def _rows(rows: list, order: tuple[str, ...]) -> list[ShortlistRow]:
    place = {ref: index + 1 for index, ref in enumerate(order)}
    result = [ShortlistRow(place.get(app.ref), app.ref, f"{person.forename} {person.surname}", app.band,
                           app.band_effective_on, app.applied_on, app.bedroom_need, bid.status, bid.skip_reason)
              for bid, app, person in rows]
    return sorted(result, key=lambda row: (row.place is None, row.place or 0))


def shortlist(ctx: ServiceContext, advert_ref: str) -> list[ShortlistRow]:
    """The advert's stored shortlist (as last run) without re-ranking: ranked rows first, then the rest."""
    ctx.require(PERMISSION)
    data_dir = ctx.settings.data_dir
    bands = tuple(band.code for band in load_bands(data_dir))
    rule = in_force(load_rank_rules(data_dir), ctx.today())
    with session_scope(ctx.engine) as session:
        advert = advert_by_ref(session, advert_ref)
        home = session.get(Property, advert.property_id)
        assert home is not None
        rows = _bids_of(session, advert)
    audit.record_read(ctx, "lettings.shortlist_viewed", "lettings_advert", advert.id, {"ref": advert.ref})
    live = [(bid, app, person) for bid, app, person in rows if bid.status == "placed"]
    ranked = ranking.rank(ranking.Advert(home.bedrooms, advert.min_bedrooms, advert.max_bedrooms, None, False, bands),
                          [_rank_bid(app, person, bands, ctx.today()) for _bid, app, person in live],
                          RankRule(rule.effective_from, rule.source, (), rule.order))
    return _rows(rows, ranked.shortlist)


@dataclass(frozen=True)
class PreTenancy:
    application_ref: str
    checks: tuple[tuple[str, bool, str], ...]
    """(check, passed, note)"""
    affordability_note: str
    affordable: bool | None


def pre_tenancy_checks(ctx: ServiceContext, advert_ref: str, application_ref: str) -> PreTenancy:
    """The checks shown before an offer: status, band, arrears elsewhere, verification, affordability."""
    ctx.require(PERMISSION)
    policy = policy_on(ctx.settings.data_dir, ctx.today())
    with session_scope(ctx.engine) as session:
        advert = advert_by_ref(session, advert_ref)
        app = _application_by_ref(session, application_ref)
        unverified = [c.item for c in session.execute(select(LettingsCheck).where(
            table_of(LettingsCheck).c.application_id == app.id)).scalars() if c.verified_at is None]
    audit.record_read(ctx, "lettings.checks_viewed", "lettings_application", app.id,
                      {"application": app.ref, "advert": advert.ref})
    arrears = app.arrears_elsewhere_pence or 0
    check = affordability(advert.weekly_rent_pence, app.annual_income_pence, policy)
    checks = (
        ("application active", app.status == "active", app.status),
        ("band recorded", app.band is not None, app.band or "no band"),
        ("no arrears elsewhere without an agreement", arrears <= 0 or app.arrears_agreement,
         f"£{arrears / 100:,.2f}" + (" with an agreement" if app.arrears_agreement else "")),
        ("documents verified", not unverified, ", ".join(unverified) or "all verified"),
        ("affordable", check.affordable is not False, check.note()),
    )
    return PreTenancy(app.ref, checks, check.note(), check.affordable)
