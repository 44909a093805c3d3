"""Money locks held for the least time (issue 13 item 3), on SQLite and PostgreSQL.

A payment reads what it needs with no lock, then takes the office's next receipt number with one
``UPDATE … RETURNING`` (which locks the office row to the commit), and relies on the UNIQUE
idempotency key for "the same key never posts twice": no read of the key before or under the lock.
"""

from __future__ import annotations

import re
import uuid

from builders import seed_office
from pay_helpers import cash, ctx_for
from sqlalchemy import event, text

from duty_tui.areas.payments.services.cashup import submit_cashup
from duty_tui.core.services.audit import verify_chain


def _statements_of(engine, act) -> list[str]:
    sent: list[str] = []

    def catch(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", catch)
    try:
        act()
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    return sent


def test_a_payment_takes_its_receipt_number_in_one_statement_after_its_reads(engine):
    seed_office(engine)
    ctx = ctx_for(engine, "reception")
    receipts = []
    sent = _statements_of(engine, lambda: receipts.append(cash(ctx, "RNT000001", 2500)))
    assert receipts[0].receipt_no == 1
    office_locks = [i for i, s in enumerate(sent) if re.match(r"(UPDATE office\b|SELECT .* FROM office .*FOR UPDATE)", s)]
    assert len(office_locks) == 1 and sent[office_locks[0]].startswith("UPDATE office"), sent
    taken = office_locks[0]
    # Before it: the reads (the office, the accounts, the person); none of them locks anything.
    assert not any("FOR UPDATE" in s for s in sent[:taken]), sent[:taken]
    # Nowhere: a read of the key ("is this key posted already?"): the UNIQUE key says so at the insert.
    assert not any(s.startswith("SELECT") and "idempotency_key" in s.split(" FROM ")[-1] for s in sent), sent
    # After it, to the commit: the payment, the till check, the ledger rows, the balances, the change
    # signal and the audit event (the head last) — no other lock.
    after = sent[taken + 1:]
    assert after[0].startswith("INSERT INTO payment"), after
    assert [s for s in after if "FOR UPDATE" in s and "audit_head" not in s] == [], after
    assert verify_chain(engine).ok


def test_the_same_key_again_is_replayed_by_the_unique_key_and_takes_no_receipt_number(engine):
    seed_office(engine)
    ctx = ctx_for(engine, "reception")
    key = uuid.uuid4().hex
    first = cash(ctx, "RNT000001", 2500, key=key)
    again = cash(ctx, "RNT000001", 2500, key=key)
    assert again.replayed and again.receipt_no == first.receipt_no
    assert cash(ctx, "RNT000001", 100).receipt_no == first.receipt_no + 1  # no number lost to the replay
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM payment")).scalar() == 2
    assert verify_chain(engine).ok


def test_a_retry_after_the_till_was_cashed_up_replays_the_receipt_instead_of_refusing(engine):
    """The cashier's first Enter posted (the screen timed out); the till was cashed up; the retry must
    show the receipt already taken, not say the till is closed."""
    seed_office(engine)
    ctx = ctx_for(engine, "reception")
    key = uuid.uuid4().hex
    first = cash(ctx, "RNT000001", 2000, key=key)
    submit_cashup(ctx, "TILL1", {1000: 2}, {})
    again = cash(ctx, "RNT000001", 2000, key=key)
    assert again.replayed and again.receipt_no == first.receipt_no
