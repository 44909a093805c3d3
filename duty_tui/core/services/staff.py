"""Staff users and their links to operating-system accounts (`duty-tui staff`; docs/STAFF.md).

Only a role holding ``admin.users`` may list or change staff, and every change is audited
in the same transaction. Passwords arrive here in the clear only to be checked and hashed
(argon2id); they never reach the audit trail. Two rules are the database's job, not a read
before a write: an OS account is linked to at most one staff user (UNIQUE staff_user.os_user),
and at least one active administrator remains (the active administrators' rows are locked —
FOR UPDATE on PostgreSQL, the write lock on SQLite — before one of them is disabled or demoted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Office, StaffUser, Team
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.domain.validators import quoted, text_problem
from duty_tui.core.services import audit
from duty_tui.core.services.auth import os_user_trusted
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.passwords import hash_password, password_problem

ADMIN_PERMISSION = "admin.users"
"""The permission that manages staff (data/roles.toml); a role holding it counts as an administrator."""

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""Staff usernames: letters, digits, dot, underscore and hyphen; up to 64 characters."""

OS_USERNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,62}\$?")
"""Operating-system account names as useradd takes them (a trailing $ for machine accounts)."""

NOT_ROLES = frozenset({"batch"})
"""Roles in data/roles.toml that are not for people: ``batch`` is for commands run without --as."""


@dataclass(frozen=True)
class StaffView:
    """One staff user as `staff list` shows it."""

    username: str
    name: str
    role: str
    team: str | None
    os_user: str | None
    active: bool

    def as_json(self) -> dict[str, Any]:
        """The object docs/CLI.md promises for `staff list --json`."""
        return {"username": self.username, "name": self.name, "role": self.role, "team": self.team,
                "os_user": self.os_user, "active": self.active}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""Leave a field as it is (``None`` means clear it, where that is allowed)."""


def _admin_roles(ctx: ServiceContext) -> set[str]:
    return {code for code, role in ctx.reference.roles.items() if ADMIN_PERMISSION in role.permissions}


def _require_admin(ctx: ServiceContext) -> None:
    if not ctx.can(ADMIN_PERMISSION):
        who = ctx.actor.role_name if ctx.actor else "nobody signed in"
        raise PermissionDenied(f"managing staff needs an administrator ({ADMIN_PERMISSION}; you act as: {who}); "
                               "add --as ADMIN, run from the OS account linked to that administrator "
                               "(docs/STAFF.md)")


def _view(user: StaffUser, team_code: str | None) -> StaffView:
    return StaffView(username=user.username, name=user.display_name, role=user.role, team=team_code,
                     os_user=user.os_user, active=bool(user.active))


def _team_codes(session: Session) -> dict[int, str]:
    return {team.id: team.code for team in session.exec(select(Team)).all() if team.id is not None}


def _active_admins(session: Session, ctx: ServiceContext, *, lock: bool) -> list[StaffUser]:
    """Active administrators; with ``lock`` their rows stay locked until the transaction ends."""
    query = select(StaffUser).where(col(StaffUser.active).is_(True),
                                    col(StaffUser.role).in_(sorted(_admin_roles(ctx))))
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return list(session.exec(query).all())


def _before_last_admin_goes(session: Session, ctx: ServiceContext, user: StaffUser) -> None:
    """Refuse (InputError) when ``user`` is the last active administrator; locks the administrators' rows."""
    if not user.active or user.role not in _admin_roles(ctx):
        return
    others = [u for u in _active_admins(session, ctx, lock=True) if u.id != user.id]
    if not others:
        raise InputError(f"{user.username} is the last active administrator; add or promote another administrator "
                         "first (duty-tui staff add USER --role admin ...), so someone can still manage staff")


def check_username(username: str) -> str | None:
    """What is wrong with a new staff username, or None."""
    if not USERNAME.fullmatch(username or ""):
        return (f"username {quoted(username)} is not usable; use letters, digits, '.', '_' or '-' "
                "(starting with a letter or digit), up to 64 characters")
    return None


def check_os_user(os_user: str) -> str | None:
    """What is wrong with an operating-system account name, or None."""
    if not OS_USERNAME.fullmatch(os_user or ""):
        return (f"--os-user {quoted(os_user)} is not an operating-system account name; use the login name "
                "as `id -un` prints it (letters, digits, '.', '_' or '-')")
    return None


