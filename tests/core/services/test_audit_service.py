"""The hash-chained audit trail (services/audit.py) on SQLite and PostgreSQL.

An edited, deleted or inserted row breaks the chain at that point; concurrent
writers get gap-free ids and still form one chain.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from builders import NOW
from sqlalchemy import text
from sqlmodel import select

from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent
from duty_tui.core.services import audit
from duty_tui.core.services.audit import GENESIS_HASH, event_hash, verify_chain
from duty_tui.core.services.context import Actor, ServiceContext

EVENTS = 6


class Ticker:
    """A clock that moves a millisecond each time it is read, so every event has its own time."""

    def __init__(self) -> None:
        self.now = NOW
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.now += timedelta(milliseconds=1)
            return self.now


@pytest.fixture
def ctx(engine) -> ServiceContext:
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-9", clock=Ticker())
    actor = Actor(id=None, username="tester", display_name="Test", role="batch", role_name="Batch",
                  permissions=frozenset(), team_id=None)
    return base.as_actor(actor)


def write_events(ctx: ServiceContext, count: int = EVENTS, action: str = "test.event") -> None:
    for n in range(count):
        with session_scope(ctx.engine, write=True) as session:
            audit.record(session, ctx, action, "person", f"P{n:07d}", {"n": n, "note": "naïve café ✓"})


def execute(engine, sql: str, **params) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)


def rows(engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


# --- an intact chain -----------------------------------------------------------------


def test_an_empty_trail_verifies(engine):
    report = verify_chain(engine)
    assert report.ok and report.events == 0


def test_a_chain_of_events_verifies(ctx, engine):
    write_events(ctx)

    report = verify_chain(engine)
    assert report.ok, report
    assert report.events == EVENTS
    assert report.first_broken_id is None
    events = rows(engine)
    assert [e.id for e in events] == list(range(1, EVENTS + 1))
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events[:-1], events[1:], strict=True))


def test_verify_reads_in_batches(ctx, engine):
    write_events(ctx, 7)
    assert verify_chain(engine, batch=2).ok
    execute(engine, "UPDATE audit_event SET actor = 'someone else' WHERE id = 6")
    assert verify_chain(engine, batch=2).first_broken_id == 6


def test_event_hash_normalises_time_zones():
    aware = NOW
    naive_utc = NOW.replace(tzinfo=None)
    args = (GENESIS_HASH, 1)
    rest = (None, "a", "t", "x", None, None, None)
    assert event_hash(*args, aware, *rest) == event_hash(*args, naive_utc, *rest)


def test_a_rolled_back_act_leaves_no_event_and_no_gap(ctx, engine):
    write_events(ctx, 2)
    with pytest.raises(RuntimeError), session_scope(engine, write=True) as session:
        audit.record(session, ctx, "test.doomed")
        raise RuntimeError("the act failed")
    write_events(ctx, 1)
    assert [e.id for e in rows(engine)] == [1, 2, 3]
    assert verify_chain(engine).ok


# --- tampering -----------------------------------------------------------------------


def test_editing_a_rows_detail_is_reported_at_that_event(ctx, engine):
    write_events(ctx)
    execute(engine, "UPDATE audit_event SET detail = :d WHERE id = 3", d='{"n": 99}')

    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == 3
    assert "3" in report.problem
    assert report.events == 2  # events 1 and 2 are still good


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor", "someone-else"), ("action", "person.search"), ("entity_id", "P7654321"), ("terminal", "elsewhere")],
)
def test_editing_any_field_is_reported(ctx, engine, column, value):
    write_events(ctx)
    execute(engine, f"UPDATE audit_event SET {column} = :v WHERE id = 4", v=value)
    assert verify_chain(engine).first_broken_id == 4


def test_editing_a_rows_time_is_reported(ctx, engine):
    write_events(ctx)
    event = rows(engine)[1]
    execute(engine, "UPDATE audit_event SET at = :at WHERE id = 2", at=event.at - timedelta(days=1))
    assert verify_chain(engine).first_broken_id == 2


def test_rehashing_an_edited_row_is_caught_at_the_next_event(ctx, engine):
    write_events(ctx)
    event = rows(engine)[2]
    forged = event_hash(event.prev_hash, event.id, event.at, event.actor_id, event.actor, event.terminal,
                        event.action, event.entity, event.entity_id, '{"n": 99}')
    execute(engine, "UPDATE audit_event SET detail = :d, hash = :h WHERE id = 3", d='{"n": 99}', h=forged)

    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == 4


def test_deleting_a_middle_row_is_reported(ctx, engine):
    write_events(ctx)
    execute(engine, "DELETE FROM audit_event WHERE id = 3")

    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == 3
    assert "3" in report.problem


def test_deleting_the_first_row_is_reported(ctx, engine):
    write_events(ctx)
    execute(engine, "DELETE FROM audit_event WHERE id = 1")
    assert verify_chain(engine).first_broken_id == 1


def test_deleting_the_last_row_is_detected_through_the_head(ctx, engine):
    write_events(ctx)
    execute(engine, "DELETE FROM audit_event WHERE id = :last", last=EVENTS)

    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == EVENTS
    assert "deleted" in report.problem


def test_deleting_every_row_is_detected_through_the_head(ctx, engine):
    write_events(ctx)
    execute(engine, "DELETE FROM audit_event")
    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == 1


def forge(engine, event_id: int, prev_hash: str, digest: str | None = None, at=NOW) -> None:
    fields = dict(id=event_id, at=at, actor_id=None, actor="mallory", terminal="x", action="person.view",
                  entity="person", entity_id="P0000001", detail=None)
    digest = digest or event_hash(prev_hash, event_id, at, None, "mallory", "x", "person.view", "person",
                                  "P0000001", None)
    with session_scope(engine, write=True) as session:
        session.add(AuditEvent(**fields, prev_hash=prev_hash, hash=digest))


def test_inserting_a_forged_row_with_a_made_up_hash_is_reported(ctx, engine):
    write_events(ctx)
    forge(engine, EVENTS + 1, rows(engine)[-1].hash, digest="f" * 64)

    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == EVENTS + 1


def test_appending_a_well_hashed_forged_row_is_reported_at_that_row(ctx, engine):
    """The forger knows the hash recipe, but not how to move the head: the extra event is named."""
    write_events(ctx)
    forge(engine, EVENTS + 1, rows(engine)[-1].hash)

    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == EVENTS + 1
    assert "deleted" not in report.problem


def test_a_forged_row_that_does_not_follow_the_chain_is_reported(ctx, engine):
    write_events(ctx)
    forge(engine, EVENTS + 1, GENESIS_HASH)
    assert verify_chain(engine).first_broken_id == EVENTS + 1


def test_replacing_the_last_row_with_a_well_hashed_forgery_is_detected_through_the_head(ctx, engine):
    write_events(ctx)
    prev = rows(engine)[-2].hash
    execute(engine, "DELETE FROM audit_event WHERE id = :last", last=EVENTS)
    forge(engine, EVENTS, prev)

    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == EVENTS


@pytest.mark.parametrize("event_id", [0, -5])
def test_a_forged_row_before_the_first_event_is_reported(ctx, engine, event_id):
    """Ids below 1 are outside the chain: a walk that starts at 1 must not skip them."""
    write_events(ctx)
    forge(engine, event_id, GENESIS_HASH)

    report = verify_chain(engine)
    assert not report.ok
    assert report.first_broken_id == event_id


def test_swapping_two_rows_contents_is_reported(ctx, engine):
    write_events(ctx)
    execute(engine, "UPDATE audit_event SET entity_id = CASE id WHEN 2 THEN 'P0000003' ELSE 'P0000002' END "
                    "WHERE id IN (2, 3)")
    assert verify_chain(engine).first_broken_id == 2


# --- concurrent writers --------------------------------------------------------------


def test_concurrent_writers_get_gap_free_ids_and_one_chain(ctx, engine):
    threads_n, per_thread = 4, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads_n)

    def writer(worker: int) -> None:
        try:
            start.wait(timeout=30)
            for n in range(per_thread):
                with session_scope(engine, write=True) as session:
                    audit.record(session, ctx, "test.concurrent", "worker", worker, {"n": n})
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert errors == []

    events = rows(engine)
    total = threads_n * per_thread
    assert [e.id for e in events] == list(range(1, total + 1))
    for worker in range(threads_n):
        mine = [e for e in events if e.entity_id == str(worker)]
        assert len(mine) == per_thread
    report = verify_chain(engine)
    assert report.ok, report
    assert report.events == total
