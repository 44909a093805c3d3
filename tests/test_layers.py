"""The layers hold: import-linter checks the contracts in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> list[str]:
    """The lint-imports beside this interpreter (the venv's), else whichever is on PATH."""
    beside = Path(sys.executable).parent / "lint-imports"
    if beside.exists():
        return [str(beside)]
    on_path = shutil.which("lint-imports")
    assert on_path, "import-linter is not installed; run: .venv/bin/pip install -e '.[test]'"
    return [on_path]


def test_import_linter_contracts_are_kept() -> None:
    """domain stays pure, services and db never import textual, tui never touches the database."""
    result = subprocess.run(
        [*_lint_imports(), "--config", str(REPO_ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=REPO_ROOT,  # lint-imports finds duty_tui from the working directory
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = (result.stdout + result.stderr).strip()
    exit_code = result.returncode
    assert exit_code == 0, f"import-linter contracts broken (exit {exit_code}):\n{report}"
    assert "BROKEN" not in report and "KEPT" in report, report
