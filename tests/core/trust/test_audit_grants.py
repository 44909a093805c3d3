"""`duty-tui db grants`: on PostgreSQL the application's login role cannot alter the audit trail.

The tables belong to the owner (here the test cluster's bootstrap role, which ran the
migrations); the app role gets ordinary DML through `db grants --app-role`, and then does real
work through the services — which write audit — while every way of rewriting audit_event, or
ALTERing/DROPping anything, is refused with "permission denied". Roles are cluster-wide, so
each test makes its own uniquely named role and drops it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from builders import NOW, seed_office
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from duty_tui.areas.frontdesk.services.routing import add_case_note, take_case
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine
from duty_tui.core.db.grants import audit_privileges, grant_statements
from duty_tui.core.services import audit_late
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.people import get_person

PASSWORD = "app-pw-Zq7"
INSUFFICIENT_PRIVILEGE = "42501"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        assert PASSWORD not in captured.out + captured.err
        return Result(code, captured.out, captured.err)

    return invoke


@dataclass
class AppRole:
    name: str
    url: str


def _admin(pg_engine, sql: str) -> None:
    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(sql))


@pytest.fixture
def app_role(pg_engine, pg_url):
    """A fresh LOGIN role with a password (no privileges yet), dropped afterwards."""
    name = f"duty_app_{uuid.uuid4().hex[:10]}"
    _admin(pg_engine, f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
    url = make_url(pg_url).set(username=name, password=PASSWORD).render_as_string(hide_password=False)
    try:
        yield AppRole(name, url)
    finally:
        # DROP OWNED revokes its privileges here and on the database itself; then the role can go.
        _admin(pg_engine, f"DROP OWNED BY {name}")
        _admin(pg_engine, f"DROP ROLE {name}")


def as_app(app_role: AppRole, username: str):
    engine = make_engine(app_role.url)
    ctx = ServiceContext.create(engine, Settings(db_url=app_role.url), terminal="desk-7", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def refused(engine, sql: str) -> str | None:
    """The SQLSTATE the statement failed with (None when it ran)."""
    try:
        with engine.begin() as connection:
            connection.execute(text(sql))
    except DBAPIError as exc:
        return getattr(exc.orig, "sqlstate", "?")
    return None


def test_the_app_role_works_and_writes_audit_but_cannot_rewrite_it(cli, pg_engine, pg_url, app_role):
    seed_office(pg_engine)
    granted = cli("--db", pg_url, "db", "grants", "--app-role", app_role.name)
    assert granted.code == 0, granted
    assert "may not UPDATE, DELETE or TRUNCATE audit_event" in granted.err
    assert cli("--db", pg_url, "db", "grants", "--app-role", app_role.name).code == 0  # idempotent

    income = as_app(app_role, "income")
    try:
        get_person(income, "P0000001")                    # read + audit
        take_case(income, "C0000001", seen_version=1)     # UPDATE with version + audit
        add_case_note(income, "C0000001", "Called about the damp")  # INSERT + audit
        app = income.engine
        with app.connect() as connection:
            actions = connection.execute(text("SELECT action FROM audit_event ORDER BY id")).scalars().all()
        assert actions[-3:] == ["person.view", "case.take", "case.note"]
        # A ledger row posted as the app role moves the kept balance (the trigger runs as the owner) ...
        kept = "SELECT balance_pence FROM account_balance WHERE account_id = (SELECT id FROM account WHERE ref = 'RNT000001')"
        with app.begin() as connection:
            before = connection.execute(text(kept)).scalar_one()
            connection.execute(text(
                "INSERT INTO ledger_entry (account_id, effective_date, posted_at, kind, amount_pence) "
                "SELECT id, DATE '2026-03-09', now(), 'payment', -1234 FROM account WHERE ref = 'RNT000001'"))
            assert connection.execute(text(kept)).scalar_one() == before - 1234

        for statement in (
            "DELETE FROM audit_event",
            "DELETE FROM audit_event WHERE id = 1",
            "UPDATE audit_event SET detail = '{}' WHERE id = 1",
            "TRUNCATE audit_event",
            "DELETE FROM audit_head",
            "INSERT INTO audit_head (id, last_id, last_hash) VALUES (2, 0, 'x')",
            "UPDATE alembic_version SET version_num = 'x'",
            # ... but the app role cannot move one by hand, nor switch the trigger off.
            "UPDATE account_balance SET balance_pence = 0",
            "DELETE FROM account_balance",
            # ... nor change or remove an event waiting for a busy head (only the owner's function removes
            # what a sealing pass has sealed).
            "UPDATE audit_pending SET detail = '{}'",
            "DELETE FROM audit_pending",
            "TRUNCATE audit_pending",
            "ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_keeps_balance",
            "ALTER TABLE audit_event DISABLE TRIGGER ALL",
            "ALTER TABLE audit_event ADD COLUMN note text",
            "DROP TABLE audit_event",
            "DROP TABLE person CASCADE",
            "TRUNCATE person CASCADE",
            "CREATE TABLE evil (id int)",
        ):
            assert refused(app, statement) == INSUFFICIENT_PRIVILEGE, statement
        assert audit_privileges(pg_engine, app_role.name) == {"UPDATE": False, "DELETE": False, "TRUNCATE": False}

        # A sealing pass as the app role: it chains a waiting event and removes it through the owner's function.
        with app.begin() as connection:
            connection.execute(text("INSERT INTO audit_pending (at, actor, terminal, action) "
                                    "VALUES (now(), 'income', 'desk-7', 'person.view')"))
        assert len(audit_late.seal_pending(app)) == 1
        with app.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM audit_pending")).scalar_one() == 0

        verified = cli("--db", app_role.url, "audit", "verify", "--json")
        assert verified.code == 0, verified
        assert '"ok": true' in verified.out
    finally:
        income.engine.dispose()


def test_tables_added_by_a_later_upgrade_are_granted_by_default(cli, pg_engine, pg_url, app_role):
    assert cli("--db", pg_url, "db", "grants", "--app-role", app_role.name).code == 0
    _admin(pg_engine, "CREATE TABLE later_area_table (id serial PRIMARY KEY, note text)")  # as the owner
    app = make_engine(app_role.url)
    try:
        assert refused(app, "INSERT INTO later_area_table (note) VALUES ('x')") is None
        assert refused(app, "UPDATE later_area_table SET note = 'y'") is None
        assert refused(app, "DROP TABLE later_area_table") == INSUFFICIENT_PRIVILEGE
    finally:
        app.dispose()


def test_grants_refuses_what_no_grant_could_limit(cli, pg_engine, pg_url, app_role):
    owner = make_url(pg_url).username
    for role, says in ((owner, "owns the tables"), ("duty_no_such_role", "there is no role"),
                       ("bad-name;", "not a plain role name")):
        result = cli("--db", pg_url, "db", "grants", "--app-role", role)
        assert result.code == 2, (role, result)
        assert says in result.err
    # Run as the app role itself (not the owner): the environment is wrong, nothing changes.
    assert cli("--db", pg_url, "db", "grants", "--app-role", app_role.name).code == 0
    as_app_role = cli("--db", app_role.url, "db", "grants", "--app-role", app_role.name)
    assert as_app_role.code == 3 and "belong to" in as_app_role.err


def test_print_shows_the_sql_and_sqlite_says_what_protects_it(cli, tmp_path):
    url = f"postgresql+psycopg://owner:{PASSWORD}@127.0.0.1:1/duty"  # never connected to
    printed = cli("--db", url, "db", "grants", "--app-role", "duty_app", "--print")
    assert printed.code == 0, printed
    assert printed.out.startswith("-- duty-tui db grants") and printed.out.rstrip().endswith("COMMIT;")
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "public"."audit_event" FROM "duty_app";' in printed.out
    assert 'GRANT CONNECT ON DATABASE "duty" TO "duty_app";' in printed.out
    assert printed.out.count(";") == len(grant_statements("duty_app", database="duty")) + 2  # + BEGIN, COMMIT

    sqlite = cli("--db", f"sqlite:///{tmp_path / 'duty.db'}", "db", "grants", "--app-role", "duty_app")
    assert sqlite.code == 2
    assert "SQLite has no database roles" in sqlite.err and "docs/AUDIT.md" in sqlite.err
