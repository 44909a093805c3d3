"""`--as USER` takes no password, so who may use it is the trust model (issue 10, item 7; docs/STAFF.md).

- Allowed to the OS account linked to that staff user, and to accounts trusted with the whole
  database: root, the owner of the SQLite file, a PostgreSQL superuser connection, and the
  accounts in ``batch_os_users`` — read only from a config file that only root can change.
- Refused (exit 2, audited as ``act_as.refused``) for everyone else: an unlinked OS account
  cannot act as an administrator, whatever LOGNAME says. Tested with a real second OS account
  (root creates it) and, anywhere, through the uid with monkeypatch.
- The audit trail names the real uid: batch jobs are ``os:<name>``, the terminal ends in
  ``/<name>``, and an SSH address that sshd did not vouch for is labelled as claimed.
"""

from __future__ import annotations

import json
import os
import pwd
import uuid

import pytest
from builders import seed_office
from signin_helpers import shared_database, throwaway_os_user
from sqlalchemy import text, update
from sqlalchemy.engine import make_url
from sqlmodel import select

from duty_tui.core.cli import run
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.grants import apply_grants
from duty_tui.core.db.models import AuditEvent, StaffUser


def link(engine, username: str, os_user: str | None) -> None:
    with session_scope(engine, write=True) as session:
        session.exec(update(StaffUser).where(StaffUser.username == username).values(os_user=os_user))


def events(engine, action: str | None = None) -> list[AuditEvent]:
    with session_scope(engine) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.exec(query).all())


@pytest.fixture
def app_url(engine, db_url, db_backend):
    """The URL an ordinary account uses: the SQLite file itself, or a PostgreSQL app role (not a superuser)."""
    if db_backend == "sqlite":
        yield db_url
        return
    role = f"duty_app_{uuid.uuid4().hex[:10]}"

    def admin(sql: str) -> None:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(sql))

    admin(f"CREATE ROLE {role} LOGIN PASSWORD 'app-pw'")
    try:
        apply_grants(engine, role)
        yield make_url(db_url).set(username=role, password="app-pw").render_as_string(hide_password=False)
    finally:
        engine.dispose()
        admin(f"DROP OWNED BY {role}")
        admin(f"DROP ROLE {role}")


@pytest.fixture
def as_nobody(monkeypatch):
    """This process's real uid becomes nobody's (not root, owns no database file); LOGNAME says admin."""
    nobody = pwd.getpwnam("nobody")
    monkeypatch.setattr(os, "getuid", lambda: nobody.pw_uid)
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "admin")
    return nobody


def cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_an_unlinked_account_cannot_act_as_an_administrator(engine, app_url, as_nobody, capsys):
    seed_office(engine)
    before = len(events(engine))

    code, out, err = cli(capsys, "--db", app_url, "staff", "list", "--json", "--as", "admin")

    assert code == 2 and out == ""
    assert "'nobody' may not act as 'admin'" in err and "docs/STAFF.md" in err
    [refused] = events(engine)[before:]  # the attempt is on the record, and nothing else happened
    assert refused.action == "act_as.refused" and refused.actor == "os:nobody"
    assert json.loads(refused.detail) == {"as": "admin", "os_user": "nobody"}
    assert refused.terminal.split(" ")[0].endswith("/nobody")
    code, _, err = cli(capsys, "--db", app_url, "person", "find", "smith", "--as", "no-such-user")
    assert code == 2 and "may not act as 'no-such-user'" in err  # the same answer: no list of who exists


def test_the_linked_account_may_act_as_its_staff_user_and_no_one_else(engine, app_url, as_nobody, capsys):
    seed_office(engine)
    link(engine, "admin", "nobody")

    code, out, err = cli(capsys, "--db", app_url, "staff", "list", "--json", "--as", "admin")
    assert code == 0, err
    assert {row["username"] for row in json.loads(out)} >= {"admin", "leader"}
    assert events(engine)[-1].actor == "admin"

    code, _, err = cli(capsys, "--db", app_url, "person", "find", "smith", "--as", "leader")
    assert code == 2 and "may not act as 'leader'" in err


def test_without_as_a_command_is_the_batch_role_named_by_the_real_uid(engine, app_url, as_nobody, capsys):
    seed_office(engine)
    code, _, err = cli(capsys, "--db", app_url, "person", "find", "smith", "--json")
    assert code == 0, err
    search = events(engine, "person.search")[-1]
    assert search.actor == "os:nobody"  # not "os:admin", whatever LOGNAME says
    link(engine, "income", "nobody")
    assert cli(capsys, "--db", app_url, "person", "find", "smith", "--json")[0] == 0
    assert events(engine, "person.search")[-1].actor == "income"  # the linked staff user


