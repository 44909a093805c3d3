"""The latest direct debits of a few demo accounts, handed over to the payments area (docs/RENTS_DEMO.md).

The simulation (duty_tui.core.demo.rent_ledger) pays some tenants' rent by monthly direct debit. For a
few of them — clear or in-credit accounts of live tenancies, paid every month of the last weeks, none
returned — it writes no direct debit row from the hand-over day (``dd_cutover``): the payments area's
hook ``demo.collect_direct_debits`` sets up their mandates and collects the same pence on the same
days through its own collection runs (with some unpaid and re-presented), so balances stay the same.

Takes nothing from the simulation's random generator: the other rows stay as they were for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from duty_tui.core.domain.clocks import WorkingCalendar

if TYPE_CHECKING:
    from duty_tui.core.demo.rent_ledger import RentAccountRun

DD_WEEKS = 10
"""How many weeks back the payments area's collection runs take over."""
WANTED = {"small": 4, "office": 10, "council": 30}
"""How many accounts' direct debits are handed over, by demo size."""
PROFILES = ("clear", "credit")
"""Accounts whose profile never misses a payment (and stays out of the arrears lists the later demo steps draw)."""


def dd_cutover(today: date) -> date:
    """The first day whose direct debits the payments area collects."""
    return today - timedelta(weeks=DD_WEEKS)


@dataclass(frozen=True)
class HandedOver:
    """One account's direct debits from the cutover: (collection date, pence) in date order."""

    account_id: int
    account_ref: str
    holder: str
    collection_day: int
    collections: tuple[tuple[date, int], ...]


@dataclass
class DirectDebitHandOver:
    """Picks the accounts (the first ``wanted`` that qualify, in account order) and keeps their rows out."""

    today: date
    wanted: int
    taken: list[HandedOver] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cutover_o = dd_cutover(self.today).toordinal()
        self.bacs = WorkingCalendar("england")  # Bacs keeps the England and Wales calendar

    def take(self, run: RentAccountRun) -> list[tuple]:
        """``run``'s rows, less its direct debits from the cutover when the account is handed over."""
        if len(self.taken) >= self.wanted or not self._qualifies(run):
            return run.out
        mine = {row_id: o for row_id, o in run.dd_days.items() if o >= self.cutover_o}
        if any(row[11] is not None for row in run.out if row[4] == "reversal"):
            return run.out  # a return anywhere: leave the account to the simulation
        kept = [row for row in run.out if row[0] not in mine]
        collections = tuple(sorted((date.fromordinal(mine[row[0]]), -row[6]) for row in run.out if row[0] in mine))
        dom = run.dom
        assert dom is not None
        amounts = [pence for _, pence in collections]
        if max(amounts) * 2 > min(amounts) * 3:
            return run.out  # a large catch-up landing the balance: leave it to the simulation
        months = [d.year * 12 + d.month for d, _ in collections]
        if len(collections) < 2 or months != list(range(months[0], months[0] + len(months))) or not all(self.bacs.add_working_days(d.replace(day=dom), 0) == d
                                           for d, _ in collections):
            return run.out
        self.taken.append(HandedOver(run.account.id, run.account.ref, run.account.holder, dom, collections))
        return kept

    def _qualifies(self, run: RentAccountRun) -> bool:
        return (run.method == "direct_debit" and run.cadence == "monthly" and run.profile in PROFILES
                and run.tenancy.end is None and run.tenancy.start < date.fromordinal(self.cutover_o) - timedelta(weeks=8)
                and run.dom is not None)
