"""The audit trail: append-only, hash-chained, written in the same transaction as the act.

Each event's hash covers its own fields and the previous event's hash, so an
edited, inserted or deleted row breaks the chain at that point. An act's events
join the chain as its transaction commits, through the single ``audit_head`` row
(row lock on PostgreSQL; the write transaction on SQLite) taken as the last
statement before the commit, so ids are gap-free, the chain is linear, and the
head is never held while an act runs (docs/AUDIT.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import inspect, text, update
from sqlalchemy.exc import DataError
from sqlmodel import Session, col, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, AuditHead, table_of
from duty_tui.core.domain.errors import EnvironmentProblem
from duty_tui.core.services import audit_late

GENESIS_HASH = "0" * 64
_BEFORE_ALL_IDS = -(2**63)  # the smallest BIGINT / SQLite integer


def event_hash(prev_hash: str, event_id: int, at: datetime, actor_id: int | None, actor: str, terminal: str,
               action: str, entity: str | None, entity_id: str | None, detail: str | None) -> str:
    """SHA-256 over the previous hash and the event's canonical fields (as stored: see ``stored_fields``)."""
    # Naive values are UTC as SQLite hands them back; aware ones are normalised to UTC.
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    payload = json.dumps(
        [prev_hash, event_id, utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), actor_id, actor, terminal, action,
         entity, entity_id, detail],
        ensure_ascii=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


# --- what is stored is what is hashed ----------------------------------------------------------

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL (PostgreSQL text cannot hold it) and lone surrogates (not UTF-8, so neither database can)."""


def column_length(column: str) -> int | None:
    """The length ``audit_event.<column>`` declares (characters, on both databases), or None if unbounded."""
    return getattr(table_of(AuditEvent).c[column].type, "length", None)


def stored_text(column: str, value: Any) -> str | None:
    """``value`` exactly as ``audit_event.<column>`` keeps it: text with NUL and lone surrogates replaced by
    U+FFFD, cut to the column's declared length in characters (PostgreSQL's varchar counts characters,
    as Python does; SQLite keeps what it is given, so the cut must happen here for both to agree)."""
    if value is None:
        return None
    text_value = _UNSTORABLE.sub("\ufffd", value if isinstance(value, str) else str(value))
    length = column_length(column)
    return text_value[:length] if length is not None else text_value


def stored_time(at: datetime) -> datetime:
    """``at`` as both databases give it back: aware UTC to the microsecond (naive times are taken as UTC)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def canonical_detail(detail: dict[str, Any] | None) -> str | None:
    """The detail as stored: JSON with sorted keys (no detail, or an empty one, is NULL).

    json escapes NUL and the other C0 controls itself; a lone surrogate (which no UTF-8 text can hold)
    becomes U+FFFD, as in every other field.
    """
    if not detail:
        return None
    text_value = json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str)
    return _UNSTORABLE.sub("\ufffd", text_value)


@dataclass(frozen=True)
class StoredFields:
    """An event's hashed fields exactly as the database will hold them."""

    at: datetime
    actor_id: int | None
    actor: str
    terminal: str
    action: str
    entity: str | None
    entity_id: str | None
    detail: str | None


def stored_fields(*, at: datetime, actor_id: int | None, actor: str, terminal: str, action: str,
                  entity: str | None, entity_id: Any, detail: dict[str, Any] | None) -> StoredFields:
    """Normalise every hashed field to what is stored, before hashing: the one place that decides it."""
    return StoredFields(at=stored_time(at), actor_id=actor_id, actor=stored_text("actor", actor) or "",
                        terminal=stored_text("terminal", terminal) or "", action=stored_text("action", action) or "",
                        entity=stored_text("entity", entity), entity_id=stored_text("entity_id", entity_id),
                        detail=canonical_detail(detail))


_PENDING = "duty_tui.audit.pending"
"""``session.info`` key: this transaction's events, waiting for the commit to join the chain."""


