"""Nothing was lost in the move into duty_tui/core and duty_tui/areas (issue 12), on SQLite and PostgreSQL.

- A database built by the migrations of the last commit before the move (``OLD_LAYOUT``, the old
  package layout: ``duty_tui.db.migrate``), then upgraded by this code, has exactly the schema this
  code makes from nothing: tables, columns (types, nullability, defaults), keys, indexes (unique and
  partial ones), unique and check constraints, and the stored alembic revisions.

  Columns are compared by name, not position. Each area's migrations are a branch off the initial
  schema, and Alembic applies independent branches in the order it finds them: the old layout (one
  folder) ran trust_0001 before frontdesk_0001, this one runs it after, so ``contact.save_key`` is the
  last column of a fresh database and not of an upgraded one (ALTER TABLE ADD COLUMN appends). Nothing
  in the program reads or writes a column by position.
- ``duty-tui db upgrade`` on an up-to-date database says so, exits 0 and changes nothing.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import ClauseElement, Engine, inspect, text
from sqlalchemy.types import TypeEngine

from duty_tui.core.cli import run
from duty_tui.core.db.engine import make_engine
from duty_tui.core.db.migrate import head_revision, upgrade

REPO = Path(__file__).resolve().parents[3]

OLD_LAYOUT = "0d6bc8b"
"""The last commit before the move (its parent, 39c4ac4, moved the code): ``duty_tui/db/migrate.py``."""

OLD_UPGRADE = (
    "import sys\n"
    "import duty_tui.db.migrate as migrate\n"
    "from duty_tui.db.engine import make_engine\n"
    "assert migrate.__file__.startswith(sys.argv[2]), migrate.__file__  # the old layout, not this checkout\n"
    "engine = make_engine(sys.argv[1])\n"
    "print(migrate.upgrade(engine)[1])\n"
    "engine.dispose()\n"
)


@pytest.fixture(scope="module")
def old_layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``git archive OLD_LAYOUT duty_tui``, unpacked: the package as it was before the move."""
    try:
        inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=REPO, capture_output=True,
                                text=True, check=False).stdout.strip() == "true"
    except OSError:
        inside = False
    if not inside:
        pytest.skip("not a git checkout: the old layout comes from the project's history")
    archive = subprocess.run(["git", "archive", OLD_LAYOUT, "duty_tui"], cwd=REPO, capture_output=True, check=False)
    if archive.returncode != 0:
        pytest.fail(f"git archive {OLD_LAYOUT} failed ({archive.stderr.decode(errors='replace').strip()}): the last "
                    "commit before the move must be in this clone's history (a shallow clone has none)", pytrace=False)
    root = tmp_path_factory.mktemp("old-layout")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(root, filter="data")
    assert (root / "duty_tui" / "db" / "migrate.py").is_file()
    return root


def upgrade_with_old_code(old_layout: Path, url: str) -> str:
    """Run the old layout's ``duty_tui.db.migrate.upgrade`` on ``url`` in a fresh interpreter; its head."""
    env = {**os.environ, "PYTHONPATH": str(old_layout)}
    done = subprocess.run([sys.executable, "-c", OLD_UPGRADE, url, str(old_layout)], cwd=old_layout, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def schema_of(engine: Engine) -> dict[str, object]:
    """Everything the inspector reflects, as plain comparable values, and the stored alembic revisions."""
    inspector = inspect(engine)
    dialect = engine.dialect

    def plain(value: object) -> object:
        """Comparable and readable: a type as the dialect spells it, a clause (an index's WHERE) as its SQL."""
        if isinstance(value, TypeEngine):
            return value.compile(dialect=dialect)
        if isinstance(value, ClauseElement):
            return str(value)
        if isinstance(value, dict):
            return tuple(sorted((str(k), plain(v)) for k, v in value.items()))
        if isinstance(value, (list, tuple)):
            return tuple(plain(v) for v in value)
        return value

    def listed(items: list) -> list[str]:
        return sorted(repr(plain(item)) for item in items)

    schema: dict[str, object] = {
        "views": sorted(inspector.get_view_names()),
        "alembic": sorted(row[0] for row in _rows(engine, "SELECT version_num FROM alembic_version")),
    }
    if dialect.name == "postgresql":
        schema["sequences"] = sorted(inspector.get_sequence_names())
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            # Not in order: see the module's docstring.
            "columns": sorted(repr(plain(c)) for c in inspector.get_columns(table)),
            "primary key": repr(plain(inspector.get_pk_constraint(table))),
            "foreign keys": listed(inspector.get_foreign_keys(table)),
            "indexes": listed(inspector.get_indexes(table)),  # unique, partial (dialect_options: *_where)
            "unique": listed(inspector.get_unique_constraints(table)),
            "checks": listed(inspector.get_check_constraints(table)),
        }
    return schema


