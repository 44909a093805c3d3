"""A person's contacts read back: their history (``person_contacts``, a page at a time), a past contact
opened from it, and its correction, audited, the original kept.

``contact_detail`` shows everything about one logged contact — notes, reasons, outcome, who logged
it and when, the caller, the identity check, the case and team, the callbacks or appointments it
made, and every correction since. Opening it is audited (``contact.view``).

``amend_contact`` corrects the notes, reasons, outcome or channel, within ``[contact_edits] hours``
of it being logged (data/frontdesk/frontdesk.toml), by the member of staff who logged it or by someone whose
role holds ``contact.amend_any`` (team leaders). The change is one transaction: the contact is
updated against the version that was read (optimistic locking), a ``contact_revision`` row keeps
what it said before and after with who, when and why, and the audit trail records the fields
changed. Correcting a contact never reopens or moves the work it started (cases, callbacks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from duty_tui.areas.frontdesk.db.models import ContactReason, ContactRevision, FollowUp
from duty_tui.areas.frontdesk.domain.reference import FrontdeskReference
from duty_tui.areas.frontdesk.domain.rules import IDENTITY_METHODS
from duty_tui.areas.frontdesk.services.common import actor_id, conflict, fd_reference, person_by_ref, versioned_update
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Contact, Person, StaffUser, Team
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.domain.validators import text_problem
from duty_tui.core.services import audit
from duty_tui.core.services.changes import notify
from duty_tui.core.services.context import ServiceContext

CONTACTS_CHANNEL = "contacts"
AMEND_ANY = "contact.amend_any"
WHY_MIN = 5
"""A correction says why in at least this many characters ("typo" is not enough to audit)."""
FIELDS = ("channel", "reasons", "outcome", "notes")
FIELD_WORDS = {"channel": "Channel", "reasons": "Reasons", "outcome": "Outcome", "notes": "Notes"}


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
                 .join(StaffUser, col(StaffUser.id) == Contact.staff_id, isouter=True)
                 .join(Case, col(Case.id) == Contact.case_id, isouter=True)
                 .where(Contact.person_id == person.id))
        if before is not None:
            query = query.where(Contact.at < before)
        rows = session.exec(query.order_by(col(Contact.at).desc()).limit(limit)).all()
        ids = [c.id for c, _s, _r in rows]
        reasons: dict[int | None, list[str]] = {}
        if ids:
            for cid, code in session.exec(select(ContactReason.contact_id, ContactReason.reason_code)
                                          .where(col(ContactReason.contact_id).in_(ids))
                                          .order_by(col(ContactReason.position))).all():
                reasons.setdefault(cid, []).append(code)
    out = []
    for contact, staff, case_ref in rows:
        assert contact.id is not None  # read from the database
        codes = reasons.get(contact.id, [contact.reason])
        caller = "anonymous" if contact.anonymous else (
            f"for them: {contact.third_party_name}" if contact.third_party_name else "themselves")
        out.append(ContactLine(contact.id, contact.at,
                               ref.channels[contact.channel].name if contact.channel in ref.channels else contact.channel,
                               "; ".join(ref.reason_label(c) for c in codes),
                               ref.outcomes[contact.outcome].name if contact.outcome in ref.outcomes else (contact.outcome or "—"),
                               staff, case_ref, contact.notes, caller))
    return out


@dataclass(frozen=True)
class FollowUpLine:
    """A callback or appointment the contact made."""

    kind: str
    due_at: datetime
    status: str
    team: str | None
    assignee: str | None
    where: str | None


@dataclass(frozen=True)
class RevisionLine:
    """One correction: when, by whom, why, and each field's words before and after."""

    number: int
    at: datetime
    by: str | None
    why: str
    changes: tuple[tuple[str, str, str], ...]  # (field words, before, after)


@dataclass(frozen=True)
class ContactDetail:
    """Everything the contact view shows, with codes already put into words."""

    id: int
    version: int
    at: datetime
    logged_at: datetime | None
    channel: str
    channel_name: str
    reasons: tuple[str, ...]
    reason_names: tuple[str, ...]
    outcome: str
    outcome_name: str
    notes: str | None
    staff: str | None
    person_ref: str | None
    person_name: str | None
    caller: str
    identity_check: str | None
    agency: str | None
    case_ref: str | None
    team: str | None
    follow_ups: tuple[FollowUpLine, ...] = ()
    revisions: tuple[RevisionLine, ...] = ()
    can_amend: bool = False
    amend_note: str = ""
    """Why it can or cannot be corrected now, in words ("You can correct it until 12/03/2026 10:30")."""
    amend_until: datetime | None = None
    channels: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    outcomes: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    reason_choices: tuple[tuple[str, str], ...] = field(default=(), repr=False)


