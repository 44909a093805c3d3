"""The `duty-tui` command: starts the app and runs the batch jobs in docs/CLI.md.

Exit codes: 0 success; 2 the input or arguments are wrong (nothing changed);
3 the environment is wrong (database unreachable, old schema, locked). Every
failure is one clear line per problem on stderr, never a traceback.

This is the one place that knows every command module: the core's are listed below, each area's
come from its ``Area`` (duty_tui.core.registry), in the order `duty-tui --help` shows them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core import registry
from duty_tui.core.cli.context import CliState, SubApp, cli_state
from duty_tui.core.start import fast_app_args, guarded, hoist_db, open_app, run_app

COMMANDS: tuple[tuple[str, str], ...] = (
    ("demo", "duty_tui.core.cli.demo:demo"),
    ("serve", "duty_tui.core.cli.serve:serve"),  # the browser face (duty_tui/web/)
    ("keys", "duty_tui.core.cli.keys:keys"),
)
"""`duty-tui NAME`: single commands, as (name, "module:function")."""

CORE_GROUPS: tuple[str, ...] = (
    "duty_tui.core.cli.db:db",
    "duty_tui.core.cli.person:person",
    "duty_tui.core.cli.audit:audit",
    "duty_tui.core.cli.report:report",
    "duty_tui.core.cli.staff:staff",
)
"""`duty-tui NAME ...`: the core's groups of commands, each a "module:attribute" naming a ``SubApp``."""


def sub_apps() -> tuple[str, ...]:
    """Every group: the core's, with each area's (duty_tui.core.registry) after ``audit``."""
    areas = tuple(path for each in registry.areas() for path in each.cli_groups)
    return (*CORE_GROUPS[:3], *areas, *CORE_GROUPS[3:])


def reports() -> tuple[tuple[str, str], ...]:
    """`duty-tui report NAME`: each area's report, as (name, "module:function"), added to the report group."""
    return tuple(entry for each in registry.areas() for entry in each.reports)


app = typer.Typer(
    name="duty-tui",
    help="Front-office terminal for UK social landlords. Run with no command to open the app.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    rich_markup_mode=None,
)


def _register() -> None:
    for name, path in COMMANDS:
        app.command(name)(registry.load(path))
    groups: dict[str, SubApp] = {}
    for path in sub_apps():
        group = registry.load(path)
        groups[group.name] = group
        app.add_typer(group.app, name=group.name)
    for name, path in reports():
        groups["report"].app.command(name)(registry.load(path))


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
    from duty_tui.core.db.preflight import check

    return run_app(settings, demo=check(settings.db_url).demo)


_register()


def run(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (never raises for user-facing errors).

    Everything a command creates is private to the user (umask 077: files 0600, folders 0700).
    """
    from duty_tui.core.config.private_files import private_umask

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


__all__ = ["COMMANDS", "CORE_GROUPS", "app", "main", "reports", "run", "sub_apps"]
