"""The command line's foundation contracts (docs/CLI.md): `db upgrade`, `--db`, `person find`,
`audit verify`, `demo`, exit codes 0/2/3, and never a traceback or a password on the screen.

Most tests call ``duty_tui.core.cli.run`` in-process; a few run the installed ``duty-tui`` end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import NOW, seed_office
from sqlalchemy import func, text
from sqlmodel import select

from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.models import AuditEvent, Person
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.search import find_people

DUTY_TUI = Path(sys.executable).with_name("duty-tui")
SECRET = "S3cretPw9"
JSON_KEYS = {"ref", "name", "born", "address", "tenancy_ref"}


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process; every run is checked for tracebacks."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        assert "Traceback" not in result.out + result.err, result
        return result

    return invoke


@pytest.fixture
def seeded_url(engine, db_url) -> str:
    """A migrated database (both backends) holding the builders' small office."""
    seed_office(engine)
    return db_url


@pytest.fixture
def empty_url(db_backend, request, tmp_path) -> str:
    """A database that exists but has never been migrated."""
    if db_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'never-migrated.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"e_{uuid.uuid4().hex[:16]}"
    server.create_database(name)
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


def count_audit(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return session.exec(select(func.count()).select_from(AuditEvent)).one()
    finally:
        engine.dispose()


# --- db upgrade and --db ---------------------------------------------------------------


def test_db_upgrade_is_idempotent(cli, empty_url):
    first = cli("db", "upgrade", "--db", empty_url)
    assert first.code == 0, first
    assert first.out == ""
    second = cli("db", "upgrade", "--db", empty_url)
    assert second.code == 0, second
    assert "already" in second.err
    # and the database is now usable
    assert cli("person", "find", "smith", "--db", empty_url).code == 0


@pytest.mark.parametrize(
    "shape",
    ["before", "after", "middle", "equals-before", "equals-after"],
)
def test_db_option_before_or_after_the_subcommand(cli, seeded_url, shape):
    args = {
        "before": ["--db", seeded_url, "person", "find", "john smith"],
        "after": ["person", "find", "john smith", "--db", seeded_url],
        "middle": ["person", "--db", seeded_url, "find", "john smith"],
        "equals-before": [f"--db={seeded_url}", "person", "find", "john smith"],
        "equals-after": ["person", "find", "john smith", f"--db={seeded_url}"],
    }[shape]
    result = cli(*args)
    assert result.code == 0, result
    assert "P0000001" in result.out and "P0000002" in result.out


def test_db_from_the_environment(cli, seeded_url, monkeypatch):
    monkeypatch.setenv("DUTY_DB_URL", seeded_url)
    result = cli("person", "find", "P0000004")
    assert result.code == 0, result
    assert "Aisha Khan" in result.out


def test_db_option_beats_the_environment(cli, seeded_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DUTY_DB_URL", f"sqlite:///{tmp_path / 'other.db'}")
    assert cli("person", "find", "P0000004", "--db", seeded_url).code == 0


@pytest.mark.parametrize("command", [["person", "find", "smith"], ["audit", "verify"]])
def test_an_unmigrated_database_is_refused_with_the_fix(cli, empty_url, command):
    result = cli(*command, "--db", empty_url)
    assert result.code == 3, result
    assert "duty-tui db upgrade" in result.err
    assert result.out == ""


# --- unreachable databases and passwords ----------------------------------------------


UNREACHABLE = [
    f"postgresql+psycopg://duty:{SECRET}@127.0.0.1:1/duty",
    f"postgresql://duty:{SECRET}@127.0.0.1:1/duty",
    f"postgresql+psycopg://duty:p@{SECRET}@127.0.0.1:1/duty",  # an '@' the user forgot to encode
    f"postgresql+psycopg://duty:{SECRET}@127.0.0.1:notaport/duty",
    f"postgresql+psycopg://duty@127.0.0.1:1/duty?password={SECRET}",
]


@pytest.mark.parametrize("url", UNREACHABLE)
@pytest.mark.parametrize("command", [["person", "find", "smith"], ["db", "upgrade"], ["audit", "verify"]])
def test_unreachable_postgres_exits_3_and_never_shows_the_password(cli, url, command):
    result = cli(*command, "--db", url)
    assert result.code == 3, result
    assert result.err.startswith("duty-tui: ")
    assert SECRET not in result.err + result.out
    assert "S3cret" not in result.err + result.out


def test_password_hidden_when_the_url_comes_from_the_environment(cli, monkeypatch):
    monkeypatch.setenv("DUTY_DB_URL", UNREACHABLE[0])
    result = cli("person", "find", "smith")
    assert result.code == 3
    assert SECRET not in result.err
    assert "***" in result.err


def test_password_hidden_when_the_url_comes_from_the_config_file(cli, tmp_path):
    config = tmp_path / "duty.toml"
    config.write_text(f'db_url = "{UNREACHABLE[0]}"\n', encoding="utf-8")
    result = cli("--config", str(config), "person", "find", "smith")
    assert result.code == 3
    assert SECRET not in result.err


def test_a_url_that_is_not_a_url_exits_3(cli):
    result = cli("person", "find", "smith", "--db", "just-a-file.db")
    assert result.code == 3
    assert "db_url" in result.err


def test_an_unsupported_backend_exits_3(cli):
    result = cli("person", "find", "smith", "--db", f"mysql://duty:{SECRET}@localhost/duty")
    assert result.code == 3
    assert SECRET not in result.err


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"postgresql+psycopg://duty:{SECRET}@db.example:5432/duty", "postgresql+psycopg://duty:***@db.example:5432/duty"),
        (f"postgresql+psycopg://duty:p@{SECRET}@db.example/duty", "postgresql+psycopg://duty:***@db.example/duty"),
        (f"postgresql+psycopg://duty:a/{SECRET}@db.example/duty", "postgresql+psycopg://duty:***@db.example/duty"),
        (f"postgresql+psycopg://duty:{SECRET}@db.example:notaport/duty",
         "postgresql+psycopg://duty:***@db.example:notaport/duty"),
        (f"postgresql://duty@db.example/duty?sslmode=require&password={SECRET}",
         "postgresql://duty@db.example/duty?sslmode=require&password=***"),
        ("postgresql://duty@db.example/duty", "postgresql://duty@db.example/duty"),
        ("sqlite:////srv/duty@office/duty.db", "sqlite:////srv/duty@office/duty.db"),
        ("sqlite:///duty.db", "sqlite:///duty.db"),
    ],
)
def test_hide_password(url, shown):
    from duty_tui.core.config.settings import hide_password

    assert hide_password(url) == shown


