"""Binding ids, keymap files and the key reference.

Every user-facing binding has a stable kebab-case id. A keymap file maps ids
to keys; ``App.set_keymap`` applies it. Problems in a keymap file (unknown id,
two actions on one key in the same place) are start-up warnings that name the
file and line; the app still starts with the defaults for anything not valid.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding


def line_of(path: Path, key: str) -> int:
    """The 1-based line where ``key = ...`` is set in a TOML file (1 when not found)."""
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.match(line):
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1


@dataclass(frozen=True)
class BindingInfo:
    """One binding as the key reference lists it."""

    id: str
    keys: str
    description: str
    tooltip: str
    scope: str
    kind: str = "screen"  # "global" (the app), "screen" (a screen or dialog) or "widget" (while it has focus)


def binding_owners() -> list[type]:
    """Every class in the core's TUI and each area's that declares its own BINDINGS: the app, screens,
    dialogs, widgets (the areas of this build: duty_tui.core.registry)."""
    from duty_tui.core import registry

    return list(_owners_in(tuple(registry.tui_packages())))


@functools.cache
def _owners_in(packages: tuple[str, ...]) -> tuple[type, ...]:
    """The walk behind binding_owners, once per process for each set of packages: a class's BINDINGS are
    fixed when its module is imported, and the walk (every TUI module, every class in it) cost about a
    third of a second each time an app was made."""
    import importlib
    import inspect
    import pkgutil

    owners: list[type] = []
    for package_name in packages:
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."), key=lambda i: i.name):
            module = importlib.import_module(info.name)
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if obj.__module__ == module.__name__ and "BINDINGS" in obj.__dict__ and obj not in owners:
                    owners.append(obj)
    return tuple(owners)


def _scope_of(owner: type) -> tuple[str, str]:
    from textual.app import App
    from textual.screen import Screen

    if issubclass(owner, App):
        return "global", "global"
    name = owner.__dict__.get("SCOPE_NAME") or re.sub(r"(?<!^)(?=[A-Z])", "-", owner.__name__).lower()
    return name, "screen" if issubclass(owner, Screen) else "widget"


def binding_registry() -> list[BindingInfo]:
    """Every binding with an id anywhere in the TUI (the one source of truth for keys)."""
    from duty_tui.core import registry

    return list(_registry_in(tuple(registry.tui_packages())))


@functools.cache
def _registry_in(packages: tuple[str, ...]) -> tuple[BindingInfo, ...]:
    infos: list[BindingInfo] = []
    for owner in _owners_in(packages):
        scope, kind = _scope_of(owner)
        for binding in _bindings_of(owner):
            if binding.id:
                infos.append(BindingInfo(binding.id, binding.key, binding.description, binding.tooltip, scope, kind))
    return tuple(infos)


def _bindings_of(owner: type) -> Iterable[Binding]:
    for item in owner.__dict__.get("BINDINGS", []):
        if isinstance(item, Binding):
            yield item


@dataclass(frozen=True)
class KeymapLoad:
    """A loaded keymap and any warnings about it."""

    keymap: dict[str, str]
    warnings: list[str]
    path: Path | None
    notes: tuple[str, ...] = ()
    """List keys the file added that some screens bind too (there the screen's action wins): for
    ``duty-tui keys``, not a start-up warning."""


def resolve_keymap_path(name_or_path: str, keymap_dir: Path) -> Path | None:
    """``default``/``vim`` name a file in keymap_dir; anything else is a path."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix == ".toml" or candidate.exists() or "/" in name_or_path:
        return candidate
    return keymap_dir / f"{name_or_path}.toml"


def read_keymap(name_or_path: str, keymap_dir: Path) -> dict[str, str]:
    """The keymap's id -> keys table without validation (fast, for the first paint); {} on any problem."""
    path = resolve_keymap_path(name_or_path, keymap_dir)
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle).get("bindings", {})
    except (OSError, AttributeError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {k: ",".join(p.strip() for p in v.split(",") if p.strip())
            for k, v in table.items() if isinstance(v, str) and v.strip()}


def load_keymap(name_or_path: str, keymap_dir: Path, registry: list[BindingInfo] | None = None) -> KeymapLoad:
    """Read a keymap file, dropping (and warning about) unknown ids and clashing keys."""
    path = resolve_keymap_path(name_or_path, keymap_dir)
    registry = registry if registry is not None else binding_registry()
    if path is None or not path.exists():
        known = ", ".join(sorted(p.stem for p in keymap_dir.glob("*.toml")))
        return KeymapLoad({}, [f"keymap {name_or_path!r} not found (known: {known}); using the default keys"], None)
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        return KeymapLoad({}, [f"{path}: {exc}; using the default keys"], path)
    except (OSError, UnicodeDecodeError) as exc:
        return KeymapLoad({}, [f"{path}: cannot be read ({exc}); using the default keys"], path)
    table = raw.get("bindings", {})
    if not isinstance(table, dict):
        return KeymapLoad({}, [f"{path}:1: [bindings] must be a table of id = \"keys\""], path)
    by_id = {info.id: info for info in registry}
    warnings: list[str] = []
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        line = line_of(path, binding_id)
        if binding_id not in by_id:
            warnings.append(f"{path}:{line}: unknown binding id {binding_id!r} (see docs/KEYS.md); ignored")
            continue
        if not isinstance(keys, str) or not keys.strip():
            warnings.append(f"{path}:{line}: {binding_id} must be a string of keys like \"f2,slash\"; ignored")
            continue
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(",") if k.strip())
    warnings.extend(_clashes(path, keymap, registry))
    return KeymapLoad(keymap, warnings, path, tuple(lists_under_screens(path, keymap, registry)))


