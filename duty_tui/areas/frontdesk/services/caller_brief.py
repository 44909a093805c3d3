"""The caller chosen on the contact form: cautionary alerts first, then their home, open cases and last
contact — enough to be sure it is the right person. Reading it is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from duty_tui.areas.frontdesk.services.common import OPEN_STATUSES, fd_reference, person_by_ref
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Alert, Case, Contact, HouseholdMember, Person, Property, Team, Tenancy
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.people import RESTRICTED_PLACEHOLDER, AlertView


@dataclass(frozen=True)
class OpenCaseLine:
    """An open case the contact could be added to."""

    ref: str
    case_type: str
    summary: str
    team: str | None


@dataclass(frozen=True)
class CallerBrief:
    """A selected caller: alerts first, then enough to be sure it is the right person."""

    ref: str
    name: str
    born: int | None
    address: str | None
    tenancy_ref: str | None
    alerts: list[AlertView]
    open_cases: list[OpenCaseLine]
    language: str | None
    interpreter_needed: bool
    last_contact: str | None


def current_home(session: Session, person_id: int | None) -> tuple[Tenancy | None, Property | None, int | None]:
    membership = session.exec(select(HouseholdMember.household_id).where(
        HouseholdMember.person_id == person_id, col(HouseholdMember.left_on).is_(None))).first()
    if membership is None:
        return None, None, None
    tenancy = session.exec(select(Tenancy).where(Tenancy.household_id == membership)
                           .order_by(col(Tenancy.status) != "current", col(Tenancy.start_date).desc())).first()
    prop = session.get(Property, tenancy.property_id) if tenancy else None
    return tenancy, prop, membership


def alerts_for(session: Session, ctx: ServiceContext, person: Person, property_id: int | None) -> list[AlertView]:
    """The person's (and their home's) active alerts, restricted detail hidden from roles that may not see it."""
    restricted_ok = ctx.can("alert.view_restricted")
    where = Alert.person_id == person.id
    if property_id is not None:
        where = where | (Alert.property_id == property_id)
    categories = ctx.reference.alert_categories
    return [
        AlertView(category=a.category,
                  category_name=categories[a.category].name if a.category in categories else a.category,
                  summary=a.summary, detail=a.detail if (restricted_ok or not a.restricted) else RESTRICTED_PLACEHOLDER,
                  restricted=a.restricted, raised_on=a.raised_on,
                  on="person" if a.person_id == person.id else "property")
        for a in session.exec(select(Alert).where(where, col(Alert.active).is_(True))
                              .order_by(col(Alert.raised_on).desc())).all()
    ]


def caller_brief(ctx: ServiceContext, ref: str) -> CallerBrief:
    """The person chosen as the caller: cautionary alerts first, open cases, last contact. Audited."""
    ctx.require("contact.log")
    with session_scope(ctx.engine, write=True) as session:
        person = person_by_ref(session, ref)
        assert person is not None
        tenancy, prop, household_id = current_home(session, person.id)
        alerts = alerts_for(session, ctx, person, prop.id if prop else None)
        case_filter = Case.person_id == person.id
        if household_id is not None:
            case_filter = case_filter | (Case.household_id == household_id)
        cases = session.exec(select(Case.ref, Case.case_type, Case.summary, Team.name)
                             .join(Team, col(Team.id) == Case.team_id, isouter=True)
                             .where(case_filter, col(Case.status).in_(OPEN_STATUSES))
                             .order_by(col(Case.due_at)).limit(20)).all()
        last = session.exec(select(Contact.at, Contact.channel, Contact.reason).where(Contact.person_id == person.id)
                            .order_by(col(Contact.at).desc()).limit(1)).first()
        audit.record(session, ctx, "contact.caller", "person", person.ref, {"alerts": len(alerts)})
    fdref = fd_reference(ctx)
    last_text = None
    if last is not None:
        channel = fdref.channels[last[1]].name if last[1] in fdref.channels else last[1]  # words, not the code
        last_text = f"{format_local(last[0])} {channel}: {fdref.reason_label(last[2])}"
    address = None
    if prop is not None:
        address = ", ".join(x for x in (prop.address_line1, prop.town, prop.postcode) if x)
    return CallerBrief(ref=person.ref, name=f"{person.forename} {person.surname}",
                       born=person.date_of_birth.year if person.date_of_birth else None, address=address,
                       tenancy_ref=tenancy.ref if tenancy else None, alerts=alerts,
                       open_cases=[OpenCaseLine(*row) for row in cases], language=person.language,
                       interpreter_needed=person.interpreter_needed, last_contact=last_text)


__all__ = ["CallerBrief", "OpenCaseLine", "alerts_for", "caller_brief", "current_home"]
