"""Signing in: passwords (argon2) or the operating-system user (SSH hosts); who may act ``--as`` whom.

Failed attempts are counted per user and slow down: after three failures each
further attempt must wait longer (2, 4, 8 … up to 60 seconds). Every success
and failure is audited.

The operating-system user is always the real uid's name (``context.os_identity``), never
an environment variable. It signs in only through an explicit ``staff_user.os_user`` link,
and only at the start of a process (the TUI asks for the password after a lock or sign-out).
On the command line ``--as USER`` is allowed only to the OS account linked to USER, or to an
account trusted with the whole database (``os_user_trusted``); see docs/STAFF.md.
"""

from __future__ import annotations

import functools
import math
import os
import secrets
from datetime import timedelta

from sqlmodel import col, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import StaffUser, Team
from duty_tui.core.domain.errors import AuthError
from duty_tui.core.services import audit
from duty_tui.core.services.context import Actor, ServiceContext, os_identity
from duty_tui.core.services.passwords import hash_password, verify_password

FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 60


def retry_delay(failed_logins: int) -> int:
    """Seconds a user must wait before the next attempt after ``failed_logins`` failures."""
    if failed_logins < FREE_ATTEMPTS:
        return 0
    return min(2 ** (failed_logins - FREE_ATTEMPTS + 1), MAX_DELAY_SECONDS)


@functools.cache
def _decoy_hash() -> str:
    """A hash no one knows the password of, checked for unknown usernames so they cost as long as known ones."""
    return hash_password(secrets.token_hex(16))


def _actor(ctx: ServiceContext, user: StaffUser, team_code: str | None) -> Actor:
    role = ctx.reference.roles.get(user.role)
    if role is None:
        raise AuthError(f"user {user.username} has role {user.role!r}, which data/roles.toml does not define; "
                        "ask an administrator")
    return Actor(id=user.id or 0, username=user.username, display_name=user.display_name, role=user.role,
                 role_name=role.name, permissions=role.permissions, team_id=user.team_id, team_code=team_code)


def _team_code(session, team_id: int | None) -> str | None:
    if team_id is None:
        return None
    team = session.get(Team, team_id)
    return team.code if team else None


def sign_in(ctx: ServiceContext, username: str, password: str, *, action: str = "login") -> Actor:
    """Check a username and password; returns the Actor or raises AuthError saying what to do.

    ``action`` names the success in the audit trail: "login", "unlock" (the same person back
    at a locked terminal) or "switch_user" (a colleague taking over a shared terminal).
    A refusal is committed (failure count, audit event) before it is raised; the same
    throttle applies whichever way the password is given.
    """
    if action not in ("login", "unlock", "switch_user"):
        raise ValueError(f"unknown sign-in action {action!r}")
    username = (username or "").strip()
    if not username:
        raise AuthError("enter your username")
    now = ctx.now()
    refusal: str | None = None
    actor: Actor | None = None
    with session_scope(ctx.engine, write=True) as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == username)).first()
        wait = retry_delay(user.failed_logins) if user is not None and user.last_failed_at else 0
        if user is not None and wait and now < user.last_failed_at + timedelta(seconds=wait):
            seconds = max(1, math.ceil((user.last_failed_at + timedelta(seconds=wait) - now).total_seconds()))
            audit.record(session, ctx, "login.throttled", "staff_user", user.id, actor_name=username[:64])
            refusal = f"too many wrong passwords; wait {seconds} seconds and try again"
        elif (not verify_password(user.password_hash if user is not None else _decoy_hash(), password)
              or user is None or not user.active):
            if user is not None:
                user.failed_logins += 1
                user.last_failed_at = now
                session.add(user)
            audit.record(session, ctx, "login.failed", "staff_user", user.id if user else None,
                         {"username": username[:64]}, actor_name=username[:64])
            if user is not None and not user.active:
                refusal = "this account is disabled; ask an administrator"
            else:
                refusal = "wrong username or password; check Caps Lock and try again"
        else:
            user.failed_logins = 0
            user.last_failed_at = None
            session.add(user)
            actor = _actor(ctx, user, _team_code(session, user.team_id))
            detail = {"from": ctx.actor.username} if action == "switch_user" and ctx.actor else None
            audit.record(session, ctx.as_actor(actor), action, "staff_user", user.id, detail)
    if refusal is not None or actor is None:
        raise AuthError(refusal or "sign-in failed")
    return actor


def sign_in_os_user(ctx: ServiceContext, os_user: str | None = None) -> Actor:
    """Sign in the staff user linked (``staff_user.os_user``) to the operating-system user.

    ``os_user`` defaults to the real uid's name; there is no fall-back to a staff user who merely
    shares the OS user's name. Unlinked or disabled: audited and refused (AuthError).
    """
    name = os_user or os_identity()
    with session_scope(ctx.engine, write=True) as session:
        user = session.exec(select(StaffUser).where(StaffUser.os_user == name)).first()
        actor: Actor | None = None
        if user is None or not user.active:
            audit.record(session, ctx, "login.failed", "staff_user", user.id if user else None,
                         {"os_user": name[:64]}, actor_name=name[:64])
        else:
            actor = _actor(ctx, user, _team_code(session, user.team_id))
            audit.record(session, ctx.as_actor(actor), "login", "staff_user", user.id, {"method": "os"})
    if actor is None:
        raise AuthError(
            f"operating-system user {name!r} is not linked to an active duty-tui staff user; "
            "ask an administrator to link it (duty-tui staff set USER --os-user NAME)"
        )
    return actor


