"""Logging contacts: who called, why, what happened — and everything that follows from it.

``log_contact`` is one transaction: the contact and its reasons; a quick-created person;
cases opened (or added to) for the teams that must act, with their clocks running from the
moment of contact (complaints, repairs and Awaab's Law hazards included); a safeguarding
concern's urgent same-day case for the safeguarding lead; a callback or appointment; the
reception visit it came from. ``check_identity`` compares what a caller says with the record
(a yes/no, audited) and only then discloses account balances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from duty_tui.areas.frontdesk.db.models import ContactReason, FollowUp, ReceptionVisit, SafeguardingConcern
from duty_tui.areas.frontdesk.domain import rules
from duty_tui.areas.frontdesk.domain.reference import ReasonDef
from duty_tui.areas.frontdesk.domain.rules import ContactFacts, IdentityRecord, deadline_at
from duty_tui.areas.frontdesk.services.common import (
    OPEN_STATUSES,
    actor_id,
    add_event,
    calendar_for,
    fd_reference,
    insert_with_ref,
    person_by_ref,
    staff_by_username,
    team_by_code,
)
from duty_tui.areas.frontdesk.services.routing import StaffChoice, open_case, reason_clock
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import (
    Account,
    Alert,
    AuditEvent,
    Case,
    Contact,
    HouseholdMember,
    LedgerEntry,
    Person,
    Property,
    StaffUser,
    Team,
    Tenancy,
)
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.domain.local_time import display_date, format_local
from duty_tui.core.domain.search_keys import fold, phone_key, sound
from duty_tui.core.domain.validators import clean_phone, parse_date_of_birth, text_problem
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case, record_changed
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.people import RESTRICTED_PLACEHOLDER, AlertView

CONTACT_CHANNEL = "contacts"
MAX_FAILED_CHECKS = 3
"""Failed identity checks on one person by one member of staff within FAILED_CHECK_WINDOW before refusing more."""
FAILED_CHECK_WINDOW = timedelta(minutes=15)
SPECIAL_INTAKES = ("complaint", "service_request", "repair", "damp_mould", "emergency_hazard", "safeguarding_child",
                   "safeguarding_adult", "homeless_tonight")


# --- what the form offers ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonChoice:
    """A reason as the form lists it."""

    code: str
    label: str
    needs_identity_check: bool
    team: str
    intake: str
    routes: bool
    keywords: tuple[str, ...]
    case_type: str = "enquiry"
    priority: str = "normal"


@dataclass(frozen=True)
class AgencyChoice:
    """An agency to signpost to."""

    code: str
    name: str
    phone: str
    web: str
    helps_with: str


@dataclass(frozen=True)
class ContactForm:
    """Everything the contact form offers, from data/ and the staff list."""

    channels: list[tuple[str, str]]
    reasons: list[ReasonChoice]
    outcomes: list[tuple[str, str]]
    agencies: list[AgencyChoice]
    teams: list[tuple[str, str]]
    staff: list[StaffChoice]
    repair_priorities: list[tuple[str, str]]
    identity_methods: list[tuple[str, str]]
    notes_max: int
    jurisdiction: str
    repair_danger: tuple = ()  # domain.repair_danger.DangerRule: words that propose a repair priority


def contact_form(ctx: ServiceContext) -> ContactForm:
    """The code lists the contact form needs, from data/ (no database: safe to call while composing).

    The staff list for routing to an officer comes from ``routing.list_staff`` (a database read).
    """
    from duty_tui.areas.frontdesk.services.repairs import priorities_for

    ctx.require("contact.log")
    ref = fd_reference(ctx)
    jurisdiction = ctx.settings.jurisdiction
    return ContactForm(
        channels=[(c.code, c.name) for c in ref.channels.values()],
        reasons=[ReasonChoice(r.code, r.label, r.needs_identity_check, r.team, r.intake, r.routes, r.keywords,
                              r.case_type, r.priority) for r in ref.reasons.values()],
        outcomes=[(o.code, o.name) for o in ref.outcomes.values()],
        agencies=[AgencyChoice(a.code, a.name, a.phone, a.web, a.helps_with) for a in ref.agencies.values()
                  if a.offered_in(jurisdiction)],
        teams=[(t.code, t.name) for t in ctx.reference.teams.values()],
        staff=[],
        repair_priorities=[(p.code, p.name) for p in priorities_for(ctx)],
        identity_methods=list(rules.IDENTITY_METHODS.items()),
        notes_max=ref.policy.notes_max,
        jurisdiction=jurisdiction,
        repair_danger=ref.repair_danger,
    )


def match_reasons(form: ContactForm, query: str) -> list[ReasonChoice]:
    """The form's reasons matching what was typed, best first."""
    by_code = {r.code: r for r in form.reasons}
    return [by_code[c] for c in rules.match_reasons(query, [(r.code, r.label, r.keywords) for r in form.reasons])]