def record(session: Session, ctx: Any, action: str, entity: str | None = None, entity_id: Any = None,
           detail: dict[str, Any] | None = None, *, actor_name: str | None = None) -> AuditEvent:
    """Add one audit event to the caller's transaction (which must be a write session).

    The event joins the chain as the transaction commits (``_seal``): its number, its place after
    the head and its hash are given by the last statements before the commit, so the head (one row,
    that every terminal's audited act goes through) is held for those statements and the commit,
    never while the act itself runs. It commits with the act or not at all. Its ``id`` is set
    once the transaction has committed. Not for use inside a savepoint that may roll back.
    """
    actor = ctx.actor
    fields = stored_fields(at=ctx.now(), actor_id=actor.id if actor else None,
                           actor=actor.username if actor else (actor_name or "-"), terminal=ctx.terminal,
                           action=action, entity=entity, entity_id=entity_id, detail=detail)
    event = AuditEvent(**asdict(fields), prev_hash=GENESIS_HASH, hash="")
    session.info.setdefault(_PENDING, []).append(event)
    return event


_HOLDS = "duty_tui.audit.holds_a_queue"
"""``session.info`` key: this act holds a lock other acts queue for (an office's receipt counter)."""


def holds_a_queue(session: Session) -> None:
    """Say that this act holds a lock other terminals' acts queue for (an office's receipt counter):
    on PostgreSQL its events then always wait in audit_pending and are sealed after its commit, so the
    lock is never held for the sealing as well (docs/AUDIT.md, "When the head is busy")."""
    session.info[_HOLDS] = True


@sa_event.listens_for(Session, "before_commit")
def _seal(session: Session) -> None:
    """Chain this transaction's events: the act's own rows are written first (a refusal there never
    takes the head), then the head is taken (``FOR UPDATE`` on PostgreSQL; SQLite's write
    transaction already holds the database), the events numbered and hashed after it, written, and
    the head moved on. What follows is the commit."""
    pending: list[AuditEvent] | None = session.info.pop(_PENDING, None)
    holds_a_queue = session.info.pop(_HOLDS, False)
    if not pending:
        return
    session.flush()
    connection = session.connection()
    query = select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
    if connection.dialect.name == "postgresql":
        if holds_a_queue or not connection.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": audit_late.SEAL_LOCK}).scalar():
            # Another terminal is sealing (the head is theirs): do not wait for it holding this act's
            # locks. The events commit with the act into audit_pending and are sealed right after.
            audit_late.stage(session, pending)
            return
        head = connection.execute(query.with_for_update()).first()  # free: every taker holds the sealing lock
    else:
        head = connection.execute(query).first()
    if head is None or not isinstance(head[0], int) or isinstance(head[0], bool) or not isinstance(head[1], str):
        raise EnvironmentProblem(
            "the audit trail's head (row 1 of audit_head) is missing or garbled, so nothing can be recorded and "
            "nothing was done; run duty-tui audit verify, then restore the row from a backup")
    last_id, last_hash = head[0], head[1]
    for event in pending:
        last_id += 1
        event.id, event.prev_hash = last_id, last_hash
        event.hash = last_hash = event_hash(last_hash, last_id, event.at, event.actor_id, event.actor,
                                            event.terminal, event.action, event.entity, event.entity_id,
                                            event.detail)
    session.add_all(pending)
    session.flush()
    connection.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(last_id=last_id, last_hash=last_hash))


@sa_event.listens_for(Session, "after_commit")
def _seal_staged(session: Session) -> None:
    """Events that found the head busy (PostgreSQL) are sealed now that their act has committed."""
    audit_late.after_commit(session)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: Any) -> None:
    """A rolled-back transaction's events go with it."""
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)
        session.info.pop(_HOLDS, None)
        audit_late.drop_staged(session)


