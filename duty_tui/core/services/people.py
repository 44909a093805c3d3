"""The person / household view: identity, household, tenancy, balances, alerts, history.

Opening a record is audited. Details a role may not see arrive already masked,
so no screen can leak them by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import (
    Account,
    AccountBalance,
    Alert,
    Case,
    Contact,
    Household,
    HouseholdMember,
    Person,
    Property,
    StaffUser,
    Team,
    Tenancy,
)
from duty_tui.core.domain.errors import NotFound
from duty_tui.core.domain.masking import age_on, mask_date_of_birth, mask_ni_number, mask_phone
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

RESTRICTED_PLACEHOLDER = "Restricted — detail visible to options officers and team leaders only"


@dataclass(frozen=True)
class AlertView:
    """A cautionary alert as this user may see it."""

    category: str
    category_name: str
    summary: str
    detail: str | None
    restricted: bool
    raised_on: date
    on: str  # "person" or "property"


@dataclass(frozen=True)
class MemberView:
    """A household member."""

    ref: str
    name: str
    relationship: str
    age: int | None
    is_lead: bool


@dataclass(frozen=True)
class AccountView:
    """An account and its balance (pence, positive = owed)."""

    ref: str
    account_type: str
    balance_pence: int
    last_payment_on: date | None
    closed: bool
    weekly_charges_pence: int | None = None
    """A rent account's weekly charges in force today (the rents area's hook ``account.weekly_charges``);
    None for other accounts or a build without rents."""


@dataclass(frozen=True)
class CaseView:
    """An open case, for the person view and the queues."""

    ref: str
    case_type: str
    status: str
    team: str | None
    assignee: str | None
    summary: str
    priority: str
    opened_at: datetime
    due_at: datetime | None
    person_ref: str | None = None
    person_name: str | None = None


@dataclass(frozen=True)
class ContactView:
    """A logged contact, its channel, reason and outcome in words (Enter on it opens it by ``id``)."""

    at: datetime
    channel: str
    reason: str
    outcome: str | None
    staff: str | None
    notes: str | None
    id: int | None = None


@dataclass(frozen=True)
class TenancyView:
    """The household's tenancy and property."""

    ref: str
    tenancy_type: str
    status: str
    start_date: date
    end_date: date | None
    weekly_rent_pence: int
    property_ref: str
    address: str
    postcode: str
    property_type: str
    bedrooms: int


@dataclass(frozen=True)
class PersonView:
    """Everything the person screen shows, already filtered for the viewer's role."""

    ref: str
    title: str | None
    name: str
    preferred_name: str | None
    date_of_birth: str
    age: int | None
    ni_number: str
    phone_main: str
    phone_alt: str
    email: str
    preferred_contact: str | None
    language: str | None
    interpreter_needed: bool
    sensitive_visible: bool
    household_ref: str | None
    members: list[MemberView] = field(default_factory=list)
    tenancy: TenancyView | None = None
    accounts: list[AccountView] = field(default_factory=list)
    alerts: list[AlertView] = field(default_factory=list)
    contacts: list[ContactView] = field(default_factory=list)
    cases: list[CaseView] = field(default_factory=list)

    @property
    def total_owed_pence(self) -> int:
        """Sum of balances on open accounts."""
        return sum(a.balance_pence for a in self.accounts if not a.closed)


@dataclass(frozen=True)
class _ContactWords:
    """Contact codes as staff read them (data/frontdesk/frontdesk.toml, data/frontdesk/contact_reasons.toml)."""

    channels: dict[str, str]
    reasons: dict[str, str]
    outcomes: dict[str, str]

    def channel(self, code: str) -> str:
        return self.channels.get(code, code)

    def reason(self, code: str) -> str:
        return self.reasons.get(code, code)

    def outcome(self, code: str | None) -> str | None:
        return self.outcomes.get(code, code) if code else code


def _contact_words(ctx: ServiceContext) -> _ContactWords:
    """The words for contacts' channel, reason and outcome codes: the front desk's (hook
    "person.contact_words"), else the codes themselves in a build without it."""
    from duty_tui.core import registry

    words = registry.hook("person.contact_words")
    return _ContactWords(*words(ctx)) if words is not None else _ContactWords({}, {}, {})


