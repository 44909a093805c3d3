"""Complaints taken at the desk: stage clocks (acknowledge, respond, one extension), escalation to
stage 2 with a different handler, and the response.

The clocks follow the office's complaint scheme (``data/frontdesk/complaints.toml``: the Housing
Ombudsman Complaint Handling Code, or the SPSO model procedure in Scotland) and start when the
desk logs the complaint. The case's ``due_at`` always shows the next step due.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from duty_tui.areas.frontdesk.db.models import ComplaintStage
from duty_tui.areas.frontdesk.domain.complaints import (
    ComplaintScheme,
    check_extension,
    check_handler,
    next_milestone,
    stage_clock,
)
from duty_tui.areas.frontdesk.domain.rules import end_of_day_utc
from duty_tui.areas.frontdesk.services.common import (
    actor_id,
    add_event,
    calendar_for,
    case_by_ref,
    fd_reference,
    staff_by_username,
)
from duty_tui.areas.frontdesk.services.routing import CASE_CHANNEL, ClockLine, _changed, _load_for_change
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case
from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.local_time import display_date, local_date
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext

RESPONSE_OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "resolved")


def scheme_for(ctx: ServiceContext) -> ComplaintScheme:
    """The complaint scheme of the office's jurisdiction."""
    return fd_reference(ctx).complaint_scheme(ctx.settings.jurisdiction)


def _clock(ctx: ServiceContext, scheme: ComplaintScheme, stage: ComplaintStage):
    policy = scheme.stage(stage.stage)
    acknowledged = local_date(stage.acknowledged_at) if stage.acknowledged_at else None
    return policy, stage_clock(policy, local_date(stage.started_at), calendar_for(ctx), acknowledged=acknowledged,
                               extension_days=stage.extension_days)


def _due_values(ctx: ServiceContext, stage: ComplaintStage) -> dict:
    """The case's next step and its due time, after a change to ``stage``."""
    scheme = fd_reference(ctx).complaint_schemes[stage.scheme]
    policy, clock = _clock(ctx, scheme, stage)
    milestone = next_milestone(policy, clock, acknowledged=stage.acknowledged_at is not None,
                               responded=stage.responded_at is not None)
    stage.ack_due = clock.ack_due
    stage.response_due = clock.response_due
    if milestone is None:
        return {"due_at": None, "clock_name": f"{policy.name} answered", "clock_kind": "working_days"}
    return {"due_at": end_of_day_utc(milestone.due), "clock_name": milestone.name, "clock_kind": "working_days"}


def start_complaint(session: Session, ctx: ServiceContext, case: Case, received_at: datetime) -> ComplaintStage:
    """Stage 1 of a new complaint on ``case`` (in the caller's transaction); sets the case's clock."""
    scheme = scheme_for(ctx)
    policy = scheme.stage(1)
    clock = stage_clock(policy, local_date(received_at), calendar_for(ctx))
    stage = ComplaintStage(case_id=case.id, scheme=scheme.code, stage=1, started_at=received_at,
                           ack_due=clock.ack_due, response_due=clock.response_due)
    session.add(stage)
    values = _due_values(ctx, stage)
    case.due_at, case.clock_name, case.clock_kind = values["due_at"], values["clock_name"], values["clock_kind"]
    case.clock_started_at = received_at
    session.add(case)
    add_event(session, ctx, case, "clock", f"{scheme.name}: {policy.name} — acknowledge by "
              f"{display_date(clock.ack_due, weekday=True)}, respond by {display_date(clock.response_due, weekday=True)}"
              + (" (counted from the acknowledgement)" if clock.response_provisional else ""))
    return stage


