"""Helpers for the sign-in tests (tests/core/trust/test_signin_*.py).

- ``PtyTerminal``: duty-tui (or ssh) running on a real pseudo-terminal at 80x24, driven by
  the bytes a terminal sends, its screen read back with escape sequences removed.
- ``throwaway_os_user``: a real second operating-system account (root only: useradd), run with
  ``setpriv`` so the process's real uid is theirs while the environment says what the test likes
  (``LOGNAME=admin``), deleted afterwards.
- ``duty_tui_for_others``: a Python (and a ``duty-tui`` script) other accounts can run: this
  interpreter when they can reach it, else a bare venv on the system's Python of the same minor
  version that imports this checkout's packages (a pyenv interpreter under /root is closed to them).
- ``shared_database``: a database that account can open — on SQLite a file owned by root and
  shared through a group (as README "Over SSH" sets it up), on PostgreSQL an ordinary app role
  (``duty-tui db grants``), not the test cluster's superuser.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import pwd
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import tempfile
import termios
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from duty_tui.core.db.engine import make_engine

SIZE = (80, 24)
F10 = "\x1b[21~"
CTRL_L = "\x0c"
CTRL_Q = "\x11"
ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[()][0-9A-Za-z]"
                     r"|[=>78cDEHMNOZ])")
HOME_FOOTER = "f2 Search"
"""Shown in the footer once someone is signed in (the home screen)."""


def required_here() -> bool:
    """CI (DUTY_REQUIRE_POSTGRES=1, as root): what these tests need must be there; a skip is a failure."""
    return os.environ.get("DUTY_REQUIRE_POSTGRES", "").strip().lower() in {"1", "true", "yes"} and os.geteuid() == 0


def unavailable(reason: str) -> None:
    """Skip, or fail where it must run (``required_here``); never returns."""
    if required_here():
        pytest.fail(f"{reason}; DUTY_REQUIRE_POSTGRES=1 as root makes this a failure", pytrace=False)
    pytest.skip(reason)


class PtyTerminal:
    """A program on a pseudo-terminal (80x24); collects what it draws, escape sequences removed."""

    def __init__(self, argv: list[str], env: dict[str, str], *, cwd: str | None = None) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.raw.extend(chunk)

    def text(self) -> str:
        """Everything drawn so far, as text."""
        return ESCAPES.sub("", self.raw.decode("utf-8", errors="replace"))

    def mark(self) -> int:
        """Where the text ends now (for ``wait_for(..., after=mark)``)."""
        return len(self.text())

    def wait_for(self, needle: str, timeout: float = 60.0, *, after: int = 0) -> None:
        """Wait until ``needle`` is drawn (after text position ``after``); AssertionError with the screen if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text()[after:]:
                return
            if self.process.poll() is not None:
                time.sleep(0.2)  # let the reader take the last bytes
                if needle in self.text()[after:]:
                    return
                break
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared (exit {self.process.poll()}):\n{self.text()[-1500:]}")

    def type(self, keys: str) -> None:
        """Send keys as a terminal would."""
        os.write(self.master, keys.encode())

    def type_until(self, keys: str, shown: str, attempts: int = 20) -> None:
        """Send ``keys`` until ``shown`` appears once more than before (the app may still be starting)."""
        for _ in range(attempts):
            before = self.text().count(shown)
            self.type(keys)
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                if self.text().count(shown) > before:
                    return
                time.sleep(0.05)
        raise AssertionError(f"{keys!r} never showed {shown!r}:\n{self.text()[-800:]}")

    def wait_exit(self, timeout: float = 30.0) -> int:
        """The exit code, once the program has ended."""
        return self.process.wait(timeout)

    def close(self) -> None:
        """Kill the program if it is still running; close the terminal."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, 9)
            self.process.wait(10)
        with contextlib.suppress(OSError):
            os.close(self.master)


@dataclass
class OsAccount:
    """A throwaway operating-system account."""

    name: str
    uid: int
    gid: int
    home: Path
    python: str = sys.executable
    """A Python this account can run, with duty_tui importable (``duty_tui_for_others``)."""

    def argv(self, argv: list[str], *, groups: tuple[int, ...] = ()) -> list[str]:
        """``argv`` run with this account's real and effective uid and gid (the environment untouched)."""
        group_opt = [f"--groups={','.join(str(g) for g in groups)}"] if groups else ["--clear-groups"]
        return [shutil.which("setpriv") or "setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", *group_opt,
                "--", *argv]

    def env(self, **extra: str) -> dict[str, str]:
        """A small environment of this account's own (its home for every per-user file), plus ``extra``."""
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home), "TERM": "xterm-256color",
               "LANG": "C.UTF-8", "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1]), "TEXTUAL_ANIMATIONS": "none",
               "PYTHONDONTWRITEBYTECODE": "1", "DUTY_CONFIG": str(self.home / "no-config.toml"),
               "XDG_CONFIG_HOME": str(self.home / "config"), "XDG_DATA_HOME": str(self.home / "data"),
               "XDG_STATE_HOME": str(self.home / "state"), "XDG_CACHE_HOME": str(self.home / "cache")}
        env.update(extra)
        return env


