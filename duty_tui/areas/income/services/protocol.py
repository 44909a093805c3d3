"""The pre-action record of a rent account: protocol steps done (with day and evidence), benefit claims
and their decisions, Universal Credit managed payments and their state, and the possession gate
(docs/INCOME_PROTOCOL.md).

Each change is one write transaction: ``arrears.manage`` checked first, the audit event written in it.
Rows that change later (benefit claims, managed payments) carry a version: a change made over someone
else's newer one is refused (ConflictError) saying what is stored now. ``protocol_state`` reads
everything for one account and runs the gate (``services/gate.py``), audited as a view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update

from duty_tui.areas.income.db.models import BenefitClaim, ManagedPayment, ProtocolStep
from duty_tui.areas.income.domain.protocol import (
    BENEFIT_KINDS,
    BENEFIT_OUTCOMES,
    MANAGED_MOVES,
    MANAGED_STATES,
    StepRule,
    load_protocol,
)
from duty_tui.areas.income.services.actions import NOTE_MAX, rent_account
from duty_tui.areas.income.services.gate import Gate, possession_gate, read_facts
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, table_of
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

EVIDENCE_MAX = 2000
CLAIM, MANAGED = table_of(BenefitClaim), table_of(ManagedPayment)
MANAGE = "arrears.manage"


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


# --- what the services return ---------------------------------------------------------------------

@dataclass(frozen=True)
class RecordedStep:
    """A pre-action step as recorded."""

    account_ref: str
    step: str
    name: str
    done_on: date
    evidence: str


@dataclass(frozen=True)
class StepLine:
    """One step of the account's checklist: the rule, and its latest recording (if any)."""

    rule: StepRule
    done_on: date | None
    evidence: str | None
    stale_from: date | None  # recorded, but no longer counts from this day (council policy)

    @property
    def done(self) -> bool:
        """Recorded and still counting."""
        return self.done_on is not None and self.stale_from is None


@dataclass(frozen=True)
class ClaimLine:
    """A benefit claim: pending while not decided."""

    id: int
    kind: str
    made_on: date
    evidence: str | None
    decided_on: date | None
    outcome: str | None
    version: int

    @property
    def pending(self) -> bool:
        """Awaiting decision."""
        return self.decided_on is None


@dataclass(frozen=True)
class ManagedLine:
    """A UC managed payment (alternative payment arrangement) request and its state since ``state_on``."""

    id: int
    requested_on: date
    state: str
    state_on: date
    note: str | None
    version: int


@dataclass(frozen=True)
class ProtocolState:
    """One account's pre-action record on ``as_of`` and the possession gate's verdict."""

    account_ref: str
    holder: str
    as_of: date
    tenancy_type: str | None
    jurisdiction: str | None
    steps: tuple[StepLine, ...]
    claims: tuple[ClaimLine, ...]
    managed_payments: tuple[ManagedLine, ...]
    gate: Gate

    @property
    def outstanding(self) -> tuple[str, ...]:
        """The codes of the steps not done (or no longer counting), in the law's order."""
        return tuple(s.rule.code for s in self.steps if not s.done)

    @property
    def pending_claims(self) -> tuple[ClaimLine, ...]:
        """The claims awaiting decision."""
        return tuple(c for c in self.claims if c.pending)


# --- checks ---------------------------------------------------------------------------------------

def _day(value: Any, key: str, today: date, problems: list[str], what: str) -> date | None:
    """A required day, today or earlier; a problem line naming ``key`` otherwise."""
    if value is None or value == "":
        problems.append(f"{key}: give the day {what} (DD/MM/YYYY)")
        return None
    if not isinstance(value, date):
        problems.append(f"{key}: {value!r} is not a date; give it as DD/MM/YYYY")
        return None
    if value > today:
        problems.append(f"{key}: {_d(value)} is in the future; give the day {what} (today, {_d(today)}, or earlier)")
        return None
    return value


def _text(value: str | None, key: str, limit: int, problems: list[str]) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        problems.append(f"{key}: at most {limit} characters (this has {len(text)}); shorten it")
    return text or None


def _refuse(problems: list[str]) -> None:
    if problems:
        raise InputError("; ".join(problems), problems)


