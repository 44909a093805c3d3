"""A fast pre-flight check of the database, before the app draws its first screen.

It uses only the DB-API drivers (sqlite3, psycopg) and reads the migration files
as text, so that starting `duty-tui` does not wait for SQLAlchemy and Alembic to
import: those load in the background once the first screen is up. The rules are
the same as ``duty_tui.core.db.migrate.check_current`` (a test keeps the two in step).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from duty_tui.core.config.preview import hide_password
from duty_tui.core.config.private_files import missing_database_problem, permission_problem
from duty_tui.core.domain.errors import DatabaseNotWritable, EnvironmentProblem

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]+)?=\s*(.+)$", re.M)


def version_folders(migrations_dir: Path | None = None) -> list[Path]:
    """Where the revisions are: the core's ``migrations/versions``, then each area's branch in
    ``<area>/db/migrations`` (duty_tui.core.registry: the areas of this build). Found without
    importing any area's code, so the start-up check stays fast."""
    import importlib.util

    from duty_tui.core import registry

    folders = [(migrations_dir or MIGRATIONS_DIR) / "versions"]
    for area in registry.areas():
        if area.migrations:
            spec = importlib.util.find_spec(area.package)  # where its package is, without running its code
            if spec is None or not spec.submodule_search_locations:
                raise LookupError(f"area {area.name}: its package {area.package} is not installed")
            folders.append(Path(next(iter(spec.submodule_search_locations))) / "db" / "migrations")
    return folders


def _revision_files(migrations_dir: Path | None = None) -> list[Path]:
    return [path for folder in version_folders(migrations_dir) for path in sorted(folder.glob("*.py"))]


