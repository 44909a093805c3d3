"""When the audit head is busy (PostgreSQL; docs/AUDIT.md "When the head is busy", core/services/audit_late.py).

Another connection is sealing: it holds the sealing lock and ``audit_head`` (as a terminal sealing its
events does, for a moment, many times a second in a busy office). An act that commits meanwhile does not wait for the head holding its own
locks: its rows and its events commit at once (the events into ``audit_pending``), its row locks go
with the commit — another terminal can take the office's receipt counter straight away — and its
events join the chain when the head is free, in one sealing pass. A process that dies between its
commit and the pass leaves its events waiting, never lost: the next pass anywhere seals them, and
``audit verify`` reports one that waits too long.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
from duty_tui.core.config.settings import Settings
from duty_tui.core.services import audit_late
from duty_tui.core.services.audit import verify_chain
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

pytestmark = pytest.mark.postgres


def _ctx(engine, username: str = "reception") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-busy", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


class HeldHead:
    """A connection sealing — holding the sealing lock and the audit head (row 1 of audit_head FOR UPDATE) —
    until released, as a terminal does while it seals."""

    def __init__(self, engine) -> None:
        self.connection = engine.connect()
        self.connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": audit_late.SEAL_LOCK})
        self.connection.execute(text("SELECT last_id FROM audit_head WHERE id = 1 FOR UPDATE"))

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def _count(engine, sql: str, **params) -> int:
    with engine.connect() as c:
        return int(c.execute(text(sql), params).scalar_one())


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_payment_that_finds_the_head_busy_commits_frees_the_office_and_is_sealed_when_it_is_free(pg_engine):
    seed_office(pg_engine)
    ctx = _ctx(pg_engine)
    events_before = _count(pg_engine, "SELECT COUNT(*) FROM audit_event")
    held = HeldHead(pg_engine)
    receipts: list = []
    errors: list[BaseException] = []

    def pay() -> None:
        try:
            receipts.append(take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine("RNT000001", 4321),),
                                                             till_code="TILL1")))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=pay)
    worker.start()
    try:
        # The payment has committed — its ledger row and its event (waiting) are there for everyone — ...
        assert _wait_for(lambda: _count(pg_engine, "SELECT COUNT(*) FROM ledger_entry WHERE amount_pence = -4321") == 1)
        assert _wait_for(lambda: _count(pg_engine, "SELECT COUNT(*) FROM audit_pending WHERE action = 'payment.take'") == 1)
        # ... and its lock on the office's receipt counter went with the commit: another terminal takes it now.
        with pg_engine.connect() as other:
            other.execute(text("SET lock_timeout = '200ms'"))
            number = other.execute(text("SELECT next_receipt_no FROM office FOR UPDATE NOWAIT")).scalar()
            other.rollback()
        assert number == 2
        assert worker.is_alive()  # its sealing pass is waiting for the head
        assert _count(pg_engine, "SELECT COUNT(*) FROM audit_event") == events_before
    finally:
        held.release()
    worker.join(timeout=30)
    assert not errors, errors
    assert receipts and receipts[0].receipt_no == 1
    assert _count(pg_engine, "SELECT COUNT(*) FROM audit_pending") == 0
    with pg_engine.connect() as c:
        action, pending_id = c.execute(text("SELECT action, pending_id FROM audit_event ORDER BY id DESC LIMIT 1")).one()
    assert action == "payment.take" and pending_id is not None
    assert verify_chain(pg_engine).ok


def test_many_acts_waiting_for_the_head_are_sealed_by_few_passes_in_one_chain(pg_engine):
    seed_office(pg_engine)
    held = HeldHead(pg_engine)
    threads = [threading.Thread(target=lambda n=n: take_payment(_ctx(pg_engine), PaymentRequest(
        uuid.uuid4().hex, "card_phone", (SplitLine("RNT000002", 100 + n),), terminal_ref=f"GW-{n}"))) for n in range(8)]
    for t in threads:
        t.start()
    try:
        assert _wait_for(lambda: _count(pg_engine, "SELECT COUNT(*) FROM audit_pending") == 8)
    finally:
        held.release()
    for t in threads:
        t.join(timeout=30)
    assert _count(pg_engine, "SELECT COUNT(*) FROM audit_pending") == 0
    assert _count(pg_engine, "SELECT COUNT(*) FROM audit_event WHERE action = 'payment.take'") == 8
    assert verify_chain(pg_engine).ok


CRASH_AFTER_COMMIT = textwrap.dedent("""
    import os, sys, uuid
    sys.path.insert(0, {tests!r})
    from builders import NOW
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services import audit_late
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext
    from duty_tui.core.services.people import get_person

    def die(*_args, **_kwargs):
        os._exit(0)  # committed, not yet sealed: no clean-up, no rollback

    audit_late.seal_pending = die
    engine = make_engine({url!r}, create=False)
    ctx = ServiceContext.create(engine, Settings(db_url={url!r}), terminal="desk-crash", clock=lambda: NOW)
    get_person(ctx.as_actor(find_actor(ctx, "reception")), "P0000001")
    os._exit(3)  # never reached: the view's audit event is committed and the seal pass ends the process
""")


def test_a_crash_between_the_commit_and_the_seal_leaves_the_event_waiting_then_sealed(pg_engine, pg_url, tmp_path):
    seed_office(pg_engine)
    held = HeldHead(pg_engine)  # so the child's event takes the waiting path
    try:
        script = tmp_path / "crash.py"
        script.write_text(CRASH_AFTER_COMMIT.format(tests=str(Path(__file__).resolve().parents[2]), url=pg_url))
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])})
    finally:
        held.release()
    assert done.returncode == 0, done.stderr
    assert _count(pg_engine, "SELECT COUNT(*) FROM audit_pending WHERE action = 'person.view'") == 1
    # Waiting longer than the grace is a problem audit verify names; within it, not.
    assert verify_chain(pg_engine).ok
    late = verify_chain(pg_engine, pending_grace=timedelta(0))
    assert not late.ok and "not joined the chain" in (late.problem or "")
    sealed = audit_late.seal_pending(pg_engine)  # the next pass, on any terminal
    assert len(sealed) == 1
    assert _count(pg_engine, "SELECT COUNT(*) FROM audit_pending") == 0
    with pg_engine.connect() as c:
        assert c.execute(text("SELECT action FROM audit_event ORDER BY id DESC LIMIT 1")).scalar_one() == "person.view"
    assert verify_chain(pg_engine, pending_grace=timedelta(0)).ok


def test_a_rolled_back_act_stages_nothing(pg_engine):
    seed_office(pg_engine)
    ctx = _ctx(pg_engine)
    held = HeldHead(pg_engine)
    try:
        with pytest.raises(Exception, match="no account"):
            take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine("RNT999999", 100),), till_code="TILL1"))
    finally:
        held.release()
    assert _count(pg_engine, "SELECT COUNT(*) FROM audit_pending") == 0
    assert audit_late.seal_pending(pg_engine) == {}
