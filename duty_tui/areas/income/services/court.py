"""The court: a possession claim issued, its hearings and outcomes, the warrant and the eviction
(docs/INCOME_COURT.md). The court pack is ``court_pack.py``.

Each change is one write transaction, permission ``arrears.manage`` checked first, the audit event
written in it; rows that are updated are updated only at the version the caller saw (optimistic
locking). A claim is recorded only after the recovery policy's "apply for possession" step
(``apply_for_possession`` in data/income/recovery.toml) and on a notice in force on the day of issue;
its hearing is checked against CPR 55.5(3) with the periods of data/income/law.toml. The claim's court
costs are posted once to the tenancy's court costs account: the ledger row's UNIQUE ``external_id``
(``court-costs:<rent ref>:<issue date>``) makes a retry fail rather than post twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.income.db.models import ArrearsNotice, CourtHearing, Eviction, PossessionClaim, RecoveryAction
from duty_tui.areas.income.domain.court import CLOSE_REASONS, COURT_OUTCOME_WORDS, EVICTION_OUTCOMES, check_hearing
from duty_tui.areas.income.domain.law_table import load_law
from duty_tui.areas.income.domain.policy import (
    COURT_OUTCOMES,
    ORDERS_ON_TERMS,
    TENANCY_TYPES,
    UPDATE_COURT_OUTCOME,
    UPDATE_EVICTION_OUTCOME,
    load_recovery_policy,
)
from duty_tui.areas.income.services.actions import _rent_account
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Tenancy, table_of
from duty_tui.core.domain.errors import ConflictError, EnvironmentProblem, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.refs import next_ref

APPLY_FOR_POSSESSION = "apply_for_possession"
"""The recovery policy's step a claim needs recorded first (data/income/recovery.toml)."""
APPLY_FOR_WARRANT = "apply_for_warrant"
COSTS_KIND = "court_costs"
COSTS_ACCOUNT_PREFIX = "CCT"
TEXT_MAX = 2000
ACCOUNT, ACTION, NOTICE = table_of(Account), table_of(RecoveryAction), table_of(ArrearsNotice)
CLAIM, HEARING, EVICTION = table_of(PossessionClaim), table_of(CourtHearing), table_of(Eviction)


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class ClaimRecorded:
    """A claim as recorded: its id, the notice it relies on, the costs posted, and any warning."""

    claim_id: int
    account_ref: str
    notice_id: int
    hearing_id: int | None
    costs_account_ref: str | None
    costs_pence: int
    serve_by: date | None
    warning: str | None = None


@dataclass(frozen=True)
class HearingSet:
    """A hearing as set: its id and version, the day the claim must be served by, and any warning."""

    hearing_id: int
    hearing_on: date
    version: int
    serve_by: date | None
    warning: str | None = None


# --- checks --------------------------------------------------------------------------------------

def _text(label: str, value: str | None, limit: int = TEXT_MAX) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise InputError(f"{label}: at most {limit} characters (this has {len(text)}); shorten it")
    return text or None


def _past(label: str, day: date, today: date) -> None:
    if day > today:
        raise InputError(f"{label}: {_d(day)} is in the future; record it on or after the day (today is {_d(today)})")


def _pence(label: str, value: int | None, *, positive: bool = False) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value < 0 or (positive and value == 0) or value > 10_000_000:
        raise InputError(f"{label}: give a whole number of pence {'above' if positive else 'from'} 0 "
                         "(at most £100,000.00)")
    return value


def _id(row: Account | PossessionClaim) -> int:
    assert row.id is not None  # a stored row
    return row.id


def _tenancy(session, account: Account) -> Tenancy | None:
    return session.get(Tenancy, account.tenancy_id) if account.tenancy_id is not None else None


def jurisdiction_of(tenancy: Tenancy | None) -> str:
    """England unless the tenancy is a Scottish type."""
    return TENANCY_TYPES.get(tenancy.tenancy_type, "england") if tenancy else "england"