# --- the caller ------------------------------------------------------------------------------------


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


def _current_home(session: Session, person_id: int) -> tuple[Tenancy | None, Property | None, int | None]:
    membership = session.exec(select(HouseholdMember.household_id).where(
        HouseholdMember.person_id == person_id, HouseholdMember.left_on.is_(None))).first()  # type: ignore[union-attr]
    if membership is None:
        return None, None, None
    tenancy = session.exec(select(Tenancy).where(Tenancy.household_id == membership)
                           .order_by(Tenancy.status != "current", Tenancy.start_date.desc())).first()  # type: ignore[attr-defined]
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
        for a in session.exec(select(Alert).where(where, Alert.active.is_(True))  # type: ignore[attr-defined]
                              .order_by(Alert.raised_on.desc())).all()  # type: ignore[attr-defined]
    ]


def caller_brief(ctx: ServiceContext, ref: str) -> CallerBrief:
    """The person chosen as the caller: cautionary alerts first, open cases, last contact. Audited."""
    ctx.require("contact.log")
    with session_scope(ctx.engine, write=True) as session:
        person = person_by_ref(session, ref)
        assert person is not None
        tenancy, prop, household_id = _current_home(session, person.id)
        alerts = alerts_for(session, ctx, person, prop.id if prop else None)
        case_filter = Case.person_id == person.id
        if household_id is not None:
            case_filter = case_filter | (Case.household_id == household_id)
        cases = session.exec(select(Case.ref, Case.case_type, Case.summary, Team.name)
                             .join(Team, Team.id == Case.team_id, isouter=True)
                             .where(case_filter, Case.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
                             .order_by(Case.due_at).limit(20)).all()
        last = session.exec(select(Contact.at, Contact.channel, Contact.reason).where(Contact.person_id == person.id)
                            .order_by(Contact.at.desc()).limit(1)).first()  # type: ignore[attr-defined]
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


# --- the identity check before disclosure ---------------------------------------------------------


@dataclass(frozen=True)
class AccountBalance:
    """An account balance, disclosed only after a passed identity check."""

    ref: str
    account_type: str
    balance_pence: int


@dataclass(frozen=True)
class IdentityResult:
    """The yes/no of an identity check and, when passed, what may now be disclosed."""

    passed: bool
    method: str
    message: str
    accounts: list[AccountBalance] = field(default_factory=list)


def check_identity(ctx: ServiceContext, person_ref: str, method: str, answer: str) -> IdentityResult:
    """Compare what the caller says with the record; audited (method and result, never the answer).

    The record itself is never returned: reception cannot see a full date of birth. After
    three failures in 15 minutes the check refuses further tries for that person.
    """
    actor = ctx.require("contact.log")
    problem = rules.identity_check_problem(method, answer)
    if problem:
        raise InputError(f"identity check: {problem}")
    now = ctx.now()
    with session_scope(ctx.engine, write=True) as session:
        person = person_by_ref(session, person_ref)
        assert person is not None
        failures = session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "contact.identity_check", AuditEvent.entity_id == person.ref,
            AuditEvent.actor == actor.username, AuditEvent.at >= now - FAILED_CHECK_WINDOW,
            AuditEvent.detail.like('%"passed": false%'))).one()  # type: ignore[union-attr]
        if failures >= MAX_FAILED_CHECKS:
            audit.record(session, ctx, "contact.identity_check", "person", person.ref,
                         {"method": method, "passed": False, "refused": True})
            return IdentityResult(False, method, "Too many failed checks for this person in the last 15 minutes: "
                                  "do not disclose anything; offer a call back or a visit with ID.")
        tenancy, prop, household_id = _current_home(session, person.id)
        tenancy_ids = []
        tenancy_refs: list[str] = []
        if household_id is not None:
            for t in session.exec(select(Tenancy).where(Tenancy.household_id == household_id)).all():
                tenancy_ids.append(t.id)
                tenancy_refs.append(t.ref)
        account_filter = Account.person_id == person.id
        if tenancy_ids:
            account_filter = account_filter | Account.tenancy_id.in_(tenancy_ids)  # type: ignore[union-attr]
        accounts = session.exec(select(Account).where(account_filter).order_by(Account.ref)).all()
        record = IdentityRecord(tuple(tenancy_refs), tuple(a.ref for a in accounts), person.date_of_birth,
                                prop.address_line1 if prop else None, prop.postcode if prop else None)
        passed = rules.identity_matches(method, answer, record)
        balances: list[AccountBalance] = []
        if passed and ctx.can("account.view") and accounts:
            sums = dict(session.exec(select(LedgerEntry.account_id, func.coalesce(func.sum(LedgerEntry.amount_pence), 0))
                                     .where(LedgerEntry.account_id.in_([a.id for a in accounts]))  # type: ignore[attr-defined]
                                     .group_by(LedgerEntry.account_id)).all())
            balances = [AccountBalance(a.ref, a.account_type, int(sums.get(a.id, 0))) for a in accounts
                        if a.closed_on is None or sums.get(a.id, 0)]
        audit.record(session, ctx, "contact.identity_check", "person", person.ref,
                     {"method": method, "passed": passed, "disclosed": [b.ref for b in balances]})
    label = rules.IDENTITY_METHODS[method].lower()
    if passed:
        return IdentityResult(True, method, f"Identity confirmed by {label}: account details may be given.", balances)
    return IdentityResult(False, method, f"The {label} given does NOT match: do not disclose account details. "
                          "Try another check, or offer a call back.")


