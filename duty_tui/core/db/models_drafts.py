"""Trust tables: drafts of forms in progress (nothing half-typed is lost), and how each
terminal last sent each kind of document.

A draft belongs to one member of staff. It is written every few seconds while a form
has unsaved typing, and when the terminal hangs up; it is offered back at that person's
next sign-in and deleted when the form is saved or discarded. It holds what was typed,
which may be personal data, so only its owner can list or reopen it, and drafts older
than ``DRAFT_MAX_AGE_DAYS`` (duty_tui.core.services.drafts) are removed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Draft(SQLModel, table=True):
    """One form in progress: which screen, opened with which arguments, holding which values."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("staff_id", "draft_key", name="uq_draft_owner_key"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    draft_key: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    screen: str = Field(max_length=200)  # "module:Class"
    args: str = Field(sa_column=Column(Text, nullable=False))  # JSON: the screen's constructor arguments
    payload: str = Field(sa_column=Column(Text, nullable=False))  # JSON: the values typed
    person_ref: str | None = Field(default=None, max_length=16)
    created_at: datetime
    updated_at: datetime
    terminal: str | None = Field(default=None, max_length=128)


class TerminalSendChoice(SQLModel, table=True):
    """How this terminal last sent a kind of document (printer, email, download, save), offered first next time.

    Kept per terminal (the desk, not the person: the receipt printer belongs to the counter) and per kind
    (receipts to the receipt printer, statements to the office printer). Holds no personal data: an
    email recipient is never remembered, only that email was the way.
    """

    __tablename__ = "terminal_send_choice"
    terminal: str = Field(max_length=128, primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)
    channel: str = Field(max_length=16)
    printer: str | None = Field(default=None, max_length=128)
    updated_at: datetime
    updated_by: int | None = Field(default=None, foreign_key="staff_user.id")