def _no_os_users_reason() -> str | None:
    if os.geteuid() != 0:
        return "creating a second OS account needs root"
    for tool in ("useradd", "userdel", "setpriv"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed"
    return None


def _retrying(argv: list[str]) -> None:
    """useradd/userdel lock /etc/passwd: a parallel test worker may hold it for a moment."""
    for attempt in range(20):
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode == 0:
            return
        if "lock" not in (result.stderr + result.stdout).lower() or attempt == 19:
            raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")
        time.sleep(0.1 * (attempt + 1))


@contextlib.contextmanager
def throwaway_os_user(*, shell: str = "/bin/sh", extra_groups: tuple[str, ...] = ()) -> Iterator[OsAccount]:
    """A new OS account (and its own group) for the test, deleted afterwards with everything it ran."""
    reason = _no_os_users_reason()
    if reason:
        unavailable(reason)
    name = f"dt{uuid.uuid4().hex[:12]}"
    home = Path(tempfile.mkdtemp(prefix=f"{name}-", dir="/tmp"))
    command = ["useradd", "--no-create-home", "--home-dir", str(home), "--shell", shell, "--user-group",
               "--password", "*"]
    if extra_groups:
        command += ["--groups", ",".join(extra_groups)]
    with duty_tui_for_others() as (python, _script):
        _retrying([*command, name])
        try:
            entry = pwd.getpwnam(name)
            os.chown(home, entry.pw_uid, entry.pw_gid)
            home.chmod(0o700)
            yield OsAccount(name, entry.pw_uid, entry.pw_gid, home, python)
        finally:
            with contextlib.suppress(FileNotFoundError):
                subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True, check=False)
            _retrying(["userdel", name])
            shutil.rmtree(home, ignore_errors=True)


def _others_can_run(python: str) -> str | None:
    """Why the unprivileged ``nobody`` cannot import duty_tui with ``python`` (through a shell, as a login would)."""
    nobody = pwd.getpwnam("nobody")
    result = subprocess.run(["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                             "--", "/bin/sh", "-c", 'exec "$0" -c "import duty_tui.core.cli"', python],
                            env={"PATH": "/usr/bin:/bin", "HOME": "/"}, cwd="/", capture_output=True, text=True,
                            timeout=120, check=False)
    if result.returncode == 0:
        return None
    return (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]


@contextlib.contextmanager
def duty_tui_for_others() -> Iterator[tuple[str, str]]:
    """(python, duty-tui script) that other accounts can run, with this checkout's duty_tui and packages."""
    if os.geteuid() != 0:
        unavailable("running duty-tui as another account needs root")
    if _others_can_run(sys.executable) is None:
        yield sys.executable, str(Path(sys.executable).with_name("duty-tui"))
        return
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not os.access(system, os.X_OK):
        pytest.skip(f"other accounts cannot run {sys.executable} and there is no {system} to stand in")
    folder = Path(tempfile.mkdtemp(prefix="duty-python-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        subprocess.run([str(system), "-m", "venv", "--without-pip", str(folder)], check=True, capture_output=True)
        purelib = Path(sysconfig.get_paths(vars={"base": str(folder), "platbase": str(folder)})["purelib"])
        # site.addsitedir also reads the .pth files there (the editable install of this checkout).
        (purelib / "duty-tui-checkout.pth").write_text(
            f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
        python = folder / "bin" / "python"
        script = folder / "bin" / "duty-tui"
        script.write_text(f"#!{python}\nimport sys\nfrom duty_tui.launch import main\nsys.exit(main())\n")
        script.chmod(0o755)
        problem = _others_can_run(str(python))
        if problem:
            pytest.skip(f"other accounts cannot run this checkout ({problem}); clone it where every user may read it")
        yield str(python), str(script)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class SharedDatabase:
    """A database both the test (root) and a throwaway account can open."""

    url: str
    """For the throwaway account (an app role on PostgreSQL)."""
    engine: object
    """The test's own engine (owner/superuser), for seeding and checking."""


@contextlib.contextmanager
def shared_database(request: pytest.FixtureRequest, db_backend: str, account: OsAccount) -> Iterator[SharedDatabase]:
    """A migrated, empty database ``account`` can use but does not own (README "Over SSH" on SQLite)."""
    if db_backend == "sqlite":
        template = request.getfixturevalue("sqlite_template_path")
        folder = Path(tempfile.mkdtemp(prefix="duty-shared-", dir="/tmp"))
        try:
            os.chown(folder, 0, account.gid)
            folder.chmod(0o2770)
            path = folder / "duty.db"
            shutil.copyfile(template, path)
            os.chown(path, 0, account.gid)
            path.chmod(0o660)
            url = f"sqlite:///{path}"
            engine = make_engine(url)
            try:
                yield SharedDatabase(url, engine)
            finally:
                engine.dispose()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    pg_url = request.getfixturevalue("pg_url")
    engine = make_engine(pg_url)
    role = f"duty_app_{uuid.uuid4().hex[:10]}"
    password = uuid.uuid4().hex

    def admin(sql: str) -> None:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(sql))

    admin(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    try:
        from duty_tui.core.db.grants import apply_grants

        apply_grants(engine, role)
        yield SharedDatabase(make_url(pg_url).set(username=role, password=password)
                             .render_as_string(hide_password=False), engine)
    finally:
        engine.dispose()
        admin(f"DROP OWNED BY {role}")
        admin(f"DROP ROLE {role}")
        engine.dispose()