def _account_ref(session: Any, account_id: int) -> str:
    return str(session.execute(select(table_of(Account).c.ref).where(table_of(Account).c.id == account_id)).scalar())


# --- protocol steps -------------------------------------------------------------------------------

def record_step(ctx: ServiceContext, account_ref: str, *, step: str, done_on: date | None,
                evidence: str | None) -> RecordedStep:
    """Record a pre-action step done for a rent account, on a day up to today, with its evidence."""
    actor = ctx.require(MANAGE)
    today = ctx.today()
    rules = load_protocol(ctx.settings.data_dir)
    code = (step or "").strip().lower()
    rule = rules.step(code)
    problems: list[str] = []
    day = _day(done_on, "done_on", today, problems, "the step was done")
    text = _text(evidence, "evidence", EVIDENCE_MAX, problems)
    if text is None:
        hint = f" — {rule.evidence}" if rule is not None else ""
        problems.append(f"evidence: say what shows the step was done{hint}")
    with session_scope(ctx.engine, write=True) as session:
        account = rent_account(session, account_ref, today)
        facts = read_facts(ctx, session, account, today)
        if facts.jurisdiction is None:
            kind = (facts.tenancy_type or "no").replace("_", " ")
            problems.insert(0, f"step: {account.ref} has {kind} tenancy: the pre-action steps are recorded for "
                               "England's and Scotland's secure, flexible, introductory, assured, starter and "
                               "Scottish secure tenancies")
        elif rule is None or rule.jurisdiction != facts.jurisdiction:
            own = ", ".join(r.code for r in rules.of(facts.jurisdiction))
            what = (f"{code!r} is a step in {rule.jurisdiction.title()}" if rule is not None
                    else f"{step!r} is not a pre-action step")
            problems.insert(0, f"step: {what}; {account.ref} is a {(facts.tenancy_type or '').replace('_', ' ')} tenancy "
                               f"in {facts.jurisdiction.title()}, whose steps are {own}")
        _refuse(problems)
        assert rule is not None and day is not None and text is not None and account.id is not None
        session.add(ProtocolStep(account_id=account.id, step=code, done_on=day, evidence=text,
                                 recorded_by=actor.id, created_at=ctx.now()))
        audit.record(session, ctx, "arrears.protocol_step_recorded", "account", account.ref,
                     {"step": code, "done_on": day.isoformat()})
        ref = account.ref
    return RecordedStep(ref, code, rule.name, day, text)


# --- benefit claims -------------------------------------------------------------------------------

def record_benefit_claim(ctx: ServiceContext, account_ref: str, *, kind: str, made_on: date | None,
                         evidence: str | None = None) -> ClaimLine:
    """Record a housing benefit or universal credit housing-costs claim made (pending until decided)."""
    actor = ctx.require(MANAGE)
    today = ctx.today()
    code = (kind or "").strip().lower()
    problems: list[str] = []
    if code not in BENEFIT_KINDS:
        problems.append(f"kind: {kind!r} is not a benefit claim; choose one of {', '.join(BENEFIT_KINDS)}")
    day = _day(made_on, "made_on", today, problems, "the claim was made")
    text = _text(evidence, "evidence", EVIDENCE_MAX, problems)
    _refuse(problems)
    assert day is not None
    with session_scope(ctx.engine, write=True) as session:
        account = rent_account(session, account_ref, today)
        assert account.id is not None
        row = BenefitClaim(account_id=account.id, kind=code, made_on=day, evidence=text,
                           recorded_by=actor.id, created_at=ctx.now())
        session.add(row)
        session.flush()
        audit.record(session, ctx, "arrears.benefit_claim_recorded", "account", account.ref,
                     {"kind": code, "made_on": day.isoformat(), "evidence": bool(text)})
        assert row.id is not None
        line = ClaimLine(row.id, code, day, text, None, None, row.version)
    return line