# --- person find ---------------------------------------------------------------------------


def test_person_find_json_is_only_a_list_best_first(cli, seeded_url, engine):
    result = cli("person", "find", "jon smtih", "--json", "--db", seeded_url)

    assert result.code == 0, result
    hits = json.loads(result.out)  # stdout holds the JSON and nothing else
    assert isinstance(hits, list) and hits
    assert result.out.strip().startswith("[") and result.out.strip().endswith("]")
    for hit in hits:
        assert isinstance(hit, dict)
        assert set(hit) == JSON_KEYS
        assert isinstance(hit["ref"], str) and isinstance(hit["name"], str)
        assert hit["born"] is None or isinstance(hit["born"], int)
    refs = [hit["ref"] for hit in hits]
    assert {"P0000001", "P0000002", "P0000003"} <= set(refs)
    # Best first: the same order as the search service (the TUI's matching).
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="t", clock=lambda: NOW)
    expected = [h.ref for h in find_people(base.as_actor(find_actor(base, "leader")), "jon smtih")]
    assert refs == expected
    by_ref = {hit["ref"]: hit for hit in hits}
    assert by_ref["P0000001"] == {"ref": "P0000001", "name": "John Smith", "born": 1961,
                                  "address": "12 Mill Lane, Swindon SN1 2AB", "tenancy_ref": "T00001"}
    assert by_ref["P0000003"]["address"] is None and by_ref["P0000003"]["tenancy_ref"] is None


def test_person_find_json_with_no_hits_is_an_empty_list(cli, seeded_url):
    result = cli("person", "find", "xqzzyv", "--json", "--db", seeded_url)
    assert result.code == 0
    assert json.loads(result.out) == []


