"""The engine factory: one URL, SQLite file or PostgreSQL, with friendly failures.

SQLite runs in WAL mode with a busy timeout and foreign keys on. Transactions
are begun explicitly: ``write=True`` sessions take the write lock up front
(``BEGIN IMMEDIATE``) so two terminals never deadlock upgrading a read lock, and
on a SQLite file they first wait their turn among the writers (writer_turns.py).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from duty_tui.core.config.private_files import (
    create_private_file,
    make_private_folder,
    missing_database_problem,
    permission_problem,
    sqlite_file,
)
from duty_tui.core.config.settings import Settings, default_db_path, hide_password
from duty_tui.core.db.writer_turns import Turn, TurnTimeout, take_turn
from duty_tui.core.domain.errors import DatabaseNotWritable, DatabaseUnavailable, EnvironmentProblem

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded SQLite backend."""
    return engine.dialect.name == "sqlite"


def engine_from_settings(settings: Settings, *, create: bool = False) -> Engine:
    """The engine a terminal or a command uses: ``db_url`` with the ``db_pool_size`` and ``db_pool_overflow``
    settings (PostgreSQL; SQLite ignores them). Never creates a database unless ``create``."""
    return make_engine(settings.db_url, create=create, pool_size=settings.db_pool_size,
                       max_overflow=settings.db_pool_overflow)


def make_engine(url: str, *, create: bool = True, pool_size: int = 5, max_overflow: int = 10,
                pool_timeout: float = 30.0) -> Engine:
    """Build the engine for ``url``; raises EnvironmentProblem on a bad URL.

    PostgreSQL: a pool of ``pool_size`` connections kept open once used, and up to ``max_overflow``
    more in a burst (closed when returned); a caller that finds all of them busy for ``pool_timeout``
    seconds gets DatabaseUnavailable naming the settings. Terminals and commands build theirs with
    ``engine_from_settings`` (2 + 2 by default); the larger defaults here serve tests and tools.

    SQLite and new files: with ``create`` (``duty-tui demo``, ``duty-tui db upgrade``, tests) a
    missing database file is created, mode 0600, but only in a folder that exists or in the
    default data folder (created 0700); any other missing folder is an EnvironmentProblem and
    nothing is created. Without ``create`` (every other command and the app) the file is opened
    read-write only if it is already there: a mistyped ``--db`` never leaves an empty database
    behind. SQLite gives its ``-wal`` and ``-shm`` files the database file's mode.

    SQL parameters are never put into error messages (``hide_parameters``): they hold personal data,
    and error text can reach the screen and the crash log.
    """
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
        path = Path(database).expanduser() if database and database != ":memory:" and not parsed.query.get("uri") \
            else None
        if path is not None and create:
            _prepare_folder(hide_password(url), path)
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            hide_parameters=True,
        )
        if path is not None:
            _open_sqlite_file(engine, path, create=create)
        _configure_sqlite(engine, path)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout,
                                 pool_pre_ping=True, hide_parameters=True)
        except ModuleNotFoundError as exc:
            raise EnvironmentProblem(
                f"the PostgreSQL driver is missing ({exc.name}); install psycopg[binary] "
                "or use a postgresql+psycopg:// URL"
            ) from None
    raise EnvironmentProblem(
        f"database URL {hide_password(url)!r}: backend {backend!r} is not supported; use sqlite or postgresql"
    )


def _prepare_folder(shown: str, path: Path) -> None:
    """The folder a new database may be created in: one that exists, or the default data folder (made 0700)."""
    folder = path.parent
    if folder.is_dir():
        return
    if folder.resolve() == default_db_path().parent.resolve():
        try:
            make_private_folder(folder)
        except OSError as exc:
            raise EnvironmentProblem(
                f"database {shown}: cannot create the data folder {folder} ({exc.strerror or exc}); "
                "check you may write to its parent, or point --db elsewhere"
            ) from None
        return
    problem = missing_database_problem(shown, path)
    raise EnvironmentProblem(problem or f"database {shown}: the folder {folder} does not exist")


