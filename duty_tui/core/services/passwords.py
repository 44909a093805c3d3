"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


MIN_PASSWORD_LENGTH = 12
"""Shortest password a staff user may be given: three or four words beat any rule about symbols
(NCSC's "three random words"); argon2id and the sign-in throttle do the rest."""

MAX_PASSWORD_LENGTH = 256
"""Longest password (the sign-in screens take this many characters)."""


def password_problem(password: str, *, username: str | None = None) -> str | None:
    """What is wrong with a new password, or None; never repeats the password itself."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (f"the password is too short ({len(password)} character{'s' if len(password) != 1 else ''}); "
                f"use at least {MIN_PASSWORD_LENGTH}, "
                "for example three or four unrelated words")
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"the password is {len(password)} characters; use at most {MAX_PASSWORD_LENGTH}"
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return "the password holds a control character (a tab, escape or similar); type it without one"
    if not password.strip():
        return "the password is only spaces; use words"
    if username and password.strip().lower() == username.strip().lower():
        return "the password is the username; choose something else"
    return None


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` to store in staff_user.password_hash."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises for a bad or missing hash."""
    if not stored_hash:
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
