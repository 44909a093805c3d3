"""Command-line output is inert, in text and in JSON (issue 10 items 16 and 15).

Stored names can hold anything a hostile import or a direct database edit puts there: ESC
sequences, an OSC 52 clipboard write, BEL, C1 CSI, bidi overrides, a newline followed by a
forged line. Text output shows them as symbols on one line (services/outputs.one_line, built on
domain.validators.inert, as the TUI shows them); --json escapes them as \\uXXXX
(services/outputs.dump_json) so json.loads gives back exactly what is stored while no raw
control or bidi character is printed. `report homelessness --out` refuses a symbolic link and a
non-empty folder, as `gdpr sar` does, through the one shared check (services/outputs.py).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from builders import NOW, seed_office
from sqlalchemy import update
from sqlmodel import select

from duty_tui.areas.frontdesk.db.models import ReceptionVisit
from duty_tui.core.cli import run
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, Case, Person, Team
from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.local_time import local_date
from duty_tui.core.services.outputs import OutputFolder, check_out_dir, dump_json, one_line

HOSTILE = ("Eve\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u202eevil\u202c\x9b31m\x7f\u2028"
           "\nduty-tui: audit chain intact")
"""OSC 52 (write the clipboard), BEL, clear screen, RLO/PDF, C1 CSI, DEL, LINE SEPARATOR, and a forged line."""
RAW = ("\x1b", "\x07", "\x9b", "\x7f", "\u202e", "\u202c", "\u2028")
FORGED_LINE = "duty-tui: audit chain intact"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        assert "Traceback" not in result.out + result.err, result
        return result

    return invoke


@pytest.fixture
def hostile_url(engine, db_url) -> str:
    """The builders' office with HOSTILE stored in every name these commands print."""
    seed_office(engine)
    with session_scope(engine, write=True) as session:
        session.exec(update(Person).where(Person.ref == "P0000001").values(forename=HOSTILE))  # type: ignore[call-overload]
        session.exec(update(Account).where(Account.ref == "RNT000001").values(holder_name=HOSTILE))  # type: ignore[call-overload]
        session.exec(update(Case).where(Case.ref == "C0000001").values(summary=HOSTILE))  # type: ignore[call-overload]
        session.exec(update(Team).where(Team.code == "repairs").values(name=HOSTILE))  # type: ignore[call-overload]
        khan = session.exec(select(Person.id).where(Person.ref == "P0000004")).one()
        session.add(ReceptionVisit(visit_date=local_date(NOW), ticket="A01", caller_name=HOSTILE, person_id=khan,
                                   arrived_at=NOW - timedelta(minutes=5)))
    return db_url


def assert_inert(result: Result) -> None:
    text = result.out + result.err
    for char in RAW:
        assert char not in text, (repr(char), result)
    assert not any(line.startswith(FORGED_LINE) for line in text.splitlines()), result


def assert_json_holds_it_exactly(result: Result) -> object:
    assert result.code == 0, result
    assert_inert(result)
    assert "\n" not in result.out.rstrip("\n")  # one line: the stored newline is an escape
    document = json.loads(result.out)
    assert _contains(document, HOSTILE), document  # exactly what is stored, every character of it
    return document


def _contains(value: object, wanted: str) -> bool:
    if isinstance(value, str):
        return wanted in value  # a person's name is "forename surname"
    if isinstance(value, dict):
        return any(_contains(v, wanted) for v in value.values())
    if isinstance(value, list):
        return any(_contains(v, wanted) for v in value)
    return False


TEXT_COMMANDS = [
    ("person", "find", "smith"),
    ("account", "list"),
    ("account", "show", "RNT000001"),
    ("queue", "show", "repairs", "--as", "leader"),
    ("queue", "callers", "--as", "reception"),
]


