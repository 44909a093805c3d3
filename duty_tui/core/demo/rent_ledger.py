"""One rent account of the demo office, simulated week by week (duty_tui.core.demo.money.LedgerWriter).

Rent is debited on Mondays (with an April rent rise each year), Housing Benefit is credited the
same night for claimants, Universal Credit arrives four-weekly for those on APA, and the tenant
pays by their own method and rhythm. The account's profile (clear, small / moderate / serious
arrears, or in credit) sets a target balance path that the payments follow: people in trouble skip
payments or have direct debits returned; people building a credit overpay. An ended tenancy passes
what is left to its former tenant account.

The steps run in a fixed order and draw from the writer's random generator in that order, so the
same seed and day give the same rows.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from duty_tui.core.demo.money import AccountRec, LedgerWriter

COUNTER = frozenset({"cash", "cheque", "card"})
FIXED = frozenset({"direct_debit", "standing_order"})
INCOME_BY_PROFILE = {
    "serious": (("self", 45), ("uc_self", 30), ("hb_partial", 10), ("uc_apa", 10), ("hb_full", 5)),
    "moderate": (("self", 45), ("uc_self", 25), ("hb_partial", 15), ("uc_apa", 10), ("hb_full", 5)),
    "small": (("self", 50), ("uc_self", 15), ("hb_partial", 15), ("uc_apa", 12), ("hb_full", 8)),
    "credit": (("self", 55), ("hb_full", 20), ("hb_partial", 10), ("uc_apa", 10), ("uc_self", 5)),
    "clear": (("self", 50), ("hb_full", 16), ("hb_partial", 12), ("uc_apa", 10), ("uc_self", 12)),
}
METHODS_BY_INCOME = {
    "self": (("direct_debit", 38), ("standing_order", 8), ("allpay", 12), ("paypoint", 6), ("cash", 7),
             ("card", 12), ("cheque", 1), ("bank_transfer", 16)),
    "benefit": (("allpay", 22), ("paypoint", 12), ("cash", 14), ("card", 20), ("direct_debit", 15),
                ("bank_transfer", 13), ("standing_order", 4)),
    "hb_full": (("allpay", 30), ("cash", 30), ("card", 30), ("paypoint", 10)),
}
CADENCES = {  # method -> ((cadence, weight), ...); cadence in weeks, or "monthly"
    "direct_debit": (("monthly", 55), (2, 20), (1, 25)),
    "standing_order": (("monthly", 60), (1, 40)),
    "bank_transfer": (("monthly", 50), (2, 30), (1, 20)),
    "allpay": ((1, 70), (2, 30)),
    "paypoint": ((1, 70), (2, 30)),
    "cash": ((1, 55), (2, 35), (4, 10)),
    "card": ((1, 50), (2, 35), (4, 15)),
    "cheque": ((4, 60), ("monthly", 40)),
}

# Event codes, in the order rows of the same moment are posted.
OPENING, RENT, HB, UC, PAY, RETURN = range(6)


def _monday_on_or_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7)


CUTOVER_WEEKS = 5
"""How many recent rent weeks the rents area's debit run posts in the demo instead of this simulation."""


def debit_cutover(today: date) -> date:
    """The first Monday whose rent the demo's debit run posts (issue 15 item 9): CUTOVER_WEEKS weeks back,
    but never before this rent year's first Monday (the simulation's rent is then one amount, today's)."""
    cutover = today - timedelta(days=today.weekday(), weeks=CUTOVER_WEEKS - 1)
    year = today.year if today.month >= 4 else today.year - 1
    return max(cutover, _monday_on_or_after(date(year, 4, 1)))


