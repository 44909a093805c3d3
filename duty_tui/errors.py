"""Errors that reach a person: each carries a message that says what to fix.

The CLI maps them to the exit codes in CONTRACTS.md; the TUI shows them in a
notification. Neither shows a traceback.
"""

from __future__ import annotations


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
    """Someone else saved a newer version of the record first (optimistic locking)."""

    exit_code = 2


class AuthError(DutyError):
    """Wrong username or password, or the account is locked."""

    exit_code = 2
