"""`duty-tui staff list|add|set|disable` (docs/CLI.md): staff users and their OS links, without SQL.

Administrators only (``--as`` an administrator, from the OS account linked to them or a trusted
one; docs/STAFF.md), every change audited. A password is never an argument: ``--password-stdin``
reads it from standard input (scripts), ``--password`` (or ``staff add`` at a terminal) asks
for it without echo. Exit 2 names what to fix; nothing is changed.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp, cli_state, open_engine, service_context
from duty_tui.core.domain.errors import InputError

staff = SubApp("staff", typer.Typer(help="Staff users and their links to operating-system accounts (administrators).",
                                    no_args_is_help=True, add_completion=False))

AS_HELP = "Act as this staff user (an administrator: admin.users)."


@staff.app.callback()
def _staff() -> None:
    """Staff users and their links to operating-system accounts (administrators)."""


def _read_password(*, from_stdin: bool, prompt: bool, username: str, optional: bool) -> str | None:
    """The new password from standard input or a no-echo prompt; None when none is to be set."""
    if from_stdin and prompt:
        raise InputError("give --password-stdin or --password, not both")
    if from_stdin:
        if sys.stdin is None:
            raise InputError("--password-stdin: there is no standard input; pipe the password in")
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise InputError("--password-stdin: standard input held no password (one line is read)")
        return password
    if not prompt and not (optional and sys.stdin is not None and sys.stdin.isatty()):
        return None
    if sys.stdin is None or not sys.stdin.isatty():
        raise InputError("--password asks at a terminal; standard input is not one, so use --password-stdin")
    import getpass

    first = getpass.getpass(f"New password for {username}" + (" (Enter for none: OS sign-in only)" if optional
                                                              else "") + ": ")
    if not first and optional:
        return None
    second = getpass.getpass("The same again: ")
    if first != second:
        raise InputError("the two passwords differ; nothing was changed, try again")
    return first


def _connect(ctx: typer.Context, as_user: str | None):
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    return service_context(settings, engine, as_user)


def _describe(view, *, state: bool = True) -> str:
    from duty_tui.core.domain.validators import inert

    link = f"linked to OS account {inert(view.os_user)}" if view.os_user else "no OS account linked"
    team = f", team {inert(view.team)}" if view.team else ""
    shown = " (disabled)" if state and not view.active else ""
    return f"{inert(view.username)}{shown}: {inert(view.name)}, role {inert(view.role)}{team}; {link}"


@staff.app.command("list")
def staff_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of {username, name, role, team, "
                                                         "os_user, active}.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Every staff user, with role, team and OS account."""
    from duty_tui.core.services.outputs import dump_json, one_line
    from duty_tui.core.services.staff import list_staff

    views = list_staff(_connect(ctx, as_user))
    if as_json:
        typer.echo(dump_json([v.as_json() for v in views]))
        return
    # Usernames, roles, teams and OS accounts are what an administrator types next: never cut.
    rows = [(one_line(v.username), one_line(v.name, limit=40), one_line(v.role), one_line(v.team or "-"),
             one_line(v.os_user or "-"), "active" if v.active else "disabled") for v in views]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(5)]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)) + "  " + row[5])
    typer.echo(f"{len(views)} staff user{'s' if len(views) != 1 else ''}", err=True)


EXTRA = {"allow_extra_args": True}
"""add and set take extra words only to refuse them without repeating them: a stray word may be a password."""


def _no_stray_words(ctx: typer.Context) -> None:
    if ctx.args:
        raise InputError(f"{len(ctx.args)} unexpected word(s) after the options (not repeated here: a password is "
                         "never given on the command line, where history and ps keep it); --password asks for it, "
                         "--password-stdin reads it")


@staff.app.command("add", context_settings=EXTRA)
def staff_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The new staff username.")],
    name: Annotated[str, typer.Option("--name", help="The person's name as staff see it.")],
    role: Annotated[str, typer.Option("--role", help="A role in data/roles.toml, e.g. reception.")],
    team: Annotated[str | None, typer.Option("--team", help="A team code in this database.")] = None,
    os_user: Annotated[str | None, typer.Option("--os-user", help="Their operating-system account "
                                                                     "(--auth os signs it in as them).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard "
                                                                           "input (one line).")] = False,
    password_prompt: Annotated[bool, typer.Option("--password", help="Ask for a password without echo "
                                                                     "(the default at a terminal).")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Add a staff user (the first administrator of a new database may be added as root without --as)."""
    from duty_tui.core.services.staff import add_staff, check_username

    _no_stray_words(ctx)
    problem = check_username(username)
    if problem:
        raise InputError(problem)
    service_ctx = _connect(ctx, as_user)
    password = _read_password(from_stdin=password_stdin, prompt=password_prompt, username=username, optional=True)
    view = add_staff(service_ctx, username, name=name, role=role, team=team, os_user=os_user, password=password)
    typer.echo(f"added {_describe(view)}", err=True)
    if password is None:
        typer.echo(f"{view.username} has no password: they can sign in only through their OS account "
                   f"(--auth os); give one with duty-tui staff set {view.username} --password", err=True)


@staff.app.command("set", context_settings=EXTRA)
def staff_set(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The staff username to change.")],
    role: Annotated[str | None, typer.Option("--role", help="A new role from data/roles.toml.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="A new team code.")] = None,
    os_user: Annotated[str | None, typer.Option("--os-user", help="Link this operating-system account.")] = None,
    no_os_user: Annotated[bool, typer.Option("--no-os-user", help="Remove the OS account link.")] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read a new password from standard "
                                                                           "input (one line).")] = False,
    password_prompt: Annotated[bool, typer.Option("--password", help="Ask for a new password without echo.")]
    = False,
    as_user: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Change a staff user's role, team, OS account link or password."""
    from duty_tui.core.services.staff import UNSET, update_staff

    _no_stray_words(ctx)
    if os_user is not None and no_os_user:
        raise InputError("give --os-user NAME or --no-os-user, not both")
    service_ctx = _connect(ctx, as_user)
    password = _read_password(from_stdin=password_stdin, prompt=password_prompt, username=username, optional=False)
    link = None if no_os_user else (os_user if os_user is not None else UNSET)
    view = update_staff(service_ctx, username, role=role, team=team, os_user=link, password=password)
    typer.echo(f"changed {_describe(view)}" + ("; new password set" if password is not None else ""), err=True)


@staff.app.command("disable")
def staff_disable(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The staff username to disable.")],
    as_user: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Disable a staff user: they can no longer sign in (the last active administrator cannot be disabled)."""
    from duty_tui.core.domain.validators import inert
    from duty_tui.core.services.staff import disable_staff

    view, changed = disable_staff(_connect(ctx, as_user), username)
    if changed:
        typer.echo(f"disabled {_describe(view, state=False)}", err=True)
    else:
        typer.echo(f"{inert(view.username)} was already disabled; nothing changed", err=True)