def effective_keys(registry: list[BindingInfo], keymap: dict[str, str]) -> dict[str, list[str]]:
    """id -> the keys in force once the keymap is applied."""
    return {info.id: keymap.get(info.id, info.keys).split(",") for info in registry}


def _active_together(a: BindingInfo, b: BindingInfo) -> bool:
    """True when both bindings can answer the same key press: one screen (or one widget scope),
    the app's global keys, or a global key and any screen's key."""
    if a.scope == b.scope:
        return True
    return "global" in (a.scope, b.scope) and "screen" in (a.kind, b.kind)


def _clashes(path: Path, keymap: dict[str, str], registry: list[BindingInfo]) -> list[str]:
    """Settle every key that two actions active together would share; a warning for each, naming the
    line that caused it (``keymap`` is changed in place).

    The culprit is the binding the file gave a key that is not its default (``home = "f2"`` takes F2
    from search, whose default it is); when both were given it, the later line. The culprit loses
    that key only; with none left it keeps its default keys. Repeated until no key has two owners.
    A list key that a screen also binds is reported too: on that screen the screen's action wins.
    """
    by_id = {info.id: info for info in registry}
    default_keys = {info.id: set(info.keys.split(",")) for info in registry}
    warnings: list[str] = []
    for _ in range(4 * len(keymap) + 1):
        keys = effective_keys(registry, keymap)
        owners: dict[str, list[str]] = {}
        for binding_id in sorted(keys):
            for key in keys[binding_id]:
                owners.setdefault(key, []).append(binding_id)
        clash = None
        for key, ids in sorted(owners.items()):
            for i, first in enumerate(ids):
                for second in ids[i + 1:]:
                    if _active_together(by_id[first], by_id[second]) and (first in keymap or second in keymap):
                        clash = (key, first, second)
                        break
                if clash:
                    break
            if clash:
                break
        if clash is None:
            break
        key, first, second = clash

        def introduced(binding_id: str, key: str = key) -> bool:
            return binding_id in keymap and key not in default_keys[binding_id]

        if introduced(first) != introduced(second):
            culprit, owner = (first, second) if introduced(first) else (second, first)
        else:
            candidates = [b for b in (first, second) if b in keymap]
            culprit = max(candidates, key=lambda b: (line_of(path, b), b))
            owner = second if culprit == first else first
        remaining = [k for k in keys[culprit] if k != key]
        if remaining and culprit in keymap:
            keymap[culprit] = ",".join(remaining)
            outcome = f"{culprit} keeps {keymap[culprit]!r}"
        else:
            keymap.pop(culprit, None)
            outcome = f"{culprit} keeps its default keys ({by_id[culprit].keys!r})"
        warnings.append(f"{path}:{line_of(path, culprit)}: key {key!r} is already {owner}'s "
                        f"({by_id[owner].scope}); {outcome}")
    return warnings