def _words(fdref: FrontdeskReference, values: dict) -> dict[str, str]:
    """A contact's amendable fields in words, for the revision history."""
    channel = values.get("channel") or ""
    outcome = values.get("outcome") or ""
    return {
        "channel": fdref.channels[channel].name if channel in fdref.channels else channel,
        "reasons": "; ".join(fdref.reason_label(c) for c in values.get("reasons") or []),
        "outcome": fdref.outcomes[outcome].name if outcome in fdref.outcomes else outcome,
        "notes": values.get("notes") or "(no notes)",
    }


def _reasons_of(session: Session, contact: Contact) -> list[str]:
    codes = list(session.exec(select(ContactReason.reason_code).where(ContactReason.contact_id == contact.id)
                              .order_by(ContactReason.position)).all())
    return codes or [contact.reason]


def _window(ctx: ServiceContext, contact: Contact) -> tuple[bool, str, datetime]:
    """(may this user correct it now, the words why, until when) — author or contact.amend_any, within the hours."""
    hours = fd_reference(ctx).policy.contact_edit_hours
    until = (contact.logged_at or contact.at) + timedelta(hours=hours)
    when = format_local(until, "%d/%m/%Y %H:%M")
    if not ctx.can("contact.log"):
        return False, "Your role does not log contacts, so it cannot correct them.", until
    author = ctx.actor is not None and ctx.actor.id is not None and ctx.actor.id == contact.staff_id
    if not author and not ctx.can(AMEND_ANY):
        return False, ("Only the person who logged it, or a team leader, can correct it "
                       f"(until {when})."), until
    if ctx.now() > until:
        return False, (f"It can no longer be corrected: contacts can be corrected for {hours} hours after they are "
                       f"logged (until {when}). Add a new contact or a case note instead."), until
    return True, f"You can correct it until {when} (e); the original is kept.", until


def contact_detail(ctx: ServiceContext, contact_id: int) -> ContactDetail:
    """One logged contact in full, its corrections and whether this user may correct it now (audited)."""
    ctx.require("person.view")
    fdref = fd_reference(ctx)
    with session_scope(ctx.engine) as session:  # a read; its audit event after it (docs/AUDIT.md)
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound("that contact is no longer on the record")
        person = session.get(Person, contact.person_id) if contact.person_id else None
        staff = session.get(StaffUser, contact.staff_id) if contact.staff_id else None
        case = session.get(Case, contact.case_id) if contact.case_id else None
        team = session.get(Team, contact.team_id) if contact.team_id else None
        reasons = _reasons_of(session, contact)
        follow_ups = []
        for f in session.exec(select(FollowUp).where(FollowUp.contact_id == contact.id).order_by(FollowUp.due_at)):
            f_team = session.get(Team, f.team_id) if f.team_id else None
            f_who = session.get(StaffUser, f.assignee_id) if f.assignee_id else None
            follow_ups.append(FollowUpLine(f.kind, f.due_at, f.status, f_team.name if f_team else None,
                                           f_who.display_name if f_who else None, f.phone or f.place))
        revisions = []
        for r in session.exec(select(ContactRevision).where(ContactRevision.contact_id == contact.id)
                              .order_by(ContactRevision.revision)):
            by = session.get(StaffUser, r.by) if r.by else None
            before, after = _words(fdref, json.loads(r.before)), _words(fdref, json.loads(r.after))
            changes = tuple((FIELD_WORDS[k], before[k], after[k]) for k in FIELDS if before[k] != after[k])
            revisions.append(RevisionLine(r.revision, r.at, by.display_name if by else None, r.why, changes))
        can, note, until = _window(ctx, contact)
        caller = "Anonymous caller" if contact.anonymous else (
            f"{contact.third_party_name} on their behalf" + (f" ({contact.third_party_relationship})"
                                                            if contact.third_party_relationship else "")
            + (f", {contact.third_party_org}" if contact.third_party_org else "")
            if contact.third_party_name else "The person themselves")
        identity = None
        if contact.id_check_method:
            identity = (f"{IDENTITY_METHODS.get(contact.id_check_method, contact.id_check_method)}: "
                        f"{contact.id_check_result or 'not finished'}")
        agency = fdref.agencies[contact.agency_code].name if contact.agency_code in fdref.agencies else (
            contact.agency_code)
        words = _words(fdref, {"channel": contact.channel, "outcome": contact.outcome or ""})
        result = ContactDetail(
            id=contact.id, version=contact.version, at=contact.at, logged_at=contact.logged_at,
            channel=contact.channel, channel_name=words["channel"], reasons=tuple(reasons),
            reason_names=tuple(fdref.reason_label(c) for c in reasons), outcome=contact.outcome or "",
            outcome_name=words["outcome"] or "—", notes=contact.notes,
            staff=staff.display_name if staff else None, person_ref=person.ref if person else None,
            person_name=f"{person.forename} {person.surname}" if person else None, caller=caller,
            identity_check=identity, agency=agency, case_ref=case.ref if case else None,
            team=team.name if team else None, follow_ups=tuple(follow_ups), revisions=tuple(revisions),
            can_amend=can, amend_note=note, amend_until=until,
            channels=tuple((c.code, c.name) for c in fdref.channels.values()),
            outcomes=tuple((o.code, o.name) for o in fdref.outcomes.values()),
            reason_choices=tuple((r.code, r.label) for r in fdref.reasons.values()))
    audit.record_read(ctx, "contact.view", "contact", result.id, {"person": result.person_ref})
    return result


