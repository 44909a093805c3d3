"""Payments demo rows on top of the base office (duty_tui.core.demo.generator): receipts for the base
ledger's counter payments, arrangements (some broken), a few refund requests, yesterday's
cash-ups (one with a variance, one awaiting sign-off) and suspense items with typo'd refs.

Reads the base tables, bulk-inserts with Core, deterministic per seed; aware UTC datetimes.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, case, func, insert, select, text

from duty_tui.areas.payments.db.models import (
    Arrangement,
    ArrangementInstalment,
    CashUp,
    CashUpDenomination,
    CashUpLine,
    Payment,
    RefundRequest,
)
from duty_tui.areas.payments.domain.agreement import Expected, Movement, check_agreement
from duty_tui.areas.payments.domain.rules import build_schedule, instalment_due
from duty_tui.core.db.models import Account, LedgerEntry, Office, StaffUser, table_of
from duty_tui.core.domain.local_time import UK

SCALE = {"small": (12, 3, 4), "office": (120, 6, 8), "council": (2_500, 25, 20)}
"""size -> (arrangements, refund requests, extra suspense items)."""

DENOMINATIONS = (5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1)
BATCH = 5_000
_CARD = re.compile(r"\*{4}(\d{4})(?:\s+auth\s+(\w+))?", re.IGNORECASE)
_CHEQUE = re.compile(r"(\d{4,10})")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UK).astimezone(UTC)


def _insert(connection, table, rows: list[dict]) -> int:
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(table), rows[start:start + BATCH])
    return len(rows)


def _coins(pence: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for d in DENOMINATIONS:
        counts[d], pence = divmod(pence, d)
    return {d: q for d, q in counts.items() if q}


def generate_payments(engine: Engine, *, seed: int, today: date, size: str, jurisdiction: str) -> dict[str, int]:
    """Add the payments area's demo rows; returns rows added per kind."""
    rng = random.Random(f"duty-tui demo/{seed}/payments")
    arrangements_wanted, refunds_wanted, suspense_wanted = SCALE.get(size, SCALE["office"])
    counts = {"payment receipts": 0, "arrangements": 0, "broken arrangements": 0, "refund requests": 0,
              "cash-ups": 0, "suspense items": 0}
    with engine.begin() as connection:
        office = connection.execute(select(Office.id).order_by(Office.id)).first()
        if office is None:
            return counts
        office_id = office.id
        staff = connection.execute(select(StaffUser.id, StaffUser.role).where(StaffUser.active.is_(True))
                                   .order_by(StaffUser.id)).all()
        leaders = [s.id for s in staff if s.role == "team_leader"] or [s.id for s in staff]
        income = [s.id for s in staff if s.role == "income_officer"] or leaders
        counter_staff = [s.id for s in staff if s.role in ("reception", "income_officer")] or leaders
        # The steps share one random generator: they run in this order, so the same seed gives the same rows.
        counts["payment receipts"] = _receipts(connection)
        counts["cash-ups"] = _cashups(connection, rng, today=today, office_id=office_id, leaders=leaders)
        counts["arrangements"], counts["broken arrangements"] = _arrangements(
            connection, rng, today=today, income=income, wanted=arrangements_wanted)
        counts["refund requests"] = _refund_requests(connection, rng, today=today, counter_staff=counter_staff,
                                                     wanted=refunds_wanted)
        counts["suspense items"] = _suspense_items(connection, rng, seed=seed, today=today, office_id=office_id,
                                                   income=income, wanted=suspense_wanted)
        from duty_tui.areas.payments.dd_demo import generate_direct_debits

        counts["direct debit mandates"] = generate_direct_debits(connection, seed=seed, today=today, size=size,
                                                                 creator=leaders[0] if leaders else None)
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE payment"))
    return counts


