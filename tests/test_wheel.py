"""The wheel works on its own: built from this checkout, installed (not editable) into a fresh venv.

A council installs duty-tui as a wheel, so nothing may be found only because a source checkout sits
next to the code: the reference data (``data/``) and keymaps (``keymaps/``) are shipped inside the
package as ``duty_tui/_data`` and ``duty_tui/_keymaps`` (setup.py, pyproject.toml) and found with
importlib.resources (``duty_tui.core.config.preview.packaged_folder``).

Offline and honest: the wheel is built with this venv's own setuptools (``--no-build-isolation``,
the build-system's requirements are in the ``test`` extra) from a copy of the checkout, so no
``build/`` or ``*.egg-info`` is left in it. The fresh venv gets the wheel alone (``--no-deps
--no-index``); the dependencies are reached through a ``.pth`` line naming this venv's
site-packages, which Python only appends to ``sys.path`` (its own ``.pth`` files, among them the
editable install's finder, are not run), so ``import duty_tui`` can only find the wheel's copy, as
the test checks. Run it alone with ``pytest -m wheel -n 0`` (about 30 s).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

REPO = Path(__file__).resolve().parent.parent
SHIPPED = {"data": "duty_tui/_data", "keymaps": "duty_tui/_keymaps"}
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache",
                                    ".hypothesis", "*.db", "*.db-wal", "*.db-shm", "snapshot_report.html")


def run(command: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory) -> Path:
    """``pip wheel`` of a copy of this checkout, with this venv's setuptools and no index."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE, symlinks=True)
    done = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                "--quiet", "--wheel-dir", str(work / "dist"), str(source)],
               env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, cwd=work, timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = (work / "dist").glob("duty_tui-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(built_wheel, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh venv holding the wheel (not editable), and an environment whose homes are empty folders."""
    work = tmp_path_factory.mktemp("venv")
    target = work / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    done = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                "--quiet", str(built_wheel)], env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, cwd=work)
    assert done.returncode == 0, done.stderr
    # After the install (so pip saw an empty venv): the dependencies, from this venv's site-packages.
    (own_site,) = (Path(p) for p in json.loads(run(
        [str(python), "-c", "import json, site; print(json.dumps(site.getsitepackages()))"],
        env={"PATH": os.environ.get("PATH", "")}, cwd=work).stdout))
    (own_site / "project-venv-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    home = work / "home"
    env = {"PATH": f"{target / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8",
           "TERM": "dumb", "PYTHONDONTWRITEBYTECODE": "1"}
    return target, env


def test_the_wheel_ships_every_data_and_keymap_file(built_wheel):
    names = set(zipfile.ZipFile(built_wheel).namelist())
    for folder, inside in SHIPPED.items():
        tracked = sorted(p.relative_to(REPO / folder).as_posix() for p in (REPO / folder).rglob("*") if p.is_file())
        assert tracked, folder
        missing = [name for name in tracked if f"{inside}/{name}" not in names]
        assert missing == [], f"{folder}/ files not in the wheel under {inside}/"
    assert "duty_tui/_data/roles.toml" in names and "duty_tui/_keymaps/vim.toml" in names


def test_the_installed_wheel_runs_the_demo_and_finds_people(installed, tmp_path):
    target, env = installed
    where = run([str(target / "bin" / "python"), "-c",
                 "import duty_tui, duty_tui.core.config.preview as s; "
                 "print(duty_tui.__file__); print(s.DEFAULTS['data_dir']); print(s.DEFAULTS['keymap_dir'])"],
                env=env, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    module, data_dir, keymap_dir = (Path(line) for line in where.stdout.split())
    for path in (module, data_dir, keymap_dir):
        assert path.is_relative_to(target), f"{path} is not the wheel's copy in {target}"
    assert (data_dir / "roles.toml").is_file() and (keymap_dir / "vim.toml").is_file()

    url = f"sqlite:///{tmp_path / 'office.db'}"
    demo = run(["duty-tui", "demo", "--size", "small", "--no-tui", "--db", url], env=env, cwd=tmp_path, timeout=240)
    assert demo.returncode == 0, demo.stderr
    assert "demo office (small, seed 0) created" in demo.stderr

    found = run(["duty-tui", "person", "find", "smith", "--json", "--db", url], env=env, cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    people = json.loads(found.stdout)
    assert people, "the demo office has Smiths"
    assert set(people[0]) >= {"ref", "name", "born", "address", "tenancy_ref"}
    assert "smith" in people[0]["name"].lower()
    assert all(p["ref"].startswith("P") for p in people)

    # DUTY_DATA_DIR still overrides the shipped copy: a council's folder without roles.toml is the one read.
    council = tmp_path / "council-data"
    shutil.copytree(data_dir, council)
    (council / "roles.toml").unlink()
    overridden = run(["duty-tui", "person", "find", "smith", "--json", "--db", url],
                     env={**env, "DUTY_DATA_DIR": str(council)}, cwd=tmp_path)
    assert overridden.returncode == 3 and f"{council / 'roles.toml'}: reference data file is missing" in overridden.stderr

    keys = run(["duty-tui", "--keymap", "vim", "keys"], env=env, cwd=tmp_path)
    assert keys.returncode == 0 and "warning" not in keys.stderr, keys.stderr
    assert any(line.split()[:2] == ["row-down", "down,j"] for line in keys.stdout.splitlines())