# --- logging a contact -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThirdParty:
    """Someone contacting us on the person's behalf (advocate, agency, councillor, relative)."""

    name: str
    organisation: str = ""
    relationship: str = ""
    phone: str = ""


@dataclass(frozen=True)
class NewPerson:
    """Only what is needed to create a person now; the rest is added later."""

    forename: str
    surname: str
    date_of_birth: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ContactDraft:
    """What the desk typed. Unused parts stay empty."""

    channel: str
    reasons: tuple[str, ...]
    outcome: str
    notes: str = ""
    at: datetime | None = None
    person_ref: str | None = None
    anonymous: bool = False
    third_party: ThirdParty | None = None
    new_person: NewPerson | None = None
    id_check_method: str | None = None
    id_check_result: str | None = None  # "passed" or "failed"
    agency: str = ""
    route_team: str = ""
    route_officer: str = ""
    add_to_case: str = ""
    callback_phone: str = ""
    callback_due: datetime | None = None
    appointment_at: datetime | None = None
    appointment_place: str = ""
    repair_priority: str = ""
    repair_location: str = ""
    safeguarding_subject: str = ""
    visit_id: int | None = None
    # Made once when the form opens: saving again with the same key (Enter twice, or a retry
    # after the database came back) returns the first save instead of posting a second contact.
    save_key: str | None = None


@dataclass(frozen=True)
class CaseOpened:
    """A case the contact opened or was added to."""

    ref: str
    team: str
    opened: bool
    due_at: datetime | None
    clock_name: str | None
    clock_kind: str | None


@dataclass(frozen=True)
class ContactSaved:
    """What saving a contact did."""

    contact_id: int
    at: datetime
    person_ref: str | None
    person_created: bool
    cases: list[CaseOpened]
    follow_up: str | None
    messages: list[str]


def _facts(draft: ContactDraft, at: datetime) -> ContactFacts:
    return ContactFacts(
        channel=draft.channel, at=at, reasons=list(draft.reasons), notes=draft.notes or "", outcome=draft.outcome,
        person_chosen=bool(draft.person_ref), anonymous=draft.anonymous,
        third_party_name=draft.third_party.name if draft.third_party else "",
        new_person_surname=draft.new_person.surname if draft.new_person else "", agency=draft.agency,
        route_team=draft.route_team, callback_phone=draft.callback_phone, appointment_at=draft.appointment_at)


