"""Income tables: the recovery steps taken on rent accounts, and pauses of recovery.

``recovery_action``: one row per step an officer took (a code from the recovery policy,
``data/income/recovery.toml``, or ``update_court_outcome`` / ``update_eviction_outcome``), on the
day it was taken. Rows are never changed; the latest per account is found through
``ix_recovery_action_account_taken`` (account, day taken, id).

``recovery_pause``: recovery held until a date, with a reason from the policy's pause reasons. A
pause is *active* until it is lifted (``lifted_at`` set); an account has at most one active pause —
a partial UNIQUE index over ``account_id`` where ``lifted_at IS NULL`` (``ux_recovery_pause_active``),
so two officers pausing one account at the same moment cannot both succeed. A pause whose date has
passed no longer holds recovery; the next pause on the account lifts it first.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

ACTIVE_PAUSE = text("lifted_at IS NULL")
"""The rows ``ux_recovery_pause_active`` covers: at most one active pause per account."""


class RecoveryAction(SQLModel, table=True):
    """A recovery step taken on a rent account (a reminder, a letter, a notice, ...)."""

    __tablename__ = "recovery_action"
    __table_args__ = (Index("ix_recovery_action_account_taken", "account_id", "taken_on", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    action: str = Field(max_length=40)
    taken_on: date
    taken_by: int | None = Field(default=None, foreign_key="staff_user.id")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime


class RecoveryPause(SQLModel, table=True):
    """Recovery on an account held until a date (it resumes on that day), with its reason."""

    __tablename__ = "recovery_pause"
    __table_args__ = (
        Index("ux_recovery_pause_active", "account_id", unique=True, postgresql_where=ACTIVE_PAUSE,
              sqlite_where=ACTIVE_PAUSE),
        Index("ix_recovery_pause_account", "account_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    reason: str = Field(max_length=40)
    until: date
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    set_by: int | None = Field(default=None, foreign_key="staff_user.id")
    set_at: datetime
    lifted_at: datetime | None = None
    lifted_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)
