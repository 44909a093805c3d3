"""What every `duty-tui` command shares: the options given before it, the engine, the acting user.

Every command module imports what it needs from here and from nothing else in ``duty_tui.cli``
(tests/core/cli/test_cli_package.py checks), so an area's module can move into the area unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer


@dataclass(frozen=True)
class SubApp:
    """A group of commands, `duty-tui NAME ...` (duty_tui.core.cli.root.SUB_APPS registers it under its name)."""

    name: str
    app: typer.Typer


@dataclass
class CliState:
    """Options given before the subcommand (and --db anywhere)."""

    db: str | None = None
    config: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def settings(self, **extra: Any):
        """Settings from file, environment and flags."""
        from duty_tui.core.config.settings import load_settings

        return load_settings(self.config, db_url=self.db, **self.overrides, **extra)


def cli_state(ctx: typer.Context) -> CliState:
    """The options given before the subcommand, kept on the root context."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = CliState()
    return root.obj


def open_engine(settings, *, check: bool = True, create: bool = False):
    """The engine every command uses: never creates a database (only ``demo`` and ``db upgrade`` may)."""
    from duty_tui.core.db.engine import engine_from_settings, ping
    from duty_tui.core.db.preflight import check_engine

    engine = engine_from_settings(settings, create=create)
    ping(engine)
    warn_if_readable(settings.db_url)
    if check:
        check_engine(engine)  # no Alembic: a command that only reads or writes rows never loads it
    return engine


def warn_if_readable(db_url: str) -> None:
    """Say so on stderr when the SQLite database file can be read by other users (never chmod it ourselves)."""
    from duty_tui.core.config.private_files import readable_by_others_warning

    warning = readable_by_others_warning(db_url)
    if warning:
        from duty_tui.core.domain.validators import inert

        typer.echo(f"duty-tui: warning: {inert(warning)}", err=True)


def service_context(settings, engine, as_user: str | None):
    """A service context acting as --as USER, the linked OS user, or the batch role.

    The OS user is the real uid's name (never LOGNAME/USER). ``--as`` is allowed only to the OS
    account linked to that staff user or to a trusted one (services.auth.act_as; docs/STAFF.md).
    """
    from duty_tui.core.domain.errors import AuthError
    from duty_tui.core.services.auth import act_as, find_os_actor
    from duty_tui.core.services.context import ServiceContext

    ctx = ServiceContext.create(engine, settings)
    if as_user:
        return ctx.as_actor(act_as(ctx, as_user))
    try:
        return ctx.as_actor(find_os_actor(ctx))
    except AuthError:
        return ctx.batch_actor()


def read_json_document(source: str) -> object:
    """The JSON document in FILE, or on standard input for '-' (the `… assess FILE|-` commands).

    Anything that stops it being read — missing file, not UTF-8, not JSON — is an InputError (exit 2)
    saying what to fix; a JSON error names its line and column.
    """
    import json
    import sys

    from duty_tui.core.domain.errors import InputError

    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read() if stream is not None else sys.stdin.read()
        else:
            with open(source, "rb") as handle:
                data = handle.read()
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{name}: not valid JSON: nested too deeply") from None
    except ValueError:  # json's int() refuses a number of more than 4,300 digits
        raise InputError(f"{name}: a number in it is thousands of digits long; no value here is that big") from None


def report_period(date_from: str, date_to: str, out: Path):  # -> tuple[date, date]
    """A `report …` command's --from/--to and --out checked together before the database is touched:
    the two dates, or an InputError listing every problem (one line each, exit 2)."""
    from duty_tui.core.domain.errors import InputError
    from duty_tui.core.domain.period import read_period
    from duty_tui.core.services.outputs import check_out_dir

    problems: list[str] = []
    start, end = read_period(date_from, date_to, problems)
    try:
        check_out_dir(out)  # checked again as the folder is opened
    except InputError as exc:
        problems.append(exc.message)
    if problems or start is None or end is None:
        raise InputError(problems[0], problems=problems)
    return start, end