def _require_apply_step(ctx: ServiceContext, session, account: Account, issued_on: date) -> None:
    policy = load_recovery_policy(ctx.settings.data_dir)
    if not any(stage.code == APPLY_FOR_POSSESSION for stage in policy.stages):
        raise EnvironmentProblem(f"the recovery policy has no {APPLY_FOR_POSSESSION!r} step: add it to "
                                 "data/income/recovery.toml before recording claims")
    found = session.execute(select(ACTION.c.id).where(
        ACTION.c.account_id == account.id, ACTION.c.action == APPLY_FOR_POSSESSION,
        ACTION.c.taken_on <= issued_on).limit(1)).scalar()
    if found is None:
        raise InputError(f"{account.ref}: record the recovery step {APPLY_FOR_POSSESSION!r} (the application for "
                         f"possession) on or before {_d(issued_on)} first; a claim is recorded only after it")


def notice_in_force(session, account: Account, on: date) -> ArrearsNotice:
    """The latest notice served on the account that is in force on ``on``; InputError naming the dates if none."""
    ids = session.execute(select(NOTICE.c.id).where(NOTICE.c.account_id == account.id, NOTICE.c.served_on <= on)
                          .order_by(NOTICE.c.served_on.desc(), NOTICE.c.id.desc())).scalars().all()
    why: list[str] = []
    for notice_id in ids:
        notice = session.get(ArrearsNotice, notice_id)
        served = f"the {notice.kind} notice served {_d(notice.served_on)}"
        if notice.withdrawn_on is not None and notice.withdrawn_on <= on:
            why.append(f"{served} was withdrawn on {_d(notice.withdrawn_on)}")
        elif notice.review_outcome == "overturned":
            why.append(f"{served} was overturned on review")
        elif notice.proceedings_from > on:
            why.append(f"{served} allows proceedings only from {_d(notice.proceedings_from)}")
        elif notice.lapses_on is not None and notice.lapses_on <= on:
            why.append(f"{served} lapsed on {_d(notice.lapses_on)}")
        else:
            return notice
    detail = "; ".join(why) if why else "no notice served on it is recorded"
    raise InputError(f"{account.ref}: no notice is in force on {_d(on)} ({detail}); a claim needs one")


# --- the claim -----------------------------------------------------------------------------------

def _costs_account(session, account: Account, today: date) -> Account:
    """The tenancy's open court costs account, created (CCT + 6 digits) the first time costs are posted."""
    found = session.execute(select(ACCOUNT.c.id).where(
        ACCOUNT.c.account_type == COSTS_KIND, ACCOUNT.c.tenancy_id == account.tenancy_id,
        ACCOUNT.c.closed_on.is_(None)).order_by(ACCOUNT.c.id).limit(1)).scalar() if account.tenancy_id else None
    if found is not None:
        return session.get(Account, found)
    for _attempt in range(8):
        ref = next_ref(session, table_of(Account).c.ref, COSTS_ACCOUNT_PREFIX, digits=6)
        costs = Account(ref=ref, account_type=COSTS_KIND, tenancy_id=account.tenancy_id, person_id=account.person_id,
                        holder_name=account.holder_name, opened_on=today)
        nested = session.begin_nested()
        try:
            session.add(costs)
            session.flush()
        except IntegrityError:
            nested.rollback()
            continue
        nested.commit()
        return costs
    raise ConflictError("could not allocate a court costs account ref (another terminal was busy); try again")


def _post_costs(ctx: ServiceContext, session, account: Account, claim: PossessionClaim) -> Account:
    costs = _costs_account(session, account, ctx.today())
    session.add(LedgerEntry(
        account_id=_id(costs), effective_date=claim.issued_on, posted_at=ctx.now(), kind=COSTS_KIND,
        amount_pence=claim.costs_pence, reference=(claim.claim_number or "possession claim")[:64],
        external_id=f"court-costs:{account.ref}:{claim.issued_on.isoformat()}", created_by=ctx.actor.id if ctx.actor
        else None, terminal=ctx.terminal[:64], reason=f"Possession claim issued {_d(claim.issued_on)}: court fee and costs"))
    record_account(session, costs)
    return costs