def test_person_find_limit(cli, seeded_url):
    result = cli("person", "find", "smith", "--json", "--limit", "1", "--db", seeded_url)
    assert result.code == 0
    assert len(json.loads(result.out)) == 1


def test_person_find_is_audited_as_a_search(cli, seeded_url):
    before = count_audit(seeded_url)
    assert cli("person", "find", "john smith", "--db", seeded_url).code == 0
    assert count_audit(seeded_url) == before + 1
    engine = make_engine(seeded_url)
    try:
        with session_scope(engine) as session:
            event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]
    finally:
        engine.dispose()
    assert event.action == "person.search"
    assert json.loads(event.detail)["query"] == "john smith"


def test_person_find_as_a_named_user(cli, seeded_url):
    assert cli("person", "find", "smith", "--as", "reception", "--db", seeded_url).code == 0
    result = cli("person", "find", "smith", "--as", "nobody", "--db", seeded_url)
    assert result.code == 2
    assert "nobody" in result.err


@pytest.mark.parametrize(
    "args",
    [
        ["--limit", "0"],
        ["--limit", "201"],
        ["--limit", "-3"],
        ["--limit", "lots"],
    ],
)
def test_person_find_bad_limit_exits_2_and_changes_nothing(cli, seeded_url, args):
    before = count_audit(seeded_url)
    result = cli("person", "find", "smith", *args, "--db", seeded_url)
    assert result.code == 2, result
    assert "--limit" in result.err
    assert result.out == ""
    assert count_audit(seeded_url) == before


@pytest.mark.parametrize("query", ["", "   "])
def test_person_find_blank_query_exits_2(cli, seeded_url, query):
    result = cli("person", "find", query, "--db", seeded_url)
    assert result.code == 2
    assert result.err.strip()


def test_person_find_without_a_query_exits_2(cli, seeded_url):
    assert cli("person", "find", "--db", seeded_url).code == 2


# --- audit verify ----------------------------------------------------------------------------


def test_audit_verify_intact_then_broken(cli, seeded_url):
    for query in ("smith", "khan", "SN1 2AB"):
        assert cli("person", "find", query, "--db", seeded_url).code == 0

    intact = cli("audit", "verify", "--db", seeded_url)
    assert intact.code == 0, intact
    assert "intact" in intact.err

    engine = make_engine(seeded_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET detail = :d WHERE id = 2"), {"d": '{"query": "x"}'})
    finally:
        engine.dispose()
    broken = cli("audit", "verify", "--db", seeded_url)
    assert broken.code == 1, broken
    assert "event 2" in broken.err


def test_audit_verify_on_an_empty_trail(cli, db_url):
    assert cli("audit", "verify", "--db", db_url).code == 0


# --- usage errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["person", "lose"],
        ["person", "find", "smith", "--no-such-option"],
        ["--no-such-option", "person", "find", "smith"],
        ["db", "downgrade"],
        ["audit", "verify", "extra-argument"],
    ],
)
def test_unknown_commands_and_options_exit_2(cli, args, tmp_path):
    result = cli(*args, "--db", f"sqlite:///{tmp_path / 'unused.db'}")
    assert result.code == 2, result
    assert result.err.strip()


# --- config files ----------------------------------------------------------------------------


BAD_CONFIGS = {
    "toml-syntax": 'office_name = "unfinished\n',
    "unknown-key": 'office_name = "Ours"\ncolour = "blue"\n',
    "bad-jurisdiction": 'jurisdiction = "france"\n',
    "wrong-type": "idle_lock_minutes = \"soon\"\n",
    "out-of-range": "idle_lock_minutes = 0\n",
    "duty-not-a-table": "duty = 3\n",
    "duty-table-unknown-key": "[duty]\nflavour = 1\n",
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_bad_config_file_exits_3_naming_the_file(cli, tmp_path, monkeypatch, name, how):
    config = tmp_path / f"bad-{name}.toml"
    config.write_text(BAD_CONFIGS[name], encoding="utf-8")
    args = ["person", "find", "smith", "--db", f"sqlite:///{tmp_path / 'unused.db'}"]
    if how == "option":
        args = ["--config", str(config), *args]
    else:
        monkeypatch.setenv("DUTY_CONFIG", str(config))

    result = cli(*args)

    assert result.code == 3, result
    assert str(config) in result.err
    assert result.out == ""


def test_a_config_file_named_on_the_command_line_must_exist(cli, tmp_path):
    missing = tmp_path / "typo.toml"
    result = cli("--config", str(missing), "person", "find", "smith", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.code == 3, result
    assert str(missing) in result.err


def test_a_good_config_file_is_used(cli, seeded_url, tmp_path):
    config = tmp_path / "good.toml"
    config.write_text(f'[duty]\ndb_url = "{seeded_url}"\njurisdiction = "scotland"\n', encoding="utf-8")
    result = cli("--config", str(config), "person", "find", "P0000001")
    assert result.code == 0, result
    assert "John Smith" in result.out


# --- end to end ----------------------------------------------------------------------------


def run_installed(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DUTY_TUI), *args], capture_output=True, text=True, timeout=120, env=dict(os.environ))


