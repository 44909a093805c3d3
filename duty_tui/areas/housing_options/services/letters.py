"""Letters and notices: rendered from the templates, previewed, issued (with their review deadline)
and printed exactly as issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessMove, HomelessNotice, HomelessPlanStep
from duty_tui.areas.housing_options.domain.casework import DAYS_56, REVIEW_WEEKS, STAGE_WORDS, review_request_last_day
from duty_tui.areas.housing_options.domain.homelessness import loss_date_unknown
from duty_tui.areas.housing_options.domain.letters import (
    address_block,
    bullet_lines,
    letter_duty_line,
    letter_outstanding,
    letter_reasons,
    long_date,
    render,
)
from duty_tui.areas.housing_options.domain.reference import HousingReference
from duty_tui.areas.housing_options.services.applicant import applicant_address
from duty_tui.areas.housing_options.services.case_view import NoticeView
from duty_tui.areas.housing_options.services.common import (
    assess_case,
    housing_reference,
    load_case,
    stored_id,
    support_needs,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, Office, Person
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext


@dataclass(frozen=True)
class LetterPreview:
    """A letter rendered but not yet issued."""

    code: str
    title: str
    text: str
    review_last_day: date | None


def _office_name(session: Session, ctx: ServiceContext) -> str:
    office = session.exec(select(Office).where(Office.code == ctx.settings.office_code)).first()
    return office.name if office else ctx.settings.office_name


def _letter_values(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, code: str, on: date,
                   extra: dict[str, str] | None) -> dict[str, str]:
    """The values a letter template fills in: who and where, the decision and duties, the plan, the duty
    that ended; ``extra`` overrides any of them."""
    ref = housing_reference(ctx)
    person = session.get(Person, hc.person_id) if hc.person_id else None
    values = _heading_values(session, ctx, case, hc, person, code, on)
    _decision_values(values, hc, person, support_needs(session, stored_id(hc)), on)
    _duty_dates(values, hc)
    _plan_values(values, session, hc)
    if hc.stage in _DUTY_WORDS:
        values["ended_duty"] = _DUTY_WORDS[hc.stage]
    if code == "duty_end":
        _ended_duty_values(values, session, ref, hc)
    if code == "s193b_warning":
        values["act_by"] = long_date(on + timedelta(days=ref.policy.min_days_after_warning))
    for key, value in (extra or {}).items():
        if key in values:
            values[key] = value
    return values


_DECISION_WORDS = {
    "ineligible": "You are not eligible for assistance (section 185). We owe you free advice and "
                  "information about homelessness (section 179), but no further duty.",
    "homeless": "You are homeless (section 175).",
    "threatened": "You are threatened with homelessness within 56 days (section 175(4) and (5)).",
    "not_threatened": "You are not homeless and not threatened with homelessness within 56 days. We owe "
                      "you free advice and information (section 179).",
    "loss_date_unknown": "You are not homeless now. We have not yet decided whether you are threatened "
                         "with homelessness: we need to know when you may lose your home. Until then we "
                         "owe you free advice and information (section 179).",
    "undetermined": "We have not yet decided whether you are homeless; our inquiries continue.",
}
"""The decision in the applicant's words, by the engine's status."""

_DUTY_WORDS = {"prevention": "prevention duty (section 195(2))", "relief": "relief duty (section 189B(2))",
               "main_duty": "main housing duty (section 193(2))",
               "intentional": "duty to accommodate for a reasonable period (section 190(2))"}
"""The duties a letter can say have ended, by the stage they ran in."""


def _heading_values(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, person: Person | None,
                    code: str, on: date) -> dict[str, str]:
    """Who the letter is to and from, the case, the review deadline; every other value blank."""
    letter = housing_reference(ctx).letters[code]
    review_kind = letter.review
    if code == "s193b_notice" and hc.stage == "relief":
        review_kind = "standard"  # reg 9(1)(b)(ii): a s193B notice ending relief
    last_day = review_request_last_day(on) if review_kind else None
    name = f"{person.title + ' ' if person and person.title else ''}{person.forename} {person.surname}" if person \
        else "the applicant"
    office = _office_name(session, ctx)
    return {
        "office_name": office, "date": long_date(on), "applicant_name": name,
        "applicant_address": address_block(applicant_address(session, hc, person), collect_from=office),
        "case_ref": case.ref, "approach_date": long_date(hc.approach_date),
        "review_last_day": long_date(last_day) if last_day else "",
        "review_weeks": str(REVIEW_WEEKS.get(review_kind or "standard", 8)),
        "officer_name": ctx.actor.display_name if ctx.actor else "Housing options",
        "decision": "", "duties": "", "reasons": "", "outstanding": "", "interim": "", "duty_start": "",
        "duty_until": "", "ended_duty": "", "ended_on": "", "end_reason": "", "applicant_steps": "",
        "council_steps": "", "plan_review_on": long_date(hc.plan_review_on) if hc.plan_review_on else "",
        "authorised_by": "", "warning_date": "", "act_by": "",
    }


def _decision_values(values: dict[str, str], hc: HomelessCase, person: Person | None, needs: list[str],
                     on: date) -> None:
    """The decision, the duties owed and why, what is still being looked into, and interim accommodation."""
    _check, assessment, approach = assess_case(hc, needs, person.date_of_birth if person else None, on)
    if assessment is None:
        return
    unknown_loss = approach is not None and assessment.status == "not_threatened" and loss_date_unknown(approach)
    values["decision"] = _DECISION_WORDS["loss_date_unknown" if unknown_loss else assessment.status] \
        if assessment.status in _DECISION_WORDS else assessment.status
    if assessment.status == "homeless" and hc.eligible is True:
        values["decision"] += " You are eligible for assistance."
    # The applicant's words, not the engine's (no "intentional: if not intentional: …" in a letter).
    values["duties"] = bullet_lines([letter_duty_line(d, on) for d in assessment.duties])
    values["reasons"] = bullet_lines(letter_reasons(assessment.reasons))
    pending = letter_outstanding(assessment.outstanding, loss_date_unknown=unknown_loss)
    if pending:
        values["outstanding"] = "WHAT WE ARE STILL LOOKING INTO\n\nWe have not yet decided:\n\n" + bullet_lines(pending)
    for duty in assessment.duties:
        if duty.duty in ("prevention", "relief"):
            values["duty_start"] = long_date(duty.start)
            values["duty_until"] = long_date(duty.until) if duty.until else ""
        if duty.duty == "interim_accommodation":
            values["interim"] = ("INTERIM ACCOMMODATION\n\nWe have reason to believe you may be homeless, "
                                 "eligible and in priority need, so we must make sure suitable accommodation is "
                                 f"available for you from {long_date(duty.start)} while we make our decision "
                                 "(section 188).")


def _duty_dates(values: dict[str, str], hc: HomelessCase) -> None:
    """The running duty's dates as recorded on the case (over the engine's reading of the answers)."""
    if hc.stage == "relief" and hc.relief_start:
        values["duty_start"] = long_date(hc.relief_start)
        values["duty_until"] = long_date(hc.relief_start + DAYS_56)
    if hc.stage == "prevention" and hc.prevention_start:
        values["duty_start"] = long_date(hc.prevention_start)
        values["duty_until"] = long_date(hc.prevention_start + DAYS_56)
    if hc.stage == "main_duty" and hc.final_decision_on:
        values["duty_start"] = long_date(hc.final_decision_on)


def _plan_values(values: dict[str, str], session: Session, hc: HomelessCase) -> None:
    """The plan's steps, the applicant's and the council's, each with its date."""
    steps = session.exec(select(HomelessPlanStep).where(HomelessPlanStep.homeless_case_id == hc.id)
                         .order_by(col(HomelessPlanStep.id))).all()
    values["applicant_steps"] = bullet_lines([s.text + (f" (by {long_date(s.due_on)})" if s.due_on else "")
                                              for s in steps if s.party == "applicant"])
    values["council_steps"] = bullet_lines([s.text + (f" (by {long_date(s.due_on)})" if s.due_on else "")
                                            for s in steps if s.party == "council"])