def contact_problems(ctx: ServiceContext, draft: ContactDraft) -> list[str]:
    """Every problem with a draft that needs no database, each saying what to fix (the form shows them inline)."""
    ref = fd_reference(ctx)
    now = ctx.now()
    at = draft.at or now
    problems = rules.contact_problems(_facts(draft, at), now=now, notes_max=ref.policy.notes_max,
                                      backdate_max_days=ref.policy.backdate_max_days, channels=ref.channels,
                                      outcomes=ref.outcomes)
    texts = [("notes", draft.notes), ("repair location", draft.repair_location),
             ("safeguarding: who is at risk", draft.safeguarding_subject), ("appointment place", draft.appointment_place)]
    if draft.third_party is not None:
        texts += [("third party name", draft.third_party.name), ("organisation", draft.third_party.organisation),
                  ("relationship", draft.third_party.relationship)]
    if draft.new_person is not None:
        texts += [("new person: first name", draft.new_person.forename),
                  ("new person: surname", draft.new_person.surname)]
    problems.extend(p for p in (text_problem(label, value) for label, value in texts) if p)
    unknown = [code for code in draft.reasons if code not in ref.reasons]
    if unknown:
        problems.append(f"reason: {', '.join(unknown)} is not in data/frontdesk/contact_reasons.toml; choose from the list")
    if draft.outcome == "signposted" and draft.agency and draft.agency not in ref.agencies:
        problems.append(f"agency: {draft.agency!r} is not in data/frontdesk/agencies.toml; choose from the list")
    if draft.route_team and draft.route_team not in ctx.reference.teams:
        problems.append(f"team: {draft.route_team!r} is not a team; choose from the list")
    if draft.new_person is not None:
        if not draft.new_person.forename.strip() or not draft.new_person.surname.strip():
            problems.append("new person: give at least a first name and a surname")
        if draft.new_person.date_of_birth.strip():
            try:
                parse_date_of_birth(draft.new_person.date_of_birth, ctx.today())
            except ValueError as exc:
                problems.append(f"new person: {exc}")
        if draft.new_person.phone.strip():
            try:
                clean_phone(draft.new_person.phone)
            except ValueError as exc:
                problems.append(f"new person: {exc}")
        if draft.person_ref:
            problems.append("caller: a new person cannot also be an existing one; clear one of them")
    if draft.third_party is not None and not draft.third_party.name.strip():
        problems.append("third party: give the name of the person calling on their behalf")
    if draft.callback_phone.strip():
        try:
            clean_phone(draft.callback_phone)
        except ValueError as exc:
            problems.append(f"callback: {exc}")
    if draft.id_check_result not in (None, "", "passed", "failed"):
        problems.append("identity check: the result is passed or failed")
    reasons = [ref.reasons[c] for c in draft.reasons if c in ref.reasons]
    if any(r.intake.startswith("safeguarding") for r in reasons) and not (
            draft.safeguarding_subject.strip() or draft.person_ref or draft.new_person):
        problems.append("safeguarding: give the name (or a description) of the child or adult at risk")
    return problems


def _quick_create(session: Session, ctx: ServiceContext, new: NewPerson) -> Person:
    born = parse_date_of_birth(new.date_of_birth, ctx.today()) if new.date_of_birth.strip() else None
    phone = clean_phone(new.phone) if new.phone.strip() else None
    forename, surname = new.forename.strip(), new.surname.strip()
    return insert_with_ref(session, lambda ref: Person(
        ref=ref, forename=forename, surname=surname, date_of_birth=born, phone_main=phone,
        phone_main_key=phone_key(phone) if phone else None, surname_key=fold(surname), forename_key=fold(forename),
        surname_sound=sound(surname), forename_sound=sound(forename), created_at=ctx.now()), Person.ref, "P")


def _case_line(session: Session, case: Case, opened: bool) -> CaseOpened:
    team = session.get(Team, case.team_id) if case.team_id else None
    return CaseOpened(case.ref, team.name if team else "—", opened, case.due_at, case.clock_name, case.clock_kind)


def _summary(reason: ReasonDef, draft: ContactDraft, person: Person | None) -> str:
    who = f"{person.forename} {person.surname}" if person else ("anonymous caller" if draft.anonymous else
                                                               (draft.third_party.name if draft.third_party else "caller"))
    first_line = (draft.notes or "").strip().splitlines()[0] if (draft.notes or "").strip() else ""
    text = f"{reason.label} — {who}"
    if first_line:
        text += f": {first_line}"
    return text[:200]