def _receipts(connection) -> int:
    """1. A receipt (payment row) for every counter payment the base ledger numbered."""
    ledger = table_of(LedgerEntry)
    rows = connection.execute(
        select(ledger.c.id, ledger.c.office_id, ledger.c.receipt_no, ledger.c.effective_date, ledger.c.posted_at,
               ledger.c.created_by, ledger.c.method, ledger.c.amount_pence, ledger.c.reference,
               ledger.c.till_code)
        .where(ledger.c.receipt_no.is_not(None), ledger.c.office_id.is_not(None))
        .order_by(ledger.c.office_id, ledger.c.receipt_no)).all()
    have = {(r.office_id, r.receipt_no) for r in connection.execute(
        select(Payment.office_id, Payment.receipt_no)).all()}
    payments = []
    for r in rows:
        if (r.office_id, r.receipt_no) in have:
            continue
        have.add((r.office_id, r.receipt_no))
        card = _CARD.search(r.reference or "") if r.method == "card" else None
        cheque = _CHEQUE.search(r.reference or "") if r.method == "cheque" else None
        payments.append({
            "office_id": r.office_id, "receipt_no": r.receipt_no,
            "idempotency_key": f"demo-{r.office_id}-{r.receipt_no}", "business_date": r.effective_date,
            "taken_at": r.posted_at, "taken_by": r.created_by, "channel": "counter", "method": r.method or "cash",
            "total_pence": -r.amount_pence, "till_code": r.till_code,
            "card_last4": card.group(1) if card else None, "card_status": "approved" if card else None,
            "terminal_ref": f"AUTH {card.group(2)}" if card and card.group(2) else None,
            "cheque_no": cheque.group(1) if cheque else None, "paid_by": None, "reference": None,
            "person_id": None, "terminal": "demo"})
    return _insert(connection, table_of(Payment), payments)


def _cashups(connection, rng: random.Random, *, today: date, office_id: int, leaders: list[int]) -> int:
    """2. Yesterday's cash-ups: every user and till that took counter money on the last trading day."""
    ledger = table_of(LedgerEntry)
    last_day = connection.execute(select(func.max(ledger.c.effective_date)).where(
        ledger.c.till_code.is_not(None), ledger.c.effective_date < today)).scalar()
    if last_day is None:
        return 0
    takings = connection.execute(
        select(ledger.c.till_code, ledger.c.created_by, ledger.c.method, func.count(),
               func.sum(ledger.c.amount_pence))
        .where(ledger.c.till_code.is_not(None), ledger.c.effective_date == last_day,
               ledger.c.office_id == office_id, ledger.c.created_by.is_not(None))
        .group_by(ledger.c.till_code, ledger.c.created_by, ledger.c.method)
        .order_by(ledger.c.till_code, ledger.c.created_by, ledger.c.method)).all()
    sessions: dict[tuple[str, int], dict[str, tuple[int, int]]] = defaultdict(dict)
    for till, user, method, n, total in takings:
        sessions[(till, user)][method or "cash"] = (int(n), -int(total))
    existing = connection.execute(select(func.count()).select_from(table_of(CashUp))).scalar() or 0
    made = 0
    for index, ((till, user), by_method) in enumerate(sorted(sessions.items())):
        if connection.execute(select(CashUp.id).where(
                CashUp.office_id == office_id, CashUp.till_code == till, CashUp.user_id == user,
                CashUp.business_date == last_day)).first():
            continue
        _cashup(connection, rng, ref=f"CU{existing + index + 1:06d}", index=index, office_id=office_id, till=till,
                user=user, last_day=last_day, by_method=by_method, leaders=leaders)
        made += 1
    return made


def _cashup(connection, rng: random.Random, *, ref: str, index: int, office_id: int, till: str, user: int,
            last_day: date, by_method: dict[str, tuple[int, int]], leaders: list[int]) -> None:
    """One till session's cash-up: every third one a little short, the first still awaiting sign-off."""
    variance = -rng.choice((10, 50, 200, 500)) if index % 3 == 1 else 0
    counted = {m: p + (variance if m == "cash" else 0) for m, (_, p) in by_method.items()}
    if variance and "cash" not in counted:
        variance = 0
        counted = {m: p for m, (_, p) in by_method.items()}
    expected_total = sum(p for _, p in by_method.values())
    counted_total = sum(counted.values())
    signer = next((s for s in leaders if s != user), None)
    awaiting = index == 0 or signer is None
    cashup_id = connection.execute(insert(table_of(CashUp)).values(
        ref=ref, office_id=office_id, till_code=till, user_id=user,
        business_date=last_day, status="counted" if awaiting else "signed_off",
        counted_at=_at(last_day, 17, rng.randint(0, 25)), expected_pence=expected_total,
        counted_pence=counted_total, variance_pence=counted_total - expected_total,
        variance_reason=(rng.choice(("wrong change given to a caller", "coin dropped behind the till",
                                     "counted twice, still short; see supervisor"))
                         if variance else None),
        signed_off_by=None if awaiting else signer,
        signed_off_at=None if awaiting else _at(last_day, 17, 40), version=1,
    ).returning(table_of(CashUp).c.id)).scalar_one()
    _insert(connection, table_of(CashUpLine), [
        {"cashup_id": cashup_id, "method": m, "payments": by_method[m][0],
         "expected_pence": by_method[m][1], "counted_pence": counted[m]} for m in sorted(by_method)])
    if counted.get("cash", 0) > 0:
        _insert(connection, table_of(CashUpDenomination), [
            {"cashup_id": cashup_id, "denomination_pence": d, "quantity": q}
            for d, q in _coins(counted["cash"]).items()])


