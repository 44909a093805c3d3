"""The areas this build has, and what each contributes to the house (docs/ARCHITECTURE.md).

An area (front desk, housing options, payments, trust …) describes itself with one ``Area`` in its
package's ``__init__.py``; ``duty_tui/areas/__init__.py`` lists them in ``AREAS``, the one explicit
list. The core never imports an area's code: it reads these descriptions — plain names and
"module:attribute" paths — and loads what they name only when it is used, so the first paint loads
no area module and a build without an area simply has no entry for it.

``areas()`` reads ``duty_tui.areas.AREAS`` by name once (the one place the core looks for it);
``use()`` replaces the list, for a test that takes an area out or a council's build that leaves one out.
Nothing here imports the database, Textual or Typer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

REGISTRY_MODULE = "duty_tui.areas"
"""The package whose ``AREAS`` lists the areas of this build."""


@dataclass(frozen=True)
class AreaKey:
    """A function key that opens an area's main screen from anywhere (F4 log contact …)."""

    key: str
    """The key, as Textual names it ("f4")."""
    home: str
    """The name ``open_area`` takes ("contact"); also what the area's refusal message is keyed by."""
    label: str
    """The footer's word ("Log contact")."""
    binding_id: str
    """The binding id keymaps rebind ("log-contact")."""
    tooltip: str
    screen: str
    """"module:Class" of the screen; it takes ``person_ref`` (and, for payments, ``account_ref``)."""
    permission: str
    """The permission the area's services require; a role without it is not offered the key."""
    purpose: str
    """What the permission is for, in the refusal ("log contacts")."""
    palette: str
    """The command palette's title ("Log a contact")."""
    takes_account: bool = False
    """The screen also takes ``account_ref`` (the account on screen)."""


@dataclass(frozen=True)
class Worktray:
    """An area's worklist, opened with w from the dashboard by a role that may work it."""

    title: str
    """What the dashboard's footer and messages call it ("Arrears worklist")."""
    screen: str
    """"module:Class" of the screen; it takes no arguments."""
    permission: str
    """The permission its work needs; a role without it is not offered it."""


@dataclass(frozen=True)
class PaletteScreen:
    """A screen reached by name from the command palette (no key of its own)."""

    title: str
    help: str
    screen: str
    """"module:Class"."""
    args: tuple = ()


@dataclass(frozen=True)
class Area:
    """What one area contributes. Paths are "module:attribute" strings, loaded when used."""

    name: str
    """One name per area, the same in folders, docs and tests ("housing_options")."""
    title: str
    package: str
    """The area's package ("duty_tui.areas.housing_options")."""
    keys: tuple[AreaKey, ...] = ()
    palette: tuple[PaletteScreen, ...] = ()
    worktray: Worktray | None = None
    """The area's worklist, opened with w from the dashboard (the first one the role may work)."""
    cli_groups: tuple[str, ...] = ()
    """`duty-tui NAME …` groups: "module:attribute" naming a ``duty_tui.core.cli.context.SubApp``."""
    reports: tuple[tuple[str, str], ...] = ()
    """`duty-tui report NAME`: (name, "module:function")."""
    demo: str | None = None
    """"module:function" adding the area's demo rows: f(engine, size=, seed=[, now=]) -> counts."""
    demo_takes_now: bool = False
    """The demo step is placed before the moment of the run (it takes ``now``)."""
    models: str | None = None
    """The module defining the area's tables (imported before the metadata is used)."""
    migrations: bool = False
    """The area keeps its own Alembic branch in ``<package>/db/migrations``."""
    case_screens: tuple[tuple[str, str], ...] = ()
    """(case_type, "module:Class"): the screen that opens a case of this type (it takes ``ref``, ``person_ref``)."""
    hooks: tuple[tuple[str, str], ...] = ()
    """(hook name, "module:function"): what the core (or another area, through the core) may ask of it."""
    has_tui: bool = True
    """The area has screens of its own (``<package>/tui``)."""
    screen_aliases: tuple[tuple[str, str], ...] = ()
    """(old "module:Class", new "module:Class"): screens that moved, so stored drafts keep reopening."""

    @property
    def tui_package(self) -> str:
        return f"{self.package}.tui"


_areas: tuple[Area, ...] | None = None


def areas() -> tuple[Area, ...]:
    """The areas of this build, in order (read from ``duty_tui.areas.AREAS`` on first use)."""
    global _areas
    if _areas is None:
        _areas = tuple(importlib.import_module(REGISTRY_MODULE).AREAS)
    return _areas


def use(chosen: Sequence[Area] | None) -> None:
    """Run with these areas (None: back to ``duty_tui.areas.AREAS``)."""
    global _areas
    _areas = tuple(chosen) if chosen is not None else None
    _loaded.clear()


def area(name: str) -> Area | None:
    return next((a for a in areas() if a.name == name), None)


_loaded: dict[str, Any] = {}


def load(path: str) -> Any:
    """The object a "module:attribute" path names (a missing one is an error, never skipped)."""
    if path not in _loaded:
        module_name, _, attribute = path.partition(":")
        _loaded[path] = getattr(importlib.import_module(module_name), attribute)
    return _loaded[path]


def tui_packages() -> tuple[str, ...]:
    """Where this build's screens live: the core's TUI, then each area's that has screens."""
    return ("duty_tui.core.tui", *(each.tui_package for each in areas() if each.has_tui))


def keys() -> Iterator[AreaKey]:
    for each in areas():
        yield from each.keys


def key_for(home: str) -> AreaKey | None:
    return next((k for k in keys() if k.home == home), None)


def case_screen(case_type: str) -> str | None:
    """The "module:Class" that opens a case of this type: the area's own for the type, else the one an
    area offers for any case ("*"), else None (the case is shown on its person's view)."""
    entries = [entry for each in areas() for entry in each.case_screens]
    return next((path for kind, path in entries if kind == case_type),
                next((path for kind, path in entries if kind == "*"), None))


def hooks(name: str) -> list[Callable[..., Any]]:
    """Every area's function for a named hook, in the areas' order (none when no area offers it)."""
    return [load(path) for each in areas() for hook, path in each.hooks if hook == name]


def hook(name: str) -> Callable[..., Any] | None:
    """The one function offering a hook, or None when no area of this build offers it."""
    found = hooks(name)
    if len(found) > 1:
        raise LookupError(f"hook {name!r} is offered by more than one area")
    return found[0] if found else None


def screen_alias(path: str) -> str:
    """A stored screen path as this version names it (screens that moved keep reopening)."""
    for each in areas():
        for old, new in each.screen_aliases:
            if old == path:
                return new
    return path