def _case_views(session, cases: list[Case]) -> list[CaseView]:
    team_ids = {c.team_id for c in cases if c.team_id}
    user_ids = {c.assignee_id for c in cases if c.assignee_id}
    teams = {t.id: t.name for t in session.exec(select(Team).where(col(Team.id).in_(team_ids))).all()} if team_ids else {}
    users = ({u.id: u.display_name for u in session.exec(select(StaffUser).where(col(StaffUser.id).in_(user_ids))).all()}
             if user_ids else {})
    return [CaseView(ref=c.ref, case_type=c.case_type, status=c.status, team=teams.get(c.team_id),
                     assignee=users.get(c.assignee_id), summary=c.summary, priority=c.priority,
                     opened_at=c.opened_at, due_at=c.due_at) for c in cases]


@dataclass
class _Home:
    """The person's current household as the view shows it, and the ids its other parts are found by."""

    household: Household | None = None
    members: list[MemberView] = field(default_factory=list)
    tenancy: TenancyView | None = None
    property_ids: list[int] = field(default_factory=list)
    tenancy_ids: list[int] = field(default_factory=list)


def get_person(ctx: ServiceContext, ref: str, *, contacts_limit: int = 15) -> PersonView:
    """The person view for ``ref``; audited as a view of personal data.

    One read transaction: the person, their household and tenancy, accounts, alerts, recent
    contacts and open cases, each read by a step named for it; then the audit event in a short
    write transaction of its own, before the view is returned (docs/AUDIT.md: reads read).
    """
    ctx.require("person.view")
    sensitive = ctx.can("person.view_sensitive")
    restricted_ok = ctx.can("alert.view_restricted")
    today = ctx.today()
    with session_scope(ctx.engine) as session:
        person = _find_person(session, ref)
        home = _home_of(session, person, today)
        accounts = _account_views(session, person, home.tenancy_ids, ctx.settings.data_dir, today)
        alerts = _alert_views(session, ctx, person, home.property_ids, restricted_ok)
        contacts = _contact_views(session, ctx, person, contacts_limit)
        cases = _case_views(session, _open_cases(session, person, home.household))
        view = _person_view(person, home, sensitive, today, accounts=accounts, alerts=alerts, contacts=contacts,
                            cases=cases)
    audit.record_read(ctx, "person.view", "person", view.ref,
                      {"sensitive": sensitive, "restricted_alerts": restricted_ok and any(a.restricted for a in alerts)})
    return view


def _find_person(session: Session, ref: str) -> Person:
    """The person with this ref; NotFound says how else to look."""
    person = session.exec(select(Person).where(Person.ref == ref.strip().upper())).first()
    if person is None:
        raise NotFound(f"no person with ref {ref!r}; search by name, address or phone instead")
    return person


def _home_of(session: Session, person: Person, today: date) -> _Home:
    """The household the person lives in now: its members (lead first), its tenancies' ids and the
    current (else latest) tenancy with its property."""
    membership = session.exec(
        select(HouseholdMember).where(HouseholdMember.person_id == person.id, col(HouseholdMember.left_on).is_(None))
    ).first()
    household = session.get(Household, membership.household_id) if membership else None
    home = _Home(household)
    if household is None:
        return home
    rows = session.exec(
        select(HouseholdMember, Person).join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.household_id == household.id, col(HouseholdMember.left_on).is_(None))
        .order_by(col(HouseholdMember.is_lead).desc(), col(Person.date_of_birth))
    ).all()
    home.members = [MemberView(p.ref, f"{p.forename} {p.surname}", m.relationship, age_on(p.date_of_birth, today),
                               m.is_lead) for m, p in rows]
    tenancies = session.exec(
        select(Tenancy).where(Tenancy.household_id == household.id).order_by(col(Tenancy.start_date).desc())
    ).all()
    home.tenancy_ids = [t.id for t in tenancies]
    current = next((t for t in tenancies if t.status == "current"), tenancies[0] if tenancies else None)
    if current is not None:
        prop = session.get(Property, current.property_id)
        home.property_ids.append(prop.id)
        address = ", ".join(x for x in (prop.address_line1, prop.address_line2, prop.town) if x)
        home.tenancy = TenancyView(current.ref, current.tenancy_type, current.status, current.start_date,
                                   current.end_date, current.weekly_rent_pence, prop.ref, address,
                                   prop.postcode, prop.property_type, prop.bedrooms)
    elif household.property_id:
        home.property_ids.append(household.property_id)
    return home


