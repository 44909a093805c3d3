"""The `duty-tui` entry point, kept light so that opening the app starts fast.

A plain `duty-tui [--db URL] [--config F] [--keymap K] [--theme T] [--auth A]`
opens the app without importing Typer or the database layer first (they load
after the first screen is drawn); everything else goes to the Typer CLI in
``duty_tui.cli``. Errors print one clear line and exit 2 or 3, never a traceback.
"""

from __future__ import annotations

import os
import sys

# duty-tui uses no pydantic plugins; not scanning every installed package's entry points for them
# saves a noticeable slice of start-up.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

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


def open_app(db: str | None, options: dict[str, str]) -> int:
    """Settings, a quick database check, then the app. Returns the exit code."""
    from pathlib import Path

    from duty_tui.db.preflight import check
    from duty_tui.errors import InputError
    from duty_tui.settings_preview import preview_settings

    if options.get("auth") not in (None, "password", "os"):
        raise InputError(f"--auth {options['auth']!r}: use password or os")
    config = Path(options.pop("config")) if "config" in options else None

    def load():
        # The real, validated settings (pydantic-settings), loaded after the first paint.
        from duty_tui.config import load_settings

        return load_settings(config, db_url=db, **options)

    preview = preview_settings(config, db_url=db, **options)
    preflight = check(preview.db_url)
    return run_app(preview, demo=preflight.demo, settings_loader=load)


def run_app(settings, *, engine=None, demo: bool | None = None, settings_loader=None) -> int:
    """Run the TUI; with no engine the database layer loads after the first paint."""
    from duty_tui.tui.app import make_app

    app = make_app(settings, engine=engine, fast=engine is None, demo=demo, settings_loader=settings_loader)
    if os.environ.get("DUTY_BENCH_EXIT_WHEN_READY"):
        # bench/bench_startup.py: run without a terminal and exit once the first screen is usable.
        app.exit_when_ready = True
        app.run(headless=True)
    else:
        app.run()
    return app.return_code or 0


def main() -> None:
    """Console-script entry point: everything the app or a command creates is private (umask 077)."""
    from duty_tui.private_files import private_umask

    with private_umask():
        _main()


def _main() -> None:
    argv = sys.argv[1:]
    args, db = hoist_db(argv)
    options = fast_app_args(args)
    if options is None:
        from duty_tui.cli import run

        sys.exit(run(argv))
    from duty_tui.errors import DutyError

    try:
        sys.exit(open_app(db, options))
    except DutyError as exc:
        from duty_tui.domain.validators import inert

        for problem in getattr(exc, "problems", None) or [exc.message]:
            print(f"duty-tui: {inert(problem)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, keep the traceback in a log file
        from duty_tui.domain.validators import inert
        from duty_tui.errors import crash_summary, log_crash

        log = log_crash(exc)
        print(f"duty-tui: unexpected error ({inert(crash_summary(exc))}); details saved to {log}", file=sys.stderr)
        sys.exit(1)
