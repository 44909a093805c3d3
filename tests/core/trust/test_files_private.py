"""Personal data on disk is private to its owner: files 0600, folders 0700, whatever the umask of
the shell that started duty-tui; a database file someone made readable to others is warned
about, never silently changed; and the crash log holds no SQL parameters, row values or passwords.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from builders import NOW, seed_office
from platformdirs import user_data_dir, user_log_dir
from sqlalchemy import text
from sqlalchemy.engine import make_url

from duty_tui import launch
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.tui.app import make_app

SECRET = "Hunter2-Db-Pw"
NAME = ("Zebedee", "Crashworth")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def current_umask() -> int:
    value = os.umask(0)
    os.umask(value)
    return value


@pytest.fixture
def loose_umask():
    """The shell's usual umask (022: new files readable by everyone), restored afterwards."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def assert_private_tree(top: Path) -> None:
    """``top`` and everything in it: folders 0700, files 0600."""
    entries = [top, *top.rglob("*")]
    assert len(entries) > 1, f"nothing was written under {top}"
    for entry in entries:
        expected = 0o700 if entry.is_dir() else 0o600
        assert mode(entry) == expected, f"{entry} is {mode(entry):04o}, not {expected:04o}"


def test_sar_and_hclic_exports_are_private_whatever_the_shells_umask(sqlite_engine, sqlite_url, tmp_path, capsys,
                                                                      loose_umask):
    seed_office(sqlite_engine)
    sar = tmp_path / "exports" / "sar-P0000004"
    assert run(["--db", sqlite_url, "gdpr", "sar", "P0000004", "--out", str(sar), "--as", "admin"]) == 0
    assert sorted(p.name for p in sar.iterdir()) == ["report.txt", "sar.json"]
    assert_private_tree(tmp_path / "exports")
    hclic = tmp_path / "returns" / "2026Q1"
    assert run(["--db", sqlite_url, "report", "homelessness", "--quarter", "2026Q1", "--out", str(hclic),
                "--as", "options"]) == 0, capsys.readouterr().err
    assert any(p.name.endswith("_hclic_main.csv") for p in hclic.iterdir())
    assert_private_tree(tmp_path / "returns")
    assert current_umask() == 0o022  # run() hands the caller's umask back


def test_the_apps_statements_receipts_and_letters_are_private(sqlite_engine, sqlite_url, monkeypatch, loose_umask):
    """The console entry point sets umask 077 before the app runs, so what the TUI saves is private."""
    from duty_tui.core.services.printable import make_document, pdf_document, save_document

    seed_office(sqlite_engine)
    seen: dict[str, object] = {}

    def app_that_saves_documents(settings, **_kwargs) -> int:
        # What the payment and homelessness screens call when a document is saved.
        seen["umask"] = current_umask()
        seen["files"] = [*save_document(make_document("statements", "statement-RNT000003", "Statement", ["Statement"])),
                         *save_document(make_document("receipts", "receipt-MAIN-000001", "Receipt", ["Receipt"])),
                         *save_document(pdf_document("letters", "HL000001-s184-decision.pdf", b"%PDF-1.4"))]
        return 0

    monkeypatch.setattr(launch, "run_app", app_that_saves_documents)
    monkeypatch.setattr(sys, "argv", ["duty-tui", "--db", sqlite_url])
    with pytest.raises(SystemExit) as exited:
        launch.main()
    assert exited.value.code == 0
    assert seen["umask"] == 0o077
    assert len(seen["files"]) == 5
    data = Path(user_data_dir("duty-tui"))
    assert {p.name for p in data.iterdir()} == {"statements", "receipts", "letters"}
    assert_private_tree(Path(os.environ["XDG_DATA_HOME"]))
    assert current_umask() == 0o022


def test_the_crash_log_is_private_and_holds_no_personal_data_or_password(engine, db_url, monkeypatch, capsys,
                                                                         loose_umask):
    """A bug whose error carries a person's name (as SQL parameters and PostgreSQL's DETAIL row) and a
    database URL with its password: the log says where it failed, and neither reaches it."""
    seed_office(engine)

    def find_people_with_a_bug(ctx, query, limit):
        try:
            with session_scope(ctx.engine, write=True) as session:
                session.execute(text("INSERT INTO person (ref, forename, surname, created_at) "
                                     "VALUES (:ref, :forename, :surname, :at)"),
                                {"ref": None, "forename": NAME[0], "surname": NAME[1], "at": NOW})
        except Exception as exc:
            raise RuntimeError(f"lost postgresql+psycopg://duty:{SECRET}@dbhost:5432/duty while saving "
                               f"(password={SECRET})") from exc

    monkeypatch.setattr("duty_tui.core.services.search.find_people", find_people_with_a_bug)
    code = run(["--db", db_url, "person", "find", "smith", "--as", "admin"])
    err = capsys.readouterr().err
    assert code == 1
    assert "unexpected error (RuntimeError: lost postgresql+psycopg://duty:***@dbhost:5432/duty" in err
    log = Path(user_log_dir("duty-tui")) / "crash.log"
    assert f"details saved to {log}" in err
    written = log.read_text(encoding="utf-8")
    assert "Traceback" in written and "IntegrityError" in written and "find_people_with_a_bug" in written
    for secret in (*NAME, SECRET):
        assert secret not in written, f"{secret!r} reached crash.log:\n{written}"
        assert secret not in err
    assert mode(log) == 0o600
    for folder in (log.parent, *[p for p in log.parents if str(p).startswith(os.environ["XDG_STATE_HOME"])]):
        assert mode(folder) == 0o700, folder

    # The TUI's crash path writes the same way.
    from duty_tui.core.tui.app import _log_crash

    try:
        raise ValueError(f"[parameters: ('{NAME[0]}',)] at sqlite://u:{SECRET}@h/x")
    except ValueError as exc:
        assert _log_crash(exc) == str(log)
    written = log.read_text(encoding="utf-8")
    assert NAME[0] not in written and SECRET not in written and written.count("--- ") == 2


def test_a_database_readable_by_others_is_warned_about_and_left_alone(sqlite_engine, sqlite_url, capsys):
    seed_office(sqlite_engine)
    path = Path(make_url(sqlite_url).database)
    path.chmod(0o644)
    warning = f"the database file {path} is readable by other users (mode 0644); chmod 600 {path}"
    assert run(["--db", sqlite_url, "person", "find", "smith"]) == 0
    assert warning in capsys.readouterr().err
    assert mode(path) == 0o644  # someone set that: warned about, never changed behind their back
    path.chmod(0o600)
    assert run(["--db", sqlite_url, "person", "find", "smith"]) == 0
    assert "readable by other users" not in capsys.readouterr().err


async def test_the_app_warns_at_start_up_when_the_database_is_readable_by_others(sqlite_engine, sqlite_url):
    seed_office(sqlite_engine)
    path = Path(make_url(sqlite_url).database)
    path.chmod(0o640)
    settings = Settings(db_url=sqlite_url)
    app = make_app(settings, ctx=ServiceContext.create(sqlite_engine, settings, terminal="pilot"), demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
    assert f"the database file {path} is readable by other users (mode 0640); chmod 600 {path}" in messages
    assert mode(path) == 0o640
