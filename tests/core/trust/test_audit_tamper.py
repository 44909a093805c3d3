"""Tampering with the audit trail is caught by `duty-tui audit verify` (exit 1, first broken event named).

tests/core/services/test_audit_service.py proves the chain walk itself (verify_chain) against every
kind of edit, deletion and forgery; this file proves the command people actually run catches
each one on both databases, what `--json` prints, and that an anchored head hash catches a
chain rewritten end to end by someone who can recompute every hash (the owner role).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from builders import NOW
from sqlalchemy import text
from sqlmodel import select

from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent
from duty_tui.core.services import audit
from duty_tui.core.services.audit import GENESIS_HASH, event_hash
from duty_tui.core.services.context import Actor, ServiceContext

EVENTS = 6


@dataclass
class Result:
    code: int
    out: str
    err: str


class Ticker:
    def __init__(self) -> None:
        self.now = NOW
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.now += timedelta(seconds=1)
            return self.now


@pytest.fixture
def cli(capsys):
    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def trail(engine, db_url) -> str:
    """A database whose audit trail holds EVENTS good events."""
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-1", clock=Ticker())
    ctx = ctx.as_actor(Actor(id=None, username="rita", display_name="Rita", role="reception", role_name="Reception",
                             permissions=frozenset(), team_id=None))
    for n in range(EVENTS):
        with session_scope(engine, write=True) as session:
            audit.record(session, ctx, "person.view", "person", f"P000000{n}", {"n": n})
    return db_url


def rows(engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def execute(engine, sql: str, **params) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)


# --- each kind of tampering, as a function of the engine; the event verify must name ----------


def edit_detail(engine):
    execute(engine, "UPDATE audit_event SET detail = :d WHERE id = 3", d='{"n": 99}')


def edit_actor(engine):
    execute(engine, "UPDATE audit_event SET actor = 'leader', actor_id = NULL WHERE id = 3")


def edit_at(engine):
    execute(engine, "UPDATE audit_event SET at = :at WHERE id = 3", at=rows(engine)[2].at + timedelta(hours=2))


def delete_middle(engine):
    execute(engine, "DELETE FROM audit_event WHERE id = 3")


def delete_last(engine):
    execute(engine, "DELETE FROM audit_event WHERE id = :n", n=EVENTS)


def insert_forged(engine):
    """A well-hashed row appended after the last, by someone who knows the recipe but not the head."""
    last = rows(engine)[-1]
    at = last.at + timedelta(seconds=1)
    digest = event_hash(last.hash, EVENTS + 1, at, None, "mallory", "x", "person.view", "person", "P0000001", None)
    with session_scope(engine, write=True) as session:
        session.add(AuditEvent(id=EVENTS + 1, at=at, actor_id=None, actor="mallory", terminal="x",
                               action="person.view", entity="person", entity_id="P0000001", detail=None,
                               prev_hash=last.hash, hash=digest))


def swap_rows(engine):
    """Rows 2 and 3 exchange everything but their ids (hashes too)."""
    second, third = rows(engine)[1:3]
    columns = ("at", "actor_id", "actor", "terminal", "action", "entity", "entity_id", "detail", "prev_hash", "hash")
    sets = ", ".join(f"{c} = :{c}" for c in columns)
    with engine.begin() as connection:
        for target, source in ((2, third), (3, second)):
            connection.execute(text(f"UPDATE audit_event SET {sets} WHERE id = :id"),
                               {"id": target, **{c: getattr(source, c) for c in columns}})


def rehash_edit(engine):
    """Editing a row and recomputing its own hash moves the break to the next event."""
    event = rows(engine)[2]
    digest = event_hash(event.prev_hash, event.id, event.at, event.actor_id, event.actor, event.terminal,
                        event.action, event.entity, event.entity_id, '{"n": 99}')
    execute(engine, "UPDATE audit_event SET detail = :d, hash = :h WHERE id = 3", d='{"n": 99}', h=digest)


TAMPERING = [  # (what was done, the event verify must name first)
    (edit_detail, 3), (edit_actor, 3), (edit_at, 3), (delete_middle, 3), (delete_last, EVENTS),
    (insert_forged, EVENTS + 1), (swap_rows, 2), (rehash_edit, 4),
]


def restore(engine, saved: list[AuditEvent], head) -> None:
    """Put the trail back exactly as it was (one database serves every kind of tampering)."""
    columns = ("id", "at", "actor_id", "actor", "terminal", "action", "entity", "entity_id", "detail", "prev_hash",
               "hash")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))
        connection.execute(text(f"INSERT INTO audit_event ({', '.join(columns)}) "
                                f"VALUES ({', '.join(':' + c for c in columns)})"),
                           [{c: getattr(event, c) for c in columns} for event in saved])
        connection.execute(text("UPDATE audit_head SET last_id = :i, last_hash = :h WHERE id = 1"),
                           {"i": head.last_id, "h": head.last_hash})


def test_audit_verify_catches_each_kind_of_tampering_and_names_the_first_broken_event(cli, engine, trail):
    saved = rows(engine)
    with engine.connect() as connection:
        head = connection.execute(text("SELECT last_id, last_hash FROM audit_head")).one()
    for tamper, first_broken in TAMPERING:
        assert cli("--db", trail, "audit", "verify").code == 0, f"before {tamper.__name__}"
        tamper(engine)

        result = cli("--db", trail, "audit", "verify")

        assert result.code == 1, (tamper.__name__, result)
        assert result.out == ""
        assert f"audit chain broken at event {first_broken}:" in result.err, (tamper.__name__, result.err)
        restore(engine, saved, head)
    assert cli("--db", trail, "audit", "verify").code == 0


def test_audit_verify_json_reports_the_head_to_keep_offsite(cli, engine, trail):
    intact = cli("--db", trail, "audit", "verify", "--json")
    assert intact.code == 0, intact
    last = rows(engine)[-1]
    assert json.loads(intact.out) == {"ok": True, "events": EVENTS, "head_id": EVENTS, "head_hash": last.hash,
                                      "first_broken": None, "problem": None, "problems": [], "more_problems": 0}
    assert f"head {EVENTS}:{last.hash}" in intact.err

    delete_middle(engine)
    broken = cli("--db", trail, "audit", "verify", "--json")
    assert broken.code == 1
    report = json.loads(broken.out)
    assert report["ok"] is False and report["first_broken"] == 3 and "event 3" in report["problem"]
    assert report["problems"] == [{"event": 3, "problem": report["problem"]}]
    assert "event 3" in broken.err


def rewrite_chain(engine, keep: int | None = None) -> None:
    """What the owner role could do: edit event 2, then recompute every hash and the head."""
    with engine.begin() as connection:
        if keep is not None:
            connection.execute(text("DELETE FROM audit_event WHERE id > :k"), {"k": keep})
        connection.execute(text("UPDATE audit_event SET detail = :d WHERE id = 2"), {"d": '{"n": "rewritten"}'})
    prev = GENESIS_HASH
    with engine.begin() as connection:
        for event in rows(engine):
            digest = event_hash(prev, event.id, event.at, event.actor_id, event.actor, event.terminal, event.action,
                                event.entity, event.entity_id, event.detail)
            connection.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id"),
                               {"p": prev, "h": digest, "id": event.id})
            prev = digest
            last_id = event.id
        connection.execute(text("UPDATE audit_head SET last_id = :i, last_hash = :h WHERE id = 1"),
                           {"i": last_id, "h": prev})


def test_an_anchored_head_catches_a_chain_the_owner_rewrote(cli, engine, trail):
    published = json.loads(cli("--db", trail, "audit", "verify", "--json").out)
    anchor = f"{published['head_id']}:{published['head_hash']}"
    assert cli("--db", trail, "audit", "verify", "--anchor", anchor).code == 0

    rewrite_chain(engine)

    assert cli("--db", trail, "audit", "verify").code == 0  # the chain alone cannot tell
    caught = cli("--db", trail, "audit", "verify", "--anchor", anchor)
    assert caught.code == 1
    assert f"broken at event {EVENTS}" in caught.err and "anchored" in caught.err

    rewrite_chain(engine, keep=4)  # and cut short: the anchored event is gone
    caught = cli("--db", trail, "audit", "verify", "--anchor", anchor)
    assert caught.code == 1
    assert "broken at event 5" in caught.err and f"event {EVENTS} was anchored" in caught.err


def test_a_malformed_anchor_exits_2(cli, tmp_path):
    for anchor in ["6", "x:abc", "0:" + "a" * 64, "3:" + "g" * 64]:
        result = cli("--db", f"sqlite:///{tmp_path / 'unused.db'}", "audit", "verify", "--anchor", anchor)
        assert result.code == 2, (anchor, result)
        assert "--anchor" in result.err