def record_read(ctx: Any, action: str, entity: str | None = None, entity_id: Any = None,
                detail: dict[str, Any] | None = None) -> None:
    """Audit a read of personal data in a transaction of its own; call it before showing what was read,
    so nothing is shown that the trail does not record (a failure here shows nothing)."""
    with session_scope(ctx.engine, write=True) as session:
        record(session, ctx, action, entity, entity_id, detail)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the audit chain."""

    ok: bool
    events: int
    """Events that verified before the first problem (all of them when the chain is intact)."""
    first_broken_id: int | None = None
    """The first broken event; None when the first problem is the head itself (missing or garbled)."""
    problem: str | None = None
    head_id: int | None = None
    head_hash: str | None = None
    """What ``audit_head`` records as the latest event: keep it offsite to anchor the chain."""
    later: tuple[tuple[int | None, str], ...] = ()
    """Problems found after the first, as (event id, problem): the walk goes on past a break, so one
    old break cannot hide later tampering (at most MAX_PROBLEMS in all)."""
    more: int = 0
    """How many further problems were found but not kept."""


MAX_PROBLEMS = 100
"""At most this many problems are kept: a chain cut in a thousand places needs a restore, not a list."""


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


def verify_chain(engine, batch: int = 5000, anchors: dict[int, str] | None = None,
                 pending_grace=audit_late.PENDING_GRACE) -> ChainReport:
    """Walk every event in id order, recomputing hashes; report the first broken link, and any later ones.

    ``anchors`` maps event ids to hashes published earlier (head_id/head_hash kept offsite):
    a chain rewritten end to end by someone who can recompute every hash still differs there.
    Never raises for what it finds in the tables: a row it cannot read, a missing or garbled
    head, a missing table are each reported as a problem (the database being unreachable is
    still an EnvironmentProblem).
    """
    with session_scope(engine) as session:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # One snapshot for the walk and the head: events committed meanwhile are not "extra" events.
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        findings = _Findings()
        tables = inspect(connection)
        missing = [t for t in ("audit_event", "audit_head") if not tables.has_table(t)]
        if missing:
            findings.add(None, f"the {' and '.join(missing)} table{'s are' if len(missing) > 1 else ' is'} missing "
                               "from the database; the audit trail cannot be checked (restore from a backup)")
            return findings.report(0, None)
        head = _read_head(connection, findings)
        good = _walk(connection, head, batch, anchors or {}, findings)
        if tables.has_table("audit_pending"):
            _waiting_too_long(connection, findings, pending_grace)
    return findings.report(good, head)


def _waiting_too_long(connection, findings: _Findings, grace) -> None:
    """Events committed with their acts but not sealed into the chain within ``grace`` (audit_late)."""
    count, waited, pending_id = audit_late.waiting(connection)
    if count and waited is not None and waited > grace:
        findings.add(None, f"{count} audit event{'s' if count != 1 else ''} committed with their acts "
                           f"{'have' if count != 1 else 'has'} not joined the chain (the oldest, pending row "
                           f"{pending_id}, has waited {int(waited.total_seconds())} s); duty-tui audit verify seals "
                           "them first, so if this stays, a sealing pass fails: look in crash.log")


class _Findings:
    """Problems in the order they were found, kept up to MAX_PROBLEMS."""

    def __init__(self) -> None:
        self.items: list[tuple[int | None, str]] = []
        self.more = 0

    def add(self, event_id: int | None, problem: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append((event_id, problem))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def report(self, good: int, head: _Head | None) -> ChainReport:
        head_id, head_hash = (head.last_id, head.last_hash) if head else (None, None)
        if not self.items:
            return ChainReport(True, good, head_id=head_id, head_hash=head_hash)
        (first_id, first_problem), *later = self.items
        return ChainReport(False, good, first_id, first_problem, head_id, head_hash, tuple(later), self.more)


@dataclass(frozen=True)
class _Head:
    last_id: int
    last_hash: str


_HEX64 = re.compile("[0-9a-f]{64}")


def _read_head(connection, findings: _Findings) -> _Head | None:
    """The head row, checked; a missing or garbled head is a problem (None), never an exception."""
    hash_column = "CAST(last_hash AS BLOB)" if connection.dialect.name == "sqlite" else "last_hash"
    row = connection.execute(text(f"SELECT last_id, {hash_column} AS last_hash FROM audit_head WHERE id = 1")).first()
    if row is None:
        findings.add(None, "the audit head (row 1 of audit_head, which records the last event's id and hash) is "
                           "missing, so events deleted from the end cannot be detected; restore it from a backup")
        return None
    last_hash, undecodable = _text(row.last_hash)
    problems = []
    if not isinstance(row.last_id, int) or isinstance(row.last_id, bool) or row.last_id < 0:
        problems.append(f"its last event id {_shown(row.last_id)} is not a whole number")
    if undecodable or last_hash is None or not _HEX64.fullmatch(last_hash):
        problems.append(f"its hash {_shown(row.last_hash if undecodable else last_hash)} is not 64 hex digits")
    if problems or last_hash is None:  # a None hash is among the problems
        findings.add(None, "the audit head (row 1 of audit_head) is garbled: " + " and ".join(problems)
                     + "; the end of the chain cannot be checked (restore the row from a backup)")
        return None
    return _Head(row.last_id, last_hash)


_TEXT_COLUMNS = ("actor", "terminal", "action", "entity", "entity_id", "detail", "prev_hash", "hash")


def _select_events(dialect: str):
    """The walk's query. Every value comes back as something Python can always take: on SQLite text
    as bytes (any type or invalid UTF-8 can be stored there), on PostgreSQL the time as UTC text
    ('infinity' or a year past 9999 would make the driver raise)."""
    if dialect == "sqlite":
        columns = ["CAST(at AS BLOB) AS at", "NULL AS at_shown", "actor_id",
                   *(f"CAST({c} AS BLOB) AS {c}" for c in _TEXT_COLUMNS)]
    else:  # at_shown: what a problem quotes when to_char cannot write the time ('infinity' gives NULL)
        columns = ["to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS at", "CAST(at AS text) AS at_shown",
                   "actor_id", *_TEXT_COLUMNS]
    return text(f"SELECT id, {', '.join(columns)} FROM audit_event WHERE id > :after ORDER BY id LIMIT :n")


def _text(value: Any) -> tuple[str | None, bool]:
    """(text, False), or (None, True) for bytes that are not UTF-8."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8"), False
        except UnicodeDecodeError:
            return None, True
    return (None if value is None else str(value)), False


