"""Ending a duty for deliberate and unreasonable refusal to co-operate (s193B): a proposal after the
warning, signed off by a second officer.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from duty_tui.areas.housing_options.db.models import HomelessNonCooperation, HomelessNotice
from duty_tui.areas.housing_options.domain.casework import NonCooperationFacts, non_cooperation_problems
from duty_tui.areas.housing_options.domain.letters import bullet_lines, long_date
from duty_tui.areas.housing_options.services.case_versions import bump_version
from duty_tui.areas.housing_options.services.case_view import NoticeView
from duty_tui.areas.housing_options.services.common import (
    housing_reference,
    load_case,
    problems_error,
    refresh_case,
    stored_id,
)
from duty_tui.areas.housing_options.services.letters import render_letter
from duty_tui.areas.housing_options.services.moves import apply_move
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import StaffUser
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext


def propose_non_cooperation(ctx: ServiceContext, case_ref: str, reasons: str) -> int:
    """Propose a s193B notice (needs a warning on record); a second officer must sign it off."""
    actor = ctx.require("homelessness.assess")
    ref = housing_reference(ctx)
    reasons = (reasons or "").strip()
    if not reasons:
        raise InputError("say which steps the applicant deliberately and unreasonably refused to take")
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        warning = session.exec(select(HomelessNotice).where(
            HomelessNotice.homeless_case_id == hc.id, HomelessNotice.notice_type == "s193b_warning")
            .order_by(col(HomelessNotice.issued_on).desc())).first()
        problems = []
        if hc.stage not in ("prevention", "relief"):
            problems.append("a s193B notice ends the prevention or relief duty; this case is at neither")
        if warning is None:
            problems.append("no relevant warning is on record: issue the s193B(5) warning letter first (s193B(4)(a))")
        elif ctx.today() < warning.issued_on + timedelta(days=ref.policy.min_days_after_warning):
            earliest = warning.issued_on + timedelta(days=ref.policy.min_days_after_warning)
            problems.append(f"a reasonable period has not passed since the warning of {warning.issued_on:%d/%m/%Y} "
                            f"(s193B(4)(b); council policy {ref.policy.min_days_after_warning} days: not before "
                            f"{earliest:%d/%m/%Y})")
        pending = session.exec(select(HomelessNonCooperation).where(
            HomelessNonCooperation.homeless_case_id == hc.id, HomelessNonCooperation.status == "proposed")).first()
        if pending is not None:
            problems.append("a s193B notice is already awaiting sign-off on this case")
        if problems:
            raise problems_error("the s193B notice cannot be proposed yet", problems)
        assert warning is not None
        proposal = HomelessNonCooperation(homeless_case_id=stored_id(hc), warning_notice_id=stored_id(warning), duty_stage=hc.stage,
                                          reasons=reasons, proposed_by=actor.id, proposed_at=ctx.now())
        session.add(proposal)
        session.flush()
        record_case(session, case)
        audit.record(session, ctx, "housing.s193b_proposed", "case", case.ref, {"proposal": proposal.id})
        return stored_id(proposal)


def sign_off_non_cooperation(ctx: ServiceContext, case_ref: str, proposal_id: int) -> NoticeView:
    """Authorise a proposed s193B notice as the second officer: issue it and end the duty.

    Refused unless a warning is on record, a reasonable period has passed, and the signer is a
    different officer, not involved, at least as senior (SI 2018/223 reg 3).
    """
    actor = ctx.require("homelessness.decide")
    ref = housing_reference(ctx)
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        proposal = session.get(HomelessNonCooperation, proposal_id)
        if proposal is None or proposal.homeless_case_id != hc.id:
            raise NotFound(f"no s193B proposal {proposal_id} on {case.ref}")
        if proposal.status != "proposed":
            raise InputError(f"that proposal is already {proposal.status.replace('_', ' ')}")
        warning = session.get(HomelessNotice, proposal.warning_notice_id)
        proposer = session.get(StaffUser, proposal.proposed_by) if proposal.proposed_by else None
        facts = NonCooperationFacts(
            duty_stage=hc.stage, warning_issued_on=warning.issued_on if warning else None,
            warning_issued_by=warning.officer_id if warning else None,
            proposed_by=proposal.proposed_by or -1, proposed_role=proposer.role if proposer else "",
            authoriser=actor.id if actor.id is not None else -2, authoriser_role=actor.role,
            authoriser_can_decide=ctx.can("homelessness.decide"), on=today,
            min_days_after_warning=ref.policy.min_days_after_warning, seniority=ref.policy.seniority)
        problems = non_cooperation_problems(facts)
        if problems:
            raise problems_error("the s193B notice cannot be signed off", problems)
        assert warning is not None  # non_cooperation_problems refuses a notice without its warning
        proposer_name = proposer.display_name if proposer else "the proposing officer"
        ended = hc.stage
        extra = {"reasons": bullet_lines([proposal.reasons]), "warning_date": long_date(warning.issued_on),
                 "authorised_by": actor.display_name, "officer_name": proposer_name, "ended_on": long_date(today)}
        title, text, last_day, kind = render_letter(session, ctx, case, hc, "s193b_notice", today, extra)
        notice = HomelessNotice(homeless_case_id=hc.id, notice_type="s193b_notice", title=title, issued_on=today,
                                issued_at=ctx.now(), officer_id=proposal.proposed_by, authorised_by=actor.id, body=text,
                                review_kind=kind, review_last_day=last_day)
        session.add(notice)
        session.flush()
        proposal.status, proposal.signed_off_by, proposal.signed_off_at = "signed_off", actor.id, ctx.now()
        proposal.notice_id = notice.id
        proposal.version += 1
        session.add(proposal)
        apply_move(session, ctx, hc, "closed", "non_cooperation", today,
                     note=f"s193B notice authorised by {actor.display_name}")
        session.flush()
        bump_version(session, hc, None)
        refresh_case(session, ctx, case, hc)
        case.outcome = "non_cooperation"
        record_case(session, case)
        audit.record(session, ctx, "housing.s193b_signed_off", "case", case.ref,
                     {"proposal": proposal_id, "notice": notice.id, "duty": ended})
        return NoticeView(stored_id(notice), "s193b_notice", title, today, proposer_name, kind, last_day, text)