def _raise_safeguarding(session: Session, ctx: ServiceContext, reason: ReasonDef, draft: ContactDraft,
                        person: Person | None, contact: Contact, at: datetime) -> Case:
    """An urgent case for the safeguarding lead, due the same day, and the concern itself."""
    policy = fd_reference(ctx).policy
    lead = session.exec(select(StaffUser).where(StaffUser.username == policy.safeguarding_lead,
                                                StaffUser.active.is_(True))).first() if policy.safeguarding_lead else None  # type: ignore[attr-defined]
    if lead is None:  # no named lead: the safeguarding team's leader
        lead = session.exec(select(StaffUser).join(Team, Team.id == StaffUser.team_id).where(
            Team.code == policy.safeguarding_team, StaffUser.role == "team_leader",
            StaffUser.active.is_(True)).order_by(StaffUser.id)).first()  # type: ignore[arg-type, attr-defined]
    kind = "child" if reason.intake == "safeguarding_child" else "adult"
    subject = draft.safeguarding_subject.strip() or (f"{person.forename} {person.surname}" if person else "")
    due = deadline_at("same_day", 0, ctx.now(), calendar_for(ctx))
    case = open_case(session, ctx, case_type="safeguarding", team_code=policy.safeguarding_team,
                     summary=f"SAFEGUARDING: {'child' if kind == 'child' else 'adult'} at risk — {subject or 'see notes'}",
                     opened_at=at, due_at=due, clock_kind="working_days", clock_name="Safeguarding: same day",
                     priority="urgent", person_id=person.id if person else None,
                     assignee_id=lead.id if lead else None, contact_id=contact.id, detail=draft.notes or None)
    session.add(SafeguardingConcern(case_id=case.id, contact_id=contact.id, kind=kind,
                                    subject_person_id=person.id if person and not draft.safeguarding_subject.strip()
                                    else None, subject_name=subject[:120] or None, details=draft.notes or None,
                                    raised_at=at, raised_by=actor_id(ctx)))
    return case


def _open_for_reason(session: Session, ctx: ServiceContext, reason: ReasonDef, draft: ContactDraft,
                     person: Person | None, contact: Contact, at: datetime, team_code: str,
                     assignee_id: int | None) -> Case:
    """Open the case a reason needs, with its clock (and complaint or repair detail)."""
    from duty_tui.areas.frontdesk.services.complaints import start_complaint
    from duty_tui.areas.frontdesk.services.repairs import start_repair

    due, kind, clock_name = reason_clock(ctx, reason, at)
    case = open_case(session, ctx, case_type=reason.case_type, team_code=team_code, summary=_summary(reason, draft, person),
                     opened_at=at, due_at=due, clock_kind=kind, clock_name=clock_name, priority=reason.priority,
                     person_id=person.id if person else None, assignee_id=assignee_id, contact_id=contact.id,
                     detail=draft.notes or None)
    if reason.intake == "complaint":
        start_complaint(session, ctx, case, at)
    elif reason.intake in ("repair", "damp_mould", "emergency_hazard"):
        start_repair(session, ctx, case, intake=reason.intake, priority_code=draft.repair_priority,
                     location=draft.repair_location, aware_at=at)
    return case


def _open_homelessness_case(session: Session, person: Person | None) -> Case | None:
    if person is None:
        return None
    return session.exec(select(Case).where(Case.person_id == person.id, Case.case_type == "homelessness",
                                           Case.status.in_(OPEN_STATUSES))).first()  # type: ignore[attr-defined]


def _urgent_approach_hook():
    """Housing options' "open an urgent approach in this transaction" (the core hook "contact.urgent_approach":
    f(session, ctx, person_ref, note) -> Case), or None in a build without that area."""
    from duty_tui.core import registry

    return registry.hook("contact.urgent_approach")


@dataclass
class _Saving:
    """One save of a contact as it goes along, inside its one transaction."""

    draft: ContactDraft
    at: datetime
    now: datetime
    reasons: list[ReasonDef]
    person: Person | None = None
    person_created: bool = False
    officer: StaffUser | None = None
    add_to: Case | None = None
    cases: list[tuple[Case, bool]] = field(default_factory=list)
    """(case, opened) — the first is the contact's main case."""
    routed_team: str | None = None
    follow_up_text: str | None = None

    @property
    def primary(self) -> ReasonDef:
        return self.reasons[0]


