"""Several threads posting payments at once (small scale; bench/bench_payments.py does 20 processes x 200):
all posted, no receipt number twice, none skipped, every balance equal to the sum of its rows."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter

from builders import seed_office
from pay_helpers import ctx_for
from sqlalchemy import text

from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment

THREADS = 6
EACH = 10
ACCOUNTS = ("RNT000001", "RNT000002", "RNT000003", "FTA000001")


def test_concurrent_payments_get_gap_free_unique_receipts(engine):
    seed_office(engine)
    with engine.connect() as c:
        before = dict(c.execute(text("SELECT a.ref, SUM(l.amount_pence) FROM ledger_entry l JOIN account a "
                                     "ON a.id = l.account_id GROUP BY a.ref")).all())
    users = ["reception", "leader", "income", "admin"]
    barrier = threading.Barrier(THREADS)
    posted: list[tuple[str, int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        ctx = ctx_for(engine, users[index % len(users)])
        rng = random.Random(index)
        barrier.wait()
        try:
            for n in range(EACH):
                ref = rng.choice(ACCOUNTS)
                pence = rng.randint(1, 50_000)
                key = uuid.uuid4().hex
                request = PaymentRequest(key, "card_phone", (SplitLine(ref, pence),), terminal_ref=f"GW-{index}-{n}")
                receipt = take_payment(ctx, request)
                if n % 4 == 0:
                    assert take_payment(ctx, request).receipt_no == receipt.receipt_no  # a retry: same receipt
                with lock:
                    posted.append((ref, pence, receipt.receipt_no))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert len(posted) == THREADS * EACH
    numbers = sorted(n for _, _, n in posted)
    assert numbers == list(range(1, THREADS * EACH + 1))  # none twice, none skipped
    with engine.connect() as c:
        rows = c.execute(text("SELECT receipt_no FROM payment ORDER BY receipt_no")).all()
        assert [r[0] for r in rows] == numbers
        assert c.execute(text("SELECT next_receipt_no FROM office")).scalar() == THREADS * EACH + 1
        after = dict(c.execute(text("SELECT a.ref, SUM(l.amount_pence) FROM ledger_entry l JOIN account a "
                                    "ON a.id = l.account_id GROUP BY a.ref")).all())
    paid = Counter()
    for ref, pence, _ in posted:
        paid[ref] += pence
    for ref in ACCOUNTS:
        assert after[ref] == before[ref] - paid[ref]


def test_the_same_key_posted_at_once_from_several_threads_posts_once(engine):
    seed_office(engine)
    ctx = ctx_for(engine, "reception")
    request = PaymentRequest(uuid.uuid4().hex, "card_phone", (SplitLine("RNT000001", 1234),), terminal_ref="GW-SAME")
    barrier = threading.Barrier(4)
    receipts, errors = [], []

    def worker() -> None:
        barrier.wait()
        try:
            receipts.append(take_payment(ctx, request).receipt_no)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert receipts == [1, 1, 1, 1]
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM payment")).scalar() == 1
        assert c.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE receipt_no = 1")).scalar() == 1


def test_a_transaction_failing_after_the_number_was_taken_burns_no_number(engine, monkeypatch):
    from duty_tui.core.services import audit

    seed_office(engine)
    ctx = ctx_for(engine, "reception")
    real = audit.record

    def broken(*args, **kwargs):
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr(audit, "record", broken)
    request = PaymentRequest(uuid.uuid4().hex, "card_phone", (SplitLine("RNT000001", 500),), terminal_ref="GW-FAIL")
    try:
        take_payment(ctx, request)
    except RuntimeError:
        pass
    monkeypatch.setattr(audit, "record", real)
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM payment")).scalar() == 0
        assert c.execute(text("SELECT next_receipt_no FROM office")).scalar() == 1
    assert take_payment(ctx, request).receipt_no == 1  # the same key, retried: posted now, number 1
