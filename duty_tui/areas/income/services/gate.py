"""The possession gate: may this account's landlord apply to court for possession today? (docs/INCOME_PROTOCOL.md)

The law is not re-implemented here. The account's facts are read from the database — the tenancy's
type and weekly rent, the kept balance, the latest notice served (``arrears_notice``, read only), the
pre-action steps recorded and still current (``protocol_step``, ``data/income/protocol.toml``), a
benefit claim awaiting decision (``benefit_claim``), an arrangement being kept (the payments area's
hook, as the worklist asks it) — and handed to the law engine (``domain/law.assess_account``), whose
``court.blocked_by`` codes are then put into words naming each missing step and reason.

Called inside the caller's session, so ``services/actions.record_action`` judges the gate in the same
write transaction that records the application.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from duty_tui.areas.income.db.models import ArrearsNotice, BenefitClaim, ProtocolStep
from duty_tui.areas.income.domain.arrears_input import AccountFacts, ArrearsInputError, Notice, Rent, Review
from duty_tui.areas.income.domain.law import LawAssessment, assess_account
from duty_tui.areas.income.domain.law_table import load_law
from duty_tui.areas.income.domain.policy import TENANCY_TYPES
from duty_tui.areas.income.domain.protocol import BENEFIT_KINDS, ProtocolSteps, load_protocol
from duty_tui.areas.income.services.worklist import agreement_states
from duty_tui.core.db.models import Account, AccountBalance, Tenancy, table_of
from duty_tui.core.services.context import ServiceContext

RENT_WEEK_STARTS = date(2024, 4, 1)
"""A Monday: rent weeks begin on Mondays (docs/CLI.md `rent calendar`: charge day Monday), so the law
engine's rental periods run Monday to Sunday. The tenancy holds only its weekly rent."""
NOTICE_NAMES = {"nosp": "notice seeking possession", "s128": "notice of proceedings", "s14": "section 14 notice"}
STEP, CLAIM, NOTICE = table_of(ProtocolStep), table_of(BenefitClaim), table_of(ArrearsNotice)
BALANCE, TENANCY = table_of(AccountBalance), table_of(Tenancy)


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


@dataclass(frozen=True)
class StepDone:
    """The latest recording of one pre-action step: its day and evidence, and whether it still counts."""

    step: str
    done_on: date
    evidence: str
    stale_from: date | None  # the day it stopped counting (council policy), or None while it counts


@dataclass(frozen=True)
class PendingClaim:
    """A benefit claim awaiting decision."""

    id: int
    kind: str
    made_on: date


@dataclass(frozen=True)
class Gate:
    """The possession gate's verdict: may_apply, the law's codes, each reason in words, the law's lines."""

    may_apply: bool
    blocked_by: tuple[str, ...]
    missing: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def message(self) -> str:
        """One sentence naming every missing step and reason ("" when the gate is open)."""
        if self.may_apply:
            return ""
        return "Cannot apply for possession yet: " + "; ".join(self.missing)


@dataclass(frozen=True)
class GateFacts:
    """What the gate read for an account, kept for the protocol screen."""

    jurisdiction: str | None
    tenancy_type: str | None
    steps: dict[str, StepDone]
    pending_claims: tuple[PendingClaim, ...]
    notice: ArrearsNotice | None
    agreement: str


def latest_steps(session: Any, account_id: int, as_of: date, rules: ProtocolSteps) -> dict[str, StepDone]:
    """Each step's latest recording on or before ``as_of``, with the day it stopped counting (if it has)."""
    rows = session.execute(select(STEP.c.step, STEP.c.done_on, STEP.c.evidence)
                           .where(STEP.c.account_id == account_id, STEP.c.done_on <= as_of)
                           .order_by(STEP.c.done_on, STEP.c.id)).all()
    found: dict[str, StepDone] = {}
    for step, done_on, evidence in rows:
        found[step] = StepDone(step, done_on, evidence, rules.stale_from(step, done_on, as_of))
    return found


def pending_claims(session: Any, account_id: int, as_of: date) -> tuple[PendingClaim, ...]:
    """Benefit claims made on or before ``as_of`` and not decided by then, oldest first."""
    rows = session.execute(select(CLAIM.c.id, CLAIM.c.kind, CLAIM.c.made_on)
                           .where(CLAIM.c.account_id == account_id, CLAIM.c.made_on <= as_of,
                                  or_(CLAIM.c.decided_on.is_(None), CLAIM.c.decided_on > as_of))
                           .order_by(CLAIM.c.made_on, CLAIM.c.id)).all()
    return tuple(PendingClaim(int(i), kind, made_on) for i, kind, made_on in rows)


def latest_notice(session: Any, account_id: int, as_of: date) -> ArrearsNotice | None:
    """The latest notice served on or before ``as_of`` and not withdrawn by then (read only)."""
    found = session.execute(select(NOTICE.c.id)
                            .where(NOTICE.c.account_id == account_id, NOTICE.c.served_on <= as_of,
                                   or_(NOTICE.c.withdrawn_on.is_(None), NOTICE.c.withdrawn_on > as_of))
                            .order_by(NOTICE.c.served_on.desc(), NOTICE.c.id.desc()).limit(1)).scalar()
    return None if found is None else session.get(ArrearsNotice, found)


def read_facts(ctx: ServiceContext, session: Any, account: Account, as_of: date) -> GateFacts:
    """Everything the gate and the protocol screen need about one account, read in the caller's session."""
    assert account.id is not None
    rules = load_protocol(ctx.settings.data_dir)
    kind = None
    if account.tenancy_id is not None:
        kind = session.execute(select(TENANCY.c.tenancy_type).where(TENANCY.c.id == account.tenancy_id)).scalar()
    agreement = agreement_states(ctx, session, [account.id]).get(account.id, "none")
    return GateFacts(TENANCY_TYPES.get(kind or ""), kind, latest_steps(session, account.id, as_of, rules),
                     pending_claims(session, account.id, as_of), latest_notice(session, account.id, as_of), agreement)


