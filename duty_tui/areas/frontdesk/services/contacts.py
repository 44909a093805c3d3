"""Logging contacts: who called, why, what happened — and everything that follows from it.

``log_contact`` is one transaction: the contact and its reasons; a quick-created person;
cases opened (or added to) for the teams that must act, with their clocks running from the
moment of contact (complaints, repairs and Awaab's Law hazards included); a safeguarding
concern's urgent same-day case for the safeguarding lead; a callback or appointment; the
reception visit it came from. Its steps are named for what each does (``_find_caller``,
``_insert_contact``, ``_open_own_cases``, ``_route``, ``_follow_up``, ``_link``).

The rest of the contact form lives beside it: what the form offers (``contact_form``), the caller
chosen (``caller_brief``), the identity check before disclosure (``identity``), the draft and its
problems (``contact_draft``), and a person's contacts read back (``contact_history``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from duty_tui.areas.frontdesk.db.models import ContactReason, FollowUp, ReceptionVisit, SafeguardingConcern
from duty_tui.areas.frontdesk.domain.reference import ReasonDef
from duty_tui.areas.frontdesk.domain.rules import deadline_at
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
from duty_tui.areas.frontdesk.services.contact_draft import (
    CaseOpened,
    ContactDraft,
    ContactSaved,
    NewPerson,
    contact_problems,
)
from duty_tui.areas.frontdesk.services.routing import open_case, reason_clock
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Contact, Person, StaffUser, Team
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.domain.local_time import display_date, format_local
from duty_tui.core.domain.search_keys import fold, phone_key, sound
from duty_tui.core.domain.validators import clean_phone, parse_date_of_birth
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case, record_changed
from duty_tui.core.services.context import ServiceContext

SPECIAL_INTAKES = ("complaint", "service_request", "repair", "damp_mould", "emergency_hazard", "safeguarding_child",
                   "safeguarding_adult", "homeless_tonight")


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
                                                col(StaffUser.active).is_(True))).first() if policy.safeguarding_lead else None
    if lead is None:  # no named lead: the safeguarding team's leader
        lead = session.exec(select(StaffUser).join(Team, Team.id == StaffUser.team_id).where(
            Team.code == policy.safeguarding_team, StaffUser.role == "team_leader",
            col(StaffUser.active).is_(True)).order_by(col(StaffUser.id))).first()
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
                                           col(Case.status).in_(OPEN_STATUSES))).first()


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


__all__ = ["log_contact"]
