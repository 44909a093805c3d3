"""Former tenants' arrears, read: the former-tenant accounts that owe (with where their letter of claim
stands) and one account in full — who owes it and where letters go, where the debt came from, its
history, the letters sent and the limitation date (information, "to confirm": data/income/debt_protocol.toml).
Every read is audited before it is returned (docs/INCOME_FORMER_TENANTS.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from duty_tui.areas.income.db.models import RecoveryAction
from duty_tui.areas.income.domain.debt_claim import load_debt_protocol
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import (
    Account,
    AccountBalance,
    LedgerEntry,
    Person,
    PersonAddress,
    Property,
    Tenancy,
    table_of,
)
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.holders import holder_person

ACCOUNT, BALANCE, LEDGER = table_of(Account), table_of(AccountBalance), table_of(LedgerEntry)
ACTION, ADDRESS = table_of(RecoveryAction), table_of(PersonAddress)
FORMER = "former_tenant"
LETTER = "letter_of_claim"
"""The ``recovery_action`` code a letter of claim is recorded with (on the former-tenant account)."""
MOVE_IN_KIND = "former_tenant_debt"
MAX_LIMIT = 500


@dataclass(frozen=True)
class FormerTenantRow:
    """A former-tenant account that owes money, and where its letter of claim stands."""

    ref: str
    holder: str
    balance_pence: int
    moved_on: date | None
    last_payment_on: date | None
    letter_sent_on: date | None
    reply_due: date | None
    overdue: bool


def clean_ref(ref: str) -> str:
    """An account ref as typed ('rnt 000123') as stored ('RNT000123'); blank is refused."""
    wanted = re.sub(r"\s+", "", ref or "").upper()
    if not wanted:
        raise InputError("account: enter an account ref, e.g. RNT000123")
    return wanted


def account_by_ref(session: Any, ref: str, *, lock: bool = False) -> Account:
    """The account with this ref (locked until commit when ``lock``); NotFound names the ref."""
    query = select(Account).where(ACCOUNT.c.ref == ref).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update(key_share=True)  # FOR NO KEY UPDATE; SQLite leaves it out
    account = session.execute(query).scalar()
    if account is None:
        raise NotFound(f"no account with ref {ref!r}; check the ref or search for the person")
    return account


def stored_id(row: Any) -> int:
    """A stored row's id."""
    assert row.id is not None  # a stored row
    return int(row.id)


def balance_of(session: Any, account_id: int) -> int:
    """The account's kept balance (0 when it has no ledger rows)."""
    found = session.execute(select(BALANCE.c.balance_pence).where(BALANCE.c.account_id == account_id)).scalar()
    return int(found or 0)


# --- the list -------------------------------------------------------------------------------------

def _moved_on() -> Any:
    """The day the account's first debt was moved in (a correlated subquery)."""
    return (select(func.min(LEDGER.c.effective_date))
            .where(LEDGER.c.account_id == ACCOUNT.c.id, LEDGER.c.kind == MOVE_IN_KIND).scalar_subquery())


def _last_letter() -> Any:
    """The day of the account's latest letter of claim (a correlated subquery)."""
    return (select(func.max(ACTION.c.taken_on))
            .where(ACTION.c.account_id == ACCOUNT.c.id, ACTION.c.action == LETTER).scalar_subquery())


def former_tenant_accounts(ctx: ServiceContext, *, limit: int = 200, offset: int = 0) -> list[FormerTenantRow]:
    """Former-tenant accounts owing money, largest first: when the debt was moved, the letter of claim sent,
    the reply due and whether it is overdue. Audited as a view naming the accounts shown."""
    ctx.require("account.view")
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InputError(f"limit: a whole number from 1 to {MAX_LIMIT} (offset 0 or more)")
    today = ctx.today()
    protocol = load_debt_protocol(ctx.settings.data_dir)
    query = (select(ACCOUNT.c.ref, ACCOUNT.c.holder_name, BALANCE.c.balance_pence, _moved_on(), ACCOUNT.c.opened_on,
                    BALANCE.c.last_payment_on, _last_letter())
             .select_from(BALANCE).join(ACCOUNT, ACCOUNT.c.id == BALANCE.c.account_id)
             .where(BALANCE.c.balance_pence > 0, ACCOUNT.c.account_type == FORMER,
                    or_(ACCOUNT.c.closed_on.is_(None), ACCOUNT.c.closed_on > today))
             .order_by(BALANCE.c.balance_pence.desc(), ACCOUNT.c.ref).limit(limit).offset(offset))
    with session_scope(ctx.engine) as session:
        found = session.execute(query).all()
    rows = []
    for ref, holder, balance, moved, opened, paid, letter in found:
        due = protocol.on(letter).reply_by(letter) if letter else None
        rows.append(FormerTenantRow(ref, holder or "", int(balance), moved or opened, paid, letter, due,
                                    due is not None and due < today and (paid is None or paid <= letter)))
    audit.record_read(ctx, "arrears.former_tenants_listed", "account", None,
                      {"offset": offset, "shown": [r.ref for r in rows]})
    return rows


# --- one account ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerLine:
    """One row of an account's history."""

    on: date
    kind: str
    amount_pence: int
    balance_pence: int
    note: str