@pytest.mark.parametrize("command", TEXT_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_text_output_shows_stored_controls_as_symbols_on_one_line(cli, hostile_url, command):
    with time_machine.travel(NOW, tick=True):
        result = cli("--db", hostile_url, *command)

    assert result.code == 0, result
    assert_inert(result)
    assert "\u241b]52;c;" in result.out + result.err  # ESC shown as its symbol: the name is there, inert


@pytest.mark.parametrize("command", TEXT_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_json_output_escapes_controls_and_bidi_and_round_trips_exactly(cli, hostile_url, command):
    with time_machine.travel(NOW, tick=True):
        result = cli("--db", hostile_url, *command, "--json")

    assert_json_holds_it_exactly(result)
    assert "\\u001b]52" in result.out and "\\u202e" in result.out


def test_audit_verify_output_is_inert(cli, sqlite_engine, sqlite_url):
    """A garbage time planted to attack whoever runs verify is quoted, not played."""
    seed_office(sqlite_engine)
    assert cli("--db", sqlite_url, "person", "find", "smith").code == 0
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql("UPDATE audit_event SET at = ? WHERE id = 1", (HOSTILE,))

    for args in ((), ("--json",)):
        result = cli("--db", sqlite_url, "audit", "verify", *args)
        assert result.code == 1, result
        assert_inert(result)
    assert json.loads(result.out)["problems"][0]["event"] == 1


# --- the JSON helper itself ----------------------------------------------------------------


def test_dump_json_escapes_every_control_and_format_character_and_nothing_else():
    value = {"name": "Zoë 😀 وليد \u200f", "k\u202e": ["\x00\x1f\x7f\x85\x9b", "\u2028\u2029\ufeff\U000e0041", "\ud800"]}
    text = dump_json(value, indent=2)
    assert json.loads(text) == value
    assert "Zoë 😀 وليد" in text  # letters and emoji stay readable
    printed = text.replace("\n", "")  # indent's own layout
    assert all(0x20 <= ord(c) < 0x7F or not _escaped_category(c) for c in printed)
    assert "\\u200f" in text and "\\udb40\\udc41" in text  # RLM and an astral tag character, as JSON spells them


def _escaped_category(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def test_one_line_keeps_a_value_on_its_line():
    assert one_line("a\nb\rc\x1bd") == "a\u2424b\u240dc\u241bd"


# --- --out folders (shared with gdpr sar) ----------------------------------------------------


@pytest.fixture
def leader_url(engine, db_url) -> str:
    seed_office(engine)
    return db_url


def test_report_homelessness_refuses_a_symlinked_out_folder(cli, leader_url, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "link"
    link.symlink_to(elsewhere)

    result = cli("--db", leader_url, "report", "homelessness", "--quarter", "2026Q1", "--out", str(link),
                 "--as", "options")

    assert result.code == 2, result
    assert "symbolic link" in result.err
    assert list(elsewhere.iterdir()) == []


def test_report_homelessness_refuses_a_folder_that_is_not_empty(cli, leader_url, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "2026Q1_hclic_main.csv").write_text("someone else's file\n")

    result = cli("--db", leader_url, "report", "homelessness", "--quarter", "2026Q1", "--out", str(out),
                 "--as", "options")

    assert result.code == 2, result
    assert "not empty" in result.err
    assert (out / "2026Q1_hclic_main.csv").read_text() == "someone else's file\n"


def test_report_homelessness_writes_a_new_folder_private_to_its_owner(cli, leader_url, tmp_path):
    out = tmp_path / "new" / "q1"
    result = cli("--db", leader_url, "report", "homelessness", "--quarter", "2026Q1", "--out", str(out),
                 "--as", "options")
    assert result.code == 0, result
    files = list(out.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_the_out_folder_check_refuses_links_files_and_contents(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    (tmp_path / "file").write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "empty-target")
    (tmp_path / "empty-target").mkdir()
    for name, words in (("full", "not empty"), ("file", "is a file"), ("link", "symbolic link")):
        with pytest.raises(InputError, match=words):
            check_out_dir(tmp_path / name)
    check_out_dir(tmp_path / "empty-target")
    check_out_dir(tmp_path / "not-yet")


def test_an_output_folder_never_writes_through_a_link_or_over_a_file(tmp_path):
    """A link planted at a file name after the check (a race) is refused, not followed."""
    target = tmp_path / "victim.txt"
    target.write_text("keep me")
    folder = OutputFolder(tmp_path / "out")
    try:
        os.symlink(target, tmp_path / "out" / "report.txt")
        with pytest.raises(InputError, match="cannot write there"):
            folder.write_text("report.txt", "personal data")
        assert target.read_text() == "keep me"
        folder.write_text("other.txt", "fine")
        assert stat.S_IMODE((tmp_path / "out" / "other.txt").stat().st_mode) == 0o600
    finally:
        folder.close()


def test_a_failed_export_leaves_nothing_behind(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), OutputFolder(out) as folder:
        folder.write_text("a.csv", "x")
        raise RuntimeError("the audit event could not be written")
    assert not out.exists()