def _account_views(session: Session, person: Person, tenancy_ids: list[int], data_dir: Path,
                   today: date) -> list[AccountView]:
    """The person's accounts and their household's tenancies', with balances and the last payment date."""
    account_filter = col(Account.person_id) == person.id
    if tenancy_ids:
        account_filter = account_filter | col(Account.tenancy_id).in_(tenancy_ids)
    rows = session.exec(select(Account, col(AccountBalance.balance_pence), col(AccountBalance.last_payment_on))
                        .join(AccountBalance, col(AccountBalance.account_id) == Account.id, isouter=True)
                        .where(account_filter).order_by(Account.ref)).all()
    # Kept by the database as rows are posted (duty_tui.core.db.kept_balance): no sum over the ledger here.
    from duty_tui.core import registry

    weekly_charges = registry.hook("account.weekly_charges")  # the rents area's, when this build has it
    charges: dict[int, int] = {}
    if weekly_charges is not None and rows:
        charges = weekly_charges(session.connection(), data_dir, [a.id for a, _, _ in rows], today)
    return [AccountView(a.ref, a.account_type, int(balance or 0), last_paid, a.closed_on is not None,
                        charges.get(a.id) if a.id is not None else None)
            for a, balance, last_paid in rows]


def _alert_views(session: Session, ctx: ServiceContext, person: Person, property_ids: list[int],
                 restricted_ok: bool) -> list[AlertView]:
    """Active alerts on the person and their home, newest first; restricted detail hidden unless allowed."""
    alert_filter = col(Alert.person_id) == person.id
    if property_ids:
        alert_filter = alert_filter | col(Alert.property_id).in_(property_ids)
    categories = ctx.reference.alert_categories
    return [
        AlertView(
            category=a.category,
            category_name=categories[a.category].name if a.category in categories else a.category,
            summary=a.summary,
            detail=(a.detail if (restricted_ok or not a.restricted) else RESTRICTED_PLACEHOLDER),
            restricted=a.restricted,
            raised_on=a.raised_on,
            on="person" if a.person_id == person.id else "property",
        )
        for a in session.exec(select(Alert).where(alert_filter, col(Alert.active).is_(True))
                              .order_by(col(Alert.raised_on).desc())).all()
    ]


def _contact_views(session: Session, ctx: ServiceContext, person: Person, limit: int) -> list[ContactView]:
    """The person's latest contacts, newest first, their codes in words."""
    contact_rows = session.exec(
        select(Contact, StaffUser.display_name).join(StaffUser, StaffUser.id == Contact.staff_id, isouter=True)
        .where(Contact.person_id == person.id).order_by(col(Contact.at).desc()).limit(limit)
    ).all()
    words = _contact_words(ctx)
    return [ContactView(c.at, words.channel(c.channel), words.reason(c.reason), words.outcome(c.outcome),
                        staff, c.notes, c.id) for c, staff in contact_rows]


def _open_cases(session: Session, person: Person, household: Household | None) -> list[Case]:
    """The open cases of the person or their household, soonest due first."""
    case_filter = Case.person_id == person.id
    if household is not None:
        case_filter = case_filter | (Case.household_id == household.id)
    return list(session.exec(
        select(Case).where(case_filter, col(Case.closed_at).is_(None)).order_by(Case.due_at)
    ).all())


def _person_view(person: Person, home: _Home, sensitive: bool, today: date, *, accounts: list[AccountView],
                 alerts: list[AlertView], contacts: list[ContactView], cases: list[CaseView]) -> PersonView:
    """The view itself: identity details masked unless the viewer may see them."""
    return PersonView(
        ref=person.ref,
        title=person.title,
        name=" ".join(x for x in (person.forename, person.middle_names, person.surname) if x),
        preferred_name=person.preferred_name,
        date_of_birth=(person.date_of_birth.strftime("%d/%m/%Y") if person.date_of_birth else "—")
        if sensitive else mask_date_of_birth(person.date_of_birth),
        age=age_on(person.date_of_birth, today),
        ni_number=(person.ni_number or "—") if sensitive else mask_ni_number(person.ni_number),
        phone_main=(person.phone_main or "—") if sensitive else mask_phone(person.phone_main),
        phone_alt=(person.phone_alt or "—") if sensitive else mask_phone(person.phone_alt),
        email=person.email or "—",
        preferred_contact=person.preferred_contact,
        language=person.language,
        interpreter_needed=person.interpreter_needed,
        sensitive_visible=sensitive,
        household_ref=home.household.ref if home.household else None,
        members=home.members,
        tenancy=home.tenancy,
        accounts=accounts,
        alerts=alerts,
        contacts=contacts,
        cases=cases,
    )
