"""`duty-tui staff list|add|set|disable` (docs/CLI.md; issue 10, item 6), on SQLite and PostgreSQL.

Administrators only, every change audited, passwords never on the command line (standard input
or a no-echo prompt) and never in the audit trail; wrong input exits 2 with one line per problem
and changes nothing; an OS account links to one staff user (UNIQUE in the database); the last
active administrator cannot be disabled or demoted, even by two administrators at once.
"""

from __future__ import annotations

import io
import json
import sys
import threading

import pytest
from builders import PASSWORD, seed_office
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, StaffUser
from duty_tui.core.domain.errors import AuthError, InputError
from duty_tui.core.services import staff as staff_service
from duty_tui.core.services.auth import find_actor, sign_in, sign_in_os_user
from duty_tui.core.services.context import ServiceContext

NEW_PASSWORD = "plaster kettle orbit"
KEYS = {"username", "name", "role", "team", "os_user", "active"}


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `duty-tui` in-process; ``stdin`` is what standard input holds (not a terminal)."""

    def invoke(*args: str, stdin: str = ""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = run(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return invoke


@pytest.fixture
def url(engine, db_url) -> str:
    seed_office(engine)
    return db_url


def ctx_of(engine) -> ServiceContext:
    return ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test")


def row(engine, username: str) -> StaffUser:
    with session_scope(engine) as session:
        return session.exec(select(StaffUser).where(StaffUser.username == username)).one()


def events(engine, action: str | None = None) -> list[AuditEvent]:
    with session_scope(engine) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.exec(query).all())


def staff_count(engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(StaffUser)).one()


def test_list_json_is_the_contract_and_is_audited(cli, url, engine):
    code, out, err = cli("--db", url, "staff", "list", "--json", "--as", "admin")
    assert code == 0, err
    listed = json.loads(out)
    assert [r["username"] for r in listed] == sorted(r["username"] for r in listed)
    assert all(set(r) == KEYS for r in listed)
    assert {"username": "leader", "name": "Lee Leader", "role": "team_leader", "team": "income",
            "os_user": "os-leader", "active": True} in listed
    assert events(engine)[-1].action == "staff.list"
    code, out, _ = cli("--db", url, "staff", "list", "--as", "admin")
    assert code == 0 and "os-leader" in out and "active" in out


@pytest.mark.parametrize("who", [("--as", "reception"), ()], ids=["reception", "batch"])
def test_only_an_administrator_manages_staff(cli, url, engine, who):
    for args in (("list",), ("disable", "income"), ("set", "income", "--role", "admin")):
        code, out, err = cli("--db", url, "staff", *args, *who)
        assert code == 2 and out == "" and "admin.users" in err
    assert row(engine, "income").active and row(engine, "income").role == "income_officer"


def test_add_with_a_password_from_standard_input_and_an_os_link(cli, url, engine):
    code, _, err = cli("--db", url, "staff", "add", "rita", "--name", "Rita Patel", "--role", "reception",
                       "--team", "reception", "--os-user", "rpatel", "--password-stdin", "--as", "admin",
                       stdin=NEW_PASSWORD + "\n")
    assert code == 0, err
    assert "added rita: Rita Patel, role reception, team reception; linked to OS account rpatel" in err
    ctx = ctx_of(engine)
    assert sign_in(ctx, "rita", NEW_PASSWORD).team_code == "reception"
    assert sign_in_os_user(ctx, "rpatel").username == "rita"
    [added] = events(engine, "staff.add")
    assert added.actor == "admin"
    assert json.loads(added.detail) == {"username": "rita", "role": "reception", "team": "reception",
                                        "os_user": "rpatel", "password": True}
    assert all(NEW_PASSWORD not in (e.detail or "") for e in events(engine))


def test_add_without_a_password_at_no_terminal_means_os_sign_in_only(cli, url, engine):
    code, _, err = cli("--db", url, "staff", "add", "sam", "--name", "Sam", "--role", "reception",
                       "--os-user", "sam", "--as", "admin")
    assert code == 0, err
    assert "sam has no password" in err and "staff set sam --password" in err
    assert row(engine, "sam").password_hash is None
    with pytest.raises(AuthError):
        sign_in(ctx_of(engine), "sam", "")


def test_every_problem_is_named_and_nothing_is_added(cli, url, engine):
    before, audit_before = staff_count(engine), len(events(engine))
    code, out, err = cli("--db", url, "staff", "add", "leader", "--name", "Lee Two", "--role", "boss",
                         "--team", "nowhere", "--os-user", "os-income", "--password-stdin", "--as", "admin",
                         stdin="short\n")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["duty-tui"] * 5
    assert "--role 'boss' is not a staff role" in err and "admin, income_officer" in err
    assert "the password is too short (5 characters); use at least 12" in err
    assert "--team 'nowhere' is not a team in this database; teams are: income, options, reception, repairs" in err
    assert "username 'leader' is taken" in err
    assert "--os-user 'os-income' is already linked to staff user income" in err and "--no-os-user" in err
    assert staff_count(engine) == before and len(events(engine)) == audit_before
    code, _, err = cli("--db", url, "staff", "add", "bad name", "--name", "X", "--role", "batch", "--as", "admin")
    assert code == 2 and "username 'bad name' is not usable" in err
    code, _, err = cli("--db", url, "staff", "add", "x1", "--name", "X", "--role", "batch", "--as", "admin")
    assert code == 2 and "--role 'batch' is not a staff role" in err
    code, _, err = cli("--db", url, "staff", "add", "x2", "--name", "X", "--role", "reception",
                       "--os-user", "uid:0", "--as", "admin")
    assert code == 2 and "is not an operating-system account name" in err
    assert staff_count(engine) == before


def test_the_database_links_an_os_account_to_one_staff_user_only(engine):
    """UNIQUE(staff_user.os_user) since the first migration: a race cannot link it twice."""
    seed_office(engine)
    with pytest.raises(IntegrityError), session_scope(engine, write=True) as session:
        session.exec(update(StaffUser).where(StaffUser.username == "income").values(os_user="os-leader"))
    assert row(engine, "income").os_user == "os-income"


def test_set_role_team_link_and_password(cli, url, engine):
    with session_scope(engine, write=True) as session:  # a throttled account: a new password clears it
        session.exec(update(StaffUser).where(StaffUser.username == "income").values(failed_logins=9))
    code, _, err = cli("--db", url, "staff", "set", "income", "--role", "team_leader", "--team", "options",
                       "--os-user", "ian", "--password-stdin", "--as", "admin", stdin=NEW_PASSWORD + "\r\n")
    assert code == 0, err
    assert "changed income: Ian Income, role team_leader, team options; linked to OS account ian" in err
    user = row(engine, "income")
    assert (user.role, user.os_user, user.failed_logins, user.version) == ("team_leader", "ian", 0, 2)
    assert sign_in(ctx_of(engine), "income", NEW_PASSWORD).team_code == "options"
    [changed] = events(engine, "staff.set")
    assert json.loads(changed.detail) == {"username": "income", "role": {"from": "income_officer", "to": "team_leader"},
                                          "team": "options", "os_user": {"from": "os-income", "to": "ian"},
                                          "password": "changed"}
    code, _, err = cli("--db", url, "staff", "set", "income", "--no-os-user", "--as", "admin")
    assert code == 0 and row(engine, "income").os_user is None
    with pytest.raises(AuthError):
        sign_in_os_user(ctx_of(engine), "ian")
    assert cli("--db", url, "staff", "set", "income", "--as", "admin")[2].count("nothing to change") == 1
    code, _, err = cli("--db", url, "staff", "set", "income", "--os-user", "x", "--no-os-user", "--as", "admin")
    assert code == 2 and "not both" in err
    code, _, err = cli("--db", url, "staff", "set", "nobody", "--role", "admin", "--as", "admin")
    assert code == 2 and "no staff user 'nobody'" in err


def test_a_password_is_never_an_argument(cli, url, engine):
    before = row(engine, "income").password_hash
    code, _, err = cli("--db", url, "staff", "set", "income", "--password", NEW_PASSWORD, "--as", "admin")
    assert code == 2 and NEW_PASSWORD not in err  # --password takes no value: the word is refused
    code, _, err = cli("--db", url, "staff", "set", "income", "--password", "--as", "admin")
    assert code == 2 and "use --password-stdin" in err  # it asks at a terminal; this is not one
    code, _, err = cli("--db", url, "staff", "set", "income", "--password-stdin", "--as", "admin", stdin="")
    assert code == 2 and "held no password" in err
    assert row(engine, "income").password_hash == before


def test_the_last_active_administrator_stays(cli, url, engine):
    code, _, err = cli("--db", url, "staff", "disable", "admin", "--as", "admin")
    assert code == 2 and "admin is the last active administrator" in err
    code, _, err = cli("--db", url, "staff", "set", "admin", "--role", "reception", "--as", "admin")
    assert code == 2 and "last active administrator" in err
    assert row(engine, "admin").active and row(engine, "admin").role == "admin"
    assert cli("--db", url, "staff", "set", "leader", "--role", "admin", "--as", "admin")[0] == 0
    code, _, err = cli("--db", url, "staff", "disable", "admin", "--as", "leader")
    assert code == 0 and "disabled admin: Ada Admin" in err
    assert not row(engine, "admin").active
    with pytest.raises(AuthError) as caught:
        sign_in(ctx_of(engine), "admin", PASSWORD)
    assert "disabled" in caught.value.message
    code, _, err = cli("--db", url, "staff", "disable", "admin", "--as", "leader")
    assert code == 0 and "already disabled; nothing changed" in err
    assert [json.loads(e.detail) for e in events(engine, "staff.disable")] == [{"username": "admin"}]


def test_two_administrators_disabling_each_other_at_once_leave_one(engine, monkeypatch):
    """Each transaction locks the active administrators before counting them (FOR UPDATE; SQLite's write lock)."""
    seed_office(engine)
    with session_scope(engine, write=True) as session:
        session.exec(update(StaffUser).where(StaffUser.username == "leader").values(role="admin"))
    both_counted = threading.Barrier(2, timeout=2)
    real = staff_service._active_admins

    def counted_then_wait(session, ctx, *, lock):
        found = real(session, ctx, lock=lock)
        try:  # without the lock both would count two administrators here, then both disable
            both_counted.wait()
        except threading.BrokenBarrierError:
            pass  # the other is waiting for our lock: as it should
        return found

    monkeypatch.setattr(staff_service, "_active_admins", counted_then_wait)
    outcomes: dict[str, str] = {}

    def disable(actor: str, target: str) -> None:
        ctx = ctx_of(engine)
        try:
            staff_service.disable_staff(ctx.as_actor(find_actor(ctx, actor)), target)
            outcomes[target] = "disabled"
        except InputError as exc:
            outcomes[target] = exc.message

    threads = [threading.Thread(target=disable, args=pair) for pair in (("admin", "leader"), ("leader", "admin"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(o == "disabled" for o in outcomes.values()) == [False, True], outcomes
    assert sum(row(engine, u).active for u in ("admin", "leader")) == 1


def test_the_first_administrator_of_a_new_database(cli, engine, db_url):
    """A fresh database has no staff: root (or the database's owner) adds the first administrator, no --as."""
    code, _, err = cli("--db", db_url, "staff", "add", "rita", "--name", "Rita", "--role", "reception")
    assert code == 2 and "no administrator yet" in err
    code, _, err = cli("--db", db_url, "staff", "add", "ada", "--name", "Ada Lovelace", "--role", "admin",
                       "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert code == 0, err
    [added] = events(engine, "staff.add")
    assert added.actor.startswith("os:") and json.loads(added.detail)["first_admin"] is True
    code, _, err = cli("--db", db_url, "staff", "add", "bob", "--name", "Bob", "--role", "admin")
    assert code == 2 and "admin.users" in err  # there is an administrator now: act as them
    assert cli("--db", db_url, "staff", "add", "bob", "--name", "Bob", "--role", "reception", "--as", "ada")[0] == 0
