"""Files that hold personal data stay private to the user who runs duty-tui.

Every console entry point (``duty_tui.launch.main``, ``duty_tui.cli.run``) runs under
``private_umask()``: whatever the app or a command creates — the SQLite database and its
``-wal``/``-shm`` files, SAR exports, H-CLIC extracts, statements, receipts, letters, the
crash log — is readable by its owner alone (files 0600, folders 0700). Where duty-tui
creates the database file and its folder it also asks for those modes explicitly.

A database file someone else made readable to others is never silently changed: the app
and the commands warn (``readable_by_others_warning``) and say what to run.

This module is on the start-up path: standard library only, nothing heavy.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

PRIVATE_UMASK = 0o077
"""Files 0600 and folders 0700: group and others get nothing."""

FILE_MODE = 0o600
FOLDER_MODE = 0o700


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Run the body with umask 077 (restored afterwards, for callers that carry on, such as tests)."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each 0700 (an existing folder is left as it is)."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, FOLDER_MODE)
        except FileExistsError:
            continue
        os.chmod(path, FOLDER_MODE)  # mkdir's mode passes through the umask; say it exactly


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 unless it exists; True when this call created it."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def sqlite_file(url: str) -> Path | None:
    """The file a ``sqlite:///...`` URL names (None for other backends and in-memory databases)."""
    scheme, sep, rest = (url or "").partition("://")
    if not sep or not scheme.split("+", 1)[0] == "sqlite":
        return None
    path = rest[1:] if rest.startswith("/") else rest
    path = path.split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path).expanduser()


def readable_by_others_warning(url: str) -> str | None:
    """A warning when the SQLite database file can be read by other users (group or world), else None."""
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None
    return f"the database file {path} is readable by other users (mode {stat.S_IMODE(mode):04o}); chmod 600 {path}"


def os_user() -> str:
    """The name of the user this process runs as (for messages that say who may not write)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        import getpass

        return getpass.getuser()


def missing_database_problem(shown: str, path: Path) -> str | None:
    """Why a SQLite database cannot be opened because it is not there (folder or file), else None."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return (f"database {shown}: the folder {folder} does not exist; create it (mkdir -m 700 {folder}) "
                "and run: duty-tui db upgrade, or point --db at an existing database")
    if not path.exists():
        return (f"database {shown} does not exist yet; run: duty-tui db upgrade "
                "(duty-tui demo builds a demo office in a file of its own)")
    return None


def permission_problem(shown: str, path: Path) -> str | None:
    """Why this user may not read or write the SQLite database at ``path`` (which exists), else None.

    SQLite in WAL mode writes ``NAME-wal`` and ``NAME-shm`` beside the file, even to read, so the
    folder must be writable too.
    """
    folder = path.parent if str(path.parent) else Path(".")
    who = os_user()
    if not os.access(path, os.R_OK):
        return (f"database {shown} cannot be read by this user ({who}): the file {path} is not readable "
                f"for them; give them read and write permission on it (for example: chown {who} {path} "
                f"&& chmod 600 {path}), or point --db at a database they may use")
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists() and not os.access(candidate, os.W_OK):
            return (f"database {shown} cannot be written by this user ({who}): the file {candidate} is "
                    f"read-only for them; give them write permission (for example: chown {who} {candidate} "
                    f"&& chmod 600 {candidate}), or point --db at a database they may write. "
                    "The database itself is not damaged")
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"database {shown} cannot be written by this user ({who}): its folder {folder} is read-only "
                f"for them, and SQLite must create {path.name}-wal and {path.name}-shm beside the file; give "
                f"them write permission on the folder (for example: chown {who} {folder} && chmod 700 "
                f"{folder}). The database itself is not damaged")
    return None


def is_disk_full(exc: OSError) -> bool:
    """True for the errors that mean the disk (or the user's quota) is full."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
