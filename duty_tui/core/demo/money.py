"""Accounts and the rent ledger for the demo office.

Every tenancy has a rent account (RNT + the tenancy number); ended tenancies
pass their debt to a former tenant account (FTA); a few tenants owe for
rechargeable repairs (RCH) or court costs (CCT); leaseholders pay a service
charge (SVC); one suspense account (SUS000001) holds money that matched no one.

Each rent account is simulated week by week over the ledger window
(duty_tui.core.demo.rent_ledger, through this module's LedgerWriter): rent is
debited on Mondays (with an April rent rise each year), Housing Benefit is
credited the same night for claimants, Universal Credit arrives four-weekly
for those on APA, and the tenant pays by their own method and rhythm. The
account's profile (clear, small / moderate / serious arrears, or in credit)
sets a target balance path that the payments follow: people in trouble skip
payments or have direct debits returned; people building a credit overpay.

Rows stream out in account order (cheap, ordered index inserts), except the
counter payments (cash, cheque, card): they are held back, sorted by when they
were taken, and written last with gap-free receipt numbers 1..N.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from duty_tui.core.demo.dd_handover import DirectDebitHandOver
from duty_tui.core.demo.people import Population, Tenancy
from duty_tui.core.demo.rent_ledger import COUNTER, RentAccountRun
from duty_tui.core.demo.vocab import TILLS
from duty_tui.core.domain.clocks import WorkingCalendar

ACCOUNT_COLUMNS = ("id", "ref", "account_type", "tenancy_id", "person_id", "holder_name", "opened_on", "closed_on",
                   "version")
LEDGER_COLUMNS = ("id", "account_id", "effective_date", "posted_at", "kind", "method", "amount_pence", "reference",
                  "receipt_no", "office_id", "external_id", "reverses_id", "created_by", "terminal")

SUSPENSE_REF = "SUS000001"
SUSPENSE_HOLDER = "Suspense — unallocated receipts"
TERMINAL = "demo"
FILE_PREFIX = {"allpay": "ALLPAY", "paypoint": "PAYPOINT", "bank_transfer": "BANK"}

# Profiles: the share of current rent accounts in each, and the balance they head for (pence).
PROFILES = (("clear", 57), ("small", 11), ("moderate", 12), ("serious", 7), ("credit", 13))
RECHARGES = ("Recharge: replace broken front door glass", "Recharge: clear rubbish left in garden",
             "Recharge: replace lost fob and keys", "Recharge: repair damage to internal doors",
             "Recharge: unblock toilet (misuse)", "Recharge: lock change after lost keys",
             "Recharge: replace damaged kitchen unit")


@dataclass(slots=True)
class AccountRec:
    """One account and what the ledger simulation needs to know about it."""

    id: int
    ref: str
    account_type: str
    holder: str
    opened: date
    tenancy: Tenancy | None = None
    person_id: int | None = None
    closed: date | None = None
    profile: str = "clear"
    balance: int = 0
    extra: dict = field(default_factory=dict)

    def row(self, loader) -> tuple:
        return (self.id, self.ref, self.account_type, self.tenancy.id if self.tenancy else None, self.person_id,
                self.holder[:120], loader.day(self.opened), loader.day(self.closed), 1)


def _between(rng: random.Random, low: date, high: date) -> date:
    return low if high <= low else date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))


def build_accounts(rng: random.Random, pop: Population, today: date, window_start: date) -> list[AccountRec]:
    """Every account, ids and refs assigned: rent first (RNT number = tenancy number), then the others."""
    accounts: list[AccountRec] = []

    def add(prefix: str, number: int, account_type: str, holder: str, opened: date, **kw) -> AccountRec:
        account = AccountRec(id=len(accounts) + 1, ref=f"{prefix}{number:06d}", account_type=account_type,
                             holder=holder, opened=opened, **kw)
        accounts.append(account)
        return account

    profiles, weights = zip(*PROFILES, strict=True)
    for tenancy in pop.tenancies:
        if tenancy.end:
            profile = rng.choices(("small", "moderate", "serious"), (35, 45, 20))[0]
        elif tenancy.id == 1:
            profile = "serious"  # John Smith, born 1961: the arrears case every demo shows
        else:
            profile = rng.choices(profiles, weights)[0]
        add("RNT", tenancy.id, "rent", tenancy.holder_name, tenancy.start, tenancy=tenancy,
            person_id=tenancy.lead.id, closed=tenancy.end, profile=profile)
    ended = [a for a in accounts if a.tenancy and a.tenancy.end]
    for number, rent in enumerate(ended, start=1):
        fta = add("FTA", number, "former_tenant", rent.holder, rent.tenancy.end, tenancy=rent.tenancy,  # type: ignore[union-attr]  # `ended` has a tenancy
                  person_id=rent.person_id, profile="arrears")
        rent.extra["fta"] = fta
    # Recharges and court costs fall on tenancies of some standing, on a day staff were in.
    current = [a for a in accounts if a.account_type == "rent" and a.closed is None
               and a.opened <= today - timedelta(days=90)]
    recharged = rng.sample(current, max(1, round(len(current) * 0.012)))
    for number, rent in enumerate(sorted(recharged, key=lambda a: a.id), start=1):
        opened = _between(rng, max(window_start, rent.opened), today - timedelta(days=21))
        add("RCH", number, "rechargeable_repairs", rent.holder, opened, tenancy=rent.tenancy, person_id=rent.person_id,
            profile=rng.choice(("paying", "paying", "paid", "none")))
    serious = [a for a in current if a.profile == "serious"]
    costed = [a for a in serious if a.id == 1 or rng.random() < 0.3]
    for number, rent in enumerate(costed, start=1):
        opened = _between(rng, max(window_start, rent.opened), today - timedelta(days=28))
        add("CCT", number, "court_costs", rent.holder, opened, tenancy=rent.tenancy, person_id=rent.person_id,
            profile=rng.choice(("paying", "none", "none")))
    for number, household in enumerate(pop.leaseholds, start=1):
        lead = household.lead
        opened = max(household.members[0].joined, date(2008, 4, 1))
        add("SVC", number, "service_charge", lead.styled(), opened, person_id=lead.id,
            profile=rng.choices(("dd", "quarterly", "arrears"), (60, 28, 12))[0])
    add("SUS", 1, "suspense", SUSPENSE_HOLDER, window_start)
    return accounts


class LedgerWriter:
    """Simulates every account and yields ledger rows (see the module docstring)."""

    def __init__(self, rng: random.Random, loader, *, today: date, window_start: date, office_id: int,
                 counter_staff: list[int], income_staff: list[int], jurisdiction: str, till_codes: bool) -> None:
        self.rng = rng
        self.loader = loader
        self.today = today
        self.today_ord = today.toordinal()
        self.window_start = window_start
        self.office_id = office_id
        self.counter_staff = counter_staff
        self.income_staff = income_staff
        self.calendar = WorkingCalendar(jurisdiction if jurisdiction in
                                        ("england", "wales", "scotland", "northern_ireland") else "england")
        self.till_codes = till_codes
        self.next_id = 1
        self.cutover_o = today.toordinal() + 1  # from this day the rents area's debit run posts the rent …
        self.cut_over: set[int] = set()  # … of these tenancies (rent_ledger.debit_cutover; none unless set)
        self.dd_hand_over: DirectDebitHandOver | None = None  # set when the payments area collects the latest
        self.counter: list[tuple] = []
        self.external: dict[tuple[str, int], int] = {}
        self.receipts = 0
        self._days: dict[int, object] = {}
        self._dates: dict[int, date] = {}
        self._working: dict[int, int] = {}
        self._labels: dict[tuple[str, int], str] = {}
        self._years_back: dict[int, int] = {}
        self._moments: dict[int, object] = {}

    # -- helpers ------------------------------------------------------------------------

    def columns(self) -> tuple[str, ...]:
        return LEDGER_COLUMNS + (("till_code",) if self.till_codes else ())

    def _date(self, o: int) -> date:
        d = self._dates.get(o)
        if d is None:
            d = self._dates[o] = date.fromordinal(o)
        return d

    def _day(self, o: int):
        value = self._days.get(o)
        if value is None:
            value = self._days[o] = self.loader.day(self._date(o))
        return value

    def working(self, o: int) -> int:
        """``o`` if a working day, else the next working day (ordinals)."""
        w = self._working.get(o)
        if w is None:
            w = self._working[o] = self.calendar.add_working_days(self._date(o), 0).toordinal()
        return w

    def _label(self, prefix: str, o: int) -> str:
        key = (prefix, o)
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = f"{prefix} {self._date(o):%d/%m/%Y}"
        return label

    def _external_id(self, method: str, o: int) -> str:
        prefix = FILE_PREFIX[method]
        year = self._date(o).year
        number = self.external.get((prefix, year), 0) + 1
        self.external[(prefix, year)] = number
        return f"{prefix}-{year}-{number:06d}"

    def rent_on(self, rent: int, o: int) -> int:
        """The weekly rent on day ``o``, given today's: rents rose about 4% each April."""
        back = self._years_back.get(o)
        if back is None:
            d = self._date(o)
            back = self._years_back[o] = max(0, self._rent_year(self.today) - self._rent_year(d))
        if not back:
            return rent
        return int(round(rent / (1.04 ** back) / 5)) * 5

    @staticmethod
    def _rent_year(d: date) -> int:
        return d.year if d.month >= 4 else d.year - 1

    def _row(self, account_id: int, o: int, secs: int, kind: str, method: str | None, amount: int,
             reference: str | None, *, external_id: str | None = None, reverses_id: int | None = None,
             created_by: int | None = None, terminal: str | None = None) -> tuple:
        row_id = self.next_id
        self.next_id += 1
        key = o * 100_000 + secs
        posted = self._moments.get(key)
        if posted is None:
            posted = self._moments[key] = self.loader.at(self._date(o), secs)
        row = (row_id, account_id, self._day(o), posted, kind, method, amount, reference, None, None, external_id,
               reverses_id, created_by, terminal)
        return row + (None,) if self.till_codes else row

    def _pay(self, account: AccountRec, o: int, method: str, amount: int, reference: str | None,
             secs: int | None = None) -> tuple | None:
        """A payment of ``amount`` pence (positive) by ``method`` on day ``o``; counter ones are held back.

        Returns the row to write now, or None (held back for receipts, or not yet posted: file
        payments reach the ledger the morning after, so yesterday's are the newest).
        """
        if method in FILE_PREFIX and o + 1 > self.today_ord:
            return None
        account.balance -= amount
        if method in COUNTER:
            o = self.working(o)
            if o >= self.today_ord:
                o = self.today_ord - 1
                while self.working(o) != o:
                    o -= 1
            staff = self.rng.choice(self.counter_staff)
            if method == "card":
                reference = f"Card ****{self.rng.randrange(10_000):04d} auth {self.rng.randrange(1_000_000):06d}"
            elif method == "cheque":
                reference = f"Cheque {self.rng.randrange(100_000, 999_999)}"
            self.counter.append((o, secs or self.rng.randint(9 * 3600, 16 * 3600 + 1800), account.id, -amount,
                                 method, staff, reference))
            return None
        if method in FILE_PREFIX:
            return self._row(account.id, o, 5 * 3600 + 1800 if method != "bank_transfer" else 6 * 3600 + 900,
                             "payment", method, -amount, reference, external_id=self._external_id(method, o))
        return self._row(account.id, o, secs or (6 * 3600 + 1800 if method == "direct_debit" else 7 * 3600),
                         "payment", method, -amount, reference)

    # -- the rent account ------------------------------------------------------------------

    def rent_account(self, account: AccountRec) -> Iterator[tuple]:
        """A rent account's rows, simulated week by week (duty_tui.core.demo.rent_ledger)."""
        yield from RentAccountRun(self, account).rows()

    def staff_row(self, account_id: int, o: int, secs: int, kind: str, amount: int, reference: str) -> tuple:
        """A row an income officer posted by hand on day ``o``."""
        return self._row(account_id, o, secs, kind, None, amount, reference,
                         created_by=self.rng.choice(self.income_staff), terminal=TERMINAL)

    def _reference(self, account: AccountRec, method: str) -> str | None:
        rng = self.rng
        if method == "allpay":
            reference = f"allpay {rng.randrange(10_000_000, 99_999_999)}"
        elif method == "paypoint":
            reference = f"PayPoint {rng.randrange(1_000_000, 9_999_999)}"
        elif method == "bank_transfer":
            reference = f"BGC {account.ref}"
        else:
            return None
        account.extra["reference"] = reference
        return reference

    # -- the other accounts ------------------------------------------------------------------

    def _instalments(self, account: AccountRec, start_o: int, amount: int, every_days: int,
                     method: str) -> Iterator[tuple]:
        o = start_o
        while o < self.today_ord and account.balance > 0:
            pay = min(amount, account.balance)
            row = self._pay(account, o, method, pay, self._reference(account, method) if method in FILE_PREFIX else None)
            if row is not None:
                yield row
            o += every_days

    def _staff_day(self, d: date) -> int:
        """The working day on or after ``d`` that staff posted something, never later than yesterday."""
        o = self.working(d.toordinal())
        while o >= self.today_ord:
            o -= 1
            while self.working(o) != o:
                o -= 1
        return o

    def other_account(self, account: AccountRec) -> Iterator[tuple]:
        rng = self.rng
        kind = account.account_type
        aid = account.id
        account.balance = 0
        if kind == "former_tenant":
            debt = account.extra.get("debt")
            if debt is None:
                return
            moved, amount = debt
            account.balance += amount
            yield self._row(aid, moved, 10 * 3600 + 60, "former_tenant_debt", None, amount,
                            f"Arrears from {account.tenancy.ref}",  # type: ignore[union-attr]  # a former tenant's account has one
                            created_by=rng.choice(self.income_staff), terminal=TERMINAL)
            if rng.random() < 0.4:
                method = rng.choice(("allpay", "card", "bank_transfer", "cash"))
                yield from self._instalments(account, moved + rng.randint(20, 60), rng.choice((500, 1000, 1500, 2000)),
                                             rng.choice((14, 28, 30)), method)
        elif kind == "rechargeable_repairs":
            o = self._staff_day(account.opened)
            amount = rng.randint(85, 650) * 100
            account.balance += amount
            yield self._row(aid, o, 14 * 3600, "rechargeable_repair", None, amount, rng.choice(RECHARGES),
                            created_by=rng.choice(self.income_staff), terminal=TERMINAL)
            if account.profile == "paid":
                row = self._pay(account, o + rng.randint(3, 20), "card", amount, None)
                if row is not None:
                    yield row
            elif account.profile == "paying":
                yield from self._instalments(account, o + 14, rng.choice((1000, 1500, 2500)), 28,
                                             rng.choice(("allpay", "card", "cash")))
        elif kind == "court_costs":
            o = self._staff_day(account.opened)
            amount = 35_500
            account.balance += amount
            yield self._row(aid, o, 15 * 3600, "court_costs", None, amount, "Possession claim issue fee",
                            created_by=rng.choice(self.income_staff), terminal=TERMINAL)
            if account.profile == "paying":
                yield from self._instalments(account, o + 28, 500, 7, rng.choice(("allpay", "paypoint")))
        elif kind == "service_charge":
            yield from self._service_charge(account)
        elif kind == "suspense":
            yield from self._suspense(account)

    def _service_charge(self, account: AccountRec) -> Iterator[tuple]:
        rng = self.rng
        aid = account.id
        annual = rng.randint(60, 180) * 1000
        year = self.window_start.year
        while True:
            april = date(year, 4, 1)
            if april > self.today:
                break
            o = april.toordinal()
            if april >= self.window_start and april >= account.opened:
                charge = int(annual / (1.04 ** (self.today.year - year)))
                account.balance += charge
                yield self._row(aid, o, 2 * 3600, "service_charge", None, charge,
                                f"Service charge {year}/{str(year + 1)[2:]} (estimate)")
                if account.profile == "dd":
                    for month in range(12):
                        pay_o = self.working(date(year + (3 + month) // 12, (3 + month) % 12 + 1, 1).toordinal())
                        if pay_o < self.today_ord:
                            row = self._pay(account, pay_o, "direct_debit", charge // 12, f"DD {account.ref}")
                            if row is not None:
                                yield row
                elif account.profile == "quarterly":
                    for quarter in range(4):
                        pay_o = o + quarter * 91 + rng.randint(0, 20)
                        if pay_o < self.today_ord:
                            row = self._pay(account, pay_o, "bank_transfer", charge // 4, f"BGC {account.ref}")
                            if row is not None:
                                yield row
            year += 1

    def _suspense(self, account: AccountRec) -> Iterator[tuple]:
        rng = self.rng
        count = rng.randint(12, 40)
        days = sorted(rng.randint(self.today_ord - 120, self.today_ord - 2) for _ in range(count))
        for o in days:
            method = rng.choice(("bank_transfer", "allpay", "paypoint", "bank_transfer"))
            amount = rng.choice((2_500, 5_000, 10_000, 12_000, 40_000)) + rng.randrange(0, 100) * (method != "allpay")
            reference = rng.choice((f"BGC RNT{rng.randrange(1, 999_999):06d}X", "BGC RENT", "allpay 0000000",
                                    f"BGC {rng.choice(('FLAT', 'HOUSE', 'RENT PAYMENT', 'MUM RENT'))}",
                                    f"PayPoint {rng.randrange(1_000_000, 9_999_999)}"))
            account.balance -= amount
            yield self._row(account.id, o, 6 * 3600 + 1200, "payment", method, -amount, reference[:64],
                            external_id=self._external_id(method if method in FILE_PREFIX else "bank_transfer", o))

    # -- the whole ledger --------------------------------------------------------------------

    def rows(self, accounts: list[AccountRec]) -> Iterator[tuple]:
        """Every non-counter row, account by account."""
        for account in accounts:
            if account.account_type == "rent":
                yield from self.rent_account(account)
            else:
                yield from self.other_account(account)

    def counter_rows(self) -> Iterator[tuple]:
        """The held-back counter payments, in the order they were taken, with receipts 1..N."""
        self.counter.sort(key=lambda c: (c[0], c[1], c[2]))
        tills = {staff: TILLS[i % len(TILLS)] for i, staff in enumerate(sorted(set(self.counter_staff)))}
        for receipt, (o, secs, account_id, amount, method, staff, reference) in enumerate(self.counter, start=1):
            row_id = self.next_id
            self.next_id += 1
            row = (row_id, account_id, self._day(o), self.loader.at(self._date(o), secs), "payment", method, amount,
                   reference, receipt, self.office_id, None, None, staff, TERMINAL)
            self.receipts = receipt
            yield row + (tills[staff],) if self.till_codes else row
        self.counter = []