def record_claim(ctx: ServiceContext, account_ref: str, *, issued_on: date, claim_number: str | None = None,
                 court_name: str | None = None, costs_pence: int = 0, hearing_on: date | None = None) -> ClaimRecorded:
    """Record a possession claim issued on a rent account, on the notice in force, and post its court costs once."""
    actor = ctx.require("arrears.manage")
    today = ctx.today()
    _past("issued on", issued_on, today)
    number, court = _text("claim number", claim_number, 20), _text("court", court_name, 80)
    costs = _pence("costs", costs_pence) or 0
    try:
        with session_scope(ctx.engine, write=True) as session:
            account = _rent_account(session, account_ref, today)
            open_claim = session.execute(select(CLAIM.c.issued_on).where(
                CLAIM.c.account_id == account.id, CLAIM.c.closed_on.is_(None))).scalar()
            if open_claim is not None:
                raise ConflictError(f"{account.ref} already has an open claim, issued {_d(open_claim)}; close it "
                                    "before recording another")
            _require_apply_step(ctx, session, account, issued_on)
            notice = notice_in_force(session, account, issued_on)
            check = None
            if hearing_on is not None:
                check = check_hearing(load_law(ctx.settings.data_dir), jurisdiction_of(_tenancy(session, account)),
                                      issued_on, hearing_on)
                if check.refused:
                    raise InputError(check.refused)
            claim = PossessionClaim(account_id=_id(account), notice_id=notice.id, issued_on=issued_on,
                                    claim_number=number, court_name=court, costs_pence=costs, created_by=actor.id,
                                    created_at=ctx.now())
            session.add(claim)
            session.flush()
            hearing = None
            if hearing_on is not None:
                hearing = CourtHearing(claim_id=_id(claim), account_id=_id(account), hearing_on=hearing_on,
                                       recorded_by=actor.id, created_at=ctx.now())
                session.add(hearing)
            costs_account = _post_costs(ctx, session, account, claim) if costs else None
            session.flush()
            audit.record(session, ctx, "arrears.claim_recorded", "account", account.ref, {
                "issued_on": issued_on.isoformat(), "notice_id": notice.id, "costs_pence": costs,
                "costs_account": costs_account.ref if costs_account else None,
                "hearing_on": hearing_on.isoformat() if hearing_on else None})
            assert claim.id is not None and notice.id is not None
            result = ClaimRecorded(claim.id, account.ref, notice.id, hearing.id if hearing else None,
                                   costs_account.ref if costs_account else None, costs,
                                   check.serve_by if check else None, check.warning if check else None)
    except IntegrityError:  # the costs' external_id: the same claim recorded a moment ago (a retry, another terminal)
        raise ConflictError(f"the claim issued {_d(issued_on)} on {account_ref.strip().upper()} and its court costs "
                            "are already recorded; nothing was posted twice") from None
    return result


# --- hearings and outcomes -------------------------------------------------------------------------

def _claim(session, claim_id: int, *, open_only: bool = True) -> PossessionClaim:
    claim = session.get(PossessionClaim, claim_id)
    if claim is None:
        raise NotFound(f"no possession claim {claim_id}")
    if open_only and claim.closed_on is not None:
        raise InputError(f"the claim issued {_d(claim.issued_on)} was closed on {_d(claim.closed_on)}")
    return claim


def _latest_hearing(session, claim_id: int) -> CourtHearing | None:
    found = session.execute(select(HEARING.c.id).where(HEARING.c.claim_id == claim_id)
                            .order_by(HEARING.c.hearing_on.desc(), HEARING.c.id.desc()).limit(1)).scalar()
    return session.get(CourtHearing, found) if found is not None else None


def _account_ref(session, account_id: int) -> str:
    return str(session.execute(select(ACCOUNT.c.ref).where(ACCOUNT.c.id == account_id)).scalar())


def _stale(what: str) -> ConflictError:
    return ConflictError(f"{what} was changed by someone else a moment ago; reopen it to see their change")