def find_actor(ctx: ServiceContext, username: str) -> Actor:
    """The Actor for a named user, with no credential: for tests and for ``act_as`` once it has checked."""
    with session_scope(ctx.engine) as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None or not user.active:
            raise AuthError(f"no active staff user {username!r}; check --as")
        return _actor(ctx, user, _team_code(session, user.team_id))


def find_os_actor(ctx: ServiceContext, os_user: str | None = None) -> Actor:
    """The staff user linked to an OS user (default: the real one), for batch commands; AuthError when none is."""
    os_user = os_user or os_identity()
    with session_scope(ctx.engine) as session:
        user = session.exec(select(StaffUser).where(StaffUser.os_user == os_user, col(StaffUser.active).is_(True))).first()
        if user is None:
            raise AuthError(f"operating-system user {os_user!r} is not linked to a staff user")
        return _actor(ctx, user, _team_code(session, user.team_id))


def _owns_whole_database(ctx: ServiceContext) -> bool:
    """True when this OS user could change anything in the database directly anyway.

    A SQLite file it owns, or a PostgreSQL connection as a superuser. (An app role with ordinary
    DML is not: that is the role front-office accounts use.)
    """
    engine = ctx.engine
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            return False
        try:
            return os.stat(database).st_uid == os.getuid()
        except OSError:
            return False
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with session_scope(engine) as session:
            return bool(session.connection().execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())
    return False


def os_user_trusted(ctx: ServiceContext) -> str | None:
    """Why the real OS user may act as any staff user (``--as``, the first administrator), or None.

    Root; an account listed in ``batch_os_users`` (read only from a root-owned config file);
    the owner of the SQLite file, or a PostgreSQL superuser connection.
    """
    if os.getuid() == 0:
        return "root"
    name = os_identity()
    if name in tuple(getattr(ctx.settings, "batch_os_users", ()) or ()):
        return "batch_os_users"
    if _owns_whole_database(ctx):
        return "owns the database"
    return None


def act_as(ctx: ServiceContext, username: str) -> Actor:
    """The Actor for ``--as USER``, when the real OS user may act as them; AuthError (audited) otherwise.

    Allowed when the OS user is linked to that staff user, or trusted (``os_user_trusted``).
    A refusal names the fix and is written to the audit trail.
    """
    name = os_identity()
    with session_scope(ctx.engine) as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == username)).first()
        usable = user is not None and bool(user.active)
        linked = usable and user.os_user is not None and user.os_user == name
        actor = _actor(ctx, user, _team_code(session, user.team_id)) if usable else None
    trusted = linked or os_user_trusted(ctx)
    if trusted and actor is not None:
        return actor
    if trusted:  # only someone allowed to act as anyone learns whether the name exists
        raise AuthError(f"no active staff user {username!r}; check --as")
    with session_scope(ctx.engine, write=True) as session:
        audit.record(session, ctx.batch_actor(name), "act_as.refused", "staff_user", actor.id if actor else None,
                     {"as": username[:64], "os_user": name[:64]})
    raise AuthError(
        f"operating-system user {name!r} may not act as {username!r} (--as): only the OS account linked to "
        f"that staff user may, or root, or an account in batch_os_users in a root-owned config file. "
        f"Run it from the linked account, or without --as (the batch role); docs/STAFF.md"
    )


SESSION_ENDS = frozenset({"sign_out", "quit", "switch_user", "hangup", "terminated"})
"""How a signed-in session can end, as written in the ``logout`` event's detail."""


def sign_out(ctx: ServiceContext, how: str = "sign_out", *, locked: bool = False) -> None:
    """Record the end of a session: F10, quit, switch user, a hang-up (SIGHUP) or SIGTERM."""
    if how not in SESSION_ENDS:
        raise ValueError(f"unknown way for a session to end {how!r}")
    if ctx.actor is None:
        return
    detail: dict[str, object] = {"how": how}
    if locked:
        detail["locked"] = True
    with session_scope(ctx.engine, write=True) as session:
        audit.record(session, ctx, "logout", "staff_user", ctx.actor.id, detail)


def demo_mode(ctx: ServiceContext) -> bool:
    """True when this database holds the synthetic demo office."""
    from duty_tui.core.db.models import Setting

    with session_scope(ctx.engine) as session:
        row = session.get(Setting, "demo")
        return bool(row and row.value == "1")


def record_lock(ctx: ServiceContext, reason: str) -> None:
    """Audit that a terminal was locked (idle, or by its user) with this member of staff signed in."""
    if ctx.actor is None:
        return
    with session_scope(ctx.engine, write=True) as session:
        audit.record(session, ctx, "lock", "staff_user", ctx.actor.id, {"reason": reason})
