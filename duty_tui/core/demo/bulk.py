"""Bulk loading for the demo office: rows as tuples in, executemany (SQLite) or COPY (PostgreSQL) out.

The demo generator never goes through the ORM row by row. Each table is written
from an iterator of tuples in chunks, inside a few long transactions:

- SQLite: the driver's ``executemany`` with values already in the form
  SQLAlchemy itself stores (dates ``YYYY-MM-DD``, UTC timestamps
  ``YYYY-MM-DD HH:MM:SS.ffffff``), foreign-key checks and fsync off for the
  load only (ids are assigned here, so references are right by construction;
  the tests run ``PRAGMA foreign_key_check``).
- PostgreSQL: psycopg ``COPY ... FROM STDIN`` with aware UTC datetimes. When the
  user is a superuser the load runs with ``session_replication_role = replica``
  (no per-row foreign-key triggers, ~2.5x faster), otherwise with the checks on.

``Loader.day`` / ``Loader.at`` / ``Loader.moment`` turn dates and UK wall-clock
times into the value the backend wants, so every generator stays backend-neutral.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

from sqlalchemy import Connection, Engine, MetaData, Table, inspect, text
from sqlmodel.sql.sqltypes import UTCDateTime

from duty_tui.core.db import kept_balance
from duty_tui.core.domain.local_time import UK

CHUNK = 25_000
"""Rows per executemany call (SQLite) / per progress tick."""

SQLITE_COMMIT_ROWS = 500_000
"""SQLite commits this often in a long load, so the WAL file is checkpointed and stays small."""

AUDIT_GENESIS = "0" * 64
"""The audit chain's genesis hash, as the first migration seeds it."""

KEEP_TABLES = frozenset({"alembic_version"})
"""Tables that reset leaves alone."""

USE_REPLICA_ROLE = True
"""PostgreSQL: skip per-row foreign-key triggers during the load when the user is a superuser."""

Progress = Callable[[str], None]


def chunked(rows: Iterable, size: int = CHUNK) -> Iterator[list]:
    """Lists of at most ``size`` items from ``rows``."""
    iterator = iter(rows)
    while True:
        block = list(islice(iterator, size))
        if not block:
            return
        yield block


