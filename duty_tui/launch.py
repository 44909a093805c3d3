"""The `duty-tui` console script (and `python -m duty_tui`), kept light so that opening the app starts fast.

A plain `duty-tui [--db URL] [--config F] [--keymap K] [--theme T] [--auth A]` opens the app
(``duty_tui.core.start``) without importing Typer or the database layer first (they load after the
first screen is drawn); everything else goes to the Typer command line, ``duty_tui.cli``, loaded
only then. Errors print one clear line and exit 2 or 3, never a traceback.

Imports go one way: this module uses ``duty_tui.core.start`` and ``duty_tui.cli``; neither imports it.
"""

from __future__ import annotations

import os
import sys

from duty_tui.core.start import fast_app_args, guarded, hoist_db, open_app, run_app

# duty-tui uses no pydantic plugins; not scanning every installed package's entry points for them
# saves a noticeable slice of start-up.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

__all__ = ["fast_app_args", "hoist_db", "main", "open_app", "run_app"]


def main() -> None:
    """Console-script entry point: everything the app or a command creates is private (umask 077)."""
    from duty_tui.core.config.private_files import private_umask

    with private_umask():
        _main()


def _main() -> None:
    argv = sys.argv[1:]
    args, db = hoist_db(argv)
    options = fast_app_args(args)
    if options is None:
        from duty_tui.core.cli import run

        sys.exit(run(argv))
    # run_app is looked up here, in this module, so that what replaces launch.run_app opens instead.
    sys.exit(guarded(lambda: open_app(db, options, run=run_app)))