def _open_sqlite_file(engine: Engine, path: Path, *, create: bool) -> None:
    """Open the file read-write and never create it, unless ``create`` (then create it 0600 first)."""

    @event.listens_for(engine, "do_connect")
    def _do_connect(_dialect, _record, cargs, cparams) -> None:  # pragma: no cover - exercised by every test
        if create:
            with contextlib.suppress(OSError):  # a folder we may not write: sqlite3 says so, and we explain
                create_private_file(path)
            return
        # mode=rw: SQLite's own "open only if it exists" — no file appears for a mistyped --db.
        cargs[0] = f"file:{quote(str(path))}?mode=rw"
        cparams["uri"] = True


def _configure_sqlite(engine: Engine, path: Path | None) -> None:
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
        options = connection.get_execution_options()
        if options.get("duty_write"):
            turns = options.get("duty_turn")
            if path is not None and turns is not None and not turns:
                # Writers take turns in the order they come (writer_turns), then take SQLite's lock.
                try:
                    turns.append(take_turn(path, SQLITE_BUSY_TIMEOUT_MS / 1000))
                except TurnTimeout:
                    raise environment_problem(engine, sqlite3.OperationalError("database is locked")) from None
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
    except (OperationalError, DBAPIError, PoolTimeout) as exc:
        raise environment_problem(engine, exc) from None
    turns: list[Turn] = []  # SQLite: this session's writer turn, given back once the connection is closed
    after: list = []  # work queued for after the commit, run once the connection is back in the pool
    try:
        if write:
            connection = connection.execution_options(duty_write=True, duty_turn=turns)
        with Session(bind=connection, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
                after = session.info.pop(AFTER_CLOSE, [])
            except OperationalError as exc:
                _rollback_quietly(session)
                raise environment_problem(engine, exc) from None
            except DBAPIError as exc:
                if not exc.connection_invalidated and not _permission_denied(exc):
                    _rollback_quietly(session)
                    raise
                _rollback_quietly(session)
                raise environment_problem(engine, exc) from None
            except BaseException:
                session.rollback()
                raise
    finally:
        with contextlib.suppress(Exception):  # a connection to a server that went away may not close cleanly
            connection.close()
        for turn in turns:
            turn.release()
    for work in after:  # e.g. sealing audit events that found the head busy (core/services/audit_late.py)
        work()


AFTER_CLOSE = "duty_tui.after_close"
"""``session.info`` key: callables ``session_scope`` runs after a successful commit, once the session's
connection is back in the pool (so they may take a connection of their own without holding two)."""


def _rollback_quietly(session: Session) -> None:
    with contextlib.suppress(Exception):
        session.rollback()


INSUFFICIENT_PRIVILEGE = "42501"
"""PostgreSQL's SQLSTATE for "permission denied" (a role without the grant)."""


def _permission_denied(exc: Exception) -> bool:
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE


TOO_MANY_CONNECTIONS = "53300"
"""PostgreSQL's SQLSTATE when max_connections, or a role's or database's CONNECTION LIMIT, is reached."""

_NO_SLOTS = ("too many clients", "remaining connection slots are reserved", "too many connections for")
"""What PostgreSQL says then (the SQLSTATE is not always set on a refused connection)."""

LIVE_SCREENS = 2
"""Listening connections to allow for per terminal beyond the app's own: the reception queue, the case
queues and a case each hold one while open (README, "How many connections")."""

SETTING_NAMES = "db_pool_size / db_pool_overflow (DUTY_DB_POOL_SIZE, DUTY_DB_POOL_OVERFLOW)"


def _no_connection_slots(exc: Exception, lowered: str) -> bool:
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return sqlstate == TOO_MANY_CONNECTIONS or any(phrase in lowered for phrase in _NO_SLOTS)


def _out_of_connections(engine: Engine, url: str, detail: str, *, pool_timeout: bool) -> DatabaseUnavailable:
    """No connection to be had: this terminal's own pool was busy, or the server refused one more."""
    size = engine.pool.size() if hasattr(engine.pool, "size") else 1
    overflow = max(getattr(engine.pool, "_max_overflow", 0), 0)
    if pool_timeout:
        waited = getattr(engine.pool, "_timeout", 30)
        return DatabaseUnavailable(
            f"database {url}: all {size + overflow} of this terminal's connections (db_pool_size {size} + "
            f"db_pool_overflow {overflow}) stayed busy for {waited:g} s; try again, and if it happens often "
            f"raise {SETTING_NAMES}")
    each = size + overflow + 1 + LIVE_SCREENS
    return DatabaseUnavailable(
        f"database {url}: PostgreSQL refused another connection ({detail}). A terminal holds at most "
        f"db_pool_size {size} + db_pool_overflow {overflow}, 1 that listens for changes and 1 for each open "
        f"screen that updates itself (allow {LIVE_SCREENS}); a running command 1: ask the database administrator "
        f"to set max_connections to at least {each} x terminals + commands + 10 (or raise the CONNECTION LIMIT "
        f"of the role or database, if that is what refused), or lower {SETTING_NAMES} on the terminals")


def environment_problem(engine: Engine, exc: Exception) -> EnvironmentProblem:
    """Turn a driver error into a message that names the problem and the fix."""
    url = hide_password(engine.url.render_as_string(hide_password=False))
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    lowered = detail.lower()
    if is_sqlite(engine):
        path = sqlite_file(engine.url.render_as_string(hide_password=False))
        if "not a database" in lowered or "malformed" in lowered:
            return EnvironmentProblem(
                f"database {url} is not a usable SQLite database ({detail}); restore it from backup or point --db elsewhere"
            )
        if "locked" in lowered or "busy" in lowered:
            return DatabaseUnavailable(
                f"database {url} is locked by another program; close it (or wait) and try again ({detail})"
            )
        # A file, -wal, -shm or folder this user may not write, or a file that is not there, is a
        # permissions or path problem: say which, never "restore from backup" or "try again".
        missing = missing_database_problem(url, path) if path is not None else None
        if missing:
            return EnvironmentProblem(missing)
        denied = permission_problem(url, path) if path is not None else None
        if denied:
            return DatabaseNotWritable(denied)
        if "readonly" in lowered or "read-only" in lowered:
            return DatabaseNotWritable(
                f"database {url} cannot be written ({detail}): the file or its folder is read-only (a read-only "
                "disk or mount?); make both writable for this user. The database itself is not damaged"
            )
        if "unable to open" in lowered:
            return EnvironmentProblem(
                f"database {url} cannot be opened; check the folder exists and you may write to it ({detail})"
            )
        return EnvironmentProblem(f"database {url}: {detail}")
    if isinstance(exc, PoolTimeout) or _no_connection_slots(exc, lowered):
        return _out_of_connections(engine, url, detail, pool_timeout=isinstance(exc, PoolTimeout))
    if "locked" in lowered or "busy" in lowered:
        return DatabaseUnavailable(
            f"database {url} is locked by another program; close it (or wait) and try again ({detail})"
        )
    if _permission_denied(exc):
        role = engine.url.username or "(the connecting role)"
        return DatabaseNotWritable(
            f"database {url}: the PostgreSQL role {role} may not do what duty-tui needs ({detail}); the app "
            f"reads and writes its tables: as the owner of the tables run duty-tui db grants --app-role {role} "
            "(or GRANT SELECT, INSERT, UPDATE, DELETE on them). The database itself is not damaged"
        )
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
    if "read-only transaction" in lowered:
        return DatabaseNotWritable(
            f"database {url} accepts reads only ({detail}): it is a read-only replica or in read-only mode; "
            "point DUTY_DB_URL at the primary server. The database itself is not damaged"
        )
    return EnvironmentProblem(f"database {url}: {detail}")


def ping(engine: Engine) -> None:
    """Connect once; raises EnvironmentProblem if the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError, PoolTimeout) as exc:
        raise environment_problem(engine, exc) from None
