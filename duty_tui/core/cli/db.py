"""`duty-tui db upgrade` and `duty-tui db grants` (docs/CLI.md): the database schema and the app role's rights."""

from __future__ import annotations

from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp, cli_state, open_engine
from duty_tui.core.domain.errors import InputError

db = SubApp("db", typer.Typer(help="Database schema.", no_args_is_help=True))


@db.app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database to the current schema (idempotent)."""
    from duty_tui.core.db.migrate import upgrade

    settings = cli_state(ctx).settings()
    engine = open_engine(settings, check=False, create=True)
    before, after = upgrade(engine)
    if before == after:
        typer.echo(f"database already at schema revision {after}", err=True)
    else:
        typer.echo(f"database upgraded from {before or 'empty'} to schema revision {after}", err=True)


@db.app.command("grants")
def db_grants(
    ctx: typer.Context,
    app_role: Annotated[str, typer.Option("--app-role", help="The login role the app connects as.")],
    print_sql: Annotated[bool, typer.Option("--print", help="Print the SQL instead of running it.")] = False,
) -> None:
    """PostgreSQL: give the app role ordinary DML but no UPDATE/DELETE/TRUNCATE on the audit trail (run as owner)."""
    from duty_tui.core.db import grants

    settings = cli_state(ctx).settings()
    grants.check_role_name(app_role)
    try:
        backend, database = grants.url_database(settings.db_url)
    except Exception:  # a malformed URL: make_engine says what is wrong with it, password hidden
        backend, database = None, None
    if backend == "sqlite":
        raise InputError(grants.SQLITE_MESSAGE)
    if print_sql and backend == "postgresql":
        typer.echo(grants.render_sql(app_role, database=database), nl=False)
        return
    engine = open_engine(settings)
    result = grants.apply_grants(engine, app_role)
    typer.echo(f"granted {result.app_role} ordinary DML on {result.tables} tables owned by {result.owner}; "
               "it may not UPDATE, DELETE or TRUNCATE audit_event", err=True)
