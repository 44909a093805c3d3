"""Audit events that wait for a busy head (PostgreSQL only; docs/AUDIT.md "When the head is busy").

An act's events join the chain as it commits, through the one ``audit_head`` row (duty_tui.core.
services.audit). On PostgreSQL the head is asked for with ``SKIP LOCKED``: when it is free the events
are chained there and then, as before. When another terminal holds it, waiting would keep this act's
own row locks (a payment's receipt counter, an account) held for as long as the queue for the head —
so instead the events go into ``audit_pending`` in the act's own transaction (no shared lock: the act
commits at once, with its events), and right after the commit a **sealing pass** chains every
pending event into ``audit_event`` in the order they are found, and deletes them from
``audit_pending``, in one transaction:

- passes take turns on an advisory lock (held only to the pass's commit), so one pass seals what
  every waiting terminal committed, with one commit: a queue of a hundred audit events costs one
  pass, not a hundred turns of the head;
- a pass that finds nothing to seal (an earlier pass took its events) writes nothing;
- the caller's events get their ids from the pass that sealed them (``AuditEvent.id`` set here);
- nothing is audited "later" than its act: the pending row committed with the act. If the process
  dies between the commit and the pass, the event waits in ``audit_pending`` and the next pass on any
  terminal seals it; ``audit verify`` seals what is waiting first and reports any event that has
  waited longer than PENDING_GRACE as a problem.

A failed pass is never the act's failure (the act has committed): the error is logged and the events
wait for the next pass.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, update
from sqlmodel import Session, col

from duty_tui.core.db.engine import AFTER_CLOSE
from duty_tui.core.db.models import AuditEvent, AuditHead, AuditPending, table_of

log = logging.getLogger(__name__)

SEAL_LOCK = 0x6475_7479_4155_4454
"""The advisory lock key sealing passes take turns on ("dutyAUDT")."""

PENDING_GRACE = timedelta(seconds=60)
"""An event waiting longer than this to be sealed is a problem for ``audit verify``."""

BATCH = 2000
"""Events sealed per statement batch in one pass (a pass goes on until nothing is left)."""

_STAGED = "duty_tui.audit.staged"
"""``session.info`` key: (engine, [(pending row, event)]) to seal after this transaction commits."""

_CONTENT = ("at", "actor_id", "actor", "terminal", "action", "entity", "entity_id", "detail")


def stage(session: Session, events: list[AuditEvent]) -> None:
    """Write ``events`` to audit_pending in the act's transaction, to be sealed after its commit."""
    rows = [AuditPending(**{name: getattr(event, name) for name in _CONTENT}) for event in events]
    session.add_all(rows)
    session.flush()
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)  # a session bound to a connection (session_scope) gives its engine
    session.info.setdefault(_STAGED, []).extend((engine, row, event) for row, event in zip(rows, events, strict=True))


def after_commit(session: Session) -> None:
    """Queue the sealing of what this transaction staged for when its connection is back in the pool
    (``session_scope`` runs it): a terminal's pool is small, and the act's connection is not needed."""
    staged = session.info.pop(_STAGED, None)
    if staged:
        session.info.setdefault(AFTER_CLOSE, []).append(lambda: _seal_staged(staged))


def _seal_staged(staged: list) -> None:
    """Seal what was staged (and anything else waiting); set the events' ids."""
    engine = staged[0][0]
    try:
        sealed = seal_pending(engine, mine=[row.id for _engine, row, _event in staged])
    except Exception:  # the act has committed; its events wait for the next pass (docs/AUDIT.md)
        log.exception("audit: sealing pending events failed; the next pass will seal them")
        return
    for _engine, row, event in staged:
        if row.id in sealed:
            event.id = sealed[row.id]


def drop_staged(session: Session) -> None:
    """A rolled-back transaction's staged rows went with it."""
    session.info.pop(_STAGED, None)


