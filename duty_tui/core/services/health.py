"""Is the database answering? (The TUI asks while it shows the 'database unreachable' banner.)"""

from __future__ import annotations

from sqlalchemy import text

from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.services.context import ServiceContext


def database_answers(ctx: ServiceContext) -> bool:
    """True when a save could go through now: a write transaction can begin (on SQLite that takes
    the write lock, so a file another program holds locked still counts as away) and a query runs."""
    try:
        with session_scope(ctx.engine, write=True) as session:
            session.execute(text("SELECT 1"))
    except DutyError:
        return False
    return True