def log_contact(ctx: ServiceContext, draft: ContactDraft) -> ContactSaved:
    """Save a contact and everything it starts, in one transaction (InputError lists what to fix).

    The permission check comes first; the contact, its reasons, a quick-created person, the cases and
    follow-up it starts (the urgent homelessness case too, when housing options is in this build) and
    the audit event are written together, so a failure part-way saves none of it. Change notices are
    the only thing heard later: ``record_changed`` queues them, and they go out after the commit.
    """
    ctx.require("contact.log")
    problems = contact_problems(ctx, draft)
    if problems:
        raise InputError(problems[0], problems=problems)
    ref = fd_reference(ctx)
    now = ctx.now()
    saving = _Saving(draft, draft.at or now, now, [ref.reasons[c] for c in draft.reasons],
                     routed_team=draft.route_team or None)
    tonight = any(r.intake == "homeless_tonight" for r in saving.reasons)
    urgent_approach = _urgent_approach_hook() if tonight else None
    with session_scope(ctx.engine, write=True) as session:
        if draft.save_key:
            earlier = _already_saved(session, draft.save_key)
            if earlier is not None:
                return earlier
        _find_caller(session, ctx, saving)
        contact = _insert_contact(session, ctx, saving)
        _open_own_cases(session, ctx, saving, contact, housing_present=urgent_approach is not None)
        _route(session, ctx, saving, contact, housing_present=urgent_approach is not None)
        _follow_up(session, ctx, saving, contact)
        if urgent_approach is not None:
            _urgent_approach(session, ctx, urgent_approach, saving, contact)
        _link(session, ctx, saving, contact)
        case_lines = [_case_line(session, case, opened) for case, opened in saving.cases]
        person = saving.person
        audit.record(session, ctx, "contact.log", "contact", contact.id, {
            "person": person.ref if person else None, "created_person": saving.person_created,
            "channel": draft.channel, "reasons": list(draft.reasons), "outcome": draft.outcome,
            "cases": [c.ref for c in case_lines], "identity_check": draft.id_check_result or None,
            "third_party": bool(draft.third_party), "anonymous": draft.anonymous})
        assert contact.id is not None  # flushed in _insert_contact
        return ContactSaved(contact_id=contact.id, at=saving.at, person_ref=person.ref if person else None,
                            person_created=saving.person_created, cases=case_lines,
                            follow_up=saving.follow_up_text, messages=[])


def _find_caller(session: Session, ctx: ServiceContext, saving: _Saving) -> None:
    """The person (found, or created now), the officer routed to and the case to add to; InputError if unknown."""
    draft = saving.draft
    try:
        saving.person = person_by_ref(session, draft.person_ref)
    except NotFound as exc:
        raise InputError(exc.message, problems=[exc.message]) from None
    if draft.new_person is not None:
        saving.person = _quick_create(session, ctx, draft.new_person)
        saving.person_created = True
    saving.officer = staff_by_username(session, draft.route_officer) if draft.route_officer.strip() else None
    if draft.add_to_case.strip():
        add_to = session.exec(select(Case).where(Case.ref == draft.add_to_case.strip().upper())).first()
        if add_to is None:
            raise InputError(f"case: no case {draft.add_to_case!r}; choose one of the caller's open cases",
                             problems=[f"case: no case {draft.add_to_case!r}"])
        if add_to.status not in OPEN_STATUSES:
            raise InputError(f"case: {add_to.ref} is closed; open a new case instead",
                             problems=[f"case: {add_to.ref} is closed"])
        saving.add_to = add_to


def _insert_contact(session: Session, ctx: ServiceContext, saving: _Saving) -> Contact:
    """The contact row and its reasons, in order (flushed, so it has its id)."""
    draft, person, third = saving.draft, saving.person, saving.draft.third_party
    contact = Contact(
        at=saving.at, channel=draft.channel, person_id=person.id if person else None, staff_id=actor_id(ctx),
        reason=saving.primary.code, outcome=draft.outcome, notes=(draft.notes or "").strip() or None,
        logged_at=saving.now, anonymous=draft.anonymous, third_party_name=third.name.strip()[:120] if third else None,
        third_party_org=(third.organisation.strip()[:120] or None) if third else None,
        third_party_relationship=(third.relationship.strip()[:40] or None) if third else None,
        third_party_phone=(third.phone.strip()[:32] or None) if third else None,
        id_check_method=draft.id_check_method or None, id_check_result=draft.id_check_result or None,
        agency_code=draft.agency or None if draft.outcome == "signposted" else None,
        save_key=(draft.save_key or None))
    session.add(contact)
    session.flush()
    assert contact.id is not None
    for position, reason in enumerate(saving.reasons):
        session.add(ContactReason(contact_id=contact.id, reason_code=reason.code, position=position))
    return contact


