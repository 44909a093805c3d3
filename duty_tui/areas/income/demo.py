"""The income area's demo step: accounts in arrears at every stage of recovery (docs/INCOME_DEMO.md).

Deterministic (random generators seeded from the demo's seed), and consistent with the shipped recovery
policy and the law engine. About a quarter of the accounts owing four weeks' rent or more, on tenancies
the law engine dates, are given a court stage by ``demo_court`` — a lapsed notice, the protocol part done,
a claim with its hearing to come, an order on terms kept or broken (by the ledger), an outright order, an
adjournment, a warrant and an eviction booked — and a few tenancies that ended lately ended in an eviction.
For the other accounts each one's steps are found by walking the policy's own engine forward from the day
its arrears began to be worked, each step taken on (or a few days after) the day it fell due, the officer
stopping short for some accounts (and before an application to court) — so the worklist shows every stage,
some steps overdue and some not yet due. A notice step the walk took is a notice served that day. About
one account in five has had nothing done yet; about one in twenty-five is paused (a promise to pay, a
benefit claim pending — with the claim recorded —, ...). UC managed payments are requested, approved (where
the ledger shows universal credit paid to the landlord) and refused.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, Engine, insert, select, text

from duty_tui.areas.income.db.models import BenefitClaim, ManagedPayment, RecoveryAction, RecoveryPause
from duty_tui.areas.income.demo_court import NOTICE_CODE, Story, choose_stages, eligible, evicted, tell, walk_story
from duty_tui.areas.income.demo_ledger import Owing, owing_accounts, read_ledgers, tenant_names
from duty_tui.areas.income.demo_write import court_costs_accounts, managed_payments, pending_claims, write_stories
from duty_tui.areas.income.domain.law_table import load_law
from duty_tui.areas.income.domain.policy import (
    NONE,
    TENANCY_TYPES,
    AccountState,
    Action,
    RecoveryPolicy,
    load_recovery_policy,
    recommend,
)
from duty_tui.core.config.preview import packaged_folder
from duty_tui.core.db.models import Property, StaffUser, table_of
from duty_tui.core.demo.generator import SIZES

PAUSES = (("promise_to_pay", 14, 35), ("benefit_claim_pending", 21, 56), ("missing_data", 7, 28),
          ("other", 7, 42))
"""(reason, fewest days, most days) a demo pause runs on from today."""
BATCH = 5_000
EVICTED_SHARE = 0.004
"""Tenancies ended by eviction lately, as a share of the accounts that could go to court (at least one)."""
TABLES = ("recovery_action", "recovery_pause", "arrears_notice", "protocol_step", "benefit_claim", "managed_payment",
          "possession_claim", "court_hearing", "eviction")


def _steps(policy: RecoveryPolicy, rng: random.Random, today: date, balance: int, weekly: int,
           kind: str) -> list[Action]:
    """The steps an officer took on one account, walking the policy from when its arrears were first worked
    (stopping before an application to court: claims are ``demo_court``'s)."""
    day = today - timedelta(days=rng.randint(10, 150))
    stop_after = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6))  # how far the officer has got
    taken: list[Action] = []
    while len(taken) < stop_after:
        state = AccountState(as_of=day, balance_pence=balance, weekly_rent_pence=weekly, tenancy_type=kind,
                             jurisdiction=TENANCY_TYPES.get(kind, "england"), history=tuple(taken))
        advice = recommend(policy, state)
        if advice.action in (NONE, "apply_for_possession") or advice.due is None:
            break
        on = advice.due + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5)))
        if on >= today:
            break
        taken.append(Action(advice.action, on))
        day = on
    return taken


def _walk(rng: random.Random, policy: RecoveryPolicy, owing: list[Owing], skip: set[int], officers: list[int],
          today: date, by: dict[int, int | None]) -> tuple[list[dict], list[dict], list[tuple[Owing, date, bool]]]:
    """(recovery steps, pauses, (account, notice day, court warning sent) for each notice step taken)."""
    actions: list[dict] = []
    pauses: list[dict] = []
    noticed: list[tuple[Owing, date, bool]] = []
    stamp = datetime.combine(today, time(9), tzinfo=UTC)
    for each in owing:
        if each.account_id in skip or rng.random() < 0.2 or each.weekly <= 0 or each.kind not in TENANCY_TYPES:
            continue  # in court, or nothing done yet: new arrears, or an officer behind
        steps = _steps(policy, rng, today, each.balance, each.weekly, each.kind)
        officer = by[each.account_id] = rng.choice(officers) if officers else None
        actions.extend(_action(each.account_id, s.code, s.on, officer) for s in steps)
        notice = next((s.on for s in steps if s.code == NOTICE_CODE.get(each.kind)), None)
        if notice is not None:
            noticed.append((each, notice, any(s.code == "court_warning" for s in steps)))
        if rng.random() < 0.04:
            reason, low, high = rng.choice(PAUSES)
            pauses.append({"account_id": each.account_id, "reason": reason,
                           "until": today + timedelta(days=rng.randint(low, high)), "note": None, "set_by": officer,
                           "set_at": stamp - timedelta(days=rng.randint(0, 6)), "lifted_at": None,
                           "lifted_by": None, "version": 1})
    return actions, pauses, noticed


def _action(account_id: int, code: str, on: date, by: int | None, note: str | None = None) -> dict:
    return {"account_id": account_id, "action": code, "taken_on": on, "taken_by": by, "note": note,
            "created_at": datetime.combine(on, time(11), tzinfo=UTC)}


