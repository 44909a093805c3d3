"""Temporary accommodation placements: starting and ending one.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from duty_tui.areas.housing_options.db.models import HomelessPlacement
from duty_tui.areas.housing_options.services.common import (
    housing_reference,
    load_case,
    problems_error,
    refresh_case,
    stored_id,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext


def place_in_ta(ctx: ServiceContext, case_ref: str, address: str, ta_type: str, start_on: date | None = None,
                duty_basis: str | None = None) -> int:
    """Record a temporary accommodation placement; returns its id."""
    ctx.require("homelessness.assess")
    ref = housing_reference(ctx)
    address = (address or "").strip()
    start_on = start_on or ctx.today()
    problems = []
    if not address:
        problems.append("address: where is the household placed?")
    if ta_type not in ref.ta_types:
        problems.append(f"type: choose one of {', '.join(ref.ta_types)}")
    if start_on > ctx.today():
        problems.append("start: a placement starts today or earlier; record it when they move in")
    if problems:
        raise problems_error("fix the placement", problems)
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        basis = duty_basis or {"main_duty": "s193", "intentional": "s190"}.get(hc.stage, "s188")
        if basis not in ("s188", "s190", "s193", "s200"):
            raise InputError("duty must be s188, s190, s193 or s200")
        if hc.stage == "prevention" and basis == "s188":
            raise InputError("someone only threatened with homelessness is not owed interim accommodation (s188 "
                             "needs reason to believe they are homeless)")
        if hc.stage == "closed":
            raise InputError("the case is closed")
        if start_on < hc.approach_date:
            raise InputError(f"the placement cannot start before the approach ({hc.approach_date:%d/%m/%Y})")
        current = session.exec(select(HomelessPlacement).where(HomelessPlacement.homeless_case_id == hc.id,
                                                               col(HomelessPlacement.end_on).is_(None))).first()
        if current is not None:
            raise InputError(f"the household is already placed at {current.address}; end that placement first")
        placement = HomelessPlacement(homeless_case_id=stored_id(hc), address=address[:200], ta_type=ta_type,
                                      duty_basis=basis, start_on=start_on,
                                      created_by=ctx.actor.id if ctx.actor else None)
        session.add(placement)
        session.flush()
        refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.ta_placed", "case", case.ref, {"placement": placement.id, "type": ta_type})
        return stored_id(placement)


def end_ta(ctx: ServiceContext, case_ref: str, placement_id: int, end_on: date | None = None,
           reason: str | None = None) -> None:
    """End a placement (the household moved out)."""
    ctx.require("homelessness.assess")
    end_on = end_on or ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        placement = session.get(HomelessPlacement, placement_id)
        if placement is None or placement.homeless_case_id != hc.id:
            raise NotFound(f"no placement {placement_id} on {case.ref}")
        if placement.end_on is not None:
            raise InputError("that placement has already ended")
        if end_on < placement.start_on:
            raise InputError(f"the end cannot be before the start ({placement.start_on:%d/%m/%Y})")
        if end_on > ctx.today():
            raise InputError("record the end when they have left")
        placement.end_on, placement.end_reason = end_on, (reason or "").strip()[:120] or None
        placement.version += 1
        session.add(placement)
        session.flush()
        refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.ta_ended", "case", case.ref, {"placement": placement_id})
