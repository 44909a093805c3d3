"""Repairs and hazards reported at the desk: the priority's target and, in England, Awaab's Law.

A damp-and-mould report or an emergency hazard starts the Awaab's Law clocks when the desk logs
it (``domain.hazards``); every repair also carries its priority target from
``data/frontdesk/repair_priorities.toml`` (Scotland: the right-to-repair 1/3/7 working days). The case's
``due_at`` is always the earliest step still to do.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from duty_tui.areas.frontdesk.db.models import RepairDetail
from duty_tui.areas.frontdesk.domain import hazards
from duty_tui.areas.frontdesk.domain.reference import RepairPriority
from duty_tui.areas.frontdesk.domain.rules import deadline_at, end_of_day_utc
from duty_tui.areas.frontdesk.services.common import add_event, calendar_for, fd_reference
from duty_tui.areas.frontdesk.services.routing import ClockLine, _changed, _load_for_change
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case
from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.local_time import display_date, local_date
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext

STEPS = {
    "made_safe": "Made safe (emergency)",
    "investigated": "Investigation concluded",
    "summary_sent": "Written summary sent to the tenant",
    "safety_works_done": "Safety work done",
    "further_started": "Further work: steps taken to begin",
    "further_begun": "Further work physically begun",
    "completed": "Repair completed",
}


def priorities_for(ctx: ServiceContext) -> list[RepairPriority]:
    """The repair priorities offered in this office's jurisdiction."""
    return [p for p in fd_reference(ctx).repair_priorities.values() if p.offered_in(ctx.settings.jurisdiction)]


def _priority(ctx: ServiceContext, code: str, intake: str) -> RepairPriority:
    ref = fd_reference(ctx)
    code = code or ref.default_repair_priority(intake, ctx.settings.jurisdiction)
    priority = ref.repair_priorities.get(code)
    if priority is None or not priority.offered_in(ctx.settings.jurisdiction):
        offered = ", ".join(p.code for p in priorities_for(ctx))
        raise InputError(f"repair priority: {code!r} is not offered here; choose one of {offered}")
    return priority


def _pending(ctx: ServiceContext, repair: RepairDetail) -> list[tuple[str, datetime, str]]:
    """(what, due moment, clock kind) for every step still to do; Awaab's Law steps first, so they win ties."""
    out: list[tuple[str, datetime, str]] = []
    if repair.awaab:
        if repair.hazard == "emergency" and repair.made_safe_at is None and repair.emergency_due_at:
            out.append(("Awaab's Law: make safe (24 h)", repair.emergency_due_at, "hours"))
        if repair.hazard == "damp_mould":
            for step in _damp_steps(ctx, repair):
                if step.done_on is None and step.due is not None:
                    out.append((f"Awaab's Law: {step.name.lower()}", end_of_day_utc(step.due), "working_days"))
    if repair.completed_at is None and repair.target_at is not None:
        priority = fd_reference(ctx).repair_priorities.get(repair.priority)
        kind = "hours" if priority is not None and priority.kind == "hours" else "working_days"
        out.append((f"Repair target ({repair.priority})", repair.target_at, kind))
    return out


def _damp_steps(ctx: ServiceContext, repair: RepairDetail) -> list[hazards.HazardStep]:
    clock = hazards.damp_mould_clock(local_date(repair.aware_at), calendar_for(ctx),
                                     investigated_on=repair.investigated_on,
                                     significant=repair.significant is not False)
    steps = hazards.damp_mould_steps(clock, summary_sent=repair.summary_sent_on, safety_done=repair.safety_works_done_on,
                                     further_started=repair.further_started_on, further_begun=repair.further_begun_on)
    if repair.significant is False:
        steps = steps[:2]
    return steps


def _due_values(ctx: ServiceContext, repair: RepairDetail) -> dict:
    pending = _pending(ctx, repair)
    if not pending:
        return {"due_at": None, "clock_name": "All steps done", "clock_kind": "working_days"}
    name, due, kind = min(pending, key=lambda p: p[1])
    return {"due_at": due, "clock_name": name[:64], "clock_kind": kind}


