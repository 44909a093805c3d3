"""Writers on one SQLite file take turns (core/db/writer_turns.py): real processes, real files.

Issue 13: 12 terminals on one SQLite file, no "database is locked" and a bounded wait.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from duty_tui.core.db import engine as engine_module
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.writer_turns import lock_path
from duty_tui.core.domain.errors import DatabaseUnavailable

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from sqlalchemy import text
    from duty_tui.core.db import engine as engine_module
    engine_module.SQLITE_BUSY_TIMEOUT_MS = int(sys.argv[4])
    from duty_tui.core.db.engine import make_engine, session_scope
    url, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    engine = make_engine(url, create=False)
    with engine.connect():
        pass
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    for i in range(int(sys.argv[5])):
        with session_scope(engine, write=True) as session:
            session.execute(text("INSERT INTO db_setting (key, value) VALUES (:k, 'x')"), {"k": f"{name}-{i}"})
            time.sleep(float(sys.argv[6]))  # the write lock held a while, as a payment holds it
    print("done", flush=True)
""")


def _path(url: str) -> Path:
    return Path(make_url(url).database)


def _start_writer(url: str, name: str, go: Path, *, timeout_ms: int, writes: int, hold_s: float) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", WRITER, url, name, str(go), str(timeout_ms), str(writes),
                                str(hold_s)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready", process.stderr
    return process


def _count(engine, prefix: str) -> int:
    with session_scope(engine) as session:
        return session.execute(text("SELECT count(*) FROM db_setting WHERE key LIKE :p"), {"p": prefix}).scalar_one()


def test_writer_processes_at_once_all_commit_none_locked_and_the_lock_file_is_0600(sqlite_engine, sqlite_url, tmp_path):
    # Six terminals, 20 writes each, every write holding the lock ~3 ms, against a 1 s busy timeout:
    # about 0.4 s of held lock in all, so no fair turn waits near 1 s; SQLite's backoff alone could.
    go = tmp_path / "go"
    writers = [_start_writer(sqlite_url, f"w{n}", go, timeout_ms=1000, writes=20, hold_s=0.003) for n in range(6)]
    go.touch()
    for process in writers:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0 and "done" in out, err
        assert "locked" not in err and "busy" not in err, err
    assert _count(sqlite_engine, "w%") == 120
    writers_file = lock_path(_path(sqlite_url))
    assert oct(writers_file.stat().st_mode & 0o777) == oct(0o600)


def test_a_killed_writer_gives_its_turn_back_at_once(sqlite_engine, sqlite_url, tmp_path):
    go = tmp_path / "go"
    go.touch()
    holder = _start_writer(sqlite_url, "dead", go, timeout_ms=10_000, writes=1, hold_s=60)  # holds, then is killed
    time.sleep(0.5)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    started = time.perf_counter()
    with session_scope(sqlite_engine, write=True) as session:
        session.execute(text("INSERT INTO db_setting (key, value) VALUES ('after', 'x')"))
    assert time.perf_counter() - started < 1.0
    assert _count(sqlite_engine, "after") == 1 and _count(sqlite_engine, "dead%") == 0


def test_the_wait_for_a_turn_is_bounded_and_ends_in_the_usual_locked_message(sqlite_engine, monkeypatch):
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:  # another thread of the same terminal: it takes turns like another terminal
        with session_scope(sqlite_engine, write=True) as session:
            session.execute(text("INSERT INTO db_setting (key, value) VALUES ('held', 'x')"))
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(30)
        started = time.perf_counter()
        with pytest.raises(DatabaseUnavailable, match="is locked by another program; close it \\(or wait\\) and try"):
            with session_scope(sqlite_engine, write=True) as session:
                session.execute(text("INSERT INTO db_setting (key, value) VALUES ('late', 'x')"))
        assert 0.25 < time.perf_counter() - started < 5
    finally:
        release.set()
        thread.join(30)
    with session_scope(sqlite_engine, write=True) as session:  # the turn came back; the abandoned wait let it go
        session.execute(text("INSERT INTO db_setting (key, value) VALUES ('later', 'x')"))
    assert [_count(sqlite_engine, k) for k in ("held", "late", "later")] == [1, 0, 1]


def test_a_write_session_inside_another_in_one_thread_does_not_wait_for_itself(sqlite_engine, monkeypatch):
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    # The outer write session has not begun yet: the inner one (an audited read's event, say) commits.
    with session_scope(sqlite_engine, write=True) as outer:
        with session_scope(sqlite_engine, write=True) as inner:
            inner.execute(text("INSERT INTO db_setting (key, value) VALUES ('inner', 'x')"))
        outer.execute(text("INSERT INTO db_setting (key, value) VALUES ('outer', 'x')"))
    # The outer one holds the turn and SQLite's lock: the inner one goes straight to SQLite, which says
    # "locked" after the busy timeout as it always did; no wait on the turn its own thread holds.
    started = time.perf_counter()
    with session_scope(sqlite_engine, write=True) as outer:
        outer.execute(text("INSERT INTO db_setting (key, value) VALUES ('outer2', 'x')"))
        with pytest.raises(DatabaseUnavailable, match="locked"):
            with session_scope(sqlite_engine, write=True) as inner:
                inner.execute(text("INSERT INTO db_setting (key, value) VALUES ('inner2', 'x')"))
    assert time.perf_counter() - started < 5
    other = threading.Thread(target=_write_once, args=(sqlite_engine, "other"))  # the turn was given back
    other.start()
    other.join(10)
    assert [_count(sqlite_engine, k) for k in ("inner", "outer", "outer2", "inner2", "other")] == [1, 1, 1, 0, 1]


def _write_once(engine, key: str) -> None:
    with session_scope(engine, write=True) as session:
        session.execute(text("INSERT INTO db_setting (key, value) VALUES (:k, 'x')"), {"k": key})


def _unprivileged_prefix() -> list[str]:
    """How to run a child that file modes apply to (root drops its override); skips when there is no way."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): cannot drop the override of file modes")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--"]


def test_a_database_in_a_read_only_folder_still_writes_without_a_lock_file(sqlite_engine, sqlite_url):
    """No lock file can be created beside it: writes go on as before (SQLite's own lock alone)."""
    path = _path(sqlite_url)
    prefix = _unprivileged_prefix()
    with sqlite_engine.connect() as keep:  # keeps -wal and -shm in place, as a running terminal does
        keep.execute(text("SELECT count(*) FROM db_setting")).scalar_one()
        folder_mode = path.parent.stat().st_mode & 0o777
        path.parent.chmod(0o500)
        try:
            script = ("import sys; from sqlalchemy import text; from duty_tui.core.db.engine import make_engine, "
                      "session_scope; e = make_engine(sys.argv[1], create=False)\n"
                      "with session_scope(e, write=True) as s: s.execute(text(\"INSERT INTO db_setting (key, value) "
                      "VALUES ('ro-folder', 'x')\"))\nprint('written')")
            done = subprocess.run([*prefix, sys.executable, "-c", script, sqlite_url], capture_output=True, text=True,
                                  timeout=120, check=False)
        finally:
            path.parent.chmod(folder_mode)
    assert done.returncode == 0 and "written" in done.stdout, done.stderr
    assert not lock_path(path).exists()
    assert _count(sqlite_engine, "ro-folder") == 1
