"""Refunds of credit balances: requested by one person, authorised by another, never in cash.

A refund may be requested and authorised only up to the credit the ledger proves:
the credit now, counting payments only once they are ``refund_clearance_days`` old
(a cheque or card payment can still bounce before then), less any other refund
already requested on the account. The credit is checked again at authorisation,
inside the transaction that posts the refund row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from duty_tui.areas.payments.db.models import RefundRequest
from duty_tui.areas.payments.domain.rules import clean_free_text, proven_credit
from duty_tui.areas.payments.services.common import (
    account_by_ref,
    assign_ref,
    by_whom,
    lock_account,
    lock_office,
    office_for,
    pending_ref,
    policy,
    staff_names,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.domain.local_time import local_date
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account, record_account_id
from duty_tui.core.services.context import ServiceContext


@dataclass(frozen=True)
class RefundPosition:
    """How much of an account's credit may be refunded now."""

    account_ref: str
    holder: str
    credit_now_pence: int
    proven_pence: int
    requested_pence: int

    @property
    def available_pence(self) -> int:
        """Proven credit not already asked for."""
        return max(0, self.proven_pence - self.requested_pence)


@dataclass(frozen=True)
class RefundView:
    """A refund request and what became of it."""

    ref: str
    account_ref: str
    holder: str
    amount_pence: int
    method: str
    method_name: str
    payee: str
    reason: str
    status: str
    requested_by: str
    requested_by_id: int | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    version: int
    ledger_entry_id: int | None


def _position(session, ctx: ServiceContext, account: Account, *, excluding: int | None = None) -> RefundPosition:
    rules = policy(ctx)
    rows = session.exec(select(LedgerEntry.effective_date, LedgerEntry.posted_at, LedgerEntry.amount_pence)
                        .where(LedgerEntry.account_id == account.id)).all()
    credit_now = max(0, -sum(amount for _, _, amount in rows))
    # A payment clears from the later of its date and the day it was recorded.
    proven = proven_credit(((max(day, local_date(posted)), amount) for day, posted, amount in rows), ctx.today(),
                           rules.refund_clearance_days)
    pending = select(func.coalesce(func.sum(RefundRequest.amount_pence), 0)).where(
        RefundRequest.account_id == account.id, RefundRequest.status == "requested")
    if excluding is not None:
        pending = pending.where(RefundRequest.id != excluding)
    requested = int(session.exec(pending).one() or 0)
    return RefundPosition(account.ref, account.holder_name, credit_now, proven, requested)


def refund_position(ctx: ServiceContext, account_ref: str) -> RefundPosition:
    """The credit on an account, how much of it is proven, and how much is already requested."""
    if not (ctx.can("refund.request") or ctx.can("refund.authorise")):
        ctx.require("refund.request")
    with session_scope(ctx.engine) as session:
        return _position(session, ctx, account_by_ref(session, account_ref))


def _view(session, ctx: ServiceContext, refund: RefundRequest, account: Account | None = None) -> RefundView:
    account = account or session.get(Account, refund.account_id)
    names = staff_names(session, [refund.requested_by, refund.decided_by])
    return RefundView(refund.ref, account.ref, account.holder_name, refund.amount_pence, refund.method,
                      policy(ctx).method_name(refund.method), refund.payee, refund.reason, refund.status,
                      names.get(refund.requested_by, "—"), refund.requested_by, refund.requested_at,
                      names.get(refund.decided_by) if refund.decided_by else None, refund.decided_at,
                      refund.decision_note, refund.version, refund.ledger_entry_id)


