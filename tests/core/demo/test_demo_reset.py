"""`duty-tui demo --reset` replaces only a demo office, and never deletes an audit trail with real use.

Demo use: what the demo's own accounts do (the demo users signing in to try the app) and sign-in
attempts with no account behind them. Real use: anything by a staff account added after the demo
was generated, or by a command run without --as (the batch role, e.g. a nightly import).
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import PASSWORD, seed_office
from sqlalchemy import func
from sqlmodel import select

from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, Office, Person, StaffUser
from duty_tui.core.demo import generator
from duty_tui.core.demo.staff import DEMO_PASSWORD
from duty_tui.core.domain.errors import AuthError, InputError
from duty_tui.core.services.auth import find_actor, sign_in
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.search import find_people

TODAY = date(2026, 3, 10)


def counts(engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        return (s.exec(select(func.count()).select_from(Person)).one(),
                s.exec(select(func.count()).select_from(AuditEvent)).one())


def context(engine) -> ServiceContext:
    return ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test")


def test_reset_refuses_a_database_the_demo_did_not_make(engine):
    seed_office(engine)
    ctx = context(engine)
    find_people(ctx.as_actor(find_actor(ctx, "admin")), "smith")  # a real office at work: audited
    before = counts(engine)
    assert generator.has_data(engine) and not generator.made_by_demo(engine)
    with pytest.raises(InputError, match="duty-tui demo did not make this database"):
        generator.reset(engine)
    assert counts(engine) == before


def test_an_empty_looking_database_with_only_staff_or_audit_is_not_empty(engine):
    """A real office that has staff accounts or an audit trail but no people yet is not 'empty':
    the demo would otherwise generate over it (and empty it again if the load failed)."""
    assert not generator.has_data(engine)
    with session_scope(engine, write=True) as s:
        s.add(StaffUser(username="jbloggs", display_name="Jo Bloggs", role="admin", password_hash="x"))
    assert generator.has_data(engine)
    with pytest.raises(ValueError, match="already holds data"):
        generator.generate(engine, size="small", seed=1, today=TODAY, office_name="Real office",
                           jurisdiction="england")
    with session_scope(engine) as s:
        assert [u.username for u in s.exec(select(StaffUser)).all()] == ["jbloggs"]


def test_demo_use_is_not_real_use_but_a_later_account_and_the_batch_role_are(engine):
    generator.generate(engine, size="small", seed=3, today=TODAY, office_name="Demo", jurisdiction="england")
    assert generator.made_by_demo(engine)
    ctx = context(engine)
    # Trying the demo: a demo user signs in and searches; someone mistypes a username.
    reception = sign_in(ctx, "reception", DEMO_PASSWORD)
    find_people(ctx.as_actor(reception), "smith")
    with pytest.raises(AuthError):
        sign_in(ctx, "recepton", DEMO_PASSWORD)
    assert generator.real_use(engine) == {}

    # Real use: an account added after the demo, and a batch job (a command without --as).
    with session_scope(engine, write=True) as s:
        office = s.exec(select(Office)).first()
        s.add(StaffUser(username="jbloggs", display_name="Jo Bloggs", role="income_officer",
                        office_id=office.id, password_hash="x"))
    find_people(ctx.as_actor(find_actor(ctx, "jbloggs")), "smith")
    find_people(ctx.batch_actor("nightly"), "jones")
    assert generator.real_use(engine) == {"jbloggs": 1, "os:nightly": 1}
    before = counts(engine)
    with pytest.raises(InputError, match="audit trail with real use: 2 events") as refused:
        generator.reset(engine)
    assert "jbloggs 1" in refused.value.message and "os:nightly 1" in refused.value.message
    assert counts(engine) == before  # nothing deleted, the audit trail least of all


# --- the command (SQLite, to keep the run short) ---------------------------------------------------


def test_demo_reset_replaces_a_demo_office_used_only_by_demo_users(sqlite_url, sqlite_engine, capsys):
    assert run(["--db", sqlite_url, "demo", "--size", "small", "--seed", "1", "--no-tui"]) == 0
    ctx = context(sqlite_engine)
    find_people(ctx.as_actor(sign_in(ctx, "leader", DEMO_PASSWORD)), "smith")
    assert run(["--db", sqlite_url, "demo", "--size", "small", "--seed", "2", "--no-tui"]) == 2
    assert "another demo office; add --reset" in capsys.readouterr().err
    assert run(["--db", sqlite_url, "demo", "--size", "small", "--seed", "2", "--reset", "--no-tui"]) == 0
    # The demo's own trail went with the demo office: what is there now is the new office's own rent debit
    # runs and direct debit work (its rents user posting the latest weeks, docs/RENTS_DEMO.md), nothing from before.
    with session_scope(sqlite_engine) as s:
        assert set(s.exec(select(AuditEvent.action).distinct()).all()) == {
            "rent.debit_run", "dd.mandate_added", "dd.notice_sent", "dd.collection_run", "dd.mandate_changed",
            "dd.returns_applied"}

    # A command run against it without --as is real use: the trail is kept, and so is everything.
    capsys.readouterr()
    assert run(["--db", sqlite_url, "person", "find", "smith"]) == 0
    before = counts(sqlite_engine)
    assert run(["--db", sqlite_url, "demo", "--size", "small", "--seed", "3", "--reset", "--no-tui"]) == 2
    err = capsys.readouterr().err
    assert "audit trail with real use: 1 events" in err and "os:" in err and "nothing was changed" in err
    assert "Traceback" not in err
    assert counts(sqlite_engine) == before


def test_demo_reset_refuses_a_real_database(sqlite_url, sqlite_engine, capsys):
    seed_office(sqlite_engine)
    ctx = context(sqlite_engine)
    sign_in(ctx, "leader", PASSWORD)
    before = counts(sqlite_engine)
    assert run(["--db", sqlite_url, "demo", "--size", "small", "--reset", "--no-tui"]) == 2
    err = capsys.readouterr().err
    assert "duty-tui demo did not make this database" in err and "nothing was changed" in err
    assert counts(sqlite_engine) == before


def test_demo_help_says_what_reset_keeps(capsys):
    assert run(["demo", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--reset replaces only a database that duty-tui demo made" in text
    assert "never deletes an audit trail with real use" in text and "without --as" in text