def complaint_clocks(ctx: ServiceContext, stages: list[ComplaintStage]) -> list[ClockLine]:
    """Every stage's acknowledgement and response due dates, with when each was done."""
    lines: list[ClockLine] = []
    schemes = fd_reference(ctx).complaint_schemes
    for stage in stages:
        scheme = schemes.get(stage.scheme)
        if scheme is None:
            continue
        policy, clock = _clock(ctx, scheme, stage)
        lines.append(ClockLine(f"{policy.name} acknowledge", clock.ack_due, "working_days",
                               local_date(stage.acknowledged_at) if stage.acknowledged_at else None))
        note = ""
        if clock.response_provisional:
            note = "counted from the acknowledgement due date until it is sent"
        if stage.extension_days:
            note = f"extended {stage.extension_days} working days: {stage.extension_reason or ''}".strip()
        if not policy.verified and stage.extension_days:
            note += " (extension limit is local policy, not verified)"
        lines.append(ClockLine(f"{policy.name} respond", clock.response_due, "working_days",
                               local_date(stage.responded_at) if stage.responded_at else None, note))
    return lines


def _current_stage(session: Session, case: Case) -> ComplaintStage:
    if case.case_type != "complaint":
        raise InputError(f"case {case.ref} is not a complaint")
    stage = session.exec(select(ComplaintStage).where(ComplaintStage.case_id == case.id)
                         .order_by(col(ComplaintStage.stage).desc())).first()
    if stage is None:
        raise InputError(f"case {case.ref} has no complaint stage recorded")
    return stage


def _apply(session: Session, ctx: ServiceContext, case: Case, stage: ComplaintStage, seen_version: int,
           yours: dict[str, str] | None = None) -> None:
    values = _due_values(ctx, stage)
    session.add(stage)
    _changed(session, ctx, case, seen_version, values, yours)


def acknowledge_complaint(ctx: ServiceContext, ref: str, seen_version: int, on: datetime | None = None) -> None:
    """Record the acknowledgement; the response clock then counts from it. The acknowledger handles the stage."""
    ctx.require("complaint.manage")
    at = on or ctx.now()
    if at > ctx.now():
        raise InputError("acknowledged: the date is in the future")
    yours = {"Change": "Acknowledge the complaint"}
    with session_scope(ctx.engine, write=True) as session:
        case = _load_for_change(session, ref, ctx, seen_version, yours)
        stage = _current_stage(session, case)
        if stage.acknowledged_at is not None:
            raise InputError(f"stage {stage.stage} was already acknowledged")
        if at < stage.started_at:
            raise InputError("acknowledged: that is before the complaint was received")
        stage.acknowledged_at = at
        if stage.handler_id is None:
            stage.handler_id = actor_id(ctx)
        _apply(session, ctx, case, stage, seen_version, yours)
        add_event(session, ctx, case, "acknowledged", f"Stage {stage.stage} acknowledged; respond by "
                  f"{display_date(stage.response_due, weekday=True)}")
        record_case(session, case)
        audit.record(session, ctx, "complaint.acknowledge", "case", case.ref, {"stage": stage.stage})


def extend_complaint(ctx: ServiceContext, ref: str, seen_version: int, days: int, reason: str) -> None:
    """The stage's one extension, within the code's limit, with a reason given to the complainant."""
    ctx.require("complaint.manage")
    scheme_defs = fd_reference(ctx).complaint_schemes
    yours = {"Change": f"Extend by {days} working days", "Note": (reason or "").strip()}
    with session_scope(ctx.engine, write=True) as session:
        case = _load_for_change(session, ref, ctx, seen_version, yours)
        stage = _current_stage(session, case)
        if stage.responded_at is not None:
            raise InputError(f"stage {stage.stage} has been answered; there is nothing to extend")
        policy = scheme_defs[stage.scheme].stage(stage.stage)
        try:
            check_extension(policy, days, reason, already_extended=stage.extension_days > 0)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        stage.extension_days = days
        stage.extension_reason = reason.strip()
        stage.extended_at = ctx.now()
        _apply(session, ctx, case, stage, seen_version, yours)
        add_event(session, ctx, case, "extended", f"Stage {stage.stage} extended by {days} working days; respond by "
                  f"{display_date(stage.response_due, weekday=True)}", detail=reason.strip())
        record_case(session, case)
        audit.record(session, ctx, "complaint.extend", "case", case.ref, {"stage": stage.stage, "days": days})


