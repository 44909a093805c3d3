"""Helpers for the front-desk tests (imported as a plain module: tests/areas/frontdesk is on sys.path)."""

from __future__ import annotations

from datetime import datetime

from builders import NOW

from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext


def ctx_for(engine, username: str = "reception", *, now: datetime = NOW, jurisdiction: str = "england",
            terminal: str = "test") -> ServiceContext:
    """A service context acting as ``username`` at a fixed time."""
    settings = Settings(db_url=str(engine.url), jurisdiction=jurisdiction)
    base = ServiceContext.create(engine, settings, terminal=terminal, clock=lambda: now)
    return base.as_actor(find_actor(base, username))


def add_staff(engine, username: str, name: str, role: str, team_code: str) -> None:
    """Add a member of staff to a team (the team is created if it does not exist)."""
    from sqlmodel import select

    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import StaffUser, Team

    with session_scope(engine, write=True) as s:
        team = s.exec(select(Team).where(Team.code == team_code)).first()
        if team is None:
            from duty_tui.core.config.reference import load_reference

            names = load_reference(Settings(db_url="sqlite://").data_dir).teams
            team = Team(code=team_code, name=names[team_code].name if team_code in names else team_code)
            s.add(team)
            s.flush()
        s.add(StaffUser(username=username, display_name=name, role=role, team_id=team.id))
