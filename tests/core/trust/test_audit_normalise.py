"""What is hashed is what is stored (issue 10 item 11), on SQLite and PostgreSQL.

A terminal name longer than its column used to be hashed in full and stored cut, so `audit verify`
reported a genuine event as altered, for ever, and stopped there: later tampering went unseen.
``audit.stored_fields`` now normalises every hashed field to what the database keeps (cut to the
column length the model declares, in characters; NUL and lone surrogates replaced; the time in
UTC to the microsecond; the detail as canonical JSON) before hashing, and the same values are
stored. The property test writes arbitrary events through ``audit.record`` on both databases and
walks the chain; tampering with any one of them is still caught.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from builders import NOW
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent
from duty_tui.core.services import audit
from duty_tui.core.services.audit import event_hash, verify_chain
from duty_tui.core.services.context import Actor, ServiceContext


class Clock:
    """A settable clock (hypothesis chooses the time each event is written at)."""

    def __init__(self) -> None:
        self.now = NOW
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now


def context(engine, *, actor: str = "rita", terminal: str = "desk-1", clock=None) -> ServiceContext:
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), clock=clock or (lambda: NOW))
    return replace(base, terminal=terminal).as_actor(Actor(id=None, username=actor, display_name="R", role="reception", role_name="Reception",
                               permissions=frozenset(), team_id=None))


def write(ctx: ServiceContext, action: str = "person.view", entity: str | None = "person", entity_id=None,
          detail=None) -> AuditEvent:
    with session_scope(ctx.engine, write=True) as session:
        event = audit.record(session, ctx, action, entity, entity_id, detail)
        session.flush()
        return event


def stored(engine, event_id: int) -> AuditEvent:
    with session_scope(engine) as session:
        return session.exec(select(AuditEvent).where(AuditEvent.id == event_id)).one()


# --- the attack in the issue -------------------------------------------------------------------


def test_a_terminal_name_longer_than_its_column_still_verifies(engine):
    long_terminal = "ssh:" + "a" * 200  # 204 characters; the column holds 128
    write(context(engine, terminal=long_terminal), entity_id="P0000001")
    write(context(engine), entity_id="P0000002")

    report = verify_chain(engine)

    assert report.ok, report
    assert stored(engine, 1).terminal == long_terminal[:128]


def test_an_actor_name_longer_than_its_column_is_stored_cut_and_verifies(engine):
    # PostgreSQL refused the insert (varchar(64)), so the act failed; SQLite kept it whole.
    write(context(engine, actor="os:" + "x" * 100), entity_id="P0000001")
    assert verify_chain(engine).ok
    assert stored(engine, 1).actor == ("os:" + "x" * 100)[:64]


def test_nul_and_lone_surrogates_are_stored_as_replacement_characters(engine):
    # PostgreSQL cannot hold NUL in text; no UTF-8 text can hold a lone surrogate.
    write(context(engine, terminal="desk\x00\ud800-1"), entity_id="P\x000000001",
          detail={"query": "sm\ud83dith", "nul": "a\x00b"})
    event = stored(engine, 1)
    assert event.terminal == "desk\ufffd\ufffd-1"
    assert event.entity_id == "P\ufffd0000001"
    assert json.loads(event.detail) == {"query": "sm\ufffdith", "nul": "a\x00b"}
    assert verify_chain(engine).ok


def test_fields_that_already_fit_hash_exactly_as_before(engine):
    """The hash format is unchanged: for values that fit, normalising changes nothing, so every
    event written before this fix (whose fields fit) verifies as it did."""
    ctx = context(engine, terminal="ssh:10.0.0.1/rita")
    detail = {"query": "naïve café ✓", "n": 3}
    event = write(ctx, entity_id="P0000001", detail=detail)
    as_before = event_hash(event.prev_hash, 1, NOW, None, "rita", "ssh:10.0.0.1/rita", "person.view", "person",
                           "P0000001", json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str))
    assert event.hash == as_before


def test_an_event_broken_by_the_old_bug_is_named_and_later_tampering_is_still_found(engine):
    """A chain written before the fix has one event that can never verify. verify says why it may be
    genuine, and goes on: tampering after it is still reported."""
    for n in range(4):
        write(context(engine), entity_id=f"P000000{n}")
    long_terminal = "ssh:" + "b" * 140
    with engine.begin() as connection:  # what the old record() did to event 2: hash the whole name, store 128
        row = connection.execute(text("SELECT prev_hash, at FROM audit_event WHERE id = 2")).one()
        at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(row.at)
        old_hash = event_hash(row.prev_hash, 2, at, None, "rita", long_terminal, "person.view", "person",
                              "P0000001", None)
        connection.execute(text("UPDATE audit_event SET terminal = :t, hash = :h WHERE id = 2"),
                           {"t": long_terminal[:128], "h": old_hash})
    rechain_after(engine, 2)  # events 3 and 4 were written after it, following its hash
    assert verify_chain(engine).first_broken_id == 2
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET entity_id = 'P9999999' WHERE id = 4"))

    report = verify_chain(engine)

    assert not report.ok and report.first_broken_id == 2
    assert "fills the 128-character column" in report.problem
    assert [event_id for event_id, _problem in report.later] == [4]
    assert "event 4 was altered" in report.later[0][1]


def rechain_after(engine, event_id: int) -> None:
    """Recompute every link after ``event_id`` and the head, as record() would have written them."""
    with session_scope(engine) as session:
        events = list(session.exec(select(AuditEvent).where(AuditEvent.id >= event_id).order_by(AuditEvent.id)).all())
    prev = events[0].hash
    with engine.begin() as connection:
        for event in events[1:]:
            digest = event_hash(prev, event.id, event.at, event.actor_id, event.actor, event.terminal, event.action,
                                event.entity, event.entity_id, event.detail)
            connection.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id"),
                               {"p": prev, "h": digest, "id": event.id})
            prev = digest
        connection.execute(text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev})


# --- the property: any event written verifies, on both databases ----------------------------------

ANY_CHAR = st.characters(blacklist_categories=())  # everything, lone surrogates and controls included
ASTRAL = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, blacklist_categories=())
TEXT = st.one_of(st.text(ANY_CHAR, max_size=40), st.text(ANY_CHAR, min_size=100, max_size=300),
                 st.text(ASTRAL, min_size=120, max_size=140))
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(ANY_CHAR, max_size=30))
DETAIL = st.one_of(st.none(), st.dictionaries(
    st.text(ANY_CHAR, max_size=12),
    st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=3), max_leaves=6),
    max_size=4))
TIMES = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2300, 1, 1),
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                                                timezone(-timedelta(hours=8))]))
EVENT = st.fixed_dictionaries({
    "actor": TEXT, "terminal": TEXT, "action": st.text(ANY_CHAR, min_size=1, max_size=60),
    "entity": st.none() | st.text(ANY_CHAR, max_size=40),
    "entity_id": st.none() | st.integers() | st.text(ANY_CHAR, max_size=40),
    "detail": DETAIL, "at": TIMES,
})
TAMPERABLE = ("actor", "terminal", "action", "entity_id", "detail")


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=st.lists(EVENT, min_size=1, max_size=3), tamper=st.sampled_from(TAMPERABLE))
@example(events=[{"actor": "a" * 65, "terminal": "\U0001f600" * 128 + "z", "action": "x", "entity": None,
                  "entity_id": "\x00" * 40, "detail": {"k": "\u202e\x1b]52;c;aGk=\x07"},
                  "at": datetime(2026, 3, 10, 10, 30, 0, 999999, tzinfo=UTC)}], tamper="terminal")
def test_any_event_written_round_trips_through_the_database_and_verifies(engine, events, tamper):
    clock = Clock()
    written = []
    for values in events:
        clock.now = values["at"]
        ctx = context(engine, actor=values["actor"], terminal=values["terminal"], clock=clock)
        event = write(ctx, values["action"], values["entity"], values["entity_id"], values["detail"])
        written.append((event.id, values))

    report = verify_chain(engine)
    assert report.ok, report

    for event_id, values in written:  # what the database gives back is exactly what was hashed
        expected = audit.stored_fields(at=values["at"], actor_id=None, actor=values["actor"], terminal=values["terminal"],
                                 action=values["action"], entity=values["entity"], entity_id=values["entity_id"],
                                 detail=values["detail"])
        row = stored(engine, event_id)
        got = {name: getattr(row, name) for name in ("at", "actor_id", "actor", "terminal", "action", "entity",
                                                     "entity_id", "detail")}
        assert got == expected.__dict__
        assert len(row.terminal) <= 128 and len(row.actor) <= 64  # characters, on both databases

    # Tampering with any one of them is still caught, at that event.
    event_id = written[-1][0]
    original = getattr(stored(engine, event_id), tamper)
    forged = "forged" if original != "forged" else "forged again"
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE audit_event SET {tamper} = :v WHERE id = :id"), {"v": forged, "id": event_id})
    try:
        broken = verify_chain(engine)
        assert not broken.ok and broken.first_broken_id == event_id, broken
    finally:  # the next example writes onto the same chain
        with engine.begin() as connection:
            connection.execute(text(f"UPDATE audit_event SET {tamper} = :v WHERE id = :id"),
                               {"v": original, "id": event_id})
    assert verify_chain(engine).ok


@pytest.mark.parametrize("column", ["actor", "terminal", "action", "entity", "entity_id"])
def test_each_text_column_is_cut_to_the_length_the_model_declares(column):
    length = AuditEvent.__table__.c[column].type.length  # type: ignore[attr-defined]
    assert audit.column_length(column) == length
    assert audit.stored_text(column, "é" * (length + 5)) == "é" * length