def _open_own_cases(session: Session, ctx: ServiceContext, saving: _Saving, contact: Contact, *,
                    housing_present: bool) -> None:
    """Reasons that always start their own work: safeguarding, complaints, repairs and hazards, service
    requests, and "nowhere to stay tonight" when housing options is not in this build."""
    draft, person, at, officer = saving.draft, saving.person, saving.at, saving.officer
    alone = len(saving.reasons) == 1
    for reason in saving.reasons:
        if reason.intake in ("safeguarding_child", "safeguarding_adult"):
            saving.cases.append((_raise_safeguarding(session, ctx, reason, draft, person, contact, at), True))
        elif reason.intake == "homeless_tonight":
            if housing_present:
                continue  # housing options' own service opens it (_urgent_approach)
            existing = _open_homelessness_case(session, person)
            if existing is not None:
                add_event(session, ctx, existing, "contact", "Nowhere to stay tonight (front desk)",
                          detail=draft.notes or None, contact_id=contact.id)
                existing.priority = "emergency"
                session.add(existing)
                saving.cases.append((existing, False))
            else:
                saving.cases.append((_open_for_reason(session, ctx, reason, draft, person, contact, at,
                                                      reason.team, None), True))
        elif reason.routes and reason.intake in SPECIAL_INTAKES:
            team = draft.route_team if (draft.route_team and alone) else reason.team
            saving.cases.append((_open_for_reason(session, ctx, reason, draft, person, contact, at, team,
                                                  officer.id if officer and alone else None), True))


def _route(session: Session, ctx: ServiceContext, saving: _Saving, contact: Contact, *, housing_present: bool) -> None:
    """Everything else goes where the outcome says: added to a case, or a case opened for the team."""
    draft, person, officer = saving.draft, saving.person, saving.officer
    if draft.outcome != "routed":
        return
    reasons = saving.reasons
    ordinary = [r for r in reasons if not (r.routes and r.intake in SPECIAL_INTAKES) and r.intake != "homeless_tonight"]
    if saving.add_to is not None:
        # Adding to a case does not move it (officer and team are ignored); reassign from the queue.
        add_event(session, ctx, saving.add_to, "contact", f"Contact added: {', '.join(r.label for r in reasons)}",
                  detail=draft.notes or None, contact_id=contact.id)
        saving.cases.insert(0, (saving.add_to, False))
    elif ordinary:
        reason = ordinary[0]
        if reason.intake == "homeless_approach":
            existing = _open_homelessness_case(session, person)
            if existing is not None:
                add_event(session, ctx, existing, "contact", "Homelessness approach (front desk)",
                          detail=draft.notes or None, contact_id=contact.id)
                saving.cases.insert(0, (existing, False))
                return
        case = _open_for_reason(session, ctx, reason, draft, person, contact, saving.at,
                                draft.route_team or reason.team, officer.id if officer else None)
        if len(ordinary) > 1:
            add_event(session, ctx, case, "contact", "Also about: " + ", ".join(r.label for r in ordinary[1:]),
                      contact_id=contact.id)
        saving.cases.insert(0, (case, True))
    elif not saving.cases and not housing_present:
        raise InputError("outcome: routed — say which team, or choose a reason that is routed",
                         problems=["outcome: routed — say which team, or choose a reason that is routed"])


def _follow_up(session: Session, ctx: ServiceContext, saving: _Saving, contact: Contact) -> None:
    """A callback or an appointment, for the routed team (else the main reason's), on the main case."""
    draft, person, officer = saving.draft, saving.person, saving.officer
    if draft.outcome not in ("callback", "appointment"):
        return
    team_code = draft.route_team or saving.primary.team
    team = team_by_code(session, ctx, team_code)
    phone = place = None
    if draft.outcome == "callback":
        due = draft.callback_due or deadline_at("working_days", fd_reference(ctx).policy.callback_working_days,
                                                saving.now, calendar_for(ctx))
        phone = clean_phone(draft.callback_phone)
    else:
        due = draft.appointment_at
        place = draft.appointment_place.strip()[:80] or None
    assert due is not None  # contact_problems refuses an appointment without a time
    session.add(FollowUp(kind=draft.outcome, contact_id=contact.id, person_id=person.id if person else None,
                         case_id=saving.cases[0][0].id if saving.cases else None, team_id=team.id,
                         assignee_id=officer.id if officer else None, due_at=due, phone=phone, place=place,
                         notes=(draft.notes or "").strip()[:500] or None, created_at=saving.now,
                         created_by=actor_id(ctx)))
    saving.routed_team = saving.routed_team or team_code
    word = "Callback" if draft.outcome == "callback" else "Appointment"
    when = (f"by {display_date(due, weekday=True)}" if format_local(due, "%H:%M") == "23:59"
            else display_date(due, weekday=True, hours=True))
    saving.follow_up_text = f"{word} {when} · {team.name}" + (f" · {officer.display_name}" if officer else "")


