"""A contact as the desk typed it (``ContactDraft``), what saving it reports (``ContactSaved``), and
every problem with a draft that needs no database (``contact_problems``), shown inline on the form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from duty_tui.areas.frontdesk.domain import rules
from duty_tui.areas.frontdesk.domain.rules import ContactFacts
from duty_tui.areas.frontdesk.services.common import fd_reference
from duty_tui.core.domain.validators import clean_phone, parse_date_of_birth, text_problem
from duty_tui.core.services.context import ServiceContext


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


__all__ = ["CaseOpened", "ContactDraft", "ContactSaved", "NewPerson", "ThirdParty", "contact_problems"]
