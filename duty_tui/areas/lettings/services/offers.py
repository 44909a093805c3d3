"""Offers, viewings, acceptances and refusals (docs/LETTINGS_LETTING.md).

One live offer per advert is a database guarantee (partial UNIQUE ``ux_lettings_offer_live``): a
second is refused naming the rule. An offer goes to the top eligible bidder of the stored shortlist
(or the direct match); a refusal judged unreasonable counts towards the policy's suspension limit; a
final offer to a homeless applicant carries the s202 review right (``review_by``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.lettings.db.models import (
    LettingsAdvert,
    LettingsApplication,
    LettingsBid,
    LettingsOffer,
    LettingsViewing,
)
from duty_tui.areas.lettings.domain.homes import affordability, policy_on, suspends
from duty_tui.areas.lettings.domain.reference import load_review_clocks
from duty_tui.areas.lettings.services.bids import BID, shortlist
from duty_tui.areas.lettings.services.homes import PERMISSION, _application_by_ref, advert_by_ref, row_id
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import table_of
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

OFFER = table_of(LettingsOffer)


def offer_by_ref(session: Any, ref: str) -> LettingsOffer:
    found = session.execute(select(LettingsOffer).where(OFFER.c.ref == ref.strip().upper())).scalar()
    if found is None:
        raise NotFound(f"no offer with ref {ref!r}; check the ref")
    return found


def s202_days(data_dir, on: date) -> int:
    """Days to ask for a review of a final offer's suitability (HA 1996 s202), from the review clocks."""
    clocks = [c for c in load_review_clocks(data_dir) if c.decision == "suitability_final_offer" and c.effective_from <= on]
    return clocks[-1].days if clocks else 21


def _insert_offer(session: Any, advert_ref: str, make) -> LettingsOffer:
    """Insert the offer in a savepoint; a live offer already on the advert (``ux_lettings_offer_live``) is
    refused naming the rule, a ref taken by another terminal at the same moment is retried."""
    from duty_tui.core.services.refs import REF_RETRIES, next_ref

    session.flush()
    for _attempt in range(REF_RETRIES):
        offer = make(next_ref(session, LettingsOffer.ref, "OF", 6))
        nested = session.begin_nested()
        try:
            session.add(offer)
            session.flush()
        except IntegrityError:
            nested.rollback()
            live = session.execute(select(OFFER.c.ref).where(OFFER.c.advert_id == offer.advert_id,
                                                             OFFER.c.status == "live")).scalar()
            if live is not None:
                raise InputError(f"advert {advert_ref} already has a live offer ({live}); one live offer per home - "
                                 "record the answer to that offer first") from None
            continue
        nested.commit()
        return offer
    raise InputError("could not allocate a new offer reference (another terminal was busy); try again")


def _top_application(ctx: ServiceContext, advert: LettingsAdvert) -> str:
    if advert.direct_match_application_id is not None:
        return ""
    rows = [row for row in shortlist(ctx, advert.ref) if row.place is not None]
    if not rows:
        raise InputError(f"advert {advert.ref} has no eligible bidder left on its shortlist; run the shortlist or "
                         "re-advertise")
    return rows[0].application_ref