def decide_benefit_claim(ctx: ServiceContext, claim_id: int, *, decided_on: date | None, outcome: str,
                         version: int) -> ClaimLine:
    """Record the decision on a pending benefit claim (awarded / refused / withdrawn); optimistic locking."""
    ctx.require(MANAGE)
    today = ctx.today()
    code = (outcome or "").strip().lower()
    problems: list[str] = []
    if code not in BENEFIT_OUTCOMES:
        problems.append(f"outcome: {outcome!r} is not a decision; choose one of {', '.join(BENEFIT_OUTCOMES)}")
    day = _day(decided_on, "decided_on", today, problems, "the claim was decided")
    with session_scope(ctx.engine, write=True) as session:
        claim = session.get(BenefitClaim, claim_id)
        if claim is None:
            raise NotFound(f"no benefit claim {claim_id}; reopen the account's protocol screen")
        ref = _account_ref(session, claim.account_id)
        if day is not None and day < claim.made_on:
            problems.append(f"decided_on: {_d(day)} is before the claim was made ({_d(claim.made_on)})")
        _refuse(problems)
        assert day is not None
        what = f"{ref}'s {BENEFIT_KINDS.get(claim.kind, claim.kind)} claim made {_d(claim.made_on)}"
        if claim.version != version or claim.decided_on is not None:
            raise _claim_conflict(claim, what)
        done = session.execute(update(CLAIM).where(CLAIM.c.id == claim_id, CLAIM.c.version == version,
                                                   CLAIM.c.decided_on.is_(None))
                               .values(decided_on=day, outcome=code, version=version + 1))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError(f"{what} was changed by someone else a moment ago; reopen the screen to see it")
        audit.record(session, ctx, "arrears.benefit_claim_decided", "account", ref,
                     {"claim": claim_id, "kind": claim.kind, "outcome": code, "decided_on": day.isoformat()})
        line = ClaimLine(claim_id, claim.kind, claim.made_on, claim.evidence, day, code, version + 1)
    return line


def _claim_conflict(claim: BenefitClaim, what: str) -> ConflictError:
    now = (f"decided {_d(claim.decided_on)}: {claim.outcome}" if claim.decided_on is not None
           else "awaiting decision")
    return ConflictError(f"{what} was changed by someone else (now {now}); reopen the screen to see it",
                         record=f"benefit claim {claim.id}", theirs={"Decision": now}, version=claim.version)


# --- UC managed payments --------------------------------------------------------------------------

def request_managed_payment(ctx: ServiceContext, account_ref: str, *, requested_on: date | None,
                            note: str | None = None) -> ManagedLine:
    """Record a request to the DWP for a Universal Credit managed payment of rent to the landlord."""
    actor = ctx.require(MANAGE)
    today = ctx.today()
    problems: list[str] = []
    day = _day(requested_on, "requested_on", today, problems, "it was requested")
    text = _text(note, "note", NOTE_MAX, problems)
    _refuse(problems)
    assert day is not None
    with session_scope(ctx.engine, write=True) as session:
        account = rent_account(session, account_ref, today)
        assert account.id is not None
        open_one = session.execute(select(MANAGED.c.requested_on, MANAGED.c.state, MANAGED.c.state_on)
                                   .where(MANAGED.c.account_id == account.id,
                                          MANAGED.c.state.in_(("requested", "approved")))).first()
        if open_one is not None:
            raise InputError(f"{account.ref} already has a managed payment requested on {_d(open_one[0])} "
                             f"({open_one[1]} since {_d(open_one[2])}); update that one instead")
        row = ManagedPayment(account_id=account.id, requested_on=day, state="requested", state_on=day, note=text,
                             recorded_by=actor.id, created_at=ctx.now())
        session.add(row)
        session.flush()
        audit.record(session, ctx, "arrears.managed_payment_requested", "account", account.ref,
                     {"requested_on": day.isoformat(), "note": bool(text)})
        assert row.id is not None
        line = ManagedLine(row.id, day, "requested", day, text, row.version)
    return line


