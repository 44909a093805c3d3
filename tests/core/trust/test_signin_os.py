"""`--auth os`: who the OS account is, and what a lock or sign-out leaves behind.

Issue 10, items 3, 4 and 21 (part):

- the OS account is the real uid, never LOGNAME/USER, and signs in only through an explicit
  ``staff_user.os_user`` link — tested with a real second OS account on a real pseudo-terminal
  (root only; elsewhere through the uid with monkeypatch, tests/core/services/test_auth_service.py);
- after a lock (Ctrl+L or idle) or a sign-out (F10) the OS account is not enough: the password
  is needed — with Pilot at 80x24 and through a real pseudo-terminal;
- every way a session ends is audited: quit, F10, switch user, SIGHUP, SIGTERM, quit while locked.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest
from builders import PASSWORD, seed_office
from pilot import SIZE, build_app, keys, screen_text, settle, sign_in
from signin_helpers import CTRL_L, CTRL_Q, F10, HOME_FOOTER, PtyTerminal, shared_database, throwaway_os_user
from sqlalchemy import update
from sqlmodel import select
from textual.widgets import Static

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, StaffUser
from duty_tui.core.services.context import os_identity
from duty_tui.core.tui.screens.home import HomeScreen
from duty_tui.core.tui.screens.lock import LockScreen
from duty_tui.core.tui.screens.login import LoginScreen


def link(engine, username: str, os_user: str) -> None:
    with session_scope(engine, write=True) as session:
        session.exec(update(StaffUser).where(StaffUser.username == username).values(os_user=os_user))


def events(engine, action: str | None = None) -> list[AuditEvent]:
    with session_scope(engine) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.exec(query).all())


def ends(engine) -> list[dict]:
    """The detail of every logout event, in order, with who it was."""
    return [{"who": e.actor, **json.loads(e.detail or "{}")} for e in events(engine, "logout")]


# --- Pilot (80x24) ----------------------------------------------------------------------------


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (the services are tested on both databases)
@pytest.mark.parametrize("leave", ["ctrl+l", "idle", "f10"])
async def test_after_a_lock_or_sign_out_the_os_account_needs_the_password(engine, leave):
    seed_office(engine)
    link(engine, "reception", os_identity())
    app = build_app(engine, auth="os", idle_lock_minutes=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen) and app.actor.username == "reception"  # the first start
        if leave == "idle":
            app.last_input -= 61
            app.check_idle_lock()
        elif leave == "ctrl+l":
            await pilot.press("ctrl+l")
        await settle(app, pilot)
        if leave != "f10":
            assert isinstance(app.screen, LockScreen)
            assert "No duty-tui password? Ctrl+Q" in screen_text(app)
        await pilot.press("f10")  # sign out from the lock screen (or from home)
        await settle(app, pilot, rounds=3)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None  # not signed straight back in as the OS account
        message = str(app.screen.query_one("#login-message", Static).render())
        assert "Sign in with your password" in message
        assert len(events(engine, "login")) == 1
        await sign_in(app, pilot, username="reception")  # the password works
        assert isinstance(app.screen, HomeScreen) and app.actor.username == "reception"
    logins = [json.loads(e.detail or "{}") for e in events(engine, "login")]
    assert logins == [{"method": "os"}, {}]  # the second sign-in was by password


@pytest.mark.sqlite_only
async def test_quit_is_audited_as_the_end_of_the_session(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert ends(engine) == [{"who": "reception", "how": "quit"}]


@pytest.mark.sqlite_only
async def test_quit_while_locked_is_audited_with_the_lock(engine):
    seed_office(engine)
    app = build_app(engine, idle_lock_minutes=1)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        app.last_input -= 61
        app.check_idle_lock()
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert ends(engine) == [{"who": "reception", "how": "quit", "locked": True}]


@pytest.mark.sqlite_only
async def test_sign_out_and_switch_user_are_audited_and_quit_ends_the_next_session(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, username="leader")
        await pilot.press("f10")
        await settle(app, pilot)
        await sign_in(app, pilot, username="reception")
        await pilot.press("ctrl+l", "down")
        await settle(app, pilot)
        await pilot.press(*keys(PASSWORD), "enter")  # leader switches in at reception's desk
        await settle(app, pilot, rounds=3)
        assert app.actor.username == "leader"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert ends(engine) == [{"who": "leader", "how": "sign_out"},
                            {"who": "reception", "how": "switch_user", "locked": True},
                            {"who": "leader", "how": "quit"}]


# --- a real pseudo-terminal ---------------------------------------------------------------------


def _app_env(tmp_path) -> dict[str, str]:
    return dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]),
                TEXTUAL_ANIMATIONS="none", DUTY_DRAFT_SPOOL=str(tmp_path / "spool"))


def test_in_a_real_terminal_lock_then_f10_asks_for_the_password(engine, db_url, tmp_path):
    """The attack in the issue: Ctrl+L, F10, and the login screen signed the same OS account straight back in."""
    seed_office(engine)
    link(engine, "reception", os_identity())
    terminal = PtyTerminal([sys.executable, "-m", "duty_tui", "--db", db_url, "--auth", "os"], _app_env(tmp_path))
    try:
        terminal.wait_for(HOME_FOOTER)  # signed in by the OS account, once
        mark = terminal.mark()
        terminal.type(CTRL_L)
        terminal.wait_for("duty-tui is locked", after=mark)
        mark = terminal.mark()
        terminal.type(F10)
        # Shown only where the login screen decided not to try the OS account ("Signing in as your
        # computer account…" otherwise).
        terminal.wait_for("Sign in with your password", after=mark)
        assert "Signing in as your computer account" not in terminal.text()[mark:]
        terminal.type(CTRL_Q)
        code = terminal.wait_exit()
    finally:
        terminal.close()
    assert code == 0
    assert HOME_FOOTER not in terminal.text()[mark:]
    assert [json.loads(e.detail or "{}") for e in events(engine, "login")] == [{"method": "os"}]
    assert ends(engine) == [{"who": "reception", "how": "sign_out", "locked": True}]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("signum", "locked"), [(signal.SIGTERM, False), (signal.SIGHUP, True)],
                         ids=["sigterm", "sighup-while-locked"])
def test_a_session_ended_by_a_signal_is_audited(engine, db_url, tmp_path, signum, locked):
    seed_office(engine)
    link(engine, "reception", os_identity())
    terminal = PtyTerminal([sys.executable, "-m", "duty_tui", "--db", db_url, "--auth", "os"], _app_env(tmp_path))
    try:
        terminal.wait_for(HOME_FOOTER)
        if locked:
            mark = terminal.mark()
            terminal.type(CTRL_L)
            terminal.wait_for("duty-tui is locked", after=mark)
        os.kill(terminal.process.pid, signum)
        code = terminal.wait_exit()
    finally:
        terminal.close()
    assert code == 128 + signum
    how = {"how": "hangup" if signum == signal.SIGHUP else "terminated"}
    assert ends(engine) == [{"who": "reception", **how, **({"locked": True} if locked else {})}]


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
def test_a_second_os_account_claiming_to_be_admin_gets_the_password_screen(request, db_backend):
    """`LOGNAME=admin USER=admin duty-tui --auth os`, run by a real, unlinked OS account (root creates it)."""
    with throwaway_os_user() as account, shared_database(request, db_backend, account) as shared:
        seed_office(shared.engine)
        link(shared.engine, "admin", "admin")  # both ways in the issue: the username and an os_user of "admin"
        env = account.env(LOGNAME="admin", USER="admin", USERNAME="admin", LNAME="admin")
        argv = account.argv([account.python, "-m", "duty_tui", "--db", shared.url, "--auth", "os"])
        terminal = PtyTerminal(argv, env, cwd="/")
        try:
            terminal.wait_for("Sign in with a password instead")
            terminal.type(CTRL_Q)
            terminal.wait_exit()
        finally:
            terminal.close()
        assert "not linked" in terminal.text() and HOME_FOOTER not in terminal.text()
        assert events(shared.engine, "login") == []
        [failed] = events(shared.engine, "login.failed")
        assert json.loads(failed.detail) == {"os_user": account.name}  # the real uid's name, not "admin"
        assert failed.terminal.split(" ")[0].endswith(f"/{account.name}")

        link(shared.engine, "reception", account.name)  # now linked: the same account signs in as itself
        terminal = PtyTerminal(argv, env, cwd="/")
        try:
            terminal.wait_for(HOME_FOOTER)
            terminal.type(CTRL_Q)
            assert terminal.wait_exit() == 0
        finally:
            terminal.close()
        [login] = events(shared.engine, "login")
        assert login.actor == "reception" and login.terminal.split(" ")[0].endswith(f"/{account.name}")
        assert ends(shared.engine) == [{"who": "reception", "how": "quit"}]