def _court_name(connection: Connection, jurisdiction: str) -> str:
    town = connection.execute(select(table_of(Property).c.town).order_by(table_of(Property).c.id).limit(1)).scalar()
    town = town or "Central London"
    return f"{town} Sheriff Court" if jurisdiction == "scotland" else f"County Court at {town}"


def _evictions(rng: random.Random, connection: Connection, today: date, first_day: date, wanted: int, law
               ) -> list[Story]:
    """Tenancies that ended lately by eviction: rent accounts closed 7 to 365 days ago that owed four weeks' rent."""
    ended = [o for o in owing_accounts(connection, closed_between=(today - timedelta(days=365),
                                                                   today - timedelta(days=7)))
             if o.kind in NOTICE_CODE and o.weekly > 0 and o.end is not None]
    rng.shuffle(ended)
    ended = ended[:wanted * 20]  # many ended too soon after the ledger starts, or owing too little
    ledgers = read_ledgers(connection, [o.account_id for o in ended])
    stories: list[Story] = []
    for each in ended:
        story = evicted(rng, each, ledgers[each.account_id], law, first_day)
        if story is not None:
            stories.append(story)
            if len(stories) == wanted:
                break
    return stories


def generate_income(engine: Engine, *, seed: int, today: date, size: str, jurisdiction: str) -> dict[str, int]:
    """Add the income area's demo rows; returns rows added per kind."""
    rng = random.Random(f"duty-tui demo/{seed}/income")
    court_rng = random.Random(f"duty-tui demo/{seed}/income/court")
    data = packaged_folder("data")
    policy, law = load_recovery_policy(data), load_law(data)
    first_day = today - timedelta(weeks=SIZES.get(size, SIZES["office"]).ledger_weeks) + timedelta(days=7)
    now = datetime.combine(today, time(8), tzinfo=UTC)
    with engine.begin() as connection:
        staff = table_of(StaffUser).c
        officers = list(connection.execute(select(staff.id).where(
            staff.active.is_(True), staff.role.in_(("income_officer", "team_leader"))).order_by(staff.id)).scalars())
        owing = owing_accounts(connection)
        fee_days = {t: d for t, (_, d) in court_costs_accounts(connection).items() if d is not None}
        plans = choose_stages(court_rng, owing, fee_days, today, first_day)
        by: dict[int, int | None] = {p.owing.account_id: court_rng.choice(officers) if officers else None
                                     for p in plans}
        actions, pauses, noticed = _walk(rng, policy, owing, set(by), officers, today, by)
        others = [o for o in owing if o.account_id not in by]
        sample = sorted(court_rng.sample(others, min(len(others), max(60, len(owing) // 50))),
                        key=lambda o: o.account_id)
        ledgers = read_ledgers(connection, sorted({p.owing.account_id for p in plans}
                                                  | {o.account_id for o, _, _ in noticed}
                                                  | {o.account_id for o in sample}))
        stories = [tell(court_rng, p, ledgers[p.owing.account_id], law, today) for p in plans]
        wanted = max(1, round(sum(map(eligible, owing)) * EVICTED_SHARE))
        stories += _evictions(court_rng, connection, today, first_day, wanted, law)
        for story in stories[len(plans):]:
            by[story.owing.account_id] = court_rng.choice(officers) if officers else None
        stories += [walk_story(court_rng, o, day, warned, ledgers[o.account_id], law, today)
                    for o, day, warned in noticed]
        actions += [_action(s.owing.account_id, code, on, by.get(s.owing.account_id), s.notes.get((code, on)))
                    for s in stories if s.stage != "notice" for code, on in s.steps]
        names = tenant_names(connection, {s.owing.household_id: " & " in s.owing.holder
                                          for s in stories if s.notice is not None})
        counts = {"recovery steps": len(actions), "accounts with steps": len({a["account_id"] for a in actions}),
                  "recovery pauses": len(pauses)}
        for start in range(0, len(actions), BATCH):
            connection.execute(insert(table_of(RecoveryAction)), actions[start:start + BATCH])
        if pauses:
            connection.execute(insert(table_of(RecoveryPause)), pauses)
        counts.update(write_stories(connection, court_rng, stories, names, by,
                                    court=_court_name(connection, jurisdiction), now=now))
        with_ledger = [o for o in owing if o.account_id in ledgers]
        _benefits_and_managed(connection, court_rng, owing, with_ledger, ledgers, pauses, by, today, now, counts)
        if connection.dialect.name == "postgresql":
            for table in TABLES:
                connection.execute(text(f"ANALYZE {table}"))
    return counts


def _benefits_and_managed(connection: Connection, rng: random.Random, owing: list[Owing], candidates: list[Owing],
                          ledgers, pauses: list[dict], by: dict[int, int | None], today: date, now: datetime,
                          counts: dict[str, int]) -> None:
    """Pending benefit claims behind the demo's pauses for one; UC managed payments on accounts whose ledger was read."""
    kinds = {i: ("housing_benefit" if "housing_benefit" in book.kinds else "universal_credit")
             for i, book in ledgers.items()}
    claims = pending_claims(rng, pauses, kinds)
    if claims:
        connection.execute(insert(table_of(BenefitClaim)), claims)
    counts["benefit claims"] = counts.get("benefit claims", 0) + len(claims)
    rows = managed_payments(rng, candidates, ledgers, today, wanted=max(2, len(owing) // 150), by=by, now=now)
    if rows:
        connection.execute(insert(table_of(ManagedPayment)), rows)
    counts["managed payments"] = len(rows)
