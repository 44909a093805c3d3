"""Opening the app, and what every way in says when something goes wrong; kept light so the app starts fast.

The one path that opens the TUI is ``run_app``: a plain ``duty-tui`` (``open_app``, through
``duty_tui.launch.main`` or ``duty_tui.cli.run``), ``duty-tui demo`` and each browser tab of
``duty-tui serve`` (a ``python -m duty_tui`` process) all end there. ``guarded`` turns what a
command raises into docs/CLI.md's exit codes: one line per problem, or for a bug one line naming
it and the traceback in the crash log (``duty_tui.core.domain.errors.log_crash``). Nothing here imports Typer,
SQLAlchemy or an area: the database layer loads after the first paint.

Import order: ``duty_tui.launch`` (the console script) and ``duty_tui.cli`` both import this
module; it imports neither.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing here would slow the start
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_APP_OPTIONS = {"--config": "config", "--keymap": "keymap", "--theme": "theme", "--auth": "auth"}


def hoist_db(argv: list[str]) -> tuple[list[str], str | None]:
    """Accept --db before or after the subcommand (docs/CLI.md) by lifting it out of argv."""
    out: list[str] = []
    db: str | None = None
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            out.extend(argv[index:])
            break
        if arg == "--db" and index + 1 < len(argv):
            db = argv[index + 1]
            index += 2
            continue
        if arg.startswith("--db="):
            db = arg.split("=", 1)[1]
            index += 1
            continue
        out.append(arg)
        index += 1
    return out, db


def fast_app_args(args: list[str]) -> dict[str, str] | None:
    """The options of a plain `duty-tui [--config F] [--keymap K] [--theme T] [--auth A]`, else None."""
    options: dict[str, str] = {}
    index = 0
    while index < len(args):
        name, eq, value = args[index].partition("=")
        if name not in _APP_OPTIONS:
            return None
        if not eq:
            if index + 1 >= len(args):
                return None
            value = args[index + 1]
            index += 1
        options[_APP_OPTIONS[name]] = value
        index += 1
    return options


def open_app(db: str | None, options: dict[str, str], *, run: Callable[..., int] | None = None) -> int:
    """Settings, a quick database check, then the app (``run``, by default ``run_app``). Returns the exit code."""
    from pathlib import Path

    from duty_tui.core.config.preview import preview_settings
    from duty_tui.core.db.preflight import check
    from duty_tui.core.domain.errors import InputError

    if options.get("auth") not in (None, "password", "os"):
        raise InputError(f"--auth {options['auth']!r}: use password or os")
    config = Path(options.pop("config")) if "config" in options else None

    def load():
        # The real, validated settings (pydantic-settings), loaded after the first paint.
        from duty_tui.core.config.settings import load_settings

        return load_settings(config, db_url=db, **options)

    preview = preview_settings(config, db_url=db, **options)
    preflight = check(preview.db_url)
    return (run or run_app)(preview, demo=preflight.demo, settings_loader=load)


def run_app(settings: Any, *, engine: Any = None, demo: bool | None = None, settings_loader: Any = None) -> int:
    """Run the TUI; with no engine the database layer loads after the first paint."""
    from duty_tui.core.tui.app import make_app

    app = make_app(settings, engine=engine, fast=engine is None, demo=demo, settings_loader=settings_loader)
    if os.environ.get("DUTY_BENCH_EXIT_WHEN_READY"):
        # bench/bench_startup.py: run without a terminal and exit once the first screen is usable.
        app.exit_when_ready = True
        app.run(headless=True)
    else:
        app.run()
    return app.return_code or 0


def to_stderr(line: str) -> None:
    """One line on standard error (the console script's fast path, before Typer is loaded)."""
    print(line, file=sys.stderr)


def guarded(call: Callable[[], int], echo: Callable[[str], None] = to_stderr) -> int:
    """``call()``'s exit code, or the exit code docs/CLI.md gives what it raised, said in lines passed to ``echo``.

    A ``DutyError``: one ``duty-tui: …`` line per problem, its own exit code (2 input, 3 environment).
    Ctrl+C: 130. Anything else is a bug: one line naming it, the traceback in the crash log, exit 1.
    """
    from duty_tui.core.domain.errors import DutyError

    try:
        return call()
    except DutyError as exc:
        from duty_tui.core.domain.validators import inert

        for problem in getattr(exc, "problems", None) or [exc.message]:  # may quote input: shown inert
            echo(f"duty-tui: {inert(problem)}")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so plainly, keep the traceback in a log file
        echo(crash_report(exc))
        return 1


def crash_report(exc: BaseException) -> str:
    """Log ``exc``'s traceback (``duty_tui.core.domain.errors.log_crash``: 0600, scrubbed) and return the line that says so."""
    from duty_tui.core.domain.errors import crash_summary, log_crash
    from duty_tui.core.domain.validators import inert

    log = log_crash(exc)
    return f"duty-tui: unexpected error ({inert(crash_summary(exc))}); details saved to {log}"
