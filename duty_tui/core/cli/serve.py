"""`duty-tui serve [--host H] [--port P] [--public-url URL]`: the app in a browser (textual-serve).

Each browser tab gets its own app process and signs in with its own username and password:
`--auth os` would sign every visitor in as this server's OS user, so serve refuses it from
the command line, ``DUTY_AUTH`` and the config file alike (exit 2). The database URL reaches
the app processes in their environment, never their command line; what serve prints holds
no password. ``duty_tui.core.web.server`` says what the server checks (Origin, the browser's
address as the audit terminal, assets from this server only).
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine
from duty_tui.core.domain.errors import EnvironmentProblem, InputError


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (default localhost only).")] = "localhost",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
    public_url: Annotated[str | None, typer.Option(
        "--public-url", help="The URL browsers load the page from (behind an HTTPS proxy); only pages from "
                             "this origin or the server's own may open sessions.")] = None,
    auth: Annotated[str | None, typer.Option(
        "--auth", help="Only 'password' in a browser: each person signs in as themselves.")] = None,
) -> None:
    """Serve the app to browsers through textual-serve (sign in with a password in each tab)."""
    from duty_tui.core.config.preview import hide_password
    from duty_tui.core.web.server import WILDCARD_HOSTS, origin_of

    state = cli_state(ctx)
    if auth not in (None, "password"):
        raise InputError(_os_auth_refusal(f"--auth {auth}") if auth == "os"
                         else f"--auth {auth!r}: serve signs people in with a password only")
    problems = []
    if public_url is not None and origin_of(public_url) is None:
        problems.append(f"--public-url {public_url!r}: give the http:// or https:// URL browsers load the page "
                        "from, e.g. https://duty.example.org")
    if public_url is None and host.strip().strip("[]") in WILDCARD_HOSTS:
        problems.append(f"--host {host}: listening on every address, serve cannot know which address browsers "
                        "use; give --public-url with it (e.g. --public-url http://duty-host:8000)")
    if problems:
        raise InputError(problems[0], problems=problems)
    settings = state.settings()
    if settings.auth == "os":
        raise InputError(_os_auth_refusal(_auth_source(state)))
    open_engine(settings)  # fail here, clearly, rather than inside every browser session
    _run(state, settings, host=host, port=port, public_url=public_url, shown_url=hide_password(settings.db_url))


def _os_auth_refusal(source: str) -> str:
    user = _os_user()
    return (f"serve cannot use {source}: in a browser it would sign every visitor in as this server's OS user "
            f"({user}); remove it for serve (browser users sign in with their own username and password)")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "?"


def _auth_source(state) -> str:
    """Where auth = os came from, in the order settings are read (flag, environment, config file)."""
    from duty_tui.core.config.settings import default_config_path

    if state.overrides.get("auth") == "os":
        return "--auth os"
    if os.environ.get("DUTY_AUTH") is not None:
        return f"DUTY_AUTH={os.environ['DUTY_AUTH']}"
    return f'auth = "os" (config file {state.config or default_config_path()})'


def _run(state, settings, *, host: str, port: int, public_url: str | None, shown_url: str) -> None:
    """Print the banner and serve until Ctrl+C; what is printed passes through SafeStream."""
    from duty_tui.core.config.preview import hide_password
    from duty_tui.core.web.server import DutyServer, SafeStream, child_environment, url_secrets

    secrets = url_secrets(settings.db_url)
    sys.stdout = SafeStream(sys.stdout, secrets)
    sys.stderr = SafeStream(sys.stderr, secrets)
    # The app process is started without --db: the URL goes in its environment (DUTY_DB_URL).
    argv = [sys.executable, "-m", "duty_tui"]
    if state.config:
        argv += ["--config", str(state.config)]
    for key, value in state.overrides.items():
        if key != "auth":
            argv += [f"--{key}", str(value)]
    server = DutyServer(argv, child_environment(settings.db_url), host=host, port=port, public_url=public_url)
    if state.db and hide_password(state.db) != state.db:
        typer.echo("duty-tui: warning: the database password given with --db can be read by anyone on this "
                   "machine (ps shows command lines); give the URL in DUTY_DB_URL or the config file instead",
                   err=True)
    typer.echo(f"serving duty-tui on {server.public_url} (listening on {host}:{port}; database {shown_url}). "
               "Each browser tab signs in with a username and password; to reach it from other machines, "
               "put it behind an authenticating HTTPS proxy and give --public-url.", err=True)
    try:
        server.serve()
    except OSError as exc:
        raise EnvironmentProblem(f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                                 "choose another --port or stop what is using it") from None
