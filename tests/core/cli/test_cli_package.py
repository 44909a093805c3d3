"""The command line is one package with imports that go one way (issue 12, item 6).

``duty_tui.core.cli`` holds the Typer root (root.py), what every command shares (context.py), the core's
commands and each area's commands, one module each. The console script (``duty_tui.launch``) and
the light start path (``duty_tui.core.start``, which opens the app) sit beside it. These tests read the
modules' source with ``ast`` and check that no two of them import each other (an import anywhere
in a module counts, and so does a "duty_tui.x.y:z" path in root's lists), that none
imports another's private name, that each imports alone in a fresh interpreter, that every group
of commands is registered in root's one list, and that one function opens the app and one writes
the crash report.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from duty_tui.core import registry
from duty_tui.core.cli import root

PACKAGE = Path(__file__).resolve().parents[3] / "duty_tui"
CLI = PACKAGE / "core" / "cli"
BESIDE = ("duty_tui.launch", "duty_tui.core.start", "duty_tui.__main__")
"""The modules outside the package that start the command line or the app."""


def _module_files() -> dict[str, Path]:
    """The core's command modules, each area's (duty_tui/areas/<area>/cli.py and its other *cli* modules:
    cli_report.py, dd_cli.py …) and the modules beside them."""
    files = {f"duty_tui.core.cli.{path.stem}" if path.stem != "__init__" else "duty_tui.core.cli": path
             for path in sorted(CLI.glob("*.py"))}
    files.update({f"duty_tui.areas.{path.parent.name}.{path.stem}": path
                  for path in sorted(PACKAGE.glob("areas/*/*.py")) if "cli" in path.stem.split("_")})
    files.update({name: PACKAGE.parent / f"{name.replace('.', '/')}.py" for name in BESIDE})
    return files


MODULES = _module_files()


def _imports(name: str, tree: ast.AST) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in the module, wherever it is."""
    found: list[tuple[str, list[str], int]] = []
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [alias.name for alias in node.names]
            # `from duty_tui.core.cli import root` imports the module duty_tui.core.cli.root.
            submodules = [n for n in names if f"{base}.{n}" in MODULES]
            found.extend((f"{base}.{n}", [], node.lineno) for n in submodules)
            found.append((base, [n for n in names if n not in submodules], node.lineno))
    return found


def _registry_paths(tree: ast.AST) -> list[str]:
    """Modules named in "duty_tui.x.y:attribute" strings (root's registry lists)."""
    return [node.value.partition(":")[0] for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("duty_tui.")
            and ":" in node.value and " " not in node.value]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = {module for module, _names, _line in _imports(name, tree)} | set(_registry_paths(tree))
        graph[name] = {target for target in targets if target in MODULES and target != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle_and_passes_a_tree():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_registry_strings_and_lazy_imports_count_as_imports():
    graph = _graph()
    assert "duty_tui.core.cli.staff" in graph["duty_tui.core.cli.root"]  # named in CORE_GROUPS only
    assert "duty_tui.core.cli" in graph["duty_tui.launch"]  # imported inside main() only
    assert "duty_tui.core.cli.root" in graph["duty_tui.core.cli"]  # imported inside __getattr__ only


def test_no_import_cycle_between_the_command_line_modules():
    graph = _graph()
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])
    # And the direction is the one the docstrings promise.
    assert graph["duty_tui.core.start"] == set()
    assert not {"duty_tui.launch", "duty_tui.__main__"} & set().union(*(graph[m] for m in MODULES if m not in BESIDE))


def test_command_modules_import_only_the_shared_context_of_the_command_line():
    """So each area's module can move into its area as it is: it knows context.py and nothing else here
    (and, in an area, its own other command modules: income's cli.py registers cli_court's command)."""
    graph = _graph()
    def own_area(name: str, target: str) -> bool:  # an area's cli.py may take commands from its own cli_*.py
        return name.startswith("duty_tui.areas.") and target.rpartition(".")[0] == name.rpartition(".")[0]

    wrong = {name: sorted(t for t in targets - {"duty_tui.core.cli.context", "duty_tui.core.start"}
                          if not own_area(name, t))
             for name, targets in graph.items()
             if name.startswith(("duty_tui.core.cli.", "duty_tui.areas.")) and name not in ("duty_tui.core.cli.root", "duty_tui.core.cli.context")}
    assert {name: targets for name, targets in wrong.items() if targets} == {}
    assert graph["duty_tui.core.cli.context"] == set()


def test_no_module_imports_a_private_name_from_another():
    private = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for module, names, line in _imports(name, tree):
            if module.startswith("duty_tui") and module != name:
                private += [f"{path.relative_to(PACKAGE.parent)}:{line}: from {module} import {n}"
                            for n in names if n.startswith("_")]
    assert private == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_alone_in_a_fresh_interpreter(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120,
                          cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr[-3000:]


def test_every_group_of_commands_is_registered_in_the_one_list():
    """A SubApp left out of root's CORE_GROUPS or its area's Area would be a command nobody can run."""
    declared = set()
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and getattr(node.value.func, "id", None) == "SubApp"):
                declared |= {f"{name}:{target.id}" for target in node.targets if isinstance(target, ast.Name)}
    assert declared == set(root.sub_apps())
    names = [registry.load(path).name for path in root.sub_apps()]
    assert len(names) == len(set(names))


def _callers(function: str) -> list[str]:
    """CLI modules that call ``function`` (by name or attribute)."""
    found = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        if any(isinstance(node, ast.Call) and function in (getattr(node.func, "id", None),
                                                           getattr(node.func, "attr", None))
               for node in ast.walk(tree)):
            found.append(name)
    return found


def test_one_function_opens_the_app_and_one_writes_the_crash_report():
    assert _callers("make_app") == ["duty_tui.core.start"]  # start.run_app: duty-tui, duty-tui demo, serve's tabs
    assert _callers("log_crash") == ["duty_tui.core.start"]  # start.crash_report, through start.guarded
    assert sorted(_callers("crash_report")) == ["duty_tui.core.start"]
    assert sorted(_callers("guarded")) == ["duty_tui.core.cli.root", "duty_tui.launch"]


def test_demo_opens_the_app_through_the_one_path(monkeypatch, tmp_path, capsys):
    opened = []

    def run_app(settings, *, engine=None, demo=None, settings_loader=None) -> int:
        opened.append((settings.db_url, engine is not None, demo))
        return 0

    monkeypatch.setattr("duty_tui.core.start.run_app", run_app)
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    from duty_tui.core.cli import run

    assert run(["--db", url, "demo", "--size", "small"]) == 0, capsys.readouterr().err
    assert opened == [(url, True, True)]


def test_a_bug_on_either_path_is_reported_the_same_way(monkeypatch, tmp_path, capsys, sqlite_url):
    """The console script's fast path and the Typer commands share one crash report (and log)."""
    from duty_tui import launch

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(launch, "run_app", broken)
    monkeypatch.setattr(sys, "argv", ["duty-tui", "--db", sqlite_url])
    with pytest.raises(SystemExit) as exited:
        launch.main()
    fast = capsys.readouterr().err
    monkeypatch.setattr("duty_tui.core.services.search.find_people", broken)
    from duty_tui.core.cli import run

    code = run(["--db", sqlite_url, "person", "find", "smith"])
    typer_path = capsys.readouterr().err
    assert exited.value.code == 1 and code == 1
    assert fast == typer_path
    assert fast.startswith("duty-tui: unexpected error (RuntimeError: boom); details saved to ")