def make_offer(ctx: ServiceContext, advert_ref: str, application_ref: str | None = None, *,
               is_final: bool = False) -> str:
    """Offer the home to the top eligible bidder (or the named one, or the direct match); the offer's ref."""
    actor = ctx.require(PERMISSION)
    today = ctx.today()
    policy = policy_on(ctx.settings.data_dir, today)
    with session_scope(ctx.engine) as session:
        advert = advert_by_ref(session, advert_ref)
    target = application_ref or _top_application(ctx, advert)
    with session_scope(ctx.engine, write=True) as session:
        advert = advert_by_ref(session, advert_ref)
        if advert.status in ("let", "withdrawn", "draft"):
            raise InputError(f"advert {advert.ref} is {advert.status}; only an advertised home can be offered")
        if advert.status == "open" and advert.cycle_id is not None:
            advert.status = "closed"  # an offer ends the bidding
        app = (session.get(LettingsApplication, advert.direct_match_application_id) if not target
               else _application_by_ref(session, target))
        assert app is not None
        if app.status != "active":
            raise InputError(f"application {app.ref} is {app.status}; an offer goes only to an active application")
        bid = session.execute(select(LettingsBid).where(BID.c.advert_id == advert.id,
                                                        BID.c.application_id == app.id)).scalar()
        if advert.direct_match_application_id is None and (bid is None or bid.status != "placed"):
            raise InputError(f"{app.ref} has no eligible bid on {advert.ref}; offer to a bidder on the shortlist")
        note = affordability(advert.weekly_rent_pence, app.annual_income_pence, policy).note()
        review_by = today + timedelta(days=s202_days(ctx.settings.data_dir, today)) \
            if is_final and app.homeless_duty else None
        offer = _insert_offer(session, advert.ref, lambda ref: LettingsOffer(
            ref=ref, advert_id=row_id(advert), application_id=row_id(app), bid_id=bid.id if bid else None, offered_on=today,
            respond_by=today + timedelta(days=policy.respond_days), is_final=is_final, review_by=review_by,
            affordability_note=note[:200], created_by=actor.id, created_at=ctx.now()))
        if bid is not None:
            bid.status = "offered"
        advert.status = "offered"
        advert.version += 1
        audit.record(session, ctx, "lettings.offer_made", "lettings_offer", offer.id,
                     {"ref": offer.ref, "advert": advert.ref, "application": app.ref, "final": is_final,
                      "review_by": review_by.isoformat() if review_by else None})
        return offer.ref


def book_viewing(ctx: ServiceContext, offer_ref: str, starts_at: datetime, note: str | None = None) -> int:
    """Book a viewing appointment for a live offer; the viewing's id."""
    actor = ctx.require(PERMISSION)
    with session_scope(ctx.engine, write=True) as session:
        offer = offer_by_ref(session, offer_ref)
        if offer.status not in ("live", "accepted"):
            raise InputError(f"offer {offer.ref} is {offer.status}; a viewing is booked for a live offer")
        viewing = LettingsViewing(offer_id=row_id(offer), starts_at=starts_at, officer_id=actor.id, note=note or None)
        session.add(viewing)
        session.flush()
        audit.record(session, ctx, "lettings.viewing_booked", "lettings_viewing", viewing.id,
                     {"offer": offer.ref, "starts_at": starts_at.isoformat()})
        assert viewing.id is not None
        return viewing.id


def accept_offer(ctx: ServiceContext, offer_ref: str) -> None:
    """Record the applicant's acceptance of a live offer (sign-up follows)."""
    actor = ctx.require(PERMISSION)
    with session_scope(ctx.engine, write=True) as session:
        offer = offer_by_ref(session, offer_ref)
        if offer.status != "live":
            raise InputError(f"offer {offer.ref} is {offer.status}; only a live offer can be accepted")
        offer.status, offer.decided_by, offer.decided_at = "accepted", actor.id, ctx.now()
        offer.version += 1
        audit.record(session, ctx, "lettings.offer_accepted", "lettings_offer", offer.id, {"ref": offer.ref})


@dataclass(frozen=True)
class Refusal:
    offer_ref: str
    reasonable: bool
    unreasonable_refusals: int
    suspended: bool
    message: str


def refuse_offer(ctx: ServiceContext, offer_ref: str, reason: str, *, reasonable: bool) -> Refusal:
    """Record a refusal with its reason, judged reasonable or not, and the policy's consequence."""
    actor = ctx.require(PERMISSION)
    text = " ".join((reason or "").split())
    if not text or len(text) > 200:
        raise InputError("give the applicant's reason for refusing (1-200 characters)")
    policy = policy_on(ctx.settings.data_dir, ctx.today())
    with session_scope(ctx.engine, write=True) as session:
        offer = offer_by_ref(session, offer_ref)
        if offer.status != "live":
            raise InputError(f"offer {offer.ref} is {offer.status}; only a live offer can be refused")
        offer.status, offer.refusal_reason, offer.refusal_reasonable = "refused", text, reasonable
        offer.decided_by, offer.decided_at = actor.id, ctx.now()
        offer.version += 1
        if offer.bid_id is not None:
            bid = session.get(LettingsBid, offer.bid_id)
            assert bid is not None
            bid.status = "refused"
        advert = session.get(LettingsAdvert, offer.advert_id)
        assert advert is not None
        advert.status = "closed"
        app = session.get(LettingsApplication, offer.application_id)
        assert app is not None
        suspended = False
        if not reasonable:
            app.unreasonable_refusals += 1
            if suspends(app.unreasonable_refusals, policy) and app.status == "active":
                app.status, suspended = "suspended", True
                app.status_reason = f"{app.unreasonable_refusals} unreasonable refusals ({policy.source})"[:200]
            app.version += 1
        audit.record(session, ctx, "lettings.offer_refused", "lettings_offer", offer.id,
                     {"ref": offer.ref, "reasonable": reasonable, "suspended": suspended})
        message = (f"{offer.ref} refused ({'reasonable' if reasonable else 'unreasonable'}); "
                   f"{app.ref} has {app.unreasonable_refusals} unreasonable refusal(s)"
                   + (f" and is suspended (limit {policy.unreasonable_refusals_limit})" if suspended else ""))
        return Refusal(offer.ref, reasonable, app.unreasonable_refusals, suspended, message)


