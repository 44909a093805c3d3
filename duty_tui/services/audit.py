"""The audit trail: append-only, hash-chained, written in the same transaction as the act.

Each event's hash covers its own fields and the previous event's hash, so an
edited, inserted or deleted row breaks the chain at that point. Writers are
serialised through the single ``audit_head`` row (row lock on PostgreSQL; the
write transaction on SQLite), so ids are gap-free and the chain is linear.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text, update
from sqlmodel import Session, select

from duty_tui.db.engine import session_scope
from duty_tui.db.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
_BEFORE_ALL_IDS = -(2**63)  # the smallest BIGINT / SQLite integer


def event_hash(prev_hash: str, event_id: int, at: datetime, actor_id: int | None, actor: str, terminal: str,
               action: str, entity: str | None, entity_id: str | None, detail: str | None) -> str:
    """SHA-256 over the previous hash and the event's canonical fields."""
    # Naive values are UTC as SQLite hands them back; aware ones are normalised to UTC.
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    payload = json.dumps(
        [prev_hash, event_id, utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), actor_id, actor, terminal, action,
         entity, entity_id, detail],
        ensure_ascii=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def record(session: Session, ctx: Any, action: str, entity: str | None = None, entity_id: Any = None,
           detail: dict[str, Any] | None = None, *, actor_name: str | None = None) -> AuditEvent:
    """Append one audit event inside the caller's transaction (which must be a write session)."""
    actor = ctx.actor
    query = select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    head = session.exec(query).one()
    event_id = head.last_id + 1
    at = ctx.now()
    detail_text = json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str) if detail else None
    who = actor.username if actor else (actor_name or "-")
    digest = event_hash(head.last_hash, event_id, at, actor.id if actor else None, who, ctx.terminal, action,
                        entity, None if entity_id is None else str(entity_id), detail_text)
    event = AuditEvent(id=event_id, at=at, actor_id=actor.id if actor else None, actor=who,
                       terminal=ctx.terminal[:128], action=action, entity=entity,
                       entity_id=None if entity_id is None else str(entity_id), detail=detail_text,
                       prev_hash=head.last_hash, hash=digest)
    session.add(event)
    session.exec(update(AuditHead).where(AuditHead.id == 1).values(last_id=event_id, last_hash=digest))  # type: ignore[call-overload]
    return event


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the audit chain."""

    ok: bool
    events: int
    first_broken_id: int | None = None
    problem: str | None = None
    head_id: int | None = None
    head_hash: str | None = None
    """What ``audit_head`` records as the latest event: keep it offsite to anchor the chain."""


def parse_anchor(text_value: str) -> tuple[int, str]:
    """``ID:HASH`` (as ``audit verify --json`` printed head_id and head_hash) → (id, hash)."""
    event_id, _, digest = text_value.partition(":")
    digest = digest.strip().lower()
    try:
        number = int(event_id)
    except ValueError:
        number = 0
    if number < 1 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"anchor {text_value!r} is not EVENT_ID:HASH (a positive event number, a colon and "
                         "the 64 hex digits printed by audit verify --json)")
    return number, digest


def verify_chain(engine, batch: int = 5000, anchors: dict[int, str] | None = None) -> ChainReport:
    """Walk every event in id order, recomputing hashes; report the first broken link.

    ``anchors`` maps event ids to hashes published earlier (head_id/head_hash kept offsite):
    a chain rewritten end to end by someone who can recompute every hash still differs there.
    """
    with session_scope(engine) as session:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # One snapshot for the walk and the head: events committed meanwhile are not "extra" events.
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        head = connection.execute(text("SELECT last_id, last_hash FROM audit_head WHERE id = 1")).one()
        report = _walk(connection, head, batch, anchors or {})
    return replace(report, head_id=head.last_id, head_hash=head.last_hash)


def _walk(connection, head, batch: int, anchors: dict[int, str]) -> ChainReport:
    expected_prev = GENESIS_HASH
    expected_id = 1
    count = 0
    last_id = _BEFORE_ALL_IDS  # not 0: a row forged with id 0 or below must not be skipped
    while True:
        rows = connection.execute(
            text("SELECT id, at, actor_id, actor, terminal, action, entity, entity_id, detail, prev_hash, hash "
                 "FROM audit_event WHERE id > :after ORDER BY id LIMIT :n"),
            {"after": last_id, "n": batch},
        ).all()
        if not rows:
            break
        for row in rows:
            at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
            if row.id < expected_id:
                return ChainReport(False, count, row.id,
                                   f"event {row.id} is not part of the chain, which starts at event 1")
            if row.id != expected_id:
                return ChainReport(False, count, expected_id,
                                   f"event {expected_id} is missing (next event is {row.id})")
            if row.prev_hash != expected_prev:
                return ChainReport(False, count, row.id, f"event {row.id} does not follow event {row.id - 1}")
            digest = event_hash(row.prev_hash, row.id, at, row.actor_id, row.actor, row.terminal, row.action,
                                row.entity, row.entity_id, row.detail)
            if digest != row.hash:
                return ChainReport(False, count, row.id, f"event {row.id} was altered after it was written")
            if row.id in anchors and anchors[row.id] != row.hash:
                return ChainReport(False, count, row.id,
                                   f"event {row.id} does not have the hash anchored for it; the chain was "
                                   f"rewritten at or before event {row.id}")
            expected_prev = row.hash
            expected_id += 1
            count += 1
            last_id = row.id
    beyond = sorted(a for a in anchors if a > count)
    if beyond:
        return ChainReport(False, count, count + 1,
                           f"event {beyond[0]} was anchored, but the chain ends at event {count}; "
                           "events were deleted")
    if head.last_id > count:
        return ChainReport(False, count, count + 1,
                           f"the chain ends at event {count} but the head records event {head.last_id}; "
                           "events were deleted from the end")
    if head.last_id < count:
        return ChainReport(False, count, head.last_id + 1,
                           f"the head records event {head.last_id} as the last, but the chain goes on to "
                           f"event {count}; events from {head.last_id + 1} were added outside duty-tui")
    if head.last_hash != expected_prev:
        return ChainReport(False, count, count or 1,
                           f"event {count} is not the event the head recorded; it was replaced")
    return ChainReport(True, count)