def start_repair(session: Session, ctx: ServiceContext, case: Case, *, intake: str, priority_code: str,
                 location: str, aware_at: datetime) -> RepairDetail:
    """The repair detail for ``case`` (in the caller's transaction): target, Awaab's Law clocks, case due."""
    priority = _priority(ctx, priority_code, intake)
    calendar = calendar_for(ctx)
    target = deadline_at(priority.kind, priority.amount, aware_at, calendar)
    hazard = {"damp_mould": "damp_mould", "emergency_hazard": "emergency"}.get(intake, "none")
    awaab = hazard != "none" and hazards.applies_in(ctx.settings.jurisdiction)
    repair = RepairDetail(case_id=case.id, priority=priority.code, target_at=target, location=location.strip() or None,
                          hazard=hazard, awaab=awaab, aware_at=aware_at)
    if awaab and hazard == "emergency":
        repair.emergency_due_at = hazards.emergency_due(aware_at)
    if awaab and hazard == "damp_mould":
        repair.investigate_due = hazards.damp_mould_clock(local_date(aware_at), calendar).investigate_due
    session.add(repair)
    values = _due_values(ctx, repair)
    case.due_at, case.clock_name, case.clock_kind = values["due_at"], values["clock_name"], values["clock_kind"]
    case.clock_started_at = aware_at
    if hazard == "emergency" or priority.kind == "hours":
        case.priority = "emergency"
    session.add(case)
    lines = [f"{priority.name}: target {_when(target, priority.kind)}"]
    if repair.emergency_due_at:
        lines.append(f"Awaab's Law: make safe by {_when(repair.emergency_due_at, 'hours')}")
    if repair.investigate_due:
        lines.append(f"Awaab's Law: investigate by {display_date(repair.investigate_due, weekday=True)}")
    add_event(session, ctx, case, "clock", "; ".join(lines)[:200])
    return repair


def _when(moment: datetime | None, kind: str) -> str:

    if moment is None:
        return "—"
    return display_date(moment, weekday=True, hours=kind == "hours")


def repair_clocks(ctx: ServiceContext, repair: RepairDetail) -> list[ClockLine]:
    """The repair's due dates (target, Awaab's Law steps) and when each was done."""
    ref = fd_reference(ctx)
    priority = ref.repair_priorities.get(repair.priority)
    kind = priority.kind if priority else "working_days"
    target_due = repair.target_at if kind == "hours" else (local_date(repair.target_at) if repair.target_at else None)
    lines = [ClockLine(f"Repair target ({repair.priority.replace('_', ' ')})", target_due, kind,
                       local_date(repair.completed_at) if repair.completed_at else None)]
    if repair.awaab and repair.hazard == "emergency":
        lines.append(ClockLine("Awaab's Law: investigate and make safe (24 h)", repair.emergency_due_at, "hours",
                               repair.made_safe_at))
    if repair.awaab and repair.hazard == "damp_mould":
        for step in _damp_steps(ctx, repair):
            note = "" if step.due is not None else "after investigation"
            if step.name.startswith("Further work: begun"):
                note = note or "12 weeks from investigation"
            lines.append(ClockLine(f"Awaab's Law: {step.name}", step.due, "working_days", step.done_on, note))
    if repair.hazard != "none" and not repair.awaab:
        lines.append(ClockLine("Awaab's Law does not apply in this jurisdiction", None, "working_days"))
    return lines


def record_repair_step(ctx: ServiceContext, ref: str, seen_version: int, step: str, on: date | None = None,
                       *, significant: bool | None = None) -> None:
    """Record a step done (made safe, investigated — saying if the hazard is significant —, summary sent, ...)."""
    ctx.require("case.manage")
    if step not in STEPS:
        raise InputError(f"step: one of {', '.join(STEPS)}")
    today = ctx.today()
    day = on or today
    if day > today:
        raise InputError("the date is in the future")
    yours = {"Change": f"{STEPS[step]} on {day:%d/%m/%Y}"}
    with session_scope(ctx.engine, write=True) as session:
        case = _load_for_change(session, ref, ctx, seen_version, yours)
        repair = session.exec(select(RepairDetail).where(RepairDetail.case_id == case.id)).first()
        if repair is None:
            raise InputError(f"case {case.ref} is not a repair reported at the desk")
        if day < local_date(repair.aware_at):
            raise InputError("the date is before the repair was reported")
        now = ctx.now()
        if step == "made_safe":
            repair.made_safe_at = now if on is None else end_of_day_utc(day)
        elif step == "investigated":
            if repair.investigated_on is not None:
                raise InputError("the investigation has already been recorded")
            repair.investigated_on = day
            repair.significant = True if significant is None else significant
            clock = hazards.damp_mould_clock(local_date(repair.aware_at), calendar_for(ctx), investigated_on=day,
                                             significant=repair.significant)
            repair.summary_due = clock.summary_due
            repair.safety_works_due = clock.safety_works_due
            repair.further_start_due = clock.further_works_start_due
            repair.further_begun_by = clock.further_works_begun_by
        elif step == "summary_sent":
            repair.summary_sent_on = day
        elif step == "safety_works_done":
            repair.safety_works_done_on = day
        elif step == "further_started":
            repair.further_started_on = day
        elif step == "further_begun":
            repair.further_begun_on = day
        elif step == "completed":
            repair.completed_at = now if on is None else end_of_day_utc(day)
        session.add(repair)
        _changed(session, ctx, case, seen_version, _due_values(ctx, repair), yours)
        extra = ""
        if step == "investigated":
            extra = " — significant hazard" if repair.significant else " — not a significant hazard"
        add_event(session, ctx, case, "clock", f"{STEPS[step]} on {display_date(day, weekday=True)}{extra}")
        record_case(session, case)
        audit.record(session, ctx, "repair.step", "case", case.ref, {"step": step})