def _ended_duty_values(values: dict[str, str], session: Session, ref: HousingReference, hc: HomelessCase) -> None:
    """The duty-end letter: the duty that ended last, when and why; InputError if none has."""
    last_move = session.exec(select(HomelessMove).where(HomelessMove.homeless_case_id == hc.id,
                                                        col(HomelessMove.from_stage).in_(tuple(_DUTY_WORDS)))
                             .order_by(col(HomelessMove.id).desc())).first()
    if last_move is None:
        raise InputError("no duty has ended on this case yet; record the ending first (m)")
    exit_def = ref.exit(last_move.from_stage, last_move.reason)
    values["ended_duty"] = _DUTY_WORDS[last_move.from_stage]
    values["ended_on"] = long_date(last_move.on_date)
    values["end_reason"] = exit_def.name if exit_def else last_move.reason
    if last_move.final_decision:
        values["end_reason"] += f". Our decision: {ref.final_decisions[last_move.final_decision][0]}."
    if last_move.note:
        values["reasons"] = bullet_lines([last_move.note])


def render_letter(session: Session, ctx: ServiceContext, case: Case, hc: HomelessCase, code: str, on: date,
                   extra: dict[str, str] | None) -> tuple[str, str, date | None, str | None]:
    ref = housing_reference(ctx)
    letter = ref.letters.get(code)
    if letter is None:
        raise InputError(f"no letter template {code!r}; choose one of: {', '.join(ref.letters)}")
    if letter.needs and hc.stage not in letter.needs:
        raise InputError(f"'{letter.title}' is for a case at {', '.join(STAGE_WORDS[s] for s in letter.needs)}; "
                         f"this case is at {STAGE_WORDS[hc.stage]}")
    values = _letter_values(session, ctx, case, hc, code, on, extra)
    try:
        text = render(letter.template, values)
    except KeyError as exc:
        raise InputError(f"the template {letter.path.name} needs a value for {{{exc.args[0]}}}") from None
    review_kind = letter.review
    if code == "s193b_notice" and hc.stage == "relief":
        review_kind = "standard"
    return letter.title, text, review_request_last_day(on) if review_kind else None, review_kind


