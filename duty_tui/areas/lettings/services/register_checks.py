"""The verification checklist of an application (requested, received, verified by whom and when) and
the decision letters (docs/LETTINGS_REGISTER.md).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from duty_tui.areas.lettings.db.models import LettingsApplication, LettingsAssessment, LettingsCheck
from duty_tui.areas.lettings.domain.reference import load_bands
from duty_tui.areas.lettings.domain.register import CHECK_STEPS, letter_text, load_checklist
from duty_tui.areas.lettings.services.register_decisions import _person_ref, find_application
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Person, StaffUser
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext


def record_check(ctx: ServiceContext, ref: str, item: str, step: str, on: date | None = None,
                 note: str | None = None) -> str:
    """Mark one checklist item requested or received on a day, or verified now by the officer.
    A document is verified only once received. Returns the step recorded."""
    ctx.require("lettings.manage")
    day = on or ctx.today()
    if step not in CHECK_STEPS:
        raise InputError(f"step {step!r}: choose {', '.join(CHECK_STEPS)}")
    if day > ctx.today():
        raise InputError(f"{day:%d/%m/%Y} is in the future; record a step on the day it happened")
    with session_scope(ctx.engine, write=True) as session:
        app = find_application(session, ref)
        check = session.exec(select(LettingsCheck).where(LettingsCheck.application_id == app.id,
                                                         LettingsCheck.item == item)).first()
        if check is None:
            known = [i.code for i in load_checklist(ctx.settings.data_dir)]
            if item not in known:
                raise InputError(f"checklist item {item!r} is not in data/lettings/checklist.toml; choose "
                                 f"{', '.join(known)}")
            assert app.id is not None
            check = LettingsCheck(application_id=app.id, item=item)
        if step == "requested":
            check.requested_on = day
        elif step == "received":
            check.received_on = day
        else:
            if check.received_on is None:
                raise InputError(f"{item} has not been received; a document is verified only once received — "
                                 "record it received first")
            check.verified_by, check.verified_at = (ctx.actor.id if ctx.actor else None), ctx.now()
        if note:
            check.note = note.strip()[:200]
        check.version += 1
        session.add(check)
        audit.record(session, ctx, "lettings.check_recorded", "person", _person_ref(session, app),
                     {"application": app.ref, "item": item, "step": step})
        return step


def decision_letter(ctx: ServiceContext, assessment_id: int) -> str:
    """The letter notifying a decision: its grounds and the right to a review by the review date
    (``data/lettings/letters/qualification.txt`` or ``band.txt``). An audited read."""
    if not ctx.can("lettings.manage"):
        ctx.require("lettings.view")
    with session_scope(ctx.engine) as session:
        decision = session.get(LettingsAssessment, assessment_id)
        if decision is None:
            raise NotFound(f"no decision {assessment_id}; the application's decisions list their numbers")
        app = session.get(LettingsApplication, decision.application_id)
        assert app is not None
        person = session.get(Person, app.person_id)
        officer = session.get(StaffUser, decision.decided_by) if decision.decided_by else None
        assert person is not None
        kind = "band" if decision.kind in ("band", "medical", "welfare") else "qualification"
        notified = decision.notified_on or decision.effective_on
        band_words = next((b.words for b in load_bands(ctx.settings.data_dir) if b.code == decision.band), "")
        fields = {
            "office": ctx.settings.office_name,
            "notified_on": f"{notified:%d/%m/%Y}", "name": f"{person.forename} {person.surname}", "ref": app.ref,
            "outcome_words": "you qualify to join the housing register" if decision.outcome == "qualifies"
            else "you do not qualify to join the housing register",
            "grounds": decision.reasons, "review_by": f"{decision.review_by:%d/%m/%Y}" if decision.review_by else "—",
            "days": str((decision.review_by - notified).days) if decision.review_by else "—",
            "officer": officer.display_name if officer else "the housing register team",
            "band": decision.band or "", "band_words": band_words, "effective_on": f"{decision.effective_on:%d/%m/%Y}",
            "bedroom_need": str(app.bedroom_need if app.bedroom_need is not None else "—"),
        }
        text = letter_text(ctx.settings.data_dir, kind, fields)
        person_ref = person.ref
    audit.record_read(ctx, "lettings.letter_viewed", "person", person_ref, {"decision": assessment_id})
    return text


__all__ = ["decision_letter", "record_check"]
