"""Binding ids, keymap files and the key reference (tui/keymaps.py, keymaps/*.toml, docs/KEYS.md).

Every user-facing binding has a stable kebab-case id and a tooltip; keymap
files rebind by id; a bad keymap warns, naming the file and line; and the vim
keymap really moves a list's cursor with j/k.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest
from builders import NOW, PASSWORD, seed_office
from pilot import keys as typed  # a name of its own: `keys` is a loop variable here
from pilot import settle
from textual.binding import Binding

from duty_tui.core.config.settings import REPO_ROOT, Settings
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.tui import keymaps as keymaps_module
from duty_tui.core.tui.app import make_app
from duty_tui.core.tui.keymaps import binding_registry, effective_keys, load_keymap, render_keys_markdown

KEYMAP_DIR = REPO_ROOT / "keymaps"
KEYS_MD = REPO_ROOT / "docs" / "KEYS.md"
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SWALLOWED = {"ctrl+s", "ctrl+j", "ctrl+enter"}


@pytest.fixture(scope="module")
def registry():
    return binding_registry()


def write_keymap(tmp_path: Path, body: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def tui_modules() -> tuple[list, dict[str, str]]:
    """Every module of the core's TUI and each area's, and the ones that failed to import (name -> error)."""
    from duty_tui.core import registry

    modules, broken = [], {}
    for package in registry.tui_packages():
        for info in pkgutil.walk_packages(importlib.import_module(package).__path__, prefix=f"{package}.",
                                          onerror=lambda name: broken.setdefault(name, "package failed to import")):
            try:
                modules.append(importlib.import_module(info.name))
            except Exception as exc:  # reported by test_every_tui_module_imports
                broken[info.name] = f"{type(exc).__name__}: {exc}"
    return modules, broken


def binding_owners() -> list[type]:
    """Every class in the TUI (the core's and each area's) that declares BINDINGS (app, screens, dialogs, widgets)."""
    owners: list[type] = []
    for module in tui_modules()[0]:
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and "BINDINGS" in obj.__dict__ and obj not in owners:
                owners.append(obj)
    return owners


# --- the key reference -----------------------------------------------------------------


def test_keys_md_is_up_to_date(registry):
    assert KEYS_MD.read_text(encoding="utf-8") == render_keys_markdown(registry), (
        "docs/KEYS.md is stale; regenerate it with: duty-tui keys --markdown > docs/KEYS.md"
    )


def test_default_keymap_file_is_up_to_date(registry):
    render = getattr(keymaps_module, "render_default_keymap", None)
    if render is None:
        pytest.skip("render_default_keymap is not in this checkout")
    assert (KEYMAP_DIR / "default.toml").read_text(encoding="utf-8") == render(registry), (
        "keymaps/default.toml is stale; regenerate it with: duty-tui keys --toml > keymaps/default.toml"
    )


# --- the registry ------------------------------------------------------------------------


def test_every_registered_binding_has_a_kebab_case_id_and_a_tooltip(registry):
    assert registry
    for info in registry:
        assert KEBAB.match(info.id), f"binding id {info.id!r} is not kebab-case"
        assert info.tooltip and info.tooltip.strip(), f"binding {info.id} has no tooltip"
        assert info.description and info.description.strip(), f"binding {info.id} has no description"


def test_binding_ids_are_unique(registry):
    ids = [info.id for info in registry]
    assert sorted(ids) == sorted(set(ids)), "a binding id is used twice"


def test_every_binding_in_the_tui_has_an_id_and_a_tooltip():
    """Not only the registered ones: a Binding without an id cannot be rebound or listed."""
    missing = []
    for owner in binding_owners():
        for item in owner.__dict__["BINDINGS"]:
            if not isinstance(item, Binding):
                missing.append(f"{owner.__qualname__}: {item!r} is a tuple, not a Binding")
            elif not item.id or not KEBAB.match(item.id) or not item.tooltip:
                missing.append(f"{owner.__qualname__}: {item.key} -> {item.action}")
    assert missing == []


def test_every_tui_module_imports():
    """A screen, dialog or widget that cannot be imported has bindings no registry can see."""
    assert tui_modules()[1] == {}


def test_every_binding_id_in_the_tui_is_in_the_registry(registry):
    """Dialogs and widgets too: an id missing here is missing from docs/KEYS.md and cannot be rebound."""
    registered = {info.id for info in registry}
    unregistered = [
        f"{owner.__qualname__}: {item.id}"
        for owner in binding_owners()
        for item in owner.__dict__["BINDINGS"]
        if isinstance(item, Binding) and item.id and item.id not in registered
    ]
    assert unregistered == []


@pytest.mark.parametrize("keymap", [None, "default", "vim"])
def test_no_action_relies_only_on_a_key_terminals_swallow(registry, keymap):
    """ctrl+s may be an extra route (a second id for the same action), never the only one."""
    overrides = {} if keymap is None else load_keymap(keymap, KEYMAP_DIR, registry).keymap
    action_of = {item.id: (owner.__qualname__, item.action) for owner in binding_owners()
                 for item in owner.__dict__["BINDINGS"] if isinstance(item, Binding) and item.id}
    routes: dict[tuple[str, str], set[str]] = {}
    for binding_id, keys in effective_keys(registry, overrides).items():
        action = action_of.get(binding_id, ("?", binding_id))
        routes.setdefault(action, set()).update(k.strip() for k in keys if k.strip())
    only_swallowed = {f"{owner}.{action}": sorted(keys) for (owner, action), keys in routes.items()
                      if not keys - SWALLOWED}
    assert only_swallowed == {}, "these actions can only be reached by keys tmux/SSH may swallow"


# --- the shipped keymaps -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["default", "vim"])
def test_shipped_keymaps_load_without_warnings(registry, name):
    loaded = load_keymap(name, KEYMAP_DIR, registry)
    assert loaded.warnings == []
    assert loaded.path == KEYMAP_DIR / f"{name}.toml"
    with loaded.path.open("rb") as handle:
        table = tomllib.load(handle)["bindings"]
    known = {info.id for info in registry}
    assert set(table) <= known, f"unknown ids in {name}.toml: {sorted(set(table) - known)}"
    assert set(loaded.keymap) == set(table)  # nothing was dropped


def test_default_keymap_names_every_id_with_its_default_keys(registry):
    loaded = load_keymap("default", KEYMAP_DIR, registry)
    assert loaded.keymap == {info.id: info.keys for info in registry}


def test_vim_keymap_adds_j_and_k_to_lists(registry):
    keys = effective_keys(registry, load_keymap("vim", KEYMAP_DIR, registry).keymap)
    assert "j" in keys["row-down"] and "down" in keys["row-down"]
    assert "k" in keys["row-up"] and "up" in keys["row-up"]


def test_a_keymap_by_path(registry, tmp_path):
    path = write_keymap(tmp_path, '[bindings]\nrow-down = "down, n"\n')
    loaded = load_keymap(str(path), KEYMAP_DIR, registry)
    assert loaded.warnings == []
    assert loaded.keymap == {"row-down": "down,n"}


def test_an_unknown_keymap_name_warns_and_keeps_the_defaults(registry):
    loaded = load_keymap("emacs", KEYMAP_DIR, registry)
    assert loaded.keymap == {}
    assert len(loaded.warnings) == 1
    assert "emacs" in loaded.warnings[0] and "default" in loaded.warnings[0] and "vim" in loaded.warnings[0]


# --- warnings name the file and the line ----------------------------------------------------


def test_unknown_id_warns_with_file_and_line(registry, tmp_path):
    path = write_keymap(tmp_path, '# my keys\n[bindings]\nrow-down = "down,j"\nteleport = "x"\n')

    loaded = load_keymap(str(path), KEYMAP_DIR, registry)

    assert loaded.keymap == {"row-down": "down,j"}
    [warning] = loaded.warnings
    assert warning.startswith(f"{path}:4:")
    assert "teleport" in warning


@pytest.mark.parametrize(
    ("line", "culprit", "owner"),
    [
        ('home-refresh = "m"', "home-refresh", "home-my-work"),  # two keys on one screen
        ('person-reload = "f2"', "person-reload", "search"),  # a screen key over a global one
        ('row-up = "down"', "row-up", "row-down"),  # two list keys
        ('home = "f1"', "home", "help"),  # two global keys
    ],
)
def test_a_clash_warns_with_file_and_line_and_keeps_the_default(registry, tmp_path, line, culprit, owner):
    path = write_keymap(tmp_path, f'[bindings]\n\n# tweaks\nrow-down = "down,j"\n{line}\n')

    loaded = load_keymap(str(path), KEYMAP_DIR, registry)

    [warning] = loaded.warnings
    assert warning.startswith(f"{path}:5:"), warning
    assert culprit in warning and owner in warning
    assert culprit not in loaded.keymap
    assert loaded.keymap == {"row-down": "down,j"}


def test_the_same_key_on_two_screens_is_not_a_clash(registry, tmp_path):
    path = write_keymap(tmp_path, '[bindings]\nperson-reload = "m"\n')  # m is home-my-work, another screen
    loaded = load_keymap(str(path), KEYMAP_DIR, registry)
    assert loaded.warnings == []


def test_a_key_that_is_not_a_string_warns_with_its_line(registry, tmp_path):
    path = write_keymap(tmp_path, '[bindings]\nrow-up = "up"\nrow-down = 5\n')
    loaded = load_keymap(str(path), KEYMAP_DIR, registry)
    [warning] = loaded.warnings
    assert warning.startswith(f"{path}:3:") and "row-down" in warning
    assert loaded.keymap == {"row-up": "up"}


def test_a_toml_syntax_error_warns_and_keeps_the_defaults(registry, tmp_path):
    path = write_keymap(tmp_path, '[bindings]\nrow-down = "down\n')
    loaded = load_keymap(str(path), KEYMAP_DIR, registry)
    assert loaded.keymap == {}
    [warning] = loaded.warnings
    assert str(path) in warning and "line 2" in warning


def test_the_line_is_the_ids_own_line_not_a_longer_ids(registry, tmp_path):
    path = write_keymap(tmp_path, '[bindings]\nsearch-close = "escape"\nsearch = "f1"\n')
    loaded = load_keymap(str(path), KEYMAP_DIR, registry)
    [warning] = loaded.warnings
    assert warning.startswith(f"{path}:3:"), warning


# --- the vim keymap in the running app ---------------------------------------------------------


async def test_vim_keymap_moves_the_list_cursor_with_j_and_k(sqlite_engine):
    engine = sqlite_engine
    seed_office(engine)
    settings = Settings(db_url=str(engine.url), keymap="vim")
    ctx = ServiceContext.create(engine, settings, terminal="pilot", clock=lambda: NOW)
    app = make_app(settings, ctx=ctx, demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, rounds=1)
        assert app.keymap_warnings == []
        await pilot.press(*"leader", "enter", *typed(PASSWORD), "enter")
        await settle(app, pilot, rounds=1)
        await pilot.press("f2")
        await settle(app, pilot, rounds=1)
        await pilot.press(*"smith")
        await pilot.pause(0.3)
        await settle(app, pilot, rounds=1)
        table = app.screen.query_one("#results")
        assert table.row_count == 3
        await pilot.press("down")  # from the search box into the results
        assert app.focused is table
        assert table.cursor_row == 0
        await pilot.press("j")
        assert table.cursor_row == 1
        await pilot.press("j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("G")
        assert table.cursor_row == 2


async def test_default_keymap_leaves_j_alone_in_a_list(sqlite_engine):
    engine = sqlite_engine
    seed_office(engine)
    settings = Settings(db_url=str(engine.url))
    ctx = ServiceContext.create(engine, settings, terminal="pilot", clock=lambda: NOW)
    app = make_app(settings, ctx=ctx, demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, rounds=1)
        await pilot.press(*"leader", "enter", *typed(PASSWORD), "enter")
        await settle(app, pilot, rounds=1)
        await pilot.press("f2")
        await settle(app, pilot, rounds=1)
        await pilot.press(*"smith")
        await pilot.pause(0.3)
        await settle(app, pilot, rounds=1)
        table = app.screen.query_one("#results")
        await pilot.press("down")
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("j")
        assert table.cursor_row == 0
        await pilot.press("down")
        assert table.cursor_row == 1