def preview_letter(ctx: ServiceContext, case_ref: str, code: str, extra: dict[str, str] | None = None) -> LetterPreview:
    """The letter as it would be issued today (nothing is recorded)."""
    ctx.require("homelessness.assess")
    with session_scope(ctx.engine) as session:
        case, hc = load_case(session, case_ref)
        title, text, last_day, _kind = render_letter(session, ctx, case, hc, code, ctx.today(), extra)
        return LetterPreview(code, title, text, last_day)


def issue_letter(ctx: ServiceContext, case_ref: str, code: str, extra: dict[str, str] | None = None) -> NoticeView:
    """Issue a decision or duty notice: the text is rendered, stored and its review deadline set."""
    ctx.require("homelessness.decide")
    ref = housing_reference(ctx)
    if code in ref.letters and ref.letters[code].issued_by_sign_off:
        raise InputError("a s193B notice is issued only when a second officer signs off the proposal (o)")
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        case, hc = load_case(session, case_ref)
        title, text, last_day, kind = render_letter(session, ctx, case, hc, code, today, extra)
        notice = HomelessNotice(homeless_case_id=stored_id(hc), notice_type=code, title=title, issued_on=today,
                                issued_at=ctx.now(), officer_id=ctx.actor.id if ctx.actor else None, body=text,
                                review_kind=kind, review_last_day=last_day)
        session.add(notice)
        session.flush()
        record_case(session, case)
        audit.record(session, ctx, "housing.letter_issued", "case", case.ref,
                     {"notice": notice.id, "type": code, "review_last_day": last_day})
        return NoticeView(stored_id(notice), code, title, today, ctx.actor.display_name if ctx.actor else None, kind,
                          last_day, text)


def notice_pdf(ctx: ServiceContext, notice_id: int) -> tuple[str, bytes]:
    """(file name, PDF bytes) of an issued notice, exactly as issued."""
    from duty_tui.core.services.pdf import text_pdf

    ctx.require("homelessness.assess")
    with session_scope(ctx.engine) as session:
        notice = session.get(HomelessNotice, notice_id)
        if notice is None:
            raise NotFound(f"no notice {notice_id}")
        hc = session.get(HomelessCase, notice.homeless_case_id)
        case = session.get(Case, hc.case_id) if hc else None
        name = f"{case.ref if case else 'case'}-{notice.notice_type}-{notice.id}.pdf"
        return name, text_pdf(notice.title, notice.body.splitlines())
