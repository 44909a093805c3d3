"""The weekly rent debit run (docs/RENTS_DEBIT.md; docs/CLI.md `duty-tui rent debit`).

``preview_debit`` works out what a run through a date would post and posts nothing;
``run_debit`` posts it in one write transaction with one audit event. Each property's rent weeks
from the one after its last posted week (or, never posted, the week of its first charge) to the
last week starting on or before the date are worked out: every tenancy live in the week is charged
its property's charges and its own, by the day when it starts or ends in the week (weekly ÷ 7 ×
days, half up); a rent-free week charges nothing; days with no live tenancy are void loss
(``rent_void_loss``), charged to no one.

"Only once" is the database's: the run claims its (property, week) keys in ``rent_week_posted``
with INSERT … ON CONFLICT DO NOTHING … RETURNING and posts only the weeks it claimed, so a re-run
or two runs at once post nothing twice; each ledger row's ``external_id``
(``debit:<tenancy ref>:<week start>:<charge code>``, UNIQUE) is a second guard. Rows are written
with bulk inserts (one statement per thousand rows), never an ORM object per row.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from duty_tui.areas.rents.db.models import RentCharge, RentVoidLoss, RentWeekPosted
from duty_tui.areas.rents.domain.calendar import CalendarRule, RentWeek, week_containing, weeks_between
from duty_tui.areas.rents.domain.charges import charge_for_days, days_overlapping, weekly_equivalent
from duty_tui.areas.rents.domain.reference import ChargeType, load_calendar, load_charge_types
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Tenancy, table_of
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

PERMISSION = "rents.manage"
CHARGE, POSTED, VOID = table_of(RentCharge), table_of(RentWeekPosted), table_of(RentVoidLoss)
LEDGER, TENANCY, ACCOUNT = table_of(LedgerEntry), table_of(Tenancy), table_of(Account)
RENT_KIND = "rent_debit"


@dataclass(frozen=True)
class DebitSummary:
    """What a run posted (or, previewed, would post)."""

    through: date
    posted: int
    tenancies: int
    total_pence: int
    weeks: int = 0
    first_week: RentWeek | None = None
    last_week: RentWeek | None = None
    void_loss_pence: int = 0
    void_properties: int = 0
    free_weeks: int = 0
    preview: bool = False
    charged_properties: int = -1  # properties with a charge through the date (-1: not counted)

    def as_json(self) -> dict[str, int]:
        """Exactly the contract's keys (docs/CLI.md `duty-tui rent debit`)."""
        return {"posted": self.posted, "tenancies": self.tenancies, "total_pence": self.total_pence}

    @property
    def week_span(self) -> str:
        """'2026-03-02–2026-03-09' (the first and last week starts), or 'none'."""
        if self.first_week is None or self.last_week is None:
            return "none"
        return f"{self.first_week.start.isoformat()}–{self.last_week.start.isoformat()}"


@dataclass
class _TenancyRow:
    id: int
    ref: str
    property_id: int
    start: date
    end: date | None
    account_id: int | None


