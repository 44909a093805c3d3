"""Court costs and rechargeable repairs on their own accounts (docs/RENTS_TENANCY_END.md).

``charge_sundry`` charges the person's own ``court_costs`` / ``rechargeable_repairs`` account (opened,
ref ``CC…`` / ``RR…``, if they have none open), never the rent account: one ledger row (kind
``court_costs`` / ``rechargeable_repair``) and its ``rent_sundry_charge`` row (UNIQUE ledger_entry_id),
one write transaction, one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from duty_tui.areas.rents.db.models import RentSundryCharge
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Person, table_of
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.holders import holder_person

PERMISSION = "rents.manage"
KINDS = {"court_costs": ("court_costs", "CC"), "rechargeable_repairs": ("rechargeable_repair", "RR")}
ACCOUNT = table_of(Account)


@dataclass(frozen=True)
class SundryCharge:
    account_ref: str
    account_opened: bool
    kind: str
    amount_pence: int
    ledger_entry_id: int


def _person(session: Any, ref: str) -> tuple[Person, Account | None]:
    key = ref.strip().upper()
    account = session.execute(select(Account).where(ACCOUNT.c.ref == key)).scalar()
    if account is not None:
        person = holder_person(session, account)
        if person is None:
            raise InputError(f"{key} has no person recorded; charge the person by their ref instead")
        return person, account
    person = session.execute(select(Person).where(table_of(Person).c.ref == key)).scalar()
    if person is None:
        raise NotFound(f"no person or account with ref {ref!r}; check the ref")
    return person, None


def charge_sundry(ctx: ServiceContext, person_or_account: str, kind: str, amount_pence: int, description: str,
                  *, source_ref: str | None = None, on: date | None = None) -> SundryCharge:
    """Charge court costs or a rechargeable repair to the person's own account of that type."""
    actor = ctx.require(PERMISSION)
    if kind not in KINDS:
        raise InputError(f"--kind {kind!r}: choose court_costs or rechargeable_repairs")
    if amount_pence <= 0:
        raise InputError("--amount: the charge must be more than £0.00")
    text = " ".join((description or "").split())
    if not text or len(text) > 200:
        raise InputError("--description: say what the charge is for (at most 200 characters)")
    ledger_kind, prefix = KINDS[kind]
    today = on or ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        person, rent = _person(session, person_or_account)
        account = session.execute(select(Account).where(ACCOUNT.c.person_id == person.id,
                                                        ACCOUNT.c.account_type == kind,
                                                        ACCOUNT.c.closed_on.is_(None)).order_by(ACCOUNT.c.id)).scalar()
        opened = account is None
        if account is None:
            from duty_tui.core.services.refs import insert_with_ref

            holder = rent.holder_name if rent is not None else f"{person.forename} {person.surname}"
            account = insert_with_ref(session, lambda ref: Account(
                ref=ref, account_type=kind, person_id=person.id, holder_name=holder, opened_on=today),
                Account.ref, prefix, 6)
        entry = LedgerEntry(account_id=account.id, effective_date=today, posted_at=ctx.now(), kind=ledger_kind,
                            amount_pence=amount_pence, reference=(source_ref or text)[:64], created_by=actor.id,
                            terminal=ctx.terminal, reason=text)
        session.add(entry)
        session.flush()
        session.add(RentSundryCharge(account_id=account.id, rent_account_id=rent.id if rent else None, kind=kind,
                                     amount_pence=amount_pence, description=text, source_ref=source_ref,
                                     charged_on=today, ledger_entry_id=entry.id, created_by=actor.id,
                                     created_at=ctx.now()))
        session.flush()
        audit.record(session, ctx, "rent.sundry_charged", "account", account.ref,
                     {"kind": kind, "amount_pence": amount_pence, "account_opened": opened, "source_ref": source_ref})
        return SundryCharge(account.ref, opened, kind, amount_pence, int(entry.id or 0))
