"""Reviews of decisions (s202): the request, its decision deadline (reg 9), and the decision.
"""

from __future__ import annotations

from datetime import date

from duty_tui.areas.housing_options.db.models import HomelessNotice, HomelessReview
from duty_tui.areas.housing_options.domain.casework import REVIEW_WEEKS, check_review_request, review_decision_due
from duty_tui.areas.housing_options.services.case_view import ReviewView
from duty_tui.areas.housing_options.services.common import load_case, refresh_case, stored_id
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext


def request_review(ctx: ServiceContext, case_ref: str, notice_id: int, requested_on: date | None = None,
                   kind: str | None = None, late_allowed: bool = False) -> ReviewView:
    """Record a s202 review request against a notice; sets the decision deadline (reg 9)."""
    ctx.require("homelessness.assess")
    requested_on = requested_on or ctx.today()
    if requested_on > ctx.today():
        raise InputError("the request date cannot be in the future")
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        notice = session.get(HomelessNotice, notice_id)
        if notice is None or notice.homeless_case_id != hc.id:
            raise NotFound(f"no notice {notice_id} on {case.ref}")
        kind = kind or notice.review_kind
        if kind is None:
            raise InputError(f"'{notice.title}' carries no right to a review; choose the decision letter instead")
        if kind not in REVIEW_WEEKS:
            raise InputError(f"review kind must be one of {', '.join(REVIEW_WEEKS)}")
        problem = check_review_request(notice.issued_on, requested_on, late_allowed=late_allowed)
        if problem:
            raise InputError(problem)
        due = review_decision_due(requested_on, kind)
        review = HomelessReview(homeless_case_id=hc.id, notice_id=notice.id, kind=kind, requested_on=requested_on,
                                late_allowed=late_allowed, decision_due=due)
        session.add(review)
        session.flush()
        refresh_case(session, ctx, case, hc)  # a review on a closed case keeps it on the queue
        record_case(session, case)
        audit.record(session, ctx, "housing.review_requested", "case", case.ref,
                     {"review": review.id, "kind": kind, "due": due})
        return ReviewView(stored_id(review), kind, requested_on, due, None, None, notice.title)


def decide_review(ctx: ServiceContext, case_ref: str, review_id: int, outcome: str, decided_on: date | None = None,
                  notes: str | None = None) -> None:
    """Record the review decision (upheld, overturned or withdrawn)."""
    ctx.require("homelessness.decide")
    if outcome not in ("upheld", "overturned", "withdrawn"):
        raise InputError("outcome must be upheld, overturned or withdrawn")
    decided_on = decided_on or ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        review = session.get(HomelessReview, review_id)
        if review is None or review.homeless_case_id != hc.id:
            raise NotFound(f"no review {review_id} on {case.ref}")
        if review.decided_on is not None:
            raise InputError("that review is already decided")
        if decided_on < review.requested_on:
            raise InputError("the decision cannot be before the request")
        review.outcome, review.decided_on = outcome, decided_on
        review.reviewer_id = ctx.actor.id if ctx.actor else None
        review.notes = (notes or "").strip() or None
        review.version += 1
        session.add(review)
        session.flush()
        refresh_case(session, ctx, case, hc)
        record_case(session, case)
        audit.record(session, ctx, "housing.review_decided", "case", case.ref,
                     {"review": review_id, "outcome": outcome, "late": decided_on > review.decision_due})