def request_refund(ctx: ServiceContext, account_ref: str, amount_pence: int, method: str, payee: str, reason: str,
                   *, idempotency_key: str | None = None) -> RefundView:
    """Ask for a refund of (part of) an account's proven credit; someone else must authorise it."""
    actor = ctx.require("refund.request")
    rules = policy(ctx)
    problems: list[str] = []
    if method == "cash":
        problems.append("no cash refunds: choose " + " or ".join(rules.method_name(m) for m in rules.refund_methods))
    elif method not in rules.refund_methods:
        problems.append(f"refund method {method!r}: choose {', '.join(rules.refund_methods)}")
    if amount_pence <= 0:
        problems.append("the refund must be more than £0.00")
    clean_payee = clean_reason = None
    try:
        clean_payee = clean_free_text("payee", payee, max_length=120)
        if not clean_payee:
            problems.append("payee: say who is paid (the account holder's name as on their bank account)")
    except ValueError as exc:
        problems.append(str(exc))
    try:
        clean_reason = clean_free_text("reason", reason, max_length=200)
        if not clean_reason:
            problems.append("reason: say why the credit is being refunded (e.g. tenancy ended, overpaid HB)")
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        raise InputError(problems[0], problems=problems)
    try:
        with session_scope(ctx.engine, write=True) as session:
            if idempotency_key:
                done = session.exec(select(RefundRequest).where(RefundRequest.idempotency_key == idempotency_key)).first()
                if done is not None:
                    return _view(session, ctx, done)
            account = account_by_ref(session, account_ref)
            lock_office(session, office_for(session, ctx).id)
            # The office lock serialises one office only; the account's row lock makes a request for the
            # same credit from another office wait, then count this one as already requested.
            account = lock_account(session, account.id)
            position = _position(session, ctx, account)
            if amount_pence > position.available_pence:
                raise InputError(_too_much(position, amount_pence, rules.refund_clearance_days))
            refund = RefundRequest(ref=pending_ref("RF"), idempotency_key=idempotency_key, account_id=account.id,
                                   amount_pence=amount_pence, method=method, payee=clean_payee, reason=clean_reason,
                                   requested_by=actor.id, requested_at=ctx.now())
            session.add(refund)
            ref = assign_ref(session, refund, "RF")
            record_account(session, account)
            audit.record(session, ctx, "refund.request", "refund_request", ref, {
                "account": account.ref, "amount_pence": amount_pence, "method": method,
                "proven_credit_pence": position.proven_pence})
            return _view(session, ctx, refund, account)
    except IntegrityError:
        if idempotency_key:
            with session_scope(ctx.engine) as session:
                done = session.exec(select(RefundRequest).where(RefundRequest.idempotency_key == idempotency_key)).first()
                if done is not None:
                    return _view(session, ctx, done)
        raise


def _too_much(position: RefundPosition, amount: int, clearance_days: int) -> str:
    if position.credit_now_pence <= 0:
        return f"{position.account_ref} is not in credit ({format_pence(-position.credit_now_pence)} owed); " \
               "there is nothing to refund"
    parts = [f"only {format_pence(position.available_pence)} of {position.account_ref}'s credit can be refunded "
             f"(asked {format_pence(amount)})"]
    if position.proven_pence < position.credit_now_pence:
        parts.append(f"payments from the last {clearance_days} days are not yet cleared")
    if position.requested_pence:
        parts.append(f"{format_pence(position.requested_pence)} is already requested")
    return "; ".join(parts)


def pending_refunds(ctx: ServiceContext) -> list[RefundView]:
    """Refund requests waiting for a decision, oldest first."""
    if not (ctx.can("refund.request") or ctx.can("refund.authorise")):
        ctx.require("refund.authorise")
    with session_scope(ctx.engine) as session:
        rows = session.exec(select(RefundRequest).where(RefundRequest.status == "requested")
                            .order_by(RefundRequest.id)).all()
        return [_view(session, ctx, r) for r in rows]


