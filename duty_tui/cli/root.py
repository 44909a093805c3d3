"""The `duty-tui` command: starts the app and runs the batch jobs in docs/CLI.md.

Exit codes: 0 success; 2 the input or arguments are wrong (nothing changed);
3 the environment is wrong (database unreachable, old schema, locked). Every
failure is one clear line per problem on stderr, never a traceback.

This is the one place that knows every command module: the lists below name them, in the order
`duty-tui --help` shows them (issue 12's AREAS registry will supply the areas' entries).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from duty_tui.cli.context import CliState, SubApp, cli_state
from duty_tui.start import fast_app_args, guarded, hoist_db, open_app, run_app

COMMANDS: tuple[tuple[str, str], ...] = (
    ("demo", "duty_tui.cli.demo:demo"),
    ("serve", "duty_tui.cli.serve:serve"),  # the browser face (duty_tui/web/)
    ("keys", "duty_tui.cli.keys:keys"),
)
"""`duty-tui NAME`: single commands, as (name, "module:function")."""

SUB_APPS: tuple[str, ...] = (
    "duty_tui.cli.db:db",
    "duty_tui.cli.person:person",
    "duty_tui.cli.audit:audit",
    "duty_tui.cli.housing_options:triage",
    "duty_tui.cli.payments:account",
    "duty_tui.cli.payments:payments",
    "duty_tui.cli.report:report",
    "duty_tui.cli.trust:gdpr",
    "duty_tui.cli.frontdesk:queue",
    "duty_tui.cli.staff:staff",
)
"""`duty-tui NAME ...`: groups of commands, each a "module:attribute" naming a ``SubApp``."""

REPORTS: tuple[tuple[str, str], ...] = (
    ("contacts", "duty_tui.cli.frontdesk:report_contacts"),
    ("homelessness", "duty_tui.cli.housing_options:report_homelessness"),
)
"""`duty-tui report NAME`: each area's report, as (name, "module:function"), added to the report group."""

app = typer.Typer(
    name="duty-tui",
    help="Front-office terminal for UK social landlords. Run with no command to open the app.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    rich_markup_mode=None,
)


def load(path: str) -> Any:
    """The object a "module:attribute" path names (a missing module or name is an error, never skipped)."""
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _register() -> None:
    for name, path in COMMANDS:
        app.command(name)(load(path))
    groups: dict[str, SubApp] = {}
    for path in SUB_APPS:
        group = load(path)
        groups[group.name] = group
        app.add_typer(group.app, name=group.name)
    for name, path in REPORTS:
        groups["report"].app.command(name)(load(path))


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (sqlite:///file.db or postgresql+psycopg://...).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Config file (TOML).")] = None,
    keymap: Annotated[str | None, typer.Option("--keymap", help="Keymap name (default, vim) or a TOML file.")] = None,
    theme: Annotated[str | None, typer.Option("--theme", help="Theme name.")] = None,
    auth: Annotated[str | None, typer.Option("--auth", help="password (default) or os: sign in as the OS user.")] = None,
) -> None:
    """Open the app on the configured database."""
    state = cli_state(ctx)
    state.db = db or state.db
    state.config = config
    state.overrides.update({k: v for k, v in {"keymap": keymap, "theme": theme, "auth": auth}.items() if v})
    if ctx.invoked_subcommand is None:
        code = _open_app(state.settings())
        if code:
            raise typer.Exit(code)


def _open_app(settings) -> int:
    """Check the database quickly, then open the app (the database layer loads after the first paint)."""
    from duty_tui.db.preflight import check

    return run_app(settings, demo=check(settings.db_url).demo)


_register()


def run(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (never raises for user-facing errors).

    Everything a command creates is private to the user (umask 077: files 0600, folders 0700).
    """
    from duty_tui.private_files import private_umask

    with private_umask():
        args, db = hoist_db(list(sys.argv[1:] if argv is None else argv))
        fast = fast_app_args(args)
        if fast is not None:
            return guarded(lambda: open_app(db, fast), _echo)
        return guarded(lambda: _invoke(args, CliState(db=db)), _echo)


def _echo(line: str) -> None:
    typer.echo(line, err=True)


def _invoke(args: list[str], state: CliState) -> int:
    """Typer's own outcomes as exit codes; what a command raises otherwise goes to ``guarded``."""
    try:
        result = app(args=args, prog_name="duty-tui", standalone_mode=False, obj=state)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("duty-tui: aborted", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors: unknown command, bad option value
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        typer.echo(f"duty-tui: {message}", err=True)
        return 2
    # With standalone_mode off, click returns typer.Exit's code instead of raising it.
    return result if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())


__all__ = ["COMMANDS", "REPORTS", "SUB_APPS", "app", "main", "run"]
