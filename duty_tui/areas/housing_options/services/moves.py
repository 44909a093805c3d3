"""Moving a case from stage to stage (a duty decision or ending): the checks and the duty dates.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessMove
from duty_tui.areas.housing_options.domain.casework import DAYS_56, STAGE_WORDS, check_move, next_plan_review
from duty_tui.areas.housing_options.services.case_versions import bump_version, check_version
from duty_tui.areas.housing_options.services.common import housing_reference, load_case, refresh_case, stored_id
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import StaffUser
from duty_tui.core.domain.errors import ConflictError, InputError
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext


def apply_move(session: Session, ctx: ServiceContext, hc: HomelessCase, to_stage: str, reason: str, on: date,
                 note: str | None = None, final_decision: str | None = None,
                 accommodation: str | None = None) -> HomelessMove:
    """Record a checked stage move and set the case's duty dates (no permission check here)."""
    ref = housing_reference(ctx)
    from_stage = hc.stage
    problem = check_move(from_stage, to_stage)
    if problem:
        raise InputError(problem)
    exit_def = ref.exit(from_stage, reason)
    if exit_def is None:
        choices = ", ".join(ref.exits.get(from_stage, {}))
        raise InputError(f"{reason!r} is not a way {STAGE_WORDS[from_stage]} ends; choose one of: {choices}")
    if to_stage not in exit_def.leads_to:
        raise InputError(f"'{exit_def.name}' leads to {', '.join(STAGE_WORDS[s] for s in exit_def.leads_to)}, "
                         f"not {STAGE_WORDS[to_stage]}")
    if from_stage == "relief" and reason == "days_56_elapsed":
        if final_decision is None:
            raise InputError("when relief ends after 56 days, record the decision (main duty, intentional, "
                             "not in priority need ...)")
        if final_decision not in ref.final_decisions:
            raise InputError(f"{final_decision!r} is not a known decision")
        if ref.final_decisions[final_decision][1] != to_stage:
            raise InputError(f"the decision '{ref.final_decisions[final_decision][0]}' leads to "
                             f"{STAGE_WORDS[ref.final_decisions[final_decision][1]]}, not {STAGE_WORDS[to_stage]}")
        if on < (hc.relief_start or hc.approach_date) + DAYS_56 and final_decision in ("main_duty",):
            raise InputError(f"the main duty can only follow relief's 56 days (s193(1)); relief runs to "
                             f"{(hc.relief_start or hc.approach_date) + DAYS_56:%d/%m/%Y}")
    elif final_decision is not None:
        raise InputError("a main duty decision is recorded only when relief ends after 56 days")
    if on > ctx.today():
        raise InputError(f"the date of the move cannot be after today ({ctx.today():%d/%m/%Y})")
    if on < hc.approach_date:
        raise InputError(f"the date of the move cannot be before the approach ({hc.approach_date:%d/%m/%Y})")
    last = session.exec(select(func.max(HomelessMove.on_date)).where(HomelessMove.homeless_case_id == hc.id)).one()
    if last is not None and on < last:
        raise InputError(f"the date of the move cannot be before the previous move ({last:%d/%m/%Y})")
    if accommodation is not None and accommodation not in ref.accommodation:
        raise InputError(f"{accommodation!r} is not a known accommodation type")

    if from_stage == "triage":
        hc.assessed_on = on
        hc.assessment_duty = exit_def.assessment
    if from_stage == "prevention":
        hc.prevention_end, hc.prevention_outcome = on, reason
        hc.prevention_accommodation = accommodation
    if from_stage == "relief":
        hc.relief_end, hc.relief_outcome = on, reason
        hc.relief_accommodation = accommodation
    if from_stage in ("main_duty", "intentional"):
        hc.main_duty_end, hc.main_duty_outcome = on, reason
    if to_stage == "prevention":
        hc.prevention_start = on
    if to_stage == "relief":
        # Relief runs from the approach when owed at assessment, else from the day it began;
        # it is owed because the council is satisfied the applicant is homeless and eligible (s189B(1)).
        hc.relief_start = hc.relief_start if (from_stage == "triage" and hc.relief_start) else on
        hc.homeless, hc.eligible = True, True
    if to_stage == "prevention":
        hc.eligible = True
    if final_decision is not None:
        hc.final_decision, hc.final_decision_on = final_decision, on
    if to_stage == "closed":
        hc.closed_on = on
    if to_stage in ("prevention", "relief") and hc.plan_review_on is None:
        hc.plan_review_on = next_plan_review(on, ref.policy.plan_review_weeks)
    hc.stage = to_stage
    move = HomelessMove(homeless_case_id=stored_id(hc), at=ctx.now(), on_date=on, from_stage=from_stage, to_stage=to_stage,
                        reason=reason, final_decision=final_decision, note=(note or "").strip() or None,
                        officer_id=ctx.actor.id if ctx.actor else None)
    session.add(move)
    session.add(hc)
    return move