@dataclass(frozen=True)
class ContactAmendment:
    """What the correction form sends: the fields as they should now read, and why."""

    contact_id: int
    version: int
    notes: str
    outcome: str
    channel: str
    reasons: tuple[str, ...]
    why: str


def amendment_problems(ctx: ServiceContext, change: ContactAmendment) -> list[str]:
    """What is wrong with a correction before the database is asked, each naming its field."""
    fdref = fd_reference(ctx)
    problems = []
    if change.channel not in fdref.channels:
        problems.append("channel: choose one from the list")
    if change.outcome not in fdref.outcomes:
        problems.append("outcome: choose one from the list")
    if not change.reasons:
        problems.append("reasons: keep at least one reason")
    unknown = [c for c in change.reasons if c not in fdref.reasons]
    if unknown:
        problems.append(f"reasons: {', '.join(unknown)} is not in data/frontdesk/contact_reasons.toml")
    problem = text_problem("notes", change.notes, max_length=fdref.policy.notes_max)
    if problem:
        problems.append(f"notes: {problem}")
    why = (change.why or "").strip()
    if len(why) < WHY_MIN:
        problems.append("why: say why it is being corrected (it is kept with the change)")
    elif text_problem("why", why, max_length=500):
        problems.append(f"why: {text_problem('why', why, max_length=500)}")
    return problems


def amend_contact(ctx: ServiceContext, change: ContactAmendment) -> ContactDetail:
    """Correct a contact; the original and every earlier version are kept (contact_revision), audited."""
    ctx.require("contact.log")
    problems = amendment_problems(ctx, change)
    if problems:
        raise InputError(problems[0], problems=problems)
    with session_scope(ctx.engine, write=True) as session:
        contact = session.get(Contact, change.contact_id)
        if contact is None:
            raise NotFound("that contact is no longer on the record")
        can, note, _until = _window(ctx, contact)
        if not can:
            raise InputError(note, problems=[note])
        if contact.version != change.version:
            raise conflict(f"contact #{contact.id}", None, version=contact.version)
        before = {"channel": contact.channel, "reasons": _reasons_of(session, contact),
                  "outcome": contact.outcome or "", "notes": contact.notes or ""}
        after = {"channel": change.channel, "reasons": list(dict.fromkeys(change.reasons)),
                 "outcome": change.outcome, "notes": change.notes.strip()}
        changed = [k for k in FIELDS if before[k] != after[k]]
        if not changed:
            raise InputError("nothing has been changed yet: correct a field, or Esc to leave it as it is",
                             problems=["nothing has been changed yet"])
        versioned_update(session, Contact, contact.id, change.version,
                         {"channel": after["channel"], "outcome": after["outcome"], "reason": after["reasons"][0],
                          "notes": after["notes"] or None}, what=f"contact #{contact.id}")
        if "reasons" in changed:
            session.execute(delete(ContactReason).where(col(ContactReason.contact_id) == contact.id))
            for position, code in enumerate(after["reasons"]):
                session.add(ContactReason(contact_id=contact.id, reason_code=code, position=position))
        # The UNIQUE (contact_id, revision) is the last word if two corrections of one version race.
        session.add(ContactRevision(contact_id=contact.id, revision=change.version, at=ctx.now(), by=actor_id(ctx),
                                    why=change.why.strip(), before=json.dumps(before, sort_keys=True),
                                    after=json.dumps(after, sort_keys=True)))
        notify(session, CONTACTS_CHANNEL)
        person = session.get(Person, contact.person_id) if contact.person_id else None
        audit.record(session, ctx, "contact.amend", "contact", contact.id,
                     {"person": person.ref if person else None, "fields": changed, "revision": change.version})
    return contact_detail(ctx, change.contact_id)
