"""`duty-tui demo` with no database named builds its office in a file of its own, and says where.

A newcomer's first `duty-tui demo` must not become the default database (duty.db) that a later plain
`duty-tui` opens: the demo goes to demo.db beside it, private like the app's other files (0600 in a
0700 folder), and comes back only when asked (`duty-tui demo` again, or `--db` naming it). The
autouse fixture in tests/conftest.py points HOME's XDG folders at the test's own temporary folder.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from duty_tui import launch
from duty_tui.core.cli import run


def _run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def _data_folder() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "duty-tui"


def _mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


def test_demo_without_db_builds_its_own_private_file_and_says_where(capsys):
    code, _, err = _run(capsys, "demo", "--size", "small", "--no-tui")
    assert code == 0, err
    demo_file, default_file = _data_folder() / "demo.db", _data_folder() / "duty.db"
    assert f"the demo office is in a file of its own, {demo_file}" in err
    assert "demo office (small, seed 0) created" in err
    assert demo_file.is_file() and not default_file.exists()
    assert _mode(demo_file) == oct(0o600)
    for folder in (_data_folder(), _data_folder().parent):
        assert _mode(folder) == oct(0o700), folder


def test_a_plain_duty_tui_afterwards_does_not_open_the_demo_unless_asked(capsys, monkeypatch):
    assert _run(capsys, "demo", "--size", "small", "--no-tui")[0] == 0
    demo_file = _data_folder() / "demo.db"

    # The plain app (the console script itself): the default database is not the demo's.
    monkeypatch.setattr(sys, "argv", ["duty-tui"])
    with pytest.raises(SystemExit) as exited:
        launch.main()
    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert "duty.db does not exist yet" in err and "demo office in a file of its own" in err
    # Nor does a command.
    code, out, err = _run(capsys, "person", "find", "smith", "--json")
    assert code == 3 and out == "" and "does not exist yet" in err
    assert not (_data_folder() / "duty.db").exists()

    # Asked for: --db naming the demo's file, or `duty-tui demo` again (which opens the same office).
    code, out, err = _run(capsys, "--db", f"sqlite:///{demo_file}", "person", "find", "smith", "--json")
    assert code == 0, err
    people = json.loads(out)
    assert people and "smith" in people[0]["name"].lower()
    code, _, err = _run(capsys, "demo", "--size", "small", "--no-tui")
    assert code == 0, err
    assert "already in this database; opening it" in err and str(demo_file) in err


def test_a_database_named_in_the_environment_is_the_one_the_demo_fills(capsys, monkeypatch, tmp_path):
    """DUTY_DB_URL (like --db or db_url in the config file) names the database: the demo uses it."""
    chosen = tmp_path / "chosen.db"
    monkeypatch.setenv("DUTY_DB_URL", f"sqlite:///{chosen}")
    code, _, err = _run(capsys, "demo", "--size", "small", "--no-tui")
    assert code == 0, err
    assert chosen.is_file() and "a file of its own" not in err
    assert not (_data_folder() / "demo.db").exists()
