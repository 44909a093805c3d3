"""Finding accounts: the accounts a payment could go to (a person's, an account ref's holder's, or a
search's people's), and every account with its balance for ``account list|show`` (docs/CLI.md).

Each use case is one transaction, permission checked first; looking accounts up is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from duty_tui.areas.payments.services.common import (
    account_by_ref,
    accounts_of_person,
    balance_of,
    balances,
    clean_ref,
    holder_person,
    person_by_ref,
    policy,
    stored_id,
)
from duty_tui.areas.payments.services.words import account_type_name
from duty_tui.core import registry
from duty_tui.core.db import kept_balance
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, AccountBalance, Person
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext


@dataclass(frozen=True)
class PayableAccount:
    """An account a payment could go to."""

    ref: str
    account_type: str
    holder: str
    balance_pence: int
    closed: bool
    person_ref: str | None
    person_name: str | None

    @property
    def type_name(self) -> str:
        """The account type as staff say it."""
        return account_type_name(self.account_type)


@dataclass(frozen=True)
class AccountLookup:
    """The accounts found for a person or a search, and a line saying how."""

    accounts: list[PayableAccount]
    message: str
    person_ref: str | None = None
    person_name: str | None = None


def _usual_first(found: list[PayableAccount], split_priority: tuple[str, ...] | list[str]) -> list[PayableAccount]:
    """A person's accounts in the order a payment usually goes: open before closed, then the policy's
    split order (rent first), then ref — so the highlighted first row is the rent account, not court costs."""
    order = {kind: i for i, kind in enumerate(split_priority)}
    return sorted(found, key=lambda a: (a.closed, order.get(a.account_type, len(order)), a.ref))


def _payable(session, accounts: list[Account], today: date) -> list[PayableAccount]:
    sums = balances(session, [stored_id(a) for a in accounts])
    out = []
    for account in accounts:
        person = holder_person(session, account)
        out.append(PayableAccount(account.ref, account.account_type, account.holder_name, sums[stored_id(account)],
                                  account.closed_on is not None and account.closed_on <= today,
                                  person.ref if person else None,
                                  f"{person.forename} {person.surname}" if person else None))
    return out


_ACCOUNT_REF = re.compile(r"^[A-Z]{2,4}\d{3,}$")


def find_payable_accounts(ctx: ServiceContext, *, person_ref: str | None = None,
                          query: str | None = None) -> AccountLookup:
    """Accounts to take a payment on: a person's, an account ref's holder's, or a search's people's."""
    if not (ctx.can("payment.take") or ctx.can("account.view")):
        ctx.require("payment.take")
    if person_ref:
        return _person_accounts(ctx, person_ref)
    wanted = (query or "").strip()
    if len(wanted) < 2:
        raise InputError("type an account ref (e.g. RNT000123), a person ref, or at least two letters of a name")
    compact = clean_ref(wanted)
    if _ACCOUNT_REF.match(compact) and not compact.startswith("P"):
        by_ref = _account_and_holders_others(ctx, compact)
        if by_ref is not None:
            return by_ref
    if re.match(r"^P\d{4,}$", compact):
        return find_payable_accounts(ctx, person_ref=compact)
    return _searched_accounts(ctx, wanted)


def _person_accounts(ctx: ServiceContext, person_ref: str) -> AccountLookup:
    """A person's accounts (not suspense), in the order a payment usually goes; audited."""
    with session_scope(ctx.engine) as session:  # a read; the audit event after it (docs/AUDIT.md)
        person = person_by_ref(session, person_ref)
        accounts = [a for a in accounts_of_person(session, person) if a.account_type != "suspense"]
        found = _usual_first(_payable(session, accounts, ctx.today()), policy(ctx).split_priority)
        name = f"{person.forename} {person.surname}"
        message = (f"{len(found)} account{'s' if len(found) != 1 else ''} for {name} ({person.ref})"
                   if found else f"{name} ({person.ref}) holds no accounts; search by account ref instead")
        lookup = AccountLookup(found, message, person.ref, name)
    audit.record_read(ctx, "account.lookup", "person", lookup.person_ref, {"accounts": len(found)})
    return lookup


def _account_and_holders_others(ctx: ServiceContext, account_ref: str) -> AccountLookup | None:
    """The account with this ref first, then its holder's other accounts; audited. None if no such account."""
    today = ctx.today()
    with session_scope(ctx.engine) as session:  # a read; the audit event after it (docs/AUDIT.md)
        account = session.exec(select(Account).where(Account.ref == account_ref)).first()
        if account is None:
            return None
        holder = holder_person(session, account)
        others = []
        if holder is not None:
            others = [a for a in accounts_of_person(session, holder)
                      if a.id != account.id and a.account_type != "suspense"]
        # The account asked for stays first; the holder's others follow in the usual order.
        found = (_payable(session, [account], today)
                 + _usual_first(_payable(session, others, today), policy(ctx).split_priority))
        lookup = AccountLookup(found, f"account {account.ref}"
                               + (f" and the other accounts of {holder.forename} {holder.surname}"
                                  if len(found) > 1 and holder else ""),
                               holder.ref if holder else None,
                               f"{holder.forename} {holder.surname}" if holder else None)
        shown_ref = account.ref
    audit.record_read(ctx, "account.lookup", "account", shown_ref, {"accounts": len(found)})
    return lookup


