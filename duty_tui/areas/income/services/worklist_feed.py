"""The worklist's reads of the court, eviction, benefit-claim and managed-payment tables and the ledger.

Each read is batched by account id for a page (or, with ``None``, for every account in arrears, as
``worklist._history`` does) and runs inside the worklist's read transaction; the judging is pure
(``domain/feed.py``). docs/INCOME_WORKLIST_FEED.md says what each fact means and where it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.sql import ColumnElement

from duty_tui.areas.income.db.models import BenefitClaim, CourtHearing, Eviction, ManagedPayment, PossessionClaim
from duty_tui.areas.income.domain.feed import (
    EVICTION_NOT_GOING_AHEAD,
    UNIVERSAL_CREDIT,
    CourtFacts,
    uc_managed_payment_due,
)
from duty_tui.areas.income.domain.policy import ORDERS_ON_TERMS
from duty_tui.core.db.kept_balance import RECEIVED_KINDS
from duty_tui.core.db.models import Account, AccountBalance, LedgerEntry, table_of

HEARING, EVICTION, CLAIM = table_of(CourtHearing), table_of(Eviction), table_of(PossessionClaim)
BENEFIT, MANAGED, LEDGER = table_of(BenefitClaim), table_of(ManagedPayment), table_of(LedgerEntry)
ACCOUNT, BALANCE = table_of(Account), table_of(AccountBalance)
CHUNK = 900  # ids per IN list: under SQLite's old 999-parameter limit


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


def _for(column: Any, account_ids: Sequence[int] | None) -> Iterable[ColumnElement[bool]]:
    """``column IN (ids)`` by chunks; ``None``: every account in arrears (one subquery)."""
    if account_ids is None:
        yield column.in_(select(BALANCE.c.account_id).where(BALANCE.c.balance_pence > 0))
        return
    yield from (column.in_(part) for part in _chunks(account_ids))


# --- the tabs' SQL ---------------------------------------------------------------------------------

def upcoming_hearing(today: date) -> ColumnElement[bool]:
    """The account has a hearing on or after today (the *court* tab)."""
    return exists().where(HEARING.c.account_id == ACCOUNT.c.id, HEARING.c.hearing_on >= today)


def upcoming_eviction(today: date) -> ColumnElement[bool]:
    """The account has an eviction booked on or after today that is still going ahead (the *evictions* tab)."""
    return exists().where(EVICTION.c.account_id == ACCOUNT.c.id, EVICTION.c.eviction_on >= today,
                          or_(EVICTION.c.outcome.is_(None), EVICTION.c.outcome.not_in(EVICTION_NOT_GOING_AHEAD)))


def benefit_claim_pending() -> ColumnElement[bool]:
    """The account has a housing benefit or universal credit claim awaiting decision."""
    return exists().where(BENEFIT.c.account_id == ACCOUNT.c.id, BENEFIT.c.decided_on.is_(None))


def orders_on_terms(session: Any) -> list[int]:
    """Accounts in arrears with any hearing whose outcome is an order on terms (candidates for the kept tab)."""
    query = select(HEARING.c.account_id).distinct().where(HEARING.c.outcome.in_(ORDERS_ON_TERMS),
                                                          *_for(HEARING.c.account_id, None))
    return [int(i) for i in session.execute(query).scalars().all()]


# --- the facts, for a page -----------------------------------------------------------------------

@dataclass
class _Building:
    hearing: tuple[Any, ...] | None = None
    eviction: tuple[Any, ...] | None = None
    claim: tuple[Any, ...] | None = None


def court_facts(session: Any, account_ids: Sequence[int] | None, today: date) -> dict[int, CourtFacts]:
    """Each account's latest hearing, latest eviction date, pending benefit claim and (for an order on
    terms) the money received since the order; accounts with none of these are left out.

    The latest hearing is the latest by day (then id) of those whose claim is open, or that have an
    outcome (a hearing of a claim closed before it was heard is no longer set). The latest eviction is
    the latest with a date. The pending claim is the latest undecided one."""
    if account_ids is not None and not account_ids:
        return {}
    found: dict[int, _Building] = defaultdict(_Building)
    for where in _for(HEARING.c.account_id, account_ids):
        rows = session.execute(
            select(HEARING.c.account_id, HEARING.c.hearing_on, HEARING.c.outcome, HEARING.c.outcome_on,
                   HEARING.c.terms_weekly_pence)
            .join(CLAIM, CLAIM.c.id == HEARING.c.claim_id)
            .where(where, or_(CLAIM.c.closed_on.is_(None), CLAIM.c.closed_on > today, HEARING.c.outcome.is_not(None)))
            .order_by(HEARING.c.hearing_on, HEARING.c.id)).all()
        for account_id, *rest in rows:
            found[account_id].hearing = tuple(rest)
    for where in _for(EVICTION.c.account_id, account_ids):
        for account_id, *rest in session.execute(
                select(EVICTION.c.account_id, EVICTION.c.eviction_on, EVICTION.c.outcome, EVICTION.c.outcome_on)
                .where(where, EVICTION.c.eviction_on.is_not(None))
                .order_by(EVICTION.c.eviction_on, EVICTION.c.id)).all():
            found[account_id].eviction = tuple(rest)
    for where in _for(BENEFIT.c.account_id, account_ids):
        for account_id, *rest in session.execute(
                select(BENEFIT.c.account_id, BENEFIT.c.kind, BENEFIT.c.made_on)
                .where(where, BENEFIT.c.decided_on.is_(None)).order_by(BENEFIT.c.made_on, BENEFIT.c.id)).all():
            found[account_id].claim = tuple(rest)
    facts = {account_id: _facts(b) for account_id, b in found.items()}
    orders = {i: f.order_on for i, f in facts.items()
              if f.outcome in ORDERS_ON_TERMS and f.order_on is not None and f.terms_weekly_pence is not None}
    for account_id, pence in received_since(session, orders).items():
        facts[account_id] = replace(facts[account_id], received_since_order_pence=pence)
    return facts


def _facts(b: _Building) -> CourtFacts:
    hearing_on, outcome, outcome_on, terms = b.hearing or (None, None, None, None)
    eviction_on, eviction_outcome, eviction_outcome_on = b.eviction or (None, None, None)
    kind, made_on = b.claim or (None, None)
    return CourtFacts(hearing_on, outcome, outcome_on, terms, eviction_on, eviction_outcome, eviction_outcome_on,
                      kind, made_on)


def received_since(session: Any, since: dict[int, date]) -> dict[int, int]:
    """Money received (payments, housing benefit, universal credit: RECEIVED_KINDS, as the kept balance's
    last payment counts it) on or after each account's day, net of rows since reversed; in pence."""
    if not since:
        return {}
    ids = sorted(since)
    rows: list[tuple[int, int, date, int]] = []
    for part in _chunks(ids):
        rows.extend(session.execute(
            select(LEDGER.c.id, LEDGER.c.account_id, LEDGER.c.effective_date, LEDGER.c.amount_pence)
            .where(LEDGER.c.account_id.in_(part), LEDGER.c.effective_date >= min(since[i] for i in part),
                   LEDGER.c.kind.in_(RECEIVED_KINDS), LEDGER.c.amount_pence < 0)).all())
    reversed_ids: set[int] = set()
    entry_ids = [r[0] for r in rows]
    for part in _chunks(entry_ids):
        reversed_ids.update(session.execute(select(LEDGER.c.reverses_id).where(
            LEDGER.c.reverses_id.in_(part))).scalars().all())
    paid: dict[int, int] = defaultdict(int)
    for entry_id, account_id, day, amount in rows:
        if entry_id not in reversed_ids and day >= since[account_id]:
            paid[account_id] += -int(amount)
    return dict(paid)