def set_hearing(ctx: ServiceContext, claim_id: int, *, hearing_on: date) -> HearingSet:
    """Set a claim's hearing: the first is checked against CPR 55.5(3); an undecided hearing is moved, else a
    new hearing (an adjourned claim's next) is added after the last."""
    actor = ctx.require("arrears.manage")
    with session_scope(ctx.engine, write=True) as session:
        claim = _claim(session, claim_id)
        ref = _account_ref(session, claim.account_id)
        latest = _latest_hearing(session, claim_id)
        check = None
        if latest is None or (latest.outcome is None and latest.id == _first_hearing_id(session, claim_id)):
            tenancy = session.execute(select(ACCOUNT.c.tenancy_id).where(ACCOUNT.c.id == claim.account_id)).scalar()
            check = check_hearing(load_law(ctx.settings.data_dir),
                                  jurisdiction_of(session.get(Tenancy, tenancy) if tenancy else None),
                                  claim.issued_on, hearing_on)
            if check.refused:
                raise InputError(check.refused)
        if latest is not None and latest.outcome is None:
            done = session.execute(update(HEARING).where(HEARING.c.id == latest.id, HEARING.c.version == latest.version)
                                   .values(hearing_on=hearing_on, version=latest.version + 1))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise _stale("the hearing")
            hearing_id, version, moved = latest.id, latest.version + 1, latest.hearing_on
        else:
            if latest is not None and hearing_on <= latest.hearing_on:
                raise InputError(f"hearing on: {_d(hearing_on)} is not after the last hearing "
                                 f"({_d(latest.hearing_on)}); give the adjourned hearing's date")
            row = CourtHearing(claim_id=claim_id, account_id=claim.account_id, hearing_on=hearing_on,
                               recorded_by=actor.id, created_at=ctx.now())
            session.add(row)
            session.flush()
            hearing_id, version, moved = row.id, 1, None
        audit.record(session, ctx, "arrears.hearing_set", "account", ref, {
            "claim_id": claim_id, "hearing_on": hearing_on.isoformat(),
            "moved_from": moved.isoformat() if moved else None})
    assert hearing_id is not None
    return HearingSet(hearing_id, hearing_on, version, check.serve_by if check else None,
                      check.warning if check else None)


def _first_hearing_id(session, claim_id: int) -> int | None:
    return session.execute(select(HEARING.c.id).where(HEARING.c.claim_id == claim_id)
                           .order_by(HEARING.c.hearing_on, HEARING.c.id).limit(1)).scalar()


def _check_outcome(outcome: str, terms_weekly_pence: int | None, terms_text: str | None,
                   possession_on: date | None, outcome_on: date) -> None:
    if outcome not in COURT_OUTCOMES:
        raise InputError(f"outcome: {outcome!r} is not a court outcome; choose one of {', '.join(COURT_OUTCOMES)}")
    if outcome in ORDERS_ON_TERMS and terms_weekly_pence is None and not terms_text:
        raise InputError(f"terms: an order {COURT_OUTCOME_WORDS[outcome]} needs its terms: the weekly sum on top of "
                         "the rent, or the terms in words")
    if outcome == "outright_order" and possession_on is None:
        raise InputError("possession on: an outright order needs the date for possession it gives")
    if possession_on is not None and possession_on < outcome_on:
        raise InputError(f"possession on: {_d(possession_on)} is before the order ({_d(outcome_on)})")


def record_outcome(ctx: ServiceContext, hearing_id: int, *, outcome: str, outcome_on: date,
                   terms_weekly_pence: int | None = None, terms_text: str | None = None,
                   possession_on: date | None = None, version: int) -> CourtHearing:
    """Record what the court decided at a hearing (policy COURT_OUTCOMES), and the step update_court_outcome."""
    actor = ctx.require("arrears.manage")
    code = (outcome or "").strip().lower()
    terms = _text("terms", terms_text)
    weekly = _pence("terms weekly sum", terms_weekly_pence, positive=True)
    _past("outcome on", outcome_on, ctx.today())
    _check_outcome(code, weekly, terms, possession_on, outcome_on)
    with session_scope(ctx.engine, write=True) as session:
        hearing = session.get(CourtHearing, hearing_id)
        if hearing is None:
            raise NotFound(f"no court hearing {hearing_id}")
        _claim(session, hearing.claim_id)
        if outcome_on < hearing.hearing_on:
            raise InputError(f"outcome on: {_d(outcome_on)} is before the hearing ({_d(hearing.hearing_on)})")
        done = session.execute(update(HEARING).where(HEARING.c.id == hearing_id, HEARING.c.version == version).values(
            outcome=code, outcome_on=outcome_on, terms_weekly_pence=weekly, terms_text=terms,
            possession_on=possession_on,
            recorded_by=actor.id, version=version + 1))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise _stale("the hearing")
        ref = _account_ref(session, hearing.account_id)
        session.add(RecoveryAction(account_id=hearing.account_id, action=UPDATE_COURT_OUTCOME, taken_on=outcome_on,
                                   taken_by=actor.id, note=COURT_OUTCOME_WORDS[code], created_at=ctx.now()))
        audit.record(session, ctx, "arrears.court_outcome", "account", ref, {
            "hearing_id": hearing_id, "outcome": code, "outcome_on": outcome_on.isoformat(),
            "terms_weekly_pence": weekly, "possession_on": possession_on.isoformat() if possession_on else None})
        session.flush()
        session.refresh(hearing)
        session.expunge(hearing)
    return hearing


