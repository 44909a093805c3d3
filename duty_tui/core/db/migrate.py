"""Schema migrations through Alembic, configured in code (no alembic.ini needed).

``upgrade`` brings a database to every head; ``check_current`` refuses a
database at an older revision with a message naming ``duty-tui db upgrade``.

The core's revisions are in ``migrations/versions``; each area keeps its own branch
off the initial schema in its package (``duty_tui/areas/<area>/db/migrations``), so
areas can add tables independently; the database is current when it is at all of
the heads. (The trust branch's two revisions, drafts and send choices, made core
tables and live with the core's.)
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from duty_tui.core.db.engine import environment_problem
from duty_tui.core.db.preflight import version_folders

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None) -> Config:
    """An Alembic config bound to ``engine`` (passed to env.py as an attribute; None only reads the scripts)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    folders = version_folders(MIGRATIONS_DIR)  # the core's, then each area's branch
    config.set_main_option("version_locations", os.pathsep.join(str(folder) for folder in folders))
    config.attributes["engine"] = engine
    return config


def _label(revisions: set[str] | tuple[str, ...]) -> str:
    return "+".join(sorted(revisions)) or "empty"


def head_revision() -> str:
    """The newest revision(s) this program knows, joined with '+'."""
    script = ScriptDirectory.from_config(alembic_config(None))
    return _label(tuple(script.get_heads()))


def current_revisions(engine: Engine) -> set[str]:
    """The database's revisions (one per branch); empty when never migrated (``preflight.stored_revisions``)."""
    from duty_tui.core.db.preflight import stored_revisions

    return stored_revisions(engine)


def current_revision(engine: Engine) -> str | None:
    """The database's revision(s) joined with '+', or None when it has never been migrated."""
    revisions = current_revisions(engine)
    return _label(revisions) if revisions else None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to every head; idempotent. Returns (before, after) revisions."""
    before = current_revision(engine)
    try:
        command.upgrade(alembic_config(engine), "heads")
    except (OperationalError, DBAPIError) as exc:
        raise environment_problem(engine, exc) from None
    return before, current_revision(engine) or head_revision()


def check_current(engine: Engine) -> None:
    """Raise EnvironmentProblem unless the database is at every head revision (one implementation, without
    Alembic: ``preflight.check_engine``; tests/core/db keeps its heads in step with Alembic's)."""
    from duty_tui.core.db.preflight import check_engine

    check_engine(engine, MIGRATIONS_DIR)