def _arrangements(connection, rng: random.Random, *, today: date, income: list[int], wanted: int) -> tuple[int, int]:
    """3. Arrangements on accounts in arrears: kept ones fitted to what the tenant really paid, the rest not.

    Returns (arrangements made, how many of them are broken).
    """
    ledger = table_of(LedgerEntry)
    balances = connection.execute(
        select(Account.id, Account.ref, func.sum(ledger.c.amount_pence).label("balance"))
        .join(ledger, ledger.c.account_id == Account.id)
        .where(Account.account_type.in_(("rent", "former_tenant")), Account.closed_on.is_(None))
        .group_by(Account.id, Account.ref).having(func.sum(ledger.c.amount_pence) > 5_000)
        .order_by(Account.id)).all()
    taken = {a for (a,) in connection.execute(select(Arrangement.account_id)).all()}
    candidates = [b for b in balances if b.id not in taken]
    chosen = sorted(rng.sample(candidates, min(wanted, len(candidates))), key=lambda b: b.id)
    arrangement_rows, instalment_rows = [], []
    next_number = (connection.execute(select(func.count()).select_from(table_of(Arrangement))).scalar() or 0) + 1
    paid_rows = _recent_payments(connection, [b.id for b in chosen], today) if chosen else {}
    broken_count = 0
    for b in chosen:
        row, schedule, broken = _arrangement(rng, b, f"AR{next_number:06d}", paid_rows.get(b.id, []), today=today,
                                             income=income)
        broken_count += broken
        next_number += 1
        arrangement_rows.append(row)
        instalment_rows.append((row["ref"], schedule))
    made = _insert(connection, table_of(Arrangement), arrangement_rows)
    if arrangement_rows:
        ids = dict(connection.execute(select(Arrangement.ref, Arrangement.id).where(
            Arrangement.ref.in_([r["ref"] for r in arrangement_rows]))).all())
        _insert(connection, table_of(ArrangementInstalment), [
            {"arrangement_id": ids[ref], "seq": i.seq, "due_date": i.due_date, "amount_pence": i.amount_pence}
            for ref, schedule in instalment_rows for i in schedule])
    return made, broken_count


def _recent_payments(connection, ids: list[int], today: date) -> dict[int, list[Movement]]:
    """Each account's ledger over the last 26 weeks, summed per day into rent charged and the rest."""
    ledger = table_of(LedgerEntry)
    sums: dict[tuple[int, date, bool], int] = defaultdict(int)
    earliest = today - timedelta(weeks=26)
    for start in range(0, len(ids), 500):
        for account_id, day, kind, amount in connection.execute(
                select(ledger.c.account_id, ledger.c.effective_date, ledger.c.kind, ledger.c.amount_pence)
                .where(ledger.c.account_id.in_(ids[start:start + 500]), ledger.c.effective_date >= earliest)
                .order_by(ledger.c.id)).all():
            sums[(account_id, day, kind == "rent_debit")] += amount
    moved: dict[int, list[Movement]] = defaultdict(list)
    for (account_id, day, rent), amount in sorted(sums.items()):
        moved[account_id].append(Movement(day, amount, rent))
    return moved


TOLERANCE_DAYS = 5
"""The shipped [arrangement_tolerance] days (data/payments/payments.toml)."""