def respond_complaint(ctx: ServiceContext, ref: str, seen_version: int, outcome: str, summary: str) -> None:
    """Record the stage's response (upheld, partly upheld, not upheld, resolved) and its summary."""
    ctx.require("complaint.manage")
    if outcome not in RESPONSE_OUTCOMES:
        raise InputError(f"outcome: one of {', '.join(o.replace('_', ' ') for o in RESPONSE_OUTCOMES)}")
    if not summary.strip():
        raise InputError("response: summarise the response sent to the complainant")
    yours = {"Change": f"Response: {outcome.replace('_', ' ')}", "Note": summary.strip()}
    with session_scope(ctx.engine, write=True) as session:
        case = _load_for_change(session, ref, ctx, seen_version, yours)
        stage = _current_stage(session, case)
        if stage.responded_at is not None:
            raise InputError(f"stage {stage.stage} has already been answered")
        now = ctx.now()
        if stage.acknowledged_at is None:
            stage.acknowledged_at = now  # a full response acknowledges it too
        stage.responded_at = now
        stage.outcome = outcome
        stage.response_summary = summary.strip()
        if stage.handler_id is None:
            stage.handler_id = actor_id(ctx)
        _apply(session, ctx, case, stage, seen_version, yours)
        add_event(session, ctx, case, "responded", f"Stage {stage.stage} response: {outcome.replace('_', ' ')}",
                  detail=summary.strip())
        record_case(session, case)
        audit.record(session, ctx, "complaint.respond", "case", case.ref, {"stage": stage.stage, "outcome": outcome})


def escalate_complaint(ctx: ServiceContext, ref: str, seen_version: int, handler_username: str,
                       requested_at: datetime | None = None) -> None:
    """Move the complaint to the next stage (the complainant asked), with a handler who did not handle the last."""
    ctx.require("complaint.manage")
    scheme_defs = fd_reference(ctx).complaint_schemes
    at = requested_at or ctx.now()
    if at > ctx.now():
        raise InputError("escalation requested: the date is in the future")
    yours = {"Change": "Escalate to the next complaint stage", "Officer": handler_username.strip() or "unassigned"}
    with session_scope(ctx.engine, write=True) as session:
        case = _load_for_change(session, ref, ctx, seen_version, yours)
        previous = _current_stage(session, case)
        scheme = scheme_defs[previous.scheme]
        if previous.stage >= scheme.last_stage:
            raise InputError("this is the final stage; the complainant can now go to the ombudsman")
        handler = staff_by_username(session, handler_username) if handler_username.strip() else None
        policy = scheme.stage(previous.stage + 1)
        try:
            check_handler(policy, previous.handler_id, handler.id if handler else None)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if previous.responded_at is None:
            previous.responded_at = at
            previous.outcome = "escalated"
            session.add(previous)
        clock = stage_clock(policy, local_date(at), calendar_for(ctx))
        stage = ComplaintStage(case_id=case.id, scheme=scheme.code, stage=policy.number, started_at=at,
                               ack_due=clock.ack_due, response_due=clock.response_due,
                               handler_id=handler.id if handler else None)
        session.add(stage)
        session.flush()
        values = _due_values(ctx, stage)
        if handler is not None:
            values["assignee_id"] = handler.id
            values["status"] = "in_progress"
        _changed(session, ctx, case, seen_version, values, yours)
        add_event(session, ctx, case, "escalated", f"Escalated to {policy.name}: acknowledge by "
                  f"{display_date(clock.ack_due, weekday=True)}" + (f"; handler {handler.display_name}" if handler else ""))
        record_case(session, case)
        audit.record(session, ctx, "complaint.escalate", "case", case.ref, {"stage": policy.number})


def complaint_stage_of(ctx: ServiceContext, ref: str) -> int:
    """The complaint's current stage number."""
    ctx.require("case.view")
    with session_scope(ctx.engine) as session:
        return _current_stage(session, case_by_ref(session, ref)).stage


__all__ = ["CASE_CHANNEL", "RESPONSE_OUTCOMES", "acknowledge_complaint", "complaint_clocks", "escalate_complaint",
           "extend_complaint", "respond_complaint", "scheme_for", "start_complaint"]
