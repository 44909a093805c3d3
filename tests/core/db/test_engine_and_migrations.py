"""The engine factory and the migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from duty_tui.core.db import migrate
from duty_tui.core.db.engine import make_engine, ping, session_scope
from duty_tui.core.db.migrate import check_current, current_revision, head_revision, upgrade
from duty_tui.core.db.models import Household, HouseholdMember, Office
from duty_tui.core.domain.errors import EnvironmentProblem


def schema_of(engine: Engine) -> dict[str, dict[str, object]]:
    """Tables, columns, keys and indexes as both dialects reflect them, made comparable."""

    def python_type(column_type) -> str:
        # SQLite keeps INTEGER for BigInteger keys and DATETIME for TIMESTAMP: compare
        # what the program gets back, not the dialect's spelling.
        try:
            return column_type.python_type.__name__
        except NotImplementedError:
            return type(column_type.as_generic()).__name__

    inspector = inspect(engine)
    schema: dict[str, dict[str, object]] = {}
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            "columns": [
                (c["name"], c["nullable"], python_type(c["type"])) for c in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                for fk in inspector.get_foreign_keys(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
            # PostgreSQL also reports each UNIQUE constraint as an index; SQLite does not.
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
                if "duplicates_constraint" not in i
            ),
        }
    return schema


@pytest.fixture
def empty_engine(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database on the same backend as ``engine`` that has never been migrated."""
    if db_backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    name = f"empty_{uuid.uuid4().hex[:12]}"
    server.create_database(name)
    engine = make_engine(server.url(name))
    try:
        yield engine
    finally:
        engine.dispose()
        server.drop_database(name)


# --- migrations --------------------------------------------------------------------


def heads() -> set[str]:
    """Every head revision this program's migrations know (one per area branch)."""
    return set(ScriptDirectory.from_config(migrate.alembic_config(None)).get_heads())


def stored_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_second_upgrade_changes_nothing(engine: Engine) -> None:
    schema = schema_of(engine)
    assert stored_revisions(engine) == heads()
    assert upgrade(engine) == (head_revision(), head_revision())
    assert schema_of(engine) == schema
    assert stored_revisions(engine) == heads()


def test_upgrade_of_an_empty_database_reaches_head(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    assert upgrade(empty_engine) == (None, head_revision())
    assert stored_revisions(empty_engine) == heads()
    check_current(empty_engine)


def test_check_current_accepts_a_database_at_head(engine: Engine) -> None:
    check_current(engine)


def test_check_current_refuses_a_database_with_no_schema(empty_engine: Engine) -> None:
    with pytest.raises(EnvironmentProblem, match="duty-tui db upgrade"):
        check_current(empty_engine)


@pytest.fixture
def newer_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Play the next release: the real migrations plus one newer (empty) revision on top."""
    migrations = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    revision = "ffff_next_release"
    (migrations / "versions" / f"{revision}.py").write_text(
        f'"""An empty revision after every real head."""\n\n'
        f"revision = {revision!r}\n"
        f"down_revision = {tuple(sorted(heads()))!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\n"
        "def downgrade() -> None:\n    pass\n"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations)
    return revision


def test_check_current_refuses_an_older_revision_until_upgraded(engine: Engine, newer_program: str) -> None:
    with pytest.raises(EnvironmentProblem, match="older schema revision") as caught:
        check_current(engine)
    assert "duty-tui db upgrade" in caught.value.message
    upgrade(engine)
    assert stored_revisions(engine) == {newer_program}
    check_current(engine)


def test_check_current_refuses_a_revision_newer_than_the_program(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('ffff_from_the_future')"))
    with pytest.raises(EnvironmentProblem, match="newer than this program knows") as caught:
        check_current(engine)
    assert "upgrade duty-tui" in caught.value.message


@pytest.mark.postgres
def test_schema_is_the_same_on_both_backends(sqlite_engine: Engine, pg_engine: Engine) -> None:
    sqlite_schema, pg_schema = schema_of(sqlite_engine), schema_of(pg_engine)
    assert "alembic_version" in sqlite_schema
    assert sorted(sqlite_schema) == sorted(pg_schema)
    for table in sqlite_schema:
        assert sqlite_schema[table] == pg_schema[table], table


# --- connection behaviour ------------------------------------------------------------


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine, write=True) as session:
        pragma = lambda name: session.connection().exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 10_000


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        household = Household(ref="H0000001")
        session.add(household)
    with pytest.raises(IntegrityError), session_scope(engine, write=True) as session:
        session.add(HouseholdMember(household_id=household.id, person_id=999_999, relationship="lead"))
        session.flush()
    with session_scope(engine) as session:
        assert session.exec(select(HouseholdMember)).all() == []


def test_write_session_commits_on_success_and_rolls_back_on_error(engine: Engine) -> None:
    class Mishap(Exception):
        pass

    with session_scope(engine, write=True) as session:
        session.add(Office(code="KEPT", name="Committed office"))
    with pytest.raises(Mishap), session_scope(engine, write=True) as session:
        session.add(Office(code="GONE", name="Rolled-back office"))
        session.flush()
        raise Mishap
    with session_scope(engine) as session:
        assert [office.code for office in session.exec(select(Office))] == ["KEPT"]


def _port_with_nothing_listening() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _open_session(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.exec(select(Office)).all()


ENTRY_POINTS: dict[str, Callable[[Engine], object]] = {
    "ping": ping,
    "check_current": check_current,
    "upgrade": upgrade,
    "session_scope": _open_session,
}


@pytest.mark.parametrize("scheme", ["postgresql+psycopg", "postgresql"])
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_unreachable_postgres_is_an_environment_problem_that_hides_the_password(scheme: str, entry: str) -> None:
    password = "Tr0ub4dor-and-3"
    engine = make_engine(f"{scheme}://duty:{password}@127.0.0.1:{_port_with_nothing_listening()}/duty")
    try:
        with pytest.raises(EnvironmentProblem) as caught:
            ENTRY_POINTS[entry](engine)
    finally:
        engine.dispose()
    message = caught.value.message
    assert "***" in message
    assert password not in message and password not in str(caught.value)
    assert "cannot be reached" in message


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_corrupt_sqlite_file_is_an_environment_problem(tmp_path: Path, entry: str) -> None:
    path = tmp_path / "spreadsheet.db"
    path.write_bytes(b"Name,Balance\nnot a database at all\n" * 200)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with pytest.raises(EnvironmentProblem) as caught:
            ENTRY_POINTS[entry](engine)
    finally:
        engine.dispose()
    assert "spreadsheet.db" in caught.value.message
    assert "not a usable SQLite database" in caught.value.message
