"""The code checks that back STYLE.md's claims, run as part of the one test command.

ruff (the rule set in pyproject.toml's [tool.ruff]) over the whole repository.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_passes_on_the_whole_repository():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        "ruff found problems (rules: [tool.ruff] in pyproject.toml); `ruff check --fix .` mends the safe ones:\n"
        + done.stdout + done.stderr)
