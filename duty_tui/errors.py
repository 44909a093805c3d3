"""Errors that reach a person: each carries a message that says what to fix.

The CLI maps them to the exit codes in CONTRACTS.md; the TUI shows them in a
notification. Neither shows a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime


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
