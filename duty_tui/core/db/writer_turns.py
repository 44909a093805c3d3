"""Writers on one SQLite file take turns: an OS lock on ``<database>.writers`` around each write transaction.

SQLite's own busy handler is not fair: a writer that finds the database locked sleeps (1, 2, 5 ... up to
100 ms at a time) and tries again, so an unlucky terminal can lose many rounds to writers that arrive
later (issue 13: 12 terminals on one file, search p99 over 500 ms). Before ``BEGIN IMMEDIATE`` a write
session therefore takes an exclusive ``flock`` on a small file beside the database, and gives it back
once its connection is closed (after the commit or the rollback). A waiter sleeps in the kernel and is
woken the moment the lock is free, instead of polling; the kernel lock also dies with its process, so a
terminal that is killed never leaves the others waiting.

- One turn per write session (per connection), never per process: two threads of one terminal take
  turns like two terminals. A write session opened by a thread that already holds the turn for the
  same file goes straight to SQLite, as before (it would wait for itself otherwise).
- The wait is bounded by the busy timeout; then the caller gets the usual "database is locked" message.
- The lock file is created 0600 (or with the database file's own mode, as SQLite does for ``-wal``).
  Where it cannot be created or opened (a read-only folder), writes go on as before, unordered.
- It orders duty-tui's write sessions only; anything else writing the file still meets SQLite's lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

_held = threading.local()
"""Per thread: the lock files whose turn this thread holds (``paths``, a set of str)."""


def lock_path(database: Path) -> Path:
    """The lock file beside ``database``: ``<name>.writers``."""
    return database.with_name(database.name + ".writers")


def _held_here() -> set[str]:
    paths = getattr(_held, "paths", None)
    if paths is None:
        paths = _held.paths = set()
    return paths


def _open(path: Path, database: Path) -> int | None:
    """An fd on the lock file, creating it with the database's mode (0600 by default); None if impossible."""
    flags = os.O_RDWR | os.O_CLOEXEC
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return None
    else:
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(os.stat(database).st_mode) & 0o666 if database.exists() else 0o600
            os.fchmod(fd, mode or 0o600)
        return fd
    for mode in (flags, os.O_RDONLY | os.O_CLOEXEC):  # flock needs no write permission
        try:
            return os.open(path, mode)
        except OSError:
            continue
    return None


@dataclass
class Turn:
    """One write session's turn; ``release`` gives it back (idempotent)."""

    fd: int | None
    key: str
    held: set[str] = field(default_factory=set)

    def release(self) -> None:
        if self.fd is not None:
            self.held.discard(self.key)
            fd, self.fd = self.fd, None
            os.close(fd)  # closing the only descriptor releases the flock


class TurnTimeout(Exception):
    """The turn did not come within the timeout."""


def take_turn(database: Path, timeout_s: float) -> Turn:
    """Wait (at most ``timeout_s``) for this file's writer turn. Returns a Turn to release after the
    transaction; a Turn holding nothing when this thread already holds it or no lock file can be had.
    Raises TurnTimeout when the wait runs out."""
    path = lock_path(database)
    key = str(path)
    held = _held_here()
    if key in held:
        return Turn(None, key)
    fd = _open(path, database)
    if fd is None:
        return Turn(None, key)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not _wait(fd, timeout_s):
            raise TurnTimeout(f"no write turn within {timeout_s:g} s") from None
    except OSError:  # a file system without flock: as before
        os.close(fd)
        return Turn(None, key)
    held.add(key)
    return Turn(fd, key, held)


def _wait(fd: int, timeout_s: float) -> bool:
    """Block in flock on a helper thread (flock has no timeout) while this thread waits at most ``timeout_s``.

    On a timeout the helper keeps the descriptor: when its flock returns it closes it, which lets the
    next writer go. Returns True once the lock is held through ``fd``.
    """
    got = threading.Event()
    guard = threading.Lock()
    abandoned = False

    def wait() -> None:
        with contextlib.suppress(OSError):  # cannot happen on a descriptor flock took before; then unordered
            fcntl.flock(fd, fcntl.LOCK_EX)
        with guard:
            if not abandoned:
                got.set()
                return
        os.close(fd)

    threading.Thread(target=wait, name="duty-writer-turn", daemon=True).start()
    if got.wait(timeout_s):
        return True
    with guard:
        if got.is_set():
            return True
        abandoned = True
    return False
