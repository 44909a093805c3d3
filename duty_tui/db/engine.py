"""The engine factory: one URL, SQLite file or PostgreSQL, with friendly failures.

SQLite runs in WAL mode with a busy timeout and foreign keys on. Transactions
are begun explicitly: ``write=True`` sessions take the write lock up front
(``BEGIN IMMEDIATE``) so two terminals never deadlock upgrading a read lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from duty_tui.config import hide_password
from duty_tui.errors import DatabaseUnavailable, EnvironmentProblem

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded SQLite backend."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, create_dir: bool = True, pool_size: int = 5) -> Engine:
    """Build the engine for ``url``; raises EnvironmentProblem on a bad URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise EnvironmentProblem(
            f"database URL {hide_password(url)!r} is not a SQLAlchemy URL; use sqlite:///path/to/file.db "
            "or postgresql+psycopg://user:pass@host:port/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and create_dir:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise EnvironmentProblem(
                f"the PostgreSQL driver is missing ({exc.name}); install psycopg[binary] "
                "or use a postgresql+psycopg:// URL"
            ) from None
    raise EnvironmentProblem(
        f"database URL {hide_password(url)!r}: backend {backend!r} is not supported; use sqlite or postgresql"
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - exercised by every test
        # Let SQLAlchemy's begin events control transactions (pysqlite's own
        # implicit BEGIN does not cover reads, and cannot be IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except Exception:
            pass  # read-only media: keep the default journal
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # pragma: no cover - exercised by every test
        if connection.get_execution_options().get("duty_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


@contextlib.contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error.

    Database failures become EnvironmentProblem with a message that hides passwords.
    """
    try:
        connection = engine.connect()
    except (OperationalError, DBAPIError) as exc:
        raise environment_problem(engine, exc) from None
    try:
        if write:
            connection = connection.execution_options(duty_write=True)
        with Session(bind=connection, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                _rollback_quietly(session)
                raise environment_problem(engine, exc) from None
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    _rollback_quietly(session)
                    raise
                raise environment_problem(engine, exc) from None
            except BaseException:
                session.rollback()
                raise
    finally:
        with contextlib.suppress(Exception):  # a connection to a server that went away may not close cleanly
            connection.close()


def _rollback_quietly(session: Session) -> None:
    with contextlib.suppress(Exception):
        session.rollback()


def environment_problem(engine: Engine, exc: Exception) -> EnvironmentProblem:
    """Turn a driver error into a message that names the problem and the fix."""
    url = hide_password(engine.url.render_as_string(hide_password=False))
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    lowered = detail.lower()
    if "locked" in lowered or "busy" in lowered:
        return DatabaseUnavailable(
            f"database {url} is locked by another program; close it (or wait) and try again ({detail})"
        )
    if is_sqlite(engine):
        if "unable to open" in lowered:
            return EnvironmentProblem(
                f"database {url} cannot be opened; check the folder exists and you may write to it ({detail})"
            )
        if "not a database" in lowered or "malformed" in lowered:
            return EnvironmentProblem(
                f"database {url} is not a usable SQLite database ({detail}); restore it from backup or point --db elsewhere"
            )
    else:
        if "password authentication failed" in lowered:
            return EnvironmentProblem(f"database {url}: the server refused the password; check DUTY_DB_URL")
        if "does not exist" in lowered:
            return EnvironmentProblem(
                f"database {url} cannot be reached ({detail}); check the server is running and the URL is right"
            )
        if ("connection" in lowered or "could not" in lowered or "terminat" in lowered or "server closed" in lowered
                or "shutting down" in lowered or "timeout" in lowered or "timed out" in lowered):
            return DatabaseUnavailable(
                f"database {url} cannot be reached ({detail}); check the server is running and the URL is right"
            )
    return EnvironmentProblem(f"database {url}: {detail}")


def ping(engine: Engine) -> None:
    """Connect once; raises EnvironmentProblem if the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError) as exc:
        raise environment_problem(engine, exc) from None
