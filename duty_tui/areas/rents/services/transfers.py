"""Credit transfers (docs/RENTS_TENANCY_END.md): a credit moved to another debt of the same person.

One person asks (a tenancy's end with ``--credit transfer:ACCOUNT``), another authorises or rejects
(``duty-tui rent transfer-decide``); the requester may not decide their own. Authorised, two ledger rows
kind ``transfer`` are posted, ``transfer:<ref>:out`` on the account in credit and ``transfer:<ref>:in``
on the debt (UNIQUE external ids: posted once); the decision is guarded by the row's ``version``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from duty_tui.areas.rents.db.models import RentCreditTransfer
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, table_of
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.holders import holder_person

PERMISSION = "rents.manage"
TRANSFER, ACCOUNT, LEDGER = table_of(RentCreditTransfer), table_of(Account), table_of(LedgerEntry)


@dataclass(frozen=True)
class TransferView:
    ref: str
    from_account: str
    to_account: str
    amount_pence: int
    reason: str
    status: str
    requested_by: int | None
    requested_at: datetime
    version: int

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "from": self.from_account, "to": self.to_account, "amount_pence": self.amount_pence,
                "reason": self.reason, "status": self.status, "requested_at": self.requested_at.isoformat()}


def _person_id(session: Any, account: Account) -> int | None:
    person = holder_person(session, account)
    return person.id if person is not None else None


def new_transfer(ctx: ServiceContext, session: Any, source: Account, to_ref: str, amount: int, reason: str) -> str:
    """Request a transfer inside the caller's write transaction; its ref. The target must be another open
    account of the same person."""
    target = session.execute(select(Account).where(ACCOUNT.c.ref == to_ref.strip().upper())).scalar()
    if target is None:
        raise InputError(f"transfer to {to_ref!r}: no such account; give another open account of the same person")
    if target.id == source.id or target.closed_on is not None:
        raise InputError(f"transfer to {target.ref}: choose another open account of the same person, not "
                         "the account being closed or a closed one")
    if _person_id(session, target) is None or _person_id(session, target) != _person_id(session, source):
        raise InputError(f"transfer to {target.ref}: it belongs to someone else; a credit moves only to another "
                         "debt of the same person (or choose refund or hold)")
    from duty_tui.core.services.refs import insert_with_ref

    actor = ctx.actor
    row = insert_with_ref(session, lambda ref: RentCreditTransfer(
        ref=ref, from_account_id=int(source.id or 0), to_account_id=int(target.id or 0), amount_pence=amount, reason=reason[:200],
        requested_by=actor.id if actor else None, requested_at=ctx.now()), RentCreditTransfer.ref, "CT", 6)
    audit.record(session, ctx, "rent.transfer_requested", "rent_credit_transfer", row.ref,
                 {"from": source.ref, "to": target.ref, "amount_pence": amount})
    return row.ref


def _view(session: Any, row: RentCreditTransfer) -> TransferView:
    refs = dict(session.execute(select(ACCOUNT.c.id, ACCOUNT.c.ref)
                                .where(ACCOUNT.c.id.in_([row.from_account_id, row.to_account_id]))).all())
    return TransferView(row.ref, refs[row.from_account_id], refs[row.to_account_id], row.amount_pence, row.reason,
                        row.status, row.requested_by, row.requested_at, row.version)


def list_transfers(ctx: ServiceContext, *, status: str | None = "requested") -> list[TransferView]:
    """Credit transfers (waiting for a decision, by default), oldest first."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine) as session:
        query = select(RentCreditTransfer).order_by(TRANSFER.c.id)
        if status:
            query = query.where(TRANSFER.c.status == status)
        found = [_view(session, row) for row in session.execute(query).scalars()]
    audit.record_read(ctx, "rent.transfers_listed", "rent_credit_transfer", None, {"count": len(found)})
    return found


def decide_transfer(ctx: ServiceContext, ref: str, *, authorise: bool, note: str | None = None) -> TransferView:
    """Authorise (posting the two rows) or reject a transfer someone else asked for."""
    actor = ctx.require(PERMISSION)
    with session_scope(ctx.engine, write=True) as session:
        row = session.execute(select(RentCreditTransfer).where(TRANSFER.c.ref == ref.strip().upper())).scalar()
        if row is None:
            raise NotFound(f"no credit transfer {ref!r}; `duty-tui rent transfers` lists those waiting")
        if row.status != "requested":
            raise InputError(f"transfer {row.ref} was already {row.status}; nothing more to decide")
        if row.requested_by == actor.id:
            raise PermissionDenied(f"transfer {row.ref}: you asked for it, so someone else must decide it "
                                   "(two people for every credit transfer)")
        if not authorise and not (note or "").strip():
            raise InputError("--note: say why the transfer is rejected")
        status = "authorised" if authorise else "rejected"
        done = session.execute(update(TRANSFER).where(TRANSFER.c.id == row.id, TRANSFER.c.version == row.version)
                               .values(status=status, decided_by=actor.id, decided_at=ctx.now(),
                                       decision_note=(note or "").strip()[:200] or None, version=row.version + 1))
        if getattr(done, "rowcount", 1) != 1:
            raise ConflictError(f"transfer {row.ref} was decided by someone else a moment ago", record=row.ref)
        if authorise:
            _post(ctx, session, row, actor.id)
        audit.record(session, ctx, f"rent.transfer_{status}", "rent_credit_transfer", row.ref,
                     {"amount_pence": row.amount_pence, "note": note})
        session.refresh(row)
        return _view(session, row)


def _post(ctx: ServiceContext, session: Any, row: RentCreditTransfer, actor_id: int | None) -> None:
    now, today = ctx.now(), ctx.today()
    words = f"Credit transfer {row.ref} ({format_pence(row.amount_pence)})"
    session.execute(LEDGER.insert(), [
        {"account_id": row.from_account_id, "effective_date": today, "posted_at": now, "kind": "transfer",
         "amount_pence": row.amount_pence, "reference": row.ref, "external_id": f"transfer:{row.ref}:out",
         "created_by": actor_id, "terminal": ctx.terminal, "reason": words},
        {"account_id": row.to_account_id, "effective_date": today, "posted_at": now, "kind": "transfer",
         "amount_pence": -row.amount_pence, "reference": row.ref, "external_id": f"transfer:{row.ref}:in",
         "created_by": actor_id, "terminal": ctx.terminal, "reason": words}])