def _searched_accounts(ctx: ServiceContext, wanted: str) -> AccountLookup:
    """The accounts (not suspense) of the people a search for ``wanted`` finds (the search audits itself)."""
    from duty_tui.core.services.search import find_people

    hits = find_people(ctx, wanted, limit=10)
    if not hits:
        return AccountLookup([], f"no one found for {wanted!r}; try an account ref, a postcode or a phone number")
    with session_scope(ctx.engine) as session:
        people = {p.ref: p for p in session.exec(select(Person).where(col(Person.ref).in_([h.ref for h in hits]))).all()}
        accounts: list[Account] = []
        seen: set[int] = set()
        for hit in hits:
            person = people.get(hit.ref)
            if person is None:
                continue
            for account in accounts_of_person(session, person):
                if stored_id(account) not in seen and account.account_type != "suspense":
                    seen.add(stored_id(account))
                    accounts.append(account)
        found = _payable(session, accounts, ctx.today())
    return AccountLookup(found, f"{len(found)} account{'s' if len(found) != 1 else ''} of {len(hits)} "
                                f"{'person' if len(hits) == 1 else 'people'} found for {wanted!r}")


@dataclass(frozen=True)
class AccountSummary:
    """One account as ``account list|show`` print it (docs/CLI.md)."""

    ref: str
    type: str
    holder: str
    balance_pence: int
    weekly_charges_pence: int | None = None
    """`account show` only: a rent account's weekly charges in force today (the rents area's hook
    ``account.weekly_charges``); None for other accounts or a build without rents."""

    def as_json(self) -> dict:
        """Exactly the contract's keys."""
        return {"ref": self.ref, "type": self.type, "holder": self.holder, "balance_pence": self.balance_pence}

    def show_json(self) -> dict:
        """`account show --json`: the list's keys and ``weekly_charges_pence``."""
        return {**self.as_json(), "weekly_charges_pence": self.weekly_charges_pence}


def list_accounts(ctx: ServiceContext, *, arrears_over_pence: int | None = None) -> list[AccountSummary]:
    """Every account with its kept balance, by ref; optionally only those owing more than an amount.

    Reads ``account_balance`` (kept by the database as rows are posted), so "owing more than £x" is
    an index range, not a sum over the whole ledger."""
    ctx.require("account.view")
    balance = func.coalesce(AccountBalance.balance_pence, 0)
    query = (select(Account.ref, Account.account_type, Account.holder_name, balance)
             .join(AccountBalance, col(AccountBalance.account_id) == Account.id, isouter=True)
             .order_by(Account.ref))
    if arrears_over_pence is not None:
        # Driven from the balance index (an IN over the kept balances, then each account by its key),
        # so both databases read only the accounts in arrears, never every account.
        owing = select(AccountBalance.account_id).where(col(AccountBalance.balance_pence) > arrears_over_pence)
        query = query.where(col(Account.id).in_(owing))
    with session_scope(ctx.engine) as session:  # a read; the audit event after it (docs/AUDIT.md)
        rows = session.exec(query).all()
    audit.record_read(ctx, "account.list", "account", None, {"arrears_over_pence": arrears_over_pence, "count": len(rows)})
    return [AccountSummary(ref, kind, holder, int(total or 0)) for ref, kind, holder, total in rows]


@dataclass(frozen=True)
class Reconciliation:
    """``account reconcile``: how many accounts were compared and those whose kept balance differs."""

    accounts: int
    differ: tuple[kept_balance.Difference, ...]
    repaired: bool = False

    def as_json(self) -> dict:
        """The contract's shape (docs/CLI.md)."""
        return {"accounts": self.accounts,
                "differ": [{"ref": d.ref, "kept_pence": d.kept_pence, "sum_pence": d.sum_pence} for d in self.differ]}


def reconcile_accounts(ctx: ServiceContext, *, repair: bool = False) -> Reconciliation:
    """Every account's kept balance against the sum of its ledger rows (and their count).

    With ``repair`` (account.rebuild_balances: an administrator), differing balances are rebuilt
    from the ledger — the ledger is the record — in one audited transaction naming each account.
    """
    ctx.require("account.view")
    if repair:
        ctx.require("account.rebuild_balances")
    with session_scope(ctx.engine) as session:  # one read of the ledger; the audit event after it
        accounts, differ = kept_balance.differences(session.connection())
    result = Reconciliation(accounts, tuple(differ))
    if repair and differ:
        with session_scope(ctx.engine, write=True) as session:
            kept_balance.rebuild(session.connection())
            audit.record(session, ctx, "account.balance_rebuilt", "account", None, {
                "accounts": accounts,
                "differ": {d.ref: {"kept_pence": d.kept_pence, "sum_pence": d.sum_pence} for d in differ[:200]},
                "count": len(differ)})
        return Reconciliation(accounts, tuple(differ), repaired=True)
    audit.record_read(ctx, "account.reconcile", "account", None, {"accounts": accounts, "differ": len(differ)})
    return result


def show_account(ctx: ServiceContext, ref: str) -> AccountSummary:
    """One account and its balance; NotFound (exit 2) for an unknown ref."""
    ctx.require("account.view")
    with session_scope(ctx.engine) as session:  # a read; the audit event after it (docs/AUDIT.md)
        account = account_by_ref(session, ref)
        weekly = registry.hook("account.weekly_charges")  # the rents area's, when this build has it
        charges = (weekly(session.connection(), ctx.settings.data_dir, [stored_id(account)], ctx.today())
                   if weekly is not None else {})
        summary = AccountSummary(account.ref, account.account_type, account.holder_name,
                                 balance_of(session, stored_id(account)), charges.get(stored_id(account)))
    audit.record_read(ctx, "account.show", "account", summary.ref)
    return summary


__all__ = ["AccountLookup", "AccountSummary", "PayableAccount", "find_payable_accounts", "list_accounts", "show_account"]
