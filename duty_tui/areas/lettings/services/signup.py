"""Sign-up (docs/LETTINGS_LETTING.md): the appointment, the tenancy pack (text or PDF from
``data/lettings/letters/tenancy_pack.txt``), and completing it: the tenancy and its rent account
created with the start date, the void closed (let_on, new_tenancy_id) with its re-let time, the bid
and application housed and the advert let - all in one transaction, once per offer (UNIQUE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from duty_tui.areas.lettings.db.models import (
    LettingsAdvert,
    LettingsApplication,
    LettingsBid,
    LettingsOffer,
    LettingsSignup,
    LettingsVoid,
)
from duty_tui.areas.lettings.domain.homes import policy_on, relet_days
from duty_tui.areas.lettings.services.homes import PERMISSION, row_id
from duty_tui.areas.lettings.services.offers import offer_by_ref
from duty_tui.core.config.reference import area_file
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, Household, Person, Property, Tenancy, table_of
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.refs import insert_with_ref

SIGNUP = table_of(LettingsSignup)
TENANCY_TYPES = ("introductory", "starter", "secure", "assured", "assured_shorthold", "flexible", "scottish_secure")


def _signup_of(session: Any, offer: LettingsOffer) -> LettingsSignup | None:
    return session.execute(select(LettingsSignup).where(SIGNUP.c.offer_id == offer.id)).scalar()


def book_signup(ctx: ServiceContext, offer_ref: str, appointment_at: datetime) -> None:
    """Book (or move) the sign-up appointment of an accepted offer."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine, write=True) as session:
        offer = offer_by_ref(session, offer_ref)
        if offer.status != "accepted":
            raise InputError(f"offer {offer.ref} is {offer.status}; a sign-up follows an accepted offer")
        signup = _signup_of(session, offer) or LettingsSignup(offer_id=row_id(offer))
        if signup.tenancy_id is not None:
            raise InputError(f"offer {offer.ref} is already signed up; the tenancy exists")
        signup.appointment_at = appointment_at
        session.add(signup)
        session.flush()
        audit.record(session, ctx, "lettings.signup_booked", "lettings_signup", signup.id,
                     {"offer": offer.ref, "at": appointment_at.isoformat()})


@dataclass(frozen=True)
class SignedUp:
    tenancy_ref: str
    account_ref: str
    start: date
    relet_days: int | None
    """None when the void's type is excluded from the re-let measure."""


def _lead_name(session: Any, app: LettingsApplication) -> str:
    person = session.get(Person, app.person_id)
    assert person is not None
    return f"{person.forename} {person.surname}"