def _law_facts(session: Any, account: Account, facts: GateFacts, as_of: date, current: Sequence[str]) -> AccountFacts:
    assert facts.jurisdiction is not None and facts.tenancy_type is not None
    balance = session.execute(select(BALANCE.c.balance_pence).where(BALANCE.c.account_id == account.id)).scalar()
    weekly = session.execute(select(TENANCY.c.weekly_rent_pence).where(TENANCY.c.id == account.tenancy_id)).scalar()
    notice = facts.notice
    review = None
    if notice is not None and notice.review_requested_on is not None:
        review = Review(notice.review_requested_on, notice.review_decided_on)
    return AccountFacts(
        as_of=as_of, jurisdiction=facts.jurisdiction, tenancy_type=facts.tenancy_type,
        rent=Rent(max(int(weekly or 0), 0), "weekly", RENT_WEEK_STARTS), balance_pence=int(balance or 0),
        notice=None if notice is None else Notice(notice.served_on, notice.proceedings_from),
        protocol=tuple(current), benefit_claim_pending=bool(facts.pending_claims),
        agreement_being_kept=facts.agreement == "kept",
        council_notified=notice is not None and notice.la_notified_on is not None, review=review)


def possession_gate(ctx: ServiceContext, session: Any, account: Account, as_of: date,
                    facts: GateFacts | None = None) -> Gate:
    """The law engine's court gate for this account on ``as_of``, every reason in words."""
    facts = facts or read_facts(ctx, session, account, as_of)
    if facts.jurisdiction is None or facts.tenancy_type is None:
        what = f"a {facts.tenancy_type.replace('_', ' ')} tenancy" if facts.tenancy_type else "an account with no tenancy"
        why = f"the law engine does not cover {what}: refer to a team leader"
        return Gate(False, ("tenancy_type_not_covered",), (why,), ())
    current = [code for code, done in facts.steps.items() if done.stale_from is None]
    try:
        law = assess_account(_law_facts(session, account, facts, as_of, current), load_law(ctx.settings.data_dir))
    except ArrearsInputError as exc:  # a notice older than the law table: the law cannot be applied here
        why = "the notice cannot be assessed: " + "; ".join(exc.problems)
        return Gate(False, ("notice_not_assessable",), (why,), ())
    return Gate(law.may_apply, law.blocked_by, _words(ctx, facts, law), law.reasons)


def _words(ctx: ServiceContext, facts: GateFacts, law: LawAssessment) -> tuple[str, ...]:
    """Each blocking code of the law engine as a clause, the protocol steps gathered into one."""
    rules = load_protocol(ctx.settings.data_dir)
    notice = facts.notice
    served = ""
    if notice is not None:
        served = f"the {NOTICE_NAMES.get(notice.kind, 'notice')} served on {_d(notice.served_on)}"
    steps: list[str] = []
    words: list[str] = []
    for code in law.blocked_by:
        if code.startswith("protocol:"):
            step = code.split(":", 1)[1]
            rule = rules.step(step)
            name = rule.name if rule is not None else step.replace("_", " ")
            done = facts.steps.get(step)
            if done is not None and done.stale_from is not None:
                name += f" (last recorded {_d(done.done_on)}, no longer counts from {_d(done.stale_from)})"
            if not steps:
                words.append("")  # the steps' place in the list, filled below
            steps.append(name)
            continue
        words.extend(_code_words(code, facts, law, served))
    if steps:
        words[words.index("")] = "record these protocol steps first: " + ", ".join(steps)
    return tuple(words)


def _code_words(code: str, facts: GateFacts, law: LawAssessment, served: str) -> list[str]:
    notice, dates = facts.notice, law.notice
    if code == "benefit_claim_pending":
        return [f"a {BENEFIT_KINDS.get(c.kind, c.kind)} claim made {_d(c.made_on)} is awaiting decision"
                for c in facts.pending_claims]
    fixed = {
        "no_arrears": "the account is not in arrears",
        "tenancy_type_not_covered": f"a {(facts.tenancy_type or '').replace('_', ' ')} tenancy is not covered by "
                                    "the law engine: refer to a team leader",
        "no_notice": "no notice has been served: serve one first",
        "agreement_being_kept": "an arrangement to pay is being kept: proceedings are postponed while it is",
        "council_not_notified": "the local authority has not been told of the proceedings (Homelessness etc. "
                                "(Scotland) Act 2003 s11): record the notification on the notice",
    }
    if code in fixed:
        return [fixed[code]]
    if notice is None:
        return [code.replace("_", " ")]
    if code == "notice_invalid" and dates is not None:
        return [f"{served} gives {_d(notice.proceedings_from)}, earlier than the law allows "
                f"({_d(dates.earliest_proceedings)}): serve a new notice"]
    if code == "notice_not_yet_expired":
        return [f"{served} allows proceedings only from {_d(notice.proceedings_from)}"]
    if code == "notice_lapsed" and dates is not None and dates.lapses is not None:
        return [f"{served} lapsed on {_d(dates.lapses)}: serve a new notice"]
    if code == "review_pending" and notice.review_requested_on is not None:
        return [f"the review the tenant asked for on {_d(notice.review_requested_on)} is not yet decided"]
    return [code.replace("_", " ")]


__all__ = ["Gate", "GateFacts", "PendingClaim", "StepDone", "latest_notice", "latest_steps", "pending_claims",
           "possession_gate", "read_facts"]
