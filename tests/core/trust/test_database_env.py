"""The database's environment: a mistyped --db creates nothing; a database this user may not
write is named as a permissions problem, never as damage ("restore it from backup") or an
outage ("try again").

Read-only files are tested for real: we run as root, and root ignores file modes, so those
commands run in a child process that has dropped the capabilities that let root override them
(``setpriv``); as any other user the file modes apply as they are.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import seed_office
from sqlalchemy import text
from sqlalchemy.engine import make_url

from duty_tui import launch
from duty_tui.core.cli import run
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.preflight import check
from duty_tui.core.domain.errors import DatabaseNotWritable

PASSWORD = "ro-pw-Kq4"
WRONG_ADVICE = ("restore", "backup", "try again", "did not answer", "Traceback", "unexpected error")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        return Result(code, captured.out, captured.err)

    return invoke


def everything_under(folder: Path) -> list[str]:
    """What is in ``folder`` (the test's own config/data/state homes aside, which the app may read)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.parts[len(folder.parts)] != "xdg")


# --- item 19: a --db that exits 3 creates nothing ------------------------------------------------

COMMANDS = {
    "app": [],  # the plain `duty-tui --db URL` (launch.open_app, preflight)
    "person find": ["person", "find", "smith"],
    "audit verify": ["audit", "verify"],
    "gdpr purge": ["gdpr", "purge", "--dry-run", "--as", "admin"],
    "db upgrade": ["db", "upgrade"],
    "demo": ["demo", "--size", "small", "--no-tui"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_db_in_a_missing_folder_exits_3_and_creates_nothing(cli, tmp_path, monkeypatch, command, relative):
    monkeypatch.chdir(tmp_path)
    target = Path("missing/dir/x.db") if relative else tmp_path / "missing" / "dir" / "x.db"
    result = cli("--db", f"sqlite:///{target}", *COMMANDS[command])
    assert result.code == 3, result
    assert "missing/dir does not exist" in result.err and "mkdir -m 700" in result.err
    assert everything_under(tmp_path) == []  # no folder, no file, nothing else either


def test_the_console_entry_point_with_a_missing_folder_creates_nothing(tmp_path, monkeypatch, capsys):
    """`duty-tui --db ...` through launch.main, the console script itself (and `python -m duty_tui`)."""
    url = f"sqlite:///{tmp_path / 'missing' / 'x.db'}"
    monkeypatch.setattr(sys, "argv", ["duty-tui", "--db", url])
    with pytest.raises(SystemExit) as exited:
        launch.main()
    assert exited.value.code == 3
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("command", ["app", "person find", "audit verify", "gdpr purge"])
def test_a_missing_file_is_not_created_by_ordinary_commands(cli, tmp_path, command):
    path = tmp_path / "typo.db"
    result = cli("--db", f"sqlite:///{path}", *COMMANDS[command])
    assert result.code == 3, result
    assert "does not exist yet; run: duty-tui db upgrade" in result.err
    assert not path.exists() and not list(tmp_path.glob("typo.db*"))


@pytest.mark.parametrize("command", ["db upgrade", "demo"])
def test_demo_and_db_upgrade_create_a_new_database_0600_in_an_existing_folder(cli, tmp_path, command):
    path = tmp_path / "new.db"
    result = cli("--db", f"sqlite:///{path}", *COMMANDS[command])
    assert result.code == 0, result
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert "readable by other users" not in result.err


def test_the_default_data_folder_is_created_0700_with_a_0600_database(cli, tmp_path):
    """No --db: `db upgrade` makes the user's data folder (and its missing parents) 0700."""
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert not data_home.exists()
    result = cli("db", "upgrade")
    assert result.code == 0, result
    database = data_home / "duty-tui" / "duty.db"
    assert oct(database.stat().st_mode & 0o777) == oct(0o600)
    for folder in (data_home, data_home / "duty-tui"):
        assert oct(folder.stat().st_mode & 0o777) == oct(0o700), folder
    # SQLite gives -wal and -shm the database file's mode: seen while a connection holds them open.
    engine = make_engine(f"sqlite:///{database}", create=False)
    try:
        with session_scope(engine, write=True) as session:
            session.execute(text("INSERT INTO db_setting (key, value) VALUES ('probe', '1')"))
        with engine.connect():
            for suffix in ("-wal", "-shm"):
                extra = database.with_name(database.name + suffix)
                assert oct(extra.stat().st_mode & 0o777) == oct(0o600), extra
    finally:
        engine.dispose()


# --- item 20: read but not write -------------------------------------------------------------------


def _unprivileged_prefix() -> list[str]:
    """How to run a child that file modes apply to; skips when there is no way."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): cannot drop the override of file modes")
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import os; print(os.access('/proc/1/environ', os.R_OK))"],
                           capture_output=True, text=True, timeout=60, check=False)
    if probe.returncode != 0:
        pytest.skip(f"setpriv could not drop capabilities here: {probe.stderr.strip()}")
    return prefix


def _run_unprivileged(prefix: list[str], *args: str, cwd: Path) -> Result:
    # Were the app to start after all (the old behaviour), it exits once ready instead of waiting for keys.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "DUTY_BENCH_EXIT_WHEN_READY": "1"}
    done = subprocess.run([*prefix, sys.executable, "-m", "duty_tui", *args], capture_output=True, text=True,
                          timeout=180, check=False, cwd=cwd, env=env, stdin=subprocess.DEVNULL)
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def seeded_sqlite(sqlite_engine, sqlite_url) -> Path:
    """A healthy SQLite database holding the builders' office, closed (no -wal or -shm left)."""
    seed_office(sqlite_engine)
    sqlite_engine.dispose()
    path = Path(make_url(sqlite_url).database)
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_database_this_user_may_not_write_is_named_with_the_permission_to_fix(seeded_sqlite, read_only):
    prefix = _unprivileged_prefix()
    path = seeded_sqlite
    url = f"sqlite:///{path}"
    before = path.read_bytes()
    blocked = path if read_only == "file" else path.parent
    mode = blocked.stat().st_mode & 0o777
    blocked.chmod(0o400 if read_only == "file" else 0o500)
    try:
        # The app refuses at start-up (it writes the audit trail from the first sign-in); a command
        # that writes fails; both name the file or the folder and the permission to give.
        for args in ((), ("person", "find", "smith", "--as", "admin")):
            result = _run_unprivileged(prefix, "--db", url, *args, cwd=path.parent.parent)
            assert result.code == 3, result
            assert "cannot be written by this user" in result.err, result
            if read_only == "file":
                assert f"the file {path} is read-only" in result.err, result
            else:
                assert f"its folder {path.parent} is read-only" in result.err and "-wal" in result.err, result
            assert "not damaged" in result.err
            for wrong in WRONG_ADVICE:
                assert wrong not in result.err, (wrong, result.err)
        if read_only == "file":
            # Reading still works: an auditor may verify a read-only copy.
            verified = _run_unprivileged(prefix, "--db", url, "audit", "verify", cwd=path.parent.parent)
            assert verified.code == 0, verified
    finally:
        blocked.chmod(mode)
    assert path.read_bytes() == before  # nothing was written, nothing was "repaired"


@pytest.fixture
def select_only_role(pg_engine, pg_url):
    """A LOGIN role that may read every table but write none (dropped afterwards)."""
    seed_office(pg_engine)
    name = f"duty_ro_{uuid.uuid4().hex[:10]}"
    database = make_url(pg_url).database

    def admin(sql: str) -> None:
        with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(sql))

    admin(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
    admin(f'GRANT CONNECT ON DATABASE "{database}" TO {name}')
    admin(f"GRANT USAGE ON SCHEMA public TO {name}")
    admin(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}")
    try:
        yield name, make_url(pg_url).set(username=name, password=PASSWORD).render_as_string(hide_password=False)
    finally:
        admin(f"DROP OWNED BY {name}")
        admin(f"DROP ROLE {name}")


def test_a_postgresql_role_with_only_select_is_told_which_grant_is_missing(cli, select_only_role, pg_engine):
    role, url = select_only_role
    expected = f"the PostgreSQL role {role} may not do what duty-tui needs"
    # The app's start-up check (preflight) ...
    with pytest.raises(DatabaseNotWritable) as refused:
        check(url)
    assert expected in refused.value.message and "INSERT on audit_event" in refused.value.message
    app = cli("--db", url)
    assert app.code == 3 and expected in app.err, app
    # ... and a command that writes (a search is audited), through the services' transaction.
    found = cli("--db", url, "person", "find", "smith", "--as", "admin")
    assert found.code == 3, found
    assert expected in found.err and f"duty-tui db grants --app-role {role}" in found.err
    for result in (app, found):
        assert PASSWORD not in result.err
        for wrong in WRONG_ADVICE:
            assert wrong not in result.err, (wrong, result.err)
    # Reading is still allowed.
    assert cli("--db", url, "audit", "verify").code == 0
    with pg_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == 0
