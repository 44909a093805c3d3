"""Who is acting, from where, against which database: passed to every service call."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from duty_tui.domain.local_time import local_date
from duty_tui.errors import PermissionDenied
from duty_tui.reference import Reference, load_reference

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from duty_tui.config import Settings


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


def default_terminal() -> str:
    """Names this terminal for the audit trail: the SSH client if any, else host/tty."""
    ssh = os.environ.get("SSH_CLIENT") or os.environ.get("SSH_CONNECTION")
    try:
        user = getpass.getuser()
    except Exception:
        user = "?"
    if ssh:
        return f"ssh:{ssh.split()[0]}/{user}"
    try:
        tty = os.ttyname(0)
    except OSError:
        tty = "notty"
    return f"{socket.gethostname()}:{tty}/{user}"[:128]


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
        terminal = kwargs.pop("terminal", None) or settings.terminal_id or default_terminal()
        return cls(engine=engine, settings=settings, reference=load_reference(settings.data_dir),
                   terminal=terminal, **kwargs)

    @classmethod
    def connect(cls, settings: Settings, **kwargs) -> ServiceContext:
        """Open the configured database and build a context for it (the TUI's way in; never creates one)."""
        from duty_tui.db.engine import make_engine

        return cls.create(make_engine(settings.db_url, create=False), settings, **kwargs)

    def as_actor(self, actor: Actor | None) -> ServiceContext:
        """The same context acting as someone else (after login or switch user)."""
        return replace(self, actor=actor)

    def batch_actor(self, os_user: str) -> ServiceContext:
        """Act as the narrow ``batch`` role, for command-line jobs run without --as."""
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
