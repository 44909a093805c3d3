"""Fixtures shared by every test: databases on both backends, and a clean environment.

The database fixtures are a contract other test modules code against:

- ``engine`` / ``db_url``: a fresh, migrated, empty database; any test that takes
  one runs twice, ``[sqlite]`` and ``[postgres]`` (``db_backend`` is the parameter).
- ``sqlite_url`` / ``sqlite_engine``: SQLite only; ``pg_url`` / ``pg_engine``:
  PostgreSQL only (marked ``postgres`` automatically).
- ``postgres_server``: one throwaway PostgreSQL for the whole run, started with
  pytest-postgresql's executor around ``pg_ctl``. PostgreSQL refuses to run as
  root, so under root ``initdb`` and ``pg_ctl`` run as the ``postgres`` user.
  Its data lives in RAM (/dev/shm) when there is room (``pg_base_dir``).
- ``@pytest.mark.sqlite_only`` on a Pilot journey taking ``engine``: runs it on
  SQLite alone. Service tests always run on both; each area keeps one journey on both.

Under pytest-xdist (``-n auto`` in pyproject) each worker is its own session, so it
starts its own server and SQLite template: nothing is shared between workers.

``pytest -m "not postgres"`` runs everything that needs no server. A missing
PostgreSQL skips the postgres tests, unless ``DUTY_REQUIRE_POSTGRES=1`` (CI sets
it), which makes it a failure.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import port_for
import psycopg
import pytest
from psycopg import sql
from pytest_postgresql.executors import PostgreSQLExecutor
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from duty_tui.core.db.engine import make_engine
from duty_tui.core.db.migrate import upgrade

logger = logging.getLogger(__name__)

PG_TEST_ROLE = "duty_test"
"""The bootstrap superuser of the throwaway cluster; trust auth, no password."""

PG_TEMPLATE_DB = "duty_template"
"""Migrated once per run; every PostgreSQL test database is a copy of it."""

PG_OS_USER = "postgres"
"""The unprivileged OS account that runs the server when the tests run as root."""

PG_HOST = "127.0.0.1"

PG_SERVER_OPTIONS = (
    f"-c listen_addresses={PG_HOST} -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200 -c max_wal_size=128MB -c min_wal_size=32MB"
)
"""A throwaway cluster needs no durability; these make CREATE/DROP DATABASE cheap.

