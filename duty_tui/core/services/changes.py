"""Change notifications between terminals: one terminal writes, the others refresh without a key.

Writers call ``notify(session, channel)`` inside their transaction; listeners hold a
``ChangeFeed`` for the channels they show and call ``feed.wait(timeout)`` in a worker
thread, which returns the channels that changed (an empty set on timeout).

* PostgreSQL: ``pg_notify`` in the writing transaction (delivered at commit) and
  ``LISTEN`` on a dedicated psycopg connection owned by the feed.
* SQLite: the writer bumps a per-channel counter (``change_signal``); the feed's own
  sqlite3 connection polls ``PRAGMA data_version`` (cheap: it changes only when
  another connection commits) and, when it moves, reads the counters to see which
  channels changed.

A feed is used from one thread (a Textual thread worker loops on ``wait``); close
it in that thread's ``finally``. Channels in use: ``callers`` (reception queue),
``cases`` (queues, timelines), ``contacts``.

Record changes (what the screens watch): a service that saves calls
``record_changed(session, "person", ref)`` (kinds: person, account, case, caller, contact)
inside its transaction. When it commits:

* this process hears it at once: ``subscribe(engine, callback)`` callbacks get the
  ``Change`` set (the TUI posts it to the app, which reloads every screen showing it);
* other terminals hear it through the feed: the channel ``"person:P0000001"`` (on
  PostgreSQL a NOTIFY payload, on SQLite a ``change_signal`` row; a key too long for the
  row bumps the kind alone, ``"person"``, meaning "some person"). A feed watching the kind
  ``person`` returns both forms; ``parse_channel`` turns them back into a ``Change``.

The legacy channels (cases, callers, contacts) are bumped too, so screens listening for
them keep working.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, event, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from duty_tui.core.db.engine import environment_problem
from duty_tui.core.db.models import ChangeSignal

PG_CHANNEL = "duty_changes"
"""The one PostgreSQL NOTIFY channel; the payload names the logical channel."""

ANY = "*"
"""Returned by ``wait`` when the feed lost track (reconnected) and everything should reload."""

DEFAULT_POLL_SECONDS = 0.25

KINDS = ("person", "account", "case", "caller", "contact")
"""The kinds of record a screen can watch."""

_LEGACY = {"case": "cases", "caller": "callers", "contact": "contacts"}
_PENDING = "duty_record_changes"
_LEGACY_BUMPED = "duty_legacy_channels"
_MAX_CHANNEL = 32


@dataclass(frozen=True)
class Change:
    """One record that changed: ``Change("person", "P0000001")``; ``key`` None means "some record of this kind"."""

    kind: str
    key: str | None = None

    @property
    def channel(self) -> str:
        """The channel name another terminal hears it on."""
        return self.kind if self.key is None else f"{self.kind}:{self.key}"


def parse_channel(channel: str) -> Change | None:
    """The Change a feed channel names (``"person:P1"`` or ``"person"``), or None for another channel."""
    kind, _, key = channel.partition(":")
    if kind not in KINDS:
        return None
    return Change(kind, key or None)


_listeners: dict[int, list[Callable[[frozenset[Change]], None]]] = {}
_listeners_lock = threading.Lock()


def subscribe(engine: Engine, callback: Callable[[frozenset[Change]], None]) -> Callable[[], None]:
    """Call ``callback(changes)`` (on the committing thread) whenever this process commits record changes
    on ``engine``; returns a function that unsubscribes."""
    key = id(engine)
    with _listeners_lock:
        _listeners.setdefault(key, []).append(callback)

    def unsubscribe() -> None:
        with _listeners_lock:
            callbacks = _listeners.get(key, [])
            if callback in callbacks:
                callbacks.remove(callback)
            if not callbacks:
                _listeners.pop(key, None)

    return unsubscribe


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return getattr(bind, "engine", bind)


def _after_commit(session: Session) -> None:
    session.info.pop(_LEGACY_BUMPED, None)
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    changes = frozenset(pending)
    with _listeners_lock:
        callbacks = list(_listeners.get(id(_engine_of(session)), ()))
    for callback in callbacks:
        with contextlib.suppress(Exception):  # a listener's failure never undoes a committed save
            callback(changes)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_LEGACY_BUMPED, None)


def record_changed(session: Session, kind: str, *keys: object) -> None:
    """Say, inside the saving transaction, that these records changed; heard when it commits.

    ``record_changed(session, "person", person.ref)``; ``kind`` is one of KINDS. A key of None is
    skipped; with no keys at all the change is "some record of this kind".
    """
    if kind not in KINDS:
        raise ValueError(f"unknown change kind {kind!r}; use one of {', '.join(KINDS)}")
    if _PENDING not in session.info:
        session.info[_PENDING] = set()
        if not session.info.get("duty_change_hooks"):
            session.info["duty_change_hooks"] = True
            event.listen(session, "after_commit", _after_commit)
            event.listen(session, "after_rollback", _after_rollback)
    pending: set[Change] = session.info[_PENDING]
    wanted = [Change(kind, str(key)) for key in keys if key is not None] or [Change(kind)]
    for change in wanted:
        if change in pending:
            continue
        pending.add(change)
        channel = change.channel if len(change.channel) <= _MAX_CHANNEL else kind
        notify(session, channel)
    legacy = _LEGACY.get(kind)
    bumped: set[str] = session.info.setdefault(_LEGACY_BUMPED, set())
    if legacy is not None and legacy not in bumped:
        bumped.add(legacy)
        notify(session, legacy)


def notify(session: Session, channel: str) -> None:
    """Tell other terminals that ``channel`` changed, when this transaction commits."""
    if len(channel) > 32:
        raise ValueError("a change channel name is at most 32 characters")
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:pg, :channel)"), {"pg": PG_CHANNEL, "channel": channel})
        return
    from datetime import UTC, datetime

    statement = sqlite_insert(ChangeSignal).values(channel=channel, seq=1, at=datetime.now(UTC))
    statement = statement.on_conflict_do_update(
        index_elements=["channel"], set_={"seq": ChangeSignal.seq + 1, "at": statement.excluded.at})
    session.execute(statement)


class ChangeFeed:
    """Waits for changes on some channels, for one listening thread."""

    def __init__(self, engine: Engine, channels: Iterable[str], *, poll_seconds: float = DEFAULT_POLL_SECONDS) -> None:
        self.engine = engine
        self.channels = frozenset(channels)
        self.poll_seconds = poll_seconds
        self._closed = threading.Event()
        self._pg = None
        self._sqlite: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._seqs: dict[str, int] = {}
        self._fallback_engine_poll = False
        self._open()

    # -- connections -----------------------------------------------------------------

    @property
    def backend(self) -> str:
        """'postgresql' or 'sqlite'."""
        return self.engine.dialect.name

    def _open(self) -> None:
        if self.backend == "postgresql":
            import psycopg

            url = self.engine.url.set(drivername="postgresql")
            try:
                self._pg = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
                self._pg.execute(f"LISTEN {PG_CHANNEL}")
            except psycopg.Error as exc:
                self._pg = None
                raise environment_problem(self.engine, exc) from None
            return
        database = self.engine.url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            self._fallback_engine_poll = True  # no file another connection can share: read counters
            self._seqs = self._read_seqs_engine()
            return
        try:
            self._sqlite = sqlite3.connect(database, timeout=10, check_same_thread=False, isolation_level=None)
            self._data_version = self._sqlite.execute("PRAGMA data_version").fetchone()[0]
            self._seqs = self._read_seqs_sqlite()
        except sqlite3.Error as exc:
            self._sqlite = None
            raise environment_problem(self.engine, exc) from None

    def close(self) -> None:
        """Stop listening and close the feed's own connection."""
        self._closed.set()
        with contextlib.suppress(Exception):
            if self._pg is not None:
                self._pg.close()
        with contextlib.suppress(Exception):
            if self._sqlite is not None:
                self._sqlite.close()
        self._pg = None
        self._sqlite = None

    def __enter__(self) -> ChangeFeed:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """True once closed."""
        return self._closed.is_set()

    # -- waiting -----------------------------------------------------------------------

    def wait(self, timeout: float) -> set[str]:
        """Block up to ``timeout`` seconds; the watched channels that changed (empty on timeout)."""
        if self.closed:
            return set()
        if self.backend == "postgresql":
            return self._wait_pg(timeout)
        return self._wait_sqlite(timeout)

    def _wait_pg(self, timeout: float) -> set[str]:
        import psycopg

        deadline = time.monotonic() + timeout
        got: set[str] = set()
        while not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                if self._pg is None:
                    self._open()
                    return {ANY}
                for note in self._pg.notifies(timeout=min(remaining, 0.5), stop_after=1):
                    if self.watches(note.payload):
                        got.add(note.payload)
                if got:
                    # Take whatever else is already queued, without waiting.
                    for note in self._pg.notifies(timeout=0.001):
                        if self.watches(note.payload):
                            got.add(note.payload)
                    break
            except Exception as exc:  # connection lost: reconnect on the next turn
                if self.closed:
                    break
                with contextlib.suppress(Exception):
                    if self._pg is not None:
                        self._pg.close()
                self._pg = None
                if isinstance(exc, psycopg.Error):
                    self._closed.wait(min(1.0, max(0.0, deadline - time.monotonic())))
                    continue
                raise
        return got

    def _read_seqs_sqlite(self) -> dict[str, int]:
        assert self._sqlite is not None
        try:
            return dict(self._sqlite.execute("SELECT channel, seq FROM change_signal").fetchall())
        except sqlite3.OperationalError:
            return {}

    def _read_seqs_engine(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {row[0]: row[1] for row in connection.execute(text("SELECT channel, seq FROM change_signal"))}

    def watches(self, channel: str) -> bool:
        """True for a channel this feed listens to: one of its channels, or a record of a watched kind."""
        return channel in self.channels or channel.partition(":")[0] in self.channels

    def _changed(self, seqs: dict[str, int]) -> set[str]:
        changed = {channel for channel, seq in seqs.items() if self._seqs.get(channel) != seq}
        self._seqs = seqs
        return {channel for channel in changed if self.watches(channel)}

    def _wait_sqlite(self, timeout: float) -> set[str]:
        deadline = time.monotonic() + timeout
        while not self.closed:
            try:
                if self._fallback_engine_poll:
                    changed = self._changed(self._read_seqs_engine())
                else:
                    if self._sqlite is None:
                        self._open()
                        return {ANY}
                    version = self._sqlite.execute("PRAGMA data_version").fetchone()[0]
                    changed = set()
                    if version != self._data_version:
                        self._data_version = version
                        changed = self._changed(self._read_seqs_sqlite())
            except sqlite3.Error:
                with contextlib.suppress(Exception):
                    if self._sqlite is not None:
                        self._sqlite.close()
                self._sqlite = None
                changed = set()
            if changed:
                return changed
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return set()
            self._closed.wait(min(self.poll_seconds, remaining))
        return set()


def open_feed(ctx, channels: Iterable[str], *, poll_seconds: float = DEFAULT_POLL_SECONDS) -> ChangeFeed:
    """A feed on the context's database, for a screen that refreshes when ``channels`` change."""
    return ChangeFeed(ctx.engine, channels, poll_seconds=poll_seconds)


def record_person_id(session: Session, person_id: int | None) -> None:
    """``record_changed`` for a person known by id (nothing for None)."""
    if person_id is None:
        return
    from duty_tui.core.db.models import Person

    person = session.get(Person, person_id)
    if person is not None:
        record_changed(session, "person", person.ref)


def record_case(session: Session, case) -> None:
    """A case changed: the case, and the person it is about (their view lists it)."""
    record_changed(session, "case", case.ref)
    record_person_id(session, getattr(case, "person_id", None))


def record_account(session: Session, account) -> None:
    """An account changed (a payment, a reversal, an arrangement, a refund): the account, and everyone
    whose person view lists it (its named person, or the current members of its tenancy's household)."""
    from sqlmodel import select

    from duty_tui.core.db.models import HouseholdMember, Person, Tenancy

    record_changed(session, "account", account.ref)
    record_person_id(session, getattr(account, "person_id", None))
    if getattr(account, "tenancy_id", None) is None:
        return
    tenancy = session.get(Tenancy, account.tenancy_id)
    if tenancy is None:
        return
    refs = session.exec(select(Person.ref).join(HouseholdMember, HouseholdMember.person_id == Person.id).where(
        HouseholdMember.household_id == tenancy.household_id, col(HouseholdMember.left_on).is_(None))).all()
    if refs:
        record_changed(session, "person", *refs)


def record_account_id(session: Session, account_id: int | None) -> None:
    """``record_account`` for an account known by id (nothing for None)."""
    if account_id is None:
        return
    from duty_tui.core.db.models import Account

    account = session.get(Account, account_id)
    if account is not None:
        record_account(session, account)