def _rows(engine: Engine, query: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def differences(upgraded: dict[str, object], fresh: dict[str, object]) -> list[str]:
    """What differs, one line per table and aspect: what only the upgraded and only the fresh database has."""
    found = []
    for name in sorted(upgraded.keys() | fresh.keys()):
        a, b = upgraded.get(name), fresh.get(name)
        if a == b:
            continue
        aspects = a.keys() | b.keys() if isinstance(a, dict) and isinstance(b, dict) else {None}
        for aspect in sorted(aspects, key=str):
            x, y = (a, b) if aspect is None else (a.get(aspect), b.get(aspect))  # type: ignore[union-attr]
            if x != y:
                xs, ys = (x if isinstance(x, list) else [x]), (y if isinstance(y, list) else [y])
                found.append(f"{name} {aspect or ''}: only upgraded {[i for i in xs if i not in ys]}, "
                             f"only fresh {[i for i in ys if i not in xs]}")
    return found


def assert_same_schema(upgraded: dict[str, object], fresh: dict[str, object]) -> None:
    assert differences(upgraded, fresh) == []


def assert_sees_everything(schema: dict[str, object]) -> None:
    """The comparison reads what it claims to: every area's tables, a partial unique index and its predicate."""
    assert {"person", "contact", "homeless_case", "payment", "draft", "alembic_version"} <= schema.keys()
    assert len(schema["alembic"]) == len(head_revision().split("+")) > 1  # type: ignore[arg-type]
    [partial] = [i for i in schema["arrangement"]["indexes"] if "'ux_arrangement_active'" in i]  # type: ignore[index]
    assert "_where'" in partial and "status" in partial and "active" in partial  # its WHERE, as SQL
    [anonymous] = [c for c in schema["contact"]["columns"] if "'anonymous'" in c]  # type: ignore[union-attr]
    assert "('default', 'false')" in anonymous or "('default', '0')" in anonymous  # its server default


@pytest.fixture
def pg_empty_url(postgres_server) -> Iterator[str]:
    """A PostgreSQL database that has never been migrated."""
    name = f"old_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


def upgraded_from_old_layout(old_layout: Path, url: str) -> dict[str, object]:
    old_head = upgrade_with_old_code(old_layout, url)
    engine = make_engine(url)
    try:
        before, after = upgrade(engine)
        assert before == old_head and after == head_revision()
        return schema_of(engine)
    finally:
        engine.dispose()


def fresh_schema(url: str) -> dict[str, object]:
    engine = make_engine(url)
    try:
        return schema_of(engine)
    finally:
        engine.dispose()


def test_sqlite_database_from_the_old_layout_upgrades_to_the_fresh_schema(old_layout, tmp_path, sqlite_url):
    upgraded = upgraded_from_old_layout(old_layout, f"sqlite:///{tmp_path / 'old-layout.db'}")
    fresh = fresh_schema(sqlite_url)  # made by this code from nothing (the fixture's template)
    assert_same_schema(upgraded, fresh)
    assert_sees_everything(fresh)


@pytest.mark.postgres
def test_postgres_database_from_the_old_layout_upgrades_to_the_fresh_schema(old_layout, pg_empty_url, pg_url):
    upgraded = upgraded_from_old_layout(old_layout, pg_empty_url)
    fresh = fresh_schema(pg_url)
    assert_same_schema(upgraded, fresh)
    assert_sees_everything(fresh)


# --- db upgrade at head --------------------------------------------------------------------------


def test_db_upgrade_at_head_says_so_and_changes_nothing(db_url, capsys):
    """docs/CLI.md: `db upgrade` is idempotent; on an up-to-date database it says so, in the words it
    has always used, exits 0, and leaves the schema and the alembic_version rows as they were."""
    before = fresh_schema(db_url)  # the fixture's database is at head already
    for _ in range(2):
        assert run(["--db", db_url, "db", "upgrade"]) == 0
        captured = capsys.readouterr()
        assert captured.err == f"database already at schema revision {head_revision()}\n"
        assert captured.out == ""
    assert differences(fresh_schema(db_url), before) == []
    assert before["alembic"] == sorted(head_revision().split("+"))