The WAL limits keep the cluster small when it lives in RAM (see ``pg_base_dir``):
every CREATE DATABASE ... TEMPLATE writes the whole template (~10 MB) to the WAL.
"""

PG_RAM_DIRS = ("/dev/shm",)
"""RAM-backed directories tried for the throwaway cluster before the system temp dir."""

PG_RAM_MIN_FREE = 1 << 30
"""Free space a RAM directory must have to be used (Docker's default /dev/shm is 64 MB: too small)."""

INSTALL_HINT = (
    "install the PostgreSQL server (Debian/Ubuntu: sudo apt-get install postgresql; "
    "Fedora: sudo dnf install postgresql-server; macOS: brew install postgresql) "
    "or set DUTY_PG_CTL to the path of its pg_ctl"
)

TEST_INFRA_ENV = frozenset({"DUTY_REQUIRE_POSTGRES", "DUTY_PG_CTL", "DUTY_PG_TMPDIR"})
"""DUTY_* variables that configure the test run itself, kept by the isolation fixture."""


# --- locating PostgreSQL ----------------------------------------------------------
# .ci/run searches in the same order; keep the two in step.


def _is_executable(path: str | Path) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _version_key(pg_ctl: str) -> tuple[int, ...]:
    """Sort key of /usr/lib/postgresql/<version>/bin/pg_ctl by <version>."""
    version = Path(pg_ctl).parent.parent.name
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (-1,)


def find_pg_ctl() -> str | None:
    """Path to pg_ctl: $DUTY_PG_CTL, then pg_config --bindir, /usr/lib/postgresql/*/bin, PATH.

    Returns None when there is none; raises ValueError when DUTY_PG_CTL names no program.
    """
    explicit = os.environ.get("DUTY_PG_CTL")
    if explicit:
        if not _is_executable(explicit):
            raise ValueError(f"DUTY_PG_CTL={explicit!r} is not an executable pg_ctl")
        return explicit
    candidates: list[str] = []
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
        # pg_config ships with the client headers, so the server may still be absent there.
        candidates.append(os.path.join(bindir, "pg_ctl"))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(on_path)
    return next((path for path in candidates if _is_executable(path)), None)


def _postgres_required() -> bool:
    return os.environ.get("DUTY_REQUIRE_POSTGRES", "").strip().lower() in {"1", "true", "yes"}


def _postgres_unavailable(reason: str) -> None:
    """Skip, or fail when DUTY_REQUIRE_POSTGRES=1; never returns."""
    if _postgres_required():
        pytest.fail(f"{reason}; DUTY_REQUIRE_POSTGRES=1 makes this a failure: {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"{reason}; {INSTALL_HINT} (or run pytest -m 'not postgres')")


# --- the throwaway server ---------------------------------------------------------


def pg_base_dir() -> str | None:
    """Where the throwaway cluster goes: $DUTY_PG_TMPDIR, else a roomy RAM disk, else None (TMPDIR).

    On a disk-backed /tmp every CREATE DATABASE ... TEMPLATE costs 0.5-1.5 s of
    write-back even with fsync=off; on tmpfs it costs ~0.06 s, and the suite
    creates one database per PostgreSQL test.
    """
    explicit = os.environ.get("DUTY_PG_TMPDIR", "").strip()
    if explicit:
        return explicit
    for candidate in PG_RAM_DIRS:
        try:
            mode = os.stat(candidate).st_mode
            roomy = shutil.disk_usage(candidate).free >= PG_RAM_MIN_FREE
        except OSError:
            continue
        # World-writable and sticky, like /tmp: the postgres user must reach it when we are root.
        if roomy and (mode & 0o1777) == 0o1777 and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return None


class PostgresServer:
    """A running throwaway PostgreSQL cluster, reached over TCP as a trusted superuser."""

    def __init__(self, host: str, port: int, user: str) -> None:
        self.host = host
        self.port = port
        self.user = user
        self._admin: psycopg.Connection | None = None
        self._lock = threading.Lock()

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL of database ``dbname`` on this server."""
        return URL.create(
            "postgresql+psycopg", username=self.user, host=self.host, port=self.port, database=dbname
        ).render_as_string(hide_password=False)

    @property
    def admin_url(self) -> str:
        """URL of the maintenance database ``postgres`` (for CREATE/DROP DATABASE)."""
        return self.url("postgres")

    def _execute(self, statement: sql.Composable) -> None:
        # One autocommit connection for the run: a new connection per test costs more
        # than the CREATE DATABASE itself.
        with self._lock:
            if self._admin is None or self._admin.closed:
                self._admin = psycopg.connect(
                    host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
                )
            self._admin.execute(statement)

    def create_database(self, name: str, template: str | None = None) -> None:
        """CREATE DATABASE ``name``, copied from ``template`` if given."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self._execute(statement)

    def drop_database(self, name: str) -> None:
        """Drop ``name`` if it exists, terminating its connections first (WITH (FORCE))."""
        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def close(self) -> None:
        """Close the admin connection."""
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
            self._admin = None


def _runuser() -> str:
    runuser = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if _is_executable(p)), None
    )
    if runuser is None:
        raise RuntimeError("running as root needs runuser (util-linux) to start PostgreSQL as another user")
    return runuser


def _root_wrapper(bin_dir: Path, pg_ctl: str) -> str:
    """A pg_ctl stand-in that runs the real one as PG_OS_USER (PostgreSQL refuses root)."""
    runuser = _runuser()
    wrapper = bin_dir / "pg_ctl"
    # cd /: the postgres user may not be allowed into the caller's working directory.
    wrapper.write_text(
        "#!/bin/sh\n"
        "cd / || exit 1\n"
        f"exec {shlex.quote(runuser)} -u {PG_OS_USER} -- {shlex.quote(pg_ctl)} \"$@\"\n"
    )
    wrapper.chmod(0o755)
    return str(wrapper)