def complete_signup(ctx: ServiceContext, offer_ref: str, start: date, tenancy_type: str = "introductory") -> SignedUp:
    """Create the tenancy and its rent account, close the void with its re-let time, mark the applicant housed."""
    actor = ctx.require(PERMISSION)
    if tenancy_type not in TENANCY_TYPES:
        raise InputError(f"tenancy type {tenancy_type!r}: choose one of {', '.join(TENANCY_TYPES)}")
    policy = policy_on(ctx.settings.data_dir, start)
    with session_scope(ctx.engine, write=True) as session:
        offer = offer_by_ref(session, offer_ref)
        if offer.status != "accepted":
            raise InputError(f"offer {offer.ref} is {offer.status}; record the acceptance before the sign-up")
        advert = session.get(LettingsAdvert, offer.advert_id)
        app = session.get(LettingsApplication, offer.application_id)
        assert advert is not None and app is not None
        void = session.get(LettingsVoid, advert.void_id)
        assert void is not None
        if start < void.tenancy_ended_on:
            raise InputError(f"the tenancy cannot start {start:%d/%m/%Y}, before the last one ended "
                             f"{void.tenancy_ended_on:%d/%m/%Y}")
        if void.let_on is not None:
            raise InputError(f"the home was already let on {void.let_on:%d/%m/%Y}")
        claimed = session.connection().execute(update(LettingsOffer).where(table_of(LettingsOffer).c.id == offer.id,
                                                              table_of(LettingsOffer).c.version == offer.version)
                                  .values(version=offer.version + 1).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            raise InputError(f"offer {offer.ref} was changed at another terminal just now; look again before signing up")
        tenancy = insert_with_ref(session, lambda ref: Tenancy(
            ref=ref, property_id=advert.property_id, household_id=app.household_id, tenancy_type=tenancy_type,
            start_date=start, weekly_rent_pence=advert.weekly_rent_pence), Tenancy.ref, "T", 5)
        account = insert_with_ref(session, lambda ref: Account(
            ref=ref, account_type="rent", tenancy_id=tenancy.id, person_id=app.person_id,
            holder_name=_lead_name(session, app)[:120], opened_on=start), Account.ref, "RNT", 6)
        signup = _signup_of(session, offer) or LettingsSignup(offer_id=row_id(offer))
        if signup.tenancy_id is not None:
            raise InputError(f"offer {offer.ref} is already signed up")
        signup.tenancy_id, signup.tenancy_start = tenancy.id, start
        signup.signed_by, signup.signed_at = actor.id, ctx.now()
        session.add(signup)
        void.let_on, void.new_tenancy_id = start, tenancy.id
        void.version += 1
        days = relet_days(void.void_type, void.tenancy_ended_on, start, policy)
        app.status, app.status_reason = "housed", f"housed at {advert.ref} from {start:%d/%m/%Y}"
        app.version += 1
        advert.status = "let"
        if offer.bid_id is not None:
            bid = session.get(LettingsBid, offer.bid_id)
            assert bid is not None
            bid.status = "housed"
        household = session.get(Household, app.household_id)
        home = session.get(Property, advert.property_id)
        assert household is not None and home is not None
        household.property_id, home.status = home.id, "let"
        audit.record(session, ctx, "lettings.signed_up", "tenancy", tenancy.id,
                     {"offer": offer.ref, "tenancy": tenancy.ref, "account": account.ref, "relet_days": days})
        return SignedUp(tenancy.ref, account.ref, start, days)


def tenancy_pack_lines(ctx: ServiceContext, offer_ref: str) -> list[str]:
    """The tenancy pack of a signed-up offer, as lines from the letter in data."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine) as session:
        offer = offer_by_ref(session, offer_ref)
        signup = _signup_of(session, offer)
        if signup is None or signup.tenancy_id is None:
            raise InputError(f"offer {offer.ref} is not signed up yet; complete the sign-up first")
        tenancy = session.get(Tenancy, signup.tenancy_id)
        app = session.get(LettingsApplication, offer.application_id)
        assert tenancy is not None and app is not None
        home = session.get(Property, tenancy.property_id)
        account = session.execute(select(Account).where(table_of(Account).c.tenancy_id == tenancy.id)).scalar()
        assert home is not None and account is not None
        values = {"tenancy_ref": tenancy.ref, "tenant": _lead_name(session, app),
                  "address": f"{home.address_line1}, {home.town} {home.postcode}", "tenancy_type": tenancy.tenancy_type,
                  "start": f"{tenancy.start_date:%d/%m/%Y}", "landlord": "the council (as named in the agreement)",
                  "weekly": f"£{tenancy.weekly_rent_pence / 100:,.2f}", "account_ref": account.ref,
                  "first_payment": f"£{tenancy.weekly_rent_pence / 100:,.2f}"}
    audit.record_read(ctx, "lettings.pack_produced", "tenancy", tenancy.id, {"offer": offer.ref})
    template = area_file(Path(ctx.settings.data_dir), "lettings", "letters", "tenancy_pack.txt").read_text()
    return [line.format(**values) for line in template.splitlines() if not line.startswith("#")]


def tenancy_pack_pdf(ctx: ServiceContext, offer_ref: str) -> bytes:
    """The tenancy pack as a PDF (duty_tui/core/services/pdf.py)."""
    from duty_tui.core.services.pdf import text_pdf

    lines = tenancy_pack_lines(ctx, offer_ref)
    return text_pdf(lines[0] if lines else "Tenancy pack", lines)
