"""The audit head is taken last (issue 13 item 1, docs/AUDIT.md): an act's events join the chain as its
transaction commits, so another terminal's audited act never waits while this one runs, and a crash
anywhere between the act and its audit leaves neither.

Real connections: a second terminal is a second connection in a thread; the crash is a real process
ended with ``os._exit`` (no clean-up, no rollback sent) at the two points that matter.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from builders import NOW, seed_office
from sqlalchemy import text
from sqlmodel import select

from duty_tui.areas.payments.services import statements
from duty_tui.areas.payments.services.statements import account_statement
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, Office
from duty_tui.core.services import audit, people, search
from duty_tui.core.services.audit import verify_chain
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import Actor, ServiceContext
from duty_tui.core.services.people import get_person
from duty_tui.core.services.search import find_people

REPO = Path(__file__).resolve().parents[3]


def _ctx(engine) -> ServiceContext:
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-1", clock=lambda: NOW)
    actor = Actor(id=None, username="tester", display_name="Test", role="batch", role_name="Batch",
                  permissions=frozenset(), team_id=None)
    return base.as_actor(actor)


def _events(engine) -> list[tuple[int, str]]:
    with session_scope(engine) as session:
        return [(e.id, e.action) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


@pytest.mark.parametrize("db_backend", [pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_another_terminals_audited_act_goes_through_while_a_long_act_is_still_running(engine):
    """Before: the head's row lock was taken at the act's first audit event and held to its commit, so
    every other audited act queued behind the slowest one (the lock_timeout here made that a failure)."""
    ctx = _ctx(engine)
    inside, release, failures = threading.Event(), threading.Event(), []

    def long_act() -> None:
        try:
            with session_scope(engine, write=True) as session:
                session.add(Office(code="SLOW", name="A long act"))
                audit.record(session, ctx, "test.long", "office", "SLOW")
                session.flush()
                inside.set()
                release.wait(30)
        except BaseException as exc:  # reported below
            failures.append(exc)

    thread = threading.Thread(target=long_act)
    thread.start()
    try:
        assert inside.wait(30)
        with session_scope(engine, write=True) as session:
            session.execute(text("SET LOCAL lock_timeout = '2s'"))
            session.add(Office(code="QUICK", name="A quick act"))
            event = audit.record(session, ctx, "test.quick", "office", "QUICK")
        assert event.id == 1
    finally:
        release.set()
        thread.join(30)
    assert failures == []
    assert _events(engine) == [(1, "test.quick"), (2, "test.long")]  # the chain is in commit order
    assert verify_chain(engine).ok


CHILD = textwrap.dedent('''
    import os, sys
    from datetime import datetime, UTC
    from sqlalchemy import event
    from sqlmodel import Session
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine, session_scope
    from duty_tui.core.db.models import Office
    from duty_tui.core.services import audit
    from duty_tui.core.services.context import Actor, ServiceContext

    url, where = sys.argv[1], sys.argv[2]
    engine = make_engine(url)
    ctx = ServiceContext.create(engine, Settings(db_url=url), terminal="desk-2",
                                clock=lambda: datetime(2026, 1, 5, 10, tzinfo=UTC))
    ctx = ctx.as_actor(Actor(id=None, username="tester", display_name="Test", role="batch", role_name="Batch",
                             permissions=frozenset(), team_id=None))
    if where == "after-the-act":
        @event.listens_for(Session, "before_commit", insert=True)  # runs before the audit's own listener
        def crash(session):
            session.flush()  # the act's row is written (not committed)
            os._exit(9)
    else:
        @event.listens_for(engine, "commit")  # the events are written and the head moved; COMMIT not sent
        def crash(connection):
            os._exit(9)
    with session_scope(engine, write=True) as session:
        session.add(Office(code="CRASH", name="Never committed"))
        audit.record(session, ctx, "test.crash", "office", "CRASH")
''')


@pytest.mark.parametrize("where", ["after-the-act", "after-the-audit-rows"])
def test_a_crash_between_the_act_and_its_audit_leaves_neither(engine, db_url, where, tmp_path):
    ctx = _ctx(engine)
    with session_scope(engine, write=True) as session:
        audit.record(session, ctx, "test.before", "office", None)
    script = tmp_path / "crash.py"
    script.write_text(CHILD)
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, str(script), url, where], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 9, done.stderr
    with session_scope(engine) as session:
        assert session.exec(select(Office).where(Office.code == "CRASH")).first() is None
    assert _events(engine) == [(1, "test.before")]
    assert verify_chain(engine).ok
    # The head was not left taken: the next audited act goes through and follows on.
    with session_scope(engine, write=True) as session:
        session.add(Office(code="NEXT", name="After the crash"))
        audit.record(session, ctx, "test.after", "office", "NEXT")
    assert _events(engine) == [(1, "test.before"), (2, "test.after")]
    report = verify_chain(engine)
    assert report.ok and report.events == 2


def test_a_rolled_back_act_takes_its_pending_events_with_it(engine):
    ctx = _ctx(engine)
    with pytest.raises(RuntimeError), session_scope(engine, write=True) as session:
        audit.record(session, ctx, "test.doomed")
        raise RuntimeError("the act failed")
    with session_scope(engine, write=True) as session:
        audit.record(session, ctx, "test.next")
    assert _events(engine) == [(1, "test.next")]


# --- reads read (issue 13 item 2): on SQLite a search or a record open holds no write lock while it reads ---


def _office_ctx(engine, username: str) -> ServiceContext:
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-3", clock=lambda: NOW)
    return base.as_actor(find_actor(base, username))


@pytest.mark.sqlite_only  # the write lock of a whole SQLite file; PostgreSQL's reads never took one
@pytest.mark.parametrize("read", ["search", "person", "statement"])
def test_while_a_read_is_reading_another_terminal_can_take_the_write_lock(engine, monkeypatch, read):
    """Before: the read ran under BEGIN IMMEDIATE (for its audit event), so every other terminal's save
    waited for it, and at 8-12 terminals some failed with "database is locked"."""
    seed_office(engine)
    ctx = _office_ctx(engine, "income")
    path = engine.url.database
    attempts: list[str] = []

    def another_terminal_saves() -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            attempts.append("took the write lock")
        except sqlite3.OperationalError as exc:
            attempts.append(str(exc))
        finally:
            other.close()

    def during(module, name):
        real = getattr(module, name)

        def step(*args, **kwargs):
            another_terminal_saves()  # in the middle of the read
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, step)

    if read == "search":
        during(search, "_details")
        assert find_people(ctx, "smith")
    elif read == "person":
        during(people, "_contact_views")
        assert get_person(ctx, "P0000001").ref == "P0000001"
    else:
        during(statements, "holder_person")
        assert account_statement(ctx, "RNT000001").account_ref == "RNT000001"
    assert attempts == ["took the write lock"]
    with session_scope(engine) as session:  # and the read is still audited
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == {"search": "person.search", "person": "person.view", "statement": "account.statement"}[read]
    assert verify_chain(engine).ok