def record_move(ctx: ServiceContext, case_ref: str, version: int | None, to_stage: str, reason: str,
                on: date | None = None, note: str | None = None, final_decision: str | None = None,
                accommodation: str | None = None) -> int:
    """Move a case to its next stage (a duty decision or ending); returns the new version."""
    ctx.require("homelessness.decide")
    try:
        return _record_move_once(ctx, case_ref, version, to_stage, reason, on, note, final_decision, accommodation)
    except ConflictError as error:
        if to_stage == "closed":
            raise _closed_first(ctx, case_ref, error) from None
        raise


def _closed_first(ctx: ServiceContext, case_ref: str, error: ConflictError) -> ConflictError:
    """A close that lost to another officer's: 'already closed by NAME at TIME (why)' when the case is now
    closed (read after the losing transaction rolled back), else the conflict as it was."""
    from duty_tui.core.domain.local_time import format_local

    with session_scope(ctx.engine) as session:
        case, hc = load_case(session, case_ref)
        move = session.exec(select(HomelessMove).where(HomelessMove.homeless_case_id == hc.id)
                            .order_by(col(HomelessMove.id).desc()).limit(1)).first()
        if hc.stage != "closed" or move is None or move.to_stage != "closed":
            return error
        officer = session.get(StaffUser, move.officer_id) if move.officer_id else None
        who = officer.display_name if officer else "someone else"
        exit_def = housing_reference(ctx).exit(move.from_stage, move.reason)
        return ConflictError(f"case {case.ref} was already closed by {who} at "
                             f"{format_local(move.at, '%H:%M on %d/%m/%Y')} "
                             f"({exit_def.name if exit_def else move.reason}); nothing was changed",
                             record=error.record, changed_by=who, changed_at=move.at, theirs=error.theirs,
                             yours=error.yours, version=hc.version)


def _record_move_once(ctx: ServiceContext, case_ref: str, version: int | None, to_stage: str, reason: str,
                      on: date | None, note: str | None, final_decision: str | None,
                      accommodation: str | None) -> int:
    ref = housing_reference(ctx)
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        exit_def = ref.exit(hc.stage, reason)
        if exit_def is not None and exit_def.s193b:
            raise InputError("ending a duty for non-cooperation needs a s193B notice: give the warning letter, then "
                             "propose the notice (n) for a second officer to sign off")
        exit_name = exit_def.name if exit_def is not None else reason
        yours = {"Stage": STAGE_WORDS.get(to_stage, to_stage), "Change": exit_name, "Note": note or ""}
        check_version(session, ctx, case, hc, version, yours=yours)
        before = hc.stage
        apply_move(session, ctx, hc, to_stage, reason, on or ctx.today(), note, final_decision, accommodation)
        session.flush()
        bump_version(session, hc, version, ctx=ctx, case=case, yours=yours)
        refresh_case(session, ctx, case, hc)
        if to_stage == "closed":
            case.outcome = reason[:64]
        record_case(session, case)
        audit.record(session, ctx, "housing.stage_moved", "case", case.ref,
                     {"from": before, "to": to_stage, "reason": reason, "final_decision": final_decision})
        return hc.version