# --- the warrant and the eviction ---------------------------------------------------------------

def apply_warrant(ctx: ServiceContext, claim_id: int, *, applied_on: date, breach: str | None = None) -> Eviction:
    """Record a warrant of possession applied for: after an outright order's date for possession has passed,
    or on an order on terms whose breach the officer states."""
    actor = ctx.require("arrears.manage")
    _past("applied on", applied_on, ctx.today())
    said = _text("breach", breach)
    with session_scope(ctx.engine, write=True) as session:
        claim = _claim(session, claim_id)
        ordered = session.execute(select(HEARING.c.id).where(HEARING.c.claim_id == claim_id,
                                                              HEARING.c.outcome.is_not(None))
                                  .order_by(HEARING.c.outcome_on.desc(), HEARING.c.id.desc()).limit(1)).scalar()
        order = session.get(CourtHearing, ordered) if ordered is not None else None
        if order is None or order.outcome not in ("outright_order", *ORDERS_ON_TERMS):
            raise InputError("a warrant is applied for only on a possession order or an adjournment on terms; "
                             "record the court's order first")
        if order.outcome == "outright_order":
            assert order.possession_on is not None
            if applied_on <= order.possession_on:
                raise InputError(f"applied on: the order gives possession on {_d(order.possession_on)}; a warrant "
                                 f"may be applied for from {_d(order.possession_on + timedelta(days=1))}")
        elif not said:
            raise InputError(f"breach: say how the terms of the order ({COURT_OUTCOME_WORDS[order.outcome]}) were "
                             "broken; a warrant on an order on terms needs the breach")
        live = session.execute(select(EVICTION.c.id).where(EVICTION.c.claim_id == claim_id,
                                                            EVICTION.c.outcome.is_(None))).scalar()
        if live is not None:
            raise ConflictError("a warrant on this claim is already applied for and has no outcome yet")
        row = Eviction(claim_id=claim_id, account_id=claim.account_id, warrant_applied_on=applied_on,
                       recorded_by=actor.id, created_at=ctx.now())
        session.add(row)
        session.add(RecoveryAction(account_id=claim.account_id, action=APPLY_FOR_WARRANT, taken_on=applied_on,
                                   taken_by=actor.id, note=f"Breach: {said}" if said else None, created_at=ctx.now()))
        session.flush()
        audit.record(session, ctx, "arrears.warrant_applied", "account", _account_ref(session, claim.account_id), {
            "claim_id": claim_id, "applied_on": applied_on.isoformat(), "order": order.outcome, "breach": bool(said)})
        session.refresh(row)
        session.expunge(row)
    return row


def _eviction(session, eviction_id: int) -> Eviction:
    row = session.get(Eviction, eviction_id)
    if row is None:
        raise NotFound(f"no warrant or eviction {eviction_id}")
    if row.outcome is not None:
        raise InputError(f"this eviction already has its outcome ({EVICTION_OUTCOMES.get(row.outcome, row.outcome)})")
    return row


def set_eviction_date(ctx: ServiceContext, eviction_id: int, *, eviction_on: date, version: int) -> Eviction:
    """Record (or move) the eviction date the bailiffs gave for a warrant."""
    ctx.require("arrears.manage")
    with session_scope(ctx.engine, write=True) as session:
        row = _eviction(session, eviction_id)
        if eviction_on < row.warrant_applied_on:
            raise InputError(f"eviction on: {_d(eviction_on)} is before the warrant was applied for "
                             f"({_d(row.warrant_applied_on)})")
        done = session.execute(update(EVICTION).where(EVICTION.c.id == eviction_id, EVICTION.c.version == version)
                               .values(eviction_on=eviction_on, version=version + 1))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise _stale("the eviction")
        audit.record(session, ctx, "arrears.eviction_date_set", "account", _account_ref(session, row.account_id),
                     {"eviction_id": eviction_id, "eviction_on": eviction_on.isoformat(),
                      "moved_from": row.eviction_on.isoformat() if row.eviction_on else None})
        session.flush()
        session.refresh(row)
        session.expunge(row)
    return row


