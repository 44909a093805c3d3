"""What a conflict shows: who saved the record first, when, and the values now stored.

Optimistic locking refuses a save over a newer version (``WHERE version = :seen``); these
helpers, used inside the refused save's own transaction, turn that refusal into a
``ConflictError`` carrying both versions, so the screen can show them side by side and the
user's text is never lost. Not use cases themselves (no permission check, no audit event).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from duty_tui.core.db.models import AuditEvent, StaffUser
from duty_tui.core.domain.errors import ConflictError
from duty_tui.core.domain.local_time import format_local

BLANK = "—"
"""How an empty value is shown in a comparison."""


def _is_view(action: str) -> bool:
    last = action.rsplit(".", 1)[-1]
    return last in ("view", "viewed") or last.endswith("_viewed") or last.startswith("view")


def last_change(session: Session, entity: str, entity_id: Any) -> tuple[str | None, datetime | None]:
    """(who, when) of the latest change to a record, from its audit events (views are skipped)."""
    rows = session.exec(
        select(AuditEvent.action, AuditEvent.actor, AuditEvent.actor_id, AuditEvent.at)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
        .order_by(col(AuditEvent.id).desc()).limit(50)
    ).all()
    for action, actor, actor_id, at in rows:
        if _is_view(action):
            continue
        name = None
        if actor_id is not None:
            name = session.exec(select(StaffUser.display_name).where(StaffUser.id == actor_id)).first()
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return (name or actor), at
    return None, None


def as_text(value: Any) -> str:
    """A stored or typed value as a line of text for the comparison (blank as —)."""
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_local(value if value.tzinfo else value.replace(tzinfo=UTC), "%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value) or BLANK
    return str(value)


def conflict_message(what: str, who: str | None, at: datetime | None, tail: str) -> str:
    """'someone else changed this <what> at HH:MM (Who); <tail>' — the wording the screens expect."""
    when = f" at {format_local(at, '%H:%M')}" if at else ""
    by = f" ({who})" if who else ""
    return f"someone else changed this {what}{when}{by}; {tail}"


def build_conflict(session: Session, *, what: str, entity: str, entity_id: Any, theirs: Mapping[str, Any],
                   yours: Mapping[str, Any] | None = None, version: int | None = None,
                   tail: str = "your text is kept — reload and re-apply",
                   changed_at: datetime | None = None) -> ConflictError:
    """A ConflictError for ``what`` (e.g. "case C000123") with who/when and both versions as text."""
    who, at = last_change(session, entity, entity_id)
    at = at or changed_at
    return ConflictError(conflict_message(what, who, at, tail), record=what, changed_by=who, changed_at=at,
                         theirs={k: as_text(v) for k, v in theirs.items()},
                         yours={k: as_text(v) for k, v in (yours or {}).items()}, version=version)


def differing(theirs: Mapping[str, str], yours: Mapping[str, str], keep: Iterable[str] = ()) -> tuple[dict, dict]:
    """Only the labels whose values differ (plus ``keep``), in ``theirs`` order then ``yours``."""
    keep = set(keep)
    labels = list(theirs) + [k for k in yours if k not in theirs]
    chosen = [k for k in labels if k in keep or theirs.get(k, BLANK) != yours.get(k, BLANK)]
    return ({k: theirs.get(k, BLANK) for k in chosen}, {k: yours.get(k, BLANK) for k in chosen})
