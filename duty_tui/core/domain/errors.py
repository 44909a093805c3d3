"""Errors that reach a person: each carries a message that says what to fix.

The CLI maps them to the exit codes in docs/CLI.md; the TUI shows them in a
notification. Neither shows a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path


class DutyError(Exception):
    """Base for errors with a plain-English message meant for staff."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(DutyError):
    """The input or arguments are wrong; nothing was changed (exit 2)."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class EnvironmentProblem(DutyError):
    """The environment is wrong: database unreachable, old schema, locked (exit 3)."""

    exit_code = 3


class PermissionDenied(DutyError):
    """The signed-in user's role may not do this."""

    exit_code = 2


class NotFound(InputError):
    """A reference names nothing we hold."""


class ConflictError(DutyError):
    """Someone else saved a newer version of the record first (optimistic locking).

    Besides the message (unchanged for callers that only show it), a conflict can carry what
    a screen needs to show both versions side by side:

    - ``record``: what was being saved, e.g. "case C000123";
    - ``changed_by`` / ``changed_at``: who saved it first and when (aware UTC), when known;
    - ``theirs``: field label → the value now stored, as text, in form order;
    - ``yours``: field label → the value this save tried to store (when the service knows it;
      a screen may supply its own);
    - ``version``: the record's version now, so a form can re-apply the user's values over the
      newer record deliberately (a second save with this version overwrites; nothing silent).
    """

    exit_code = 2

    def __init__(self, message: str, *, record: str | None = None, changed_by: str | None = None,
                 changed_at: datetime | None = None, theirs: Mapping[str, str] | None = None,
                 yours: Mapping[str, str] | None = None, version: int | None = None) -> None:
        super().__init__(message)
        self.record = record
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.theirs: dict[str, str] = dict(theirs or {})
        self.yours: dict[str, str] = dict(yours or {})
        self.version = version

    @property
    def has_versions(self) -> bool:
        """True when there is something to compare (theirs or yours)."""
        return bool(self.theirs or self.yours)


class AuthError(DutyError):
    """Wrong username or password, or the account is locked."""

    exit_code = 2


class DatabaseUnavailable(EnvironmentProblem):
    """The database cannot be reached or is locked right now; trying again later may work.

    The TUI keeps the form and retries the same save (with the same idempotency key) when
    the database answers again; the CLI exits 3 as for any EnvironmentProblem.
    """


class DatabaseNotWritable(EnvironmentProblem):
    """The database is healthy but this user (or PostgreSQL role) may not write it: a permissions fix.

    Not a DatabaseUnavailable: waiting does not help, and restoring a backup would be wrong.
    """


# --- the crash log ----------------------------------------------------------------------------

# SQLAlchemy's statement errors end "[parameters: (...)]\n(Background on this error at: ...)"; a
# value may hold "]" or a newline, so everything up to that last line (or the end) goes.
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?(?=\n\(Background on this error|\Z)", re.S)
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s'\"]*:)[^@\s'\"]*(@)")
_PASSWORD_PAIR = re.compile(r"(password\s*[=:]\s*)('[^']*'|\"[^\"]*\"|[^\s&,;)'\"]+)", re.IGNORECASE)
# PostgreSQL puts row values in its DETAIL and CONTEXT lines: "Key (surname)=(Khan) already exists",
# "Failing row contains (12, Aisha, ...)", "COPY person, line 1: ...".
_SERVER_DETAIL = re.compile(r"^(\s*(?:DETAIL|CONTEXT):).*$", re.M)


def scrub(text: str) -> str:
    """``text`` without SQL parameters, row values from the server, or passwords (in URLs or key=value)."""
    text = _SQL_PARAMETERS.sub("[parameters hidden]", text)
    text = _SERVER_DETAIL.sub(r"\1 [hidden: may hold personal data]", text)
    text = _URL_PASSWORD.sub(r"\1***\2", text)
    return _PASSWORD_PAIR.sub(r"\1***", text)


def crash_summary(exc: BaseException) -> str:
    """One line naming an unexpected error, safe to print: the type and its scrubbed message."""
    message = scrub(str(exc)).strip().splitlines()
    return f"{type(exc).__name__}: {message[0][:300]}" if message else type(exc).__name__


def log_crash(exc: BaseException | None) -> str:
    """Append the traceback of a bug to crash.log (0600, in a 0700 folder); returns where it went.

    What reaches the log is scrubbed: no SQL parameters (the engine hides them too), no row values
    from PostgreSQL's DETAIL lines and no passwords, so the log holds no personal data put there by
    the database layer.
    """
    import traceback
    from datetime import datetime

    from platformdirs import user_log_dir

    from duty_tui.core.config.private_files import FILE_MODE, make_private_folder

    try:
        folder = Path(user_log_dir("duty-tui"))
        make_private_folder(folder)
        path = folder / "crash.log"
        text = f"--- {datetime.now().isoformat()}\n"
        if exc is not None:
            text += scrub("".join(traceback.format_exception(exc)))
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        with os.fdopen(descriptor, "a", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
        return str(path)
    except OSError:
        return "nowhere (the log folder cannot be written)"
