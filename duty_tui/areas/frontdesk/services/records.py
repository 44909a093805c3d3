"""What the front desk offers the core through hooks (duty_tui/areas/frontdesk/__init__.py)."""

from __future__ import annotations

from sqlmodel import Session, select

from duty_tui.areas.frontdesk.db.models import FollowUp, ReceptionVisit
from duty_tui.areas.frontdesk.domain.reference import load_frontdesk_reference
from duty_tui.core.services.context import ServiceContext


def contact_words(ctx: ServiceContext) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Hook "person.contact_words": the names of contact channels, reasons and outcomes, by code."""
    ref = load_frontdesk_reference(ctx.settings.data_dir)
    return ({c.code: c.name for c in ref.channels.values()}, {r.code: r.label for r in ref.reasons.values()},
            {o.code: o.name for o in ref.outcomes.values()})


def person_records(session: Session, person_id: int, account_ids: list[int]) -> dict[str, list]:
    """Hook "audit.person_records": the person's reception visits and follow-ups, by audit entity."""
    return {"visit": list(session.exec(select(ReceptionVisit.id).where(ReceptionVisit.person_id == person_id)).all()),
            "follow_up": list(session.exec(select(FollowUp.id).where(FollowUp.person_id == person_id)).all())}
