"""The lettings returns' commands through the command line (docs/CLI.md), SQLite and PostgreSQL: output and
exit codes — `report lettings`, `lettings core-log --json`, `lettings s5` (Scotland only)."""

from __future__ import annotations

import json

from duty_tui.core.cli import run

from .returns_rows import seed_lets


def test_report_lettings_summary_on_stderr_and_bad_periods_exit_2(engine, db_url, tmp_path, capsys):
    seed_lets(engine)
    out = tmp_path / "lettings"
    assert run(["--db", db_url, "report", "lettings", "--from", "01/02/2026", "--to", "2026-02-28", "--out", str(out),
                "--as", "leader"]) == 0
    err = capsys.readouterr().err
    assert "4 files in" in err and "4 lets, 2 counted in the re-let time (average 14.5 days)" in err
    assert run(["--db", db_url, "report", "lettings", "--from", "2026-02-28", "--to", "2026-02-01",
                "--out", str(tmp_path / "b")]) == 2
    assert not (tmp_path / "b").exists()


def test_core_log_json_summary_alone_on_stdout(engine, db_url, tmp_path, capsys):
    seed_lets(engine)
    out = tmp_path / "core.csv"
    assert run(["--db", db_url, "lettings", "core-log", "--from", "2026-02-01", "--to", "2026-02-28", "--out", str(out),
                "--json", "--as", "leader"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["lettings"] == 3 and summary["lettings_with_missing"] == 3
    assert summary["missing_by_field"]["field_1"] == 3
    assert "3 lettings in" in captured.err
    assert run(["--db", db_url, "lettings", "core-log", "--from", "2026-02-01", "--to", "2026-02-28",
                "--out", str(out)]) == 2  # never over an existing file
    assert "already exists" in capsys.readouterr().err


def test_s5_outside_scotland_exits_2_naming_the_rule(engine, db_url, capsys):
    seed_lets(engine)
    assert run(["--db", db_url, "lettings", "s5", "record", "--application", "LA0000001", "--association",
                "Kingdom HA", "--on", "2026-01-20", "--as", "leader"]) == 2
    err = capsys.readouterr().err
    assert "Scottish law" in err and "Traceback" not in err