@dataclass(frozen=True)
class OfferRow:
    ref: str
    application_ref: str
    status: str
    offered_on: date
    respond_by: date | None
    is_final: bool
    review_by: date | None
    affordability_note: str | None
    viewings: tuple[datetime, ...]


def offers_for(ctx: ServiceContext, advert_ref: str) -> list[OfferRow]:
    """An advert's offers, newest first, with their viewings."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine) as session:
        advert = advert_by_ref(session, advert_ref)
        rows = session.execute(select(LettingsOffer, table_of(LettingsApplication).c.ref)
                               .join(LettingsApplication, table_of(LettingsApplication).c.id == OFFER.c.application_id)
                               .where(OFFER.c.advert_id == advert.id).order_by(OFFER.c.id.desc())).all()
        viewing = table_of(LettingsViewing)
        result = []
        for offer, app_ref in rows:
            times = tuple(session.execute(select(viewing.c.starts_at).where(viewing.c.offer_id == offer.id)
                                          .order_by(viewing.c.starts_at)).scalars())
            result.append(OfferRow(offer.ref, app_ref, offer.status, offer.offered_on, offer.respond_by,
                                   offer.is_final, offer.review_by, offer.affordability_note, times))
    return result


def offer_letter_lines(ctx: ServiceContext, offer_ref: str) -> list[str]:
    """The offer letter from ``data/lettings/letters/offer.txt``; the s202 review paragraph only on a final
    offer to a homeless applicant (the offer's ``review_by``)."""
    from pathlib import Path

    from duty_tui.core.config.reference import area_file
    from duty_tui.core.db.models import Person, Property

    ctx.require(PERMISSION)
    with session_scope(ctx.engine) as session:
        offer = offer_by_ref(session, offer_ref)
        advert = session.get(LettingsAdvert, offer.advert_id)
        app = session.get(LettingsApplication, offer.application_id)
        assert advert is not None and app is not None
        home, person = session.get(Property, advert.property_id), session.get(Person, app.person_id)
        assert home is not None and person is not None
    audit.record_read(ctx, "lettings.offer_letter", "lettings_offer", offer.id, {"ref": offer.ref})
    values = {"offer_ref": offer.ref, "applicant": f"{person.forename} {person.surname}", "application_ref": app.ref,
              "offered_on": f"{offer.offered_on:%d/%m/%Y}", "address": f"{home.address_line1}, {home.town} {home.postcode}",
              "bedrooms": home.bedrooms, "weekly": f"£{advert.weekly_rent_pence / 100:,.2f}",
              "respond_by": f"{offer.respond_by:%d/%m/%Y}" if offer.respond_by else "the date we gave you",
              "final_line": "This is a final offer." if offer.is_final else "",
              "review_by": f"{offer.review_by:%d/%m/%Y}" if offer.review_by else ""}
    lines: list[str] = []
    in_s202 = False
    template = area_file(Path(ctx.settings.data_dir), "lettings", "letters", "offer.txt").read_text(encoding="utf-8")
    for line in template.splitlines():
        if line.startswith("#"):
            continue
        if line in ("[s202]", "[/s202]"):
            in_s202 = line == "[s202]"
            continue
        if in_s202 and offer.review_by is None:
            continue
        lines.append(line.format(**values))
    return lines