class Loader:
    """Writes tuples to tables on one connection, counting rows per table."""

    def __init__(self, connection: Connection, progress: Progress | None = None) -> None:
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"
        self.progress = progress or (lambda _message: None)
        self.counts: dict[str, int] = {}
        self._dbapi = connection.connection.dbapi_connection
        self._quote = connection.dialect.identifier_preparer.quote
        self._days: dict[date, object] = {}
        self._bases: dict[date, object] = {}
        self._clock: dict[int, str] = {}
        self._columns: dict[str, set[str]] = {}
        self._dt_bind = UTCDateTime().dialect_impl(connection.dialect).bind_processor(connection.dialect)
        self.replica = False

    # -- values ------------------------------------------------------------------

    def day(self, d: date | None):
        """A date column value."""
        if d is None or not self.sqlite:
            return d
        value = self._days.get(d)
        if value is None:
            value = self._days[d] = d.isoformat()
        return value

    def moment(self, moment: datetime | None):
        """A timestamp column value from an aware datetime (naive ones are refused, as the ORM does)."""
        if moment is None:
            return None
        if moment.utcoffset() is None:
            raise ValueError("demo timestamps must be timezone-aware")
        if self.sqlite:
            return self._dt_bind(moment)
        return moment.astimezone(UTC)

    def at(self, d: date, seconds: int):
        """The timestamp value of UK wall-clock time ``seconds`` after midnight on ``d``.

        The UTC offset is taken at noon of that day, so only times before 02:00
        on the two Sundays the clocks change are an hour out; nothing the demo
        writes happens then.
        """
        base = self._bases.get(d)
        if base is None:
            offset = int(datetime.combine(d, time(12), tzinfo=UK).utcoffset().total_seconds())  # type: ignore[union-attr]  # an aware datetime has an offset
            midnight = datetime(d.year, d.month, d.day, tzinfo=UTC) - timedelta(seconds=offset)
            base = self._bases[d] = (d, offset) if self.sqlite else midnight
        if not self.sqlite:
            return base + timedelta(seconds=seconds)  # type: ignore[operator]  # not SQLite: base is a datetime
        utc_day, offset = base  # type: ignore[misc]  # SQLite: base is (day, offset)
        seconds -= offset
        while seconds < 0:
            utc_day -= timedelta(days=1)
            seconds += 86_400
        while seconds >= 86_400:
            utc_day += timedelta(days=1)
            seconds -= 86_400
        clock = self._clock.get(seconds)
        if clock is None:
            hours, rest = divmod(seconds, 3600)
            clock = self._clock[seconds] = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000000"
        return f"{self.day(utc_day)} {clock}"

    # -- schema ------------------------------------------------------------------

    def columns(self, table: str) -> set[str]:
        """The columns the database's ``table`` really has (empty when the table is absent)."""
        if table not in self._columns:
            inspector = inspect(self.connection)
            self._columns[table] = (
                {c["name"] for c in inspector.get_columns(table)} if inspector.has_table(table) else set()
            )
        return self._columns[table]

    def required(self, table: str) -> set[str]:
        """Columns of ``table`` that must be given a value (NOT NULL, no server default, not an identity)."""
        inspector = inspect(self.connection)
        if not inspector.has_table(table):
            return set()
        return {c["name"] for c in inspector.get_columns(table)
                if not c.get("nullable", True) and c.get("default") is None and c.get("autoincrement") is not True
                and c["name"] != "id"}

    # -- writing -----------------------------------------------------------------

    def begin_load(self) -> None:
        """Per-connection settings for a fast load (undone by ``end_load``)."""
        if self.sqlite:
            # Only outside a transaction can foreign_keys change.
            if self.connection.in_transaction():
                self.connection.commit()
            self._dbapi.execute("PRAGMA foreign_keys = OFF")
            self._dbapi.execute("PRAGMA synchronous = OFF")
            self._dbapi.execute("PRAGMA cache_size = -262144")  # 256 MB
        else:
            superuser = self.connection.execute(text("SHOW is_superuser")).scalar() == "on"
            self.connection.commit()
            if superuser and USE_REPLICA_ROLE:
                self.connection.execute(text("SET session_replication_role = replica"))
                self.connection.commit()
                self.replica = True

    def end_load(self) -> None:
        """Back to the engine's usual settings."""
        if self.connection.in_transaction():
            self.connection.rollback()
        if self.sqlite:
            self._dbapi.execute("PRAGMA foreign_keys = ON")
            self._dbapi.execute("PRAGMA synchronous = NORMAL")
            self._dbapi.execute("PRAGMA cache_size = -2000")
        elif self.replica:
            self.connection.execute(text("SET session_replication_role = origin"))
            self.connection.commit()
            self.replica = False

    def commit(self) -> None:
        """Commit what has been written so far."""
        if self.connection.in_transaction():
            self.connection.commit()

    def insert(self, table: str | Table, columns: Sequence[str], rows: Iterable[Sequence],
               *, label: str | None = None, expected: int | None = None) -> int:
        """Write ``rows`` (tuples in ``columns`` order) to ``table``; returns how many."""
        name = table if isinstance(table, str) else table.name
        if not self.connection.in_transaction():
            self.connection.begin()
        column_list = ", ".join(self._quote(c) for c in columns)
        written = 0
        tick = _time.perf_counter()
        if self.sqlite:
            sql = f"INSERT INTO {self._quote(name)} ({column_list}) VALUES ({', '.join('?' * len(columns))})"
            cursor = self._dbapi.cursor()
            try:
                since_commit = 0
                for block in chunked(rows):
                    cursor.executemany(sql, block)
                    written += len(block)
                    since_commit += len(block)
                    if since_commit >= SQLITE_COMMIT_ROWS:
                        self.connection.commit()
                        self.connection.begin()
                        since_commit = 0
                    tick = self._tick(label or name, written, expected, tick)
            finally:
                cursor.close()
        else:
            with self._dbapi.cursor() as cursor, cursor.copy(
                f"COPY {self._quote(name)} ({column_list}) FROM STDIN"
            ) as copy:
                write_row = copy.write_row
                for block in chunked(rows):
                    for row in block:
                        write_row(row)
                    written += len(block)
                    tick = self._tick(label or name, written, expected, tick)
        self.counts[name] = self.counts.get(name, 0) + written
        return written

    def _tick(self, label: str, written: int, expected: int | None, last: float) -> float:
        now = _time.perf_counter()
        if now - last >= 10.0:
            of = f" of ~{expected:,}" if expected else ""
            self.progress(f"  {label}: {written:,}{of} rows")
            return now
        return last

    def execute(self, sql: str, params: dict | None = None) -> None:
        """Run one statement in the current transaction."""
        if not self.connection.in_transaction():
            self.connection.begin()
        self.connection.execute(text(sql), params or {})

    def finish(self, tables: Iterable[str]) -> None:
        """Move PostgreSQL id sequences past the ids written, then ANALYZE (both backends)."""
        self.commit()
        if not self.sqlite:
            for name in tables:
                if "id" not in self.columns(name):
                    continue
                sequence = self.connection.execute(
                    text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
                if sequence:
                    self.connection.execute(text(
                        f"SELECT setval(:s, COALESCE((SELECT max(id) FROM {self._quote(name)}), 0) + 1, false)"),
                        {"s": sequence})
            self.commit()
        self.progress("  analysing tables")
        self.connection.execute(text("ANALYZE"))
        self.commit()


# -- whole-database helpers ---------------------------------------------------------


def app_tables(connection: Connection) -> list[Table]:
    """Every table but alembic_version, parents before children (reflected, so new modules' tables count)."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return [t for t in metadata.sorted_tables if t.name not in KEEP_TABLES]


def has_rows(engine: Engine, *tables: str) -> bool:
    """True when any of ``tables`` (that exists) holds a row."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        for name in tables:
            if inspector.has_table(name) and connection.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first():
                return True
    return False


def empty_database(engine: Engine) -> None:
    """Delete every row of every app table and re-seed audit_head, as a fresh migration leaves it."""
    with engine.connect() as connection:
        tables = app_tables(connection)
        connection.rollback()
        if connection.dialect.name == "sqlite":
            dbapi = connection.connection.dbapi_connection
            dbapi.execute("PRAGMA foreign_keys = OFF")
            try:
                connection.begin()
                with kept_balance.suspended(connection):  # a delete trigger per ledger row would crawl
                    for table in reversed(tables):
                        connection.execute(text(f'DELETE FROM "{table.name}"'))
                has_sequence = connection.execute(
                    text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first()
                if has_sequence:
                    connection.execute(text("DELETE FROM sqlite_sequence"))
                _seed_audit_head(connection)
                connection.commit()
            finally:
                if connection.in_transaction():
                    connection.rollback()
                dbapi.execute("PRAGMA foreign_keys = ON")
        else:
            connection.begin()
            if tables:
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            _seed_audit_head(connection)
            connection.commit()


def _seed_audit_head(connection: Connection) -> None:
    if inspect(connection).has_table("audit_head"):
        connection.execute(text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"),
                           {"h": AUDIT_GENESIS})