def _arrangement(rng: random.Random, b, ref: str, moved: list[Movement], *, today: date,
                 income: list[int]) -> tuple[dict, list, bool]:
    """One arrangement on account ``b``: (its row, its instalment schedule, whether it is broken by now)."""
    frequency = rng.choice(("weekly", "weekly", "fortnightly", "four_weekly", "monthly"))
    periods = rng.randint(3, 12)
    start = instalment_due(today, frequency, 0) - (instalment_due(today, frequency, periods) - today)
    since = [m for m in moved if m.day >= start]
    # The most the tenant could have promised and kept so far (over the rent), in whole pounds.
    keepable = min((-sum(m.amount_pence for m in since
                         if m.day <= instalment_due(start, frequency, i) + timedelta(days=TOLERANCE_DAYS)
                         and not (m.rent and m.day > instalment_due(start, frequency, i))) // (i + 1)
                    for i in range(periods)), default=0) // 100 * 100
    broken = keepable < 500 or rng.random() < 0.35
    amount = max(500, (keepable * 3 // 2 + 500) // 100 * 100) if broken else keepable
    total = amount * periods + min(max(int(b.balance), amount), amount * 200)
    schedule = build_schedule(start, frequency, amount, total)
    status = check_agreement([Expected(i.seq, i.due_date, i.amount_pence) for i in schedule], since, today,
                             TOLERANCE_DAYS, total_pence=total, start=start).status
    row = {
        "ref": ref, "account_id": b.id, "amount_pence": amount, "frequency": frequency, "start_date": start,
        "total_pence": total, "status": "active", "note": rng.choice((
            "agreed at the counter", "agreed by phone after arrears letter", "court order terms",
            "agreed with support worker present", None)),
        "created_by": rng.choice(income), "created_at": _at(start - timedelta(days=2), 11),
        "ended_by": None, "ended_at": None, "end_reason": None, "version": 1}
    return row, schedule, status == "broken"


def _refund_requests(connection, rng: random.Random, *, today: date, counter_staff: list[int], wanted: int) -> int:
    """4. Refund requests on accounts in credit (the credit long cleared)."""
    ledger = table_of(LedgerEntry)
    cutoff = today - timedelta(days=7)
    cleared = func.sum(case((ledger.c.effective_date <= cutoff, ledger.c.amount_pence),
                            (ledger.c.amount_pence > 0, ledger.c.amount_pence), else_=0))
    credits = connection.execute(
        select(Account.id, Account.holder_name, func.sum(ledger.c.amount_pence).label("balance"),
               cleared.label("cleared"))
        .join(ledger, ledger.c.account_id == Account.id)
        .where(Account.account_type.in_(("rent", "former_tenant")))
        .group_by(Account.id, Account.holder_name).having(func.sum(ledger.c.amount_pence) < -2_000)
        .order_by(Account.id)).all()
    asked = {a for (a,) in connection.execute(select(RefundRequest.account_id)).all()}
    credits = [c for c in credits if c.id not in asked and -int(c.cleared) > 2_000]
    picked = sorted(rng.sample(credits, min(wanted, len(credits))), key=lambda c: c.id)
    next_refund = (connection.execute(select(func.count()).select_from(table_of(RefundRequest))).scalar() or 0) + 1
    refund_rows = []
    for c in picked:
        refund_rows.append({
            "ref": f"RF{next_refund:06d}", "idempotency_key": None, "account_id": c.id,
            "amount_pence": min(-int(c.balance), -int(c.cleared)) // (1 if rng.random() < 0.7 else 2),
            "method": rng.choice(("bank_transfer", "bank_transfer", "cheque")), "payee": c.holder_name[:120],
            "reason": rng.choice(("tenancy ended in credit", "Housing Benefit paid twice",
                                  "overpaid by standing order", "tenant asked for the credit back")),
            "status": "requested", "requested_by": rng.choice(counter_staff),
            "requested_at": _at(today - timedelta(days=rng.randint(1, 6)), 10, rng.randint(0, 59)),
            "decided_by": None, "decided_at": None, "decision_note": None, "ledger_entry_id": None,
            "version": 1})
        next_refund += 1
    return _insert(connection, table_of(RefundRequest), refund_rows)


def _suspense_items(connection, rng: random.Random, *, seed: int, today: date, office_id: int, income: list[int],
                    wanted: int) -> int:
    """5. Suspense items that look like typo'd refs of real accounts, for the reallocation demo."""
    ledger = table_of(LedgerEntry)
    suspense = connection.execute(select(Account.id).where(Account.account_type == "suspense")
                                  .order_by(Account.id)).first()
    if suspense is None:
        return 0
    targets = connection.execute(select(Account.ref).where(Account.account_type == "rent",
                                                           Account.closed_on.is_(None))
                                 .order_by(Account.id).limit(2_000)).scalars().all()
    staff_id = income[0] if income else None
    items = []
    for n in range(min(wanted, len(targets))):
        ref = rng.choice(targets)
        typo = ref[:3] + ref[4:] if n % 2 == 0 else f"{ref}X"  # a zero dropped, a stray letter
        day = today - timedelta(days=rng.randint(1, 20))
        method = rng.choice(("bank_transfer", "allpay", "paypoint"))
        items.append({
            "account_id": suspense.id, "effective_date": day, "posted_at": _at(day + timedelta(days=1), 6, 15),
            "kind": "payment", "method": method, "amount_pence": -rng.choice((2_500, 5_000, 9_250, 12_000)),
            "reference": typo, "receipt_no": None, "office_id": office_id,
            "external_id": f"DEMO-SUS-{seed}-{n + 1}", "reverses_id": None, "created_by": staff_id,
            "terminal": "demo", "till_code": None, "reason": f"unknown account ref {typo}"})
    known = set(connection.execute(select(ledger.c.external_id).where(
        ledger.c.external_id.in_([i["external_id"] for i in items]))).scalars().all()) if items else set()
    return _insert(connection, ledger, [i for i in items if i["external_id"] not in known])