def set_managed_payment_state(ctx: ServiceContext, mp_id: int, *, state: str, on: date | None,
                              version: int) -> ManagedLine:
    """Move a managed payment on: requested → approved / refused / ended, approved → ended; optimistic locking."""
    ctx.require(MANAGE)
    today = ctx.today()
    code = (state or "").strip().lower()
    problems: list[str] = []
    if code not in MANAGED_STATES:
        problems.append(f"state: {state!r} is not a state; choose one of {', '.join(MANAGED_STATES)}")
    day = _day(on, "on", today, problems, "the state changed")
    with session_scope(ctx.engine, write=True) as session:
        row = session.get(ManagedPayment, mp_id)
        if row is None:
            raise NotFound(f"no managed payment {mp_id}; reopen the account's protocol screen")
        ref = _account_ref(session, row.account_id)
        what = f"{ref}'s managed payment requested {_d(row.requested_on)}"
        if row.version != version:
            raise ConflictError(f"{what} was changed by someone else (now {row.state} since {_d(row.state_on)}); "
                                "reopen the screen to see it", record=f"managed payment {mp_id}",
                                theirs={"State": f"{row.state} since {_d(row.state_on)}"}, version=row.version)
        allowed = MANAGED_MOVES.get(row.state, ())
        if code in MANAGED_STATES and code not in allowed:
            then = f"choose {', '.join(allowed)}" if allowed else "it is final; request a new one instead"
            problems.insert(0, f"state: it is {row.state} since {_d(row.state_on)} and cannot become {code}; {then}")
        if day is not None and day < row.state_on:
            problems.append(f"on: {_d(day)} is before it became {row.state} ({_d(row.state_on)})")
        _refuse(problems)
        assert day is not None
        done = session.execute(update(MANAGED).where(MANAGED.c.id == mp_id, MANAGED.c.version == version)
                               .values(state=code, state_on=day, version=version + 1))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError(f"{what} was changed by someone else a moment ago; reopen the screen to see it")
        audit.record(session, ctx, "arrears.managed_payment_updated", "account", ref,
                     {"managed_payment": mp_id, "from": row.state, "state": code, "on": day.isoformat()})
        line = ManagedLine(mp_id, row.requested_on, code, day, row.note, version + 1)
    return line


# --- the account's pre-action record --------------------------------------------------------------

def protocol_state(ctx: ServiceContext, account_ref: str) -> ProtocolState:
    """Every pre-action step of the account's jurisdiction (done or not), its benefit claims, its managed
    payments and the possession gate's verdict today; audited as a view."""
    ctx.require("account.view")
    today = ctx.today()
    rules = load_protocol(ctx.settings.data_dir)
    with session_scope(ctx.engine) as session:  # a read; the audit event after it (docs/AUDIT.md)
        account = rent_account(session, account_ref, today)
        facts = read_facts(ctx, session, account, today)
        gate = possession_gate(ctx, session, account, today, facts)
        steps = tuple(StepLine(rule, *_done(facts.steps.get(rule.code)))
                      for rule in (rules.of(facts.jurisdiction) if facts.jurisdiction else ()))
        claims = tuple(ClaimLine(int(r.id), r.kind, r.made_on, r.evidence, r.decided_on, r.outcome, int(r.version))
                       for r in session.execute(select(CLAIM).where(CLAIM.c.account_id == account.id)
                                                .order_by(CLAIM.c.made_on.desc(), CLAIM.c.id.desc())).all())
        managed = tuple(ManagedLine(int(r.id), r.requested_on, r.state, r.state_on, r.note, int(r.version))
                        for r in session.execute(select(MANAGED).where(MANAGED.c.account_id == account.id)
                                                 .order_by(MANAGED.c.requested_on.desc(), MANAGED.c.id.desc())).all())
        state = ProtocolState(account.ref, account.holder_name, today, facts.tenancy_type, facts.jurisdiction, steps,
                              claims, managed, gate)
    audit.record_read(ctx, "arrears.protocol_viewed", "account", state.account_ref,
                      {"may_apply": gate.may_apply, "blocked_by": list(gate.blocked_by)})
    return state


def _done(found: Any) -> tuple[date | None, str | None, date | None]:
    return (None, None, None) if found is None else (found.done_on, found.evidence, found.stale_from)


__all__ = ["ClaimLine", "ManagedLine", "ProtocolState", "RecordedStep", "StepLine", "decide_benefit_claim",
           "protocol_state", "record_benefit_claim", "record_step", "request_managed_payment",
           "set_managed_payment_state"]