@pytest.mark.skipif(not DUTY_TUI.exists(), reason="duty-tui is not installed in this environment")
def test_end_to_end_find_json(sqlite_engine, sqlite_url):
    seed_office(sqlite_engine)
    done = run_installed("person", "find", "jon smtih", "--json", "--db", sqlite_url)
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)
    assert {hit["ref"] for hit in hits} >= {"P0000001", "P0000002", "P0000003"}
    assert all(set(hit) == JSON_KEYS for hit in hits)
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not DUTY_TUI.exists(), reason="duty-tui is not installed in this environment")
def test_end_to_end_failures(tmp_path):
    unknown = run_installed("frobnicate")
    assert unknown.returncode == 2
    unreachable = run_installed("person", "find", "smith", "--db", UNREACHABLE[0])
    assert unreachable.returncode == 3
    assert SECRET not in unreachable.stderr + unreachable.stdout
    unmigrated = run_installed("person", "find", "smith", "--db", f"sqlite:///{tmp_path / 'new.db'}")
    assert unmigrated.returncode == 3
    assert "duty-tui db upgrade" in unmigrated.stderr
    for done in (unknown, unreachable, unmigrated):
        assert "Traceback" not in done.stdout + done.stderr


# --- demo (SQLite only, to keep the run short) --------------------------------------------


@pytest.fixture
def generator():
    return pytest.importorskip("duty_tui.core.demo.generator")


def people_in(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return session.exec(select(func.count()).select_from(Person)).one()
    finally:
        engine.dispose()


def test_demo_small_creates_an_office_and_exits(cli, generator, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"  # not even created yet: demo upgrades first
    result = cli("demo", "--size", "small", "--no-tui", "--db", url)
    assert result.code == 0, result
    assert people_in(url) > 100
    assert cli("audit", "verify", "--db", url).code == 0
    found = cli("person", "find", "smith", "--json", "--db", url)
    assert found.code == 0
    assert isinstance(json.loads(found.out), list)


def test_demo_again_with_the_same_size_and_seed_keeps_the_office(cli, generator, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert cli("demo", "--size", "small", "--seed", "7", "--no-tui", "--db", url).code == 0
    count = people_in(url)
    again = cli("demo", "--size", "small", "--seed", "7", "--no-tui", "--db", url)
    assert again.code == 0, again
    assert people_in(url) == count


def test_demo_refuses_a_database_holding_other_data(cli, generator, sqlite_engine, sqlite_url):
    seed_office(sqlite_engine)
    result = cli("demo", "--size", "small", "--no-tui", "--db", sqlite_url)
    assert result.code == 2, result
    assert "--reset" in result.err
    assert people_in(sqlite_url) == 5  # nothing was changed


def test_demo_reset_replaces_only_a_demo_office(cli, generator, sqlite_engine, sqlite_url):
    seed_office(sqlite_engine)
    result = cli("demo", "--size", "small", "--reset", "--no-tui", "--db", sqlite_url)
    assert result.code == 2, result
    assert "did not make this database" in result.err
    assert people_in(sqlite_url) == 5  # a real office is never replaced (tests/core/demo/test_demo_reset.py)


def test_demo_unknown_size_exits_2(cli, generator, tmp_path):
    result = cli("demo", "--size", "enormous", "--no-tui", "--db", f"sqlite:///{tmp_path / 'd.db'}")
    assert result.code == 2
