"""The income area's demo step: recovery steps already taken on the demo's accounts in arrears, and a few pauses.

Deterministic (one random generator seeded from the demo's seed), and consistent with the shipped
recovery policy: each account's steps are found by walking the policy's own engine forward from the
day its arrears began to be worked, each step taken on (or a few days after) the day it fell due, the
officer stopping short for some accounts — so the worklist shows every stage, some steps overdue and
some not yet due. About one account in five has had nothing done yet; about one in twenty-five is
paused (a promise to pay, a benefit claim pending, ...). Court and eviction dates are not made: the
area does not record them yet.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, insert, select, text

from duty_tui.areas.income.db.models import RecoveryAction, RecoveryPause
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
from duty_tui.core.db.models import Account, AccountBalance, StaffUser, Tenancy, table_of

PAUSES = (("promise_to_pay", 14, 35), ("benefit_claim_pending", 21, 56), ("missing_data", 7, 28),
          ("other", 7, 42))
"""(reason, fewest days, most days) a demo pause runs on from today."""
BATCH = 5_000


def _steps(policy: RecoveryPolicy, rng: random.Random, today: date, balance: int, weekly: int,
           kind: str) -> list[Action]:
    """The steps an officer took on one account, walking the policy from when its arrears were first worked."""
    day = today - timedelta(days=rng.randint(10, 150))
    stop_after = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6))  # how far the officer has got
    taken: list[Action] = []
    while len(taken) < stop_after:
        state = AccountState(as_of=day, balance_pence=balance, weekly_rent_pence=weekly, tenancy_type=kind,
                             jurisdiction=TENANCY_TYPES.get(kind, "england"), history=tuple(taken))
        advice = recommend(policy, state)
        if advice.action == NONE or advice.due is None:
            break
        on = advice.due + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5)))
        if on >= today:
            break
        taken.append(Action(advice.action, on))
        day = on
    return taken


def generate_income(engine: Engine, *, seed: int, today: date, size: str, jurisdiction: str) -> dict[str, int]:
    """Add the income area's demo rows; returns rows added per kind."""
    rng = random.Random(f"duty-tui demo/{seed}/income")
    policy = load_recovery_policy(packaged_folder("data"))
    counts = {"recovery steps": 0, "accounts with steps": 0, "recovery pauses": 0}
    with engine.begin() as connection:
        staff, account, balance, tenancy = (table_of(StaffUser).c, table_of(Account).c, table_of(AccountBalance).c,
                                            table_of(Tenancy).c)
        officers = list(connection.execute(select(staff.id).where(
            staff.active.is_(True), staff.role.in_(("income_officer", "team_leader"))).order_by(staff.id)).scalars())
        owing = connection.execute(
            select(account.id, balance.balance_pence, tenancy.weekly_rent_pence, tenancy.tenancy_type)
            .join_from(table_of(Account), table_of(AccountBalance), balance.account_id == account.id)
            .join(table_of(Tenancy), tenancy.id == account.tenancy_id)
            .where(balance.balance_pence > 0, account.account_type == "rent", account.closed_on.is_(None))
            .order_by(account.id)).all()
        actions: list[dict] = []
        pauses: list[dict] = []
        stamp = datetime.combine(today, time(9), tzinfo=UTC)
        for account_id, balance, weekly, kind in owing:
            if rng.random() < 0.2 or weekly <= 0 or kind not in TENANCY_TYPES:
                continue  # nothing done yet: new arrears, or an officer behind
            steps = _steps(policy, rng, today, int(balance), int(weekly), kind)
            by = rng.choice(officers) if officers else None
            actions.extend({"account_id": account_id, "action": s.code, "taken_on": s.on, "taken_by": by,
                            "note": None, "created_at": datetime.combine(s.on, time(11), tzinfo=UTC)} for s in steps)
            counts["accounts with steps"] += bool(steps)
            if rng.random() < 0.04:
                reason, low, high = rng.choice(PAUSES)
                pauses.append({"account_id": account_id, "reason": reason,
                               "until": today + timedelta(days=rng.randint(low, high)), "note": None, "set_by": by,
                               "set_at": stamp - timedelta(days=rng.randint(0, 6)), "lifted_at": None,
                               "lifted_by": None, "version": 1})
        for start in range(0, len(actions), BATCH):
            connection.execute(insert(table_of(RecoveryAction)), actions[start:start + BATCH])
        if pauses:
            connection.execute(insert(table_of(RecoveryPause)), pauses)
        counts["recovery steps"], counts["recovery pauses"] = len(actions), len(pauses)
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE recovery_action"))
            connection.execute(text("ANALYZE recovery_pause"))
    return counts
