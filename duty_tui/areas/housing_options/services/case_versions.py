"""A case's version: the optimistic lock every change takes, and the conflict shown when someone
else saved first (who, when, and both sides' answers).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessMove
from duty_tui.areas.housing_options.domain.casework import STAGE_WORDS
from duty_tui.areas.housing_options.services.common import (
    answers_from_case,
    housing_reference,
    stored_id,
    support_needs,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case
from duty_tui.core.domain.errors import ConflictError
from duty_tui.core.services.context import ServiceContext

ANSWER_LABELS = {
    "approach_date": "Approach date", "eligible": "Eligible?", "homeless": "Homeless now?",
    "rough_sleeping": "Sleeping rough", "nowhere_tonight": "Nowhere tonight",
    "domestic_abuse_risk_at_home": "Abuse risk (s177)", "loss_date": "Loss date", "s21_expiry": "s21 expires",
    "priority_state": "Priority need", "priority_grounds": "Priority grounds", "intentional": "Intentional?",
    "local_connection": "Connection", "da_risk_in_connected_area": "Abuse risk there", "relief_start": "Relief began",
    "household": "Others", "pregnant": "Pregnant", "route": "Route", "referral_body": "Referred by",
    "referral_consent": "Consent?", "referral_details": "Referral note", "current_accommodation": "Living now",
    "last_settled_accommodation": "Last settled", "loss_reason": "Reason", "support_needs": "Support needs",
    "support_needs_assessed": "Needs assessed", "safeguarding": "Safeguarding", "safeguarding_notes": "Safeguarding note",
    "eligibility_notes": "Eligibility", "notes": "Notes",
}
"""The approach form's labels (screens/approach.py), for a conflict's side-by-side comparison."""

CONFLICT_TAIL = "your answers are kept — reload (r) and re-apply them"


def answers_as_text(ctx: ServiceContext, answers: dict[str, Any]) -> dict[str, str]:
    """The approach answers as label → text (codes as their names), in form order."""
    from duty_tui.areas.housing_options.domain.reference import PRIORITY_NEED_WORDS, ROUTE_WORDS
    from duty_tui.core.services.conflicts import as_text

    ref = housing_reference(ctx)
    names: dict[str, dict[str, str]] = {
        "route": ROUTE_WORDS, "referral_body": {c: b.name for c, b in ref.referral_bodies.items()},
        "current_accommodation": ref.accommodation, "last_settled_accommodation": ref.accommodation,
        "loss_reason": ref.loss_reasons, "support_needs": ref.support_needs, "priority_grounds": PRIORITY_NEED_WORDS,
    }
    out: dict[str, str] = {}
    for key, label in ANSWER_LABELS.items():
        value = answers.get(key)
        words = names.get(key)
        if words and isinstance(value, list):
            value = [words.get(v, v) for v in value]
        elif words and isinstance(value, str):
            value = words.get(value, value)
        out[label] = as_text(value)
    return out


def _stored_answers(session: Session, hc: HomelessCase) -> dict[str, Any]:
    return answers_from_case(hc, support_needs(session, stored_id(hc)))


def _case_conflict(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, *,
                   answers: dict[str, Any] | None = None, yours: dict[str, Any] | None = None,
                   theirs_answers: dict[str, Any] | None = None) -> ConflictError:
    """Someone saved the case first: who/when and both versions (the answers that differ, or ``yours``)."""
    from duty_tui.core.services.conflicts import build_conflict, differing

    theirs: dict[str, Any] = {"Stage": STAGE_WORDS.get(hc.stage, hc.stage)}
    mine: dict[str, Any] = dict(yours or {})
    if answers is None:
        move = session.exec(select(HomelessMove).where(HomelessMove.homeless_case_id == hc.id)
                            .order_by(col(HomelessMove.id).desc()).limit(1)).first()
        if move is not None:
            exit_def = housing_reference(ctx).exit(move.from_stage, move.reason)
            theirs["Change"] = f"{exit_def.name if exit_def else move.reason} (on {move.on_date:%d/%m/%Y})"
            theirs["Note"] = move.note or ""
    if answers is not None:
        stored = theirs_answers if theirs_answers is not None else _stored_answers(session, hc)
        given = {k: answers.get(k, stored.get(k)) for k in ANSWER_LABELS}
        t, y = differing(answers_as_text(ctx, stored), answers_as_text(ctx, given), keep=["Notes"])
        theirs, mine = t, y
    return build_conflict(session, what=f"case {case.ref}", entity="case", entity_id=case.ref, theirs=theirs,
                          yours=mine, version=hc.version, tail=CONFLICT_TAIL)


def check_version(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, seen: int | None, *,
                   answers: dict[str, Any] | None = None, yours: dict[str, Any] | None = None) -> None:
    if seen is not None and hc.version != seen:
        raise _case_conflict(session, ctx, case, hc, answers=answers, yours=yours)


def _fresh_answers(ctx: ServiceContext, hc_id: int) -> tuple[HomelessCase, dict[str, Any]]:
    """The case as committed now, read outside this transaction (whose own changes are not saved)."""
    with session_scope(ctx.engine) as other:
        fresh = other.get(HomelessCase, hc_id)
        assert fresh is not None
        stored = _stored_answers(other, fresh)
        other.expunge(fresh)
        return fresh, stored


def bump_version(session: Session, hc: HomelessCase, seen: int | None, *, ctx: ServiceContext | None = None,
          case: Case | None = None, answers: dict[str, Any] | None = None,
          yours: dict[str, Any] | None = None) -> None:
    """Optimistic lock: UPDATE ... SET version = version + 1 WHERE version = :seen."""
    from sqlalchemy import update

    expected = hc.version if seen is None else seen
    result = session.exec(update(HomelessCase).where(col(HomelessCase.id) == hc.id, col(HomelessCase.version) == expected)
                          .values(version=expected + 1))
    if result.rowcount != 1:
        if ctx is not None and case is not None:
            # Our own changes are flushed into this (doomed) transaction: read theirs from the database.
            fresh, stored = _fresh_answers(ctx, stored_id(hc))
            raise _case_conflict(session, ctx, case, fresh, answers=answers, yours=yours, theirs_answers=stored)
        raise ConflictError("someone else changed this case just now; " + CONFLICT_TAIL)
    session.refresh(hc)