def test_an_owner_of_the_whole_database_may_act_as_anyone(engine, db_backend, db_url, capsys):
    """Root here, or the file's owner / a superuser connection: they could change anything directly anyway."""
    seed_office(engine)
    code, _, err = cli(capsys, "--db", db_url, "person", "find", "smith", "--as", "leader")
    assert code == 0, err
    assert events(engine, "person.search")[-1].actor == "leader"


def _config(path, body: str, mode: int = 0o644):
    path.write_text(body)
    path.chmod(mode)
    return path


def test_batch_os_users_from_a_root_owned_config_file(engine, app_url, as_nobody, capsys, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a config file owned by root can be made only by root")
    seed_office(engine)
    config = _config(tmp_path / "config.toml", '[duty]\nbatch_os_users = ["nobody"]\n')

    code, _, err = cli(capsys, "--config", str(config), "--db", app_url, "person", "find", "smith", "--as", "leader")

    assert code == 0, err
    assert events(engine, "person.search")[-1].actor == "leader"


def test_batch_os_users_anyone_could_have_written_is_refused(engine, app_url, as_nobody, capsys, tmp_path):
    seed_office(engine)
    config = _config(tmp_path / "config.toml", '[duty]\nbatch_os_users = ["nobody"]\n', mode=0o666)

    code, _, err = cli(capsys, "--config", str(config), "--db", app_url, "person", "find", "smith", "--as", "leader")

    assert code == 3
    assert f"config file {config} sets batch_os_users" in err and "chmod go-w" in err
    if os.geteuid() == 0:  # a file another account owns: refused as well
        config.chmod(0o644)
        os.chown(config, as_nobody.pw_uid, -1)
        code, _, err = cli(capsys, "--config", str(config), "--db", app_url, "person", "find", "x", "--as", "leader")
        assert code == 3 and f"owned by uid {as_nobody.pw_uid}, not root" in err
    assert events(engine, "person.search") == []


def test_batch_os_users_from_the_environment_is_refused(engine, app_url, as_nobody, capsys, monkeypatch):
    seed_office(engine)
    monkeypatch.setenv("DUTY_BATCH_OS_USERS", '["nobody"]')

    code, _, err = cli(capsys, "--db", app_url, "person", "find", "smith", "--as", "leader")

    assert code == 3 and "cannot be given in the environment" in err
    assert events(engine, "person.search") == []


def test_the_terminal_names_the_real_account_and_a_claimed_ssh_address(engine, app_url, as_nobody, capsys,
                                                                        monkeypatch):
    from duty_tui.core.services import context

    monkeypatch.setattr(context, "_proc_status", lambda pid: None)  # no sshd started this process
    monkeypatch.setenv("SSH_CONNECTION", "198.51.100.7 40000 10.0.0.1 22")
    seed_office(engine)
    assert cli(capsys, "--db", app_url, "person", "find", "smith")[0] == 0
    terminal = events(engine, "person.search")[-1].terminal
    assert terminal.split(" ")[0].endswith("/nobody") and terminal.endswith("(claimed ssh:198.51.100.7)")

    monkeypatch.setenv("DUTY_TERMINAL_ID", "desk-9")  # a label the environment may choose; the account is added
    assert cli(capsys, "--db", app_url, "person", "find", "smith")[0] == 0
    assert events(engine, "person.search")[-1].terminal == "desk-9/nobody"


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
def test_a_real_second_account_cannot_act_as_the_administrator(request, db_backend):
    """As in the issue, with a real unlinked OS account (created by root) whose environment says admin."""
    import subprocess

    with throwaway_os_user() as account, shared_database(request, db_backend, account) as shared:
        seed_office(shared.engine)
        env = account.env(LOGNAME="admin", USER="admin")

        def duty(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(account.argv([account.python, "-m", "duty_tui", "--db", shared.url, *args]),
                                  env=env, cwd="/", capture_output=True, text=True, timeout=120, check=False)

        refused = duty("staff", "disable", "leader", "--as", "admin")
        assert refused.returncode == 2, refused.stderr
        assert f"{account.name!r} may not act as 'admin'" in refused.stderr
        with session_scope(shared.engine) as session:
            assert session.exec(select(StaffUser).where(StaffUser.username == "leader")).one().active
        [event] = events(shared.engine, "act_as.refused")
        assert event.actor == f"os:{account.name}"

        batch = duty("person", "find", "smith", "--json")
        assert batch.returncode == 0, batch.stderr
        assert events(shared.engine, "person.search")[-1].actor == f"os:{account.name}"

        link(shared.engine, "admin", account.name)  # linked: now it may, as itself
        allowed = duty("staff", "disable", "leader", "--as", "admin")
        assert allowed.returncode == 0, allowed.stderr
        disabled = events(shared.engine, "staff.disable")[-1]
        assert disabled.actor == "admin" and disabled.terminal.split(" ")[0].endswith(f"/{account.name}")