def _log_tail(logfile: Path, lines: int = 20) -> str:
    try:
        return "\n".join(logfile.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _kill_postmaster(datadir: Path) -> None:
    """Last resort when pg_ctl stop failed: SIGQUIT (immediate shutdown) the postmaster."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((datadir / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGQUIT)


def _wait_until_ready(executor: PostgreSQLExecutor, timeout: float = 90) -> None:
    """Wait for the server to accept sessions, not just TCP connections.

    mirakuru returns once the port is open, but the postmaster opens it before
    startup finishes ("the database system is starting up"). ``pg_ctl start -w``
    exits only when the server is ready, so wait for it, then prove it with a query.
    """
    launcher = executor.process
    if launcher is not None:
        code = launcher.wait(timeout=timeout)
        if code != 0:
            raise RuntimeError(f"pg_ctl start exited with {code}")
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(
                host=executor.host, port=executor.port, user=executor.user, dbname="postgres", connect_timeout=5
            ) as connection:
                connection.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def running_postgres(pg_ctl: str, *, attempts: int = 3, options: str = PG_SERVER_OPTIONS) -> Iterator[PostgresServer]:
    """Start a throwaway cluster in a new temp dir (server ``options``, e.g. another max_connections);
    stop it and delete the dir on exit."""
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="duty-pg-", dir=pg_base_dir()))
    run_dir = base / "run"  # data, socket and log: owned by whoever runs the server
    executor: PostgreSQLExecutor | None = None
    datadir = run_dir / "unused"
    server: PostgresServer | None = None
    try:
        run_dir.mkdir(mode=0o700)
        executable = pg_ctl
        if as_root:
            try:
                account = pwd.getpwnam(PG_OS_USER)
            except KeyError:
                raise RuntimeError(
                    f"tests run as root, so PostgreSQL must run as the unprivileged user {PG_OS_USER!r}, "
                    "which does not exist (installing the postgresql package creates it)"
                ) from None
            bin_dir = base / "bin"  # root-owned: the postgres user must not be able to edit the wrapper
            bin_dir.mkdir(mode=0o755)
            executable = _root_wrapper(bin_dir, pg_ctl)
            base.chmod(0o755)
            os.chown(run_dir, account.pw_uid, account.pw_gid)
            probe = subprocess.run([_runuser(), "-u", PG_OS_USER, "--", "test", "-w", str(run_dir)], check=False)
            if probe.returncode != 0:
                raise RuntimeError(
                    f"the {PG_OS_USER} user cannot write {run_dir}; point DUTY_PG_TMPDIR (or TMPDIR) at a directory "
                    "every user can reach (such as /tmp)"
                )
        last_error: Exception | None = None
        for _ in range(attempts):
            port = port_for.get_port(None)
            assert port is not None
            datadir = run_dir / f"data-{port}"
            logfile = run_dir / f"postgresql-{port}.log"
            executor = PostgreSQLExecutor(
                executable=executable,
                host=PG_HOST,
                port=port,
                datadir=str(datadir),
                unixsocketdir=str(run_dir),
                logfile=str(logfile),
                startparams="-w",
                dbname=PG_TEMPLATE_DB,
                user=PG_TEST_ROLE,
                postgres_options=options,
                timeout=90,
            )
            try:
                executor.start()
                _wait_until_ready(executor)
                break
            except Exception as exc:  # another process took the port, or the server would not start
                last_error = RuntimeError(
                    f"PostgreSQL ({pg_ctl}) did not start on port {port}: {exc}\n{_log_tail(logfile)}"
                )
                try:
                    executor.stop()
                except Exception:
                    _kill_postmaster(datadir)
                executor = None
        if executor is None:
            assert last_error is not None
            raise last_error
        server = PostgresServer(PG_HOST, executor.port, PG_TEST_ROLE)
        server.executor = executor  # a test that must stop and restart its own server uses this
        yield server
    finally:
        if server is not None:
            server.close()
        if executor is not None:
            try:
                executor.stop()
            except Exception:
                logger.exception("pg_ctl stop failed; killing the postmaster")
                _kill_postmaster(datadir)
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Let a CI timeout's SIGTERM unwind like Ctrl-C, so the server is still stopped."""

    def _interrupt(_signum, _frame):
        raise KeyboardInterrupt("SIGTERM")

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
        signal.SIG_DFL,
        None,
    ):
        yield
        return
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole run (skips or fails if there is none)."""
    try:
        pg_ctl = find_pg_ctl()
    except ValueError as exc:
        pytest.fail(str(exc), pytrace=False)
    if pg_ctl is None:
        _postgres_unavailable("PostgreSQL server binaries (pg_ctl) not found")
    assert pg_ctl is not None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(PG_OS_USER)
        except KeyError:
            _postgres_unavailable(
                f"running as root, and there is no unprivileged {PG_OS_USER!r} user to run PostgreSQL"
            )
    with _sigterm_as_interrupt(), running_postgres(pg_ctl) as server:
        yield server


@pytest.fixture(scope="session")
def pg_template_url(postgres_server: PostgresServer) -> str:
    """URL of ``duty_template``, migrated to head once per run (copy it, never write to it)."""
    postgres_server.create_database(PG_TEMPLATE_DB)
    url = postgres_server.url(PG_TEMPLATE_DB)
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # CREATE DATABASE ... TEMPLATE needs the template to have no sessions
    return url


@pytest.fixture
def pg_url(postgres_server: PostgresServer, pg_template_url: str) -> Iterator[str]:
    """A fresh migrated PostgreSQL database for this test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    postgres_server.create_database(name, template=PG_TEMPLATE_DB)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """Engine on ``pg_url``; disposed before the database is dropped."""
    engine = make_engine(pg_url)
    try:
        yield engine
    finally:
        engine.dispose()


