"""Reversing a ledger row: a new row of the opposite amount naming the original and a reason, one
reversal per row however many offices try at once; permission checked and audited in its transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from duty_tui.areas.payments.domain.rules import clean_free_text
from duty_tui.areas.payments.services.cashup import counter_closed
from duty_tui.areas.payments.services.common import (
    balance_of,
    by_whom,
    lock_account,
    lock_office,
    office_for,
    policy,
    stored_id,
)
from duty_tui.areas.payments.services.words import kind_name
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account_id
from duty_tui.core.services.context import ServiceContext

NOT_REVERSIBLE = ("reversal", "suspense_transfer")
"""Ledger row kinds that cannot themselves be reversed."""


@dataclass(frozen=True)
class ReversalView:
    """A reversal posted."""

    entry_id: int
    original_id: int
    account_ref: str
    amount_pence: int
    balance_after_pence: int
    reason: str


def already_reversed(session, entry_id: int, reversal: LedgerEntry) -> ConflictError:
    """The loser's message when a row was reversed first by someone else: who, when, which row."""
    return ConflictError(f"row #{entry_id} was already reversed by "
                         f"{by_whom(session, reversal.created_by, reversal.posted_at)} (reversal row #{reversal.id}); "
                         "nothing was changed", record=f"ledger row #{entry_id}",
                         changed_at=reversal.posted_at)


def reverse_entry(ctx: ServiceContext, entry_id: int, reason_code: str, note: str | None = None) -> ReversalView:
    """Reverse one ledger row: a new row of the opposite amount naming the original and a reason."""
    actor = ctx.require("payment.reverse")
    rules = policy(ctx)
    reason = rules.reversal_reasons.get(reason_code)
    problems = []
    if reason is None:
        problems.append(f"choose a reason for the reversal ({', '.join(rules.reversal_reasons)})")
    try:
        clean_note = clean_free_text("note", note, max_length=150)
    except ValueError as exc:
        problems.append(str(exc))
        clean_note = None
    if reason is not None and reason.needs_note and not clean_note:
        problems.append(f"say why in the note ('{reason.name}' needs one)")
    if problems:
        raise InputError(problems[0], problems=problems)
    assert reason is not None
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        office = lock_office(session, stored_id(office_for(session, ctx)))
        original = session.get(LedgerEntry, entry_id)
        if original is None:
            raise NotFound(f"no ledger row #{entry_id}")
        # The office lock serialises one office only: the account's row lock makes a reversal
        # (or a move out of suspense) of the same row from another office wait for this one.
        lock_account(session, original.account_id)
        if original.kind in NOT_REVERSIBLE:
            raise InputError(f"row #{entry_id} is a {kind_name(original.kind).lower()} row, which cannot itself be "
                             "reversed; post the original again instead")
        from duty_tui.areas.payments.db.models import SuspenseAllocation

        moved = session.exec(select(SuspenseAllocation).where(
            (SuspenseAllocation.suspense_entry_id == entry_id) | (SuspenseAllocation.in_entry_id == entry_id))).first()
        if moved is not None:
            raise InputError(f"row #{entry_id} was moved out of suspense by "
                             f"{by_whom(session, moved.allocated_by, moved.allocated_at)}; it cannot be reversed "
                             "here (the money would leave the ledger): ask the income team to correct it")
        done = session.exec(select(LedgerEntry).where(LedgerEntry.reverses_id == entry_id)).first()
        if done is not None:
            raise already_reversed(session, entry_id, done)
        account = session.get(Account, original.account_id)
        assert account is not None  # original.account_id is a foreign key
        till = None
        if original.till_code and original.effective_date == today and original.office_id == office.id:
            # Same day, till not yet cashed up: the reversal comes off that till's expected takings.
            if counter_closed(session, stored_id(office), original.till_code, today) is None:
                till = original.till_code
        text = reason.name + (f": {clean_note}" if clean_note else "")
        row = LedgerEntry(account_id=original.account_id, effective_date=today, posted_at=ctx.now(), kind="reversal",
                          method=original.method, amount_pence=-original.amount_pence, reference=reason.code,
                          office_id=office.id, reverses_id=original.id, created_by=actor.id,
                          terminal=ctx.terminal[:64], till_code=till, reason=text[:200])
        try:
            with session.begin_nested():  # a savepoint: if the database refuses the row, say whose it is
                session.add(row)
                session.flush()
        except IntegrityError:
            # ux_ledger_reverses (one reversal per row) refused it: another reversal of this row
            # was committed first. Say whose, from the row that won.
            done = session.exec(select(LedgerEntry).where(LedgerEntry.reverses_id == entry_id)).first()
            if done is None:
                raise
            raise already_reversed(session, entry_id, done) from None
        after = balance_of(session, original.account_id)
        record_account_id(session, original.account_id)
        audit.record(session, ctx, "payment.reverse", "ledger_entry", original.id, {
            "reversal_id": row.id, "account": account.ref, "amount_pence": original.amount_pence,
            "reason": reason.code, "note": clean_note, "receipt_no": original.receipt_no,
        })
        return ReversalView(stored_id(row), stored_id(original), account.ref, row.amount_pence, after, text)


__all__ = ["NOT_REVERSIBLE", "ReversalView", "already_reversed", "reverse_entry"]
