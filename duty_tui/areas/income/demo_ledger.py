"""What the income demo reads of the base office: accounts in arrears, their ledgers, the names on the tenancy.

The court stories (``demo_court``) stand on the rent ledger the base demo wrote: a notice records the
arrears on the day it was served, a weekly rent from that day's debit, and an order on terms is kept
or broken by what the ledger shows since the hearing. Reads are batched (``IN`` over at most 500
accounts at a time, through the ledger's (account, date) index), never one query per account.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, bindparam, select, text

from duty_tui.core.db.models import Account, AccountBalance, HouseholdMember, Person, Tenancy, table_of

CHUNK = 500


@dataclass(frozen=True)
class Owing:
    """A rent account as the demo step reads it."""

    account_id: int
    ref: str
    person_id: int | None
    tenancy_id: int
    household_id: int
    holder: str
    balance: int
    weekly: int
    kind: str
    start: date
    end: date | None = None


def owing_accounts(connection: Connection, *, closed_between: tuple[date, date] | None = None) -> list[Owing]:
    """Open rent accounts in arrears (or, with ``closed_between``, rent accounts closed in those days)."""
    account, balance, tenancy = table_of(Account).c, table_of(AccountBalance).c, table_of(Tenancy).c
    query = (select(account.id, account.ref, account.person_id, account.tenancy_id, tenancy.household_id, account.holder_name,
                    balance.balance_pence, tenancy.weekly_rent_pence, tenancy.tenancy_type, tenancy.start_date,
                    tenancy.end_date)
             .join_from(table_of(Account), table_of(AccountBalance), balance.account_id == account.id)
             .join(table_of(Tenancy), tenancy.id == account.tenancy_id)
             .where(account.account_type == "rent").order_by(account.id))
    if closed_between is None:
        query = query.where(balance.balance_pence > 0, account.closed_on.is_(None))
    else:
        query = query.where(account.closed_on.between(*closed_between))
    return [Owing(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]), int(r[7] or 0), r[8], r[9], r[10])
            for r in connection.execute(query).all()]


@dataclass
class Ledger:
    """One account's ledger as the stories need it: the running balance by day, rent debits, credit kinds."""

    days: list[date] = field(default_factory=list)
    running: list[int] = field(default_factory=list)
    rents: list[tuple[date, int]] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    first_uc: date | None = None
    last_hb: date | None = None

    def balance_on(self, day: date) -> int:
        """The balance at the end of ``day``."""
        index = bisect_right(self.days, day)
        return self.running[index - 1] if index else 0

    def charged_received(self, day: date, until: date) -> tuple[int, int]:
        """(rent charged, money received net of returns) in the days after ``day`` up to ``until``."""
        net = self.balance_on(until) - self.balance_on(day)
        charged = sum(a for d, a in self.rents if day < d <= until)
        return charged, charged - net

    def rent_on(self, day: date, default: int) -> int:
        """The weekly rent charged in the week of ``day`` (the latest debit on or before it)."""
        index = bisect_right(self.rents, (day, 10**12))
        return self.rents[index - 1][1] if index else default

    def owing_day(self, rng: random.Random, low: date, high: date, minimum: int) -> date:
        """A day in [low, high] on which at least ``minimum`` was owed, else the day owing most."""
        span = (high - low).days
        for _ in range(12):  # a few random days first: most accounts in court owed enough all along
            day = low + timedelta(days=rng.randint(0, span))
            if self.balance_on(day) >= minimum:
                return day
        days = [low + timedelta(days=i) for i in range(0, span + 1)]
        good = [d for d in days if self.balance_on(d) >= minimum]
        if good:
            return rng.choice(good)
        return max(days, key=lambda d: (self.balance_on(d), d))


_LEDGER = text("SELECT account_id, effective_date, kind, amount_pence FROM ledger_entry WHERE account_id IN :ids "
                "ORDER BY account_id, effective_date, id").bindparams(bindparam("ids", expanding=True))
"""Plain SQL: no per-row type conversion (SQLite's dates come back as text and are parsed once per day below)."""


def read_ledgers(connection: Connection, ids: list[int]) -> dict[int, Ledger]:
    """The ledgers of these accounts, in date order."""
    out: dict[int, Ledger] = {i: Ledger() for i in ids}
    days: dict[object, date] = {}
    for start in range(0, len(ids), CHUNK):
        for account_id, raw, kind, amount in connection.execute(_LEDGER, {"ids": ids[start:start + CHUNK]}):
            day = days.get(raw)
            if day is None:
                day = days[raw] = raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
            book = out[account_id]
            if book.days and book.days[-1] == day:
                book.running[-1] += amount
            else:
                book.days.append(day)
                book.running.append((book.running[-1] if book.running else 0) + amount)
            book.kinds.add(kind)
            if kind == "rent_debit":  # a week's charges may be several rows (the rents debit run: one per charge)
                if book.rents and book.rents[-1][0] == day:
                    book.rents[-1] = (day, book.rents[-1][1] + amount)
                else:
                    book.rents.append((day, amount))
            elif kind == "universal_credit" and book.first_uc is None:
                book.first_uc = day
            elif kind == "housing_benefit":
                book.last_hb = day
    return out


def tenant_names(connection: Connection, wanted: dict[int, bool]) -> dict[int, list[str]]:
    """Household id -> the tenants' names, the lead first, then the partner when the tenancy is joint (``wanted``
    maps each household to whether it is)."""
    member, person = table_of(HouseholdMember).c, table_of(Person).c
    ids = sorted(wanted)
    names: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), CHUNK):
        rows = connection.execute(
            select(member.household_id, member.is_lead, member.relationship, person.title, person.forename,
                   person.surname)
            .join(table_of(Person), person.id == member.person_id)
            .where(member.household_id.in_(ids[start:start + CHUNK]),
                   member.is_lead.is_(True) | (member.relationship == "partner"))
            .order_by(member.household_id, member.is_lead.desc(), member.id)).all()
        for household, is_lead, _relationship, title, forename, surname in rows:
            listed = names[household]
            if is_lead or (wanted[household] and len(listed) == 1):
                listed.append(" ".join(p for p in (title, forename, surname) if p))
    return names