def _urgent_approach(session: Session, ctx: ServiceContext, open_urgent, saving: _Saving, contact: Contact) -> None:
    """"Nowhere to stay tonight": housing options' own service opens (or makes urgent) the case, in this
    transaction; the contact is linked to it and it is listed last."""
    person = saving.person
    case = open_urgent(session, ctx, person.ref if person else None, saving.draft.notes or "")
    add_event(session, ctx, case, "contact", "Nowhere to stay tonight (front desk contact)",
              detail=saving.draft.notes or None, contact_id=contact.id)
    saving.cases.append((case, True))


def _link(session: Session, ctx: ServiceContext, saving: _Saving, contact: Contact) -> None:
    """The contact's main case and team, the reception visit it came from, and the change notices."""
    if saving.cases:
        main = saving.cases[0][0]
        contact.case_id, contact.team_id = main.id, main.team_id
    else:
        contact.team_id = team_by_code(session, ctx, saving.routed_team or saving.primary.team).id
    session.add(contact)
    person = saving.person
    if saving.draft.visit_id is not None:
        visit = session.get(ReceptionVisit, saving.draft.visit_id)
        if visit is not None:
            visit.contact_id = contact.id
            if visit.person_id is None and person is not None:
                visit.person_id = person.id
            session.add(visit)
            record_changed(session, "caller", visit.id)
    for case, _opened in saving.cases:
        record_case(session, case)
    record_changed(session, "contact", contact.id)
    if person is not None:
        record_changed(session, "person", person.ref)
    session.flush()


def _already_saved(session, save_key: str) -> ContactSaved | None:
    """The contact an earlier save with this key posted, as that save reported it (else None)."""
    contact = session.exec(select(Contact).where(Contact.save_key == save_key)).first()
    if contact is None:
        return None
    person = session.get(Person, contact.person_id) if contact.person_id else None
    cases: list = []
    if contact.case_id is not None:
        case = session.get(Case, contact.case_id)
        if case is not None:
            cases.append(_case_line(session, case, False))
    return ContactSaved(contact_id=contact.id, at=contact.at, person_ref=person.ref if person else None,
                        person_created=False, cases=cases, follow_up=None,
                        messages=["This contact had already been saved; it was not saved twice."])


# --- history ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactLine:
    """A contact in a person's history."""

    id: int
    at: datetime
    channel: str
    reasons: str
    outcome: str
    staff: str | None
    case_ref: str | None
    notes: str | None
    caller: str


def person_contacts(ctx: ServiceContext, person_ref: str, *, limit: int = 50,
                    before: datetime | None = None) -> list[ContactLine]:
    """A person's contacts, newest first (a page at a time with ``before``); for the person view's history."""
    ctx.require("person.view")
    ref = fd_reference(ctx)
    with session_scope(ctx.engine) as session:
        person = person_by_ref(session, person_ref)
        assert person is not None
        query = (select(Contact, StaffUser.display_name, Case.ref)
                 .join(StaffUser, StaffUser.id == Contact.staff_id, isouter=True)
                 .join(Case, Case.id == Contact.case_id, isouter=True)
                 .where(Contact.person_id == person.id))
        if before is not None:
            query = query.where(Contact.at < before)
        rows = session.exec(query.order_by(Contact.at.desc()).limit(limit)).all()  # type: ignore[attr-defined]
        ids = [c.id for c, _s, _r in rows]
        reasons: dict[int, list[str]] = {}
        if ids:
            for cid, code in session.exec(select(ContactReason.contact_id, ContactReason.reason_code)
                                          .where(ContactReason.contact_id.in_(ids))  # type: ignore[attr-defined]
                                          .order_by(ContactReason.position)).all():
                reasons.setdefault(cid, []).append(code)
    out = []
    for contact, staff, case_ref in rows:
        codes = reasons.get(contact.id, [contact.reason])
        caller = "anonymous" if contact.anonymous else (
            f"for them: {contact.third_party_name}" if contact.third_party_name else "themselves")
        out.append(ContactLine(contact.id, contact.at,
                               ref.channels[contact.channel].name if contact.channel in ref.channels else contact.channel,
                               "; ".join(ref.reason_label(c) for c in codes),
                               ref.outcomes[contact.outcome].name if contact.outcome in ref.outcomes else (contact.outcome or "—"),
                               staff, case_ref, contact.notes, caller))
    return out


__all__ = [
    "AccountBalance", "CallerBrief", "CaseOpened", "ContactDraft", "ContactForm", "ContactSaved", "IdentityResult",
    "NewPerson", "ThirdParty", "caller_brief", "check_identity", "contact_form", "contact_problems", "log_contact",
    "match_reasons", "person_contacts",
]
