"""The `duty-tui` command line (docs/CLI.md), one package.

- ``root``: the Typer root, its options, and what it registers: the core's commands and groups
  (``COMMANDS``, ``CORE_GROUPS``) and each area's groups and reports from its ``Area``
  (duty_tui.core.registry); ``run`` and ``main``.
- ``context``: what every command shares (the options before the subcommand, the database engine,
  the service context acting as ``--as USER``), and ``SubApp``, a named group of commands.
- the core's commands, one module each: ``db``, ``demo``, ``person``, ``audit``, ``serve``, ``keys``,
  ``staff``, ``report`` (the group the areas add their reports to);
- each area's commands are in its own package, ``duty_tui/areas/<area>/cli.py``: front desk (queue,
  report contacts), housing options (triage, report homelessness), payments (account, payments),
  trust (gdpr).

Modules import ``context`` and nothing else of the command line; only ``root`` knows them all (by
name, in its lists and the areas'), so importing one module does not build the whole command line. ``app``,
``run`` and ``main`` load ``root`` when first asked for. Opening the app is ``duty_tui.core.start``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from duty_tui.core.cli.root import app, main, run

__all__ = ["app", "main", "run"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from duty_tui.core.cli import root

        return getattr(root, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