def record_eviction_outcome(ctx: ServiceContext, eviction_id: int, *, outcome: str, outcome_on: date,
                            version: int) -> Eviction:
    """Record what happened to a warrant (evicted / stayed / cancelled / tenant_left), and update_eviction_outcome."""
    actor = ctx.require("arrears.manage")
    code = (outcome or "").strip().lower()
    if code not in EVICTION_OUTCOMES:
        raise InputError(f"outcome: {outcome!r} is not an eviction outcome; choose one of {', '.join(EVICTION_OUTCOMES)}")
    _past("outcome on", outcome_on, ctx.today())
    with session_scope(ctx.engine, write=True) as session:
        row = _eviction(session, eviction_id)
        if outcome_on < row.warrant_applied_on:
            raise InputError(f"outcome on: {_d(outcome_on)} is before the warrant was applied for "
                             f"({_d(row.warrant_applied_on)})")
        if code == "evicted" and row.eviction_on is None:
            raise InputError("set the eviction date first: an eviction happens on the date the bailiffs gave")
        done = session.execute(update(EVICTION).where(EVICTION.c.id == eviction_id, EVICTION.c.version == version)
                               .values(outcome=code, outcome_on=outcome_on, recorded_by=actor.id, version=version + 1))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise _stale("the eviction")
        session.add(RecoveryAction(account_id=row.account_id, action=UPDATE_EVICTION_OUTCOME, taken_on=outcome_on,
                                   taken_by=actor.id, note=EVICTION_OUTCOMES[code], created_at=ctx.now()))
        audit.record(session, ctx, "arrears.eviction_outcome", "account", _account_ref(session, row.account_id),
                     {"eviction_id": eviction_id, "outcome": code, "outcome_on": outcome_on.isoformat()})
        session.flush()
        session.refresh(row)
        session.expunge(row)
    return row


def close_claim(ctx: ServiceContext, claim_id: int, *, closed_on: date, reason: str, version: int) -> PossessionClaim:
    """Close a claim (withdrawn, struck out, possession obtained, ...): no hearing or warrant may be left open."""
    ctx.require("arrears.manage")
    code = (reason or "").strip().lower()
    if code not in CLOSE_REASONS:
        raise InputError(f"reason: {reason!r} is not a reason to close a claim; choose one of {', '.join(CLOSE_REASONS)}")
    _past("closed on", closed_on, ctx.today())
    with session_scope(ctx.engine, write=True) as session:
        claim = _claim(session, claim_id)
        if closed_on < claim.issued_on:
            raise InputError(f"closed on: {_d(closed_on)} is before the claim was issued ({_d(claim.issued_on)})")
        live = session.execute(select(EVICTION.c.id).where(EVICTION.c.claim_id == claim_id,
                                                            EVICTION.c.outcome.is_(None))).scalar()
        if live is not None:
            raise InputError("a warrant on this claim has no outcome yet; record the eviction's outcome first")
        done = session.execute(update(CLAIM).where(CLAIM.c.id == claim_id, CLAIM.c.version == version)
                               .values(closed_on=closed_on, closed_reason=code, version=version + 1))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise _stale("the claim")
        audit.record(session, ctx, "arrears.claim_closed", "account", _account_ref(session, claim.account_id),
                     {"claim_id": claim_id, "closed_on": closed_on.isoformat(), "reason": code})
        session.flush()
        session.refresh(claim)
        session.expunge(claim)
    return claim


__all__ = ["APPLY_FOR_POSSESSION", "ClaimRecorded", "HearingSet", "apply_warrant", "close_claim", "jurisdiction_of",
           "notice_in_force", "record_claim", "record_eviction_outcome", "record_outcome", "set_eviction_date",
           "set_hearing"]