def _shown(value: Any) -> str:
    """A stored value quoted for a message, cut short (the CLI shows messages inert)."""
    shown = repr(bytes(value) if isinstance(value, (bytearray, memoryview)) else value)
    return shown if len(shown) <= 42 else shown[:40] + "…"


_Parsed = tuple[datetime, Any, dict[str, str | None]]


def _parse(row, dialect: str) -> tuple[_Parsed | None, str | None]:
    """The row's fields, or the problem that keeps it from being checked (the walk's inner loop: kept lean)."""
    event_id, at_raw, at_shown, actor_id, *raw = row  # the order of _select_events
    values: dict[str, str | None] = {}
    for column, value in zip(_TEXT_COLUMNS, raw, strict=True):
        if value is not None and value.__class__ is not str:
            text_value, undecodable = _text(value)
            if undecodable:
                return None, (f"event {event_id} cannot be read: its {column.replace('_', ' ')} is not text "
                              f"({_shown(value)})")
            value = text_value
        values[column] = value
    at_text, undecodable = _text(at_raw)
    at: datetime | None = None
    if at_text is not None and not undecodable:
        try:
            at = datetime.fromisoformat(at_text.strip())
        except ValueError:
            at = None
    if at is None:
        shown = at_shown if at_shown is not None else (at_text if at_text is not None else at_raw)
        return None, (f"event {event_id} cannot be read: its time {_shown(shown)} is not a date and time"
                      if shown is not None else f"event {event_id} cannot be read: it has no time")
    if dialect == "postgresql":
        at = at.replace(tzinfo=UTC)  # to_char wrote it in UTC
    if actor_id is not None and actor_id.__class__ is not int:
        return None, f"event {event_id} cannot be read: its actor id {_shown(actor_id)} is not a number"
    return (at, actor_id, values), None