def lists_under_screens(path: Path, keymap: dict[str, str], registry: list[BindingInfo]) -> list[str]:
    """A list key the file added that a screen binds: the list does not take it there (the screen wins)."""
    keys = effective_keys(registry, keymap)
    default_keys = {info.id: set(info.keys.split(",")) for info in registry}
    screens = [info for info in registry if info.kind == "screen" and info.scope != "global"]
    warnings: list[str] = []
    for info in registry:
        if info.kind != "widget" or info.id not in keymap:
            continue
        for key in keys[info.id]:
            if key in default_keys[info.id]:
                continue
            taken = sorted(f"{other.id} ({other.scope})" for other in screens if key in keys[other.id])
            if taken:
                warnings.append(f"{path}:{line_of(path, info.id)}: key {key!r} of {info.id} is also "
                                f"{', '.join(taken)}; on those screens the screen's action wins")
    return warnings


def _form_rule() -> str:
    """The one form rule, as the kit's forms keep it (duty_tui/core/tui/kit/form.py)."""
    from duty_tui.core.tui.kit.form import FORM_RULE

    return FORM_RULE


def render_keys_markdown(registry: list[BindingInfo] | None = None) -> str:
    """docs/KEYS.md: every binding id with its default key, generated from the code."""
    registry = registry if registry is not None else binding_registry()
    lines = [
        "# Keys",
        "",
        "Generated from the code by `duty-tui keys --markdown > docs/KEYS.md` (and `keymaps/default.toml` by `duty-tui keys --toml`); a test fails when it is stale.",
        "Rebind any id in a keymap file (`keymaps/default.toml`, `keymaps/vim.toml`, or your own,",
        "chosen with `--keymap NAME|PATH` or `keymap = \"...\"` in the config file):",
        "",
        "```toml",
        "[bindings]",
        'search = "f2,ctrl+f"',
        "```",
        "",
        "Keys that some terminals or tmux swallow (ctrl+s, ctrl+j, ctrl+enter) are never an action's only route;",
        "every action is also in the command palette (ctrl+p).",
        "No key belongs to two actions on one screen: a keymap line that would do that loses that key, with a warning",
        "naming its line. A list key a keymap adds (vim's `g`, `l`) gives way on screens that bind that key",
        "themselves; `duty-tui --keymap vim keys` lists where.",
        "",
        _form_rule(),
        "",
        "| id | default keys | where | what it does |",
        "|---|---|---|---|",
    ]
    for info in sorted(registry, key=lambda i: (i.scope != "global", i.scope, i.id)):
        lines.append(f"| `{info.id}` | `{info.keys}` | {info.scope} | {info.description}: {info.tooltip} |")
    return "\n".join(lines) + "\n"


def render_default_keymap(registry: list[BindingInfo] | None = None) -> str:
    """keymaps/default.toml: every binding id with its default keys, to copy and edit."""
    registry = registry if registry is not None else binding_registry()
    lines = [
        "# The default keymap: every binding id and its keys (generated: duty-tui keys --toml).",
        "# Copy this file, change what you need, and choose it with --keymap PATH",
        '# or `keymap = "/path/to/file.toml"` in the config file. Ids are listed in docs/KEYS.md.',
        '# Several keys for one action: "f2,ctrl+f". Avoid ctrl+s, ctrl+j and ctrl+enter as an',
        "# action's only key: some terminals and tmux swallow them.",
        "",
        "[bindings]",
    ]
    scope = None
    for info in sorted(registry, key=lambda i: (i.scope != "global", i.scope, i.id)):
        if info.scope != scope:
            lines.extend(["", f"# {info.scope}"])
            scope = info.scope
        lines.append(f'{info.id} = "{info.keys}"')
    return "\n".join(lines) + "\n"