def migration_heads(migrations_dir: Path | None = None) -> set[str]:
    """Revisions that no other migration builds on, read from the files' text."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in _revision_files(migrations_dir):
        text = path.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if not found:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(text)
        if down:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions - parents


def compare_revisions(current: set[str], heads: set[str], known: set[str] | None, url: str) -> None:
    """Raise EnvironmentProblem unless ``current`` is every head; the message says what to run."""
    label = lambda revs: "+".join(sorted(revs)) or "empty"  # noqa: E731
    if not current:
        raise EnvironmentProblem(
            f"database {url} has no duty-tui schema yet; run: duty-tui db upgrade "
            "(or duty-tui demo to create a demo office)"
        )
    if current == heads:
        return
    unknown = current - known if known is not None else set()
    if unknown:
        raise EnvironmentProblem(
            f"database {url} is at schema revision {label(unknown)}, newer than this program knows "
            f"({label(heads)}), or made by an area this build leaves out (duty_tui.areas.AREAS); "
            "upgrade duty-tui, or use the build that made it"
        )
    raise EnvironmentProblem(
        f"database {url} is at an older schema revision ({label(current)}, current is {label(heads)}); "
        "run: duty-tui db upgrade"
    )


@dataclass(frozen=True)
class Preflight:
    """What the first screen needs to know before the full database layer is loaded."""

    demo: bool


def _known_revisions(migrations_dir: Path | None = None) -> set[str]:
    found: set[str] = set()
    for path in _revision_files(migrations_dir):
        match = _REVISION.search(path.read_text(encoding="utf-8"))
        if match:
            found.add(match.group(1))
    return found


def check(url: str) -> Preflight:
    """Reachable, at the current schema, and whether it holds the demo office."""
    shown = hide_password(url)
    scheme = url.split("://", 1)[0]
    if scheme.startswith("sqlite"):
        rows, demo = _sqlite(url, shown)
    elif scheme.startswith("postgresql"):
        rows, demo = _postgres(url, shown)
    else:
        raise EnvironmentProblem(f"database URL {shown!r}: backend {scheme!r} is not supported; use sqlite or postgresql")
    compare_revisions(rows, migration_heads(), _known_revisions(), shown)
    return Preflight(demo=demo)


def _sqlite(url: str, shown: str) -> tuple[set[str], bool]:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        return set(), False
    file = Path(path).expanduser()
    missing = missing_database_problem(shown, file)
    if missing:
        raise EnvironmentProblem(missing)  # and no file or folder is created
    # The app writes from its first sign-in (the audit trail): a database this user may read but not
    # write is refused now, with the permissions to fix, rather than failing at every save.
    denied = permission_problem(shown, file)
    if denied:
        raise DatabaseNotWritable(denied)
    try:
        connection = sqlite3.connect(f"file:{quote(str(file))}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise EnvironmentProblem(f"database {shown} cannot be opened ({exc}); check the path and permissions") from None
    try:
        try:
            revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
        except sqlite3.DatabaseError as exc:
            message = str(exc).lower()
            if "no such table" in message:
                return set(), False
            if "locked" in message or "busy" in message:
                raise EnvironmentProblem(f"database {shown} is locked by another program; close it and try again") from None
            if "not a database" in message or "malformed" in message:
                raise EnvironmentProblem(
                    f"database {shown} is not a usable SQLite database ({exc}); restore it from backup or point --db elsewhere"
                ) from None
            if "readonly" in message or "read-only" in message or "unable to open" in message:
                raise DatabaseNotWritable(
                    f"database {shown} cannot be opened for writing ({exc}): the file or its folder is read-only "
                    "(a read-only disk or mount?); make both writable for this user. The database itself is not damaged"
                ) from None
            raise EnvironmentProblem(f"database {shown} cannot be read ({exc}); check the path and permissions") from None
        try:
            demo = connection.execute("SELECT value FROM db_setting WHERE key = 'demo'").fetchone()
        except sqlite3.DatabaseError:
            demo = None
        return revisions, bool(demo and demo[0] == "1")
    finally:
        connection.close()


_APP_WRITES = (("audit_event", "INSERT"), ("audit_head", "UPDATE"), ("staff_user", "UPDATE"))
"""What the app writes from the first sign-in, so what a role must be granted to use it at all."""


def _role_message(shown: str, role: str, detail: str) -> str:
    # Keep in step with duty_tui.core.db.engine.environment_problem's message for SQLSTATE 42501.
    return (f"database {shown}: the PostgreSQL role {role} may not do what duty-tui needs ({detail}); the app "
            f"reads and writes its tables: as the owner of the tables run duty-tui db grants --app-role {role} "
            "(or GRANT SELECT, INSERT, UPDATE, DELETE on them). The database itself is not damaged")


def _postgres(url: str, shown: str) -> tuple[set[str], bool]:
    import psycopg

    parts = urlsplit(url)
    conninfo = {
        "host": parts.hostname or None,
        "port": parts.port or None,
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "dbname": parts.path.lstrip("/") or None,
        "connect_timeout": 10,
    }
    try:
        with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}) as connection:
            role = conninfo.get("user") or "(the connecting role)"
            try:
                revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
            except psycopg.errors.UndefinedTable:
                return set(), False
            except psycopg.errors.InsufficientPrivilege as exc:
                raise DatabaseNotWritable(_role_message(shown, role, str(exc).strip().splitlines()[0])) from None
            connection.rollback()
            if revisions:
                # Signing in writes the audit trail (and the failed-sign-in count): a role that may only
                # read is refused now, with the grant to fix, rather than at the first save.
                lacking = [f"{privilege} on {table}" for table, privilege in _APP_WRITES
                           if not connection.execute("SELECT has_table_privilege(%s, %s)",
                                                     (table, privilege)).fetchone()[0]]
                connection.rollback()
                if lacking:
                    raise DatabaseNotWritable(_role_message(shown, role, "no " + ", no ".join(lacking)))
            try:
                demo = connection.execute("SELECT value FROM db_setting WHERE key = 'demo'").fetchone()
            except psycopg.Error:
                demo = None
            return revisions, bool(demo and demo[0] == "1")
    except psycopg.OperationalError as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc) else "connection failed"
        if "password authentication failed" in detail.lower():
            raise EnvironmentProblem(f"database {shown}: the server refused the password; check DUTY_DB_URL") from None
        raise EnvironmentProblem(
            f"database {shown} cannot be reached ({detail}); check the server is running and the URL is right"
        ) from None


def check_engine(engine, migrations_dir: Path | None = None) -> None:
    """``check`` for a command that already has its engine: the database's revisions read with one plain
    query, the program's read from the migration files as text (``migration_heads``), so a command
    that only reads or writes rows never loads Alembic (about a third of a second)."""
    compare_revisions(stored_revisions(engine), migration_heads(migrations_dir), _known_revisions(migrations_dir),
                      hide_password(str(engine.url)))


def stored_revisions(engine) -> set[str]:
    """The database's schema revisions (one per branch; empty when never migrated), by one plain query."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import DBAPIError, OperationalError

    from duty_tui.core.db.engine import environment_problem

    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return set()
            return {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except (OperationalError, DBAPIError) as exc:
        raise environment_problem(engine, exc) from None