@dataclass(frozen=True)
class FormerTenantDetail:
    """One former-tenant account: who owes it, where it came from, its history, letters and limitation."""

    ref: str
    holder: str
    debtor_name: str
    address: tuple[str, ...]
    former_address: tuple[str, ...]
    balance_pence: int
    tenancy_ref: str | None
    ended_on: date | None
    rent_refs: tuple[str, ...]
    moved: tuple[tuple[date, int, str], ...]  # (day, amount, from rent ref)
    lines: tuple[LedgerLine, ...]
    earlier_lines: int
    letters: tuple[tuple[date, str], ...]  # (sent on, note)
    last_payment_on: date | None
    limitation_from: date | None
    limitation_ends: date | None
    limitation_confirmed: bool
    limitation_source: str


HISTORY_LINES = 12


def _address(session: Any, person: Person | None, tenancy: Tenancy | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(where letters go: the latest open correspondence address, else the former home; the former home)."""
    home: tuple[str, ...] = ()
    prop = session.get(Property, tenancy.property_id) if tenancy is not None else None
    if prop is not None:
        home = tuple(x for x in (prop.address_line1, prop.address_line2, prop.town, prop.postcode) if x)
    if person is not None:
        found = session.execute(select(PersonAddress).where(ADDRESS.c.person_id == person.id, ADDRESS.c.until.is_(None))
                                .order_by(ADDRESS.c.since.desc(), ADDRESS.c.id.desc()).limit(1)).scalar()
        if found is not None:
            return tuple(x for x in (found.line1, found.line2, found.town, found.postcode) if x), home
    return home, home


def _name(person: Person | None, holder: str) -> str:
    if person is None:
        return holder
    return " ".join(x for x in (person.title, person.forename, person.surname) if x)


def former_tenant_account(ctx: ServiceContext, account_ref: str) -> FormerTenantDetail:
    """One former-tenant account in full (audited as a view)."""
    ctx.require("account.view")
    ref = clean_ref(account_ref)
    with session_scope(ctx.engine) as session:
        detail = read_detail(ctx, session, ref)
    audit.record_read(ctx, "arrears.former_tenant_viewed", "account", ref, {"balance_pence": detail.balance_pence})
    return detail


def read_detail(ctx: ServiceContext, session: Any, ref: str) -> FormerTenantDetail:
    """The detail, read in the caller's session (the letter of claim reads it too)."""
    account = account_by_ref(session, ref)
    if account.account_type != FORMER:
        raise InputError(f"{ref} is a {account.account_type.replace('_', ' ')} account, not a former tenant account")
    aid = stored_id(account)
    moved = [(r[0], int(r[1]), r[2] or "") for r in session.execute(
        select(LEDGER.c.effective_date, LEDGER.c.amount_pence, LEDGER.c.reference)
        .where(LEDGER.c.account_id == aid, LEDGER.c.kind == MOVE_IN_KIND)
        .order_by(LEDGER.c.effective_date, LEDGER.c.id)).all()]
    rent_refs = [r for _d, _a, r in moved if r.startswith("RNT")]
    rents = list(session.execute(select(Account).where(ACCOUNT.c.ref.in_(rent_refs))).scalars()) if rent_refs else []
    tenancy_id = account.tenancy_id or next((r.tenancy_id for r in rents if r.tenancy_id), None)
    tenancy = session.get(Tenancy, tenancy_id) if tenancy_id else None
    if not rents and tenancy is not None:
        rents = list(session.execute(select(Account).where(
            ACCOUNT.c.tenancy_id == tenancy.id, ACCOUNT.c.account_type == "rent")).scalars())
    person = holder_person(session, account)
    address, home = _address(session, person, tenancy)
    lines, earlier = _history(session, aid)
    letters = tuple((r[0], r[1] or "") for r in session.execute(
        select(ACTION.c.taken_on, ACTION.c.note).where(ACTION.c.account_id == aid, ACTION.c.action == LETTER)
        .order_by(ACTION.c.taken_on.desc(), ACTION.c.id.desc())).all())
    paid = [d for d in session.execute(select(BALANCE.c.last_payment_on).where(
        BALANCE.c.account_id.in_([aid, *(stored_id(r) for r in rents)]))).scalars() if d is not None]
    ended = tenancy.end_date if tenancy is not None else None
    since = max(paid) if paid else (ended or (moved[0][0] if moved else None))
    rules = load_debt_protocol(ctx.settings.data_dir).on(ctx.today())
    return FormerTenantDetail(
        ref, account.holder_name or "", _name(person, account.holder_name or ""), address, home,
        balance_of(session, aid), tenancy.ref if tenancy else None, ended, tuple(r.ref for r in rents), tuple(moved),
        lines, earlier, letters, max(paid) if paid else None, since,
        rules.limitation_ends(since) if since else None, rules.limitation_confirmed, rules.limitation_source)


def _history(session: Any, account_id: int) -> tuple[tuple[LedgerLine, ...], int]:
    """The account's latest HISTORY_LINES ledger rows, oldest first, with the running balance; how many earlier."""
    rows = session.execute(select(LEDGER.c.effective_date, LEDGER.c.kind, LEDGER.c.amount_pence, LEDGER.c.reason,
                                  LEDGER.c.reference)
                           .where(LEDGER.c.account_id == account_id)
                           .order_by(LEDGER.c.effective_date, LEDGER.c.id)).all()
    running, out = 0, []
    for on, kind, amount, reason, reference in rows:
        running += int(amount)
        out.append(LedgerLine(on, kind, int(amount), running, reason or reference or ""))
    return tuple(out[-HISTORY_LINES:]), max(0, len(out) - HISTORY_LINES)




__all__ = ["FORMER", "LETTER", "FormerTenantDetail", "FormerTenantRow", "LedgerLine", "account_by_ref", "balance_of",
           "clean_ref", "former_tenant_account", "former_tenant_accounts", "read_detail", "stored_id"]
