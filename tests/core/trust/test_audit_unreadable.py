"""`audit verify` on rows it cannot read, and on a missing or garbled head (issue 10 item 12).

Before, a garbage time or a deleted `audit_head` row ended in "unexpected error" (a crash
logged to a file): the chain walk must never raise for what it finds in the tables. Each
problem names the event (or the head) and what is wrong with it, exit 1, on both databases.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.services import audit
from duty_tui.core.services.audit import verify_chain
from duty_tui.core.services.context import Actor, ServiceContext

EVENTS = 5


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        assert "Traceback" not in result.out + result.err, result
        assert "unexpected error" not in result.err, result
        return result

    return invoke


@pytest.fixture
def trail(engine, db_url) -> str:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-1", clock=lambda: NOW)
    ctx = ctx.as_actor(Actor(id=None, username="rita", display_name="Rita", role="reception", role_name="Reception",
                             permissions=frozenset(), team_id=None))
    for n in range(EVENTS):
        with session_scope(engine, write=True) as session:
            audit.record(session, ctx, "person.view", "person", f"P000000{n}")
    return db_url


def execute(engine, sql: str, **params) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)


def garbage_time(engine) -> str:
    """A time the database holds but no reader can take: text on SQLite, 'infinity' on PostgreSQL
    (psycopg refuses to load it as a Python datetime)."""
    if engine.dialect.name == "sqlite":
        execute(engine, "UPDATE audit_event SET at = 'the day after tomorrow' WHERE id = 3")
        return "'the day after tomorrow'"
    execute(engine, "UPDATE audit_event SET at = 'infinity' WHERE id = 3")
    return "time"


def test_a_garbage_time_is_named_at_its_event_not_a_crash(cli, engine, trail):
    shown = garbage_time(engine)

    report = verify_chain(engine)
    assert not report.ok and report.first_broken_id == 3
    assert "event 3 cannot be read" in report.problem and "not a date and time" in report.problem
    assert shown in report.problem

    result = cli("--db", trail, "audit", "verify")
    assert result.code == 1
    assert "audit chain broken at event 3: event 3 cannot be read: its time" in result.err
    as_json = json.loads(cli("--db", trail, "audit", "verify", "--json").out)
    assert as_json["ok"] is False and as_json["first_broken"] == 3


def test_later_events_are_still_checked_after_an_unreadable_one(engine, trail):
    garbage_time(engine)
    execute(engine, "UPDATE audit_event SET entity_id = 'P9999999' WHERE id = 5")

    report = verify_chain(engine)

    assert report.first_broken_id == 3
    assert [(event_id, "altered" in problem) for event_id, problem in report.later] == [(5, True)]


def test_a_text_column_holding_bytes_that_are_not_text_is_named(cli, sqlite_engine, sqlite_url):
    """SQLite stores whatever it is given: a blob of invalid UTF-8 in a text column."""
    ctx = ServiceContext.create(sqlite_engine, Settings(db_url=sqlite_url), terminal="t", clock=lambda: NOW)
    for n in range(3):
        with session_scope(sqlite_engine, write=True) as session:
            audit.record(session, ctx, "person.view", "person", f"P000000{n}", actor_name="os:batch")
    raw = sqlite3.connect(sqlite_engine.url.database)  # foreign keys off, as any other program opens the file
    with raw:
        raw.execute("UPDATE audit_event SET actor = X'FF00FE' WHERE id = 2")
        raw.execute("UPDATE audit_event SET actor_id = X'01' WHERE id = 3")
    raw.close()

    result = cli("--db", sqlite_url, "audit", "verify")

    assert result.code == 1
    assert "audit chain broken at event 2: event 2 cannot be read: its actor is not text" in result.err
    assert "also broken at event 3: event 3 cannot be read: its actor id" in result.err


def test_a_missing_head_is_named_exit_1(cli, engine, trail):
    execute(engine, "DELETE FROM audit_head")

    result = cli("--db", trail, "audit", "verify")

    assert result.code == 1
    assert "audit chain broken: the audit head (row 1 of audit_head" in result.err and "missing" in result.err
    report = json.loads(cli("--db", trail, "audit", "verify", "--json").out)
    assert report["ok"] is False and report["first_broken"] is None and report["head_id"] is None
    assert "audit head" in report["problem"]


@pytest.mark.parametrize("column, value, words", [("last_hash", "not-a-hash", "its hash 'not-a-hash' is not 64 hex"),
                                                  ("last_id", -4, "its last event id -4 is not a whole number")])
def test_a_garbled_head_is_named_exit_1(cli, engine, trail, column, value, words):
    execute(engine, f"UPDATE audit_head SET {column} = :v", v=value)

    result = cli("--db", trail, "audit", "verify")

    assert result.code == 1
    assert "audit chain broken: the audit head (row 1 of audit_head) is garbled" in result.err
    assert words in result.err


def test_a_head_holding_text_for_its_id_is_named(cli, sqlite_engine, sqlite_url):
    execute(sqlite_engine, "UPDATE audit_head SET last_id = 'lots'")
    result = cli("--db", sqlite_url, "audit", "verify")
    assert result.code == 1
    assert "its last event id 'lots' is not a whole number" in result.err


def test_recording_with_the_head_missing_refuses_the_act_exit_3(cli, engine, db_url):
    """Every audited act depends on the head: without it the act is refused, clearly, not a crash."""
    seed_office(engine)
    execute(engine, "DELETE FROM audit_head")

    result = cli("--db", db_url, "person", "find", "smith")

    assert result.code == 3
    assert "audit trail's head (row 1 of audit_head) is missing" in result.err
    assert result.out == ""


def test_a_missing_audit_table_is_named(cli, engine, trail):
    execute(engine, "DROP TABLE audit_head")
    result = cli("--db", trail, "audit", "verify")
    assert result.code == 1
    assert "audit chain broken: the audit_head table is missing" in result.err
