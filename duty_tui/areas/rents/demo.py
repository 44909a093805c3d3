"""The rents area's part of the demo office (issue 15 item 9; docs/RENTS_DEMO.md).

The core simulation (duty_tui.core.demo.rent_ledger) writes two years of each rent account, but
for the tenancies it hands over (``cut_over_tenancies``) it leaves the rent of the latest weeks,
from the cutover Monday (``debit_cutover``), to this step. Here each of those properties gets its
charges — the weekly rent the simulation charged, split into basic rent and the service charges a
home of its kind has, summing to the same pence — with last rent year's amounts as history, the
rent review that moved them applied last April with a notice of variation per tenancy, and then the
real debit run (services/debit.py ``run_debit``) posts each week through today, as the rents
assistant, on the Monday night it falls due. Balances are the same pence as the simulation's alone.

Called by the core generator through the ``demo.post_rent`` hook, right after the base ledger, so
every later demo step sees the whole ledger. Charges, the week before the cutover (marked posted:
the simulation's ledger holds it) and the review history are bulk-inserted as history; the postings
are the service's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, func, insert, select

from duty_tui.areas.rents.db.models import (
    RentCharge,
    RentReview,
    RentReviewLine,
    RentTenancyEnd,
    RentVariationNotice,
    RentVoidLoss,
    RentWeekPosted,
)
from duty_tui.areas.rents.domain.calendar import rent_year_of
from duty_tui.areas.rents.domain.reference import load_calendar
from duty_tui.areas.rents.services.debit import run_debit
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.models import Account, LedgerEntry, Property, StaffUser, Tenancy, table_of
from duty_tui.core.domain.local_time import UK
from duty_tui.core.services.context import Actor, ServiceContext

RENTS_USER = "rents"
STAFF, TENANCY, PROPERTY, ACCOUNT = table_of(StaffUser), table_of(Tenancy), table_of(Property), table_of(Account)
LEDGER, REVIEW = table_of(LedgerEntry), table_of(RentReview)
FLATS = ("flat", "maisonette", "bedsit")
"""Property types (the demo's words) in a block with shared areas: service charges as well as rent."""


def last_year_amount(weekly: int) -> int:
    """Last rent year's weekly amount, as the simulation charged it (duty_tui.core.demo.money.rent_on)."""
    return int(round(weekly / 1.04 / 5)) * 5


def split_rent(weekly: int, property_type: str, draw: float) -> list[tuple[str, int]]:
    """``weekly`` pence as (charge code, pence) summing to it exactly: basic rent and, for a flat, a
    service charge and cleaning, a third of flats with communal heating; some houses pay water with it.
    ``draw`` (0–1) picks the mix, so last year's and this year's split the same way."""
    parts: list[tuple[str, int]] = []
    if any(word in property_type.lower() for word in FLATS):
        parts += [("service_charge", weekly * 6 // 100), ("cleaning", weekly * 2 // 100)]
        if draw < 0.34:
            parts.append(("heating", weekly * 5 // 100))
    elif draw < 0.3:
        parts.append(("water", weekly * 7 // 100))
    parts = [(code, pence) for code, pence in parts if pence > 0]
    return [("basic_rent", weekly - sum(p for _, p in parts)), *parts]


def _night(day: date) -> datetime:
    """00:30 UK on ``day`` (when the simulation posted rent), in UTC."""
    return datetime.combine(day, time(0, 30), tzinfo=UK).astimezone(UTC)


def _clock(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at ``moment`` (the debit run's posted_at)."""
    return lambda: moment


def _context(engine: Engine) -> ServiceContext:
    settings = Settings(db_url=engine.url.render_as_string(hide_password=False))
    ctx = ServiceContext.create(engine, settings, terminal="demo")
    with engine.connect() as connection:
        user = connection.execute(select(STAFF).where(STAFF.c.username == RENTS_USER)).first()
        if user is None:  # a build whose demo has no rents user: the admin runs it
            user = connection.execute(select(STAFF).where(STAFF.c.role == "admin").order_by(STAFF.c.id)).first()
    assert user is not None, "the demo office has no one who may run the debit"
    role = ctx.reference.roles[user.role]
    return ctx.as_actor(Actor(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                              role_name=role.name, permissions=role.permissions, team_id=user.team_id))


def post_rent(engine: Engine, *, today: date, cutover: date, tenancies: set[int], rng: random.Random) -> dict[str, int]:
    """Charges, review history and the debit run for the handed-over tenancies; rows now in its tables."""
    ctx = _context(engine)
    rules = load_calendar(ctx.settings.data_dir)
    this_year = rent_year_of(rules, cutover)
    last_year_start = rent_year_of(rules, this_year.starts - timedelta(days=1)).starts
    actor_id = ctx.actor.id if ctx.actor else None
    with engine.begin() as connection:
        t, p, a = TENANCY.c, PROPERTY.c, ACCOUNT.c
        lets = connection.execute(
            select(t.id, t.property_id, t.weekly_rent_pence, p.property_type, a.id)
            .join(PROPERTY, p.id == t.property_id)
            .join(ACCOUNT, (a.tenancy_id == t.id) & (a.account_type == "rent"))
            .where(t.id.in_(sorted(tenancies))).order_by(t.id)).all()
        if not lets:
            return _table_counts(engine)
        set_at, notices_on = _night(last_year_start), this_year.starts - timedelta(weeks=5)
        review_id = connection.execute(insert(REVIEW).values(
            ref=f"RR{this_year.begins}", rent_year_start=this_year.starts, effective_from=this_year.starts,
            basis="percent", percent_bp=400, policy_code="rent_standard",
            description=f"Rent year {this_year.label}: 4% (within the Rent Standard's CPI + 1%)", status="applied",
            notices_on=notices_on, created_by=actor_id, created_at=_night(notices_on - timedelta(weeks=3)),
            applied_by=actor_id, applied_at=_night(notices_on)).returning(REVIEW.c.id)).scalar_one()
        charges, lines, notices, claims = [], [], [], []
        for tenancy_id, property_id, weekly, property_type, account_id in lets:
            draw = rng.random()
            old = dict(split_rent(last_year_amount(weekly), property_type, draw))
            for code, pence in split_rent(weekly, property_type, draw):
                base = {"property_id": property_id, "charge_code": code, "frequency": "weekly", "created_by": actor_id}
                if code in old:
                    charges.append({**base, "amount_pence": old[code], "effective_from": last_year_start,
                                    "effective_to": this_year.starts - timedelta(days=1), "created_at": set_at,
                                    "reason": "rent year set", "ended_by": actor_id, "ended_at": _night(notices_on),
                                    "ended_reason": f"rent review RR{this_year.begins}"})
                charges.append({**base, "amount_pence": pence, "effective_from": this_year.starts,
                                "effective_to": None, "created_at": _night(notices_on),
                                "reason": f"rent review RR{this_year.begins}", "ended_by": None, "ended_at": None,
                                "ended_reason": None})
                lines.append({"review_id": review_id, "property_id": property_id, "charge_code": code,
                              "frequency": "weekly", "old_pence": old.get(code, 0), "new_pence": pence,
                              "capped": False, "note": None})
            notices.append({"review_id": review_id, "tenancy_id": tenancy_id, "account_id": account_id,
                            "given_on": notices_on, "effective_from": this_year.starts,
                            "old_weekly_pence": last_year_amount(weekly), "new_weekly_pence": weekly,
                            "letter_code": "rent_variation", "created_at": _night(notices_on)})
            claims.append({"property_id": property_id, "week_start": cutover - timedelta(days=7),
                           "posted_at": _night(cutover - timedelta(days=7))})
        voids = _void_homes(connection, cutover)
        for property_id, weekly, property_type in voids:  # no tenant: the debit run records the rent as void loss
            for code, pence in split_rent(weekly, property_type, 0.5):
                charges.append({"property_id": property_id, "charge_code": code, "frequency": "weekly",
                                "created_by": actor_id, "amount_pence": pence, "effective_from": this_year.starts,
                                "effective_to": None, "created_at": _night(notices_on),
                                "reason": "void: the rent it is let at", "ended_by": None, "ended_at": None,
                                "ended_reason": None})
            claims.append({"property_id": property_id, "week_start": cutover - timedelta(days=7),
                           "posted_at": _night(cutover - timedelta(days=7))})
        for model, rows in ((RentCharge, charges), (RentReviewLine, lines), (RentVariationNotice, notices),
                            (RentWeekPosted, claims)):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(model), rows[start:start + 5000])
        _tenancy_ends(connection, actor_id)
    week = cutover
    while week <= today:
        run_debit(replace(ctx, clock=_clock(_night(week))), week)
        week += timedelta(days=7)
    return _table_counts(engine)


TABLES = (RentCharge, RentReview, RentReviewLine, RentVariationNotice, RentWeekPosted, RentTenancyEnd, RentVoidLoss,
          LedgerEntry)


def _table_counts(engine: Engine) -> dict[str, int]:
    """Rows now in each table this step wrote to (the generator's summary counts say what is there)."""
    with engine.connect() as connection:
        return {table.__tablename__: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in TABLES}


VOID_HOMES = 2
"""How many homes empty through the debit run's weeks get charges, so the run records their void loss."""


def _void_homes(connection, cutover: date) -> list[tuple[int, int, str]]:
    """(property id, weekly rent of its last tenancy, type) for the first homes whose every tenancy ended
    before the week before the cutover: empty through every week the debit run posts."""
    t, p = TENANCY.c, PROPERTY.c
    empty = (select(t.property_id).group_by(t.property_id)
             .having(func.count() == func.count(t.end_date), func.max(t.end_date) < cutover - timedelta(days=7)))
    homes = connection.execute(select(p.id, p.property_type).where(p.id.in_(empty)).order_by(p.id)
                               .limit(VOID_HOMES)).all()
    found = []
    for property_id, property_type in homes:
        weekly = connection.execute(select(t.weekly_rent_pence).where(t.property_id == property_id)
                                    .order_by(t.end_date.desc(), t.id.desc()).limit(1)).scalar_one()
        found.append((property_id, int(weekly), property_type or ""))
    return found


TENANCY_ENDS = 12
"""How many of the simulation's latest ended tenancies get their end at the account recorded."""


def _tenancy_ends(connection, actor_id: int | None) -> int:
    """The latest ended tenancies' ends at the account, as the ledger has them: the simulation moved each
    final balance (a debt, after any leaving recharge) to the former tenant account named in the row."""
    t, a, e = TENANCY.c, ACCOUNT.c, LEDGER.c
    moved = connection.execute(
        select(t.id, t.end_date, a.id, e.amount_pence, e.reference, e.posted_at)
        .join(ACCOUNT, (a.tenancy_id == t.id) & (a.account_type == "rent"))
        .join(LEDGER, e.account_id == a.id)
        .where(t.end_date.is_not(None), e.kind == "adjustment", e.reference.like("Balance transferred to %"))
        .order_by(t.end_date.desc(), t.id).limit(TENANCY_ENDS)).all()
    rows = [{"tenancy_id": tenancy_id, "account_id": account_id, "ended_on": ended, "charged_pence": 0,
             "reversed_pence": 0, "final_balance_pence": -amount,
             "outcome": "former_tenant" if amount < 0 else "nil",
             "outcome_ref": reference.removeprefix("Balance transferred to ")[:24] if amount < 0 else None,
             "reason": "tenancy ended; the debt moved to the former tenant account", "created_by": actor_id,
             "created_at": posted_at}
            for tenancy_id, ended, account_id, amount, reference, posted_at in moved]
    if rows:
        connection.execute(insert(RentTenancyEnd), rows)
    return len(rows)
