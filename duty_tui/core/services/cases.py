"""Cases every area shares (the ``work_case`` table): finding one by ref, adding a note to its timeline."""

from __future__ import annotations

from sqlmodel import Session, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, CaseNote
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_case
from duty_tui.core.services.context import ServiceContext

NOTE_MAX = 4000
"""A case note's longest, in characters, where the area sets none (the front desk's is data/frontdesk/frontdesk.toml's)."""


def case_by_ref(session: Session, ref: str) -> Case:
    """The case with ``ref``; NotFound when there is none."""
    case = session.exec(select(Case).where(Case.ref == (ref or "").strip().upper())).first()
    if case is None:
        raise NotFound(f"no case with ref {ref!r}")
    return case


def add_case_note(ctx: ServiceContext, ref: str, text: str, *, limit: int = NOTE_MAX) -> None:
    """Add a note to the case timeline (case.view, and case.manage or contact.log); audited."""
    ctx.require("case.view")
    if not ctx.can("case.manage") and not ctx.can("contact.log"):
        ctx.require("case.manage")
    text = (text or "").strip()
    if not text:
        raise InputError("note: type the note first")
    if len(text) > limit:
        raise InputError(f"note: {len(text):,} characters is over the limit of {limit:,}")
    with session_scope(ctx.engine, write=True) as session:
        case = case_by_ref(session, ref)
        assert case.id is not None  # a stored row
        session.add(CaseNote(case_id=case.id, at=ctx.now(), author_id=ctx.actor.id if ctx.actor else None, text=text))
        record_case(session, case)
        audit.record(session, ctx, "case.note", "case", case.ref)