def _walk(connection, head: _Head | None, batch: int, anchors: dict[int, str], findings: _Findings) -> int:
    """Check every link, carrying on past a break; returns how many events verified before the first problem."""
    dialect = connection.dialect.name
    query = _select_events(dialect)
    expected_prev: str | None = GENESIS_HASH  # None: the previous row could not be read, so its hash is unknown
    expected_id = 1
    good = 0
    seen_anchors: set[int] = set()
    last_id = _BEFORE_ALL_IDS  # not 0: a row forged with id 0 or below must not be skipped
    last_chain_id = 0
    last_hash: str | None = GENESIS_HASH
    while True:
        try:
            rows = connection.execute(query, {"after": last_id, "n": batch}).all()
        except (DataError, UnicodeDecodeError, ValueError) as exc:
            findings.add(max(last_chain_id, 0) + 1, f"the events after event {max(last_chain_id, 0)} cannot be read "
                                                    f"({_first_line(exc)}); the rest of the chain was not checked")
            return good
        if not rows:
            break
        for row in rows:
            last_id = row.id
            if row.id < expected_id:
                findings.add(row.id, f"event {row.id} is not part of the chain, which starts at event 1")
                continue
            problem = None
            if row.id != expected_id:
                findings.add(expected_id, f"event {expected_id} is missing (next event is {row.id})")
                expected_prev = None  # the link to a missing event cannot be checked; the gap is the problem
            parsed, problem = _parse(row, dialect)
            stored_hash = None
            if parsed is not None:
                at, actor_id, v = parsed
                stored_hash = v["hash"]
                if expected_prev is not None and v["prev_hash"] != expected_prev:
                    problem = f"event {row.id} does not follow event {row.id - 1}"
                elif event_hash(v["prev_hash"], row.id, at, actor_id, v["actor"], v["terminal"], v["action"],  # type: ignore[arg-type]  # prev_hash, actor, terminal, action: NOT NULL columns
                                v["entity"], v["entity_id"], v["detail"]) != stored_hash:
                    problem = f"event {row.id} was altered after it was written" + _legacy_hint(v)
                elif row.id in anchors and anchors[row.id] != stored_hash:
                    problem = (f"event {row.id} does not have the hash anchored for it; the chain was "
                               f"rewritten at or before event {row.id}")
            if row.id in anchors:
                seen_anchors.add(row.id)
            if problem:
                findings.add(row.id, problem)
            if not findings:
                good += 1
            expected_prev = stored_hash
            expected_id = row.id + 1
            last_chain_id = row.id
            last_hash = stored_hash
    for anchored in sorted(set(anchors) - seen_anchors):
        if anchored > last_chain_id:
            findings.add(last_chain_id + 1, f"event {anchored} was anchored, but the chain ends at event "
                                            f"{last_chain_id}; events were deleted")
            break
        findings.add(anchored, f"event {anchored} was anchored, but it is missing from the chain")
    if head is None:
        return good
    if head.last_id > last_chain_id:
        findings.add(last_chain_id + 1, f"the chain ends at event {last_chain_id} but the head records event "
                                        f"{head.last_id}; events were deleted from the end")
    elif head.last_id < last_chain_id:
        findings.add(head.last_id + 1, f"the head records event {head.last_id} as the last, but the chain goes on "
                                       f"to event {last_chain_id}; events from {head.last_id + 1} were added outside "
                                       "duty-tui")
    elif last_hash is not None and head.last_hash != last_hash:  # an unreadable last row is reported already
        findings.add(last_chain_id or 1, f"event {last_chain_id} is not the event the head recorded; it was replaced"
                     if last_chain_id else "the chain is empty but the head's hash is not the starting hash; the head "
                                           "was changed outside duty-tui")
    return good


def _legacy_hint(values: dict[str, str | None]) -> str:
    """Why a genuine event may fail: before issue 10, record() hashed a terminal name longer than its
    column and stored it cut, so such an event can never verify. Said, so a person can judge; the event
    still counts as broken, and every later event is still checked."""
    length = column_length("terminal")
    if length is not None and len(values["terminal"] or "") == length:
        return (f" (or it is genuine: its terminal name fills the {length}-character column, and duty-tui "
                "before the issue-10 fix hashed longer names before cutting them; later events are still checked)")
    return ""


def _first_line(exc: BaseException) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