def cut_over_tenancies(tenancies: Iterable[tuple[int, int, date, date | None]], cutover: date) -> set[int]:
    """The tenancies (id, property id, start, end) whose rent from ``cutover`` the debit run posts.

    Only a property's one tenancy, begun before the cutover and not ended, with no other tenancy of
    the property live on or after it: its weeks are then whole and charged at one weekly amount, so
    the debit run posts exactly what the simulation would have (no proration to match)."""
    by_property: dict[int, list[tuple[int, date, date | None]]] = {}
    for tenancy_id, property_id, start, end in tenancies:
        by_property.setdefault(property_id, []).append((tenancy_id, start, end))
    chosen: set[int] = set()
    for lets in by_property.values():
        live = [t for t in lets if t[2] is None or t[2] >= cutover]
        if len(live) == 1 and live[0][2] is None and live[0][1] < cutover:
            chosen.add(live[0][0])
    return chosen


class RentAccountRun:
    """One rent account's simulation: what its steps share, one method per step (see the module docstring).

    ``rows()`` runs the steps: the tenant's habits, the balance path (the arrears story), the
    income, the events (rent debits, benefit credits, the payment pattern), then posts them
    with direct debit returns, lands on the profile's balance and passes an ended tenancy's
    debt to its former tenant account.
    """

    def __init__(self, writer: LedgerWriter, account: AccountRec) -> None:
        self.writer = writer
        self.rng = writer.rng
        self.account = account
        tenancy = account.tenancy
        assert tenancy is not None
        self.tenancy = tenancy
        self.today_ord = writer.today_ord
        self.first = max(tenancy.start, writer.window_start)
        self.first_o = self.first.toordinal()
        self.last_o = min(tenancy.end.toordinal() if tenancy.end else self.today_ord, self.today_ord)
        self.profile = account.profile
        self.rent_now = tenancy.rent
        self.events: list[tuple] = []
        self.seq = 0
        self.returns: list[tuple[int, int, int]] = []  # (day, dd row id, amount)
        self.uc_due = 0  # UC's share of rent charged but not yet paid (it comes four-weekly in arrears)
        self.out: list[tuple] = []
        self.last_pay: tuple[str, int, int] | None = None  # where the latest kept payment is, and its amount
        self.dom: int | None = None  # a monthly payer's day of the month
        self.dd_days: dict[int, int] = {}  # direct debit row id -> its day (for the payments area's hand-over)

    def rows(self) -> list[tuple]:
        """The account's ledger rows, in posting order (counter payments are held back by the writer)."""
        self._choose_habits()
        self._plan_balance_path()
        self._plan_income()
        self._add_opening_rent_and_benefit_events()
        self._add_payment_events()
        self.events.sort()
        self._plan_trouble()
        self.account.balance = 0
        for o, secs, code, _seq, value in self.events:
            self._flush_returns(o)
            self._post(o, secs, code, value)
        self._flush_returns(self.today_ord)
        self._land_on_target()
        self._pass_to_former_tenant_account()
        if self.writer.dd_hand_over is not None:  # the payments area's collection runs post the latest ones
            self.out = self.writer.dd_hand_over.take(self)
        return self.out

    # -- planning --------------------------------------------------------------------------

    def _choose_habits(self) -> None:
        """How the tenant's rent is met: their income, their own payment method and its rhythm."""
        rng = self.rng
        income = rng.choices(*zip(*INCOME_BY_PROFILE[self.profile], strict=True))[0]
        methods = METHODS_BY_INCOME["self" if income == "self" else "hb_full" if income == "hb_full" else "benefit"]
        method = rng.choices(*zip(*methods, strict=True))[0]
        cadence = rng.choices(*zip(*CADENCES[method], strict=True))[0]
        if income == "uc_self" and rng.random() < 0.6:
            cadence = "monthly"
        self.income, self.method, self.cadence = income, method, cadence

    def _plan_balance_path(self) -> None:
        """Where the balance should head: opening balance b0, final target, over a trouble window t1..t2."""
        rng = self.rng
        profile = self.profile
        before_window = self.tenancy.start < self.writer.window_start
        span = max(1, self.last_o - self.first_o)
        b0 = 0
        if profile == "serious":
            target = int(rng.lognormvariate(7.4, 0.35) * 100)  # ~ £1,000-£4,000
            target = max(100_000, min(target, 450_000))
            if before_window and rng.random() < 0.45:
                b0 = rng.randint(20_000, 120_000)
        elif profile == "moderate":
            target = rng.randint(25_000, 99_000)
            if before_window and rng.random() < 0.25:
                b0 = rng.randint(5_000, 25_000)
        elif profile == "small":
            target = rng.randint(1_000, 24_900)
        elif profile == "credit":
            target = -rng.randint(500, 60_000)
            if before_window and rng.random() < 0.3:
                b0 = -rng.randint(500, 10_000)
        else:
            target = 0
        t1 = self.first_o + int(span * rng.uniform(0.05, 0.7))
        t2 = min(self.last_o, t1 + rng.randint(8 * 7, 40 * 7))
        if profile in ("small", "credit"):
            t2 = min(self.last_o, t1 + rng.randint(4 * 7, 20 * 7))
        self.b0, self.target, self.t1, self.t2 = b0, target, t1, t2

    def _target_on(self, o: int) -> int:
        if o <= self.t1:
            return self.b0
        if o >= self.t2:
            return self.target
        return self.b0 + (self.target - self.b0) * (o - self.t1) // max(1, self.t2 - self.t1)

    def _plan_income(self) -> None:
        """Income: HB weekly on Mondays, UC APA four-weekly; some HB claims migrate to UC; HB gaps in trouble."""
        rng = self.rng
        income = self.income
        hb_share = 1.0 if income == "hb_full" else rng.uniform(0.3, 0.9) if income == "hb_partial" else 0.0
        uc_from = None
        hb_until = self.last_o + 1
        if income in ("hb_full", "hb_partial") and rng.random() < 0.3:
            hb_until = rng.randint(self.first_o, self.last_o)
            uc_from = hb_until
        elif income == "uc_apa":
            uc_from = self.first_o if self.tenancy.start < self.writer.window_start else self.first_o + 35
        self.uc_share = rng.uniform(0.8, 1.0)
        self.hb_gap: tuple[int, int] | None = None
        if hb_share and self.profile in ("small", "moderate", "serious"):
            g1 = rng.randint(self.t1, max(self.t1, self.t2 - 14))
            self.hb_gap = (g1, g1 + rng.randint(3, 12) * 7)
        self.hb_share, self.hb_until, self.uc_start = hb_share, hb_until, uc_from

    def _credit_share(self, o: int) -> float:
        """The share of the rent that benefit meets on day ``o``."""
        if self.hb_share and o < self.hb_until:
            return self.hb_share
        if self.uc_start is not None and o >= self.uc_start:
            return self.uc_share
        return 0.0

    def _event(self, o: int, secs: int, code: int, value: int | None = None) -> None:
        self.events.append((o, secs, code, self.seq, value))
        self.seq += 1

    def _add_opening_rent_and_benefit_events(self) -> None:
        """The balance brought forward, the Monday rent debits with HB the same night, and UC four-weekly."""
        writer = self.writer
        if self.b0 and self.tenancy.start < writer.window_start:
            self._event(self.first_o, 600, OPENING, self.b0)
        hb_gap = self.hb_gap
        monday = _monday_on_or_after(self.first).toordinal()
        for o in range(monday, self.last_o + 1, 7):
            if o <= self.today_ord:
                self._event(o, 1800, RENT)
                if self.hb_share and o < self.hb_until and not (hb_gap and hb_gap[0] <= o < hb_gap[1]):
                    self._event(o, 2700, HB)
        if self.uc_start is not None:
            # UC is paid four-weekly in arrears: the first payment 4 weeks into a claim (5 for a new one).
            weekday = self.rng.randrange(5)
            o = self.uc_start + (28 if self.income == "uc_apa" else 35)
            o += (weekday - writer._date(o).weekday()) % 7
            while o < min(self.last_o + 1, self.today_ord):
                self._event(writer.working(o), 6 * 3600, UC)
                o += 28

    def _add_payment_events(self) -> None:
        """The tenant's own payments (sorted after the night's rent run on the same day)."""
        rng, writer, method, first = self.rng, self.writer, self.method, self.first
        if method in COUNTER:
            pay_day = rng.randrange(5)
        else:
            pay_day = rng.randrange(7) if method in ("allpay", "paypoint") else 0
        on_working_day = method in FIXED or method in COUNTER
        if self.cadence == "monthly":
            dom = self.dom = rng.choice((1, 8, 15, 22, 28))
            d = first.replace(day=1)
            while d.toordinal() <= self.last_o:
                o = d.replace(day=dom).toordinal()
                o = writer.working(o) if on_working_day else o
                if self.first_o <= o <= self.last_o and o < self.today_ord:
                    self._event(o, 43_200, PAY)
                d = (d + timedelta(days=32)).replace(day=1)
        else:
            o = self.first_o + (pay_day - first.weekday()) % 7
            step = 7 * int(self.cadence)
            while o <= self.last_o and o < self.today_ord:
                self._event(writer.working(o) if on_working_day else o, 43_200, PAY)
                o += step

    def _plan_trouble(self) -> None:
        """Fixed payers (direct debit, standing order) miss or have returned payments in trouble."""
        target, b0, t1, t2 = self.target, self.b0, self.t1, self.t2
        self.weeks_per = 52 / 12 if self.cadence == "monthly" else int(self.cadence)
        trouble_events = max(1.0, (t2 - t1) / 7 / self.weeks_per)
        typical = max(100, int(self.rent_now * (1 - self._credit_share(t1)) * self.weeks_per))
        self.miss_rate = min(1.0, max(0.0, (target - b0) / (typical * trouble_events))) if target > b0 else 0.0
        self.extra = max(0, (b0 - target)) // int(trouble_events) if target < b0 else 0

    # -- posting ---------------------------------------------------------------------------

    def _flush_returns(self, until: int) -> None:
        """The direct debits returned by ``until``, reversed."""
        returns = self.returns
        while returns and returns[0][0] <= until:
            r_o, dd_id, amount = heapq.heappop(returns)
            self.account.balance += amount
            self.out.append(self.writer._row(self.account.id, r_o, 6 * 3600 + 2700, "reversal", "direct_debit", amount,
                                             "DD returned: refer to payer", reverses_id=dd_id))

    def _post(self, o: int, secs: int, code: int, value: int | None) -> None:
        writer, account, aid = self.writer, self.account, self.account.id
        if code == RENT:
            amount = writer.rent_on(self.rent_now, o)
            account.balance += amount
            if self.uc_start is not None and o >= self.uc_start:
                self.uc_due += int(amount * self.uc_share)
            if o < writer.cutover_o or self.tenancy.id not in writer.cut_over:  # else the debit run posts it
                self.out.append(writer._row(aid, o, secs, "rent_debit", None, amount,
                                            writer._label("Rent w/c", o)))
        elif code == HB:
            amount = int(writer.rent_on(self.rent_now, o) * self.hb_share)
            account.balance -= amount
            self.out.append(writer._row(aid, o, secs, "housing_benefit", "housing_benefit", -amount,
                                        writer._label("HB w/c", o)))
        elif code == UC:
            amount = int(writer.rent_on(self.rent_now, o) * 4 * self.uc_share)
            account.balance -= amount
            self.uc_due = max(0, self.uc_due - amount)
            self.out.append(writer._row(aid, o, secs, "universal_credit", "universal_credit", -amount,
                                        writer._label("UC APA", o)))
        elif code == OPENING:
            assert value is not None
            account.balance += value
            self.out.append(writer._row(aid, o, secs, "opening_balance", None, value, "Balance brought forward"))
        elif self.method in FIXED:  # PAY
            self._fixed_payment(o)
        else:  # PAY
            self._own_payment(o)

    def _fixed_payment(self, o: int) -> None:
        """A direct debit or standing order: the need for the period, missed (or returned) now and then in trouble."""
        rng, writer, account, method = self.rng, self.writer, self.account, self.method
        in_trouble = self.t1 <= o < self.t2
        weekly_need = writer.rent_on(self.rent_now, o) * (1 - self._credit_share(o))
        amount = int(weekly_need * self.weeks_per) + (self.extra if in_trouble else 0)
        if amount < 100:
            return
        reference = f"{'DD' if method == 'direct_debit' else 'SO'} {account.ref}"
        if in_trouble and rng.random() < self.miss_rate:
            if method == "direct_debit" and rng.random() < 0.35 and o + 3 < self.today_ord:
                row = writer._pay(account, o, method, amount, reference)
                if row is not None:
                    self.dd_days[row[0]] = o
                    self.out.append(row)
                    heapq.heappush(self.returns, (o + 3, row[0], amount))
            return
        row = writer._pay(account, o, method, amount, reference)
        if row is not None and method == "direct_debit":
            self.dd_days[row[0]] = o
        self._paid(row, amount)

    def _own_payment(self, o: int) -> None:
        """A payment the tenant makes themselves: what keeps them on the balance path, skipped now and then."""
        rng, writer, account, method = self.rng, self.writer, self.account, self.method
        in_trouble = self.t1 <= o < self.t2
        if in_trouble and self.profile in ("moderate", "serious") and rng.random() < 0.35:
            return
        owed = account.balance - self._target_on(o) - self.uc_due
        if owed < 100:
            return
        if method in ("cash", "allpay", "paypoint") and rng.random() < 0.5:
            owed = -(-owed // 100) * 100
        owed = min(owed, 200_000)
        reference = account.extra.get("reference") or writer._reference(account, method)
        self._paid(writer._pay(account, o, method, owed, reference), owed)

    def _paid(self, row: tuple | None, amount: int) -> None:
        """Note where a kept payment went (this account's rows, or the writer's held-back counter payments)."""
        counter = self.writer.counter
        if row is not None:
            self.out.append(row)
            self.last_pay = ("row", len(self.out) - 1, amount)
        elif counter and counter[-1][2] == self.account.id and counter[-1][3] == -amount:
            self.last_pay = ("counter", len(counter) - 1, amount)

    # -- the end -----------------------------------------------------------------------------

    def _land_on_target(self) -> None:
        """Land on the profile's balance: the latest payment was that much more (or less)."""
        account = self.account
        final = self.target
        if self.profile == "clear":
            final = 0 if self.rng.random() < 0.96 else -self.rng.randint(1, 500)
        if self.last_pay is not None and account.balance != final:
            where, index, amount = self.last_pay
            new_amount = amount + account.balance - final
            if 100 <= new_amount <= 250_000:
                if where == "row":
                    row = self.out[index]
                    self.out[index] = row[:6] + (-new_amount,) + row[7:]
                else:
                    counter = self.writer.counter
                    entry = counter[index]
                    counter[index] = entry[:3] + (-new_amount,) + entry[4:]
                account.balance = final

    def _pass_to_former_tenant_account(self) -> None:
        """An ended tenancy: a leaving recharge if the account is clear, then the debt moves to its FTA account."""
        rng, writer, account = self.rng, self.writer, self.account
        fta: AccountRec | None = account.extra.get("fta")
        if fta is None:
            return
        end_o = self.last_o
        if account.balance <= 0:
            charge = rng.randint(150, 450) * 100 - account.balance
            account.balance += charge
            self.out.append(writer.staff_row(account.id, end_o, 11 * 3600, "adjustment", charge,
                                             "Recharge: clearance and lock change on leaving"))
        debt = account.balance
        moved = writer.working(end_o + 1)
        if moved <= self.today_ord:
            account.balance = 0
            self.out.append(writer.staff_row(account.id, moved, 10 * 3600, "adjustment", -debt,
                                             f"Balance transferred to {fta.ref}"))
            fta.extra["debt"] = (moved, debt)
