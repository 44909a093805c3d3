"""The `duty-tui` command line (docs/CLI.md), one package.

- ``root``: the Typer root, its options, and the one list of what it registers (``SUB_APPS``,
  ``COMMANDS``, ``REPORTS``): the only place that names the modules below; ``run`` and ``main``.
- ``context``: what every command shares (the options before the subcommand, the database engine,
  the service context acting as ``--as USER``), and ``SubApp``, a named group of commands.
- the core's commands, one module each: ``db``, ``demo``, ``person``, ``audit``, ``serve``, ``keys``,
  ``staff``, ``report`` (the group the areas add their reports to);
- each area's commands, one module each: ``frontdesk`` (queue, report contacts), ``housing_options``
  (triage, report homelessness), ``payments`` (account, payments), ``trust`` (gdpr).

Modules import ``context`` and nothing else of the command line; only ``root`` knows them all (by
name, in its lists), so importing one module does not build the whole command line. ``app``,
``run`` and ``main`` load ``root`` when first asked for. Opening the app is ``duty_tui.start``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from duty_tui.cli.root import app, main, run

__all__ = ["app", "main", "run"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from duty_tui.cli import root

        return getattr(root, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
