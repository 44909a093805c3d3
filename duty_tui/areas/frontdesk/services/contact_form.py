"""What the contact form offers: channels, reasons, outcomes, agencies, teams, repair priorities and
identity-check methods, from data/ (no database), and matching typed words to reasons."""

from __future__ import annotations

from dataclasses import dataclass

from duty_tui.areas.frontdesk.domain import rules
from duty_tui.areas.frontdesk.services.common import fd_reference
from duty_tui.areas.frontdesk.services.routing import StaffChoice
from duty_tui.core.services.context import ServiceContext


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


__all__ = ["AgencyChoice", "ContactForm", "ReasonChoice", "contact_form", "match_reasons"]