# --- Universal Credit ----------------------------------------------------------------------------

def uc_managed_payment_flags(session: Any, accounts: Sequence[tuple[int, int, int]], months_owed: Any,
                             since: date) -> set[int]:
    """Of (account id, balance, weekly rent) for a page, the accounts owing at least ``months_owed``
    months' rent with Universal Credit recorded (a universal credit claim, in any state, or a ledger
    row of kind or method universal_credit dated ``since`` or later) and no managed payment asked for
    (any managed_payment row)."""
    owing = [a for a in accounts if uc_managed_payment_due(balance_pence=a[1], weekly_rent_pence=a[2],
                                                           uc_recorded=True, requested=False,
                                                           months_owed=months_owed)]
    if not owing:
        return set()
    ids = [a[0] for a in owing]
    requested: set[int] = set()
    recorded: set[int] = set()
    for part in _chunks(ids):
        requested.update(session.execute(select(MANAGED.c.account_id).where(
            MANAGED.c.account_id.in_(part))).scalars().all())
    ids = [i for i in ids if i not in requested]
    for part in _chunks(ids):
        recorded.update(session.execute(select(BENEFIT.c.account_id).where(
            BENEFIT.c.account_id.in_(part), BENEFIT.c.kind == UNIVERSAL_CREDIT)).scalars().all())
    unknown = [i for i in ids if i not in recorded]
    for part in _chunks(unknown):
        recorded.update(session.execute(select(LEDGER.c.account_id).distinct().where(
            LEDGER.c.account_id.in_(part), LEDGER.c.effective_date >= since,
            or_(LEDGER.c.kind == UNIVERSAL_CREDIT, and_(LEDGER.c.method.is_not(None),
                                                        LEDGER.c.method == UNIVERSAL_CREDIT)))).scalars().all())
    return {i for i in ids if i in recorded}


__all__ = ["benefit_claim_pending", "court_facts", "orders_on_terms", "received_since", "uc_managed_payment_flags",
           "upcoming_eviction", "upcoming_hearing"]
