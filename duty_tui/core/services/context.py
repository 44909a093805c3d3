"""Who is acting, from where, against which database: passed to every service call."""

from __future__ import annotations

import ipaddress
import os
import pwd
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from duty_tui.core.config.reference import Reference, load_reference
from duty_tui.core.domain.errors import PermissionDenied
from duty_tui.core.domain.local_time import local_date

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from duty_tui.core.config.settings import Settings


@dataclass(frozen=True)
class Actor:
    """The signed-in member of staff (id is None for a batch job with no staff user)."""

    id: int | None
    username: str
    display_name: str
    role: str
    role_name: str
    permissions: frozenset[str]
    team_id: int | None
    team_code: str | None = None


def os_identity() -> str:
    """The login name of this process's real user id, from the password database.

    Never LOGNAME, USER or getpass.getuser(): those read environment variables anyone can set
    (``LOGNAME=admin duty-tui``). A uid with no entry is named ``uid:N``, which no staff user
    can be linked to. Used by ``--auth os``, by the ``--as`` check, by batch jobs' actor name
    and by the audit trail's terminal.
    """
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid:{uid}"


SSHD_NAMES = ("sshd", "sshd-session")
"""What OpenSSH's server processes are called in /proc/PID/comm (sshd-session from OpenSSH 9.8)."""


def _proc_status(pid: int) -> tuple[str, int, int] | None:
    """(name, parent pid, real uid) of a process from /proc, or None when it cannot be read."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text(errors="replace").splitlines()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    try:
        return fields["Name"].strip(), int(fields["PPid"]), int(fields["Uid"].split()[0])
    except (KeyError, ValueError, IndexError):
        return None


def _environ_of(pid: int) -> dict[str, str]:
    """The environment a process was started with (/proc/PID/environ), empty when unreadable."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _, value in pairs}


def _ssh_address(environ: dict[str, str]) -> str | None:
    """The client address in SSH_CONNECTION (or SSH_CLIENT), when it is an IP address."""
    for name in ("SSH_CONNECTION", "SSH_CLIENT"):
        words = environ.get(name, "").split()
        if words:
            try:
                return str(ipaddress.ip_address(words[0]))
            except ValueError:
                return None
    return None


def ssh_origin() -> tuple[str, bool] | None:
    """Where an SSH session came from: (client address, verified), or None when none is claimed.

    SSH_CONNECTION is only a variable: anyone can set it. It is *verified* when a root-owned sshd
    is an ancestor of this process; the address is then read from the environment sshd gave the
    session's first process (/proc/PID/environ), not from ours. Otherwise the address in our own
    environment is returned as claimed (verified False). Linux only (/proc); elsewhere always claimed.
    """
    first = os.getpid()  # the session's first process: the highest non-sshd process below sshd
    pid = first
    for _ in range(64):
        status = _proc_status(pid)
        if status is None:
            break
        name, parent, uid = status
        if name in SSHD_NAMES:
            if uid == 0:
                address = _ssh_address(_environ_of(first))
                if address is not None:
                    return address, True
                break
        else:
            first = pid
        if parent <= 1:
            break
        pid = parent
    claimed = _ssh_address(dict(os.environ))
    if claimed is None:
        raw = (os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or "").split()
        return (f"{raw[0][:40]!r}", False) if raw else None
    return claimed, False


def default_terminal() -> str:
    """Names this terminal for the audit trail, always with the real OS user (``os_identity``).

    ``ssh:<client>/<os user>`` for an SSH session verified through sshd (``ssh_origin``);
    otherwise ``<host>:<tty>/<os user>``, followed by ``(claimed ssh:<address>)`` when the
    environment claims an SSH client that could not be verified.
    """
    user = os_identity()
    origin = ssh_origin()
    if origin is not None and origin[1]:
        return f"ssh:{origin[0]}/{user}"[:128]
    try:
        tty = os.ttyname(0)
    except OSError:
        tty = "notty"
    local = f"{socket.gethostname()[:40]}:{tty[:24]}/{user}"
    if origin is not None:
        local += f" (claimed ssh:{origin[0]})"
    return local[:128]


def labelled_terminal(label: str) -> str:
    """A configured ``terminal_id`` with the real OS user added (the label alone is just a setting)."""
    return f"{label[:64]}/{os_identity()}"[:128]


@dataclass(frozen=True)
class ServiceContext:
    """Everything a service needs besides its arguments."""

    engine: Engine
    settings: Settings
    reference: Reference
    actor: Actor | None = None
    terminal: str = field(default_factory=default_terminal)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @classmethod
    def create(cls, engine: Engine, settings: Settings, **kwargs) -> ServiceContext:
        """A context with reference data loaded from the settings' data folder."""
        terminal = kwargs.pop("terminal", None) or (
            labelled_terminal(settings.terminal_id) if settings.terminal_id else default_terminal())
        return cls(engine=engine, settings=settings, reference=load_reference(settings.data_dir),
                   terminal=terminal, **kwargs)

    @classmethod
    def connect(cls, settings: Settings, **kwargs) -> ServiceContext:
        """Open the configured database and build a context for it (the TUI's way in; never creates one)."""
        from duty_tui.core.db.engine import engine_from_settings

        return cls.create(engine_from_settings(settings), settings, **kwargs)

    def as_actor(self, actor: Actor | None) -> ServiceContext:
        """The same context acting as someone else (after login or switch user)."""
        return replace(self, actor=actor)

    def batch_actor(self, os_user: str | None = None) -> ServiceContext:
        """Act as the narrow ``batch`` role, for command-line jobs run without --as (named by the real OS user)."""
        os_user = os_user or os_identity()
        role = self.reference.roles["batch"]
        return self.as_actor(Actor(id=None, username=f"os:{os_user}"[:64], display_name=f"Batch job ({os_user})",
                                   role="batch", role_name=role.name, permissions=role.permissions, team_id=None))

    def now(self) -> datetime:
        """The current time, aware UTC (injectable for tests)."""
        return self.clock()

    def today(self) -> date:
        """Today's date in the UK."""
        return local_date(self.clock())

    def can(self, permission: str) -> bool:
        """True when the signed-in user's role grants ``permission``."""
        return self.actor is not None and permission in self.actor.permissions

    def require(self, permission: str) -> Actor:
        """The actor, or PermissionDenied naming what they may not do."""
        if self.actor is None:
            raise PermissionDenied("sign in first")
        if permission not in self.actor.permissions:
            raise PermissionDenied(
                f"your role ({self.actor.role_name}) may not do this ({permission}); ask a team leader"
            )
        return self.actor
