"""Is the database answering? (The TUI asks while it shows the 'database unreachable' banner.)"""

from __future__ import annotations

from duty_tui.db.engine import ping
from duty_tui.services.context import ServiceContext


def database_answers(ctx: ServiceContext) -> bool:
    """True when a trivial query succeeds now."""
    from duty_tui.errors import DutyError

    try:
        ping(ctx.engine)
    except DutyError:
        return False
    return True