@dataclass
class DebitPlan:
    """The rows a run would write: claims, ledger rows and void loss, keyed by (property, week)."""

    claims: list[dict[str, Any]] = field(default_factory=list)
    ledger: dict[tuple[int, date], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    void: dict[tuple[int, date], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    free: set[tuple[int, date]] = field(default_factory=set)
    """The (property, week) keys of rent-free weeks: claimed, nothing charged."""
    charged_properties: int = 0
    """Properties with a charge in force by the date (none: no charges are set up yet)."""


def latest_debit_date(today: date) -> date:
    """The last date a run may be asked to post through: one year after today (28 Feb for 29 Feb)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def check_through(ctx: ServiceContext, through: date) -> None:
    """InputError when ``through`` is more than a year ahead (the calendar is not kept that far)."""
    latest = latest_debit_date(ctx.today())
    if through > latest:
        raise InputError(f"through date {through:%d/%m/%Y} is more than one year ahead; a debit run posts rent "
                         f"weeks that have come or are coming soon: choose a date on or before {latest:%d/%m/%Y}")


def _insert(connection: Connection, table):
    return (pg_insert if connection.dialect.name == "postgresql" else sqlite_insert)(table)


def _charges(connection: Connection, through: date) -> tuple[dict[int, list], dict[int, list]]:
    """Charges starting on or before ``through``, by property and by tenancy."""
    by_property: dict[int, list] = defaultdict(list)
    by_tenancy: dict[int, list] = defaultdict(list)
    rows = connection.execute(select(CHARGE.c.property_id, CHARGE.c.tenancy_id, CHARGE.c.charge_code,
                                     CHARGE.c.amount_pence, CHARGE.c.frequency, CHARGE.c.effective_from,
                                     CHARGE.c.effective_to)
                              .where(CHARGE.c.effective_from <= through).order_by(CHARGE.c.id))
    for prop, tenancy, code, amount, frequency, first, last in rows:
        entry = (code, weekly_equivalent(amount, frequency), first, last)
        (by_property[prop] if prop is not None else by_tenancy[tenancy]).append(entry)
    return by_property, by_tenancy


def _tenancies(connection: Connection, through: date) -> dict[int, list[_TenancyRow]]:
    """Tenancies begun by the end of ``through``'s week, by property, with their rent account."""
    rent_account = (select(func.min(ACCOUNT.c.id)).where(ACCOUNT.c.tenancy_id == TENANCY.c.id,
                                                         ACCOUNT.c.account_type == "rent")
                    .correlate(TENANCY).scalar_subquery())
    rows = connection.execute(select(TENANCY.c.id, TENANCY.c.ref, TENANCY.c.property_id, TENANCY.c.start_date,
                                     TENANCY.c.end_date, rent_account)
                              .where(TENANCY.c.start_date <= through + timedelta(days=6)))
    found: dict[int, list[_TenancyRow]] = defaultdict(list)
    for row in rows:
        found[row[2]].append(_TenancyRow(*row))
    return found


def plan_debit(connection: Connection, rules: Sequence[CalendarRule], types: dict[str, ChargeType], through: date,
               *, now: datetime, actor_id: int | None, terminal: str | None,
               ends: dict[int, date] | None = None, only_property: int | None = None) -> DebitPlan:
    """Every (property, week) not yet posted through ``through`` and the rows posting it would write.

    ``ends``: tenancy id → an end date to use instead of the stored one (a tenancy end's preview);
    ``only_property``: plan one property's weeks only (a tenancy end posts its own home's weeks)."""
    by_property, by_tenancy = _charges(connection, through)
    tenancies = _tenancies(connection, through)
    for rows in tenancies.values():
        for row in rows:
            if ends and row.id in ends:
                row.end = ends[row.id]
    if only_property is not None:
        by_property = defaultdict(list, {only_property: by_property.get(only_property, [])})
        tenancies = defaultdict(list, {only_property: tenancies.get(only_property, [])})
    last_posted = dict(connection.execute(select(POSTED.c.property_id, func.max(POSTED.c.week_start))
                                          .group_by(POSTED.c.property_id)).all())
    properties = {p for p, charges in by_property.items() if charges}
    properties |= {t.property_id for ts in tenancies.values() for t in ts if t.id in by_tenancy}
    starts: dict[int, date] = {}
    for prop in properties:
        if prop in last_posted:
            starts[prop] = last_posted[prop] + timedelta(days=7)
            continue
        firsts = [c[2] for c in by_property.get(prop, ())]
        firsts += [c[2] for t in tenancies.get(prop, ()) for c in by_tenancy.get(t.id, ())]
        starts[prop] = week_containing(rules, min(firsts)).start
    plan = DebitPlan()
    plan.charged_properties = len(properties)
    if not starts:
        return plan
    weeks = list(weeks_between(rules, min(starts.values()), through))
    week_starts = [w.start for w in weeks]
    words = {code: t.words for code, t in types.items()}
    context = {"now": now, "actor_id": actor_id, "terminal": terminal, "words": words}
    for prop in sorted(properties):
        for week in weeks[bisect.bisect_left(week_starts, starts[prop]):]:
            plan.claims.append({"property_id": prop, "week_start": week.start, "posted_at": now})
            if week.free:
                plan.free.add((prop, week.start))
                continue
            _plan_week(plan, prop, week.start, by_property.get(prop, []), tenancies.get(prop, []), by_tenancy,
                       context)
    return plan


def _plan_week(plan: DebitPlan, prop: int, week: date, property_charges: list, tenancies: list[_TenancyRow],
               by_tenancy: dict[int, list], context: dict[str, Any]) -> None:
    """The ledger rows and void loss of one property's week."""
    covered: set[int] = set()  # the week's days (0-6) some tenancy is live
    key = (prop, week)
    for tenancy in tenancies:
        days = days_overlapping(week, tenancy.start, tenancy.end)
        if not days:
            continue
        first = max(week, tenancy.start)
        covered.update(range((first - week).days, (first - week).days + days))
        amounts: dict[str, int] = defaultdict(int)
        for code, weekly, c_first, c_last in (*property_charges, *by_tenancy.get(tenancy.id, ())):
            lo = max(tenancy.start, c_first)
            ends = [d for d in (tenancy.end, c_last) if d is not None]
            hi = min(ends) if ends else None
            charged = days_overlapping(week, lo, hi)
            if charged:
                amounts[code] += charge_for_days(weekly, charged)
        for code, amount in amounts.items():
            if amount <= 0:
                continue
            if tenancy.account_id is None:
                raise InputError(f"tenancy {tenancy.ref} has no rent account, so its charges cannot be posted: "
                                 "open its rent account, then run the debit again (nothing was posted)")
            plan.ledger[key].append({
                "account_id": tenancy.account_id, "effective_date": first, "posted_at": context["now"],
                "kind": RENT_KIND, "method": None, "amount_pence": amount,
                "reference": f"{context['words'].get(code, code)} w/c {week:%d/%m/%Y}"[:64],
                "external_id": f"debit:{tenancy.ref}:{week.isoformat()}:{code}",
                "created_by": context["actor_id"], "terminal": context["terminal"]})
    if len(covered) == 7:
        return
    losses: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, weekly, c_first, c_last in property_charges:
        for offset in range(7):
            day = week + timedelta(days=offset)
            if offset not in covered and c_first <= day and (c_last is None or day <= c_last):
                losses[code][0] += 1
        if losses[code][0]:
            losses[code][1] = charge_for_days(weekly, losses[code][0])
    for code, (days, amount) in losses.items():
        if days and amount:
            plan.void[key].append({"property_id": prop, "week_start": week, "charge_code": code, "days": days,
                                   "amount_pence": amount})


def _summary(through: date, rules: Sequence[CalendarRule], ledger: Iterable[dict], void: Iterable[dict],
             claimed: Iterable[tuple[int, date]], free_weeks: int, *, preview: bool) -> DebitSummary:
    ledger, void = list(ledger), list(void)
    weeks = sorted({week for _, week in claimed})
    return DebitSummary(
        through=through, posted=len(ledger), tenancies=len({row["external_id"].split(":")[1] for row in ledger}),
        total_pence=sum(row["amount_pence"] for row in ledger), weeks=len(weeks),
        first_week=week_containing(rules, weeks[0]) if weeks else None,
        last_week=week_containing(rules, weeks[-1]) if weeks else None,
        void_loss_pence=sum(row["amount_pence"] for row in void),
        void_properties=len({row["property_id"] for row in void}), free_weeks=free_weeks, preview=preview)


def preview_debit(ctx: ServiceContext, through: date) -> DebitSummary:
    """What ``run_debit`` through this date would post now; nothing is written but the audit event."""
    ctx.require(PERMISSION)
    check_through(ctx, through)
    rules, types = load_calendar(ctx.settings.data_dir), load_charge_types(ctx.settings.data_dir)
    actor = ctx.actor
    with session_scope(ctx.engine) as session:
        plan = plan_debit(session.connection(), rules, types, through, now=ctx.now(),
                          actor_id=actor.id if actor else None, terminal=ctx.terminal)
    summary = _summary(through, rules, (r for rows in plan.ledger.values() for r in rows),
                       (r for rows in plan.void.values() for r in rows),
                       ((c["property_id"], c["week_start"]) for c in plan.claims), len(plan.free), preview=True)
    summary = replace(summary, charged_properties=plan.charged_properties)
    audit.record_read(ctx, "rent.debit_previewed", "rent_debit", through.isoformat(), summary.as_json())
    return summary


def run_debit(ctx: ServiceContext, through: date) -> DebitSummary:
    """Post every live tenancy's charges for each rent week starting on or before ``through`` not yet posted.

    One write transaction: the claims, the ledger rows, the void loss and one audit event with the
    counts, all or nothing. A week another run has claimed (before or at the same moment) is skipped."""
    ctx.require(PERMISSION)
    check_through(ctx, through)
    rules, types = load_calendar(ctx.settings.data_dir), load_charge_types(ctx.settings.data_dir)
    actor = ctx.actor
    with session_scope(ctx.engine, write=True) as session:
        connection = session.connection()
        plan = plan_debit(connection, rules, types, through, now=ctx.now(),
                          actor_id=actor.id if actor else None, terminal=ctx.terminal)
        claimed = claim_weeks(connection, plan.claims)
        ledger = [row for key in claimed for row in plan.ledger.get(key, ())]
        void = [row for key in claimed for row in plan.void.get(key, ())]
        free = len(plan.free & claimed)
        if ledger:
            connection.execute(LEDGER.insert(), ledger)
        if void:
            connection.execute(VOID.insert(), void)
        summary = _summary(through, rules, ledger, void, claimed, free, preview=False)
        audit.record(session, ctx, "rent.debit_run", "rent_debit", through.isoformat(), {
            **summary.as_json(), "weeks": summary.week_span, "property_weeks": len(claimed),
            "void_loss_pence": summary.void_loss_pence, "void_properties": summary.void_properties})
    return summary


def claim_weeks(connection: Connection, claims: list[dict[str, Any]]) -> set[tuple[int, date]]:
    """Claim (property, week) keys; the set actually claimed by this transaction (others' are skipped)."""
    if not claims:
        return set()
    statement = (_insert(connection, POSTED).on_conflict_do_nothing()
                 .returning(POSTED.c.property_id, POSTED.c.week_start))
    claimed: set[tuple[int, date]] = set()
    for start in range(0, len(claims), 5000):
        result = connection.execute(statement, claims[start:start + 5000])
        claimed.update((prop, week) for prop, week in result.all())
    return claimed


def this_week_start(ctx: ServiceContext) -> date:
    """The first day of the rent week holding today (the screen's default through date)."""
    return week_containing(load_calendar(ctx.settings.data_dir), ctx.today()).start