def _decide(ctx: ServiceContext, ref: str, seen_version: int, *, authorise: bool, note: str | None) -> RefundView:
    actor = ctx.require("refund.authorise")
    try:
        clean_note = clean_free_text("note", note, max_length=200)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if not authorise and not clean_note:
        raise InputError("say why the refund is rejected")
    decision = "authorised" if authorise else "rejected"
    with session_scope(ctx.engine, write=True) as session:
        office = lock_office(session, office_for(session, ctx).id)
        refund = session.exec(select(RefundRequest).where(RefundRequest.ref == ref.strip().upper())).first()
        if refund is None:
            raise NotFound(f"no refund request {ref!r}")

        def refused(message: str) -> ConflictError:
            from duty_tui.core.db.models import StaffUser
            from duty_tui.core.services.conflicts import as_text, last_change

            session.refresh(refund)
            who, at = last_change(session, "refund_request", refund.ref)
            by = session.get(StaffUser, refund.decided_by) if refund.decided_by else None
            return ConflictError(
                message, record=f"refund {refund.ref}", changed_by=who, changed_at=at, version=refund.version,
                theirs={"Status": refund.status, "Decided by": as_text(by.display_name if by else None),
                        "Note": as_text(refund.decision_note)},
                yours={"Status": decision, "Decided by": actor.display_name, "Note": as_text(clean_note)})

        def already_decided() -> ConflictError:
            session.refresh(refund)
            return refused(f"refund {refund.ref} was already {refund.status} by "
                           f"{by_whom(session, refund.decided_by, refund.decided_at)}; nothing was changed")

        if refund.status != "requested":
            raise already_decided()
        if refund.requested_by == actor.id:
            raise PermissionDenied(f"you requested refund {refund.ref}; another person must "
                                   f"{'authorise' if authorise else 'reject'} it")
        account = lock_account(session, refund.account_id)
        now = ctx.now()
        # The decision is taken here, once: a conditional UPDATE of the request's own row. On PostgreSQL
        # a second decider from any office waits on this row, then matches nothing (the status is no longer
        # 'requested'); SQLite's write transaction serialises them. Nothing is posted before it.
        claimed = session.exec(update(RefundRequest).where(
            RefundRequest.id == refund.id, RefundRequest.status == "requested",
            RefundRequest.version == seen_version).values(
            status=decision, decided_by=actor.id, decided_at=now, decision_note=clean_note,
            version=RefundRequest.version + 1))
        if claimed.rowcount != 1:
            session.refresh(refund)
            if refund.status != "requested":
                raise already_decided()
            raise refused(f"someone else changed refund {refund.ref} just now; nothing was changed — reload "
                          "and decide again")
        entry_id = None
        if authorise:
            position = _position(session, ctx, account, excluding=refund.id)
            if refund.amount_pence > position.available_pence:
                raise InputError(_too_much(position, refund.amount_pence, policy(ctx).refund_clearance_days)
                                 + "; reject this request or wait until the credit is proven")
            entry = LedgerEntry(account_id=account.id, effective_date=ctx.today(), posted_at=now, kind="refund",
                                method=refund.method, amount_pence=refund.amount_pence, reference=refund.ref,
                                office_id=office.id, created_by=actor.id, terminal=ctx.terminal[:64],
                                reason=f"Refund {refund.ref} to {refund.payee}"[:200])
            session.add(entry)
            session.flush()
            entry_id = entry.id
            session.exec(update(RefundRequest).where(col(RefundRequest.id) == refund.id)
                         .values(ledger_entry_id=entry_id))
        session.refresh(refund)
        record_account_id(session, refund.account_id)
        audit.record(session, ctx, "refund.authorise" if authorise else "refund.reject", "refund_request",
                     refund.ref, {"account": account.ref, "amount_pence": refund.amount_pence,
                                  "ledger_entry_id": entry_id, "note": clean_note})
        return _view(session, ctx, refund, account)


def authorise_refund(ctx: ServiceContext, ref: str, seen_version: int, note: str | None = None) -> RefundView:
    """Authorise someone else's refund request: posts the refund row (the credit goes down)."""
    return _decide(ctx, ref, seen_version, authorise=True, note=note)


def reject_refund(ctx: ServiceContext, ref: str, seen_version: int, note: str) -> RefundView:
    """Reject someone else's refund request, saying why."""
    return _decide(ctx, ref, seen_version, authorise=False, note=note)


__all__ = ["RefundPosition", "RefundView", "authorise_refund", "pending_refunds", "refund_position",
           "reject_refund", "request_refund"]


def request_refund_hook(ctx: ServiceContext, account_ref: str, amount_pence: int, payee: str, reason: str,
                        *, idempotency_key: str | None = None) -> RefundView:
    """Hook ``account.request_refund`` (docs/ARCHITECTURE.md): another area (a tenancy's end) asks for a refund
    of a credit, by the policy's first refund method; the same two-person request as the desk's."""
    return request_refund(ctx, account_ref, amount_pence, policy(ctx).refund_methods[0], payee, reason,
                          idempotency_key=idempotency_key)