def _check_role(ctx: ServiceContext, role: str) -> str | None:
    if role in ctx.reference.roles and role not in NOT_ROLES:
        return None
    known = ", ".join(sorted(set(ctx.reference.roles) - NOT_ROLES))
    return f"--role {quoted(role)} is not a staff role in data/roles.toml; use one of {known}"


def _find_team(session: Session, team: str) -> tuple[Team | None, str | None]:
    row = session.exec(select(Team).where(Team.code == team)).first()
    if row is not None:
        return row, None
    known = ", ".join(sorted(t.code for t in session.exec(select(Team)).all())) or "none yet"
    return None, f"--team {quoted(team)} is not a team in this database; teams are: {known}"


def _os_user_holder(session: Session, os_user: str, but: int | None = None) -> str | None:
    holder = session.exec(select(StaffUser).where(StaffUser.os_user == os_user)).first()
    if holder is None or holder.id == but:
        return None
    state = "" if holder.active else " (disabled)"
    return (f"--os-user {quoted(os_user)} is already linked to staff user {holder.username}{state}; an OS account "
            f"signs in as one person only. Unlink it first: duty-tui staff set {holder.username} --no-os-user")


def _password_hash(password: str | None, username: str) -> str | None:
    if password is None:
        return None
    problem = password_problem(password, username=username)
    if problem:
        raise InputError(problem)
    return hash_password(password)


def list_staff(ctx: ServiceContext) -> list[StaffView]:
    """Every staff user, by username (administrators only; audited as a view)."""
    _require_admin(ctx)
    with session_scope(ctx.engine) as session:  # a read; its audit event after it (docs/AUDIT.md)
        teams = _team_codes(session)
        users = session.exec(select(StaffUser).order_by(StaffUser.username)).all()
        views = [_view(u, teams.get(u.team_id) if u.team_id else None) for u in users]
    audit.record_read(ctx, "staff.list", "staff_user", None, {"count": len(views)})
    return views


def add_staff(ctx: ServiceContext, username: str, *, name: str, role: str, team: str | None = None,
              os_user: str | None = None, password: str | None = None) -> StaffView:
    """Add a staff user (administrators only, audited). InputError lists every problem; nothing is added.

    The first administrator of a database that has none may be added without one, by an OS account
    trusted with the whole database (root, the database's owner, batch_os_users): that is how a new
    office starts. The audit event says so.
    """
    first_admin = not ctx.can(ADMIN_PERMISSION)
    problems = [p for p in (check_username(username), _check_role(ctx, role),
                            text_problem("--name", name, max_length=120),
                            check_os_user(os_user) if os_user is not None else None) if p]
    if not (name or "").strip():
        problems.append("--name is empty; give the person's name as staff should see it")
    if password is not None:
        problems += [p for p in (password_problem(password, username=username),) if p]
    password_hash = hash_password(password) if password is not None and not problems else None
    with session_scope(ctx.engine, write=True) as session:
        if first_admin:
            if _active_admins(session, ctx, lock=True) or not os_user_trusted(ctx):
                _require_admin(ctx)
            if role in ctx.reference.roles and role not in _admin_roles(ctx):
                raise InputError("this database has no administrator yet; add one first (--role admin), "
                                 "then add everyone else with --as that administrator")
        team_row = None
        if team is not None:
            team_row, problem = _find_team(session, team)
            if problem:
                problems.append(problem)
        if session.exec(select(StaffUser).where(StaffUser.username == username)).first() is not None:
            problems.append(f"username {quoted(username)} is taken; choose another, or change that user with "
                            f"duty-tui staff set {username}")
        if os_user is not None:
            problems += [p for p in (_os_user_holder(session, os_user),) if p]
        if problems:
            raise InputError(problems[0], problems=problems)
        office = session.exec(select(Office).where(Office.code == ctx.settings.office_code)).first()
        user = StaffUser(username=username, display_name=name, role=role, team_id=team_row.id if team_row else None,
                         office_id=office.id if office else None, password_hash=password_hash, os_user=os_user)
        session.add(user)
        _flush(session, username, os_user)
        detail: dict[str, Any] = {"username": username, "role": role, "team": team, "os_user": os_user,
                                  "password": password is not None}
        if first_admin:
            detail["first_admin"] = True
        audit.record(session, ctx, "staff.add", "staff_user", user.id, detail)
        return _view(user, team)