# --- SQLite ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run; tests get copies (much faster than migrating)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    # Closing the last connection checkpoints the WAL into the main file; if that
    # ever stops being true, copying the main file alone would lose the schema.
    leftover = path.with_name(path.name + "-wal")
    if leftover.exists() and leftover.stat().st_size:
        raise RuntimeError(f"{leftover} was not checkpointed; the template file is incomplete")
    return path


@pytest.fixture
def sqlite_url(sqlite_template_path: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite database file for this test."""
    path = tmp_path / "duty.db"
    shutil.copyfile(sqlite_template_path, path)
    path.chmod(0o600)  # as duty-tui creates it; a copy readable by others draws a warning on every command
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """Engine on ``sqlite_url``, disposed afterwards."""
    engine = make_engine(sqlite_url)
    try:
        yield engine
    finally:
        engine.dispose()


# --- both backends --------------------------------------------------------------------


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def db_backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgres"``: tests using it (or db_url/engine) run once per backend."""
    return request.param


@pytest.fixture
def db_url(db_backend: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty, migrated database URL on the backend ``db_backend`` names."""
    # Looked up lazily so the sqlite run never starts (or needs) the PostgreSQL server.
    return request.getfixturevalue("sqlite_url" if db_backend == "sqlite" else "pg_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """``make_engine(db_url)``, disposed afterwards; runs the test on both backends."""
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


SQLITE_ONLY = pytest.mark.parametrize("db_backend", [pytest.param("sqlite", id="sqlite")], indirect=True)


def _hypothesis_profile() -> None:
    """Property tests check what is generated, not how fast: with three workers per CPU (and other
    work on a shared machine) generation is slow at times, and Hypothesis's timing health check
    then fails a test that found nothing wrong. The tests' own settings (examples, deadline) apply."""
    from hypothesis import HealthCheck, settings

    settings.register_profile("duty", suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("duty")


_hypothesis_profile()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: three workers per CPU (pyproject caps it at 6). A Pilot journey is mostly waiting
    (Pilot lets the app go idle after every key), so one worker per CPU left half of each CPU idle:
    on 2 CPUs the suite took 15m42s with 2 workers and 20 CPU-minutes."""
    return 3 * (os.cpu_count() or 1)


@pytest.hookimpl(tryfirst=True)  # before pytest's own hooks turn parametrize marks and fixture params into tests
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``@pytest.mark.sqlite_only``: a test taking ``engine`` runs once, ``[sqlite]``, not on both backends.

    For Pilot journeys only (DESIGN: every service test runs on both databases; each
    area keeps one end-to-end journey on PostgreSQL too). A parametrize mark on the
    test itself takes precedence over the fixture's params, so this adds one.
    """
    if metafunc.definition.get_closest_marker("sqlite_only") is None:
        return
    if "db_backend" not in metafunc.fixturenames:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: sqlite_only needs a test taking engine/db_url")
    metafunc.definition.add_marker(SQLITE_ONLY)


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the server ``postgres``, so ``-m "not postgres"`` skips them."""
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()) and item.get_closest_marker("postgres") is None:
            item.add_marker(pytest.mark.postgres)


# --- environment ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own settings, config file and default database out of every test."""
    for name in list(os.environ):
        if name.startswith("DUTY_") and name not in TEST_INFRA_ENV:
            monkeypatch.delenv(name)
    monkeypatch.setenv("DUTY_CONFIG", str(tmp_path / "no-such-config.toml"))
    # platformdirs reads these on every call, so the default SQLite file and config
    # dir land in tmp_path instead of the developer's home.
    home = tmp_path / "xdg"
    for variable, folder in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(variable, str(home / folder))
    monkeypatch.delenv("NO_COLOR", raising=False)
    # No test reaches this machine's own print server (or prints on a real printer): CUPS's
    # lp and lpstat find no server here unless a test starts its own (tests/core/trust/send_helpers.py).
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cups-server.sock"))
    # TEXTUAL_ANIMATIONS is not set here: textual.constants reads it at import, and
    # pytest-textual-snapshot imports textual before this file is loaded.

