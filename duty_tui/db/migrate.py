"""Schema migrations through Alembic, configured in code (no alembic.ini needed).

``upgrade`` brings a database to head; ``check_current`` refuses a database at
an older revision with a message naming ``duty-tui db upgrade``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from duty_tui.config import hide_password
from duty_tui.db.engine import environment_problem
from duty_tui.errors import EnvironmentProblem

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine`` (passed to env.py as an attribute)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest revision this program knows."""
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's revision, or None when it has never been migrated."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except (OperationalError, DBAPIError) as exc:
        raise environment_problem(engine, exc) from None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to head; idempotent. Returns (before, after) revisions."""
    before = current_revision(engine)
    try:
        command.upgrade(alembic_config(engine), "head")
    except (OperationalError, DBAPIError) as exc:
        raise environment_problem(engine, exc) from None
    return before, head_revision()


def check_current(engine: Engine) -> None:
    """Raise EnvironmentProblem unless the database is at the head revision."""
    current = current_revision(engine)
    head = head_revision()
    url = hide_password(str(engine.url))
    if current is None:
        raise EnvironmentProblem(
            f"database {url} has no duty-tui schema yet; run: duty-tui db upgrade "
            "(or duty-tui demo to create a demo office)"
        )
    if current != head:
        script = ScriptDirectory.from_config(alembic_config(engine))
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise EnvironmentProblem(
                f"database {url} is at schema revision {current}, newer than this program knows ({head}); "
                "upgrade duty-tui"
            )
        raise EnvironmentProblem(
            f"database {url} is at an older schema revision ({current}, current is {head}); run: duty-tui db upgrade"
        )
