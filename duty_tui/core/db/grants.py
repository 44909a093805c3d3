"""PostgreSQL privileges for the application's login role (``duty-tui db grants``).

Two roles (docs/AUDIT.md): the *owner* owns every table and runs ``db upgrade``;
the *app* role is what the terminals and batch jobs log in as. The app role gets
ordinary DML on every table except:

- ``audit_event``: SELECT and INSERT only — it can never UPDATE, DELETE or
  TRUNCATE an audit row;
- ``audit_head`` (the chain head): SELECT and UPDATE only;
- ``alembic_version``: SELECT only (it checks the schema revision, never moves it);
- ``audit_pending`` (events committed while the head was busy): SELECT and INSERT only — a sealing
  pass removes what it sealed through the owner's ``duty_audit_drop_sealed``, which deletes only
  rows already in audit_event;
- ``account_balance``: SELECT only — the database's own trigger (SECURITY DEFINER, run as the
  owner) keeps it as ledger rows are posted, so the app moves a balance only by posting a row.

It owns nothing, so it cannot ALTER, DROP or TRUNCATE anything, and it may not
CREATE in the schema. The statements are idempotent: every run first revokes
what the role holds on the schema's tables and sequences, then grants exactly
the set above, so running it again after each ``db upgrade`` puts new tables
right. Default privileges cover tables the owner creates later (ordinary DML,
never audit rights: audit_event already exists).

No trigger guards audit_event as well: the grants already refuse every role but
the owner, and a trigger cannot stop the owner (who can disable or drop it);
what the owner does is caught by the hash chain and an anchored head hash
(``duty-tui audit verify --anchor``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from duty_tui.core.domain.errors import EnvironmentProblem, InputError

AUDIT_TABLE = "audit_event"
HEAD_TABLE = "audit_head"
SCHEMA_TABLE = "alembic_version"
KEPT_BALANCE_TABLE = "account_balance"
PENDING_TABLE = "audit_pending"
DML = "SELECT, INSERT, UPDATE, DELETE"
FORBIDDEN_ON_AUDIT = ("UPDATE", "DELETE", "TRUNCATE")

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

SQLITE_MESSAGE = (
    "SQLite has no database roles, so there is nothing to grant: protect the database file instead "
    "(owned by the service account, chmod 600, in a directory only it can write) and keep the audit head "
    "hash offsite (duty-tui audit verify --json); see docs/AUDIT.md"
)


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def check_role_name(name: str, option: str = "--app-role") -> str:
    """The role name, or InputError saying what a role name may be."""
    if not _ROLE_NAME.match(name or ""):
        raise InputError(f"{option} {name!r} is not a plain role name; use letters, digits and _ "
                         "(at most 63, not starting with a digit)")
    return name


def grant_statements(app_role: str, *, database: str | None, schema: str = "public") -> list[str]:
    """The SQL, in order, that gives ``app_role`` exactly the app's privileges (run as the owner)."""
    check_role_name(app_role)
    role = quote_ident(app_role)
    s = quote_ident(schema)
    audit, head, version, kept, pending = (f"{s}.{quote_ident(t)}" for t in (
        AUDIT_TABLE, HEAD_TABLE, SCHEMA_TABLE, KEPT_BALANCE_TABLE, PENDING_TABLE))
    statements = []
    if database:
        statements.append(f"GRANT CONNECT ON DATABASE {quote_ident(database)} TO {role}")
    statements += [
        f"GRANT USAGE ON SCHEMA {s} TO {role}",
        # Nobody but the owner creates objects here (PostgreSQL < 15 lets PUBLIC create in public).
        f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA {s} FROM {role}",
        # Start from nothing, so a second run leaves exactly the same privileges.
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {role}",
        f"GRANT {DML} ON ALL TABLES IN SCHEMA {s} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {role}",
        # The audit trail is append-only for everyone but the owner.
        f"REVOKE {', '.join(FORBIDDEN_ON_AUDIT)} ON {audit} FROM {role}",
        f"REVOKE {', '.join(FORBIDDEN_ON_AUDIT)} ON {audit} FROM PUBLIC",
        f"REVOKE INSERT, DELETE, TRUNCATE ON {head} FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {version} FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {kept} FROM {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {pending} FROM {role}",
        # Tables and sequences the owner creates in later upgrades.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT {DML} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    return statements


def render_sql(app_role: str, *, database: str | None, schema: str = "public") -> str:
    """The statements as a script (one transaction) for ``--print``."""
    body = ";\n".join(grant_statements(app_role, database=database, schema=schema))
    return (f"-- duty-tui db grants --app-role {app_role}: run as the role that owns the tables\n"
            f"BEGIN;\n{body};\nCOMMIT;\n")


def url_database(url: str) -> tuple[str, str | None]:
    """(backend name, database name) of a SQLAlchemy URL."""
    parsed = make_url(url)
    return parsed.get_backend_name(), parsed.database


@dataclass(frozen=True)
class GrantResult:
    """What ``apply_grants`` did."""

    app_role: str
    owner: str
    statements: int
    tables: int


def apply_grants(engine: Engine, app_role: str, *, schema: str = "public") -> GrantResult:
    """Run the grants as the connected (owner) role, in one transaction, then prove them."""
    if engine.dialect.name != "postgresql":
        raise InputError(SQLITE_MESSAGE)
    check_role_name(app_role)
    with engine.begin() as connection:
        me = connection.execute(text("SELECT current_user")).scalar_one()
        owner = connection.execute(
            text("SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = :t"),
            {"s": schema, "t": AUDIT_TABLE}).scalar_one_or_none()
        if owner is None:
            raise EnvironmentProblem(f"there is no {AUDIT_TABLE} table in schema {schema}; "
                                     "run duty-tui db upgrade (as the owner role) first")
        if me != owner:
            raise EnvironmentProblem(f"connected as {me}, but the tables belong to {owner}; run duty-tui db grants "
                                     f"with a --db URL that logs in as {owner} (the role that ran db upgrade)")
        role = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"),
                                  {"r": app_role}).one_or_none()
        if role is None:
            raise InputError(f"there is no role {app_role!r}; create it first (as a superuser or a role with "
                             f"CREATEROLE): CREATE ROLE {app_role} LOGIN PASSWORD '...'")
        if app_role == owner:
            raise InputError(f"{app_role} owns the tables, so no grant can limit it; make a separate login role "
                             "for the app and pass that to --app-role")
        if role.rolsuper:
            raise InputError(f"{app_role} is a superuser, which ignores every grant; the app role must be an "
                             "ordinary login role (ALTER ROLE ... NOSUPERUSER)")
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        statements = grant_statements(app_role, database=database, schema=schema)
        for statement in statements:
            connection.execute(text(statement))
        # Prove it: membership in another role (e.g. the owner's) would still let it alter audit rows.
        able = [p for p in FORBIDDEN_ON_AUDIT if connection.execute(
            text("SELECT has_table_privilege(:r, :t, :p)"),
            {"r": app_role, "t": f"{quote_ident(schema)}.{AUDIT_TABLE}", "p": p}).scalar_one()]
        if able:
            raise EnvironmentProblem(
                f"{app_role} could still {'/'.join(able)} {AUDIT_TABLE} through a role it belongs to; "
                f"revoke that membership (\\du {app_role}) and run duty-tui db grants again; nothing was changed")
        tables = connection.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = :s"),
                                    {"s": schema}).scalar_one()
    return GrantResult(app_role, owner, len(statements), int(tables))


def audit_privileges(engine: Engine, role: str, *, schema: str = "public") -> dict[str, bool]:
    """Which of UPDATE/DELETE/TRUNCATE ``role`` holds on audit_event (PostgreSQL)."""
    with engine.connect() as connection:
        return {p: bool(connection.execute(text("SELECT has_table_privilege(:r, :t, :p)"),
                                           {"r": role, "t": f"{quote_ident(schema)}.{AUDIT_TABLE}",
                                            "p": p}).scalar_one())
                for p in FORBIDDEN_ON_AUDIT}