def update_staff(ctx: ServiceContext, username: str, *, role: str | None = None, team: str | None = None,
                 os_user: str | None = UNSET, password: str | None = None) -> StaffView:
    """Change a staff user's role, team, OS link (None unlinks) or password (administrators only, audited).

    A new password also clears the failed-sign-in count. Demoting the last active administrator is refused.
    """
    _require_admin(ctx)
    problems = [p for p in (_check_role(ctx, role) if role is not None else None,
                            check_os_user(os_user) if os_user not in (UNSET, None) else None) if p]
    if role is None and team is None and os_user is UNSET and password is None:
        problems.append("nothing to change; give --role, --team, --os-user, --no-os-user or a new password")
    if password is not None:
        problems += [p for p in (password_problem(password, username=username),) if p]
    password_hash = hash_password(password) if password is not None and not problems else None
    with session_scope(ctx.engine, write=True) as session:
        user = _existing(session, username)
        changes: dict[str, Any] = {}
        # Every check (each one a query) before any change, so nothing half-changed is flushed early.
        if role is not None and role != user.role and role in ctx.reference.roles and role not in _admin_roles(ctx):
            try:
                _before_last_admin_goes(session, ctx, user)
            except InputError as exc:
                problems.append(exc.message)
        team_row = None
        if team is not None:
            team_row, problem = _find_team(session, team)
            if problem:
                problems.append(problem)
        if os_user not in (UNSET, None):
            problems += [p for p in (_os_user_holder(session, os_user, but=user.id),) if p]
        if problems:
            raise InputError(problems[0], problems=problems)
        if role is not None and role != user.role:
            changes["role"] = {"from": user.role, "to": role}
            user.role = role
        if team_row is not None and user.team_id != team_row.id:
            changes["team"] = team
            user.team_id = team_row.id
        if os_user is not UNSET and os_user != user.os_user:
            changes["os_user"] = {"from": user.os_user, "to": os_user}
            user.os_user = os_user
        if password_hash is not None:
            user.password_hash = password_hash
            user.failed_logins = 0
            user.last_failed_at = None
            changes["password"] = "changed"
        if changes:
            user.version += 1
            session.add(user)
            _flush(session, username, os_user if os_user is not UNSET else None)
            audit.record(session, ctx, "staff.set", "staff_user", user.id, {"username": username, **changes})
        teams = _team_codes(session)
        return _view(user, teams.get(user.team_id) if user.team_id else None)


def disable_staff(ctx: ServiceContext, username: str) -> tuple[StaffView, bool]:
    """Disable a staff user (they can no longer sign in); (view, changed). The last active administrator stays."""
    _require_admin(ctx)
    with session_scope(ctx.engine, write=True) as session:
        user = _existing(session, username)
        teams = _team_codes(session)
        if not user.active:
            return _view(user, teams.get(user.team_id) if user.team_id else None), False
        _before_last_admin_goes(session, ctx, user)
        user.active = False
        user.version += 1
        session.add(user)
        audit.record(session, ctx, "staff.disable", "staff_user", user.id, {"username": username})
        return _view(user, teams.get(user.team_id) if user.team_id else None), True


def _existing(session: Session, username: str) -> StaffUser:
    user = session.exec(select(StaffUser).where(StaffUser.username == username)).first()
    if user is None:
        raise InputError(f"no staff user {quoted(username)}; `duty-tui staff list` shows who there is")
    return user


def _flush(session: Session, username: str, os_user: str | None) -> None:
    """Write now, so a UNIQUE refusal (someone else got there first) becomes a message, not a traceback."""
    try:
        session.flush()
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        if "os_user" in text:
            raise InputError(f"--os-user {quoted(os_user or '')} was linked to another staff user a moment ago; "
                             "`duty-tui staff list` shows who") from None
        if "username" in text:
            raise InputError(f"username {quoted(username)} was taken a moment ago; choose another") from None
        raise