def seal_pending(engine: Engine, mine: list[int] | None = None) -> dict[int, int]:
    """One sealing pass, waiting its turn for the sealing lock: every event waiting in audit_pending
    chained into audit_event, in id order. Returns {pending id: event id} for what it sealed; with
    ``mine`` (a terminal's own staged rows), a pass that finds them sealed already by the pass before
    it seals nothing else and returns their ids, so the terminals queued behind one pass go through
    without a commit each. PostgreSQL only (SQLite never stages).

    Waiting in the lock's queue, not looking again every few milliseconds: measured with 50 terminals
    on two CPUs, terminals that poll take CPU from the one holding an office's receipt counter and
    every payment behind it waits longer (docs/PERFORMANCE.md)."""
    if engine.dialect.name != "postgresql":
        return {}
    return _pass(engine, mine, wait=True) or {}


def _pass(engine: Engine, mine: list[int] | None, *, wait: bool) -> dict[int, int] | None:
    """A sealing pass under the sealing lock; None when ``wait`` is False and another terminal holds it."""
    from duty_tui.core.services.audit import GENESIS_HASH, event_hash

    sealed: dict[int, int] = {}
    pending = table_of(AuditPending)
    with engine.connect() as connection, connection.begin():
        if wait:
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEAL_LOCK})
        elif not connection.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SEAL_LOCK}).scalar():
            return None
        if mine:
            still = connection.execute(select(func.count()).select_from(pending)
                                       .where(pending.c.id.in_(mine))).scalar()
            if not still:
                events = table_of(AuditEvent)
                return {int(p): int(e) for p, e in connection.execute(
                    select(events.c.pending_id, events.c.id).where(events.c.pending_id.in_(mine)))}
        rows = connection.execute(select(pending).order_by(pending.c.id)).all()
        if not rows:
            return sealed
        head = connection.execute(select(col(AuditHead.last_id), col(AuditHead.last_hash))
                                  .where(col(AuditHead.id) == 1).with_for_update()).first()
        if head is None:
            raise RuntimeError("the audit head (row 1 of audit_head) is missing; run duty-tui audit verify")
        last_id, last_hash = int(head[0]), str(head[1] or GENESIS_HASH)
        for start in range(0, len(rows), BATCH):
            values = []
            for row in rows[start:start + BATCH]:
                last_id += 1
                digest = event_hash(last_hash, last_id, row.at, row.actor_id, row.actor, row.terminal, row.action,
                                    row.entity, row.entity_id, row.detail)
                values.append({"id": last_id, **{name: getattr(row, name) for name in _CONTENT},
                               "prev_hash": last_hash, "hash": digest, "pending_id": row.id})
                last_hash = digest
                sealed[row.id] = last_id
            connection.execute(insert(table_of(AuditEvent)), values)
        connection.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(last_id=last_id, last_hash=last_hash))
        gone = connection.execute(text("SELECT duty_audit_drop_sealed(CAST(:ids AS bigint[]))"),
                                  {"ids": list(sealed)}).scalar()
        if gone != len(sealed):
            raise RuntimeError(f"sealed {len(sealed)} pending audit events but removed {gone} from audit_pending")
    return sealed


def seal_waiting(engine: Engine) -> None:
    """Before ``audit verify`` walks the chain: seal what waits, so only an event that cannot be sealed is
    reported. A role that may not seal (read-only) leaves them; verify then reports any old ones."""
    try:
        seal_pending(engine)
    except Exception as exc:  # best effort: the report says what is still waiting
        log.warning("audit verify: could not seal waiting events first (%s)", type(exc).__name__)


def waiting(connection: Any) -> tuple[int, timedelta | None, int | None]:
    """(events waiting in audit_pending, how long the oldest has waited by the database's clock, its id)."""
    pending = table_of(AuditPending)
    row = connection.execute(select(func.count(), func.min(pending.c.id), func.min(pending.c.staged_at),
                                    func.current_timestamp()).select_from(pending)).one()
    count, oldest_id, staged, now = row
    if not count:
        return 0, None, None
    return int(count), _aware(now) - _aware(staged), int(oldest_id)


def _aware(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite's CURRENT_TIMESTAMP comes back as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


__all__ = ["PENDING_GRACE", "after_commit", "drop_staged", "seal_pending", "seal_waiting", "stage", "waiting"]
